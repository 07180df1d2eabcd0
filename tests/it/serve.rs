//! `digestif serve` through the real binary: pages over HTTP, edits showing up, the result
//! matching a clean build, errors, and requests that try to leave the output folder.

use std::time::Duration;

use crate::http_client::{Events, get, request};
use crate::serve_process::{Server, WAIT};
use crate::support::{TestSite, digest};

/// Makes a change and waits until the server says pages were rewritten.
fn change(server: &Server, what: &str, edit: impl FnOnce()) {
    let mut events = Events::connect(&server.origin);
    edit();
    assert!(
        events.wait_for("reload", WAIT),
        "no reload after the change: {what}"
    );
}

fn strip_reload_script(html: &str) -> String {
    html.replace("<script src=\"/__digestif/reload.js\" defer></script>", "")
}

/// Every file of a clean build of the same sources is served with the same bytes.
fn assert_matches_clean_build(site: &TestSite, server: &Server) {
    let out = tempfile::tempdir().unwrap();
    let mut options = site.options();
    options.output_dir = Some(out.path().join("public"));
    options.overrides.base_url = Some(format!("{}{}", server.origin, server.base));
    let built = site.build_with(options).expect("clean build");
    let mut compared = 0;
    // The marker tells a later build that the folder on disk is Digestif's; the preview has no
    // folder on disk.
    let site_files = built.files().into_iter();
    for file in site_files.filter(|f| f != digestif::write::OUTPUT_MARKER) {
        let served = server.get(&file);
        assert_eq!(served.status, 200, "{file} is not served");
        let served = strip_reload_script(&served.text());
        assert!(
            served == built.read(&file),
            "{file} differs from a clean build"
        );
        compared += 1;
    }
    assert!(compared > 10);
}

#[test]
fn edits_show_up_at_once_and_match_a_clean_build() {
    let site = TestSite::fixture("merge");
    let server = Server::start(&site);
    let page = server.get("papers/1706.03762/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Attention Is All You Need"));
    assert!(
        page.text().contains("/__digestif/reload.js"),
        "reload script injected"
    );

    // Edit a digest's title.
    let first = site.root().join("content/2024-03-11.md");
    change(&server, "edit a title", || {
        let text = std::fs::read_to_string(&first).unwrap().replace(
            "title = \"First digest\"",
            "title = \"First digest, revised\"",
        );
        std::fs::write(&first, text).unwrap();
    });
    assert!(
        server
            .get("digests/2024-03-11/")
            .text()
            .contains("First digest, revised")
    );
    assert!(
        server
            .get("papers/1706.03762/")
            .text()
            .contains("First digest, revised"),
        "paper page lists the digest"
    );

    // Add a digest with a new paper in an existing topic.
    change(&server, "add a digest", || {
        site.write("content/2024-04-01.md", &digest("Added", "2024-04-01", &["title = \"Brand new paper\"\nauthors = [\"N. Ew\"]\narxiv = \"2404.00001\"\ntopics = [\"Transformers\"]"]));
    });
    assert_eq!(server.get("papers/2404.00001/").status, 200);
    assert!(
        server
            .get("topics/transformers/")
            .text()
            .contains("Brand new paper")
    );
    assert!(
        server.get("").text().contains("Added"),
        "home page lists the new digest"
    );

    // Move a paper from one topic to another.
    change(&server, "move a paper between topics", || {
        let text = std::fs::read_to_string(site.root().join("content/2024-04-01.md"))
            .unwrap()
            .replace(
                "topics = [\"Transformers\"]",
                "topics = [\"Architectures\"]",
            );
        site.write("content/2024-04-01.md", &text);
    });
    assert!(
        !server
            .get("topics/transformers/")
            .text()
            .contains("Brand new paper")
    );
    assert!(
        server
            .get("topics/architectures/")
            .text()
            .contains("Brand new paper")
    );

    // Delete a digest: its page and the paper only it listed disappear.
    change(&server, "delete a digest", || {
        std::fs::remove_file(site.root().join("content/2024-03-18.md")).unwrap()
    });
    assert_eq!(server.get("digests/2024-03-18/").status, 404);
    assert_eq!(server.get("papers/hep-th-9711200/").status, 404);
    assert_eq!(server.get("topics/reading-group/").status, 404);

    // Rename a digest file: the old URL goes, the new one comes.
    change(&server, "rename a digest", || {
        std::fs::rename(
            site.root().join("content/2024-04-01.md"),
            site.root().join("content/renamed.md"),
        )
        .unwrap();
    });
    assert_eq!(server.get("digests/2024-04-01/").status, 404);
    assert_eq!(server.get("digests/renamed/").status, 200);

    // Override one partial: every page that includes it changes.
    change(&server, "override a partial", || {
        site.write(
            "templates/partials/footer.html",
            "<footer>custom footer</footer>",
        );
    });
    assert!(
        server
            .get("papers/1706.03762/")
            .text()
            .contains("custom footer")
    );
    assert!(server.get("topics/").text().contains("custom footer"));

    assert_matches_clean_build(&site, &server);
    assert!(server.stop().success(), "Ctrl-C ends serve with status 0");
}

#[test]
fn a_css_change_swaps_stylesheets_without_a_reload() {
    let site = TestSite::fixture("merge");
    site.write("static/extra.css", "body { color: black; }");
    let server = Server::start(&site);
    let mut events = Events::connect(&server.origin);
    site.write("static/extra.css", "body { color: navy; }");
    assert_eq!(events.next(WAIT).as_deref(), Some("css"));
    assert!(server.get("extra.css").text().contains("navy"));
}

#[test]
fn a_build_error_keeps_the_last_good_site_and_reports_until_fixed() {
    let site = TestSite::fixture("merge");
    let server = Server::start(&site);
    let mut events = Events::connect(&server.origin);
    let path = site.root().join("content/2024-03-11.md");
    let good = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        good.replace("arxiv = \"1706.03762\"", "arxiv = 1706.03762"),
    )
    .unwrap();
    assert!(events.wait_for("build-error", WAIT));
    assert_eq!(
        server.get("papers/1706.03762/").status,
        200,
        "last good site still served"
    );
    // A page opened while the error stands learns about it at once.
    let mut late = Events::connect(&server.origin);
    assert_eq!(late.next(WAIT).as_deref(), Some("build-error"));
    std::fs::write(&path, good).unwrap();
    assert!(
        events.wait_for("reload", WAIT),
        "the next good save clears the error"
    );
    assert_matches_clean_build(&site, &server);
}

#[test]
fn served_under_the_sites_own_sub_path() {
    let site = TestSite::fixture("merge");
    site.write(
        "site.toml",
        &std::fs::read_to_string(site.root().join("site.toml"))
            .unwrap()
            .replace("https://example.org/", "https://lab.github.io/lab-digest/"),
    );
    let server = Server::start(&site);
    assert_eq!(server.base, "/lab-digest/");
    let root = get(&server.origin, "/");
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location"), Some("/lab-digest/"));
    let home = server.get("");
    assert!(
        home.text().contains("href=\"/lab-digest/style.css\""),
        "links under the sub-path"
    );
    assert_eq!(
        get(&server.origin, "/papers/1706.03762/").status,
        404,
        "nothing outside the sub-path"
    );
    change(&server, "fix the error", || {
        let path = site.root().join("content/2024-03-18.md");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("Second digest", "Second digest, edited");
        std::fs::write(&path, text).unwrap();
    });
    assert!(
        server
            .get("digests/2024-03-18/")
            .text()
            .contains("Second digest, edited")
    );
    assert_matches_clean_build(&site, &server);
}

#[test]
fn http_details_content_types_compression_404_and_no_listing() {
    let site = TestSite::fixture("merge");
    let server = Server::start(&site);
    let css = server.get("style.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(
        server.get("feed.xml").header("content-type"),
        Some("application/xml")
    );
    let missing = server.get("no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "the site's 404.html"
    );
    let folder = server.get("papers/");
    assert_eq!(folder.status, 404, "no directory listing");
    let redirect = get(&server.origin, "/papers/1706.03762");
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("location"), Some("/papers/1706.03762/"));
    let gzipped = request(
        &server.origin,
        "GET",
        "/papers/1706.03762/",
        &[("Accept-Encoding", "gzip, br")],
        None,
    );
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    let mut decoder = flate2::read::GzDecoder::new(&gzipped.body[..]);
    let mut text = String::new();
    std::io::Read::read_to_string(&mut decoder, &mut text).unwrap();
    assert!(text.contains("Attention Is All You Need"));
    let head = request(&server.origin, "HEAD", "/papers/1706.03762/", &[], None);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        request(&server.origin, "POST", "/", &[], Some("{}")).status,
        405
    );
}

#[test]
fn requests_cannot_leave_the_output_folder() {
    let site = TestSite::fixture("merge");
    let server = Server::start(&site);
    let secret = "title = \"Merge fixture\"";
    for attempt in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/papers/..%2f..%2fsite.toml",
        "/papers%2f..%2f..%2fetc%2fpasswd",
        "/..%5c..%5csite.toml",
        "/..\\..\\site.toml",
        "//etc/passwd",
        "/etc/passwd%00.html",
        "/%00",
        "/.%2e/.%2e/etc/passwd",
    ] {
        let response = request(&server.origin, "GET", attempt, &[], None);
        assert!(
            matches!(response.status, 400 | 404),
            "{attempt}: {}",
            response.status
        );
        let body = response.text();
        assert!(
            !body.contains(secret) && !body.contains("root:x:0:0"),
            "{attempt} leaked a file"
        );
    }
}

#[test]
fn reload_events_are_for_same_origin_pages_only() {
    let site = TestSite::fixture("merge");
    let server = Server::start(&site);
    let foreign = request(
        &server.origin,
        "GET",
        "/__digestif/events",
        &[("Origin", "https://evil.example")],
        None,
    );
    assert_eq!(foreign.status, 403);
    let cross = request(
        &server.origin,
        "GET",
        "/__digestif/events",
        &[("Sec-Fetch-Site", "cross-site")],
        None,
    );
    assert_eq!(cross.status, 403);
}

#[test]
fn ctrl_c_stops_at_once_while_a_page_listens_for_reloads() {
    let site = TestSite::fixture("merge");
    let server = Server::start(&site);
    // An open tab: its event stream must not keep the server waiting.
    let _tab = Events::connect(&server.origin);
    let started = std::time::Instant::now();
    let status = server.stop();
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_save_written_in_two_steps_reloads_without_flashing_an_error() {
    let site = TestSite::fixture("merge");
    let server = Server::start(&site);
    let mut events = Events::connect(&server.origin);
    let file = site.root().join("content/2024-03-11.md");
    let text = std::fs::read_to_string(&file).unwrap();
    // An editor caught between truncating and writing: half a front matter, then the rest.
    std::fs::write(&file, &text[..text.len() / 3]).unwrap();
    std::thread::sleep(Duration::from_millis(40));
    std::fs::write(&file, text.replace("First digest", "First digest, saved")).unwrap();
    let first = events.next(WAIT);
    assert_eq!(
        first.as_deref(),
        Some("reload"),
        "then: {:?}",
        events.next(Duration::from_millis(200))
    );
    assert!(
        server
            .get("digests/2024-03-11/")
            .text()
            .contains("First digest, saved")
    );
}

#[test]
fn only_local_host_names_are_answered() {
    let site = TestSite::fixture("merge");
    let server = Server::start(&site);
    let port = server.origin.rsplit(':').next().unwrap().to_string();
    for (host, status) in [
        (format!("127.0.0.1:{port}"), 200),
        (format!("localhost:{port}"), 200),
        // A page of another site that made its name resolve to 127.0.0.1.
        (format!("rebind.evil.example:{port}"), 403),
    ] {
        let response = request(&server.origin, "GET", "/", &[("Host", &host)], None);
        assert_eq!(response.status, status, "{host}");
    }
    let events = request(
        &server.origin,
        "GET",
        "/__digestif/events",
        &[("Host", "rebind.evil.example")],
        None,
    );
    assert_eq!(events.status, 403);
}
