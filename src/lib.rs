//! Digestif builds a static website from digests of research papers.
//!
//! A site is a folder with `site.toml` and `content/*.md` digest files (docs/format.md). The
//! pipeline is a chain of functions from values to values:
//! config → discover → parse (parallel) → assemble → Markdown (parallel) → plan → render
//! (parallel) → write. [`build`] runs all of it; [`check`] stops before writing.

pub mod check;
pub mod cite;
pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod engine;
pub mod error;
pub mod fingerprint;
#[doc(hidden)]
pub mod fuzzing;
pub mod images;
pub mod import;
pub mod markdown;
pub mod model;
pub mod related;
pub mod render;
pub mod report;
pub mod search;
pub mod serve;
pub mod shortcuts;
pub mod site_size;
pub mod theme_bundle;
pub mod toml_error;
pub mod write;

use std::path::PathBuf;

pub use config::{Config, Overrides};
pub use error::{Diagnostic, Error, Location, Result, Severity};
pub use report::BuildReport;

/// What a build is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Default: `<root>/public`.
    pub output_dir: Option<PathBuf>,
    pub overrides: Overrides,
    /// Show a progress bar on a terminal.
    pub show_progress: bool,
    /// Replace an existing output folder even if Digestif did not write it
    /// (`--replace-output-dir`). The site's sources, the home folder and other sites are never
    /// replaced.
    pub replace_output_dir: bool,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            output_dir: None,
            overrides: Overrides::default(),
            show_progress: false,
            replace_output_dir: false,
        }
    }

    pub fn output_dir(&self) -> PathBuf {
        self.output_dir
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// Builds the site into its output folder, replacing the previous output only on success.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let config = Config::load(&options.root, &options.overrides)?;
    let replace = if options.replace_output_dir {
        write::Replace::AnyFolder
    } else {
        write::Replace::OwnOutput
    };
    let staging = write::Staging::create(&options.output_dir(), &options.root, replace)?;
    let outcome = engine::Engine::new(config, false).build(&staging, options.show_progress)?;
    staging.commit()?;
    Ok(outcome.report)
}

/// Runs every stage but writing, and reports what a build would find.
pub fn check(options: &BuildOptions) -> Result<BuildReport> {
    let config = Config::load(&options.root, &options.overrides)?;
    let outcome = engine::Engine::new(config, false).build(&engine::Discard, false)?;
    Ok(outcome.report)
}

/// Checks a site: every stage but writing, going on past errors, plus the site-wide checks.
/// Never fails: a problem that stops the pipeline (no site.toml, a template that does not
/// compile) is one more finding.
pub fn check_site(options: &check::CheckOptions) -> check::CheckReport {
    let started = std::time::Instant::now();
    let result = Config::load(&options.root, &options.overrides).and_then(|config| {
        engine::Engine::new(config, false)
            .check(&options.settings)
            .map(|outcome| outcome.report)
    });
    check::report(result, started)
}

/// A small deterministic generator for property tests: each call gives a number below `n`, the
/// same sequence for the same seed.
#[cfg(test)]
pub(crate) fn test_rng(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    }
}
