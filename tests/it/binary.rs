//! The real binary: exit codes and what it prints.

use std::process::Command;

use crate::support::TestSite;

fn digestif(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_digestif"))
        .args(args)
        .output()
        .expect("run digestif")
}

#[test]
fn build_prints_a_summary_and_exits_zero() {
    let site = TestSite::fixture("merge");
    let root = site.root().to_str().unwrap();
    let out = digestif(&["build", "--root", root]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("built 2 digests, 4 papers"), "{stdout}");
    assert!(site.root().join("public/index.html").exists());
}

#[test]
fn quiet_build_prints_nothing() {
    let site = TestSite::fixture("merge");
    let out = digestif(&["build", "--quiet", "--root", site.root().to_str().unwrap()]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn check_on_a_broken_site_exits_one_and_names_file_and_line() {
    let site = TestSite::fixture("broken");
    let out = digestif(&["check", "--root", site.root().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("content/bad.md:7:9: error:"), "{stderr}");
    assert!(stderr.contains("arxiv = \"1706.03762\""), "{stderr}");
    assert!(!site.root().join("public").exists(), "check writes nothing");
}

#[test]
fn missing_site_toml_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = digestif(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no site.toml"));
}

#[test]
fn help_explains_the_commands() {
    let out = digestif(&["--help"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("build") && stdout.contains("check"));
}

#[test]
fn import_through_the_binary_uses_the_api_from_the_environment() {
    // A closed port: the variable is read, and being offline is explained with exit code 1.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let site = TestSite::new();
    let out = Command::new(env!("CARGO_BIN_EXE_digestif"))
        .args(["import", "arxiv", "2310.14189", "--root"])
        .arg(site.root())
        .env(
            "DIGESTIF_ARXIV_API",
            format!("http://127.0.0.1:{port}/api/query"),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("Are you offline?"), "{stderr}");
}

#[test]
fn import_bibtex_prints_a_summary_then_builds() {
    let site = TestSite::new();
    let bib =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/refs.bib");
    let root = site.root().to_str().unwrap();
    let out = digestif(&[
        "import",
        "bibtex",
        bib.to_str().unwrap(),
        "--date",
        "2024-03-11",
        "--root",
        root,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("imported 4 papers from")
            && stdout.contains("into content/2024-03-11.md (new file): 4 added, 3 warnings"),
        "{stdout}"
    );
    assert!(stderr.contains("refs.bib:27: warning:"), "{stderr}");
    assert!(digestif(&["build", "--root", root]).status.success());
}
