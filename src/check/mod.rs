//! `digestif check`: every problem a site owner should fix, located by file and line, without
//! writing anything.
//!
//! [`run`] loads the configuration and runs the whole pipeline in checking mode
//! (`Engine::check` in engine.rs): stages go on past errors, so one run reports all of them, and after
//! planning, [`site_checks`] looks at the assembled model and planned pages for what a build does
//! not check because it costs time or is only advice: links between pages, root-absolute links
//! that ignore a sub-path, topics that look like typos of each other, topics used once, and
//! (with `--external`) links to other sites. [`output_collisions`] is cheap and runs in builds too.

mod external;
pub mod format;
mod links;
mod outputs;
mod sources;
mod topics;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use external::{ExternalOptions, LinkStatus, check_urls};
pub use outputs::{output_collisions, render_failures};
pub use sources::Sources;

use crate::config::Config;
use crate::config::Overrides;
use crate::error::{Diagnostic, Location, sort_diagnostics};
use crate::markdown::SiteHtml;
use crate::model::Site;
use crate::render::PlannedPage;
use crate::render::templates::ThemeFiles;

use links::{LinkKind, OutputSet};
use outputs::template_location;

/// What `digestif check` is asked to do.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub root: PathBuf,
    pub overrides: Overrides,
    pub settings: Settings,
}

impl CheckOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        CheckOptions {
            root: root.into(),
            overrides: Overrides::default(),
            settings: Settings::default(),
        }
    }
}

/// What the checking mode of the pipeline needs beyond the configuration.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Check links to other sites too (network; off by default).
    pub external: Option<ExternalOptions>,
}

/// Everything a check found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Errors and warnings, sorted by file and line.
    pub findings: Vec<Diagnostic>,
    pub digests: usize,
    pub papers: usize,
    pub topics: usize,
    pub pages: usize,
    /// What a build would write, by kind (empty when the pipeline stopped before writing).
    pub size: crate::site_size::SiteSize,
    /// How near that is to `[deploy] max_size` or `max_files`, when it is near.
    pub budget_note: Option<String>,
    pub duration: Duration,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    pub fn summary(&self) -> String {
        let count = |n: usize, what: &str| match n {
            1 => format!("1 {what}"),
            n => format!("{n} {what}s"),
        };
        let size = self.size.total();
        let note = self
            .budget_note
            .as_ref()
            .map_or_else(String::new, |note| format!("\n{note}"));
        format!(
            "checked {}, {}, {}, {} ({}, {}) in {:.2} s: {}, {}{note}",
            count(self.digests, "digest"),
            count(self.papers, "paper"),
            count(self.topics, "topic"),
            count(self.pages, "page"),
            count(size.files as usize, "file"),
            crate::site_size::bytes_text(size.bytes),
            self.duration.as_secs_f64(),
            count(self.errors(), "error"),
            count(self.warnings(), "warning"),
        )
    }
}

/// What a check found, from the report of a pipeline run in checking mode
/// ([`crate::check_site`] runs it), or the error that stopped it, which becomes one more finding.
pub fn report(
    result: crate::error::Result<crate::report::BuildReport>,
    started: Instant,
) -> CheckReport {
    let mut report = match result {
        Ok(report) => CheckReport {
            findings: report.warnings,
            digests: report.digests,
            papers: report.papers,
            topics: report.topics,
            pages: report.pages,
            size: report.size,
            budget_note: report.budget_note,
            duration: Duration::ZERO,
        },
        Err(error) => CheckReport {
            findings: error.diagnostics(),
            digests: 0,
            papers: 0,
            topics: 0,
            pages: 0,
            size: Default::default(),
            budget_note: None,
            duration: Duration::ZERO,
        },
    };
    for finding in &mut report.findings {
        if finding.location.path.as_os_str().is_empty() {
            finding.location = template_location(&finding.message).unwrap_or_default();
        }
    }
    sort_diagnostics(&mut report.findings);
    report.findings.dedup();
    report.duration = started.elapsed();
    report
}

/// What the site-wide checks look at.
pub struct Input<'a> {
    pub config: &'a Config,
    pub site: &'a Site,
    pub html: &'a SiteHtml,
    pub pages: &'a [PlannedPage],
    pub theme: &'a ThemeFiles,
    /// Files written beside pages and static files: `.nojekyll`, `syntax.css`.
    pub generated: &'a [&'a str],
    pub sources: &'a Sources,
}

/// The checks only `digestif check` runs.
pub fn site_checks(input: &Input, settings: &Settings) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    let outputs = OutputSet::new(input);
    let mut external = Vec::new();
    let field_line = |f| input.sources.field_line(input.site, f);
    let mut locator = crate::markdown::Locator::new(input.site, &field_line);
    for (field, link) in &input.html.links {
        let location = locator.locate(*field, Some(link.offset));
        match links::classify(&link.url, input.config) {
            LinkKind::Site(path) => {
                if let Some(finding) = links::missing_page(input, &outputs, link, &path, &location)
                {
                    findings.push(finding);
                }
            }
            LinkKind::IgnoresSubPath => {
                findings.push(links::ignores_sub_path(&link.url, input.config, location))
            }
            LinkKind::Relative => findings.push(links::relative_link(&link.url, *field, location)),
            LinkKind::External => external.push((link.url.clone(), location)),
            LinkKind::Other => {}
        }
    }
    findings.extend(links::template_links(input));
    findings.extend(topics::topic_typos(input));
    findings.extend(topics::single_use_topics(input));
    if let Some(options) = &settings.external {
        external.extend(front_matter_links(input));
        findings.extend(external::findings(&external, options));
    }
    findings
}

/// `url`, `pdf`, `code` and `project` of every paper, at their lines, for `--external`.
fn front_matter_links(input: &Input) -> Vec<(String, Location)> {
    let mut links = Vec::new();
    for paper in &input.site.papers {
        for (key, value) in [
            ("url", &paper.url),
            ("pdf", &paper.pdf),
            ("code", &paper.code),
            ("project", &paper.project),
        ] {
            if let Some(url) = value {
                let line = input
                    .sources
                    .value_line(&paper.source, paper.line, key)
                    .unwrap_or(paper.line);
                links.push((url.clone(), Location::at(&paper.source, line, None)));
            }
        }
    }
    links
}
