//! arXiv: papers by id, by search query, or from a saved API response (Atom XML).
//!
//! The API (`https://export.arxiv.org/api/query`, or `DIGESTIF_ARXIV_API`) is asked politely:
//! ids in batches, one request at a time, a pause between requests (3 s unless told otherwise),
//! retries with backoff. Each Atom `<entry>` becomes a paper: title with whitespace folded,
//! authors, abstract, first-version date (the latest version's date goes into a comment), DOI,
//! journal reference as venue, PDF link, categories as topics (`categories.rs`), and a code link
//! when the comment or abstract names a repository.

use std::collections::BTreeMap;
use std::sync::Arc;

use indicatif::ProgressBar;
use jiff::civil::Date;

use super::categories::topic_for;
use super::http::Client;
use super::{Import, ImportedPaper, add_topics, one_line, paragraphs};
use crate::content::RawPaper;
use crate::content::ids::{is_valid_arxiv, normalize_arxiv};
use crate::content::published::Published;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::import::input::MAX_ENTRIES;

pub const DEFAULT_ENDPOINT: &str = "https://export.arxiv.org/api/query";
/// Ids per request; keeps URLs short and answers quick.
const BATCH: usize = 50;
/// Results per page of a search.
const PAGE: usize = 100;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const ARXIV: &str = "http://arxiv.org/schemas/atom";
const OPENSEARCH: &str = "http://a9.com/-/spec/opensearch/1.1/";

/// How search results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SortOrder {
    #[default]
    Relevance,
    /// Newest submissions first.
    Submitted,
    /// Most recently updated first.
    Updated,
}

/// One arXiv id as asked for: without prefix, with its version when one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedId {
    /// `2310.14189`, `hep-th/9901001`.
    pub id: String,
    /// `2` for `2310.14189v2`.
    pub version: Option<u32>,
}

impl RequestedId {
    /// Parses what a user types: `2310.14189`, `arXiv:2310.14189v2`, an abs or pdf link.
    pub fn parse(input: &str) -> Option<RequestedId> {
        let trimmed = input.trim();
        let lower = trimmed.to_ascii_lowercase();
        let mut text = trimmed;
        for marker in ["arxiv.org/abs/", "arxiv.org/pdf/"] {
            if let Some(i) = lower.find(marker) {
                text = &trimmed[i + marker.len()..];
            }
        }
        if lower.starts_with("arxiv:") {
            text = &trimmed[6..];
        }
        let text = text.trim_end_matches('/');
        let text = text.strip_suffix(".pdf").unwrap_or(text);
        let id = normalize_arxiv(text);
        if !is_valid_arxiv(&id) {
            return None;
        }
        let version = text
            .get(id.len()..)
            .and_then(|rest| rest.strip_prefix('v'))
            .and_then(|v| v.parse().ok());
        Some(RequestedId { id, version })
    }

    fn query_form(&self) -> String {
        match self.version {
            Some(v) => format!("{}v{v}", self.id),
            None => self.id.clone(),
        }
    }
}

/// One `<entry>` of an API response.
#[derive(Debug, Default)]
struct Entry {
    id: String,
    version: Option<u32>,
    title: String,
    summary: String,
    authors: Vec<String>,
    published: Option<Date>,
    /// `<published>` as written, when it is there but not a date a paper can have.
    unusable_published: Option<String>,
    updated: Option<Date>,
    doi: Option<String>,
    journal_ref: Option<String>,
    comment: Option<String>,
    pdf: Option<String>,
    primary_category: Option<String>,
    categories: Vec<String>,
    /// The API reports bad requests as an entry whose id is an error URL.
    error: Option<String>,
}

/// A parsed API response.
#[derive(Debug, Default)]
struct Feed {
    entries: Vec<Entry>,
    total_results: Option<usize>,
}

/// Fetches papers by id. Unknown or malformed ids are warnings; the rest still import.
pub fn fetch_ids(
    client: &mut Client,
    inputs: &[String],
    categories: &BTreeMap<String, String>,
    progress: &ProgressBar,
) -> Result<Import> {
    let mut import = Import::default();
    let mut requested: Vec<RequestedId> = Vec::new();
    for input in inputs {
        match RequestedId::parse(input) {
            Some(id) if !requested.contains(&id) => requested.push(id),
            Some(_) => {}
            None => import.warnings.push(
                Diagnostic::warning(
                    Location::file(format!("arXiv {input}")),
                    format!("`{input}` is not an arXiv id; skipped"),
                )
                .with_hint("arXiv ids look like 2310.14189, 2310.14189v2 or hep-th/9901001"),
            ),
        }
    }
    progress.set_length(requested.len() as u64);
    let mut unmapped = Vec::new();
    for batch in requested.chunks(BATCH) {
        let list = batch
            .iter()
            .map(RequestedId::query_form)
            .collect::<Vec<_>>()
            .join(",");
        let max = batch.len().to_string();
        let body = client
            .get(
                "arXiv",
                "",
                &[("id_list", &list), ("max_results", &max)],
                "application/atom+xml",
            )?
            .ok_or_else(|| not_found_endpoint(client))?;
        let feed = parse_feed(&body).map_err(|e| {
            Error::Fetch(format!("arXiv sent a response that is not Atom XML: {e}"))
        })?;
        let mut found = vec![false; batch.len()];
        for entry in feed.entries {
            if let Some(message) = &entry.error {
                import.warnings.push(Diagnostic::warning(
                    Location::file("arXiv"),
                    format!("arXiv rejected the request: {message}"),
                ));
                continue;
            }
            if entry.title.is_empty() {
                continue;
            }
            let position = batch.iter().position(|r| r.id == entry.id);
            if let Some(p) = position {
                found[p] = true;
            }
            let pinned = position.and_then(|p| batch[p].version);
            import.papers.push(to_paper(
                entry,
                pinned,
                categories,
                &mut unmapped,
                &mut import.warnings,
                None,
            ));
            progress.inc(1);
        }
        for (requested, found) in batch.iter().zip(found) {
            if !found {
                import.warnings.push(Diagnostic::warning(
                    Location::file(format!("arXiv {}", requested.query_form())),
                    "no such paper on arXiv; skipped",
                ));
                progress.inc(1);
            }
        }
    }
    warn_unmapped(&mut import, unmapped);
    Ok(import)
}

/// Fetches up to `max` papers matching an arXiv search query (`cat:cs.LG AND ti:consistency`).
pub fn fetch_query(
    client: &mut Client,
    query: &str,
    max: usize,
    sort: SortOrder,
    categories: &BTreeMap<String, String>,
    progress: &ProgressBar,
) -> Result<Import> {
    let mut import = Import::default();
    let mut unmapped = Vec::new();
    progress.set_length(max as u64);
    let (sort_by, order) = match sort {
        SortOrder::Relevance => ("relevance", "descending"),
        SortOrder::Submitted => ("submittedDate", "descending"),
        SortOrder::Updated => ("lastUpdatedDate", "descending"),
    };
    let mut start = 0;
    while start < max {
        let count = PAGE.min(max - start);
        let (start_text, count_text) = (start.to_string(), count.to_string());
        let body = client
            .get(
                "arXiv",
                "",
                &[
                    ("search_query", query),
                    ("start", &start_text),
                    ("max_results", &count_text),
                    ("sortBy", sort_by),
                    ("sortOrder", order),
                ],
                "application/atom+xml",
            )?
            .ok_or_else(|| not_found_endpoint(client))?;
        let feed = parse_feed(&body).map_err(|e| {
            Error::Fetch(format!("arXiv sent a response that is not Atom XML: {e}"))
        })?;
        let received = feed.entries.len();
        for entry in feed.entries {
            if let Some(message) = entry.error {
                return Err(Error::Fetch(format!(
                    "arXiv rejected the query `{query}`: {message}"
                )));
            }
            import.papers.push(to_paper(
                entry,
                None,
                categories,
                &mut unmapped,
                &mut import.warnings,
                None,
            ));
            progress.inc(1);
        }
        start += received;
        let total = feed.total_results.unwrap_or(usize::MAX);
        if received == 0 || start >= total {
            progress.set_length(start as u64);
            break;
        }
    }
    if import.papers.is_empty() {
        import.warnings.push(Diagnostic::warning(
            Location::file("arXiv"),
            format!("no paper matches `{query}`"),
        ).with_hint("arXiv's query syntax: cat:cs.LG AND ti:consistency, au:hinton, abs:\"diffusion model\""));
    }
    warn_unmapped(&mut import, unmapped);
    Ok(import)
}

/// Reads a saved API response.
pub fn read_file(
    path: &std::path::Path,
    text: &str,
    categories: &BTreeMap<String, String>,
) -> Result<Import> {
    let feed = parse_feed(text).map_err(|e| {
        if matches!(e, roxmltree::Error::NodesLimitReached) {
            return Error::Invalid(vec![
                Diagnostic::error(
                    Location::file(path),
                    format!("the XML has more than {MAX_XML_NODES} nodes, more than an import reads"),
                )
                .with_hint("split the response into smaller files, or ask arXiv for fewer papers at a time"),
            ]);
        }
        Error::Invalid(vec![Diagnostic::error(
            Location::at(path, e.pos().row as usize, Some(e.pos().col as usize)),
            format!("not an arXiv API response (Atom XML): {e}"),
        )])
    })?;
    if feed.entries.len() > MAX_ENTRIES {
        return Err(super::input::too_many_entries(path, None));
    }
    if feed.entries.is_empty() {
        return Err(super::input::no_entry(
            path,
            "the response holds no <entry>: no paper to import",
            "save the answer of an arXiv API query (export.arxiv.org/api/query?id_list=…) that found papers",
        ));
    }
    let mut import = Import::default();
    let mut unmapped = Vec::new();
    for entry in feed.entries {
        if let Some(message) = entry.error {
            import.warnings.push(Diagnostic::warning(
                Location::file(path),
                format!("the saved response holds an arXiv error: {message}"),
            ));
            continue;
        }
        let origin = Some(Location::file(path));
        let paper = to_paper(
            entry,
            None,
            categories,
            &mut unmapped,
            &mut import.warnings,
            origin,
        );
        import.papers.push(paper);
    }
    warn_unmapped(&mut import, unmapped);
    Ok(import)
}

fn not_found_endpoint(client: &Client) -> Error {
    Error::Fetch(format!(
        "{} answered 404: is it the arXiv API's query address? (set it with --api or DIGESTIF_ARXIV_API)",
        client.options.endpoint
    ))
}

fn warn_unmapped(import: &mut Import, mut unmapped: Vec<String>) {
    unmapped.sort();
    unmapped.dedup();
    if !unmapped.is_empty() {
        import.warnings.push(
            Diagnostic::warning(
                Location::file("arXiv"),
                format!("categories without a topic: {}", unmapped.join(", ")),
            )
            .with_hint("name them under [topics.arxiv_categories] in site.toml, e.g. \"q-bio.NC\" = \"neuroscience\""),
        );
    }
}

/// One entry as a paper, read at `origin` (the file it was saved in, else the arXiv id). A
/// `<published>` that is not a date is a warning.
fn to_paper(
    entry: Entry,
    pinned_version: Option<u32>,
    categories: &BTreeMap<String, String>,
    unmapped: &mut Vec<String>,
    warnings: &mut Vec<Diagnostic>,
    origin: Option<Location>,
) -> ImportedPaper {
    let origin = origin.unwrap_or_else(|| Location::file(format!("arXiv {}", entry.id)));
    if let Some(text) = &entry.unusable_published {
        warnings.push(
            Diagnostic::warning(
                origin.clone(),
                format!(
                    "\"{}\": <published> `{}` is not a date, so `published` was left out",
                    one_line(&entry.title),
                    text.trim()
                ),
            )
            .with_hint("write `published` by hand"),
        );
    }
    let mut topics = Vec::new();
    let codes = entry.primary_category.iter().chain(entry.categories.iter());
    for code in codes {
        match topic_for(code, categories) {
            Some(topic) => add_topics(&mut topics, [topic.to_string()]),
            None => unmapped.push(code.clone()),
        }
    }
    let pdf = entry.pdf.map(|link| {
        let link = link.replacen("http://", "https://", 1);
        match pinned_version {
            Some(_) => link,
            // Without a pinned version, link the latest PDF rather than the one of today.
            None => strip_version(&link),
        }
    });
    let version_note = match (entry.version, entry.published, entry.updated) {
        (Some(v), _, _) if pinned_version.is_some() => Some(format!("arXiv v{v}")),
        (Some(v), Some(first), Some(latest)) if v > 1 && latest != first => {
            Some(format!("first version; v{v} of {latest}"))
        }
        _ => None,
    };
    let abstract_md = paragraphs(&entry.summary);
    let code = [entry.comment.as_deref(), Some(abstract_md.as_str())]
        .into_iter()
        .flatten()
        .find_map(repository_link);
    ImportedPaper {
        paper: RawPaper {
            title: one_line(&entry.title),
            authors: entry.authors,
            arxiv: Some(entry.id.clone()),
            doi: entry.doi,
            pdf,
            code,
            venue: entry.journal_ref.map(|j| one_line(&j)),
            published: entry.published.map(Published::day),
            topics,
            abstract_md: Some(abstract_md).filter(|a| !a.is_empty()).map(Arc::from),
            ..RawPaper::default()
        },
        published_note: version_note,
        origin,
    }
}

fn strip_version(link: &str) -> String {
    let (base, tail) = link.rsplit_once('/').unwrap_or(("", link));
    let id = normalize_arxiv(tail);
    if base.is_empty() {
        id
    } else {
        format!("{base}/{id}")
    }
}

/// The first code repository link in a text: GitHub, GitLab, Bitbucket, Codeberg.
pub fn repository_link(text: &str) -> Option<String> {
    for word in text.split(|c: char| c.is_whitespace() || c == '(' || c == '<' || c == '{') {
        let word = word.trim_end_matches(['.', ',', ';', ':', ')', '>', '}', ']', '\'', '"']);
        let lower = word.to_ascii_lowercase();
        let link = if lower.starts_with("https://") || lower.starts_with("http://") {
            word.to_string()
        } else if ["github.com/", "gitlab.com/"]
            .iter()
            .any(|h| lower.starts_with(h))
        {
            format!("https://{word}")
        } else {
            continue;
        };
        let host = link
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap_or("");
        let host = host.to_ascii_lowercase();
        let is_repository = ["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"]
            .iter()
            .any(|h| host == *h || host == format!("www.{h}"));
        // A repository link names an owner and a project.
        if is_repository && link.split('/').filter(|s| !s.is_empty()).count() >= 4 {
            return Some(link);
        }
    }
    None
}

/// The most XML nodes a response may have: a real response of 64 MB, the most an import reads,
/// has about three million (one every 22 to 29 bytes), and each costs some 64 bytes in memory.
const MAX_XML_NODES: u32 = 4_000_000;

/// A response's entries, at most [`MAX_ENTRIES`] and one more (for the caller to refuse).
fn parse_feed(text: &str) -> std::result::Result<Feed, roxmltree::Error> {
    let options = roxmltree::ParsingOptions {
        nodes_limit: MAX_XML_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options)?;
    let root = document.root_element();
    let mut feed = Feed {
        total_results: child_text(root, OPENSEARCH, "totalResults")
            .and_then(|t| t.trim().parse().ok()),
        ..Feed::default()
    };
    let entries = root.children().filter(|n| n.has_tag_name((ATOM, "entry")));
    for node in entries.take(MAX_ENTRIES + 1) {
        feed.entries.push(parse_entry(node));
    }
    Ok(feed)
}

fn parse_entry(node: roxmltree::Node) -> Entry {
    let id_url = child_text(node, ATOM, "id").unwrap_or_default();
    let title = child_text(node, ATOM, "title").unwrap_or_default();
    let summary = child_text(node, ATOM, "summary").unwrap_or_default();
    if id_url.contains("/api/errors") || (title.trim() == "Error" && !id_url.contains("/abs/")) {
        return Entry {
            error: Some(one_line(&summary)),
            ..Entry::default()
        };
    }
    let tail = id_url.split("/abs/").nth(1).unwrap_or(&id_url).trim();
    let id = normalize_arxiv(tail);
    let version = tail
        .get(id.len()..)
        .and_then(|rest| rest.strip_prefix('v'))
        .and_then(|v| v.parse().ok());
    let date = |name| child_text(node, ATOM, name).and_then(|t| parse_timestamp_date(&t));
    let published_text = child_text(node, ATOM, "published");
    let published = published_text.as_deref().and_then(parse_timestamp_date);
    let mut entry = Entry {
        id,
        version,
        title,
        summary,
        published,
        unusable_published: published_text.filter(|_| published.is_none()),
        updated: date("updated"),
        doi: child_text(node, ARXIV, "doi").map(|d| d.trim().to_string()),
        journal_ref: child_text(node, ARXIV, "journal_ref"),
        comment: child_text(node, ARXIV, "comment"),
        ..Entry::default()
    };
    for child in node.children().filter(roxmltree::Node::is_element) {
        let name = child.tag_name();
        match (name.namespace(), name.name()) {
            (Some(ATOM), "author") => {
                if let Some(author) = child_text(child, ATOM, "name") {
                    entry.authors.push(one_line(&author));
                }
            }
            (Some(ATOM), "link") => {
                let is_pdf = child.attribute("title") == Some("pdf")
                    || child.attribute("type") == Some("application/pdf");
                if is_pdf && entry.pdf.is_none() {
                    entry.pdf = child.attribute("href").map(str::to_string);
                }
            }
            (Some(ARXIV), "primary_category") => {
                entry.primary_category = child.attribute("term").map(str::to_string);
            }
            (Some(ATOM), "category") => {
                if let Some(term) = child.attribute("term") {
                    // Old responses list ACM and MSC classes as categories too: keep arXiv's.
                    if term.contains('.') || term.contains('-') || !term.contains(' ') {
                        entry.categories.push(term.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    entry
}

fn child_text(node: roxmltree::Node, namespace: &str, name: &str) -> Option<String> {
    let child = node
        .children()
        .find(|n| n.has_tag_name((namespace, name)))?;
    let text: String = child
        .descendants()
        .filter(roxmltree::Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    Some(text)
}

/// The date of a timestamp, when it is one a paper can have (not before year 1).
fn parse_timestamp_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let date = match text.parse::<jiff::Timestamp>() {
        Ok(timestamp) => timestamp.in_tz("UTC").ok().map(|zoned| zoned.date()),
        Err(_) => text.get(..10)?.parse().ok(),
    }?;
    (date.year() >= 1).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_ids_keep_their_version() {
        let id = RequestedId::parse("arXiv:2310.14189v2").unwrap();
        assert_eq!((id.id.as_str(), id.version), ("2310.14189", Some(2)));
        let old = RequestedId::parse("hep-th/9901001").unwrap();
        assert_eq!((old.id.as_str(), old.version), ("hep-th/9901001", None));
        let link = RequestedId::parse("https://arxiv.org/pdf/2403.01234v1.pdf").unwrap();
        assert_eq!(link.query_form(), "2403.01234v1");
        assert!(RequestedId::parse("not-an-id").is_none());
    }

    #[test]
    fn repository_links_are_found_in_comments() {
        assert_eq!(
            repository_link("Code: https://github.com/openai/consistency_models.").as_deref(),
            Some("https://github.com/openai/consistency_models")
        );
        assert_eq!(
            repository_link("see github.com/a/b)").as_deref(),
            Some("https://github.com/a/b")
        );
        assert_eq!(repository_link("https://github.com/ alone"), None);
        assert_eq!(repository_link("project page https://x.github.io/y"), None);
    }

    #[test]
    fn pdf_links_lose_the_version_unless_pinned() {
        assert_eq!(
            strip_version("https://arxiv.org/pdf/2310.14189v2"),
            "https://arxiv.org/pdf/2310.14189"
        );
        assert_eq!(
            strip_version("https://arxiv.org/pdf/hep-th/9901001v1"),
            "https://arxiv.org/pdf/hep-th/9901001"
        );
    }

    #[test]
    fn ids_that_are_not_arxiv_ids_are_read_without_a_panic() {
        for id in ["arXiv:aéaaaaa", "日本語v2", "https://arxiv.org/abs/éév1"] {
            let xml = format!(
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>http://arxiv.org/abs/{id}</id><title>T</title></entry></feed>"
            );
            let feed = parse_feed(&xml).unwrap();
            assert_eq!(feed.entries.len(), 1, "{id}");
        }
        let spaced = "arxiv.org/abs/\u{3000}\u{3000}\u{3000}\u{3000}2310.14189";
        assert_eq!(
            RequestedId::parse(spaced).map(|r| r.id).as_deref(),
            Some("2310.14189")
        );
    }
}
