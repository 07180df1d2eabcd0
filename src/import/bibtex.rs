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

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::categories::topic_for;
use super::csl::arxiv_in_text;
use super::latex::to_unicode;
use super::{Import, ImportedPaper, PartialDate, arxiv_from_doi, arxiv_from_url, one_line};
use crate::error::{Diagnostic, Location};
use crate::model::ids::{is_valid_arxiv, normalize_arxiv};

/// One entry as read: lower-case type and field names, values with macros expanded and
/// concatenations joined, still in LaTeX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: String,
    pub key: String,
    pub fields: Vec<(String, String)>,
    pub line: usize,
}

impl Entry {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// A problem in the file, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Reads a .bib file's text.
pub fn read(path: &Path, text: &str, categories: &BTreeMap<String, String>) -> Import {
    let (entries, errors) = parse(text);
    let mut import = Import::default();
    for error in errors {
        import.warnings.push(
            Diagnostic::warning(Location::at(path, error.line, None), error.message)
                .with_hint("this entry was skipped; the others were imported"),
        );
    }
    for entry in entries {
        let location = Location::at(path, entry.line, None);
        match to_paper(&entry, location.clone(), categories) {
            Some(paper) => import.papers.push(paper),
            None => import.warnings.push(Diagnostic::warning(
                location,
                format!("entry `{}` has no title; skipped", entry.key),
            )),
        }
    }
    import
}

/// Parses every entry it can; the errors say which entries it could not.
pub fn parse(text: &str) -> (Vec<Entry>, Vec<ParseError>) {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        macros: month_macros(),
    };
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    while let Some(at) = parser.next_entry_start() {
        parser.pos = at + 1;
        let line = parser.line_at(at);
        match parser.entry(line) {
            Ok(Some(entry)) => entries.push(entry),
            Ok(None) => {}
            Err(message) => {
                errors.push(ParseError { line, message });
                parser.skip_to_next_line_starting_with_at();
            }
        }
    }
    (entries, errors)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    macros: HashMap<String, String>,
}

impl Parser<'_> {
    fn line_at(&self, pos: usize) -> usize {
        1 + self.bytes[..pos.min(self.bytes.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    fn next_entry_start(&self) -> Option<usize> {
        self.bytes[self.pos..]
            .iter()
            .position(|&b| b == b'@')
            .map(|i| self.pos + i)
    }

    fn skip_to_next_line_starting_with_at(&mut self) {
        while self.pos < self.bytes.len() {
            if self.is_line_starting_with_at(self.pos) {
                return;
            }
            self.pos += 1;
        }
    }

    /// Whether `pos` is an `@` that is the first non-blank character of its line.
    fn is_line_starting_with_at(&self, pos: usize) -> bool {
        if self.bytes.get(pos) != Some(&b'@') {
            return false;
        }
        let line_start = self.bytes[..pos]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        self.bytes[line_start..pos]
            .iter()
            .all(|b| b.is_ascii_whitespace())
    }

    fn skip_space(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(u8::is_ascii_whitespace)
        {
            self.pos += 1;
        }
    }

    fn identifier(&mut self) -> String {
        let start = self.pos;
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|&b| !b.is_ascii_whitespace() && !b"{}(),=#\"@%".contains(&b))
        {
            self.pos += 1;
        }
        self.text[start..self.pos].to_string()
    }

    fn here(&self) -> String {
        format!("line {}", self.line_at(self.pos))
    }

    /// One entry after its `@`; None for `@comment`, `@preamble` and `@string`.
    fn entry(&mut self, line: usize) -> Result<Option<Entry>, String> {
        let kind = self.identifier().to_ascii_lowercase();
        if kind.is_empty() {
            return Err("`@` is not followed by an entry type such as @article".into());
        }
        self.skip_space();
        let close = match self.bytes.get(self.pos) {
            Some(b'{') => b'}',
            Some(b'(') => b')',
            _ => {
                if kind == "comment" {
                    return Ok(None);
                }
                return Err(format!("@{kind} is not followed by `{{` ({})", self.here()));
            }
        };
        self.pos += 1;
        match kind.as_str() {
            "comment" => {
                self.pos -= 1;
                self.braced().map_err(|e| format!("@comment: {e}"))?;
                return Ok(None);
            }
            "preamble" => {
                self.value()?;
                self.skip_space();
                self.expect(close)?;
                return Ok(None);
            }
            "string" => {
                self.skip_space();
                let name = self.identifier().to_ascii_lowercase();
                self.skip_space();
                self.expect(b'=')?;
                let value = self.value()?;
                self.skip_space();
                self.expect(close)?;
                self.macros.insert(name, value);
                return Ok(None);
            }
            _ => {}
        }
        self.skip_space();
        let key = self.identifier();
        self.skip_space();
        let mut entry = Entry {
            kind,
            key,
            fields: Vec::new(),
            line,
        };
        // After the key and after each field: a comma, or the end of the entry.
        let mut after = format!("the key `{}`", entry.key);
        loop {
            self.skip_space();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(&b) if b == close => {
                    self.pos += 1;
                    return Ok(Some(entry));
                }
                None => {
                    return Err(format!(
                        "entry `{}` is never closed: a `{}` is missing",
                        entry.key,
                        char::from(close)
                    ));
                }
                Some(_) if self.is_line_starting_with_at(self.pos) => {
                    return Err(format!(
                        "entry `{}` is not closed before the next entry on {}",
                        entry.key,
                        self.here()
                    ));
                }
                Some(&b) => {
                    return Err(format!(
                        "entry `{}`: expected `,` after {after}, found `{}` on {} (a comma may be missing)",
                        entry.key,
                        char::from(b),
                        self.here()
                    ));
                }
            }
            self.skip_space();
            if self.bytes.get(self.pos) == Some(&close) {
                self.pos += 1;
                return Ok(Some(entry));
            }
            let name_line = self.here();
            let name = self.identifier().to_ascii_lowercase();
            if name.is_empty() {
                let found = self.bytes.get(self.pos).map_or(' ', |&b| char::from(b));
                return Err(format!(
                    "entry `{}`: unexpected `{found}` on {name_line} where a field name should be",
                    entry.key
                ));
            }
            self.skip_space();
            if self.bytes.get(self.pos) != Some(&b'=') {
                return Err(format!(
                    "entry `{}`: field `{name}` on {name_line} has no `=`",
                    entry.key
                ));
            }
            self.pos += 1;
            let value = self
                .value()
                .map_err(|e| format!("entry `{}`, field `{name}`: {e}", entry.key))?;
            after = format!("field `{name}`");
            if !entry.fields.iter().any(|(n, _)| *n == name) {
                entry.fields.push((name, value));
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!(
                "expected `{}` on {}",
                char::from(byte),
                self.here()
            ))
        }
    }

    /// A value: parts joined by `#`, each `{…}`, `"…"`, a number or a macro name.
    fn value(&mut self) -> Result<String, String> {
        let mut value = String::new();
        loop {
            self.skip_space();
            match self.bytes.get(self.pos) {
                Some(b'{') => value.push_str(&self.braced()?),
                Some(b'"') => value.push_str(&self.quoted()?),
                Some(b) if b.is_ascii_alphanumeric() => {
                    let name = self.identifier();
                    if name.bytes().all(|b| b.is_ascii_digit()) {
                        value.push_str(&name);
                    } else {
                        match self.macros.get(&name.to_ascii_lowercase()) {
                            Some(text) => value.push_str(text),
                            None => {
                                return Err(format!(
                                    "`{name}` is neither quoted nor a known @string (write {{{name}}})"
                                ));
                            }
                        }
                    }
                }
                _ => return Err(format!("a value is missing on {}", self.here())),
            }
            self.skip_space();
            if self.bytes.get(self.pos) == Some(&b'#') {
                self.pos += 1;
            } else {
                return Ok(value);
            }
        }
    }

    /// `{…}` with nested braces; returns the inside. Stops at a line starting with `@` so an
    /// unbalanced brace costs one entry, not the rest of the file.
    fn braced(&mut self) -> Result<String, String> {
        let open_line = self.line_at(self.pos);
        self.pos += 1;
        let start = self.pos;
        let mut depth = 1;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return Ok(self.text[start..self.pos - 1].to_string());
                    }
                }
                b'@' if self.is_line_starting_with_at(self.pos) => break,
                _ => {}
            }
            self.pos += 1;
        }
        Err(format!("the `{{` on line {open_line} is never closed"))
    }

    /// `"…"`, where braces protect quotes inside.
    fn quoted(&mut self) -> Result<String, String> {
        let open_line = self.line_at(self.pos);
        self.pos += 1;
        let start = self.pos;
        let mut depth = 0;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                b'"' if depth == 0 => {
                    self.pos += 1;
                    return Ok(self.text[start..self.pos - 1].to_string());
                }
                b'@' if self.is_line_starting_with_at(self.pos) => break,
                _ => {}
            }
            self.pos += 1;
        }
        Err(format!("the `\"` on line {open_line} is never closed"))
    }
}

fn month_macros() -> HashMap<String, String> {
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .enumerate()
    .map(|(i, m)| ((*m).to_string(), (i + 1).to_string()))
    .collect()
}

fn to_paper(
    entry: &Entry,
    origin: Location,
    categories: &BTreeMap<String, String>,
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
    Some(ImportedPaper {
        title,
        authors: entry.get("author").map(authors).unwrap_or_default(),
        arxiv,
        doi,
        url,
        pdf: raw("pdf"),
        code: raw("code"),
        project: raw("project"),
        venue,
        published: published(entry),
        topics,
        abstract_md: entry.get("abstract").map(to_unicode),
        origin,
        ..ImportedPaper::default()
    })
}

fn join_venue(kind: &str, school: Option<String>) -> String {
    match school {
        Some(school) => format!("{kind}, {school}"),
        None => kind.to_string(),
    }
}

/// `date = {2023-10-22}` (BibLaTeX), else `year`, `month` and `day`.
fn published(entry: &Entry) -> Option<PartialDate> {
    if let Some(date) = entry
        .get("date")
        .and_then(|d| parse_date_text(&to_unicode(d)))
    {
        return Some(date);
    }
    let year: i16 = entry
        .get("year")?
        .trim_matches(['{', '}', ' '])
        .parse()
        .ok()?;
    let month = entry
        .get("month")
        .and_then(|m| month_number(&to_unicode(m)));
    let day = entry
        .get("day")
        .and_then(|d| d.trim_matches(['{', '}', ' ']).parse::<i8>().ok())
        .filter(|d| (1..=31).contains(d));
    let date = PartialDate {
        year,
        month,
        day: month.and(day),
    };
    date.to_date().map(|_| date)
}

/// `2023-10-22`, `2023-10`, `2023` (also the start of a range `2023-10-22/2023-10-25`).
pub fn parse_date_text(text: &str) -> Option<PartialDate> {
    let text = text.trim().split('/').next()?.trim();
    let mut parts = text.splitn(3, '-');
    let year: i16 = parts.next()?.trim().parse().ok()?;
    let month = parts.next().and_then(|m| m.trim().parse::<i8>().ok());
    let day = parts
        .next()
        .and_then(|d| d.get(..2.min(d.len()))?.parse::<i8>().ok());
    let date = PartialDate {
        year,
        month,
        day: month.and(day),
    };
    date.to_date().map(|_| date)
}

fn month_number(text: &str) -> Option<i8> {
    let text = text.trim().to_ascii_lowercase();
    if let Ok(n) = text.parse::<i8>() {
        return (1..=12).contains(&n).then_some(n);
    }
    let names = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    names
        .iter()
        .position(|m| text.starts_with(m))
        .and_then(|i| i8::try_from(i + 1).ok())
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
    fn macros_concatenation_and_parentheses() {
        let (entries, errors) = parse(
            "@string{conf = \"Proc. of \"}\n@inproceedings(a,\n  booktitle = conf # {ICML},\n  month = mar, year = 2020,\n  title = \"The {\"}quoted{\"} word\")\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(entries[0].get("booktitle"), Some("Proc. of ICML"));
        assert_eq!(entries[0].get("month"), Some("3"));
        assert_eq!(entries[0].get("title"), Some("The {\"}quoted{\"} word"));
        assert_eq!(entries[0].line, 2);
    }

    #[test]
    fn a_broken_entry_is_reported_and_the_rest_still_read() {
        let text = "@article{good1, title={One}}\n\n@article{bad,\n  title = {Unclosed,\n  year = 2020\n}\n@article{good2, title = {Two}}\n@misc{nocomma, title = {x} year = 2}\n@misc{last, title={Three}}\n";
        let (entries, errors) = parse(text);
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["good1", "good2", "last"]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("not closed"), "{errors:?}");
        assert_eq!(errors[1].line, 8);
        assert!(
            errors[1].message.contains("comma may be missing"),
            "{errors:?}"
        );
    }

    #[test]
    fn dates_from_date_or_year_and_month() {
        let (entries, _) = parse(
            "@a{x, date = {2023-10-22}}\n@a{y, year = 2019, month = {Mar}}\n@a{z, year={2017}}",
        );
        let dates: Vec<Option<PartialDate>> = entries.iter().map(published).collect();
        assert_eq!(
            dates[0].unwrap().to_date().unwrap().to_string(),
            "2023-10-22"
        );
        assert_eq!(dates[1].unwrap().precision_note(), Some("month only"));
        assert_eq!(
            dates[2].unwrap().to_date().unwrap().to_string(),
            "2017-01-01"
        );
    }

    #[test]
    fn dblp_corr_entries_become_arxiv_papers_without_venue() {
        let (entries, _) = parse(
            "@article{d, title={T}, journal={CoRR}, volume={abs/2310.14189}, eprinttype={arXiv}, eprint={2310.14189}}",
        );
        let paper = to_paper(&entries[0], Location::default(), &BTreeMap::new()).unwrap();
        assert_eq!(paper.arxiv.as_deref(), Some("2310.14189"));
        assert_eq!(paper.venue, None);
    }
}
