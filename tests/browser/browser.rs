//! A real browser: headless Chromium, driven through chromedriver's WebDriver HTTP API, opens a
//! page from `digestif serve`; the test edits the source and waits for the page to change by
//! itself. Needs Debian's `chromium` and `chromium-driver` (.ci/run installs them).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http_client::request;
use crate::serve_process::Server;
use crate::support::TestSite;
use crate::tools::{Tool, path};

pub(crate) struct Browser {
    driver: Child,
    origin: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub(crate) fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(path(Tool::Chromedriver))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let origin = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(origin.trim_start_matches("http://")).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:loggingPrefs": { "browser": "ALL" },
                "goog:chromeOptions": {
                    "binary": path(Tool::Chromium),
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--window-size=1024,768",
                        format!("--user-data-dir={}", profile.path().display()),
                    ]
                }
            }}
        });
        let response = request(
            &origin,
            "POST",
            "/session",
            &[],
            Some(&capabilities.to_string()),
        );
        let body: Value = serde_json::from_slice(&response.body).expect("WebDriver answers JSON");
        let session = body["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {body}"))
            .to_string();
        Browser {
            driver,
            origin,
            session,
            _profile: profile,
        }
    }

    pub(crate) fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let response = request(&self.origin, method, &path, &[], Some(&body.to_string()));
        let body: Value = serde_json::from_slice(&response.body).expect("WebDriver answers JSON");
        assert!(response.status == 200, "{method} {path}: {body}");
        body["value"].clone()
    }

    pub(crate) fn open(&self, url: &str) {
        self.command("POST", "/url", json!({ "url": url }));
    }

    pub(crate) fn eval(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    /// Polls a JavaScript expression until it is true.
    pub(crate) fn wait_until(&self, expression: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.eval(&format!("return Boolean({expression});")) != Value::Bool(true) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_listening(&self) {
        self.wait_until(
            "window.digestifLiveReload && window.digestifLiveReload.readyState === 1",
            "live reload to connect",
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request(
            &self.origin,
            "DELETE",
            &format!("/session/{}", self.session),
            &[],
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn edit(site: &TestSite, file: &str, from: &str, to: &str) {
    let path = site.root().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

fn page_updates_itself(site: TestSite) {
    site.write("static/extra.css", "p { letter-spacing: 0px; }");
    let server = Server::start(&site);
    let browser = Browser::start();
    browser.open(&format!(
        "{}{}digests/2024-03-11/",
        server.origin, server.base
    ));
    browser.wait_listening();
    browser.eval("window.notReloaded = true; return null;");

    edit(
        &site,
        "content/2024-03-11.md",
        "title = \"First digest\"",
        "title = \"Edited in the editor\"",
    );
    browser.wait_until(
        "document.querySelector('h1').textContent.includes('Edited in the editor')",
        "the new title",
    );
    assert_eq!(
        browser.eval("return window.notReloaded === undefined;"),
        Value::Bool(true),
        "the page reloaded"
    );

    // A stylesheet change swaps the stylesheet in place.
    browser.wait_listening();
    browser.eval("window.notReloaded = true; return null;");
    site.write("static/extra.css", "p { letter-spacing: 1px; }");
    browser.wait_until(
        "[...document.querySelectorAll('link[rel=stylesheet]')].some(l => l.href.includes('digestif-reload'))",
        "the stylesheet swap",
    );
    assert_eq!(
        browser.eval("return window.notReloaded === true;"),
        Value::Bool(true),
        "no full reload for CSS"
    );

    // A broken save shows an overlay over the last good page; fixing it clears it.
    edit(
        &site,
        "content/2024-03-11.md",
        "arxiv = \"1706.03762\"",
        "arxiv = 1706.03762",
    );
    browser.wait_until(
        "document.getElementById('digestif-error')",
        "the error overlay",
    );
    let overlay = browser.eval("return document.getElementById('digestif-error').textContent;");
    assert!(
        overlay
            .as_str()
            .unwrap()
            .contains("content/2024-03-11.md:9:9"),
        "{overlay}"
    );
    edit(
        &site,
        "content/2024-03-11.md",
        "arxiv = 1706.03762",
        "arxiv = \"1706.03762\"",
    );
    browser.wait_until(
        "!document.getElementById('digestif-error') && document.readyState === 'complete'",
        "the overlay to clear",
    );
    browser.wait_until(
        "document.querySelector('h1').textContent.includes('Edited in the editor')",
        "the page after the fix",
    );
    let log = browser.command("POST", "/se/log", json!({ "type": "browser" }));
    let errors: Vec<&Value> = log
        .as_array()
        .expect("a log")
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

pub(crate) fn page_reloads_by_itself_after_a_save() {
    page_updates_itself(TestSite::fixture("merge"));
}

pub(crate) fn page_reloads_by_itself_under_a_sub_path() {
    let site = TestSite::fixture("merge");
    edit(
        &site,
        "site.toml",
        "https://example.org/",
        "https://lab.github.io/lab-digest/",
    );
    page_updates_itself(site);
}

/// The lowest contrast (WCAG ratio) between the overlay's text and what lies under it.
const OVERLAY_CONTRAST: &str = r#"
const rgba = (s) => { const p = s.match(/rgba?\(([^)]+)\)/)[1].split(',').map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const luminance = ([r, g, b]) => { const f = (c) => { c /= 255;
  return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const under = (element) => { const layers = [];
  for (let e = element; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) layers.push(c); if (c[3] >= 1) break; }
  let base = [255, 255, 255];
  for (const c of layers.reverse()) base = [0, 1, 2].map((i) => c[i] * c[3] + base[i] * (1 - c[3]));
  return base; };
const ratio = (element) => { const a = luminance(rgba(getComputedStyle(element).color)), b = luminance(under(element));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
const overlay = document.getElementById('digestif-error');
return Math.min(...[...overlay.querySelectorAll('strong, pre')].map(ratio));
"#;

pub(crate) fn the_error_overlay_is_readable_in_every_scheme_of_both_themes() {
    for theme in ["default", "lab"] {
        let site = TestSite::fixture("merge");
        let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
        site.write("site.toml", &format!("theme = \"{theme}\"\n{config}"));
        let server = Server::start(&site);
        let browser = Browser::start();
        browser.open(&format!(
            "{}{}digests/2024-03-11/",
            server.origin, server.base
        ));
        browser.wait_listening();
        edit(
            &site,
            "content/2024-03-11.md",
            "arxiv = \"1706.03762\"",
            "arxiv = 1706.03762",
        );
        browser.wait_until(
            "document.getElementById('digestif-error')",
            "the error overlay",
        );
        for scheme in ["light", "dark"] {
            browser.command(
                "POST",
                "/goog/cdp/execute",
                json!({"cmd": "Emulation.setEmulatedMedia", "params": {
                    "features": [{"name": "prefers-color-scheme", "value": scheme}]}}),
            );
            let matches = browser.eval(&format!(
                "return matchMedia('(prefers-color-scheme: {scheme})').matches;"
            ));
            assert_eq!(
                matches,
                Value::Bool(true),
                "{theme}: {scheme} was not emulated"
            );
            let contrast = browser.eval(OVERLAY_CONTRAST).as_f64().expect("a ratio");
            assert!(
                contrast >= 4.5,
                "{theme} theme, {scheme}: the overlay's text has a contrast of {contrast:.2}:1"
            );
        }
    }
}
