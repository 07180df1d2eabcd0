//! Talking to arXiv and doi.org, against the scripted server on 127.0.0.1: redirects, and how
//! long an import may wait (issue 23).

use super::{Reply, Server, TestSite, import};

// A redirect to `file:` was reported as "too many redirects".
#[test]
fn a_redirect_to_an_address_that_is_not_http_is_refused_as_such() {
    for target in [
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "javascript:alert(1)",
    ] {
        let site = TestSite::new();
        let server = Server::start(vec![Reply::Redirect(target)]);
        let error = import(
            &site,
            &[
                "doi",
                "10.1145/3292500.3330701",
                "--api",
                &server.url,
                "--delay",
                "0",
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains(&format!(
                "doi.org at 127.0.0.1:{} sent a redirect: refused to follow a redirect to a non-HTTP address: `{target}`",
                server.url.rsplit(':').next().unwrap()
            )),
            "{error}"
        );
        assert!(!error.contains("too many"), "{error}");
        assert_eq!(server.requests().len(), 1, "not retried");
    }
}

#[test]
fn endless_redirects_stop_after_ten() {
    let site = TestSite::new();
    let server = Server::start(vec![Reply::Redirect("/again"); 12]);
    let error = import(
        &site,
        &[
            "doi",
            "10.1145/3292500.3330701",
            "--api",
            &server.url,
            "--delay",
            "0",
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("more than 10 redirects, the last to `/again`"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 11);
}

// Retry-After was capped at 120 s without a word, and not tied to --timeout: three retries could
// wait six minutes with --timeout 3.
#[test]
fn a_retry_after_longer_than_the_imports_waiting_limit_is_not_waited_for() {
    let site = TestSite::new();
    let server = Server::start(vec![Reply::RetryAfter(503, 600), Reply::Status(200)]);
    let error = import(
        &site,
        &[
            "arxiv",
            "2303.01469",
            "--api",
            &server.url,
            "--delay",
            "0",
            "--timeout",
            "3",
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("arXiv answered HTTP 503 for"), "{error}");
    assert!(
        error.contains("it was not tried again: it asked to wait 600 s before trying again (Retry-After), and an import waits at most 9 s between attempts in all (--timeout × --retries, 120 s at most), of which 9 s is left"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn waits_between_attempts_stop_at_the_imports_limit() {
    let site = TestSite::new();
    let server = Server::start(vec![Reply::Status(503); 6]);
    // Backoff 0.1, 0.2 and 0.4 s against a limit of 0.1 s × 5 retries: the third wait is cut to
    // the 0.2 s left, and the fourth retry has no wait left, though --retries allows five.
    let error = import(
        &site,
        &[
            "doi",
            "10.1145/3292500.3330701",
            "--api",
            &server.url,
            "--delay",
            "0.1",
            "--timeout",
            "0.1",
            "--retries",
            "5",
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("(tried 4 times, waiting 0.5 s between them)"),
        "{error}"
    );
    assert!(
        error.contains("an import waits at most 0.5 s between attempts in all"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 4);
    assert!(error.contains("and that is spent"), "{error}");
}

#[test]
fn the_binary_says_what_it_waits_for() {
    let site = TestSite::new();
    let server = Server::start(vec![
        Reply::RetryAfter(429, 1),
        Reply::Ok(
            "application/atom+xml",
            super::fixture_text("arxiv-query.xml"),
        ),
    ]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_digestif"))
        .args([
            "import",
            "arxiv",
            "2303.01469",
            "--delay",
            "0",
            "--api",
            &server.url,
            "--root",
        ])
        .arg(site.root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("arXiv answered HTTP 429; waiting 1 s before attempt 2 of 4"),
        "{stderr}"
    );
}

#[test]
fn a_network_import_asks_for_at_most_as_many_papers_as_a_file_import_reads() {
    let site = TestSite::new();
    let error = import(&site, &["arxiv", "--query", "cat:cs.LG", "--max", "100001"])
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("--max: 100001 is more than the 100000 papers an import takes"),
        "{error}"
    );
}
