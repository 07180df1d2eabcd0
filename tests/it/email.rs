//! Email-ready digests: `email.html` survives mail clients, `email.txt` is readable text.

use crate::support::{TestSite, links};

#[test]
fn email_html_is_self_contained() {
    let site = TestSite::fixture("scholarly");
    let built = site.build().unwrap();
    let mut checked = 0;
    for file in built.files().iter().filter(|f| f.ends_with("/email.html")) {
        let html = built.read(file);
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script"), "{file}: script");
        assert!(
            !lower.contains("<link"),
            "{file}: linked stylesheet or font"
        );
        assert!(
            !lower.contains("@import") && !lower.contains("@font-face"),
            "{file}"
        );
        for url in links(&html) {
            assert!(
                url.starts_with("https://")
                    || url.starts_with("http://")
                    || url.starts_with("mailto:"),
                "{file}: relative URL {url}"
            );
        }
        assert!(
            lower.contains("<table role=\"presentation\""),
            "{file}: table layout"
        );
        checked += 1;
    }
    assert_eq!(checked, 3, "one email per digest");

    let html = built.read("digests/2023-11-01/email.html");
    // Markdown links were relative (`papers/x/`, `../../papers/…/`) or root-relative.
    assert!(
        html.contains("href=\"https://example.org/lab/topics/\""),
        "{html}"
    );
    assert!(html.contains("href=\"https://example.org/lab/digests/2023-11-01/papers/x/\""));
    assert!(html.contains("href=\"https://example.org/lab/papers/2310.14189/\""));
    // Math is MathML with the TeX source as its annotation.
    assert!(html.contains("<math display=\"block\">"), "{html}");
    assert!(
        html.contains(
            "<annotation encoding=\"application/x-tex\">\\int_0^1 f(x)\\,dx</annotation>"
        )
    );
    // Styles are inline.
    assert!(html.contains("<p style=\""), "{html}");
    assert!(!html.contains("<style"), "no style element to be stripped");
}

#[test]
fn email_text_is_plain_with_tex_math_and_absolute_links() {
    let site = TestSite::fixture("scholarly");
    let built = site.build().unwrap();
    let text = built.read("digests/2023-11-01/email.txt");
    assert!(
        text.starts_with("First digest\nScholarly test site · 1 November 2023\n"),
        "{text}"
    );
    assert!(
        text.contains("$e^{i\\pi} = -1$"),
        "inline math as TeX: {text}"
    );
    assert!(
        text.contains("$$\\int_0^1 f(x)\\,dx$$"),
        "display math as TeX: {text}"
    );
    assert!(
        text.contains("our topics <https://example.org/lab/topics/>"),
        "{text}"
    );
    assert!(text.contains(
        "1. Improved Techniques for Training Consistency Models\n   Yang Song, Prafulla Dhariwal"
    ));
    assert!(text.contains("   arXiv: https://arxiv.org/abs/2310.14189"));
    assert!(
        !text.contains("<p>") && !text.contains("<math") && !text.contains("&amp;"),
        "{text}"
    );
    // Paragraphs wrap at 72 columns; titles (`1. …`) are kept on one line.
    let long: Vec<&str> = text
        .lines()
        .filter(|l| l.chars().count() > 72 && !l.starts_with(char::is_numeric))
        .collect();
    assert!(long.is_empty(), "not wrapped: {long:?}");
}

#[test]
fn a_day_of_75_papers_stays_under_gmails_clipping_size() {
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hf/daily-2024-03-11.json"
    ))
    .unwrap()
    .replace("{{SERVER}}", "https://example.org");
    let (papers, _) = digestif::import::hf::parse(&json, "fixture").unwrap();
    let papers: Vec<_> = papers.into_iter().map(|daily| daily.paper).collect();
    let site = crate::support::TestSite::new();
    site.write(
        "content/2024/03-11.md",
        &digestif::import::write::digest_file_from(
            "Daily papers",
            jiff::civil::date(2024, 3, 11),
            Some("hf-daily"),
            &papers,
        ),
    );
    let built = site.build().unwrap();
    let html = built.read("digests/2024-03-11/email.html");
    // Gmail clips a message whose HTML is over 102 KB.
    assert!(
        html.len() < 102 * 1024,
        "email.html is {} bytes",
        html.len()
    );
    assert_eq!(html.matches("Read the abstract</a>").count(), 75);
    let text = built.read("digests/2024-03-11/email.txt");
    assert!(text.len() < 102 * 1024, "email.txt is {} bytes", text.len());
    eprintln!(
        "75 papers: email.html {} bytes, email.txt {} bytes",
        html.len(),
        text.len()
    );
}
