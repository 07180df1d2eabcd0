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
