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

fn check_in(site: &TestSite, extra: &[&str]) -> std::process::Output {
    let root = site.root().to_str().unwrap();
    let mut args = vec!["check", "--root", root];
    args.extend_from_slice(extra);
    digestif(&args)
}

#[test]
fn check_prints_one_json_object_per_finding() {
    let site = TestSite::fixture("broken");
    let out = check_in(&site, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let error = findings
        .iter()
        .find(|f| f["severity"] == "error")
        .expect("an error");
    assert_eq!(error["file"], "content/bad.md");
    assert_eq!(error["line"], 7);
    assert_eq!(error["column"], 9);
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("arxiv = \"1706.03762\"")
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 error"));
}

#[test]
fn check_prints_github_annotations() {
    let site = TestSite::fixture("broken");
    // Run from the folder above the site, as a workflow runs from the repository root.
    let folder = site
        .root()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_digestif"))
        .args(["check", "--format", "github", "--root"])
        .arg(site.root())
        .current_dir(site.root().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!(
        "::error file={folder}/content/bad.md,line=7,col=9,title=digestif check::invalid type: floating point `1706.03762`, expected a string%0Ahelp: ids must be strings"
    );
    assert!(stdout.contains(&expected), "{stdout}");
}

#[test]
fn check_exits_zero_on_warnings_unless_denied() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &crate::support::digest("D", "2024-01-01", &["title = \"P\"\ntopics = [\"once\"]"]),
    );
    let out = check_in(&site, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("content/d.md:7: warning: topic `once` is used by one paper only"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("0 errors, 2 warnings"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let denied = check_in(&site, &["--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1));
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

/// Every file of the folder `root`, by path relative to it.
fn read_tree(root: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(root).unwrap();
            (
                relative.to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn shortcuts_off_builds_the_same_site() {
    // The example site has math and plain-prose abstracts, so both shortcuts are taken with the
    // switch on and both libraries' paths with it off.
    let out = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let mut trees = Vec::new();
    for (name, switch) in [("on", "on"), ("off", "off")] {
        let dir = out.path().join(name);
        let result = Command::new(env!("CARGO_BIN_EXE_digestif"))
            .args(["build", "--quiet", "--root", root, "--output-dir"])
            .arg(&dir)
            .env("DIGESTIF_SHORTCUTS", switch)
            .output()
            .expect("run digestif");
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        trees.push(read_tree(&dir));
    }
    let math_pages = trees[0]
        .values()
        .filter(|bytes| String::from_utf8_lossy(bytes).contains("<math"))
        .count();
    assert!(math_pages > 0, "the example site shows math");
    assert_eq!(
        trees[0].keys().collect::<Vec<_>>(),
        trees[1].keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &trees[0] {
        assert!(
            bytes == &trees[1][path],
            "{path} differs with the shortcuts off"
        );
    }
}

#[test]
fn errors_outside_a_site_and_about_an_option_say_what_to_do() {
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_digestif"))
        .args(["build", "--root"])
        .arg(empty.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("digestif init") && stderr.contains("--root"),
        "{stderr}"
    );

    let site = TestSite::fixture("merge");
    let out = Command::new(env!("CARGO_BIN_EXE_digestif"))
        .args(["build", "--base-url", "ftp://example.org/", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("--base-url: the address `ftp://example.org/`"),
        "{stderr}"
    );
}
