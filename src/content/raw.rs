//! Stage 3 of the pipeline: a digest file's text to a [`RawDigest`] (serde types that mirror the
//! content format, docs/format.md) plus diagnostics.
//!
//! Parsing never panics and never stops at the first problem it can report: a file gives either a
//! digest or its errors, and warnings either way. Only what the format itself says and what one
//! paper entry shows is checked here (entries in `entry.rs`); rules across files (ids, slugs,
//! topics) belong to `model::assemble`.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer};

use super::discover::SourceFile;
use super::entry::{PaperEntry, check_entry};
use super::front_matter::{self, Format};
use crate::error::{Diagnostic, Location};
use crate::toml_error::{toml_diagnostic, yaml_diagnostic};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDigest {
    pub title: String,
    #[serde(deserialize_with = "deserialize_date")]
    pub date: Date,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub papers: Vec<RawPaper>,
}

/// One `[[papers]]` table as written. The importers produce this type too (src/import/), so a new
/// paper key is declared here once: the parser reads it, and the importers' writer
/// (src/import/write.rs) will not compile until it writes it.
#[derive(Debug, Clone, Default, PartialEq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPaper {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub arxiv: Option<String>,
    /// arXiv's primary category (`cs.LG`), for BibTeX's `primaryClass`.
    #[serde(default)]
    pub arxiv_category: Option<String>,
    #[serde(default)]
    pub doi: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub pdf: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub venue: Option<String>,
    #[serde(default, deserialize_with = "deserialize_optional_date")]
    pub published: Option<Date>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub upvotes: Option<u64>,
    /// The lab's own paper, for themes that list a group's publications (`lab`).
    #[serde(default)]
    pub ours: bool,
    // The long texts are shared (Arc) with the model: a rebuild reassembles the model from
    // cached parsed files without copying every abstract again.
    #[serde(default, rename = "abstract")]
    pub abstract_md: Option<Arc<str>>,
    #[serde(default, rename = "notes")]
    pub notes_md: Option<Arc<str>>,
}

/// One digest file after parsing: the digest (absent when the file has errors), its Markdown body,
/// and every diagnostic found.
#[derive(Debug)]
pub struct ParsedFile {
    pub path: std::path::PathBuf,
    pub digest: Option<RawDigest>,
    pub body: Arc<str>,
    /// Lines of the file before the body, to turn body lines into file lines.
    pub body_line_offset: usize,
    /// The line of each `[[papers]]` entry, for messages about one paper.
    pub paper_lines: Vec<usize>,
    /// A hash of each paper entry, every field included: computed once when the file is read,
    /// it stands for the entry's text wherever a rebuild asks "did this paper change?".
    pub paper_hashes: Vec<u64>,
    pub diagnostics: Vec<Diagnostic>,
    /// Each paper entry checked on its own, in file order ([`super::entry`]).
    pub entries: Vec<PaperEntry>,
}

pub fn parse_source(file: &SourceFile) -> ParsedFile {
    let mut parsed = ParsedFile {
        path: file.path.clone(),
        digest: None,
        body: Arc::from(""),
        body_line_offset: 0,
        paper_lines: Vec::new(),
        paper_hashes: Vec::new(),
        diagnostics: Vec::new(),
        entries: Vec::new(),
    };
    let split = match front_matter::split(&file.text) {
        Ok(split) => split,
        Err(err) => {
            let (message, hint) = err.message_and_hint();
            parsed.diagnostics.push(
                Diagnostic::error(Location::at(&file.path, 1, None), message).with_hint(hint),
            );
            return parsed;
        }
    };
    let offset = split.front_matter_line_offset;
    let result = match split.format {
        Format::Toml => toml::from_str::<RawDigest>(split.front_matter)
            .map_err(|e| toml_diagnostic(&file.path, split.front_matter, offset, &e)),
        Format::Yaml => serde_saphyr::from_str::<RawDigest>(split.front_matter)
            .map_err(|e| yaml_diagnostic(&file.path, split.front_matter, offset, &e)),
    };
    parsed.body = Arc::from(split.body);
    parsed.body_line_offset = split.body_line_offset;
    parsed.paper_lines = paper_lines(split.format, split.front_matter, offset);
    match result {
        Ok(digest) => {
            check_strings(
                &file.path,
                &digest,
                split.front_matter,
                offset,
                &parsed.paper_lines,
                &mut parsed.diagnostics,
            );
            parsed.paper_hashes = digest
                .papers
                .iter()
                .map(|paper| {
                    let mut h = crate::fingerprint::hasher();
                    paper.hash(&mut h);
                    h.finish()
                })
                .collect();
            parsed.entries = digest
                .papers
                .iter()
                .enumerate()
                .map(|(position, paper)| {
                    let line = parsed.paper_lines.get(position).copied().unwrap_or(1);
                    check_entry(paper, &file.path, line)
                })
                .collect();
            parsed.digest = Some(digest);
        }
        Err(diagnostic) => parsed.diagnostics.push(diagnostic),
    }
    parsed
}

/// File lines where each paper entry starts: `[[papers]]` in TOML, a `- ` item under `papers:` in YAML.
fn paper_lines(format: Format, front_matter: &str, offset: usize) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut in_yaml_papers = false;
    for (index, line) in front_matter.lines().enumerate() {
        let trimmed = line.trim();
        let is_entry = match format {
            Format::Toml => trimmed.starts_with("[[papers]]"),
            Format::Yaml => {
                if !line.starts_with([' ', '-', '\t']) && !trimmed.is_empty() {
                    in_yaml_papers = trimmed.starts_with("papers:");
                }
                in_yaml_papers
                    && trimmed.starts_with("- ")
                    && line.find('-') == line.find(|c: char| !c.is_whitespace())
                    && line.len() - line.trim_start().len() <= 2
            }
        };
        if is_entry {
            lines.push(index + 1 + offset);
        }
    }
    lines
}

/// The file line of `field = …` in paper `paper` (or in the digest table when `paper` is None).
fn field_line(front_matter: &str, offset: usize, paper_start: Option<usize>, field: &str) -> usize {
    let start = paper_start.map_or(0, |line| line - offset);
    front_matter
        .lines()
        .enumerate()
        .skip(start)
        .find(|(_, line)| {
            let line = line.trim_start().trim_start_matches("- ");
            line.strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
        })
        .map_or(paper_start.unwrap_or(offset), |(i, _)| i + 1 + offset)
}

/// Warns about strings that TOML escapes silently turned into control characters: in a basic
/// string `\times` is a TAB and `imes`, `\beta` a backspace, `\frac` a form feed.
fn check_strings(
    path: &Path,
    digest: &RawDigest,
    front_matter: &str,
    offset: usize,
    paper_lines: &[usize],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut check = |value: &str, field: &str, paper: Option<usize>| {
        if let Some(found) = eaten_escape(value) {
            let line = field_line(
                front_matter,
                offset,
                paper.and_then(|i| paper_lines.get(i).copied()),
                field,
            );
            diagnostics.push(
                Diagnostic::warning(
                    Location::at(path, line, None),
                    format!("`{field}` holds {found}, which usually means a backslash in a \"…\" string was read as an escape (\\times, \\beta, \\frac, \\nabla…)"),
                )
                .with_hint(format!("write {field} = '''…''' (a literal string) so LaTeX backslashes stay as typed")),
            );
        }
    };
    check(&digest.title, "title", None);
    if let Some(summary) = &digest.summary {
        check(summary, "summary", None);
    }
    for (index, paper) in digest.papers.iter().enumerate() {
        check(&paper.title, "title", Some(index));
        for (field, value) in [("abstract", &paper.abstract_md), ("notes", &paper.notes_md)] {
            if let Some(value) = value {
                check(value, field, Some(index));
            }
        }
    }
}

/// Names the suspicious character in `value`, if any.
fn eaten_escape(value: &str) -> Option<&'static str> {
    let mut chars = value.chars().peekable();
    let mut previous = ' ';
    let has_math = value.contains('$');
    while let Some(c) = chars.next() {
        match c {
            '\t' => return Some("a TAB character"),
            '\u{8}' => return Some("a backspace character"),
            '\u{c}' => return Some("a form feed character"),
            '\u{1b}' => return Some("an escape character"),
            '\r' if chars.peek() != Some(&'\n') => return Some("a carriage return"),
            '\n' if has_math && previous != '\n' => {
                let word: String = chars
                    .clone()
                    .take_while(char::is_ascii_alphabetic)
                    .collect();
                if TEX_AFTER_N.contains(&word.as_str()) {
                    return Some("a line break glued to what looks like a LaTeX command");
                }
            }
            _ => {}
        }
        previous = c;
    }
    None
}

/// What is left of common LaTeX commands starting with `\n` once `\n` became a line break.
const TEX_AFTER_N: &[&str] = &[
    "abla",
    "eq",
    "eg",
    "ot",
    "otin",
    "u",
    "ewline",
    "orm",
    "exists",
    "parallel",
    "leq",
    "geq",
    "mid",
    "ewcommand",
];

fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return Ok(timestamp.in_tz("UTC").map_err(|e| e.to_string())?.date());
    }
    if let Ok(datetime) = text.parse::<jiff::civil::DateTime>() {
        return Ok(datetime.date());
    }
    text.parse::<Date>()
        .map_err(|_| format!("invalid date `{text}`: expected YYYY-MM-DD, such as 2024-03-11"))
}

struct DateVisitor;

impl<'de> serde::de::Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date such as 2024-03-11")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Date, E> {
        parse_date(value).map_err(E::custom)
    }

    // TOML hands its native dates to serde as a one-entry map holding the date's text.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
        match map.next_entry::<String, String>()? {
            Some((_, value)) => parse_date(&value).map_err(serde::de::Error::custom),
            None => Err(serde::de::Error::custom(
                "expected a date such as 2024-03-11",
            )),
        }
    }
}

fn deserialize_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    deserializer.deserialize_any(DateVisitor)
}

fn deserialize_optional_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Date>, D::Error> {
    deserializer.deserialize_any(DateVisitor).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ParsedFile {
        parse_source(&SourceFile {
            path: "content/x.md".into(),
            text: text.into(),
        })
    }

    #[test]
    fn parses_toml_digest_with_papers() {
        let p = parse(
            "+++\ntitle = \"D\"\ndate = 2024-03-11\n[[papers]]\ntitle = \"P\"\narxiv = \"2310.14189\"\npublished = 2023-10-22\n+++\nIntro\n",
        );
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let d = p.digest.unwrap();
        assert_eq!(d.date.to_string(), "2024-03-11");
        assert_eq!(d.papers[0].published.unwrap().to_string(), "2023-10-22");
        assert_eq!(p.paper_lines, vec![4]);
        assert_eq!(&*p.body, "Intro\n");
    }

    #[test]
    fn parses_yaml_digest_with_string_dates() {
        let p = parse(
            "---\ntitle: D\ndate: 2024-03-11T09:30:00Z\npapers:\n  - title: P\n    arxiv: \"2310.14189\"\n---\n",
        );
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(p.digest.unwrap().date.to_string(), "2024-03-11");
        assert_eq!(p.paper_lines, vec![5]);
    }

    #[test]
    fn unknown_paper_key_is_located_in_the_file() {
        let p = parse(
            "+++\ntitle = \"D\"\ndate = 2024-03-11\n[[papers]]\ntitle = \"P\"\nautors = [\"A\"]\n+++\n",
        );
        let d = &p.diagnostics[0];
        assert_eq!(d.location.line, Some(6));
        assert_eq!(d.hint.as_deref(), Some("did you mean `authors`?"));
    }

    #[test]
    fn tex_eaten_by_toml_escapes_warns_with_the_field_line() {
        let p = parse(
            "+++\ntitle = \"D\"\ndate = 2024-03-11\n[[papers]]\ntitle = \"P\"\nabstract = \"$a \\times b$\"\n+++\n",
        );
        let d = &p.diagnostics[0];
        assert!(!d.is_error());
        assert_eq!(d.location.line, Some(6));
        assert!(d.message.contains("TAB"));
    }

    #[test]
    fn nabla_in_basic_string_warns() {
        assert!(eaten_escape("$\nabla f$").is_some());
        assert!(eaten_escape("Two paragraphs.\n\nSecond $x$ one.").is_none());
        assert!(eaten_escape("plain\ttext").is_some());
    }

    #[test]
    fn bad_date_is_an_error() {
        let p = parse("+++\ntitle = \"D\"\ndate = \"March 11\"\n+++\n");
        assert!(p.digest.is_none());
        assert!(
            p.diagnostics[0].message.contains("invalid date"),
            "{}",
            p.diagnostics[0].message
        );
        assert_eq!(p.diagnostics[0].location.line, Some(3));
    }
}
