//! Digestif builds a static website from digests of research papers.
//!
//! A site is a folder with `site.toml` and `content/*.md` digest files (docs/format.md). The
//! pipeline is a chain of functions from values to values:
//! config → discover → parse (parallel) → assemble → Markdown (parallel) → plan → render
//! (parallel) → write. [`build`] runs all of it; [`check`] stops before writing.

pub mod cli;
pub mod config;
pub mod content;
pub mod error;
pub mod markdown;
pub mod model;
pub mod render;
pub mod search;
pub mod toml_error;
pub mod write;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use config::{Config, Overrides};
pub use error::{Diagnostic, Error, Location, Result, Severity};

use error::sort_diagnostics;
use render::context::SiteContext;
use render::{PlannedPage, Renderer};

/// What a build is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Default: `<root>/public`.
    pub output_dir: Option<PathBuf>,
    pub overrides: Overrides,
    /// Show a progress bar on a terminal.
    pub show_progress: bool,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            output_dir: None,
            overrides: Overrides::default(),
            show_progress: false,
        }
    }

    pub fn output_dir(&self) -> PathBuf {
        self.output_dir
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub digests: usize,
    pub papers: usize,
    pub topics: usize,
    /// HTML pages rendered.
    pub pages: usize,
    /// Every file written, pages included.
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub duration: Duration,
}

impl BuildReport {
    pub fn summary(&self, verb: &str) -> String {
        format!(
            "{verb} {} digests, {} papers, {} topics: {} pages ({} files) in {:.2} s",
            self.digests,
            self.papers,
            self.topics,
            self.pages,
            self.files,
            self.duration.as_secs_f64()
        )
    }
}

/// Builds the site into its output folder, replacing the previous output only on success.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let config = Config::load(&options.root, &options.overrides)?;
    let output = options.output_dir();
    let staging = write::Staging::create(&output, &options.root)?;
    let mut report = run(&config, Some(&staging), options.show_progress)?;
    staging.commit()?;
    report.duration = started.elapsed();
    Ok(report)
}

/// Runs every stage but writing, and reports what a build would find.
pub fn check(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let config = Config::load(&options.root, &options.overrides)?;
    let mut report = run(&config, None, false)?;
    report.duration = started.elapsed();
    Ok(report)
}

fn stage<T>(name: &str, started: &mut Instant, value: T) -> T {
    if std::env::var_os("DIGESTIF_LOG").is_some_and(|v| v == "debug") {
        eprintln!(
            "debug: {name} took {:.1} ms{}",
            started.elapsed().as_secs_f64() * 1000.0,
            cpu_since_last_stage()
        );
    }
    *started = Instant::now();
    value
}

/// `, CPU N ms`: the process's CPU time (all threads) since the previous call, where
/// /proc/self/stat tells it. Stages run one after another, so this is the stage's CPU time.
fn cpu_since_last_stage() -> String {
    static LAST: std::sync::Mutex<Option<u64>> = std::sync::Mutex::new(None);
    let Some(ticks) = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the command name (which may hold spaces) : utime is 14th, stime 15th.
            let rest = &stat[stat.rfind(')')? + 2..];
            let fields: Vec<&str> = rest.split(' ').collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
    else {
        return String::new();
    };
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let previous = last.replace(ticks).unwrap_or(0);
    // Linux counts in clock ticks of 10 ms.
    format!(", CPU {} ms", (ticks - previous) * 10)
}

/// The pipeline after configuration. With no staging folder, pages are rendered and dropped.
pub fn run(
    config: &Config,
    staging: Option<&write::Staging>,
    show_progress: bool,
) -> Result<BuildReport> {
    let mut clock = Instant::now();
    let (files, mut diagnostics) = content::discover(&config.root)?;
    let files = stage("discover", &mut clock, files);

    let parsed: Vec<content::ParsedFile> = files.par_iter().map(content::parse_source).collect();
    drop(files);
    for file in &parsed {
        diagnostics.extend(file.diagnostics.iter().cloned());
    }
    let parsed = stage("parse", &mut clock, parsed);
    fail_on_errors(&mut diagnostics)?;

    let (site, assembly_diagnostics) = model::assemble(parsed, config);
    diagnostics.extend(assembly_diagnostics);
    let site = stage("assemble", &mut clock, site);
    fail_on_errors(&mut diagnostics)?;

    let (html, markdown_diagnostics) =
        markdown::render_site(&site, markdown::MarkdownOptions::from_config(config));
    diagnostics.extend(markdown_diagnostics);
    let html = stage("markdown", &mut clock, html);
    fail_on_errors(&mut diagnostics)?;

    let theme = render::templates::load_theme_files(config)?;
    let site_context = SiteContext {
        title: config.title.clone(),
        description: config.description.clone(),
        language: config.language.clone(),
        base_url: config.base.full(),
        base_path: config.base.path.clone(),
        digest_count: site.digests.len(),
        paper_count: site.papers.len(),
        topic_count: site.topics.len(),
        feed_url: config.base.link("feed.xml"),
        topics_url: config.base.link("topics/"),
        generator: format!("Digestif {}", env!("CARGO_PKG_VERSION")),
        search: config.has_search.then(|| render::context::SearchLinks {
            url: config.base.link("search/"),
            index_url: config.base.link("search/index.json"),
            script_url: config.base.link("search/search.js"),
        }),
    };
    let tera = render::templates::compile(config, &theme, &site_context)?;
    let syntax_css =
        markdown::highlight::stylesheet(&config.highlight_theme, &config.highlight_theme_dark)
            .map_err(|message| {
                Error::Invalid(vec![Diagnostic::error(
                    Location::file(config::CONFIG_FILE),
                    message,
                )])
            })?;
    let pages = render::plan(&site, config);
    let tera = stage("templates and plan", &mut clock, tera);

    let search_files = if config.has_search {
        search::build_index(&site)
    } else {
        Vec::new()
    };
    let search_files = stage("search index", &mut clock, search_files);
    if let Some(staging) = staging {
        search_files
            .par_iter()
            .try_for_each(|(name, bytes)| staging.write(name, bytes))?;
    }
    stage("write search index", &mut clock, ());

    let generated = [
        (".nojekyll", &b""[..]),
        ("syntax.css", syntax_css.as_bytes()),
    ];
    if let Some(staging) = staging {
        for (name, source) in &theme.static_files {
            staging.copy(name, source)?;
        }
        for (name, bytes) in generated {
            staging.write(name, bytes)?;
        }
    }

    let renderer = Renderer::new(&site, &html, config, &tera, &pages);
    let progress = progress_bar(show_progress, pages.len());
    let results: Vec<std::result::Result<(), String>> = pages
        .par_iter()
        .map(|page| {
            let result = render_one(&renderer, page, staging, &theme);
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            result
        })
        .collect();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let mut failures: Vec<String> = results
        .into_iter()
        .filter_map(std::result::Result::err)
        .collect();
    stage("render and write", &mut clock, ());
    if !failures.is_empty() {
        failures.sort();
        failures.dedup();
        let shown = failures.len().min(5);
        let mut message = failures[..shown].join("\n");
        if failures.len() > shown {
            message.push_str(&format!(
                "\n… and {} more pages failed the same way",
                failures.len() - shown
            ));
        }
        return Err(Error::Template(message));
    }

    sort_diagnostics(&mut diagnostics);
    let html_pages = pages.iter().filter(|p| p.output.ends_with(".html")).count();
    Ok(BuildReport {
        digests: site.digests.len(),
        papers: site.papers.len(),
        topics: site.topics.len(),
        pages: html_pages,
        files: pages.len() + theme.static_files.len() + generated.len() + search_files.len(),
        warnings: diagnostics,
        duration: Duration::ZERO,
    })
}

fn render_one(
    renderer: &Renderer,
    page: &PlannedPage,
    staging: Option<&write::Staging>,
    theme: &render::templates::ThemeFiles,
) -> std::result::Result<(), String> {
    thread_local! {
        // One growing buffer per thread instead of a fresh String per page.
        static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(1 << 16));
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        render_into(renderer, page, staging, theme, buffer)
    })
}

fn render_into(
    renderer: &Renderer,
    page: &PlannedPage,
    staging: Option<&write::Staging>,
    theme: &render::templates::ThemeFiles,
    buffer: &mut Vec<u8>,
) -> std::result::Result<(), String> {
    renderer.render_to(page, buffer).map_err(|e| {
        format!(
            "rendering {} with {}: {}",
            page.output,
            page.kind.template(),
            render::templates::template_error(&e, theme)
        )
    })?;
    if let Some(staging) = staging {
        staging
            .write(&page.output, buffer)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn fail_on_errors(diagnostics: &mut Vec<Diagnostic>) -> Result<()> {
    if diagnostics.iter().any(Diagnostic::is_error) {
        sort_diagnostics(diagnostics);
        return Err(Error::Invalid(std::mem::take(diagnostics)));
    }
    Ok(())
}

fn progress_bar(show: bool, total: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !show || !std::io::stderr().is_terminal() || total < 2000 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} rendering {pos}/{len} pages {wide_bar}")
    {
        bar.set_style(style);
    }
    Some(bar)
}
