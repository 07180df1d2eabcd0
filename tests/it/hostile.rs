//! Hostile input beyond digest files: the people file's links, BibTeX output for any title,
//! `site.toml` values that reach `robots.txt`, and odd files under `content/`.

use digestif::check::CheckOptions;

use crate::support::TestSite;

fn lab_with_person(keys: &str) -> TestSite {
    let site = TestSite::fixture("lab");
    site.write(
        "content/people.toml",
        &format!("[[person]]\nname = \"Eve Example\"\nrole = \"Visitor\"\n{keys}\n"),
    );
    site
}

#[test]
fn people_links_are_web_addresses_and_ids_only() {
    let cases = [
        (
            "homepage = \"javascript:alert(document.domain)\"",
            "`homepage` of Eve Example is not a web address",
        ),
        (
            "scholar = \"x&hl=evil\"",
            "`scholar` of Eve Example is not a Google Scholar user id",
        ),
        (
            "github = \"../../evil\"",
            "`github` of Eve Example is not a GitHub user name",
        ),
        (
            "orcid = \"javascript:x\"",
            "`orcid` of Eve Example is not an ORCID iD",
        ),
        (
            "email = \"a@b.org?body=x\"",
            "`email` of Eve Example is not an email address",
        ),
        (
            "photo = \"javascript:alert(1)\"",
            "`photo` of Eve Example is not a path under static/",
        ),
    ];
    for (key, message) in cases {
        let site = lab_with_person(key);
        let error = site.build_error();
        assert!(
            error.contains(&format!("content/people.toml:4: error: {message}")),
            "{key}: {error}"
        );
        let report = digestif::check_site(&CheckOptions::new(site.root()));
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.is_error() && f.message.starts_with(message)),
            "check passes {key}"
        );
    }
}

#[test]
fn people_profile_urls_are_reduced_to_ids_and_linked_by_the_theme() {
    let site = lab_with_person(
        "github = \"https://github.com/eve-ex/\"\nscholar = \"https://scholar.google.com/citations?user=qc6CJjYAAAAJ&hl=en\"\norcid = \"0000-0002-1825-0097\"\nemail = \"eve@example.org\"",
    );
    let built = site.build().unwrap();
    let page = built.read("people/eve-example/index.html");
    assert!(
        page.contains("href=\"https://github.com/eve-ex\""),
        "{page}"
    );
    assert!(
        page.contains("href=\"https://scholar.google.com/citations?user=qc6CJjYAAAAJ\""),
        "{page}"
    );
    assert!(
        page.contains("href=\"https://orcid.org/0000-0002-1825-0097\""),
        "{page}"
    );
    assert!(page.contains("href=\"mailto:eve@example.org\""), "{page}");
}

#[test]
fn base_url_and_language_that_could_break_out_of_robots_txt_are_refused() {
    let cases = [
        (
            "title = \"T\"\nbase_url = \"https://x.org/\\\"<script>\"\n",
            "site.toml:2: error: base_url `https://x.org/\"<script>` holds `\\\"`",
        ),
        (
            "title = \"T\"\nbase_url = \"https://x.org/\"\nlanguage = \"en\\\"><script>\"\n",
            "site.toml:3: error: language `en\\\"><script>` is not a language tag",
        ),
    ];
    for (config, message) in cases {
        let site = TestSite::new();
        site.write("site.toml", config);
        let error = site.build_error();
        assert!(error.contains(message), "{error}");
        assert!(!site.root().join("public").exists());
    }
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://x.org/sub/\"\nlanguage = \"pt-BR\"\n",
    );
    let robots = site.build().unwrap().read("robots.txt");
    assert!(robots.contains("https://x.org/sub/sitemap.xml"), "{robots}");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_named_like_a_digest_is_skipped_with_a_warning() {
    let site = TestSite::fixture("merge");
    let fifo = site.root().join("content/pipe.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        panic!("mkfifo is part of coreutils and must be installed");
    }
    let built = site.build().expect("the build does not wait on the pipe");
    let warning = built
        .report
        .warnings
        .iter()
        .find(|w| w.message.starts_with("not a regular file"))
        .expect("a warning");
    assert_eq!(warning.location.to_string(), "content/pipe.md");
}
