//! `digestif update`: fetches the day's papers from every `[[sources]]` of `site.toml` and
//! writes or merges `content/<YYYY>/<YYYY-MM-DD>.md`, for a scheduled workflow to run daily.
//!
//! - Without `--date`, each source takes its last complete day: Hugging Face's list of today (UTC)
//!   while it has papers, else yesterday's; an arXiv search, yesterday's submissions.
//! - Papers featured on an earlier day are left out unless the source says `repeat = true`.
//! - `[topics.rules]` add their topics to the papers written.
//! - A second run with unchanged sources changes no byte: a day's file is merged by paper id, and
//!   only what a source keeps current (votes, comments, code, project, thumbnail) is updated.
//! - A source that fails is reported and writes nothing; the others still run. The exit status
//!   says whether every source worked ([`UpdateReport::failed`]).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use jiff::civil::Date;

use crate::config::{Config, Overrides, RawSource, SourceKind};
use crate::content::ids::{normalize_arxiv, paper_id};
use crate::content::{SourceFile, parse_source};
use crate::error::{Error, Result};
use crate::import::http::{Client, HttpOptions};
use crate::import::merge::{MergeCounts, Update, merge_into};
use crate::import::{self, Import, ImportedPaper, arxiv, write};

/// What `update` is asked to do.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    pub root: PathBuf,
    /// The day to fetch; None for each source's last complete day.
    pub date: Option<Date>,
    pub dry_run: bool,
    /// Today, in UTC.
    pub today: Date,
    /// Limit for each request.
    pub timeout: std::time::Duration,
    /// Further attempts after a 5xx, 429 or timeout.
    pub retries: u32,
    /// Least time between two requests to one service; None for each service's own.
    pub delay: Option<std::time::Duration>,
}

/// What `update` did, source by source.
#[derive(Debug, Default)]
pub struct UpdateReport {
    /// One line for each source and each file written, in order.
    pub lines: Vec<String>,
    /// Sources that failed.
    pub failed: usize,
    /// Files written (or that would be, with `--dry-run`), relative to the site.
    pub changed: Vec<PathBuf>,
    pub warnings: Vec<crate::error::Diagnostic>,
}

pub fn run(options: &UpdateOptions) -> Result<UpdateReport> {
    let config = Config::load(&options.root, &Overrides::default())?;
    if config.sources.is_empty() {
        return Err(Error::Usage(
            "site.toml has no [[sources]]: add one, such as\n\n[[sources]]\nkind = \"hf-daily\"\n\n(see the README's site.toml table)"
                .into(),
        ));
    }
    let mut report = UpdateReport::default();
    // The text of each day's file as it will be written, starting from what is on disk.
    let mut files: BTreeMap<PathBuf, (String, String)> = BTreeMap::new();
    for (number, source) in config.sources.iter().enumerate() {
        let name = source_name(number + 1, source);
        let fetched = match fetch(source, options) {
            Ok(fetched) => fetched,
            Err(error) => {
                report.failed += 1;
                report
                    .lines
                    .push(format!("{name}: failed, nothing written: {error}"));
                continue;
            }
        };
        let (day, mut import) = fetched;
        import::tidy(&mut import);
        report.warnings.append(&mut import.warnings);
        let featured = featured_before(&options.root, &config, day)?;
        let before = import.papers.len();
        if !source.repeat {
            import
                .papers
                .retain(|paper| !featured.contains(&paper_key(paper)));
        }
        let repeated = before - import.papers.len();
        add_rule_topics(&config, &mut import.papers);
        let relative = Path::new("content")
            .join(format!("{:04}", day.year()))
            .join(format!("{day}.md"));
        if import.papers.is_empty() {
            report.lines.push(format!(
                "{name}: no new papers for {day}{}",
                skipped(repeated)
            ));
            continue;
        }
        let entry = match files.get(&relative) {
            Some(entry) => Some(entry.clone()),
            None => read(&options.root.join(&relative))?.map(|text| (text.clone(), text)),
        };
        let update = match source.kind {
            SourceKind::HfDaily => Update::SourceOwned,
            SourceKind::Arxiv => Update::Keep,
        };
        let (original, text, counts) = match entry {
            Some((original, current)) => {
                let parsed = parse_source(&SourceFile {
                    path: relative.clone(),
                    text: current.clone(),
                });
                let (text, counts) = merge_into(
                    &relative,
                    &current,
                    parsed,
                    &import.papers,
                    update,
                    &mut report.warnings,
                )?;
                (original, text, counts)
            }
            None => {
                let title = format!("Papers, {}", crate::render::display_date(day));
                let counts = MergeCounts {
                    added: import.papers.len(),
                    ..MergeCounts::default()
                };
                let voted = (source.kind == SourceKind::HfDaily).then_some("hf-daily");
                (
                    String::new(),
                    write::digest_file_from(&title, day, voted, &import.papers),
                    counts,
                )
            }
        };
        report.lines.push(format!(
            "{name}: {day}: {} added, {} updated, {} already there{}",
            counts.added,
            counts.updated,
            counts.kept,
            skipped(repeated)
        ));
        files.insert(relative, (original, text));
    }
    for (relative, (original, text)) in files {
        if original == text {
            continue;
        }
        if !options.dry_run {
            super::import::save(&options.root.join(&relative), &text)?;
        }
        report.changed.push(relative);
    }
    Ok(report)
}

fn source_name(number: usize, source: &RawSource) -> String {
    match source.kind {
        SourceKind::HfDaily => format!("source {number} (hf-daily)"),
        SourceKind::Arxiv => format!(
            "source {number} (arxiv: {})",
            source.query.as_deref().unwrap_or("")
        ),
    }
}

fn skipped(count: usize) -> String {
    match count {
        0 => String::new(),
        1 => "; 1 paper featured on an earlier day left out".into(),
        n => format!("; {n} papers featured on an earlier day left out"),
    }
}

/// The day a source gives and its papers.
fn fetch(source: &RawSource, options: &UpdateOptions) -> Result<(Date, Import)> {
    let (default_api, default_delay) = match source.kind {
        SourceKind::HfDaily => (import::hf::DEFAULT_API, 1.0),
        SourceKind::Arxiv => (arxiv::DEFAULT_ENDPOINT, 3.0),
    };
    let endpoint = source
        .api
        .as_deref()
        .unwrap_or(default_api)
        .trim_end_matches('/')
        .to_string();
    let delay = options
        .delay
        .unwrap_or(std::time::Duration::from_secs_f64(default_delay));
    let mut client = Client::new(HttpOptions {
        endpoint,
        delay,
        timeout: options.timeout,
        retries: options.retries,
        backoff: delay,
        max_wait: options
            .timeout
            .saturating_mul(options.retries)
            .min(import::http::MAX_RETRY_WAIT),
    });
    let yesterday = options.today.yesterday().unwrap_or(options.today);
    match source.kind {
        SourceKind::HfDaily => {
            let static_dir = options.root.join("static");
            match super::import::hf_day(&mut client, options.date, options.today, &static_dir) {
                Ok(found) => Ok(found),
                // A day without papers is no failure: there is nothing to add.
                Err(Error::Fetch(message)) if message.contains("lists no papers") => {
                    Ok((options.date.unwrap_or(yesterday), Import::default()))
                }
                Err(error) => Err(error),
            }
        }
        SourceKind::Arxiv => {
            let day = options.date.unwrap_or(yesterday);
            let stamp = day.strftime("%Y%m%d").to_string();
            let query = format!(
                "({}) AND submittedDate:[{stamp}0000 TO {stamp}2359]",
                source.query.as_deref().unwrap_or("")
            );
            let import = arxiv::fetch_query(
                &mut client,
                &query,
                source.max.unwrap_or(50),
                arxiv::SortOrder::Submitted,
                &BTreeMap::new(),
                &ProgressBar::hidden(),
            )?;
            Ok((day, import))
        }
    }
}

/// The ids of the papers of every digest dated before `day`.
fn featured_before(root: &Path, config: &Config, day: Date) -> Result<HashSet<String>> {
    let (files, _) = crate::content::discover(root, &config.boundary())?;
    let mut featured = HashSet::new();
    for file in files {
        let parsed = parse_source(&file);
        let Some(digest) = parsed.digest else {
            continue;
        };
        if digest.date >= day {
            continue;
        }
        for paper in &digest.papers {
            featured.insert(raw_key(paper));
        }
    }
    Ok(featured)
}

fn raw_key(paper: &crate::content::RawPaper) -> String {
    let arxiv = paper.arxiv.as_deref().map(normalize_arxiv);
    paper_id(
        paper.id.as_deref(),
        arxiv.as_deref(),
        paper.doi.as_deref(),
        &paper.title,
    )
}

fn paper_key(paper: &ImportedPaper) -> String {
    raw_key(&paper.paper)
}

/// Adds the topics of `[topics.rules]` whose phrases a paper's title or abstract mentions.
fn add_rule_topics(config: &Config, papers: &mut [ImportedPaper]) {
    for paper in papers {
        let rules = crate::model::topic_rules::matching_rules(
            &config.topic_rules,
            &paper.paper.title,
            paper.paper.abstract_md.as_deref(),
        );
        let topics = rules
            .into_iter()
            .map(|rule| config.topic_rules[rule].topic.clone());
        import::add_topics(&mut paper.paper.topics, topics);
    }
}

fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}
