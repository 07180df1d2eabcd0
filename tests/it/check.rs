//! `digestif check`: what it finds, where it says it is, and the external link checker against
//! a server on 127.0.0.1 (never anywhere else).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use digestif::Diagnostic;
use digestif::check::{CheckOptions, CheckReport, ExternalOptions, Settings};

use crate::support::{TestSite, digest};

fn check(site: &TestSite) -> CheckReport {
    digestif::check_site(&CheckOptions::new(site.root()))
}

fn shown(findings: &[Diagnostic]) -> String {
    findings
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

const SUB_PATH_TOML: &str = "title = \"T\"\nbase_url = \"https://lab.github.io/sub/\"\n";

#[test]
fn one_run_reports_errors_of_every_stage() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        "+++\ntitle = \"A\"\ndate = 2024-01-01\nautors = 1\n+++\n",
    );
    site.write(
        "content/b.md",
        &digest(
            "B",
            "2024-01-02",
            &["title = \"X\"\nid = \"p1\"", "title = \"Y\"\nid = \"p1\""],
        ),
    );
    site.write(
        "content/c.md",
        "+++\ntitle = \"C\"\ndate = 2024-01-03\n+++\nSee [the paper](@/papers/p2).\n",
    );
    let report = check(&site);
    let text = shown(&report.findings);
    assert!(
        text.contains("content/a.md:4:1: error: unknown field `autors`"),
        "{text}"
    );
    assert!(
        text.contains(
            "content/b.md:10: error: paper `p1` is titled \"Y\" here but \"X\" in content/b.md:5"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "content/c.md:5: error: link to `@/papers/p2`: the site has no page /papers/p2/"
        ),
        "{text}"
    );
    assert!(text.contains("help: did you mean @/papers/p1?"), "{text}");
    assert_eq!(report.errors(), 3, "{text}");
    assert!(!site.root().join("public").exists(), "check writes nothing");
}

#[test]
fn at_links_resolve_under_the_sub_path_and_missing_ones_are_errors() {
    let site = TestSite::new();
    site.write("site.toml", SUB_PATH_TOML);
    site.write(
        "content/2024-01-01.md",
        "+++\ntitle = \"D\"\ndate = 2024-01-01\n[[papers]]\ntitle = \"P\"\nauthors = [\"A\"]\narxiv = \"hep-th/9901001\"\ntopics = [\"Diffusion Models\", \"Diffusion Models\"]\nnotes = '''\nFirst line.\nSee [it](@/papers/hep-th/9901001), [topic](<@/topics/Diffusion Models>),\n[feed](@/feed.xml) and [day](@/digests/2024-01-02#top).\n'''\n+++\n",
    );
    let built = site.build().unwrap();
    let page = built.read("digests/2024-01-01/index.html");
    for href in [
        "href=\"/sub/papers/hep-th-9901001/\"",
        "href=\"/sub/topics/diffusion-models/\"",
        "href=\"/sub/feed.xml\"",
        "href=\"/sub/digests/2024-01-02/#top\"",
    ] {
        assert!(page.contains(href), "{href} in {page}");
    }
    let report = check(&site);
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("content/2024-01-01.md:12: error: link to `@/digests/2024-01-02#top`: the site has no page /sub/digests/2024-01-02/"),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("did you mean @/digests/2024-01-01?"),
        "{errors:?}"
    );
}

#[test]
fn root_absolute_links_under_a_sub_path_are_found_in_content_and_templates() {
    let site = TestSite::new();
    site.write("site.toml", SUB_PATH_TOML);
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &["title = \"P\"\nauthors = [\"A\"]\nabstract = '''\nFine [p](/sub/papers/p/).\n\nBroken [t](/topics/).'''"],
        ),
    );
    site.write(
        "templates/404.html",
        "<p>Lost?</p>\n<a href=\"{{ url(path='') }}\">home</a> <a href=\"/papers/\">papers</a>\n",
    );
    site.write(
        "static/extra.css",
        "body { background: url(/img/bg.png); }\n",
    );
    let text = shown(&check(&site).findings);
    assert!(
        text.contains("content/d.md:11: warning: link `/topics/` starts at the domain root and ignores the site's sub-path /sub/"),
        "{text}"
    );
    assert!(
        text.contains(
            "help: write @/topics/ to link a page of this site (it resolves to /sub/topics/)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "templates/404.html:2:48: warning: root-absolute URL ignores the site's sub-path /sub/"
        ),
        "{text}"
    );
    assert!(
        text.contains("static/extra.css:1:24: warning: root-absolute URL"),
        "{text}"
    );
    assert!(
        !text.contains("content/d.md:9"),
        "the link under /sub/ is fine: {text}"
    );
}

#[test]
fn relative_links_and_own_site_urls() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        "+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\n[pdf](paper.pdf) [ok](https://example.org/topics/) [gone](https://example.org/papers/nope/) [mail](mailto:a@b.org) [top](#top)\n",
    );
    let text = shown(&check(&site).findings);
    assert!(
        text.contains("content/d.md:5: warning: relative link `paper.pdf` points somewhere different on each page"),
        "{text}"
    );
    assert!(
        text.contains("content/d.md:5: error: link to `https://example.org/papers/nope/`: the site has no page /papers/nope/"),
        "{text}"
    );
    assert!(!text.contains("topics/`"), "{text}");
    assert!(!text.contains("mailto"), "{text}");
}

#[test]
fn topic_typos_and_single_use_topics_are_named_at_their_lines() {
    let site = TestSite::new();
    let paper = |title: &str, topics: &str| {
        format!("title = \"{title}\"\nauthors = [\"A\"]\ntopics = [{topics}]")
    };
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &[
                &paper("One", "\"diffusion\", \"GPT-3\""),
                &paper("Two", "\"diffusion\", \"GPT-4\""),
                &paper("Three", "\"difusion\""),
                &paper("Four", "\"reinforcement learning\", \"GPT-3\", \"GPT-4\""),
                &paper("Five", "\"reinforcment lerning\""),
            ],
        ),
    );
    let text = shown(&check(&site).findings);
    assert!(
        text.contains("content/d.md:18: warning: topic `difusion` (1 paper) looks like a typo of `diffusion` (2 papers)"),
        "{text}"
    );
    assert!(text.contains("help: fix the spelling, or map it under [topics.aliases] in site.toml: \"difusion\" = \"diffusion\""), "{text}");
    assert!(
        text.contains("content/d.md:28: warning: topic `reinforcment lerning` (1 paper) looks like a typo of `reinforcement learning` (1 paper)"),
        "{text}"
    );
    assert!(
        !text.contains("`GPT-3` (2 papers) looks like"),
        "numbers differ on purpose: {text}"
    );
    assert!(
        text.contains("content/d.md:18: warning: topic `difusion` is used by one paper only"),
        "{text}"
    );
    assert!(
        !text.contains("topics are used by one paper only"),
        "{text}"
    );
}

#[test]
fn math_errors_in_notes_are_located_at_their_own_line() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &["title = \"P\"\nauthors = [\"A\"]\nnotes = '''\nFine $x$.\n\nBroken $\\left( x$ here.\n'''"],
        ),
    );
    let text = shown(&check(&site).findings);
    assert!(
        text.contains(
            "content/d.md:11: warning: in the notes on `p`: math `\\left( x` does not parse"
        ),
        "{text}"
    );
}

#[test]
fn broken_template_is_one_finding_with_its_line() {
    let site = TestSite::new();
    site.write("content/d.md", &digest("D", "2024-01-01", &[]));
    site.write("templates/digest.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ digest.nope }}\n{% endblock content %}\n");
    let report = check(&site);
    let text = shown(&report.findings);
    assert!(text.contains("templates/digest.html:3:"), "{text}");
    assert!(
        text.contains("template `digest.html` failed on 1 page"),
        "{text}"
    );
}

#[test]
fn missing_site_toml_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let report = digestif::check_site(&CheckOptions::new(dir.path()));
    assert_eq!(report.errors(), 1);
    assert!(report.findings[0].message.contains("no site.toml"));
}

/// A tiny HTTP server on 127.0.0.1: `/ok`, `/gone` (404), `/no-head` (405 to HEAD, 200 to GET),
/// `/slow` (answers after six seconds). Counts requests and the most in flight at once.
struct Server {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
    most_in_flight: Arc<AtomicUsize>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most_in_flight = Arc::new(AtomicUsize::new(0));
        let (log, now, most) = (requests.clone(), in_flight.clone(), most_in_flight.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().take(200) {
                let Ok(mut stream) = stream else { continue };
                let (log, now, most) = (log.clone(), now.clone(), most.clone());
                std::thread::spawn(move || {
                    let mut line = String::new();
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                            break;
                        }
                    }
                    let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(current, Ordering::SeqCst);
                    let mut parts = line.split_whitespace();
                    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                    log.lock().unwrap().push(format!("{method} {path}"));
                    let status = match (method, path) {
                        (_, "/ok") | ("GET", "/no-head") => "200 OK",
                        ("HEAD", "/no-head") => "405 Method Not Allowed",
                        (_, "/slow") => {
                            std::thread::sleep(Duration::from_secs(6));
                            "200 OK"
                        }
                        (_, p) if p.starts_with("/busy") => {
                            std::thread::sleep(Duration::from_millis(150));
                            "200 OK"
                        }
                        _ => "404 Not Found",
                    };
                    now.fetch_sub(1, Ordering::SeqCst);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                });
            }
        });
        Server {
            base,
            requests,
            most_in_flight,
        }
    }

    fn requests_for(&self, path: &str) -> usize {
        let requests = self.requests.lock().unwrap();
        requests
            .iter()
            .filter(|r| r.ends_with(&format!(" {path}")))
            .count()
    }
}

fn external_check(site: &TestSite, jobs: usize, timeout: Duration) -> CheckReport {
    let mut options = CheckOptions::new(site.root());
    let mut external = ExternalOptions::new(Some(site.root().join(".digestif/link-cache.json")));
    external.timeout = timeout;
    external.jobs = jobs;
    options.settings = Settings {
        external: Some(external),
    };
    digestif::check_site(&options)
}

#[test]
fn external_links_are_checked_cached_and_time_out() {
    let server = Server::start();
    let base = &server.base;
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &[&format!(
                "title = \"P\"\nauthors = [\"A\"]\ncode = \"{base}/gone\"\nnotes = '''\n[a]({base}/ok) [b]({base}/no-head)\n[c]({base}/slow)\n'''"
            )],
        ),
    );
    let report = external_check(&site, 4, Duration::from_secs(2));
    let text = shown(&report.findings);
    assert!(
        text.contains(&format!(
            "content/d.md:8: error: link `{base}/gone` is broken: the server answers 404 Not Found"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("content/d.md:11: warning: link `{base}/slow` could not be checked: no answer within the timeout")),
        "{text}"
    );
    assert!(
        !text.contains("/ok`") && !text.contains("/no-head`"),
        "{text}"
    );
    assert_eq!(server.requests_for("/no-head"), 2, "HEAD, then GET");

    // Answers that were fine come from the cache; failures are asked again.
    let again = external_check(&site, 4, Duration::from_secs(2));
    assert_eq!(again.errors(), 1, "{}", shown(&again.findings));
    assert_eq!(server.requests_for("/ok"), 1);
    assert_eq!(server.requests_for("/no-head"), 2);
    assert_eq!(server.requests_for("/gone"), 4);
    let cache = std::fs::read_to_string(site.root().join(".digestif/link-cache.json")).unwrap();
    assert!(cache.contains("/ok") && !cache.contains("/gone"), "{cache}");

    // No network unless asked.
    let offline = check(&site);
    assert!(!shown(&offline.findings).contains("/gone`"));
    assert_eq!(server.requests_for("/gone"), 4);
}

#[test]
fn external_requests_to_one_host_are_limited_and_spaced() {
    let server = Server::start();
    let site = TestSite::new();
    let links: String = (0..6)
        .map(|i| format!("[l{i}]({}/busy{i}) ", server.base))
        .collect();
    site.write(
        "content/d.md",
        &format!("+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\n{links}\n"),
    );
    let mut options = CheckOptions::new(site.root());
    let mut external = ExternalOptions::new(None);
    external.timeout = Duration::from_secs(30);
    external.jobs = 8;
    external.per_host = 1;
    external.host_interval = Duration::from_millis(50);
    options.settings = Settings {
        external: Some(external),
    };
    let report = digestif::check_site(&options);
    assert_eq!(report.errors(), 0, "{}", shown(&report.findings));
    assert_eq!(server.requests.lock().unwrap().len(), 6);
    assert_eq!(
        server.most_in_flight.load(Ordering::SeqCst),
        1,
        "eight jobs, one host, one request at a time"
    );
}

#[test]
fn a_cache_entry_dated_in_the_future_is_asked_again() {
    let server = Server::start();
    let site = TestSite::new();
    let url = format!("{}/ok", server.base);
    site.write(
        "content/d.md",
        &format!("+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\n[a]({url})\n"),
    );
    let far_future = 4_000_000_000u64;
    site.write(
        ".digestif/link-cache.json",
        &format!("{{\"links\": {{\"{url}\": {{\"status\": 200, \"checked\": {far_future}}}}}}}"),
    );
    let report = external_check(&site, 2, Duration::from_secs(5));
    assert_eq!(report.errors(), 0, "{}", shown(&report.findings));
    assert_eq!(
        server.requests_for("/ok"),
        1,
        "the future entry was trusted"
    );
    let cache = std::fs::read_to_string(site.root().join(".digestif/link-cache.json")).unwrap();
    assert!(!cache.contains(&far_future.to_string()), "{cache}");
}

#[test]
fn external_requests_respect_the_job_limit() {
    let server = Server::start();
    let site = TestSite::new();
    let links: String = (0..8)
        .map(|i| format!("[l{i}]({}/busy{i}) ", server.base))
        .collect();
    site.write(
        "content/d.md",
        &format!("+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\n{links}\n"),
    );
    // A generous timeout: a request given up on would leave its server thread in flight.
    let report = external_check(&site, 2, Duration::from_secs(30));
    assert_eq!(report.errors(), 0, "{}", shown(&report.findings));
    assert_eq!(server.requests.lock().unwrap().len(), 8);
    assert!(server.most_in_flight.load(Ordering::SeqCst) <= 2);
}
