//! Both bundled themes in headless Chromium: no horizontal overflow at 360, 375 and 1280 px, the `lab`
//! theme's colour scheme toggle works and is remembered, and axe-core finds no serious or critical
//! accessibility problem. Needs chromium, chromium-driver and axe-core in tests/node (.ci/run
//! installs them all).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::support::TestSite;

pub(crate) fn axe_source() -> String {
    let path = crate::tools::path(crate::tools::Tool::AxeCore);
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Serves a folder over HTTP on a free port, in a thread, for the life of the test process.
pub(crate) fn serve_folder(listener: TcpListener, root: PathBuf) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/");
            let path = path.split(['?', '#']).next().unwrap_or("/");
            let mut file = root.join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                file = file.join("index.html");
            }
            let (status, body) = match std::fs::read(&file) {
                Ok(body) => ("200 OK", body),
                Err(_) => ("404 Not Found", Vec::new()),
            };
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
}

/// Builds a site for the given theme with its base URL on a local port and serves it.
fn served(theme: &str) -> (TestSite, String) {
    let site = TestSite::fixture("lab");
    let text = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    let mut text = text.replace("theme = \"lab\"", &format!("theme = \"{theme}\""));
    if theme == "default" {
        text.truncate(text.find("[extra]").unwrap());
    }
    site.write("site.toml", &text);
    // A long unbroken word and a long code line must not widen the page.
    site.write(
        "content/2024-03-25.md",
        "+++\ntitle = \"Long words\"\ndate = 2024-03-25\n\n[[papers]]\nid = \"long\"\ntitle = \"Supercalifragilisticexpialidociouslylongtitlewithoutanybreakopportunityatall\"\nauthors = [\"Yang Song\"]\ntopics = [\"Diffusion\"]\nabstract = \"A `very_long_inline_code_span_that_goes_on_and_on_and_on_and_on_and_on` here.\"\n\n[[papers]]\nid = \"math\"\ntitle = '''Regret of $O(\\sqrt{T})$ for $\\hat{\\theta}$-bandits'''\nauthors = [\"Yang Song\"]\ntopics = [\"Diffusion\"]\nabstract = '''Noise $q(x_t \\mid x_0)$ with\n\n$$\\bar{\\alpha}_t = \\prod_{s=1}^{t} (1 - \\beta_s) + \\sum_{i=1}^{n} \\frac{\\partial \\mathcal{L}}{\\partial \\theta_i} + \\mathbb{E}_{x \\sim p}[\\lVert x \\rVert^2]$$'''\n+++\n```\nfn a_very_long_line_of_code_that_should_scroll_inside_its_block_and_not_widen_the_page() {}\n```\n",
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let mut options = site.options();
    options.overrides.base_url = Some(format!("{origin}/"));
    let out = options.output_dir();
    digestif::build(&options).expect("site builds");
    serve_folder(listener, out);
    (site, origin)
}

fn set_width(browser: &Browser, width: u32) {
    browser.command(
        "POST",
        "/window/rect",
        json!({ "width": width, "height": 900 }),
    );
    let inner = browser.eval("return document.documentElement.clientWidth;");
    let inner = inner.as_u64().unwrap_or(0);
    assert!(
        inner <= u64::from(width) && inner + 40 >= u64::from(width),
        "asked for a {width} px window, the page is {inner} px wide"
    );
}

fn overflow(browser: &Browser) -> Value {
    browser.eval(
        "const d = document.documentElement; \
         if (d.scrollWidth <= d.clientWidth) return null; \
         const wide = [...document.querySelectorAll('body *')] \
           .filter(e => e.getBoundingClientRect().right > d.clientWidth + 1) \
           .slice(0, 5).map(e => e.tagName + '.' + e.className); \
         return { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, wide };",
    )
}

pub(crate) fn audit(browser: &Browser, axe: &str) -> Vec<String> {
    browser.eval(&format!("{axe}\nreturn true;"));
    let result = browser.command(
        "POST",
        "/execute/async",
        json!({
            "script": "const done = arguments[arguments.length - 1]; \
                axe.run(document, { resultTypes: ['violations'] }) \
                  .then(r => done(r.violations \
                    .filter(v => v.impact === 'serious' || v.impact === 'critical') \
                    .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))) \
                  .catch(e => done(['axe failed: ' + e]));",
            "args": []
        }),
    );
    result
        .as_array()
        .expect("a list of violations")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

fn pages(theme: &str) -> Vec<&'static str> {
    let mut pages = vec![
        "/",
        "/papers/2303.01469/",
        "/topics/diffusion/",
        "/topics/",
        "/papers/long/",
        "/digests/2024-03-25/",
    ];
    if theme == "lab" {
        pages.extend([
            "/people/",
            "/people/yang-song/",
            "/publications/",
            "/authors/yang-song/",
            "/research/",
        ]);
    }
    pages
}

fn check_theme(theme: &str) {
    let (_site, origin) = served(theme);
    let browser = Browser::start();
    let axe = axe_source();
    let mut problems = Vec::new();
    for width in [360, 375, 1280] {
        browser.open(&format!("{origin}/"));
        set_width(&browser, width);
        for page in pages(theme) {
            browser.open(&format!("{origin}{page}"));
            let found = overflow(&browser);
            if !found.is_null() {
                problems.push(format!("{theme} {page} at {width} px overflows: {found}"));
            }
            // The digest page holds a long code block, which scrolls: it must be focusable.
            if width == 1280 {
                for violation in audit(&browser, &axe) {
                    problems.push(format!("{theme} {page}: {violation}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

pub(crate) fn default_theme_fits_small_and_wide_screens_and_passes_axe() {
    check_theme("default");
}

pub(crate) fn lab_theme_fits_small_and_wide_screens_and_passes_axe() {
    check_theme("lab");
}

pub(crate) fn lab_theme_dark_toggle_works_and_is_remembered() {
    let (_site, origin) = served("lab");
    let browser = Browser::start();
    let axe = axe_source();
    browser.open(&format!("{origin}/"));
    browser.eval("localStorage.clear(); return true;");
    browser.open(&format!("{origin}/"));
    let background = "return getComputedStyle(document.body).backgroundColor;";
    let state = "return [document.documentElement.getAttribute('data-theme'), document.getElementById('theme-toggle').textContent, document.getElementById('theme-toggle').hidden];";
    // Headless Chromium reports a light system preference.
    assert_eq!(browser.eval(state), json!([null, "Theme: system", false]));
    assert_eq!(browser.eval(background), "rgb(255, 255, 255)");
    let click = "document.getElementById('theme-toggle').click(); return true;";
    browser.eval(click);
    assert_eq!(browser.eval(state), json!(["light", "Theme: light", false]));
    browser.eval(click);
    assert_eq!(browser.eval(state), json!(["dark", "Theme: dark", false]));
    assert_eq!(browser.eval(background), "rgb(13, 17, 23)");
    // Remembered on another page and after a reload.
    browser.open(&format!("{origin}/papers/2303.01469/"));
    assert_eq!(browser.eval(state), json!(["dark", "Theme: dark", false]));
    assert_eq!(browser.eval(background), "rgb(13, 17, 23)");
    // Dark pages pass the audit too (colour contrast).
    let mut problems = Vec::new();
    for page in ["/", "/papers/2303.01469/", "/topics/diffusion/", "/people/"] {
        browser.open(&format!("{origin}{page}"));
        for violation in audit(&browser, &axe) {
            problems.push(format!("dark {page}: {violation}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The topic filters hide other topics' papers and years without them, with CSS only.
    browser.open(&format!("{origin}/publications/"));
    let visible = "return [...document.querySelectorAll('.pub, .year')].filter(e => e.offsetParent !== null).map(e => e.querySelector('h2, h3').textContent);";
    let all = browser.eval(visible);
    assert!(all.as_array().unwrap().len() >= 6, "{all}");
    browser.eval("document.querySelector('label[for=f-transformers]').click(); return true;");
    assert_eq!(
        browser.eval(visible),
        json!(["2020", "Older Work of an Alumnus"])
    );
    // Back to the system setting: the choice is forgotten.
    browser.eval(click);
    assert_eq!(browser.eval(state), json!([null, "Theme: system", false]));
    assert_eq!(
        browser.eval("return localStorage.getItem('digestif-theme');"),
        Value::Null
    );
}

/// Switches the page's `prefers-color-scheme` (the whole tab, across navigations).
fn emulate_scheme(browser: &Browser, scheme: &str) {
    browser.command(
        "POST",
        "/goog/cdp/execute",
        json!({"cmd": "Emulation.setEmulatedMedia", "params": {
            "features": [{"name": "prefers-color-scheme", "value": scheme}]}}),
    );
}

/// The example site (the repository root), built for a local port and served.
fn served_example() -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let mut options = digestif::BuildOptions::new(env!("CARGO_MANIFEST_DIR"));
    options.output_dir = Some(out.path().join("public"));
    options.overrides.base_url = Some(format!("{origin}/"));
    digestif::build(&options).expect("the example site builds");
    serve_folder(listener, out.path().join("public"));
    (out, origin)
}

/// Issue 21's acceptance: axe finds no serious or critical problem in either colour scheme on
/// the home, digest, paper (math and code), topic, topics, search, people and publications pages
/// of the example site and a lab site, and none of them scrolls sideways at 360 px.
pub(crate) fn example_and_lab_sites_pass_axe_in_both_schemes_and_fit_360_px() {
    let (_example_out, example) = served_example();
    let (_lab_site, lab) = served("lab");
    let sites: [(&str, String, Vec<&str>); 2] = [
        (
            "example",
            example,
            vec![
                "/",
                "/digests/training-classics/",
                "/papers/1412.6980/",
                "/papers/beta-vae-learning-basic-visual-concepts-with-a-constrained-variational-framework/",
                "/topics/diffusion/",
                "/topics/",
                "/search/?q=diffusion",
            ],
        ),
        (
            "lab",
            lab,
            vec![
                "/",
                "/digests/2024-03-25/",
                "/papers/math/",
                "/papers/long/",
                "/topics/diffusion/",
                "/topics/",
                "/search/?q=song",
                "/people/",
                "/publications/",
            ],
        ),
    ];
    let browser = Browser::start();
    let axe = axe_source();
    let mut problems = Vec::new();
    for (site, origin, pages) in &sites {
        browser.open(&format!("{origin}/"));
        for scheme in ["light", "dark"] {
            emulate_scheme(&browser, scheme);
            for width in [360, 1280] {
                set_width(&browser, width);
                for page in pages {
                    browser.open(&format!("{origin}{page}"));
                    if page.starts_with("/search/") {
                        browser.wait_until(
                            "document.querySelector('.search-result')",
                            "search results",
                        );
                    }
                    if width == 360 {
                        let found = overflow(&browser);
                        if !found.is_null() {
                            problems.push(format!("{site} {page} at 360 px, {scheme}: {found}"));
                        }
                        continue;
                    }
                    for violation in audit(&browser, &axe) {
                        problems.push(format!("{site} {page}, {scheme}: {violation}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
