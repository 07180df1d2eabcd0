//! Importers: paper metadata from arXiv, doi.org, BibTeX, CSL-JSON and pasted lists, written as
//! a digest file in the content format (src/content/raw.rs, docs/import.md).
//!
//! Every importer produces the same thing, an [`Import`]: a list of [`ImportedPaper`]s in source
//! order (each the [`RawPaper`] that the content parser reads, plus where it was read) and warnings
//! about what it could not read (with the source's line when it has one).
//! [`tidy`] then cleans what every source gets wrong the same way (whitespace, links that are not
//! web addresses, duplicates), [`write`] turns papers into stable TOML, and [`merge`] adds them
//! to an existing digest file by paper id instead of duplicating. Importers sit outside the build
//! pipeline: their output is an ordinary digest file that the next build reads.

pub mod arxiv;
pub mod bibtex;
pub mod buildable;
pub mod categories;
pub mod csl;
pub mod doi;
pub mod fit;
pub mod hf;
pub mod http;
pub mod input;
pub mod latex;
pub mod merge;
pub mod partial_date;
pub mod same_paper;
pub mod text;
pub mod thumbnails;
pub mod write;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::civil::Date;

use crate::content::RawPaper;
use crate::content::entry::is_safe_link;
use crate::content::ids::{is_valid_arxiv, normalize_arxiv, paper_id};
use crate::error::{Diagnostic, Location};

pub use input::read_input;
pub use partial_date::{DateRead, PartialDate};
use same_paper::{PaperIndex, PaperKeys};

/// One paper as an importer read it: the `[[papers]]` table it becomes, as the same [`RawPaper`]
/// the content parser reads (so a paper's keys are declared once, in src/content/raw.rs), plus
/// what only an import knows. Importers leave `id` empty (the derived id is used) and `ours` false.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportedPaper {
    pub paper: RawPaper,
    /// A comment written after `published`: what the date stands for when the source knew only
    /// the month or year ("year only"), or the arXiv version it came from.
    pub published_note: Option<String>,
    /// Where the paper was read, for messages: `refs.bib:12`, `arXiv 2310.14189`.
    pub origin: Location,
}

/// What an importer returns.
#[derive(Debug, Default)]
pub struct Import {
    pub papers: Vec<ImportedPaper>,
    /// Entries that were skipped or read with a doubt; never fatal.
    pub warnings: Vec<Diagnostic>,
    /// A date the source itself gives for the digest (a pasted list's "Mar 11").
    pub date: Option<Date>,
}

impl ImportedPaper {
    pub fn new(paper: RawPaper, origin: Location) -> Self {
        ImportedPaper {
            paper,
            published_note: None,
            origin,
        }
    }

    /// Sets `published` from a date the source may know to the month or year only: the format
    /// has no partial dates, so the first day is written and the note says what it stands for.
    #[must_use]
    pub fn with_published(mut self, date: Option<PartialDate>) -> Self {
        self.paper.published = date.and_then(PartialDate::to_published);
        self
    }

    /// Sets `published` from a date as a source gave it, with a warning at the paper's origin
    /// when the date, or part of it, was not usable.
    #[must_use]
    pub fn with_read_date(self, read: DateRead, warnings: &mut Vec<Diagnostic>) -> Self {
        if let Some(problem) = read.problem {
            warnings.push(
                Diagnostic::warning(
                    self.origin.clone(),
                    format!("\"{}\": {problem}", one_line(&self.paper.title)),
                )
                .with_hint("correct the date in the source, or write `published` by hand"),
            );
        }
        self.with_published(read.date)
    }

    /// The paper id the build will derive (src/model/ids.rs): `id`, else arXiv id, else DOI, else a
    /// slug of the title.
    pub fn derived_id(&self) -> String {
        let paper = &self.paper;
        paper_id(
            paper.id.as_deref(),
            paper.arxiv.as_deref(),
            paper.doi.as_deref(),
            &paper.title,
        )
    }

    /// Whether two records are the same paper: same derived id, arXiv id or DOI, or the same title
    /// with no arXiv id or DOI that tells them apart.
    pub fn is_same_paper(&self, other: &ImportedPaper) -> bool {
        PaperKeys::of(self).is_same(&PaperKeys::of(other))
    }

    /// Fills fields this record lacks from `other` (the same paper read twice).
    pub fn fill_from(&mut self, other: ImportedPaper) {
        if self.paper.published.is_none() {
            self.published_note = other.published_note;
        }
        fill_missing(&mut self.paper, other.paper);
    }
}

/// Takes from `theirs` what `mine` lacks: each value `mine` does not have, the authors when it has
/// none, topics it does not list; `ours` when either says so. The id and title stay `mine`'s.
fn fill_missing(mine: &mut RawPaper, theirs: RawPaper) {
    fn fill<T>(mine: &mut Option<T>, theirs: Option<T>) {
        if mine.is_none() {
            *mine = theirs;
        }
    }
    // Every key is named, so that a key added to RawPaper does not compile until it is decided here.
    let RawPaper {
        id: _,
        title: _,
        authors,
        arxiv,
        arxiv_category,
        doi,
        url,
        pdf,
        code,
        project,
        venue,
        published,
        topics,
        upvotes,
        comments,
        thumbnail,
        ours,
        abstract_md,
        notes_md,
    } = theirs;
    fill(&mut mine.arxiv, arxiv);
    fill(&mut mine.arxiv_category, arxiv_category);
    fill(&mut mine.doi, doi);
    fill(&mut mine.url, url);
    fill(&mut mine.pdf, pdf);
    fill(&mut mine.code, code);
    fill(&mut mine.project, project);
    fill(&mut mine.venue, venue);
    fill(&mut mine.published, published);
    fill(&mut mine.upvotes, upvotes);
    fill(&mut mine.comments, comments);
    fill(&mut mine.thumbnail, thumbnail);
    fill(&mut mine.abstract_md, abstract_md);
    fill(&mut mine.notes_md, notes_md);
    mine.ours |= ours;
    if mine.authors.is_empty() {
        mine.authors = authors;
    }
    add_topics(&mut mine.topics, topics);
}

/// Adds topics not yet present (compared case-insensitively), keeping the first spelling.
pub fn add_topics(topics: &mut Vec<String>, more: impl IntoIterator<Item = String>) {
    // A set, not a scan per topic: a keywords field can list a hundred thousand.
    let mut seen: HashSet<String> = topics.iter().map(|t| crate::config::topic_key(t)).collect();
    for topic in more {
        let key = crate::config::topic_key(&topic);
        if !key.is_empty() && seen.insert(key) {
            topics.push(topic.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
}

/// Cleans what every source gets wrong the same way: folds whitespace in one-line fields, drops
/// control characters, drops links that are not web addresses, leaves out what else the build
/// would refuse (`fit.rs`) and merges papers listed twice. Warnings go into `import.warnings`.
pub fn tidy(import: &mut Import) {
    let papers = std::mem::take(&mut import.papers);
    let mut kept: Vec<ImportedPaper> = Vec::with_capacity(papers.len());
    let mut index = PaperIndex::default();
    for mut imported in papers {
        tidy_paper(&mut imported.paper, &imported.origin, &mut import.warnings);
        if imported.paper.title.is_empty() {
            import.warnings.push(
                Diagnostic::warning(imported.origin, "an entry without a title was skipped")
                    .with_hint("every paper needs a title"),
            );
            continue;
        }
        if !fit::fit_paper(&mut imported, &mut import.warnings) {
            continue;
        }
        let keys = PaperKeys::of(&imported);
        if let Some(at) = index.find(&keys) {
            let first = &mut kept[at];
            import.warnings.push(Diagnostic::warning(
                imported.origin.clone(),
                format!(
                    "\"{}\" is listed twice (first at {}); the two were merged",
                    imported.paper.title, first.origin
                ),
            ));
            first.fill_from(imported);
            // Filled in, it may now be found by an arXiv id or DOI it did not have.
            index.set(at, PaperKeys::of(first));
            continue;
        }
        index.set(kept.len(), keys);
        kept.push(imported);
    }
    let (mut taken, mut topics) = (HashSet::new(), HashMap::new());
    for imported in &mut kept {
        if let Some((id, warning)) = fit::unique_id(imported, &mut taken) {
            imported.paper.id = Some(id);
            import.warnings.push(warning);
        }
        if let Some(unified) = fit::unify_topics(imported, &mut topics, &mut import.warnings) {
            imported.paper.topics = unified;
        }
    }
    import.papers = kept;
}

fn tidy_paper(paper: &mut RawPaper, origin: &Location, warnings: &mut Vec<Diagnostic>) {
    paper.title = one_line(&paper.title);
    paper.authors = paper
        .authors
        .iter()
        .map(|a| one_line(a))
        .filter(|a| !a.is_empty())
        .collect();
    let topics = std::mem::take(&mut paper.topics);
    add_topics(
        &mut paper.topics,
        topics.iter().map(|t| one_line(t)).filter(|t| !t.is_empty()),
    );
    for field in [
        &mut paper.arxiv,
        &mut paper.arxiv_category,
        &mut paper.doi,
        &mut paper.venue,
    ] {
        *field = field.as_deref().map(one_line).filter(|v| !v.is_empty());
    }
    if let Some(arxiv) = &paper.arxiv {
        paper.arxiv = Some(normalize_arxiv(arxiv));
    }
    if let Some(doi) = &paper.doi {
        paper.doi = Some(strip_doi_resolver(doi));
    }
    for (label, field) in [
        ("url", &mut paper.url),
        ("pdf", &mut paper.pdf),
        ("code", &mut paper.code),
        ("project", &mut paper.project),
    ] {
        let Some(value) = field.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
            *field = None;
            continue;
        };
        let value = value.replace(' ', "%20");
        if is_safe_link(&value) {
            *field = Some(value);
        } else {
            warnings.push(Diagnostic::warning(
                origin.clone(),
                format!(
                    "`{label}` of \"{}\" is not a web address and was left out: `{value}`",
                    paper.title
                ),
            ));
            *field = None;
        }
    }
    for field in [&mut paper.abstract_md, &mut paper.notes_md] {
        *field = field
            .as_deref()
            .map(|text| {
                paragraphs(text)
                    .split("\n\n")
                    .map(escape_block_start)
                    .collect::<Vec<_>>()
                    .join("\n\n")
            })
            .filter(|v| !v.is_empty())
            .map(Arc::from);
    }
}

/// Whitespace folded to single spaces, control characters dropped.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Paragraphs (separated by blank lines) each folded to one line, joined by a blank line.
pub fn paragraphs(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(one_line(&current));
                current.clear();
            }
        } else {
            current.push_str(line);
            current.push(' ');
        }
    }
    if !current.trim().is_empty() {
        out.push(one_line(&current));
    }
    out.retain(|p| !p.is_empty());
    out.join("\n\n")
}

/// A pasted paragraph that happens to start like a Markdown heading, list or quote ("- we show",
/// "1. Introduction") would render as one: escape its first character so it stays text.
pub fn escape_block_start(paragraph: &str) -> String {
    let first_word = paragraph.split(' ').next().unwrap_or("");
    let digits = first_word.bytes().take_while(u8::is_ascii_digit).count();
    let is_block = matches!(first_word, "-" | "+" | "*" | ">")
        || (!first_word.is_empty()
            && first_word.bytes().all(|b| b == b'#')
            && first_word.len() <= 6)
        || (digits > 0 && digits <= 9 && matches!(&first_word[digits..], "." | ")"))
        || paragraph.starts_with("```")
        || paragraph.starts_with("~~~")
        || (!paragraph.is_empty() && paragraph.bytes().all(|b| b == b'=' || b == b'-'));
    if !is_block {
        return paragraph.to_string();
    }
    if digits > 0 {
        format!("{}\\{}", &paragraph[..digits], &paragraph[digits..])
    } else {
        format!("\\{paragraph}")
    }
}

/// A DOI as written, without `https://doi.org/` or `doi:` in front.
pub fn strip_doi_resolver(doi: &str) -> String {
    let mut doi = doi.trim();
    for prefix in [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi.org/",
        "doi:",
        "DOI:",
        "DOI ",
    ] {
        if let Some(rest) = strip_prefix_ignoring_case(doi, prefix) {
            doi = rest.trim();
        }
    }
    doi.to_string()
}

/// The arXiv id inside a DOI of the form `10.48550/arXiv.2310.14189`.
pub fn arxiv_from_doi(doi: &str) -> Option<String> {
    let doi = strip_doi_resolver(doi);
    let prefix = "10.48550/arxiv.";
    strip_prefix_ignoring_case(&doi, prefix)
        .filter(|rest| !rest.is_empty())
        .map(normalize_arxiv)
}

/// `text` without `prefix`, compared ignoring ASCII case; None when it does not start with it
/// (also when the prefix's length falls inside a character of `text`).
fn strip_prefix_ignoring_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .map(|_| &text[prefix.len()..])
}

/// The arXiv id in an arXiv link: `https://arxiv.org/abs/2310.14189v2`, `…/pdf/2310.14189.pdf`.
pub fn arxiv_from_url(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let start = ["arxiv.org/abs/", "arxiv.org/pdf/"]
        .iter()
        .find_map(|marker| lower.find(marker).map(|i| i + marker.len()))?;
    let rest = &url[start..];
    let id = rest.split(['?', '#']).next()?.trim_end_matches('/');
    let id = id.strip_suffix(".pdf").unwrap_or(id);
    let normalized = normalize_arxiv(id);
    is_valid_arxiv(&normalized).then_some(normalized)
}

/// `arXiv:2310.14189`, `arXiv: 2310.14189v2`, `arXiv preprint arXiv:2310.14189` in free text.
pub fn arxiv_in_text(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("arxiv") {
        let start = from + found + "arxiv".len();
        let rest = text[start..].trim_start_matches([':', ' ', '.']);
        // No id is longer; reading on would read the rest of a text of "arxivarxiv…" each time.
        let candidate: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-'))
            .take(40)
            .collect();
        let id = normalize_arxiv(candidate.trim_end_matches('.'));
        if is_valid_arxiv(&id) {
            return Some(id);
        }
        from = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paper(title: &str) -> ImportedPaper {
        ImportedPaper {
            paper: RawPaper {
                title: title.into(),
                ..RawPaper::default()
            },
            ..ImportedPaper::default()
        }
    }

    #[test]
    fn same_paper_by_id_arxiv_doi_or_title() {
        let mut a = paper("Attention Is All You Need");
        a.paper.arxiv = Some("1706.03762".into());
        let mut b = paper("Attention is all you need");
        b.paper.doi = Some("10.5555/3295222.3295349".into());
        assert!(
            a.is_same_paper(&b),
            "same title, nothing to tell them apart"
        );
        b.paper.arxiv = Some("1706.03763".into());
        assert!(!a.is_same_paper(&b), "different arXiv ids");
        let mut c = paper("Other title");
        c.paper.arxiv = Some("arXiv:1706.03762v5".into());
        assert!(a.is_same_paper(&c));
    }

    #[test]
    fn tidy_drops_bad_links_and_merges_duplicates() {
        let mut first = paper("  A   title ");
        first.paper.pdf = Some("file:///home/x.pdf".into());
        let mut second = paper("A title");
        second.paper.code = Some("https://github.com/x/y".into());
        second.paper.topics = vec!["Vision".into(), "vision".into()];
        let mut import = Import {
            papers: vec![first, second],
            ..Import::default()
        };
        tidy(&mut import);
        assert_eq!(import.papers.len(), 1);
        let p = &import.papers[0].paper;
        assert_eq!(p.title, "A title");
        assert_eq!(p.pdf, None);
        assert_eq!(p.code.as_deref(), Some("https://github.com/x/y"));
        assert_eq!(p.topics, ["Vision"]);
        assert_eq!(import.warnings.len(), 2);
    }

    #[test]
    fn paragraphs_fold_lines_and_keep_blank_line_breaks() {
        assert_eq!(
            paragraphs("one\n  two\r\n\n\nthree\tfour\n"),
            "one two\n\nthree four"
        );
    }

    #[test]
    fn paragraphs_that_look_like_markdown_blocks_are_escaped() {
        assert_eq!(escape_block_start("- we show"), "\\- we show");
        assert_eq!(escape_block_start("1. Introduction"), "1\\. Introduction");
        assert_eq!(escape_block_start("## Results"), "\\## Results");
        assert_eq!(escape_block_start("-10 degrees"), "-10 degrees");
        assert_eq!(escape_block_start("2024 was"), "2024 was");
    }

    #[test]
    fn arxiv_ids_from_dois_and_links() {
        assert_eq!(
            arxiv_from_doi("10.48550/arXiv.2310.14189").as_deref(),
            Some("2310.14189")
        );
        assert_eq!(arxiv_from_doi("10.1145/1"), None);
        assert_eq!(
            arxiv_from_url("http://arxiv.org/abs/hep-th/9901001v2").as_deref(),
            Some("hep-th/9901001")
        );
        assert_eq!(
            arxiv_from_url("https://arxiv.org/pdf/2310.14189.pdf").as_deref(),
            Some("2310.14189")
        );
        assert_eq!(arxiv_from_url("https://example.org/abs/1"), None);
    }

    #[test]
    fn arxiv_ids_in_free_text() {
        assert_eq!(
            arxiv_in_text("arXiv preprint arXiv:2310.14189").as_deref(),
            Some("2310.14189")
        );
        assert_eq!(
            arxiv_in_text("arXiv: hep-th/9901001v2").as_deref(),
            Some("hep-th/9901001")
        );
        assert_eq!(arxiv_in_text("no id here"), None);
    }

    /// Text from pieces of ids and links, multi-byte characters among them, for the helpers that
    /// cut at a prefix's length: they must not cut inside a character.
    fn random_id_text(rng: &mut impl FnMut(usize) -> usize) -> String {
        const PIECES: &[&str] = &[
            "https://doi.org/",
            "doi:",
            "DOI ",
            "10.48550/arXiv.",
            "arxiv.org/abs/",
            "arXiv:",
            "2310.14189",
            "v2",
            "é",
            "\u{3000}",
            "日本",
            "a",
            ".pdf",
            "/",
            " ",
            "arxiv",
        ];
        (0..rng(8)).map(|_| PIECES[rng(PIECES.len())]).collect()
    }

    #[test]
    fn id_helpers_never_cut_inside_a_character() {
        assert_eq!(strip_doi_resolver("aaaaaaaaaaaaaaaé"), "aaaaaaaaaaaaaaaé");
        assert_eq!(arxiv_from_doi("10.48550/arxiv"), None);
        assert_eq!(
            arxiv_from_doi("10.48550/arXiv.2310.14189").as_deref(),
            Some("2310.14189")
        );
        for seed in 0..2000 {
            let mut rng = crate::test_rng(seed);
            let text = random_id_text(&mut rng);
            let _ = strip_doi_resolver(&text);
            let _ = arxiv_from_doi(&text);
            let _ = arxiv_from_url(&text);
            let _ = arxiv_in_text(&text);
            let _ = arxiv::RequestedId::parse(&text);
        }
    }
}
