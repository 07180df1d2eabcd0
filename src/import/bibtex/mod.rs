//! BibTeX (and BibLaTeX) files: every entry becomes a paper.
//!
//! A tolerant parser of our own, because a .bib file in the wild is rarely clean: `@string`
//! macros and `#` concatenation, `{…}` and `"…"` values with nested braces, `@comment` and
//! `@preamble`, entries in parentheses. An entry that cannot be read is reported with its line and
//! skipped; reading resumes at the next line that starts with `@`, so the rest still imports.
//!
//! Mapping: authors from "Last, First and …" (braced names such as `{Google DeepMind}` kept
//! whole), LaTeX to Unicode (`latex.rs`), `eprint` + `archivePrefix = arXiv` (or
//! `eprinttype`) → `arxiv`, `doi`, `url`, `pdf`, `code`, `abstract`, `keywords` → topics,
//! `primaryClass` → a topic through the arXiv table, `date` or `year`/`month`/`day` →
//! published, `journal`/`journaltitle`/`booktitle` → venue.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

mod parse;

pub use parse::{Entry, ParseError, parse};

use super::categories::topic_for;
use super::latex::to_unicode;
use super::partial_date::{DateRead, checked_parts, read_date_text};
use super::{Import, ImportedPaper, arxiv_from_doi, arxiv_from_url, arxiv_in_text, one_line};
use crate::content::RawPaper;
use crate::content::ids::{is_valid_arxiv, normalize_arxiv};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::import::input::no_entry;

/// Reads a .bib file's text; an error when it holds no entry at all.
pub fn read(path: &Path, text: &str, categories: &BTreeMap<String, String>) -> Result<Import> {
    let (entries, errors) = parse(text);
    if entries.is_empty() && errors.is_empty() {
        return Err(no_entry(
            path,
            "no BibTeX entry: entries start with a line such as `@article{key,`",
            "is this a .bib file? CSL-JSON imports with `import csl-json`, a pasted list with `import text`",
        ));
    }
    if let Some(fatal) = errors.iter().find(|e| e.is_fatal) {
        return Err(Error::Invalid(vec![
            Diagnostic::error(Location::at(path, fatal.line, None), fatal.message.clone())
                .with_hint(fatal.hint.unwrap_or_default()),
        ]));
    }
    let mut import = Import::default();
    for error in errors {
        import.warnings.push(
            Diagnostic::warning(Location::at(path, error.line, None), error.message)
                .with_hint("this entry was skipped; the others were imported"),
        );
    }
    for entry in entries {
        let location = Location::at(path, entry.line, None);
        match to_paper(&entry, location.clone(), categories, &mut import.warnings) {
            Some(paper) => import.papers.push(paper),
            None => import.warnings.push(Diagnostic::warning(
                location,
                format!("entry `{}` has no title; skipped", entry.key),
            )),
        }
    }
    Ok(import)
}

/// One entry as a paper; None without a title. A date it could not use is a warning.
fn to_paper(
    entry: &Entry,
    origin: Location,
    categories: &BTreeMap<String, String>,
    warnings: &mut Vec<Diagnostic>,
) -> Option<ImportedPaper> {
    let text = |name: &str| entry.get(name).map(|v| one_line(&to_unicode(v)));
    let raw = |name: &str| {
        entry
            .get(name)
            .map(|v| v.replace(['{', '}'], "").trim().to_string())
    };
    let title = text("title")?;
    let mut doi = raw("doi").map(|d| super::strip_doi_resolver(&d));
    let mut url = raw("url").map(|u| u.replace("\\_", "_").replace("\\%", "%"));
    let prefix = raw("archiveprefix")
        .or_else(|| raw("eprinttype"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut arxiv = raw("eprint").and_then(|e| {
        let id = normalize_arxiv(&e);
        (prefix == "arxiv" || (prefix.is_empty() && is_valid_arxiv(&id))).then_some(id)
    });
    if arxiv.is_none() {
        arxiv = doi
            .as_deref()
            .and_then(arxiv_from_doi)
            .or_else(|| url.as_deref().and_then(arxiv_from_url))
            .or_else(|| raw("journal").as_deref().and_then(arxiv_in_text))
            .or_else(|| {
                // DBLP writes arXiv papers as journal = {CoRR}, volume = {abs/2310.14189}.
                raw("volume")
                    .and_then(|v| v.strip_prefix("abs/").map(normalize_arxiv))
                    .filter(|id| is_valid_arxiv(id))
            });
    }
    if url.as_deref().is_some_and(|u| arxiv_from_url(u).is_some()) {
        url = None;
    }
    if let Some(u) = url.as_deref()
        && doi.is_none()
        && u.to_ascii_lowercase().contains("doi.org/")
    {
        doi = Some(super::strip_doi_resolver(u));
        url = None;
    }
    let mut topics: Vec<String> = entry
        .get("keywords")
        .map(|k| {
            to_unicode(k)
                .split([',', ';'])
                .map(one_line)
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if let Some(class) = raw("primaryclass")
        && let Some(topic) = topic_for(&class, categories)
    {
        super::add_topics(&mut topics, [topic.to_string()]);
    }
    let venue = text("journal")
        .or_else(|| text("journaltitle"))
        .or_else(|| text("booktitle"))
        .or_else(|| match entry.kind.as_str() {
            "phdthesis" => Some(join_venue("PhD thesis", text("school"))),
            "mastersthesis" => Some(join_venue("Master's thesis", text("school"))),
            "techreport" => text("institution"),
            _ => None,
        })
        .filter(|v| {
            let lower = v.to_ascii_lowercase();
            !(arxiv.is_some() && (lower == "corr" || lower.starts_with("arxiv")))
        });
    let paper = RawPaper {
        title,
        authors: entry.get("author").map(authors).unwrap_or_default(),
        arxiv,
        doi,
        url,
        pdf: raw("pdf"),
        code: raw("code"),
        project: raw("project"),
        venue,
        topics,
        abstract_md: entry.get("abstract").map(|a| Arc::from(to_unicode(a))),
        ..RawPaper::default()
    };
    let date = published(entry);
    Some(ImportedPaper::new(paper, origin).with_read_date(date, warnings))
}

fn join_venue(kind: &str, school: Option<String>) -> String {
    match school {
        Some(school) => format!("{kind}, {school}"),
        None => kind.to_string(),
    }
}

/// `date = {2023-10-22}` (BibLaTeX), else `year`, `month` and `day`.
fn published(entry: &Entry) -> DateRead {
    let from_date = entry.get("date").map(|d| read_date_text(&to_unicode(d)));
    let Some(year) = entry.get("year") else {
        return from_date.unwrap_or_default();
    };
    if let Some(read) = from_date.filter(|read| read.date.is_some()) {
        return read;
    }
    let bare = |text: &str| text.trim_matches(['{', '}', ' ']).to_string();
    let year = bare(year);
    let Ok(year) = year.parse::<i64>() else {
        return DateRead::refused(format!(
            "`year = {{{year}}}` is not a year, so `published` was left out"
        ));
    };
    let month = entry.get("month").map(|m| {
        let m = to_unicode(m);
        month_number(&m).ok_or(m)
    });
    let month = match month {
        Some(Err(text)) => {
            let mut read = checked_parts(year, None, None);
            read.problem = read.problem.or(Some(format!(
                "`month = {{{}}}` is not a month, so `published` is the year {year} only",
                text.trim()
            )));
            return read;
        }
        Some(Ok(month)) => Some(month),
        None => None,
    };
    let day = entry
        .get("day")
        .map(|d| bare(d).parse::<i64>().unwrap_or(0));
    checked_parts(year, month, day.filter(|_| month.is_some()))
}

/// A month as a number or a name (`3`, `mar`, `March`); None for anything else. A number is
/// returned as it is, for the date's check to say whether such a month exists.
fn month_number(text: &str) -> Option<i64> {
    let text = text.trim().to_ascii_lowercase();
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let names = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    names
        .iter()
        .position(|m| !text.is_empty() && text.starts_with(m))
        .and_then(|i| i64::try_from(i + 1).ok())
}

/// "Last, First and First von Last and {Google DeepMind} and others" → display names.
pub fn authors(value: &str) -> Vec<String> {
    split_names(value)
        .into_iter()
        .filter(|name| !name.eq_ignore_ascii_case("others"))
        .map(|name| display_name(&name))
        .filter(|name| !name.is_empty())
        .collect()
}

/// Splits on ` and ` outside braces.
fn split_names(value: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = String::new();
    let mut depth = 0;
    let words: Vec<&str> = value.split_whitespace().collect();
    for word in words {
        if depth == 0 && word.eq_ignore_ascii_case("and") {
            names.push(std::mem::take(&mut current));
            continue;
        }
        for c in word.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth = (depth - 1).max(0),
                _ => {}
            }
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    names.push(current);
    names.retain(|n| !n.trim().is_empty());
    names
}

/// One BibTeX name as "First von Last, Jr": commas outside braces separate the parts.
fn display_name(name: &str) -> String {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0;
    for c in name.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    let parts: Vec<String> = parts.iter().map(|p| one_line(&to_unicode(p))).collect();
    let ordered = match parts.as_slice() {
        [last, first] if !first.is_empty() => format!("{first} {last}"),
        [last, jr, first] if !first.is_empty() => format!("{first} {last}, {jr}"),
        _ => parts.join(" "),
    };
    one_line(&ordered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_both_orders_with_braces_kept_whole() {
        assert_eq!(
            authors(
                r#"Song, Yang and Prafulla Dhariwal and {Google DeepMind} and G{\"o}del, Kurt and others"#
            ),
            [
                "Yang Song",
                "Prafulla Dhariwal",
                "Google DeepMind",
                "Kurt Gödel"
            ]
        );
        assert_eq!(authors("{Barnes and Noble}"), ["Barnes and Noble"]);
        assert_eq!(
            authors("King, Jr, Martin Luther"),
            ["Martin Luther King, Jr"]
        );
        assert_eq!(authors("van der Berg, Anna"), ["Anna van der Berg"]);
    }

    #[test]
    fn dates_from_date_or_year_and_month() {
        let (entries, _) = parse(
            "@a{x, date = {2023-10-22}}\n@a{y, year = 2019, month = {Mar}}\n@a{z, year={2017}}",
        );
        let dates: Vec<String> = entries
            .iter()
            .map(|e| published(e).date.unwrap().to_published().unwrap().iso())
            .collect();
        assert_eq!(dates, ["2023-10-22", "2019-03", "2017"]);
    }

    #[test]
    fn dblp_corr_entries_become_arxiv_papers_without_venue() {
        let (entries, _) = parse(
            "@article{d, title={T}, journal={CoRR}, volume={abs/2310.14189}, eprinttype={arXiv}, eprint={2310.14189}}",
        );
        let paper = to_paper(
            &entries[0],
            Location::default(),
            &BTreeMap::new(),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(paper.paper.arxiv.as_deref(), Some("2310.14189"));
        assert_eq!(paper.paper.venue, None);
    }
}
