//! Hugging Face's daily papers: `BASE/api/daily_papers?date=YYYY-MM-DD` (BASE
//! `https://huggingface.co`, or `--api` for a mirror or a test), a JSON list of
//! `{paper: {id, title, summary, authors: [{name}], publishedAt, upvotes, githubRepo?,
//! projectPage?}, title, publishedAt, numComments, thumbnail?}`.
//!
//! Each entry becomes a paper with its arXiv id and PDF link, authors, votes, comment count, code
//! and project links, thumbnail and abstract; papers are in descending order of votes, as on
//! the site. The JSON is read value by value, so a malformed answer is reported with the path of
//! what is wrong (`[3].paper.authors`), and an entry that cannot be a paper is skipped with a
//! warning that says which.

use std::sync::Arc;

use jiff::civil::Date;
use serde_json::Value;

use super::http::Client;
use super::{Import, ImportedPaper, one_line};
use crate::content::RawPaper;
use crate::content::entry::is_safe_link;
use crate::content::ids::{is_valid_arxiv, normalize_arxiv};
use crate::content::published::Published;
use crate::error::{Diagnostic, Error, Location, Result};

pub const DEFAULT_API: &str = "https://huggingface.co";

/// The fields a second import of the same day updates: the source keeps them current. Everything
/// else (title, authors, abstract, notes, topics) is written once and then belongs to the person.
pub const SOURCE_OWNED: &[&str] = &["upvotes", "comments", "code", "project", "thumbnail"];

/// Asks for the list of `date`; `Ok(None)` when the service has no list for that day.
pub fn fetch(client: &mut Client, date: Date) -> Result<Option<String>> {
    client.get(
        "Hugging Face",
        "/api/daily_papers",
        &[("date", &date.to_string())],
        "application/json",
    )
}

/// One entry read from the list: the paper, and the thumbnail URL to download.
#[derive(Debug)]
pub struct DailyPaper {
    pub paper: ImportedPaper,
    pub thumbnail_url: Option<String>,
}

/// Reads a daily papers answer. `origin` names it in messages (`Hugging Face 2024-03-11`).
pub fn parse(json: &str, origin: &str) -> Result<(Vec<DailyPaper>, Import)> {
    let at = |path: &str, message: String| {
        Error::Invalid(vec![
            Diagnostic::error(Location::file(origin), format!("{path}: {message}")).with_hint(
                "the answer is not Hugging Face's daily papers list; check --api, or try again later",
            ),
        ])
    };
    let value: Value = serde_json::from_str(json).map_err(|e| {
        at(
            "the answer",
            format!("not JSON (line {}, column {}): {e}", e.line(), e.column()),
        )
    })?;
    let entries = value
        .as_array()
        .ok_or_else(|| at("the answer", "expected a list of papers".into()))?;
    let mut import = Import::default();
    let mut papers = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        match read_entry(entry, index, origin) {
            Ok(paper) => papers.push(paper),
            Err(Skip::Warning(warning)) => import.warnings.push(*warning),
            Err(Skip::Malformed(path, message)) => return Err(at(&path, message)),
        }
    }
    // As on the site: most voted first; ties keep the list's order.
    papers.sort_by_key(|p| std::cmp::Reverse(p.paper.paper.upvotes.unwrap_or(0)));
    Ok((papers, import))
}

/// Why an entry gives no paper: a warning for an entry that is only incomplete, or the path and
/// what is wrong for one whose shape is not the API's (the whole answer is then refused).
enum Skip {
    Warning(Box<Diagnostic>),
    Malformed(String, String),
}

fn read_entry(entry: &Value, index: usize, origin: &str) -> std::result::Result<DailyPaper, Skip> {
    let path = |field: &str| format!("[{index}].{field}");
    let malformed =
        |field: &str, expected: &str| Skip::Malformed(path(field), format!("expected {expected}"));
    let paper = entry
        .get("paper")
        .filter(|p| p.is_object())
        .ok_or_else(|| malformed("paper", "an object"))?;
    let text = |value: Option<&Value>, field: &str| -> std::result::Result<Option<String>, Skip> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Some(_) => Err(malformed(field, "a string")),
        }
    };
    let count = |value: Option<&Value>, field: &str| -> std::result::Result<Option<u64>, Skip> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| malformed(field, "a whole number")),
        }
    };
    let skip = |message: String| {
        Skip::Warning(Box::new(
            Diagnostic::warning(Location::file(origin), message)
                .with_hint("the entry is left out; the others are imported"),
        ))
    };
    let id = text(paper.get("id"), "paper.id")?
        .map(|id| normalize_arxiv(&id))
        .ok_or_else(|| skip(format!("entry [{index}] has no paper.id")))?;
    if !is_valid_arxiv(&id) {
        return Err(skip(format!("entry [{index}]: `{id}` is not an arXiv id")));
    }
    let title = text(paper.get("title"), "paper.title")?
        .or(text(entry.get("title"), "title")?)
        .map(|t| one_line(&t))
        .ok_or_else(|| skip(format!("entry [{index}] ({id}) has no title")))?;
    let authors = match paper.get("authors") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(authors)) => {
            let mut names = Vec::with_capacity(authors.len());
            for (i, author) in authors.iter().enumerate() {
                let field = format!("paper.authors[{i}].name");
                if let Some(name) = text(author.get("name"), &field)? {
                    names.push(one_line(&name));
                }
            }
            names
        }
        Some(_) => return Err(malformed("paper.authors", "a list of authors")),
    };
    let published = text(paper.get("publishedAt"), "paper.publishedAt")?
        .or(text(entry.get("publishedAt"), "publishedAt")?)
        .and_then(|date| Published::parse(&date).ok());
    let link = |value: Option<String>| value.filter(|url| is_safe_link(url));
    let paper_fields = RawPaper {
        title,
        authors,
        pdf: Some(format!("https://arxiv.org/pdf/{id}")),
        code: link(text(paper.get("githubRepo"), "paper.githubRepo")?),
        project: link(text(paper.get("projectPage"), "paper.projectPage")?),
        published,
        upvotes: count(paper.get("upvotes"), "paper.upvotes")?,
        comments: count(entry.get("numComments"), "numComments")?,
        abstract_md: text(paper.get("summary"), "paper.summary")?.map(|s| Arc::from(s.as_str())),
        arxiv: Some(id.clone()),
        ..RawPaper::default()
    };
    let thumbnail_url = link(text(entry.get("thumbnail"), "thumbnail")?);
    Ok(DailyPaper {
        paper: ImportedPaper::new(paper_fields, Location::file(format!("{origin} [{index}]"))),
        thumbnail_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: &str = r#"[
      {"paper": {"id": "2403.00001", "title": "Fewer  votes", "summary": "An abstract with $x^2$.",
                 "authors": [{"name": "Ada Lovelace", "hidden": false}, {"name": "Alan Turing"}],
                 "publishedAt": "2024-03-10T17:59:00.000Z", "upvotes": 3},
       "title": "Fewer votes", "numComments": 1, "thumbnail": "https://cdn.example/a.png"},
      {"paper": {"id": "2403.00002", "title": "More votes", "summary": "Second.",
                 "authors": [], "upvotes": 42, "githubRepo": "https://github.com/x/y",
                 "projectPage": "javascript:alert(1)"},
       "numComments": 7},
      {"paper": {"title": "No id"}}
    ]"#;

    #[test]
    fn entries_become_papers_most_voted_first() {
        let (papers, import) = parse(DAY, "Hugging Face 2024-03-11").unwrap();
        assert_eq!(papers.len(), 2);
        let first = &papers[0].paper.paper;
        assert_eq!(first.arxiv.as_deref(), Some("2403.00002"));
        assert_eq!(first.upvotes, Some(42));
        assert_eq!(first.comments, Some(7));
        assert_eq!(first.code.as_deref(), Some("https://github.com/x/y"));
        assert_eq!(
            first.project, None,
            "a link that is not a web address is dropped"
        );
        let second = &papers[1].paper.paper;
        assert_eq!(second.title, "Fewer votes");
        assert_eq!(second.authors, ["Ada Lovelace", "Alan Turing"]);
        assert_eq!(
            second.pdf.as_deref(),
            Some("https://arxiv.org/pdf/2403.00001")
        );
        assert_eq!(second.published.unwrap().iso(), "2024-03-10");
        assert_eq!(
            papers[1].thumbnail_url.as_deref(),
            Some("https://cdn.example/a.png")
        );
        assert_eq!(import.warnings.len(), 1);
        assert!(
            import.warnings[0]
                .message
                .contains("entry [2] has no paper.id")
        );
    }

    #[test]
    fn a_malformed_answer_names_the_path_of_what_is_wrong() {
        let wrong = r#"[{"paper": {"id": "2403.00001", "title": "T"}},
                        {"paper": {"id": "2403.00002", "title": "T", "authors": "Ada"}}]"#;
        let error = parse(wrong, "Hugging Face").unwrap_err().to_string();
        assert!(
            error.contains("[1].paper.authors: expected a list of authors"),
            "{error}"
        );
        let error = parse("{\"error\": \"rate\"}", "Hugging Face")
            .unwrap_err()
            .to_string();
        assert!(error.contains("expected a list of papers"), "{error}");
        let error = parse("<html>", "Hugging Face").unwrap_err().to_string();
        assert!(error.contains("not JSON (line 1, column 1)"), "{error}");
    }
}
