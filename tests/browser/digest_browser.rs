//! A day of 75 papers (tests/fixtures/hf) read in Chromium: at 1280×900 the first screen shows at
//! least six paper titles and at 390×844 at least three, in both themes, and the page passes
//! axe in both colour schemes.

use std::net::TcpListener;

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::support::TestSite;
use crate::theme_browser::{audit, axe_source, serve_folder};

/// The recorded day as a digest file, the way `digestif import hf` writes it.
fn day_site(theme: &str) -> (TestSite, String) {
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hf/daily-2024-03-11.json"
    ))
    .unwrap()
    .replace("{{SERVER}}", "https://example.org");
    let (papers, _) = digestif::import::hf::parse(&json, "fixture").unwrap();
    let papers: Vec<_> = papers.into_iter().map(|daily| daily.paper).collect();
    let text = digestif::import::write::digest_file_from(
        "Daily papers, 11 March 2024",
        jiff::civil::date(2024, 3, 11),
        Some("hf-daily"),
        &papers,
    );
    let site = TestSite::new();
    site.write("content/2024/03-11.md", &text);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    site.write(
        "site.toml",
        &format!("title = \"Daily\"\nbase_url = \"{origin}/\"\ntheme = \"{theme}\"\n"),
    );
    let options = site.options();
    let out = options.output_dir();
    digestif::build(&options).expect("the day builds");
    serve_folder(listener, out);
    (site, origin)
}

/// Paper titles wholly inside the first screen.
const TITLES_ON_FIRST_SCREEN: &str = "window.scrollTo(0, 0); \
    return [...document.querySelectorAll('.digest .card h2, .digest .card h3.title')] \
      .filter(h => { const r = h.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }) \
      .length;";

pub(crate) fn a_day_of_75_papers_shows_many_titles_on_the_first_screen() {
    let axe = axe_source();
    let mut problems = Vec::new();
    for theme in ["default", "lab"] {
        let (_site, origin) = day_site(theme);
        let browser = Browser::start();
        for (width, height, least) in [(1280u32, 900u32, 6u64), (390, 844, 3)] {
            browser.command(
                "POST",
                "/window/rect",
                json!({ "width": width, "height": height }),
            );
            browser.open(&format!("{origin}/digests/2024-03-11/"));
            // The window's chrome takes some of its height: fit the viewport itself.
            let inner = browser
                .eval("return window.innerHeight;")
                .as_u64()
                .unwrap_or(0);
            if inner < u64::from(height) {
                browser.command(
                    "POST",
                    "/window/rect",
                    json!({ "width": width, "height": 2 * height - inner as u32 }),
                );
                browser.open(&format!("{origin}/digests/2024-03-11/"));
            }
            let shown = browser.eval(TITLES_ON_FIRST_SCREEN).as_u64().unwrap_or(0);
            if shown < least {
                problems.push(format!(
                    "{theme} at {width}×{height}: {shown} titles on the first screen, want {least}"
                ));
            }
        }
        for scheme in ["light", "dark"] {
            browser.command(
                "POST",
                "/goog/cdp/execute",
                json!({"cmd": "Emulation.setEmulatedMedia", "params": {
                    "features": [{"name": "prefers-color-scheme", "value": scheme}]}}),
            );
            browser.open(&format!("{origin}/digests/2024-03-11/"));
            for violation in audit(&browser, &axe) {
                problems.push(format!("{theme} {scheme}: {violation}"));
            }
        }
        let opened = browser.eval(
            "const d = document.querySelector('details.abstract'); d.open = true; \
             return d.querySelector('.prose').getBoundingClientRect().height;",
        );
        if opened.as_f64().unwrap_or(0.0) <= 0.0 {
            problems.push(format!(
                "{theme}: an opened abstract shows nothing ({opened:?})"
            ));
        }
        let _: Value = browser.eval("return true;");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
