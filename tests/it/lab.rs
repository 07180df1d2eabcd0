//! People, authors and the `lab` theme; `init`; the GitHub Pages workflow.

use digestif::commands::init::{InitOptions, InitTheme, PAGES_WORKFLOW};

use crate::support::{Built, Memory, TestSite, broken_links};

fn lab() -> (TestSite, Built) {
    let site = TestSite::fixture("lab");
    let built = site.build().expect("the lab fixture builds");
    (site, built)
}

/// The text between `start` and the next `end`, after the first `start`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not in page"))
        + start.len();
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn lab_site_links_all_resolve() {
    let (_site, built) = lab();
    assert_eq!(broken_links(&built, "/song-lab/"), Vec::<String>::new());
    for page in [
        "index.html",
        "publications/index.html",
        "people/index.html",
        "people/yang-song/index.html",
        "people/old-member/index.html",
        "research/index.html",
        "news/index.html",
        "authors/yang-song/index.html",
        "topics/diffusion/index.html",
        "papers/2303.01469/index.html",
    ] {
        assert!(built.exists(page), "{page}");
    }
    // Not a member: no person page, but an author page.
    assert!(!built.exists("people/stefano-ermon/index.html"));
    assert!(built.exists("authors/stefano-ermon/index.html"));
    assert!(
        built
            .read("sitemap.xml")
            .contains("/song-lab/authors/yang-song/")
    );
}

#[test]
fn aliases_merge_authors_and_members_are_marked() {
    let (_site, built) = lab();
    // "Y. Song" and "Song, Yang" are one author, under the person's name.
    assert!(!built.exists("authors/y-song/index.html"));
    assert!(!built.exists("authors/song-yang/index.html"));
    let author = built.read("authors/yang-song/index.html");
    let consistency = author.find("Consistency Models").expect("first paper");
    let score = author.find("Score-Based").expect("second paper");
    assert!(consistency < score, "newest first");
    assert!(author.contains("2 papers"));
    assert!(author.contains("href=\"/song-lab/people/yang-song/\""));
    // A non-member's author page has no person link.
    let ermon = built.read("authors/stefano-ermon/index.html");
    assert!(!ermon.contains("/song-lab/people/stefano-ermon/"));

    let paper = built.read("papers/2303.01469/index.html");
    assert!(paper.contains(
        "<a class=\"author member\" href=\"/song-lab/authors/yang-song/\">Yang Song</a>"
    ));
    assert!(
        paper.contains("<a class=\"author\" href=\"/song-lab/authors/mark-chen/\">Mark Chen</a>")
    );
    assert!(!paper.contains("Y. Song"));
}

#[test]
fn long_author_lists_end_in_an_expandable_et_al() {
    let (_site, built) = lab();
    // max_authors = 3 in the fixture: five authors show three, then the other two in <details>.
    let paper = built.read("papers/2303.01469/index.html");
    let authors = between(&paper, "<div class=\"authors\">", "</div>");
    let (shown, more) = authors
        .split_once("<details")
        .expect("an et al. disclosure");
    assert_eq!(shown.matches("class=\"author").count(), 3);
    assert!(more.contains("et al. (2 more)"));
    assert!(more.contains("Someone Else"));
}

#[test]
fn publications_are_ours_grouped_by_year_newest_first() {
    let (_site, built) = lab();
    let html = built.read("publications/index.html");
    // Written by a member, an alumnus, or flagged `ours = true`; not the Transformer paper.
    assert!(!html.contains("Attention Is All You Need"));
    let years: Vec<&str> = html
        .match_indices("<h2 id=\"y")
        .map(|(i, _)| &html[i + 9..i + 13])
        .collect();
    assert_eq!(years, ["2023", "2020"]);
    let y2023 = between(&html, "id=\"y2023\"", "</section>");
    assert!(y2023.find("Improved Techniques").unwrap() < y2023.find("Consistency Models").unwrap());
    let y2020 = between(&html, "id=\"y2020\"", "</section>");
    assert!(y2020.contains("Score-Based") && y2020.contains("Older Work of an Alumnus"));
    // Filter chips and no-JavaScript toggles.
    assert!(html.contains("id=\"f-diffusion\""));
    assert!(html.contains(".pub:not(.t-diffusion),"));
    assert!(html.contains("<details class=\"abstract\"><summary>Abstract</summary>"));
    assert!(html.contains("<details class=\"cite\"><summary>BibTeX</summary>"));
    // The same entry as the paper's cite.bib, with names as the people file spells them
    // ("Y. Song" in the digest).
    let bib = built.read("papers/2303.01469/cite.bib");
    assert!(
        bib.contains("{Song, Yang and Dhariwal, Prafulla and"),
        "{bib}"
    );
    let escaped = bib.trim_end().replace('&', "&amp;");
    assert!(html.contains(&escaped), "{bib}");
}

#[test]
fn people_home_research_and_news() {
    let (_site, built) = lab();
    let people = built.read("people/index.html");
    let (members, alumni) = people
        .split_once("<h2>Alumni</h2>")
        .expect("alumni section");
    assert!(members.contains("Yang Song") && members.contains("Prafulla Dhariwal"));
    assert!(alumni.contains("Old Member") && !members.contains("Old Member"));
    assert!(!people.contains("Stefano Ermon"));
    let person = built.read("people/yang-song/index.html");
    assert!(person.contains("https://orcid.org/0000-0001-0000-0000"));
    assert!(person.contains("https://github.com/yang-song"));
    let home = built.read("index.html");
    assert!(home.contains("We study <strong>generative models</strong>."));
    assert!(home.contains("Selected publications"));
    assert!(home.contains("Consistency week"));
    let research = built.read("research/index.html");
    assert!(research.contains("Generative models that learn to reverse a noising process."));
    let news = built.read("news/index.html");
    assert!(news.find("Flagged work").unwrap() < news.find("Consistency week").unwrap());
}

#[test]
fn theme_options_have_defaults_overrides_and_warnings() {
    let site = TestSite::fixture("lab");
    let built = site.build().unwrap();
    let home = built.read("index.html");
    // Overridden by the site; defaults from theme.toml.
    assert!(home.contains("--accent:#7c2d12"));
    assert!(home.contains("--accent-dark:#93c5fd"));
    assert!(home.contains("href=\"/song-lab/publications/\""));
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );

    let text = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &text.replace(
            "max_authors = 3",
            "max_authors = 3\naccnet = \"red\"\nfooter = \"Hello from the lab\"",
        ),
    );
    let built = site.build().unwrap();
    let warnings: Vec<String> = built
        .report
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("`accnet`") && warnings[0].contains("accent"),
        "{}",
        warnings[0]
    );
    assert!(
        built
            .read("index.html")
            .contains("<p>Hello from the lab</p>")
    );
}

#[test]
fn a_site_overrides_one_partial() {
    let site = TestSite::fixture("lab");
    site.write(
        "templates/partials/cite_block.html",
        "<p class=\"my-cite\">Cite {{ paper.title }}</p>",
    );
    let built = site.build().unwrap();
    let paper = built.read("papers/2303.01469/index.html");
    assert!(paper.contains("<p class=\"my-cite\">Cite Consistency Models</p>"));
    assert!(!paper.contains("<details class=\"cite\">"));
    // The other partials still come from the theme.
    assert!(paper.contains("class=\"author member\""));
}

#[test]
fn bad_people_file_names_the_file_and_photo_must_exist() {
    let site = TestSite::fixture("lab");
    site.write(
        "content/people.toml",
        "[[person]]\nname = \"A\"\nrole = 3\n",
    );
    let error = site.build_error();
    assert!(error.contains("content/people.toml:3"), "{error}");

    site.write(
        "content/people.toml",
        "[[person]]\nname = \"A B\"\nphoto = \"people/a.jpg\"\n",
    );
    let built = site.build().unwrap();
    let warnings = |built: &Built| -> Vec<String> {
        built
            .report
            .warnings
            .iter()
            .map(|w| w.to_string())
            .collect()
    };
    assert!(
        warnings(&built).iter().any(|w| w.starts_with(
            "content/people.toml:3: warning: photo `people/a.jpg` of A B is not a static file"
        )),
        "{:?}",
        warnings(&built)
    );
    // A picture that does not decode is named, and the page shows the initial instead.
    site.write_bytes("static/people/a.jpg", b"not really a jpeg");
    let built = site.build().unwrap();
    assert!(
        warnings(&built).iter().any(|w| w.starts_with(
            "content/people.toml:3: warning: photo static/people/a.jpg of A B is not shown: it is not a PNG, JPEG, WebP or GIF image"
        )),
        "{:?}",
        warnings(&built)
    );
    let people = built.read("people/index.html");
    assert!(!people.contains("<img"), "{people}");
    assert!(people.contains("<span class=\"avatar\""), "{people}");

    let mut photo = Vec::new();
    image::RgbImage::from_pixel(400, 300, image::Rgb([120, 90, 60]))
        .write_to(
            &mut std::io::Cursor::new(&mut photo),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    site.write_bytes("static/people/a.jpg", &photo);
    let built = site.build().unwrap();
    assert!(built.report.warnings.is_empty(), "{:?}", warnings(&built));
    assert!(
        built.read("people/index.html").contains(
            "<img src=\"/song-lab/thumbnails/people/a-96x96.jpg\" srcset=\"/song-lab/thumbnails/people/a-192x192.jpg 2x\" alt=\"\" width=\"96\" height=\"96\" loading=\"lazy\">"
        )
    );
    assert!(built.read("people/a-b/index.html").contains(
        "<img src=\"/song-lab/thumbnails/people/a-128x128.jpg\" srcset=\"/song-lab/thumbnails/people/a-256x256.jpg 2x\" alt=\"\" width=\"128\" height=\"128\">"
    ));
    // The original is copied too (it is outside static/thumbnails/): `photo_url` still works.
    assert!(built.exists("people/a.jpg"));
}

#[test]
fn default_theme_has_no_lab_pages() {
    let site = TestSite::fixture("lab");
    let text = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    let text = text.replace("theme = \"lab\"", "theme = \"default\"");
    site.write("site.toml", &text[..text.find("[extra]").unwrap()]);
    let built = site.build().unwrap();
    assert!(!built.exists("authors"));
    assert!(!built.exists("people/index.html"));
    assert!(!built.read("feeds.opml").contains("People"));
    assert_eq!(broken_links(&built, "/song-lab/"), Vec::<String>::new());
}

fn init(theme: InitTheme, dir: &std::path::Path) {
    digestif::commands::init::run(&InitOptions {
        dir: dir.to_path_buf(),
        theme,
        title: Some("A \"quoted\" title".into()),
        base_url: Some("https://our-lab.github.io/site".into()),
        force: false,
        today: jiff::civil::date(2024, 5, 1),
        install_from: None,
    })
    .unwrap();
}

#[test]
fn init_then_build_each_theme_offline() {
    for theme in [InitTheme::Default, InitTheme::Lab] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("new-site");
        init(theme, &root);
        for file in [
            "site.toml",
            "content/2024-05-01.md",
            ".gitignore",
            ".github/workflows/pages.yml",
        ] {
            assert!(root.join(file).is_file(), "{theme:?}: {file}");
        }
        assert_eq!(
            root.join("content/people.toml").is_file(),
            theme == InitTheme::Lab
        );
        let gitignore = std::fs::read_to_string(root.join(".gitignore")).unwrap();
        for line in [
            "/public/",
            "/.digestif/",
            "/.public-building-*/",
            "/.public-old-*/",
        ] {
            assert!(gitignore.lines().any(|l| l == line), "{line}");
        }
        let digest = std::fs::read_to_string(root.join("content/2024-05-01.md")).unwrap();
        assert!(!digest.contains("\"\"\""), "abstracts are literal strings");
        assert_eq!(
            digest.contains("Publications"),
            theme == InitTheme::Lab,
            "only the lab theme has a Publications page"
        );
        let report = digestif::build(&digestif::BuildOptions::new(&root)).unwrap();
        assert!(
            report.warnings.is_empty(),
            "{theme:?}: {:?}",
            report.warnings
        );
        let built = Built {
            out: root.join("public"),
            report,
        };
        assert!(
            built
                .read("index.html")
                .contains("A &quot;quoted&quot; title")
        );
        assert_eq!(
            broken_links(&built, "/site/"),
            Vec::<String>::new(),
            "{theme:?}"
        );
        if theme == InitTheme::Lab {
            assert!(built.exists("people/ada-example/index.html"));
            // "B. Example" is Bo Example's alias.
            assert!(built.exists("authors/bo-example/index.html"));
            assert!(!built.exists("authors/b-example/index.html"));
        }
    }
}

#[test]
fn init_takes_a_fresh_repository_and_extends_its_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lab-digest");
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join("README.md"), "# Lab digest\n").unwrap();
    std::fs::write(root.join("LICENSE"), "MIT").unwrap();
    std::fs::write(root.join(".gitignore"), "target/\n/public/").unwrap();
    let options = InitOptions {
        dir: root.clone(),
        theme: InitTheme::Default,
        title: None,
        base_url: None,
        force: false,
        today: jiff::civil::date(2024, 5, 1),
        install_from: None,
    };
    digestif::commands::init::run(&options).unwrap();
    let gitignore = std::fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(gitignore.starts_with("target/\n/public/\n"), "{gitignore}");
    assert_eq!(gitignore.matches("/public/").count(), 1, "{gitignore}");
    assert!(gitignore.contains("/.digestif/"), "{gitignore}");
    assert_eq!(
        std::fs::read_to_string(root.join("README.md")).unwrap(),
        "# Lab digest\n"
    );
    // The address follows the folder: a project site under /lab-digest/.
    let site = std::fs::read_to_string(root.join("site.toml")).unwrap();
    assert!(
        site.contains("base_url = \"https://example.github.io/lab-digest/\""),
        "{site}"
    );
    // Running init again extends nothing twice.
    let mut again = options.clone();
    again.force = true;
    digestif::commands::init::run(&again).unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join(".gitignore")).unwrap(),
        gitignore
    );
}

#[test]
fn the_workflow_installs_the_version_that_wrote_it_or_a_given_git_revision() {
    let version = env!("CARGO_PKG_VERSION");
    let workflow = |install_from: Option<&str>| {
        let dir = tempfile::tempdir().unwrap();
        let options = InitOptions {
            dir: dir.path().join("site"),
            theme: InitTheme::Default,
            title: None,
            base_url: None,
            force: false,
            today: jiff::civil::date(2024, 5, 1),
            install_from: install_from.map(String::from),
        };
        digestif::commands::init::run(&options).map(|_| {
            std::fs::read_to_string(dir.path().join("site/.github/workflows/pages.yml")).unwrap()
        })
    };
    let crates = workflow(None).unwrap();
    let yaml: serde_json::Value = serde_saphyr::from_str(&crates).unwrap();
    assert!(
        yaml["on"]["schedule"][0]["cron"].is_string(),
        "a daily schedule"
    );
    assert_eq!(
        yaml["permissions"]["contents"], "write",
        "the update commits"
    );
    let update = yaml["jobs"]["build"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|step| {
            step["run"]
                .as_str()
                .is_some_and(|r| r.contains("digestif update"))
        })
        .expect("a step runs digestif update");
    assert_eq!(update["if"], "github.event_name != 'push'");
    let script = update["run"].as_str().unwrap();
    assert!(
        script.contains("git pull --rebase") && script.contains("git push"),
        "{script}"
    );
    assert!(
        crates.contains(&format!("run: cargo install --locked digestif@{version}\n")),
        "{crates}"
    );
    assert!(
        crates.contains(&format!(
            "key: digestif-${{{{ runner.os }}}}-crates-{version}\n"
        )),
        "{crates}"
    );
    let git = workflow(Some("git+https://github.com/our-lab/digestif#v0.2.0-rc1")).unwrap();
    assert!(
        git.contains("run: cargo install --locked --git https://github.com/our-lab/digestif --rev v0.2.0-rc1 digestif\n"),
        "{git}"
    );
    for text in [&crates, &git] {
        assert!(
            !text.replace("${{", "").contains("{{") && !text.contains("example/digestif"),
            "{text}"
        );
    }
    for bad in [
        "https://github.com/x/y",
        "git+ftp://x/y",
        "git+https://x/y#$(rm -rf ~)",
        "git+https://x/y\nrun: evil",
    ] {
        let error = workflow(Some(bad)).unwrap_err().to_string();
        assert!(error.starts_with("--install-from"), "{bad}: {error}");
    }
}

#[test]
fn init_refuses_a_folder_with_files_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let mut options = InitOptions {
        dir: dir.path().to_path_buf(),
        theme: InitTheme::Lab,
        title: None,
        base_url: None,
        force: false,
        today: jiff::civil::date(2024, 5, 1),
        install_from: None,
    };
    let error = digestif::commands::init::run(&options)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("already holds `notes.txt`") && error.contains("--force"),
        "{error}"
    );
    assert!(!dir.path().join("site.toml").exists());
    options.force = true;
    digestif::commands::init::run(&options).unwrap();
    assert!(dir.path().join("site.toml").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

/// The `run:` lines of a workflow's build job.
fn check_workflow(text: &str, what: &str) -> Vec<String> {
    let yaml: serde_json::Value =
        serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let on = &yaml["on"];
    assert_eq!(
        on["push"]["branches"],
        serde_json::json!(["main"]),
        "{what}"
    );
    let permissions = &yaml["permissions"];
    assert_eq!(permissions["pages"], "write", "{what}");
    assert_eq!(permissions["id-token"], "write", "{what}");
    let build = &yaml["jobs"]["build"];
    let deploy = &yaml["jobs"]["deploy"];
    assert_eq!(deploy["needs"], "build", "{what}");
    assert_eq!(deploy["environment"]["name"], "github-pages", "{what}");
    let uses = |job: &serde_json::Value| -> Vec<String> {
        job["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["uses"].as_str())
            .map(|u| u.split('@').next().unwrap().to_string())
            .collect()
    };
    let build_uses = uses(build);
    for action in [
        "actions/checkout",
        "actions/configure-pages",
        "actions/cache",
        "actions/upload-pages-artifact",
    ] {
        assert!(
            build_uses.iter().any(|u| u == action),
            "{what}: no {action}"
        );
    }
    assert_eq!(uses(deploy), ["actions/deploy-pages"], "{what}");
    let upload = build["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-pages-artifact"))
        })
        .unwrap();
    assert_eq!(upload["with"]["path"], "public", "{what}");
    build["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_string))
        .collect()
}

/// Splits a shell command line on spaces, keeping double-quoted words whole.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.trim().chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Runs a workflow's build command (the words after `build`) on a site, with the Pages URL of a
/// project site, and checks every link.
fn run_build_command(runs: &[String], root: &std::path::Path, what: &str) {
    let command = runs
        .iter()
        .find(|r| r.contains(" build "))
        .unwrap_or_else(|| panic!("{what}: no build command"));
    assert!(
        command.contains("--base-url \"${{ steps.pages.outputs.base_url }}/\""),
        "{what}: {command}"
    );
    let command = command.replace(
        "${{ steps.pages.outputs.base_url }}",
        "https://our-lab.github.io/lab-site",
    );
    let words = shell_words(&command);
    let at = words.iter().position(|w| w == "build").unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["digestif".to_string()];
    args.extend(words[at..].iter().cloned());
    args.extend([
        "--root".into(),
        root.display().to_string(),
        "--output-dir".into(),
        out.path().join("public").display().to_string(),
        "--quiet".into(),
    ]);
    use clap::Parser;
    let cli = digestif::cli::Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{what}: {e}"));
    let digestif::cli::Command::Build(build) = cli.command else {
        panic!("{what}: not a build command");
    };
    let options = digestif::BuildOptions {
        root: build.root,
        output_dir: build.output_dir,
        overrides: digestif::Overrides {
            base_url: build.base_url,
            include_drafts: build.drafts,
        },
        show_progress: false,
        replace_output_dir: build.replace_output_dir,
    };
    let report = digestif::build(&options).unwrap_or_else(|e| panic!("{what}: {e}"));
    let built = Built {
        out: out.path().join("public"),
        report,
    };
    assert!(
        built
            .read("index.html")
            .contains("https://our-lab.github.io/lab-site/")
    );
    assert_eq!(
        broken_links(&built, "/lab-site/"),
        Vec::<String>::new(),
        "{what}"
    );
}

#[test]
fn repository_workflow_deploys_the_example_site() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(".github/workflows/pages.yml")).unwrap();
    let runs = check_workflow(&text, "repository workflow");
    run_build_command(&runs, root, "repository workflow");
}

#[test]
fn init_workflow_installs_digestif_and_deploys() {
    assert!(PAGES_WORKFLOW.contains("{{INSTALL_COMMAND}}"));
    for theme in [InitTheme::Default, InitTheme::Lab] {
        let dir = tempfile::tempdir().unwrap();
        init(theme, dir.path());
        let text = std::fs::read_to_string(dir.path().join(".github/workflows/pages.yml")).unwrap();
        assert!(!text.replace("${{", "").contains("{{"), "placeholders left");
        let runs = check_workflow(&text, "generated workflow");
        run_build_command(&runs, dir.path(), "generated workflow");
    }
}

#[test]
fn serve_rebuilds_what_the_people_file_changes() {
    let site = TestSite::fixture("lab");
    let load = || digestif::Config::load(site.root(), &digestif::Overrides::default()).unwrap();
    let mut engine = digestif::engine::Engine::new(load(), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    // Mark Chen joins the lab.
    let people = std::fs::read_to_string(site.root().join("content/people.toml")).unwrap();
    site.write(
        "content/people.toml",
        &format!("{people}\n[[person]]\nname = \"Mark Chen\"\nrole = \"Postdoc\"\n"),
    );
    let outcome = engine.build(&live, false).unwrap();
    for page in [
        "papers/2303.01469/index.html",
        "authors/mark-chen/index.html",
        "people/index.html",
        "people/mark-chen/index.html",
        "publications/index.html",
    ] {
        assert!(
            outcome.written.iter().any(|w| w == page),
            "{page} not rewritten"
        );
    }
    assert!(
        !outcome
            .written
            .iter()
            .any(|w| w == "papers/1706.03762/index.html")
    );
    // The incremental result equals a fresh build.
    let fresh = Memory::default();
    digestif::engine::Engine::new(load(), false)
        .build(&fresh, false)
        .unwrap();
    let live = live.into_files();
    let fresh = fresh.into_files();
    assert_eq!(
        live.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &fresh {
        assert!(live[path] == *bytes, "{path} differs from a fresh build");
    }
}

#[test]
fn a_forced_import_keeps_ours() {
    use clap::Parser;
    let site = TestSite::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    let import = |args: &[&str]| {
        let mut all = vec!["digestif", "import"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--root", site.root().to_str().unwrap()]);
        let digestif::cli::Command::Import(args) =
            digestif::cli::Cli::try_parse_from(all).unwrap().command
        else {
            panic!("not an import");
        };
        digestif::commands::import::run(&args, jiff::civil::date(2024, 3, 11), false).unwrap();
    };
    let xml = fixtures.join("arxiv-ids.xml");
    import(&["arxiv", "--file", xml.to_str().unwrap()]);
    let path = site.root().join("content/2024-03-11.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen(
        "[[papers]]\ntitle = \"Improved",
        "[[papers]]\nours = true\ntitle = \"Improved",
        1,
    );
    std::fs::write(&path, &text).unwrap();
    let bib = fixtures.join("refs.bib");
    import(&["bibtex", bib.to_str().unwrap(), "--force"]);
    let forced = std::fs::read_to_string(&path).unwrap();
    let table = between(&forced, "title = \"Improved", "[[papers]]");
    assert!(table.contains("\nours = true\n"), "{forced}");
    assert_eq!(forced.matches("ours = true").count(), 1, "{forced}");
}

#[test]
fn init_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("lab");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_digestif"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "init",
        site.to_str().unwrap(),
        "--theme",
        "lab",
        "--title",
        "Our Lab",
        "--base-url",
        "https://our-lab.github.io/site/",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created a site in"));
    let toml = std::fs::read_to_string(site.join("site.toml")).unwrap();
    assert!(toml.contains("title = \"Our Lab\"") && toml.contains("theme = \"lab\""));
    assert!(toml.contains("base_url = \"https://our-lab.github.io/site/\""));
    let again = run(&["init", site.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds"));
    let build = run(&["build", "--root", site.to_str().unwrap(), "--quiet"]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(site.join("public/people/index.html").is_file());
}

fn parse_feed(built: &Built, file: &str) -> feed_rs::model::Feed {
    let text = built.read(file);
    feed_rs::parser::parse(text.as_bytes())
        .unwrap_or_else(|e| panic!("{file} does not parse as a feed: {e}\n{text}"))
}

#[test]
fn every_author_has_an_atom_feed_in_the_order_of_their_page() {
    let (_site, built) = lab();
    let feed = parse_feed(&built, "authors/yang-song/feed.xml");
    assert_eq!(
        feed.id,
        "https://lab.github.io/song-lab/authors/yang-song/feed.xml"
    );
    assert!(feed.title.unwrap().content.starts_with("Yang Song"));
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "https://lab.github.io/song-lab/papers/2303.01469/",
            "https://lab.github.io/song-lab/papers/2011.13456/"
        ],
        "newest publication first, like the page"
    );
    // Names after aliases: "Song, Yang" is written as the person's name.
    let authors: Vec<&str> = feed.entries[1]
        .authors
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect();
    assert_eq!(authors[0], "Yang Song");
    assert!(authors.contains(&"Stefano Ermon"), "{authors:?}");
    assert_eq!(
        feed.updated.unwrap().date_naive().to_string(),
        "2024-03-11",
        "the latest time one of the papers was featured"
    );

    // A non-member has a feed too, and the author page points at its own feed.
    parse_feed(&built, "authors/stefano-ermon/feed.xml");
    let page = built.read("authors/yang-song/index.html");
    assert!(page.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Yang Song — Song Lab\" href=\"/song-lab/authors/yang-song/feed.xml\">"
    ));
}

#[test]
fn author_feeds_respect_feed_limit_and_opml_lists_members() {
    let site = TestSite::fixture("lab");
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &config.replace("theme = \"lab\"", "theme = \"lab\"\nfeed_limit = 1"),
    );
    let built = site.build().expect("builds");
    let feed = parse_feed(&built, "authors/yang-song/feed.xml");
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        feed.entries[0].id,
        "https://lab.github.io/song-lab/papers/2303.01469/"
    );

    let opml = built.read("feeds.opml");
    let people = between(&opml, "<outline text=\"People\"", "</outline>\n</body>");
    // Members and alumni with papers, in the people file's order; not Stefano Ermon.
    let yang = people
        .find("authors/yang-song/feed.xml")
        .expect("Yang Song");
    let prafulla = people
        .find("authors/prafulla-dhariwal/feed.xml")
        .expect("Prafulla Dhariwal");
    assert!(yang < prafulla);
    assert!(people.contains("authors/old-member/feed.xml"));
    assert!(!people.contains("stefano-ermon"));
}
