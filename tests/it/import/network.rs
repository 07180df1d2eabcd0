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
