//! How big the built site is: bytes and files for each kind of output, counted as the files are
//! written (stage 8), so a build knows its size without reading the output folder again.
//!
//! [`Tally`] wraps the [`Output`] a build writes to and adds up every write into a [`Ledger`].
//! A one-off build only adds; an incremental one (`serve`) also remembers each path's size, so a
//! file written again replaces its old size, a file kept from the last build keeps it, and a
//! removed file takes its size away. [`against_budgets`] compares the total, the file count and
//! the largest files with `[deploy]` (issue 22: GitHub Pages publishes at most 1 GB; some hosts
//! also count files, or refuse large ones).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{Diagnostic, Location, Result};
use crate::write::Output;

/// The kinds of output a size report names, in the order a tie is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    PaperPages,
    DigestPages,
    TopicPages,
    CitationFiles,
    Emails,
    SearchIndex,
    Feeds,
    Images,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::PaperPages,
        Kind::DigestPages,
        Kind::TopicPages,
        Kind::CitationFiles,
        Kind::Emails,
        Kind::SearchIndex,
        Kind::Feeds,
        Kind::Images,
        Kind::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::PaperPages => "paper pages",
            Kind::DigestPages => "digest pages",
            Kind::TopicPages => "topic pages",
            Kind::CitationFiles => "citation files",
            Kind::Emails => "emails",
            Kind::SearchIndex => "search index",
            Kind::Feeds => "feeds",
            Kind::Images => "images",
            Kind::Other => "other",
        }
    }

    /// The kind of the file at an output path (relative, `/`-separated).
    pub fn of(path: &str) -> Kind {
        let name = path.rsplit('/').next().unwrap_or(path);
        let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
        let top = path.split_once('/').map_or("", |(top, _)| top);
        if matches!(name, "email.html" | "email.txt") {
            Kind::Emails
        } else if matches!(extension, "bib" | "ris") || name == "cite.json" {
            Kind::CitationFiles
        } else if matches!(name, "feed.xml" | "feed.json" | "feeds.opml") {
            Kind::Feeds
        } else if top == "search" {
            Kind::SearchIndex
        } else if matches!(
            extension.to_ascii_lowercase().as_str(),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "svg" | "ico"
        ) {
            Kind::Images
        } else if extension == "html" {
            match top {
                "papers" => Kind::PaperPages,
                "digests" => Kind::DigestPages,
                "topics" => Kind::TopicPages,
                _ => Kind::Other,
            }
        } else {
            Kind::Other
        }
    }
}

/// Bytes and files of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amount {
    pub bytes: u64,
    pub files: u64,
}

/// The site's size, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteSize {
    amounts: [Amount; Kind::ALL.len()],
}

impl SiteSize {
    pub fn of(&self, kind: Kind) -> Amount {
        self.amounts[kind as usize]
    }

    pub fn total(&self) -> Amount {
        self.amounts
            .iter()
            .fold(Amount::default(), |sum, a| Amount {
                bytes: sum.bytes + a.bytes,
                files: sum.files + a.files,
            })
    }

    /// Adds one file.
    pub fn add(&mut self, path: &str, bytes: u64) {
        let amount = &mut self.amounts[Kind::of(path) as usize];
        amount.bytes += bytes;
        amount.files += 1;
    }

    fn take_away(&mut self, path: &str, bytes: u64) {
        let amount = &mut self.amounts[Kind::of(path) as usize];
        amount.bytes = amount.bytes.saturating_sub(bytes);
        amount.files = amount.files.saturating_sub(1);
    }

    /// The kinds with any bytes, largest first.
    pub fn largest(&self) -> Vec<(Kind, Amount)> {
        self.ranked(|amount| amount.bytes)
    }

    /// The kinds with any files, most files first.
    pub fn most_files(&self) -> Vec<(Kind, Amount)> {
        self.ranked(|amount| amount.files)
    }

    fn ranked(&self, measure: impl Fn(&Amount) -> u64) -> Vec<(Kind, Amount)> {
        let mut kinds: Vec<(Kind, Amount)> = Kind::ALL
            .iter()
            .map(|&kind| (kind, self.of(kind)))
            .filter(|(_, amount)| measure(amount) > 0)
            .collect();
        kinds.sort_by(|a, b| measure(&b.1).cmp(&measure(&a.1)).then(a.0.cmp(&b.0)));
        kinds
    }
}

/// What a build has written so far: the sizes by kind, and (for an incremental engine) each
/// path's size, so the next build can replace or take it away.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    pub size: SiteSize,
    paths: Option<HashMap<String, u64, ahash::RandomState>>,
    /// `[deploy] max_file_size`, and what a ledger without paths saw over it.
    pub max_file_size: Option<u64>,
    oversized: Oversized,
}

/// The files over `[deploy] max_file_size`: how many, and the largest few.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Oversized {
    pub count: u64,
    /// Largest first, at most [`NAMED_FILES`].
    pub largest: Vec<(String, u64)>,
}

impl Oversized {
    fn add(&mut self, path: &str, bytes: u64) {
        self.count += 1;
        // Largest first, ties by path: files are written in no fixed order.
        let at = self
            .largest
            .partition_point(|(other, size)| (*size, path) > (bytes, other.as_str()));
        if at < NAMED_FILES {
            self.largest.insert(at, (path.to_string(), bytes));
            self.largest.truncate(NAMED_FILES);
        }
    }
}

impl Ledger {
    /// A ledger that remembers paths: for an engine that builds again (`serve`).
    pub fn remembering() -> Ledger {
        Ledger {
            paths: Some(HashMap::default()),
            ..Ledger::default()
        }
    }

    /// The files now over `max_file_size`.
    pub fn oversized(&self) -> Oversized {
        let Some(limit) = self.max_file_size else {
            return Oversized::default();
        };
        match &self.paths {
            // Files written again or removed since: the paths say what is there now.
            Some(paths) => {
                let mut oversized = Oversized::default();
                for (path, &bytes) in paths.iter().filter(|(_, bytes)| **bytes > limit) {
                    oversized.add(path, bytes);
                }
                oversized
            }
            None => self.oversized.clone(),
        }
    }

    pub fn wrote(&mut self, path: &str, bytes: u64) {
        if let Some(paths) = &mut self.paths
            && let Some(old) = paths.insert(path.to_string(), bytes)
        {
            self.size.take_away(path, old);
        }
        self.size.add(path, bytes);
        if self.paths.is_none() && self.max_file_size.is_some_and(|limit| bytes > limit) {
            self.oversized.add(path, bytes);
        }
    }

    fn removed(&mut self, path: &str) {
        if let Some(old) = self.paths.as_mut().and_then(|paths| paths.remove(path)) {
            self.size.take_away(path, old);
        }
    }
}

/// An [`Output`] that adds up what passes through it.
pub(crate) struct Tally<'a> {
    inner: &'a dyn Output,
    ledger: Arc<Mutex<Ledger>>,
}

impl<'a> Tally<'a> {
    pub fn new(inner: &'a dyn Output, ledger: Arc<Mutex<Ledger>>) -> Self {
        Tally { inner, ledger }
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        // The ledger's updates cannot panic half-way: a poisoned lock still holds whole numbers.
        self.ledger
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Output for Tally<'_> {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        self.inner.write(relative, bytes)?;
        self.ledger().wrote(relative, bytes.len() as u64);
        Ok(())
    }

    fn write_owned(&self, relative: &str, bytes: Vec<u8>) -> Result<()> {
        let length = bytes.len() as u64;
        self.inner.write_owned(relative, bytes)?;
        self.ledger().wrote(relative, length);
        Ok(())
    }

    fn remove(&self, relative: &str) -> Result<()> {
        self.inner.remove(relative)?;
        self.ledger().removed(relative);
        Ok(())
    }

    fn is_live(&self) -> bool {
        self.inner.is_live()
    }

    fn own_file(&self) -> Option<(&'static str, u64)> {
        self.inner.own_file()
    }
}

/// How many kinds a budget warning names.
const NAMED_KINDS: usize = 5;

/// What a build says of its size against `[deploy]`: a warning for each budget it is over, and
/// a note for the summary when it is near one.
pub fn against_budgets(
    size: &SiteSize,
    oversized: &Oversized,
    budgets: &crate::config::Budgets,
) -> (Vec<Diagnostic>, Option<String>) {
    let warnings = [
        file_size_warning(oversized, budgets.max_file_size),
        budget_warning(size, budgets.max_size),
        files_warning(size, budgets.max_files),
    ];
    let note = budget_note(size, budgets.max_size, budgets.max_files);
    (warnings.into_iter().flatten().collect(), note)
}

/// "paper pages 1.42 GB, topic pages 235.95 MB, …": the first five kinds, each with its figure.
fn named_kinds(kinds: Vec<(Kind, Amount)>, figure: impl Fn(&Amount) -> String) -> String {
    let named: Vec<String> = kinds
        .iter()
        .take(NAMED_KINDS)
        .map(|(kind, amount)| format!("{} {}", kind.name(), figure(amount)))
        .collect();
    named.join(", ")
}

/// A warning when the site is larger than `max_size`, naming its five largest kinds.
fn budget_warning(size: &SiteSize, max_size: u64) -> Option<Diagnostic> {
    let total = size.total();
    if total.bytes <= max_size {
        return None;
    }
    let largest = named_kinds(size.largest(), |amount| bytes_text(amount.bytes));
    Some(
        Diagnostic::warning(
            Location::file(crate::config::CONFIG_FILE),
            format!(
                "the site is {} in {} files, over [deploy] max_size of {}; largest: {largest}",
                bytes_text(total.bytes),
                total.files,
                bytes_text(max_size)
            ),
        )
        .with_hint(
            "leave out what the site can do without under [outputs] (README: Site size), \
             or raise max_size under [deploy]",
        ),
    )
}

/// A warning when the site has more files than `max_files`, naming the five kinds with most.
/// Some hosts count files: Cloudflare Pages takes 20,000 on its free plan.
fn files_warning(size: &SiteSize, max_files: Option<u64>) -> Option<Diagnostic> {
    let total = size.total();
    let max_files = max_files.filter(|&max| total.files > max)?;
    let most = named_kinds(size.most_files(), |amount| amount.files.to_string());
    Some(
        Diagnostic::warning(
            Location::file(crate::config::CONFIG_FILE),
            format!(
                "the site has {} files, over [deploy] max_files of {max_files}; most: {most}",
                total.files
            ),
        )
        .with_hint(
            "citation_files = \"none\" under [outputs] leaves out one file a paper, and \
             [search] enabled = false the index's (README: Site size); or raise max_files",
        ),
    )
}

/// How many files an oversized-file warning names.
const NAMED_FILES: usize = 5;

/// A warning when files are larger than `max_file_size`, naming the largest: Cloudflare Pages,
/// for one, refuses a file over 25 MiB, and a large site's `papers.bib` can be one.
fn file_size_warning(oversized: &Oversized, max_file_size: Option<u64>) -> Option<Diagnostic> {
    let limit = max_file_size.filter(|_| oversized.count > 0)?;
    let named = oversized
        .largest
        .iter()
        .map(|(path, bytes)| format!("{path} {}", bytes_text(*bytes)))
        .collect::<Vec<_>>()
        .join(", ");
    let more = oversized.count - oversized.largest.len() as u64;
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let files = if oversized.count == 1 {
        "1 file is".to_string()
    } else {
        format!("{} files are", oversized.count)
    };
    let has_site_bibtex = oversized
        .largest
        .iter()
        .any(|(path, _)| path == "papers.bib");
    let hint = if has_site_bibtex {
        "papers.bib lists every paper of the site: [outputs] site_bibtex = false leaves it out \
         (each digest keeps its own); or raise max_file_size under [deploy]"
    } else {
        "raise max_file_size under [deploy] if the host takes larger files"
    };
    Some(
        Diagnostic::warning(
            Location::file(crate::config::CONFIG_FILE),
            format!(
                "{files} over [deploy] max_file_size of {}: {named}{more}",
                bytes_text(limit)
            ),
        )
        .with_hint(hint),
    )
}

/// From this share of a budget on (in percent), the summary says how near the site is to it.
const NEAR_BUDGET_PERCENT: u128 = 80;

/// Lines for the summary while the site is near `max_size` or `max_files` but not over (then
/// [`budget_warning`] or [`files_warning`] speaks): a daily digest grows with every digest, and a
/// warning only once the host refuses the site would come too late.
fn budget_note(size: &SiteSize, max_size: u64, max_files: Option<u64>) -> Option<String> {
    let total = size.total();
    let near = |amount: u64, max: u64| {
        let percent = (u128::from(amount) * 100).checked_div(u128::from(max))?;
        (percent >= NEAR_BUDGET_PERCENT && amount <= max).then_some(percent)
    };
    let mut lines = Vec::new();
    if let Some(percent) = near(total.bytes, max_size) {
        let max = bytes_text(max_size);
        lines.push(format!("  {percent} % of [deploy] max_size of {max}"));
    }
    if let Some((percent, max)) = max_files.and_then(|max| Some((near(total.files, max)?, max))) {
        lines.push(format!("  {percent} % of [deploy] max_files of {max}"));
    }
    (!lines.is_empty()).then(|| {
        let last = lines.len() - 1;
        lines[last].push_str(": README (Site size) says what each output costs");
        lines.join("\n")
    })
}

/// "212 B", "3.4 KB", "1.25 GB": decimal units, as hosts state their limits.
pub fn bytes_text(bytes: u64) -> String {
    const UNITS: [(&str, f64); 3] = [("GB", 1e9), ("MB", 1e6), ("KB", 1e3)];
    for (unit, size) in UNITS {
        let value = bytes as f64 / size;
        if value >= 1.0 {
            let text = format!("{value:.2}");
            let text = text.trim_end_matches('0').trim_end_matches('.');
            return format!("{text} {unit}");
        }
    }
    format!("{bytes} B")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_size;

    #[test]
    fn paths_fall_into_their_kinds() {
        let cases = [
            ("papers/2401.00001/index.html", Kind::PaperPages),
            ("papers/2401.00001/cite.bib", Kind::CitationFiles),
            ("papers/2401.00001/cite.json", Kind::CitationFiles),
            ("digests/2024-03-11/index.html", Kind::DigestPages),
            ("digests/2024-03-11/email.html", Kind::Emails),
            ("digests/2024-03-11/email.txt", Kind::Emails),
            ("digests/2024-03-11/papers.bib", Kind::CitationFiles),
            ("topics/sde/index.html", Kind::TopicPages),
            ("topics/sde/feed.xml", Kind::Feeds),
            ("feed.json", Kind::Feeds),
            ("search/p/0.bin", Kind::SearchIndex),
            ("images/cards/a.webp", Kind::Images),
            ("favicon.svg", Kind::Images),
            ("index.html", Kind::Other),
            ("style.css", Kind::Other),
        ];
        for (path, kind) in cases {
            assert_eq!(Kind::of(path), kind, "{path}");
        }
    }

    #[test]
    fn sizes_read_as_written_in_site_toml() {
        assert_eq!(parse_size("1 GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("1.5 gb"), Ok(1_500_000_000));
        assert_eq!(parse_size("2 KiB"), Ok(2048));
        assert_eq!(parse_size("300"), Ok(300));
        for bad in ["", "GB", "1 XB", "0 MB", "-1 GB", "1e99 GB", "1..2 GB"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_rewritten_file_replaces_its_size_and_a_removed_one_takes_it_away() {
        let mut ledger = Ledger::remembering();
        ledger.wrote("papers/a/index.html", 100);
        ledger.wrote("papers/a/index.html", 40);
        ledger.wrote("topics/t/index.html", 7);
        ledger.removed("topics/t/index.html");
        ledger.removed("never/written.html");
        let size = ledger.size;
        assert_eq!(
            size.of(Kind::PaperPages),
            Amount {
                bytes: 40,
                files: 1
            }
        );
        assert_eq!(size.of(Kind::TopicPages), Amount::default());
        assert_eq!(
            size.total(),
            Amount {
                bytes: 40,
                files: 1
            }
        );
    }

    #[test]
    fn a_site_near_its_budget_is_told_how_near() {
        let mut size = SiteSize::default();
        size.add("papers/1/index.html", 799);
        assert_eq!(budget_note(&size, 1000, None), None);
        size.add("papers/2/index.html", 1);
        assert_eq!(
            budget_note(&size, 1000, None).as_deref(),
            Some(
                "  80 % of [deploy] max_size of 1 KB: README (Site size) says what each output costs"
            )
        );
        size.add("papers/3/index.html", 200);
        assert!(budget_note(&size, 1000, None).is_some_and(|note| note.starts_with("  100 %")));
        // Over the budget the warning speaks instead; a zero budget gives no share.
        size.add("papers/4/index.html", 1);
        assert_eq!(budget_note(&size, 1000, None), None);
        assert_eq!(budget_note(&size, 0, None), None);
    }

    #[test]
    fn a_site_near_its_file_budget_is_told_how_near() {
        let mut size = SiteSize::default();
        for paper in 0..9 {
            size.add(&format!("papers/{paper}/index.html"), 10);
        }
        assert_eq!(budget_note(&size, 1_000_000, Some(12)), None, "75 %");
        assert_eq!(
            budget_note(&size, 1_000_000, Some(10)).as_deref(),
            Some(
                "  90 % of [deploy] max_files of 10: README (Site size) says what each output costs"
            )
        );
        // Near both: one line each, the pointer once.
        assert_eq!(
            budget_note(&size, 100, Some(10)).as_deref(),
            Some(
                "  90 % of [deploy] max_size of 100 B\n  90 % of [deploy] max_files of 10: README (Site size) says what each output costs"
            )
        );
        assert_eq!(
            budget_note(&size, 1_000_000, Some(8)),
            None,
            "over: the warning speaks"
        );
    }

    #[test]
    fn files_over_max_file_size_are_named_largest_first() {
        let mut ledger = Ledger {
            max_file_size: Some(1000),
            ..Ledger::default()
        };
        ledger.wrote("index.html", 1000);
        assert!(
            file_size_warning(&ledger.oversized(), Some(1000)).is_none(),
            "at the limit"
        );
        ledger.wrote("papers.bib", 54_270_000);
        let warning = file_size_warning(&ledger.oversized(), Some(1000)).expect("over");
        assert_eq!(
            warning.message,
            "1 file is over [deploy] max_file_size of 1 KB: papers.bib 54.27 MB"
        );
        assert!(
            warning
                .hint
                .as_deref()
                .unwrap()
                .contains("site_bibtex = false")
        );
        for (index, bytes) in [2000, 9000, 3000, 5000, 7000, 1500].into_iter().enumerate() {
            ledger.wrote(&format!("search/{index}.bin"), bytes);
        }
        let oversized = ledger.oversized();
        assert_eq!(oversized.count, 7);
        let named: Vec<u64> = oversized.largest.iter().map(|(_, bytes)| *bytes).collect();
        assert_eq!(named, [54_270_000, 9000, 7000, 5000, 3000]);
        let warning = file_size_warning(&oversized, Some(1000)).unwrap();
        assert!(
            warning.message.starts_with("7 files are over")
                && warning.message.ends_with(" and 2 more"),
            "{}",
            warning.message
        );
        // No limit, no warning, and a ledger that keeps no list.
        assert!(file_size_warning(&oversized, None).is_none());
        assert_eq!(Ledger::default().oversized(), Oversized::default());
    }

    #[test]
    fn a_remembering_ledger_names_the_files_as_they_are_now() {
        let mut ledger = Ledger::remembering();
        ledger.max_file_size = Some(100);
        ledger.wrote("a.html", 500);
        ledger.wrote("b.html", 300);
        ledger.wrote("a.html", 50);
        ledger.removed("b.html");
        assert_eq!(
            ledger.oversized().count,
            0,
            "rewritten smaller, and removed"
        );
        ledger.wrote("c.html", 200);
        assert_eq!(ledger.oversized().largest, [("c.html".to_string(), 200)]);
    }

    #[test]
    fn too_many_files_names_the_kinds_with_most() {
        let mut size = SiteSize::default();
        for paper in 0..3 {
            size.add(&format!("papers/{paper}/index.html"), 5000);
            size.add(&format!("papers/{paper}/cite.bib"), 300);
        }
        size.add("search/index.json", 90_000);
        assert!(files_warning(&size, None).is_none(), "no limit");
        assert!(files_warning(&size, Some(7)).is_none(), "at the limit");
        let warning = files_warning(&size, Some(6)).expect("over");
        assert_eq!(
            warning.message,
            "the site has 7 files, over [deploy] max_files of 6; most: paper pages 3, citation files 3, search index 1"
        );
    }

    #[test]
    fn over_budget_names_the_largest_kinds() {
        let mut size = SiteSize::default();
        size.add("papers/a/index.html", 5000);
        size.add("topics/t/index.html", 3000);
        size.add("search/p/0.bin", 2000);
        assert!(budget_warning(&size, 10_000).is_none());
        let warning = budget_warning(&size, 9_999).expect("over");
        assert!(
            warning
                .message
                .ends_with("largest: paper pages 5 KB, topic pages 3 KB, search index 2 KB"),
            "{}",
            warning.message
        );
        assert_eq!(bytes_text(1_250_000_000), "1.25 GB");
        assert_eq!(bytes_text(999), "999 B");
    }
}
