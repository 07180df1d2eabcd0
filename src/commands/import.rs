//! `digestif import …`: runs one importer, tidies its papers, and writes or merges the digest
//! file (src/import/). Returns a report; printing is left to main.rs.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::ProgressBar;
use jiff::civil::Date;

use crate::cli::{ImportArgs, ImportOutputArgs, ImportSource, NetworkArgs};
use crate::config::{CONFIG_FILE, Config, Overrides};
use crate::content::discover::MAX_FILE_BYTES;
use crate::content::entry::MAX_ONE_LINE_CHARS;
use crate::content::ids::id_slug;
use crate::content::{ParsedFile, SourceFile, parse_source};
use crate::engine::stage;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::import::http::{self, Client, HttpOptions};
use crate::import::merge::{MergeCounts, Update, merge_into};
use crate::import::{self, Import, arxiv, bibtex, buildable, csl, doi, text, write};

/// What an import did.
#[derive(Debug)]
pub struct ImportReport {
    /// "arXiv", "refs.bib".
    pub source: String,
    /// Papers read after duplicates were merged.
    pub papers: usize,
    /// The file written, relative to the site root when inside it; None when printed.
    pub out: Option<PathBuf>,
    pub is_new_file: bool,
    pub counts: MergeCounts,
    /// The digest text when `--out -` asked for it on standard output.
    pub printed: Option<String>,
    pub warnings: Vec<Diagnostic>,
    /// Which date a new digest got when `--date` did not give one, and where it came from.
    pub date_chosen: Option<String>,
}

impl ImportReport {
    pub fn summary(&self) -> String {
        let papers = match self.papers {
            1 => "1 paper".to_string(),
            n => format!("{n} papers"),
        };
        let dated = self
            .date_chosen
            .as_ref()
            .filter(|_| self.is_new_file || self.printed.is_some())
            .map_or(String::new(), |chosen| format!(", {chosen}"));
        let Some(out) = &self.out else {
            return format!("imported {papers} from {}{dated}", self.source);
        };
        let counts = &self.counts;
        let mut parts = vec![format!("{} added", counts.added)];
        if counts.updated > 0 {
            parts.push(format!("{} updated", counts.updated));
        }
        if counts.kept > 0 {
            parts.push(format!(
                "{} already there{}",
                counts.kept,
                if counts.updated == 0 {
                    " (--force updates them)"
                } else {
                    ""
                }
            ));
        }
        let warnings = match self.warnings.len() {
            0 => String::new(),
            1 => ", 1 warning".to_string(),
            n => format!(", {n} warnings"),
        };
        format!(
            "imported {papers} from {} into {}{}{dated}: {}{warnings}",
            self.source,
            out.display(),
            if self.is_new_file { " (new file)" } else { "" },
            parts.join(", ")
        )
    }
}

/// The output options every import subcommand has.
pub fn output_args(source: &ImportSource) -> &ImportOutputArgs {
    match source {
        ImportSource::Arxiv { output, .. }
        | ImportSource::Hf { output, .. }
        | ImportSource::Doi { output, .. }
        | ImportSource::Bibtex { output, .. }
        | ImportSource::CslJson { output, .. }
        | ImportSource::Text { output, .. } => output,
    }
}

/// Runs an import. `today` is the default digest date; `show_progress` allows a progress bar
/// when standard error is a terminal.
pub fn run(args: &ImportArgs, today: Date, show_progress: bool) -> Result<ImportReport> {
    let output = output_args(&args.source);
    let site = site_config(&output.root)?;
    let categories = site
        .as_ref()
        .map(|config| config.arxiv_categories.clone())
        .unwrap_or_default();
    let progress = progress_bar(show_progress && !output.quiet);
    let notices = show_progress && !output.quiet;
    let mut started = std::time::Instant::now();
    let (source, mut import) = read_source(&args.source, &categories, today, &progress, notices)?;
    progress.finish_and_clear();
    stage("import: read", &mut started);
    import::tidy(&mut import);
    stage("import: tidy", &mut started);
    crate::error::sort_diagnostics(&mut import.warnings);
    if import.papers.is_empty() {
        let mut diagnostics = import.warnings;
        diagnostics.push(Diagnostic::error(
            Location::file(&source),
            "no papers found, so nothing was written",
        ));
        return Err(Error::Invalid(diagnostics));
    }
    let (date, date_chosen) = digest_date(output, import.date, today)?;
    let title = match &output.title {
        Some(title) => checked_title(title)?,
        None => default_title(&args.source, date),
    };
    let check_config = buildable::config_for_check(&output.root, site.as_ref())?;
    let mut report = ImportReport {
        source,
        papers: import.papers.len(),
        out: None,
        is_new_file: false,
        counts: MergeCounts::default(),
        printed: None,
        warnings: import.warnings,
        date_chosen,
    };
    if output.out.as_deref() == Some(Path::new("-")) {
        let text =
            write::digest_file_from(&title, date, voted_source(&args.source), &import.papers);
        stage("import: write", &mut started);
        buildable::check_buildable(Path::new("<stdout>"), &text, &HashSet::new(), &check_config)?;
        stage("import: check", &mut started);
        report.printed = Some(text);
        report.counts.added = import.papers.len();
        return Ok(report);
    }
    let relative = output
        .out
        .clone()
        .unwrap_or_else(|| Path::new("content").join(format!("{date}.md")));
    let path = output.root.join(&relative);
    let existing = read_existing(&path, &relative)?;
    stage("import: read the file to import into", &mut started);
    // A new file holds every imported paper (also replacing an unreadable one with --force).
    let new_file = || {
        let counts = MergeCounts {
            added: import.papers.len(),
            ..MergeCounts::default()
        };
        let text =
            write::digest_file_from(&title, date, voted_source(&args.source), &import.papers);
        (text, counts, true)
    };
    // The file as it is, read once: for merging, and for the errors it has already, which are
    // not the import's.
    let mut known_errors = HashSet::new();
    let (text, counts, is_new_file) = match &existing {
        Some(existing) => match merge_into(
            &relative,
            existing,
            parsed_with_errors(&relative, existing, &check_config, &mut known_errors),
            &import.papers,
            update_mode(&args.source, output.force),
            &mut report.warnings,
        ) {
            Ok((text, counts)) => {
                if output.title.is_some() || output.date.is_some() {
                    report.warnings.push(Diagnostic::warning(
                        Location::file(&relative),
                        "the file already exists: it keeps its own title and date",
                    ));
                }
                (text, counts, false)
            }
            Err(Error::Invalid(_)) if output.force => new_file(),
            Err(error) => return Err(error),
        },
        None => new_file(),
    };
    report
        .warnings
        .extend(outside_content(&relative, &path, &output.root));
    stage("import: write or merge", &mut started);
    if is_new_file {
        check_file_name(&relative)?;
        // A file replaced with --force: the errors it had are not the new file's to keep.
        known_errors.clear();
    }
    buildable::check_buildable(&relative, &text, &known_errors, &check_config)?;
    stage("import: check", &mut started);
    save(&path, &text)?;
    stage("import: save", &mut started);
    report.out = Some(relative);
    report.counts = counts;
    report.is_new_file = is_new_file;
    Ok(report)
}

/// The digest's date: `--date`, else the date the source gives, else `today`; with a line for
/// the summary saying which, when `--date` did not choose it.
fn digest_date(
    output: &ImportOutputArgs,
    from_source: Option<Date>,
    today: Date,
) -> Result<(Date, Option<String>)> {
    let Some(text) = &output.date else {
        let date = from_source.unwrap_or(today);
        let from = match from_source {
            Some(_) => "the date the source gives",
            None => "today",
        };
        let chosen = format!("dated {date} ({from}; --date YYYY-MM-DD sets another)");
        return Ok((date, Some(chosen)));
    };
    let date = text.trim().parse::<Date>().ok();
    let date = date.filter(|date| date.year() >= 1).ok_or_else(|| {
        Error::Usage(format!(
            "--date `{text}` is not a date: write YYYY-MM-DD, such as 2024-03-11"
        ))
    })?;
    Ok((date, None))
}

/// What an import may change of papers already in the file: everything with `--force`; what
/// Hugging Face keeps current (votes, comments, links, thumbnail) on its import; nothing
/// otherwise.
fn update_mode(source: &ImportSource, force: bool) -> Update {
    match (source, force) {
        (_, true) => Update::All,
        (ImportSource::Hf { .. }, false) => Update::SourceOwned,
        _ => Update::Keep,
    }
}

/// A warning when the file written (`relative`, at `path`) is not under the site's `content/`.
fn outside_content(relative: &Path, path: &Path, root: &Path) -> Option<Diagnostic> {
    if relative.starts_with("content") || path.starts_with(root.join("content")) {
        return None;
    }
    let warning = Diagnostic::warning(
        Location::file(relative),
        "this file is outside content/, so builds will not read it",
    );
    Some(warning.with_hint("pass --out content/<name>.md"))
}

/// Reads the papers of `source`; `notices` prints on standard error, as it happens, what a
/// network import waits for.
fn read_source(
    source: &ImportSource,
    categories: &BTreeMap<String, String>,
    today: Date,
    progress: &ProgressBar,
    notices: bool,
) -> Result<(String, Import)> {
    let client = |network: &NetworkArgs, service: Service| -> Result<Client> {
        let mut client = Client::new(http_options(network, service)?);
        if notices {
            let progress = progress.clone();
            client.on_wait(move |notice| progress.suspend(|| eprintln!("{notice}")));
        }
        Ok(client)
    };
    Ok(match source {
        ImportSource::Arxiv {
            ids,
            query,
            max,
            sort,
            file,
            network,
            ..
        } => {
            if let Some(file) = file {
                let text = import::read_input(file)?;
                (
                    display(file),
                    arxiv::read_file(label(file), &text, categories)?,
                )
            } else if let Some(query) = query {
                check_count("--max", *max)?;
                let mut client = client(network, Service::Arxiv)?;
                let import =
                    arxiv::fetch_query(&mut client, query, *max, *sort, categories, progress)?;
                ("arXiv".to_string(), import)
            } else if ids.is_empty() {
                return Err(Error::Usage(
                    "give arXiv ids, --query '…' or --file response.xml".into(),
                ));
            } else {
                check_count("arXiv ids", ids.len())?;
                let mut client = client(network, Service::Arxiv)?;
                (
                    "arXiv".to_string(),
                    arxiv::fetch_ids(&mut client, ids, categories, progress)?,
                )
            }
        }
        ImportSource::Hf { network, output } => {
            let mut client = client(network, Service::Hf)?;
            let day = match &output.date {
                Some(text) => Some(text.trim().parse::<Date>().map_err(|_| {
                    Error::Usage(format!(
                        "--date `{text}` is not a date: write YYYY-MM-DD, such as 2024-03-11"
                    ))
                })?),
                None => None,
            };
            let static_dir = output.root.join("static");
            let (day, import) = hf_day(&mut client, day, today, &static_dir)?;
            (format!("Hugging Face {day}"), import)
        }
        ImportSource::Doi { dois, network, .. } => {
            check_count("DOIs", dois.len())?;
            let mut client = client(network, Service::Doi)?;
            (
                "doi.org".to_string(),
                doi::fetch(&mut client, dois, categories, progress)?,
            )
        }
        ImportSource::Bibtex { file, .. } => {
            let text = import::read_input(file)?;
            (display(file), bibtex::read(label(file), &text, categories)?)
        }
        ImportSource::CslJson { file, .. } => {
            let text = import::read_input(file)?;
            (display(file), csl::read(label(file), &text, categories)?)
        }
        ImportSource::Text {
            file,
            year,
            keep_titles,
            ..
        } => {
            let text = import::read_input(file)?;
            (
                display(file),
                text::read(
                    label(file),
                    &text,
                    year.unwrap_or(today.year()),
                    *keep_titles,
                )?,
            )
        }
    })
}

/// A network import asks for at most as many papers as a file import reads.
fn check_count(what: &str, count: usize) -> Result<()> {
    if count > import::input::MAX_ENTRIES {
        return Err(Error::Usage(format!(
            "{what}: {count} is more than the {} papers an import takes; import them in parts",
            import::input::MAX_ENTRIES
        )));
    }
    Ok(())
}

/// The name messages give an input file; `-` is standard input.
fn label(path: &Path) -> &Path {
    if path == Path::new("-") {
        Path::new("<stdin>")
    } else {
        path
    }
}

fn display(path: &Path) -> String {
    if path == Path::new("-") {
        return "standard input".into();
    }
    path.display().to_string()
}

/// What a new digest's front matter says of a source that ranks papers by votes.
fn voted_source(source: &ImportSource) -> Option<&'static str> {
    matches!(source, ImportSource::Hf { .. }).then_some("hf-daily")
}

#[derive(Clone, Copy)]
enum Service {
    Arxiv,
    Doi,
    Hf,
}

/// The papers of Hugging Face's list for `day`, or without one, for today (UTC) while it has
/// papers, else for yesterday, the last complete day. Thumbnails are downloaded into
/// `static_dir`; one that cannot be is a warning.
pub fn hf_day(
    client: &mut Client,
    day: Option<Date>,
    today: Date,
    static_dir: &Path,
) -> Result<(Date, Import)> {
    let mut tried = Vec::new();
    let days = match day {
        Some(day) => vec![day],
        None => vec![today, today.yesterday().unwrap_or(today)],
    };
    for day in days {
        let origin = format!("Hugging Face {day}");
        let Some(json) = import::hf::fetch(client, day)? else {
            tried.push(day);
            continue;
        };
        let (papers, mut import) = import::hf::parse(&json, &origin)?;
        if papers.is_empty() {
            tried.push(day);
            continue;
        }
        for daily in papers {
            let mut paper = daily.paper;
            if let Some(url) = &daily.thumbnail_url {
                let name = paper.derived_id();
                match import::thumbnails::download(url, static_dir, &name, client.options.timeout) {
                    Ok(path) => paper.paper.thumbnail = Some(path),
                    Err(why) => import.warnings.push(
                        Diagnostic::warning(
                            Location::file(&origin),
                            format!("the thumbnail of {name} was not downloaded: {why}"),
                        )
                        .with_hint("the paper is imported without it"),
                    ),
                }
            }
            import.papers.push(paper);
        }
        import.date = Some(day);
        return Ok((day, import));
    }
    let days: Vec<String> = tried.iter().map(Date::to_string).collect();
    Err(Error::Fetch(format!(
        "Hugging Face lists no papers for {}: nothing was written",
        days.join(" or ")
    )))
}

fn http_options(network: &NetworkArgs, service: Service) -> Result<HttpOptions> {
    let (variable, default_endpoint, default_delay) = match service {
        Service::Arxiv => ("DIGESTIF_ARXIV_API", arxiv::DEFAULT_ENDPOINT, 3.0),
        Service::Doi => ("DIGESTIF_DOI_API", doi::DEFAULT_ENDPOINT, 1.0),
        Service::Hf => ("DIGESTIF_HF_API", import::hf::DEFAULT_API, 1.0),
    };
    let endpoint = network
        .api
        .clone()
        .or_else(|| {
            std::env::var(variable)
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| default_endpoint.to_string());
    let endpoint = endpoint.trim().trim_end_matches('/').to_string();
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        return Err(Error::Usage(format!(
            "the API address `{endpoint}` must start with https:// or http://"
        )));
    }
    let seconds = |value: f64, name: &str| {
        if value.is_finite() && value >= 0.0 {
            Ok(Duration::from_secs_f64(value))
        } else {
            Err(Error::Usage(format!(
                "--{name} must be a number of seconds, 0 or more"
            )))
        }
    };
    let delay = seconds(network.delay.unwrap_or(default_delay), "delay")?;
    let timeout = seconds(network.timeout, "timeout")?;
    if timeout.is_zero() {
        return Err(Error::Usage("--timeout must be more than 0 seconds".into()));
    }
    Ok(HttpOptions {
        endpoint,
        delay,
        timeout,
        retries: network.retries,
        backoff: delay,
        max_wait: timeout
            .saturating_mul(network.retries)
            .min(http::MAX_RETRY_WAIT),
    })
}

/// `text` (the file at `relative`) parsed, with the messages of the errors a build would report
/// for it added to `known`.
fn parsed_with_errors(
    relative: &Path,
    text: &str,
    config: &Config,
    known: &mut HashSet<String>,
) -> ParsedFile {
    let parsed = parse_source(&SourceFile {
        path: relative.to_path_buf(),
        text: text.to_string(),
    });
    known.extend(
        buildable::errors(&parsed, config)
            .into_iter()
            .map(|d| d.message),
    );
    parsed
}

/// The digest file to import into, when there is one; one larger than a build reads is not read.
fn read_existing(path: &Path, relative: &Path) -> Result<Option<String>> {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.len() > MAX_FILE_BYTES => Err(Error::Usage(format!(
            "{} is {:.1} MB, more than the {} MB a digest file may hold: choose another --out",
            relative.display(),
            metadata.len() as f64 / 1e6,
            MAX_FILE_BYTES / (1024 * 1024)
        ))),
        Ok(_) => std::fs::read_to_string(path)
            .map(Some)
            .map_err(|e| Error::io(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The site's configuration, when the root has a site.toml: its `[topics.arxiv_categories]`,
/// and what the written file is checked against.
fn site_config(root: &Path) -> Result<Option<Config>> {
    if !root.join(CONFIG_FILE).exists() {
        return Ok(None);
    }
    Config::load(root, &Overrides::default()).map(Some)
}

/// `--title` as the digest will have it: on one line, not empty, not longer than a title may be.
fn checked_title(title: &str) -> Result<String> {
    let title = import::one_line(title);
    if title.is_empty() {
        return Err(Error::Usage(
            "--title is empty: give the digest a title".into(),
        ));
    }
    let chars = title.chars().count();
    if chars > MAX_ONE_LINE_CHARS {
        return Err(Error::Usage(format!(
            "--title has {chars} characters, more than the {MAX_ONE_LINE_CHARS} a title may have"
        )));
    }
    Ok(title)
}

/// A new digest's address comes from its file name, which needs letters or digits.
fn check_file_name(relative: &Path) -> Result<()> {
    let stem = relative.file_stem().unwrap_or_default().to_string_lossy();
    if id_slug(&stem).is_empty() {
        return Err(Error::Usage(format!(
            "--out {}: a digest's address is made from its file name, which needs letters or digits (such as content/2024-03-11.md)",
            relative.display()
        )));
    }
    Ok(())
}

fn default_title(source: &ImportSource, date: Date) -> String {
    let day = crate::render::display_date(date);
    match source {
        ImportSource::Text { .. } | ImportSource::Hf { .. } => format!("Daily papers, {day}"),
        ImportSource::Arxiv {
            query: Some(query), ..
        } => format!("arXiv: {query}"),
        _ => format!("Papers, {day}"),
    }
}

fn progress_bar(show: bool) -> ProgressBar {
    if !show || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} importing {pos}/{len} papers {wide_bar} {elapsed}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Writes through a temporary file in the same folder, so a failed write leaves the old file.
pub(crate) fn save(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
    let mut file = tempfile::NamedTempFile::new_in(folder).map_err(|e| Error::io(folder, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(path, e))?;
    file.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
