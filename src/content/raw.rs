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
use super::key_lines::{self, KeyLines};
use super::published::Published;
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
    /// The order of the digest's papers: as in the file (the default, or site.toml's
    /// `[digests] sort`), or most voted first.
    #[serde(default)]
    pub sort: Option<PaperOrder>,
    /// Where the papers came from, when a program wrote the digest (`hf-daily`).
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub papers: Vec<RawPaper>,
}

/// How a digest orders its papers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaperOrder {
    /// As listed in the file.
    #[default]
    File,
    /// Most voted first; papers without votes last, in file order.
    Upvotes,
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
    /// Known to the year, the month or the day.
    #[serde(default, deserialize_with = "deserialize_published")]
    pub published: Option<Published>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub upvotes: Option<u64>,
    /// Comments on the paper where it was found (Hugging Face's daily papers).
    #[serde(default)]
    pub comments: Option<u64>,
    /// An image for the paper's card: a path under `static/` (`thumbnails/2310.14189.png`).
    #[serde(default)]
    pub thumbnail: Option<String>,
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
    /// The lines of the digest's own keys, for messages about one of them.
    pub digest_lines: DigestLines,
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
        digest_lines: DigestLines::default(),
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
    parsed.body = match super::clean::clean(split.body, false) {
        None => Arc::from(split.body),
        Some((cleaned, removed)) => {
            if let Some(removed) = removed {
                let at = split.body.find(removed).unwrap_or(0);
                let (line, column) = super::discover::line_and_column(&split.body.as_bytes()[..at]);
                parsed.diagnostics.push(
                    Diagnostic::warning(
                        Location::at(&file.path, split.body_line_offset + line, Some(column)),
                        format!(
                            "the text holds the control character U+{:04X}, which no page or feed can show; it is left out",
                            removed as u32
                        ),
                    )
                    .with_hint("delete it from the file: such characters come from pasted PDF text"),
                );
            }
            Arc::from(cleaned)
        }
    };
    parsed.body_line_offset = split.body_line_offset;
    let (digest_keys, entry_keys) = key_lines::find(split.format, split.front_matter, offset);
    parsed.paper_lines = entry_keys.iter().map(|keys| keys.start).collect();
    parsed.digest_lines = DigestLines {
        title: digest_keys.of("title"),
        topics: digest_keys.of("topics"),
        slug: digest_keys.of("slug"),
    };
    match result {
        Ok(mut digest) => {
            check_strings(
                &file.path,
                &mut digest,
                &digest_keys,
                &entry_keys,
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
                    let keys = entry_keys.get(position).cloned().unwrap_or_default();
                    check_entry(paper, &file.path, &keys)
                })
                .collect();
            parsed.digest = Some(digest);
        }
        Err(diagnostic) => parsed.diagnostics.push(diagnostic),
    }
    parsed
}

/// The lines of a digest's own keys that later stages report on; the front matter's first line
/// for a key that is not written.
#[derive(Debug, Clone, Copy, Default)]
pub struct DigestLines {
    pub title: usize,
    pub topics: usize,
    pub slug: usize,
}

/// Checks and cleans every text field of a digest:
/// - warns about strings that TOML escapes silently turned into control characters: in a basic
///   string `\times` is a TAB and `imes`, `\beta` a backspace, `\frac` a form feed;
/// - removes control characters no output can hold, with a warning naming the field's line;
/// - puts text in Unicode NFC, so that one name written two ways is one topic or author.
fn check_strings(
    path: &Path,
    digest: &mut RawDigest,
    digest_keys: &KeyLines,
    entry_keys: &[KeyLines],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut fields = TextFields {
        path,
        keys: digest_keys,
        diagnostics,
    };
    let RawDigest {
        title,
        date: _,
        summary,
        topics,
        draft: _,
        slug,
        sort: _,
        source,
        papers,
    } = digest;
    fields.prose("title", title);
    if let Some(summary) = summary {
        fields.prose("summary", summary);
    }
    fields.list("topics", topics);
    fields.optional("slug", slug);
    fields.optional("source", source);
    let default_keys = KeyLines::default();
    for (index, paper) in papers.iter_mut().enumerate() {
        fields.keys = entry_keys.get(index).unwrap_or(&default_keys);
        // Every key is named, so that a key added to RawPaper does not compile until it is here.
        let RawPaper {
            id,
            title,
            authors,
            arxiv,
            arxiv_category,
            doi,
            url,
            pdf,
            code,
            project,
            venue,
            published: _,
            topics,
            upvotes: _,
            comments: _,
            thumbnail,
            ours: _,
            abstract_md,
            notes_md,
        } = paper;
        fields.prose("title", title);
        fields.list("authors", authors);
        fields.list("topics", topics);
        for (field, value) in [
            ("id", id),
            ("arxiv", arxiv),
            ("arxiv_category", arxiv_category),
            ("doi", doi),
            ("url", url),
            ("pdf", pdf),
            ("code", code),
            ("project", project),
            ("venue", venue),
            ("thumbnail", thumbnail),
        ] {
            fields.optional(field, value);
        }
        for (field, value) in [("abstract", abstract_md), ("notes", notes_md)] {
            fields.shared(field, value);
        }
    }
}

/// The text fields of one table (the digest's or a paper entry's), checked and cleaned.
struct TextFields<'a> {
    path: &'a Path,
    keys: &'a KeyLines<'a>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl TextFields<'_> {
    /// A field where LaTeX is common, and so are backslashes that TOML read as escapes.
    fn prose(&mut self, field: &str, value: &mut String) {
        let warned = self.escape(field, value);
        self.clean(field, value, warned);
    }

    fn optional(&mut self, field: &str, value: &mut Option<String>) {
        if let Some(value) = value {
            self.clean(field, value, false);
        }
    }

    fn list(&mut self, field: &str, values: &mut [String]) {
        let mut warned = false;
        for value in values {
            warned |= self.clean(field, value, warned);
        }
    }

    fn shared(&mut self, field: &str, value: &mut Option<std::sync::Arc<str>>) {
        let Some(text) = value else {
            return;
        };
        let warned = self.escape(field, text);
        if let Some((cleaned, _)) = self.cleaned(field, text, warned, false) {
            *value = Some(cleaned.into());
        }
    }

    /// Warns when `value` looks like LaTeX eaten by TOML escapes; true when it did.
    fn escape(&mut self, field: &str, value: &str) -> bool {
        let Some(found) = eaten_escape(value) else {
            return false;
        };
        self.diagnostics.push(
            Diagnostic::warning(
                Location::at(self.path, self.keys.of(field), None),
                format!("`{field}` holds {found}, which usually means a backslash in a \"…\" string was read as an escape (\\times, \\beta, \\frac, \\nabla…)"),
            )
            .with_hint(format!("write {field} = '''…''' (a literal string) so LaTeX backslashes stay as typed")),
        );
        true
    }

    /// Cleans `value` in place; true when a warning about it was given.
    fn clean(&mut self, field: &str, value: &mut String, warned: bool) -> bool {
        match self.cleaned(field, value, warned, true) {
            Some((cleaned, warned_now)) => {
                *value = cleaned;
                warned || warned_now
            }
            None => warned,
        }
    }

    /// `value` cleaned (and in NFC if `normalize`), when that changes it, with a warning for a
    /// control character unless `warned` says the field has one already; true when this warned.
    fn cleaned(
        &mut self,
        field: &str,
        value: &str,
        warned: bool,
        normalize: bool,
    ) -> Option<(String, bool)> {
        let (text, removed) = super::clean::clean(value, normalize)?;
        let removed = removed.filter(|_| !warned);
        if let Some(removed) = removed {
            self.diagnostics.push(
                Diagnostic::warning(
                    Location::at(self.path, self.keys.of(field), None),
                    format!(
                        "`{field}` holds the control character U+{:04X}, which no page or feed can show; it is left out",
                        removed as u32
                    ),
                )
                .with_hint("delete it from the file: such characters come from pasted PDF text or escapes like \\u0001"),
            );
        }
        Some((text, removed.is_some()))
    }
}

/// Names the suspicious character in `value`, if any.
fn eaten_escape(value: &str) -> Option<&'static str> {
    let has_math = value.contains('$');
    // Every finding starts at one of these bytes and most texts hold none: checking bytes is
    // quicker than decoding characters.
    let suspect =
        |b: u8| matches!(b, b'\t' | 0x08 | 0x0c | 0x1b | b'\r') || (has_math && b == b'\n');
    if !crate::shortcuts::any_byte(value.as_bytes(), suspect) {
        return None;
    }
    let mut chars = value.chars().peekable();
    let mut previous = ' ';
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

struct DateVisitor;

impl<'de> serde::de::Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date such as 2024-03-11")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Date, E> {
        super::published::parse_date(value).map_err(E::custom)
    }

    // TOML hands its native dates to serde as a one-entry map holding the date's text.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
        match map.next_entry::<String, String>()? {
            Some((_, value)) => {
                super::published::parse_date(&value).map_err(serde::de::Error::custom)
            }
            None => Err(serde::de::Error::custom(
                "expected a date such as 2024-03-11",
            )),
        }
    }
}

fn deserialize_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    deserializer.deserialize_any(DateVisitor)
}

fn deserialize_published<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Published>, D::Error> {
    deserializer.deserialize_any(PublishedVisitor).map(Some)
}

/// `published`: a date, a date and time, a year (`2019`) or a year and month (`"2019-05"`).
struct PublishedVisitor;

impl<'de> serde::de::Visitor<'de> for PublishedVisitor {
    type Value = Published;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date such as 2024-03-11, a month such as \"2024-03\", or a year")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Published, E> {
        Published::parse(value).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, year: i64) -> Result<Published, E> {
        i16::try_from(year)
            .ok()
            .and_then(|year| Published::from_parts(year, None, None))
            .ok_or_else(|| {
                E::custom(format!(
                    "invalid year `{year}`: expected a year such as 2019"
                ))
            })
    }

    fn visit_u64<E: serde::de::Error>(self, year: u64) -> Result<Published, E> {
        self.visit_i64(i64::try_from(year).unwrap_or(i64::MAX))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Published, A::Error> {
        match map.next_entry::<String, String>()? {
            Some((_, value)) => Published::parse(&value).map_err(serde::de::Error::custom),
            None => Err(serde::de::Error::custom(
                "expected a date such as 2024-03-11",
            )),
        }
    }
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
        // Past the first block of bytes, and after characters of several bytes.
        let long = format!("{}\u{1b}[0m", "é".repeat(80));
        assert_eq!(eaten_escape(&long), Some("an escape character"));
        assert!(eaten_escape(&"é".repeat(80)).is_none());
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
