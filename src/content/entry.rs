//! Stage 3, per paper entry: each `[[papers]]` entry of a parsed digest checked and normalised on
//! its own (one-line fields, identifiers in their normal form, the paper id and its slug, safe
//! links), beside the file's other diagnostics.
//!
//! Only what one entry shows is checked here: the rules across entries and files (one id with
//! two titles, topics, slugs) belong to `model::assemble`, which merges these entries in order.
//! Checking belongs with parsing so that a rebuild, which keeps the parsed files that did not
//! change, does not check their entries again.

use std::path::Path;
use std::sync::Arc;

use super::RawPaper;
use super::ids::{id_slug, is_valid_arxiv, is_valid_doi, normalize_arxiv, normalize_doi, paper_id};
use super::key_lines::KeyLines;
use crate::error::{Diagnostic, Location};

/// One paper entry after checking: its fields in normal form, or none when it has an error, and
/// what was found, in order. The model reports the diagnostics when it takes the entry in, so a
/// draft left out of the site reports nothing.
#[derive(Debug, Clone)]
pub struct PaperEntry {
    pub fields: Option<EntryFields>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where the fields the model reports on are written.
    pub lines: EntryLines,
}

/// The file lines of the keys of a paper entry that the model may report on: the entry's own
/// line for a key that is not written.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntryLines {
    pub title: usize,
    pub id: usize,
    pub topics: usize,
    pub thumbnail: usize,
}

/// A paper entry's fields, checked and in their normal form: what the model's paper is made of.
#[derive(Debug, Clone)]
pub struct EntryFields {
    pub title: String,
    pub authors: Vec<String>,
    pub arxiv: Option<String>,
    pub arxiv_category: Option<String>,
    pub doi: Option<String>,
    pub id: String,
    pub slug: String,
    pub url: Option<String>,
    pub pdf: Option<String>,
    pub code: Option<String>,
    pub project: Option<String>,
    pub venue: Option<String>,
    /// A path under `static/`, checked.
    pub thumbnail: Option<String>,
    pub abstract_md: Option<Arc<str>>,
}

/// Checks one paper entry of the file at `path`, whose keys are written at `keys`.
pub fn check_entry(raw: &RawPaper, path: &Path, keys: &KeyLines) -> PaperEntry {
    let mut diagnostics = Vec::new();
    let fields = check_fields(raw, path, keys, &mut diagnostics);
    PaperEntry {
        fields,
        diagnostics,
        lines: EntryLines {
            title: keys.of("title"),
            id: keys.of("id"),
            topics: keys.of("topics"),
            thumbnail: keys.of("thumbnail"),
        },
    }
}

fn check_fields(
    raw: &RawPaper,
    path: &Path,
    keys: &KeyLines,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<EntryFields> {
    let at = |field: &str| Location::at(path, keys.of(field), None);
    if let Some(d) = first_too_long(raw, &at) {
        diagnostics.push(d);
        return None;
    }
    let title = one_line(&raw.title);
    if title.is_empty() {
        diagnostics.push(
            Diagnostic::error(at("title"), "a paper's title is empty")
                .with_hint("give every paper a title"),
        );
        return None;
    }
    let arxiv = identifier(raw.arxiv.as_deref(), &ARXIV, || at("arxiv"), diagnostics);
    let arxiv_category = raw
        .arxiv_category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .or_else(|| {
            // Old-style ids name their archive: `hep-th/9711200` is in hep-th.
            let (archive, _) = arxiv.as_deref()?.split_once('/')?;
            Some(archive.to_string())
        });
    let doi = identifier(raw.doi.as_deref(), &DOI, || at("doi"), diagnostics);
    let derived = || paper_id(None, arxiv.as_deref(), doi.as_deref(), &title);
    let (id, slug) = checked_id(raw.id.as_deref(), derived, &at, diagnostics)?;
    if let Some(d) = first_unsafe_link(raw, &at) {
        diagnostics.push(d);
        return None;
    }
    let thumbnail = checked_thumbnail(raw.thumbnail.as_deref(), &at, diagnostics)?;
    let authors: Vec<String> = raw
        .authors
        .iter()
        .map(|a| one_line(a))
        .filter(|a| !a.is_empty())
        .collect();
    Some(EntryFields {
        title,
        authors,
        arxiv,
        arxiv_category,
        doi,
        id,
        slug,
        url: raw.url.clone(),
        pdf: raw.pdf.clone(),
        code: raw.code.clone(),
        project: raw.project.clone(),
        venue: raw.venue.clone().filter(|v| !v.trim().is_empty()),
        thumbnail,
        abstract_md: raw.abstract_md.clone().filter(|a| !a.trim().is_empty()),
    })
}

/// The first of a paper's one-line fields (title, id, venue, an author) that is too long.
fn first_too_long(raw: &RawPaper, at: &impl Fn(&str) -> Location) -> Option<Diagnostic> {
    let one_line_fields = [
        ("title", Some(&raw.title)),
        ("id", raw.id.as_ref()),
        ("venue", raw.venue.as_ref()),
    ];
    let long_author = raw.authors.iter().find(|a| a.len() > MAX_ONE_LINE_CHARS);
    one_line_fields
        .into_iter()
        .chain([("author", long_author)])
        .find_map(|(field, value)| {
            let key = if field == "author" { "authors" } else { field };
            too_long(field, value?, || at(key))
        })
}

/// The paper's id (`written`, else the one `derived` makes) and its URL slug; `None` with an
/// error when the id is empty or its slug would be, and a warning when the URL changes it.
fn checked_id(
    written: Option<&str>,
    derived: impl FnOnce() -> String,
    at: &impl Fn(&str) -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(String, String)> {
    let id = match written.map(str::trim) {
        Some("") => {
            diagnostics.push(
                Diagnostic::error(at("id"), "a paper's id is empty")
                    .with_hint("remove the id line to derive one"),
            );
            return None;
        }
        Some(id) => id.to_string(),
        None => derived(),
    };
    let slug = id_slug(&id);
    if slug.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                at("id"),
                format!("paper id `{id}` has no letters or digits for its URL"),
            )
            .with_hint("set id = \"…\" to something with letters or digits"),
        );
        return None;
    }
    if written.is_some() && slug != as_written_in_a_url(&id) {
        diagnostics.push(
            Diagnostic::warning(
                at("id"),
                format!("paper id `{id}` gets the URL /papers/{slug}/, which leaves out or changes some of its characters"),
            )
            .with_hint("ids made of letters, digits and . _ - / show in their URL as written"),
        );
    }
    Some((id, slug))
}

/// The first of a paper's links that is not a web address.
fn first_unsafe_link(raw: &RawPaper, at: &impl Fn(&str) -> Location) -> Option<Diagnostic> {
    let links = [
        ("url", &raw.url),
        ("pdf", &raw.pdf),
        ("code", &raw.code),
        ("project", &raw.project),
    ];
    links.into_iter().find_map(|(label, value)| {
        let value = value.as_deref().filter(|value| !is_safe_link(value))?;
        let d = Diagnostic::error(
            at(label),
            format!("`{label}` is not a web address: `{value}`"),
        );
        Some(d.with_hint("links must start with https:// or http://"))
    })
}

/// The thumbnail's path under `static/` (`Some(None)` for none or an empty one); `None` with an
/// error when it is not such a path.
fn checked_thumbnail(
    written: Option<&str>,
    at: &impl Fn(&str) -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Option<String>> {
    let Some(path) = written.map(str::trim).filter(|t| !t.is_empty()) else {
        return Some(None);
    };
    if let Some(path) = static_path(path) {
        return Some(Some(path));
    }
    diagnostics.push(
        Diagnostic::error(
            at("thumbnail"),
            format!("`thumbnail` is not a path under static/: `{path}`"),
        )
        .with_hint("write the path of an image under static/, such as thumbnails/2310.14189.png; importers download images there"),
    );
    None
}

/// The URL slug an id would have if every character were kept: lower case, with `/` and spaces
/// as `-`. An id whose slug is something else loses characters on its way to its URL.
fn as_written_in_a_url(id: &str) -> String {
    id.split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase()
        .replace('/', "-")
}

/// A kind of paper identifier: how it is written down and checked.
struct IdentifierKind {
    normalize: fn(&str) -> String,
    is_valid: fn(&str) -> bool,
    /// "an arXiv id", for the warning.
    what: &'static str,
    hint: &'static str,
}

const ARXIV: IdentifierKind = IdentifierKind {
    normalize: normalize_arxiv,
    is_valid: is_valid_arxiv,
    what: "an arXiv id",
    hint: "arXiv ids look like 2310.14189 or hep-th/9901001",
};

const DOI: IdentifierKind = IdentifierKind {
    normalize: normalize_doi,
    is_valid: is_valid_doi,
    what: "a DOI",
    hint: "DOIs look like 10.1145/3292500.3330701",
};

/// An identifier in its normal form (None when empty), with a warning when it does not look
/// like one: it is kept, since the check cannot know every valid form.
fn identifier(
    value: Option<&str>,
    kind: &IdentifierKind,
    location: impl Fn() -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    let value = (kind.normalize)(value?);
    if value.is_empty() {
        return None;
    }
    if !(kind.is_valid)(&value) {
        diagnostics.push(
            Diagnostic::warning(
                location(),
                format!("`{value}` does not look like {}", kind.what),
            )
            .with_hint(kind.hint),
        );
    }
    Some(value)
}

/// Titles, names, ids and summaries are one line on a page: longer ones are refused, since each is
/// repeated on every page that lists the paper or digest.
pub const MAX_ONE_LINE_CHARS: usize = 2000;

/// Runs of whitespace as one space, none at either end.
pub fn one_line(text: &str) -> String {
    let is_clean = !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && !text.contains(|c: char| c.is_whitespace() && c != ' ');
    if is_clean {
        return text.to_string();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An error when a one-line field is longer than [`MAX_ONE_LINE_CHARS`].
pub fn too_long(
    field: &str,
    value: &str,
    location: impl FnOnce() -> Location,
) -> Option<Diagnostic> {
    if value.len() <= MAX_ONE_LINE_CHARS {
        return None;
    }
    let chars = value.chars().count();
    (chars > MAX_ONE_LINE_CHARS).then(|| {
        Diagnostic::error(
            location(),
            format!("a {field} of {chars} characters is too long: at most {MAX_ONE_LINE_CHARS}"),
        )
        .with_hint("shorten it; long text belongs in the abstract or notes")
    })
}

/// A path under `static/` as a site links it: no scheme, no `..`, no backslash, no leading `/`.
pub fn static_path(value: &str) -> Option<String> {
    let path = value.trim_start_matches('/');
    let is_safe = !path.is_empty()
        && !path.contains([':', '\\', '"', '<', '>', '?', '#', '\'', ' '])
        && path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != ".." && segment != ".");
    is_safe.then(|| path.to_string())
}

/// Links in front matter become `href`s: only web addresses are allowed.
pub fn is_safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.contains(['"', '<', '>', '\n', '\r'])
}
