//! Paper thumbnails (issue 18): card-sized JPEG versions at 1× and 2× in the output, an `<img>`
//! with its size on the card and `og:image` on the paper page; broken images are warnings; serve
//! resizes an image only when its bytes change.

use digestif::engine::Engine;
use digestif::{Config, Overrides};

use crate::support::{Built, Memory, TestSite};

const DIGEST: &str = "content/2024-03-11.md";

fn built() -> (TestSite, Built) {
    let site = TestSite::fixture("thumbnails");
    let built = site.build().expect("broken images do not fail the build");
    (site, built)
}

fn warnings(built: &Built) -> Vec<String> {
    built
        .report
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The `<article>` of the card whose title is `title` on `page`.
fn card<'a>(page: &'a str, title: &str) -> &'a str {
    let at = page
        .find(&format!(">{title}</a>"))
        .unwrap_or_else(|| panic!("no card titled {title}"));
    let start = page[..at].rfind("<article").unwrap();
    let end = at + page[at..].find("</article>").unwrap();
    &page[start..end]
}

fn dimensions(built: &Built, file: &str) -> (u32, u32) {
    let bytes = std::fs::read(built.out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "{file} is a JPEG");
    let picture = image::load_from_memory(&bytes).unwrap();
    (picture.width(), picture.height())
}

#[test]
fn a_png_thumbnail_gets_1x_and_2x_files_and_a_sized_lazy_img_on_its_card() {
    let (_site, built) = built();
    assert_eq!(
        dimensions(&built, "thumbnails/figure-160x90.jpg"),
        (160, 90)
    );
    assert_eq!(
        dimensions(&built, "thumbnails/figure-320x180.jpg"),
        (320, 180)
    );
    let digest = built.read("digests/2024-03-11/index.html");
    assert!(
        card(&digest, "A paper with a PNG figure").contains(
            "<article class=\"card\">\n<img class=\"thumbnail\" src=\"/digest/thumbnails/figure-160x90.jpg\" srcset=\"/digest/thumbnails/figure-320x180.jpg 2x\" alt=\"\" width=\"160\" height=\"90\" loading=\"lazy\">\n<h2>"
        ),
        "{digest}"
    );
    // Other shapes keep their proportions, and a small source is never enlarged.
    assert_eq!(dimensions(&built, "thumbnails/wide-160x90.jpg"), (160, 53));
    assert_eq!(
        dimensions(&built, "thumbnails/wide-320x180.jpg"),
        (320, 106)
    );
    assert!(
        card(&digest, "A paper with a wide JPEG").contains("width=\"160\" height=\"53\""),
        "{digest}"
    );
    assert_eq!(dimensions(&built, "thumbnails/small-160x90.jpg"), (100, 60));
    assert!(!built.exists("thumbnails/small-320x180.jpg"));
    let small = card(&digest, "A paper with a small GIF");
    assert!(
        small.contains("src=\"/digest/thumbnails/small-160x90.jpg\" alt=\"\" width=\"100\" height=\"60\" loading=\"lazy\">"),
        "{small}"
    );
    assert_eq!(dimensions(&built, "thumbnails/round-160x90.jpg"), (90, 90));
    // Topic pages list the same cards.
    let topic = built.read("topics/vision/index.html");
    assert!(card(&topic, "A paper with a PNG figure").contains("figure-160x90.jpg"));
    assert!(!card(&digest, "A paper without an image").contains("<img"));
}

#[test]
fn originals_under_static_thumbnails_are_not_published() {
    let (_site, built) = built();
    let under: Vec<String> = built
        .files()
        .into_iter()
        .filter(|file| file.starts_with("thumbnails/"))
        .collect();
    assert_eq!(
        under,
        [
            "thumbnails/figure-160x90.jpg",
            "thumbnails/figure-320x180.jpg",
            "thumbnails/round-160x90.jpg",
            "thumbnails/round-320x180.jpg",
            "thumbnails/small-160x90.jpg",
            "thumbnails/wide-160x90.jpg",
            "thumbnails/wide-320x180.jpg",
        ]
    );
}

#[test]
fn the_paper_page_shares_its_thumbnail_as_og_image() {
    let (_site, built) = built();
    let page = built.read("papers/2403.00001/index.html");
    assert!(
        page.contains("<meta property=\"og:image\" content=\"https://example.org/digest/thumbnails/figure-320x180.jpg\">"),
        "{page}"
    );
    // Without a 2× version, the 1× one.
    assert!(
        built
            .read("papers/2403.00003/index.html")
            .contains("content=\"https://example.org/digest/thumbnails/small-160x90.jpg\"")
    );
    for paper in ["2403.00005", "2403.00006", "2403.00009"] {
        let page = built.read(&format!("papers/{paper}/index.html"));
        assert!(!page.contains("og:image"), "{paper}");
    }
}

#[test]
fn corrupt_missing_svg_and_huge_images_are_warnings_at_their_line() {
    let (_site, built) = built();
    let warnings = warnings(&built);
    let expected = [
        (
            35,
            "thumbnail static/thumbnails/corrupt.png of paper 2403.00005 is not shown: it could not be decoded",
        ),
        (
            41,
            "thumbnail `thumbnails/missing.png` of paper 2403.00006 is not a static file",
        ),
        (
            47,
            "thumbnail static/thumbnails/evil.svg of paper 2403.00007 is not shown: it is an SVG image, which can hold script",
        ),
        (
            53,
            "thumbnail static/thumbnails/huge.png of paper 2403.00008 is not shown: it is larger than 4096×4096 pixels",
        ),
    ];
    assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
    for ((line, message), warning) in expected.iter().zip(&warnings) {
        let start = format!("{DIGEST}:{line}: warning: {message}");
        assert!(warning.starts_with(&start), "{warning}\nexpected {start}");
    }
    let digest = built.read("digests/2024-03-11/index.html");
    for title in [
        "A paper whose image is corrupt",
        "A paper whose image is missing",
        "A paper whose image is an SVG",
        "A paper whose image claims to be huge",
    ] {
        assert!(!card(&digest, title).contains("<img"), "{title}");
    }
    assert!(!built.files().iter().any(|file| file.contains("evil")));
}

#[test]
fn an_image_over_2_mb_is_refused_unread() {
    let site = TestSite::fixture("thumbnails");
    let mut large = b"\x89PNG\r\n\x1a\n".to_vec();
    large.resize(2 * 1024 * 1024 + 1, 0);
    site.write_bytes("static/thumbnails/figure.png", &large);
    let built = site.build().unwrap();
    assert!(
        warnings(&built).iter().any(|w| w.starts_with(&format!(
            "{DIGEST}:10: warning: thumbnail static/thumbnails/figure.png of paper 2403.00001 is not shown: it is larger than 2 MB"
        ))),
        "{:#?}",
        warnings(&built)
    );
    assert!(!built.exists("thumbnails/figure-160x90.jpg"));
}

fn load(site: &TestSite) -> Config {
    Config::load(site.root(), &Overrides::default()).unwrap()
}

fn assert_equals_fresh_build(site: &TestSite, live: &Memory) {
    let fresh = Memory::default();
    Engine::new(load(site), false).build(&fresh, false).unwrap();
    let (live, fresh) = (live.files(), fresh.into_files());
    assert_eq!(
        live.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &fresh {
        assert!(live[path] == *bytes, "{path} differs from a fresh build");
    }
}

#[test]
fn serve_resizes_an_image_again_only_when_its_bytes_change() {
    let site = TestSite::fixture("thumbnails");
    let mut engine = Engine::new(load(&site), true);
    let live = Memory::default();
    let first = engine.build(&live, false).unwrap();
    // Four good images and three that do not decode (remembered as such); the missing one is
    // not a file.
    assert_eq!(first.images_made, 7);

    // An edit to the text: no image is resized or written again.
    let digest = site.root().join(DIGEST);
    let text = std::fs::read_to_string(&digest).unwrap();
    std::fs::write(
        &digest,
        text.replace("a PNG figure", "a PNG figure, edited"),
    )
    .unwrap();
    let outcome = engine.build(&live, false).unwrap();
    assert_eq!(outcome.images_made, 0);
    assert!(
        !outcome.written.iter().any(|p| p.starts_with("thumbnails/")),
        "{:?}",
        outcome.written
    );
    assert!(
        outcome
            .written
            .contains(&"digests/2024-03-11/index.html".to_string())
    );

    // A static file changes (serve then reloads the theme) into bytes made before, another
    // paper's image: the cache knows them by their hash, not by their file.
    let wide = std::fs::read(site.root().join("static/thumbnails/wide.jpg")).unwrap();
    site.write_bytes("static/thumbnails/figure.png", &wide);
    engine.reload_theme();
    let outcome = engine.build(&live, false).unwrap();
    assert_eq!(outcome.images_made, 0);
    let card = "figure-160x90.jpg\" srcset=\"/digest/thumbnails/figure-320x180.jpg 2x\" alt=\"\" width=\"160\" height=\"53\"";
    assert!(
        live.read("digests/2024-03-11/index.html")
            .unwrap()
            .contains(card)
    );
    assert_equals_fresh_build(&site, &live);

    // New bytes: only that image is made again, and the cards showing it take its new size.
    let mut square = Vec::new();
    image::RgbImage::from_pixel(300, 300, image::Rgb([0, 90, 0]))
        .write_to(
            &mut std::io::Cursor::new(&mut square),
            image::ImageFormat::Png,
        )
        .unwrap();
    site.write_bytes("static/thumbnails/figure.png", &square);
    engine.reload_theme();
    let outcome = engine.build(&live, false).unwrap();
    assert_eq!(outcome.images_made, 1);
    let card = "figure-160x90.jpg\" srcset=\"/digest/thumbnails/figure-320x180.jpg 2x\" alt=\"\" width=\"90\" height=\"90\"";
    assert!(
        live.read("digests/2024-03-11/index.html")
            .unwrap()
            .contains(card)
    );
    assert!(
        live.read("topics/vision/index.html")
            .unwrap()
            .contains(card)
    );
    assert_equals_fresh_build(&site, &live);

    // A paper that drops its thumbnail takes its files out of the output.
    let text = std::fs::read_to_string(&digest).unwrap();
    std::fs::write(
        &digest,
        text.replace("thumbnail = \"thumbnails/small.gif\"\n", ""),
    )
    .unwrap();
    let outcome = engine.build(&live, false).unwrap();
    assert_eq!(outcome.images_made, 0);
    assert_eq!(outcome.removed, ["thumbnails/small-160x90.jpg"]);
    assert_equals_fresh_build(&site, &live);
}
