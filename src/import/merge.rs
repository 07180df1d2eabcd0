//! Adds imported papers to a digest file that already exists, by paper id, without duplicating.
//!
//! The file is edited as text, not rewritten: its header, comments, body and every paper that is
//! not touched stay byte for byte. A paper that is new is appended as a `[[papers]]` table before
//! the closing `+++`. A paper already in the file (same id, arXiv id or DOI, or same title with
//! nothing telling them apart) is left alone, unless `force` is set: then its table is replaced by
//! the imported metadata, keeping what only the file has (notes, upvotes, extra topics, links)
//! and its page address (an explicit `id` is written when the derived one would change).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::fit;
use super::same_paper::{PaperIndex, PaperKeys};
use super::write::paper_table;
use super::{ImportedPaper, add_topics, paragraphs};
use crate::content::front_matter::{self, Format};
use crate::content::ids::{id_slug, slugify};
use crate::content::{ParsedFile, RawPaper};
use crate::error::{Diagnostic, Error, Location, Result};

/// What happens to a paper the file already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// Left as it is.
    Keep,
    /// Its table replaced by the imported metadata, keeping what only the file has (`--force`).
    All,
    /// Only what the source keeps current is updated: votes, comments, code and project links,
    /// thumbnail (Hugging Face's daily papers). The rest was written once and is the person's.
    SourceOwned,
}

impl Update {
    pub fn forced(force: bool) -> Update {
        if force { Update::All } else { Update::Keep }
    }
}

/// What merging did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MergeCounts {
    pub added: usize,
    pub updated: usize,
    /// Already in the file and left as they were.
    pub kept: usize,
}

/// The new text of `path` (whose current text is `existing`, parsed as `parsed`) with `papers`
/// merged in. A new paper that would share a page address with one of the file's gets an id of
/// its own, with a warning in `warnings`.
pub fn merge_into(
    path: &Path,
    existing: &str,
    parsed: ParsedFile,
    papers: &[ImportedPaper],
    update: Update,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(String, MergeCounts)> {
    let file = read_existing(path, existing, parsed)?;
    let mut changes = plan(&file.papers, papers, update);
    let mut taken: HashSet<String> = file
        .papers
        .iter()
        .map(|paper| id_slug(&paper.derived_id()))
        .collect();
    let mut topics: HashMap<String, String> = HashMap::new();
    for paper in &file.papers {
        for topic in &paper.paper.topics {
            topics
                .entry(slugify(topic))
                .or_insert_with(|| topic.clone());
        }
    }
    for paper in &mut changes.appended {
        if let Some((id, warning)) = fit::unique_id(paper, &mut taken) {
            paper.to_mut().paper.id = Some(id);
            warnings.push(warning);
        }
        if let Some(unified) = fit::unify_topics(paper, &mut topics, warnings) {
            paper.to_mut().paper.topics = unified;
        }
    }
    let counts = changes.counts.clone();
    let lines: Vec<String> = existing
        .strip_prefix('\u{feff}')
        .unwrap_or(existing)
        .split_inclusive('\n')
        .map(str::to_string)
        .collect();
    Ok((apply(lines, &file, changes), counts))
}

/// A digest file read for merging: its papers, and where their tables are.
struct ExistingFile {
    papers: Vec<ImportedPaper>,
    /// 0-based line index of each paper's `[[papers]]` line.
    starts: Vec<usize>,
    /// 0-based line index of the closing `+++`.
    closing: usize,
}

/// Reads the file to merge into; an error when it is not a digest, or when its papers cannot be
/// edited as TOML `[[papers]]` tables.
fn read_existing(path: &Path, existing: &str, parsed: ParsedFile) -> Result<ExistingFile> {
    let Some(digest) = parsed.digest else {
        let mut diagnostics = parsed.diagnostics;
        diagnostics.retain(Diagnostic::is_error);
        diagnostics.push(
            Diagnostic::error(
                Location::file(path),
                "this file exists but is not a digest that can be read, so nothing was imported into it",
            )
            .with_hint("fix it, choose another --out, or pass --force to replace it"),
        );
        return Err(Error::Invalid(diagnostics));
    };
    let split = front_matter::split(existing).expect("the file parsed, so it splits");
    if split.format == Format::Yaml {
        return Err(Error::Usage(format!(
            "{} has YAML front matter; imports add TOML tables, so choose another --out (or convert the file to TOML front matter)",
            path.display()
        )));
    }
    if parsed.paper_lines.len() != digest.papers.len() {
        return Err(Error::Usage(format!(
            "{}: its papers are not all written as [[papers]] tables, so new ones cannot be added safely; choose another --out",
            path.display()
        )));
    }
    Ok(ExistingFile {
        papers: digest.papers.into_iter().map(from_raw).collect(),
        starts: parsed.paper_lines.iter().map(|line| line - 1).collect(),
        closing: split.body_line_offset - 1,
    })
}

/// What merging changes in the file.
#[derive(Default)]
struct Changes<'a> {
    /// Per paper of the file, in file order, its new table if it gets one.
    replacements: Vec<Option<String>>,
    appended: Vec<Cow<'a, ImportedPaper>>,
    counts: MergeCounts,
}

/// Decides, for each imported paper, whether it is added, replaces the file's table (`force`) or
/// is already there. Papers are found through indexes, not by comparing each imported paper
/// with each of the file's (issue 23).
fn plan<'a>(current: &[ImportedPaper], papers: &'a [ImportedPaper], policy: Update) -> Changes<'a> {
    let mut changes = Changes {
        replacements: vec![None; current.len()],
        ..Changes::default()
    };
    let mut in_file = PaperIndex::default();
    for (index, paper) in current.iter().enumerate() {
        in_file.set(index, PaperKeys::of(paper));
    }
    let mut appended = PaperIndex::default();
    for paper in papers {
        let keys = PaperKeys::of(paper);
        match in_file.find(&keys) {
            Some(index) if policy != Update::Keep => {
                let updated = match policy {
                    Update::SourceOwned => source_owned(&current[index], paper),
                    _ => update(&current[index], paper),
                };
                // The file cannot say "year only" but in a comment: compare dates as dates.
                let mut before = current[index].clone();
                if before.paper.published == updated.paper.published {
                    before.published_note = updated.published_note.clone();
                }
                if paper_table(&updated) != paper_table(&before) {
                    changes.replacements[index] = Some(paper_table(&updated));
                    changes.counts.updated += 1;
                } else {
                    changes.counts.kept += 1;
                }
            }
            Some(_) => changes.counts.kept += 1,
            None if appended.find(&keys).is_some() => {
                changes.counts.kept += 1;
            }
            None => {
                appended.set(changes.appended.len(), keys);
                changes.appended.push(Cow::Borrowed(paper));
                changes.counts.added += 1;
            }
        }
    }
    changes
}

/// The file's lines with the changes made, joined in one pass.
fn apply(mut lines: Vec<String>, file: &ExistingFile, changes: Changes) -> String {
    let closing = file.closing;
    // Appended tables go before the closing delimiter.
    let mut tail = String::new();
    if lines[..closing]
        .last()
        .is_some_and(|l| !l.trim().is_empty())
    {
        tail.push('\n');
    }
    for paper in &changes.appended {
        tail.push_str(&paper_table(paper));
        tail.push('\n');
    }
    if tail.trim().is_empty() {
        tail.clear();
    } else {
        if lines[..closing].last().is_some_and(|l| !l.ends_with('\n')) {
            lines[closing - 1].push('\n');
        }
        tail = tail.trim_end_matches('\n').to_string() + "\n";
    }
    // Each replaced table, in file order: the lines it takes the place of, and its text.
    let mut replacements = changes
        .replacements
        .into_iter()
        .enumerate()
        .filter_map(|(index, table)| {
            let table = table?;
            let start = file.starts[index];
            let end = file.starts.get(index + 1).copied().unwrap_or(closing);
            // Keep the blank lines (and comments) that separate this table from the next.
            let mut keep_from = end;
            while keep_from > start + 1 && lines[keep_from - 1].trim().is_empty() {
                keep_from -= 1;
            }
            Some((start, keep_from, table))
        })
        .peekable();
    let mut out = String::with_capacity(lines.iter().map(String::len).sum::<usize>() + tail.len());
    let mut line = 0;
    while line < lines.len() {
        if line == closing {
            out.push_str(&tail);
        }
        if let Some((_, keep_from, table)) = replacements.next_if(|(start, _, _)| *start == line) {
            out.push_str(&table);
            line = keep_from;
            continue;
        }
        out.push_str(&lines[line]);
        line += 1;
    }
    out
}

/// A paper of the file as an import record, to compare and update it.
fn from_raw(mut paper: RawPaper) -> ImportedPaper {
    // A multi-line string ends with the line break before its closing quotes; the writer adds it.
    for text in [&mut paper.abstract_md, &mut paper.notes_md] {
        *text = text.as_deref().map(|t| Arc::from(t.trim_end()));
    }
    ImportedPaper::new(paper, Location::default())
}

/// The file's paper with the fields its source keeps current taken from the import, where the
/// import has them.
fn source_owned(current: &ImportedPaper, imported: &ImportedPaper) -> ImportedPaper {
    let mut updated = current.clone();
    let (mine, theirs) = (&mut updated.paper, &imported.paper);
    let take = |mine: &mut Option<String>, theirs: &Option<String>| {
        if theirs.is_some() {
            mine.clone_from(theirs);
        }
    };
    take(&mut mine.code, &theirs.code);
    take(&mut mine.project, &theirs.project);
    take(&mut mine.thumbnail, &theirs.thumbnail);
    mine.upvotes = theirs.upvotes.or(mine.upvotes);
    mine.comments = theirs.comments.or(mine.comments);
    updated
}

/// The file's paper with the imported metadata laid over it (`--force`).
fn update(current: &ImportedPaper, imported: &ImportedPaper) -> ImportedPaper {
    let mut updated = imported.clone();
    updated.fill_from(current.clone());
    let (new, old) = (&mut updated.paper, &current.paper);
    new.notes_md = old.notes_md.clone().or(new.notes_md.take());
    new.upvotes = old.upvotes.or(new.upvotes);
    new.ours = old.ours || imported.paper.ours;
    let mut topics = old.topics.clone();
    add_topics(&mut topics, imported.paper.topics.clone());
    new.topics = topics;
    // The paper keeps its page: pin the old id when the new metadata would derive another one.
    let old_id = current.derived_id();
    updated.paper.id = current.paper.id.clone();
    if updated.derived_id() != old_id {
        updated.paper.id = Some(old_id);
    }
    // The same abstract, wrapped differently, keeps the file's text.
    if let (Some(old), Some(new)) = (&current.paper.abstract_md, &imported.paper.abstract_md)
        && paragraphs(old) == paragraphs(new)
    {
        updated.paper.abstract_md = Some(old.clone());
    }
    if updated.paper.published == current.paper.published {
        updated.published_note = imported.published_note.clone();
    }
    updated
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "+++\n# curated by hand\ntitle = \"D\"\ndate = 2024-03-11\n\n[[papers]]\ntitle = \"Known\"\narxiv = \"2310.14189\"\nnotes = '''Keep me.'''\n\n[[papers]]\ntitle = \"By DOI\"\ndoi = \"10.1/x\"\n+++\nBody text.\n";

    /// `merge_into` on a file's text.
    fn merge(
        existing: &str,
        papers: &[ImportedPaper],
        force: bool,
    ) -> Result<(String, MergeCounts)> {
        let parsed = crate::content::parse_source(&crate::content::SourceFile {
            path: "c.md".into(),
            text: existing.to_string(),
        });
        let path = Path::new("c.md");
        merge_into(
            path,
            existing,
            parsed,
            papers,
            Update::forced(force),
            &mut Vec::new(),
        )
    }

    fn paper(title: &str, arxiv: Option<&str>) -> ImportedPaper {
        let paper = RawPaper {
            title: title.into(),
            arxiv: arxiv.map(str::to_string),
            authors: vec!["A. Author".into()],
            ..RawPaper::default()
        };
        ImportedPaper::new(paper, Location::default())
    }

    #[test]
    fn new_papers_are_appended_and_known_ones_kept() {
        let papers = [
            paper("Known, retitled", Some("2310.14189v2")),
            paper("New", Some("2403.01234")),
        ];
        let (text, counts) = merge(FILE, &papers, false).unwrap();
        assert_eq!(
            counts,
            MergeCounts {
                added: 1,
                updated: 0,
                kept: 1
            }
        );
        assert!(text.starts_with(&FILE[..FILE.find("+++\nBody").unwrap()]));
        assert!(text.ends_with("[[papers]]\ntitle = \"New\"\nauthors = [\"A. Author\"]\narxiv = \"2403.01234\"\n+++\nBody text.\n"), "{text}");
        let (again, counts) = merge(&text, &papers, false).unwrap();
        assert_eq!(again, text, "a second import changes nothing");
        assert_eq!(counts.kept, 2);
    }

    #[test]
    fn force_updates_metadata_but_keeps_notes_and_the_page() {
        let mut by_arxiv = paper("By DOI", Some("2001.00001"));
        by_arxiv.paper.doi = Some("10.1/X".into());
        let papers = [paper("Known", Some("2310.14189")), by_arxiv];
        let (text, counts) = merge(FILE, &papers, true).unwrap();
        assert_eq!(counts.updated, 2, "{text}");
        assert!(text.contains("authors = [\"A. Author\"]\narxiv = \"2310.14189\"\nnotes = '''\nKeep me.\n'''\n\n[[papers]]\nid = \"10.1/x\"\ntitle = \"By DOI\""), "{text}");
        assert!(text.starts_with("+++\n# curated by hand\n"));
        assert!(text.ends_with("+++\nBody text.\n"));
    }

    // Before importers read files as RawPaper, an update rewrote the table without the file's
    // arxiv_category (BibTeX's primaryClass), which importers do not set.
    #[test]
    fn force_update_keeps_the_files_arxiv_category() {
        let file = FILE.replace(
            "arxiv = \"2310.14189\"\n",
            "arxiv = \"2310.14189\"\narxiv_category = \"cs.LG\"\n",
        );
        let papers = [paper("Known", Some("2310.14189"))];
        let (text, counts) = merge(&file, &papers, true).unwrap();
        assert_eq!(counts.updated, 1, "{text}");
        assert!(text.contains("authors = [\"A. Author\"]\narxiv = \"2310.14189\"\narxiv_category = \"cs.LG\"\nnotes"), "{text}");
    }

    #[test]
    fn unreadable_files_are_not_touched() {
        let error = merge("not a digest", &[], false).unwrap_err();
        assert!(error.to_string().contains("--force"), "{error}");
    }
}
