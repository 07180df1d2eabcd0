//! CSL-JSON: Zotero's (and most reference managers') export, and what doi.org answers.
//!
//! An export is an array of items (a single item is accepted too). Each item becomes a paper:
//! `title`, `author` (given + particles + family, or `literal`), `issued` as published,
//! `container-title` (or the event) as venue, `DOI`, `URL`, `abstract` (JATS or HTML tags
//! stripped), `keyword` as topics, and the arXiv id wherever Zotero or DataCite put it (`number`,
//! `URL`, `DOI`, `note`, `archive_location`). An item without a title is reported with its line.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::categories::topic_for;
use super::partial_date::{DateRead, checked_parts, read_date_text};
use super::{Import, ImportedPaper, arxiv_from_doi, arxiv_from_url, arxiv_in_text, one_line};
use crate::content::RawPaper;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::import::input::{MAX_ENTRIES, no_entry, too_many_entries};

/// Reads a CSL-JSON file's text: a list of items, or one item. Items are read one at a time
/// and made into papers as they come, so that the file is never held as one JSON tree (a list
/// of a million `{}` would take gigabytes); reading stops after [`MAX_ENTRIES`], and an item of
/// more than [`MAX_ITEM_VALUES`] values is skipped unread.
pub fn read(path: &Path, text: &str, categories: &BTreeMap<String, String>) -> Result<Import> {
    let scans = scan_items(text);
    let mut import = Import::default();
    let mut count = 0;
    let mut each = |item: Option<Value>| {
        count += 1;
        if count > MAX_ENTRIES {
            return false;
        }
        let line = scans.get(count - 1).map_or(1, |scan| scan.line);
        let location = Location::at(path, line, None);
        let Some(item) = item else {
            import.warnings.push(
                Diagnostic::warning(
                    location,
                    format!(
                        "item {count} holds more than {MAX_ITEM_VALUES} values; skipped unread"
                    ),
                )
                .with_hint("no paper's metadata is that large: check the export"),
            );
            return true;
        };
        match item_to_paper(&item, location.clone(), categories, &mut import.warnings) {
            Some(paper) => import.papers.push(paper),
            None => import.warnings.push(
                Diagnostic::warning(location, format!("item {count} has no title; skipped"))
                    .with_hint("every paper needs a title"),
            ),
        }
        true
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let items = Items {
        each: &mut each,
        scans: &scans,
    };
    let read = serde::Deserializer::deserialize_any(&mut deserializer, items)
        .and_then(|()| deserializer.end());
    if count > MAX_ENTRIES {
        return Err(too_many_entries(
            path,
            scans.get(MAX_ENTRIES).map(|scan| scan.line),
        ));
    }
    read.map_err(|e| {
        let message = match e.classify() {
            serde_json::error::Category::Data => format!("expected a list of CSL-JSON items: {e}"),
            _ => format!("not valid JSON: {e}"),
        };
        Error::Invalid(vec![
            Diagnostic::error(Location::at(path, e.line(), Some(e.column())), message)
                .with_hint("export CSL-JSON from your reference manager (Zotero: Export Collection → CSL JSON)"),
        ])
    })?;
    if count == 0 {
        return Err(no_entry(
            path,
            "the list holds no CSL-JSON item",
            "export a collection with items in it (Zotero: Export Collection → CSL JSON)",
        ));
    }
    Ok(import)
}

/// The top of a CSL-JSON file, handing each item to `each` as it is read (None for one too large
/// to read, by its scan); `each` says whether to go on.
struct Items<'a> {
    each: &'a mut dyn FnMut(Option<Value>) -> bool,
    scans: &'a [ItemScan],
}

impl Items<'_> {
    fn is_too_large(&self, index: usize) -> bool {
        self.scans
            .get(index)
            .is_some_and(|scan| scan.values > MAX_ITEM_VALUES)
    }
}

impl<'de> serde::de::Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a list of CSL-JSON items, or one item")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for index in 0.. {
            let item = if self.is_too_large(index) {
                match seq.next_element::<serde::de::IgnoredAny>()? {
                    Some(_) => None,
                    None => break,
                }
            } else {
                match seq.next_element::<Value>()? {
                    Some(item) => Some(item),
                    None => break,
                }
            };
            if !(self.each)(item) {
                return Err(serde::de::Error::custom("too many items"));
            }
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let map = serde::de::value::MapAccessDeserializer::new(map);
        let item = if self.is_too_large(0) {
            serde::de::IgnoredAny::deserialize(map)?;
            None
        } else {
            Some(Value::deserialize(map)?)
        };
        (self.each)(item);
        Ok(())
    }
}

/// One CSL item; None without a title. A date it could not use is a warning.
pub fn item_to_paper(
    item: &Value,
    origin: Location,
    categories: &BTreeMap<String, String>,
    warnings: &mut Vec<Diagnostic>,
) -> Option<ImportedPaper> {
    let title = strip_tags(&text_of(item.get("title")?)?);
    if title.trim().is_empty() {
        return None;
    }
    let field = |name: &str| {
        item.get(name)
            .and_then(text_of)
            .filter(|t| !t.trim().is_empty())
    };
    let doi = field("DOI");
    let url = field("URL");
    let mut arxiv = doi
        .as_deref()
        .and_then(arxiv_from_doi)
        .or_else(|| url.as_deref().and_then(arxiv_from_url));
    for name in ["number", "archive_location", "note", "container-title"] {
        if arxiv.is_none() {
            arxiv = field(name).as_deref().and_then(arxiv_in_text);
        }
    }
    let is_preprint = arxiv.is_some()
        && field("container-title").is_none_or(|c| c.to_ascii_lowercase().contains("arxiv"));
    let venue = if is_preprint {
        None
    } else {
        field("container-title")
            .or_else(|| field("event-title"))
            .or_else(|| {
                item.get("event")
                    .and_then(|e| text_of(e.get("name").unwrap_or(e)))
            })
            .map(|v| strip_tags(&v))
    };
    let url =
        url.filter(|u| arxiv_from_url(u).is_none() && !u.to_ascii_lowercase().contains("doi.org/"));
    let mut topics = Vec::new();
    if let Some(keywords) = item.get("keyword") {
        let list: Vec<String> = match keywords {
            Value::Array(values) => values.iter().filter_map(text_of).collect(),
            other => text_of(other)
                .map(|t| t.split([',', ';']).map(str::to_string).collect())
                .unwrap_or_default(),
        };
        topics = list
            .iter()
            .filter_map(|k| keyword_topic(k, categories))
            .collect();
    }
    let paper = RawPaper {
        title,
        authors: authors(item.get("author")),
        arxiv,
        doi,
        url,
        venue,
        topics,
        abstract_md: field("abstract").map(|a| Arc::from(jats_to_text(&a))),
        ..RawPaper::default()
    };
    // The first date the item has, even when it is not usable: a later one may be another event.
    let published = ["issued", "published", "published-online", "published-print"]
        .iter()
        .find_map(|name| item.get(*name).and_then(date_of))
        .unwrap_or_default();
    Some(ImportedPaper::new(paper, origin).with_read_date(published, warnings))
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(values) => values.iter().find_map(text_of),
        _ => None,
    }
}

fn authors(value: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(list)) = value else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|person| {
            if let Some(literal) = person.get("literal").and_then(text_of) {
                return Some(literal);
            }
            let parts: Vec<String> = [
                "given",
                "dropping-particle",
                "non-dropping-particle",
                "family",
            ]
            .iter()
            .filter_map(|k| person.get(*k).and_then(text_of))
            .collect();
            let mut name = parts.join(" ");
            if let Some(suffix) = person.get("suffix").and_then(text_of) {
                name = format!("{name} {suffix}");
            }
            (!name.trim().is_empty()).then_some(name)
        })
        .collect()
}

/// `{"date-parts": [[2019, 7, 25]]}`, or `{"raw": "2019-07-25"}`; None when it has neither.
fn date_of(value: &Value) -> Option<DateRead> {
    if let Some(parts) = value
        .get("date-parts")
        .and_then(|p| p.get(0))
        .and_then(Value::as_array)
        .filter(|parts| !parts.is_empty())
    {
        let number = |i: usize| -> Option<Result<i64, String>> {
            let part = parts.get(i)?;
            let number = part.as_i64().or_else(|| part.as_str()?.trim().parse().ok());
            Some(number.ok_or_else(|| part.to_string()))
        };
        let year = match number(0)? {
            Ok(year) => year,
            Err(text) => {
                return Some(DateRead::refused(format!(
                    "the year {text} is not a number, so `published` was left out"
                )));
            }
        };
        // A month or day that is not a number is left out like one that does not exist.
        let part = |i| number(i).map(|n| n.unwrap_or(0));
        return Some(checked_parts(year, part(1), part(2)));
    }
    let raw = value
        .get("raw")
        .or_else(|| value.get("literal"))
        .and_then(text_of)?;
    Some(read_date_text(&raw))
}

/// A keyword as a topic: DataCite's "FOS: …" classes are dropped, "Machine Learning (cs.LG)"
/// goes through the arXiv category table.
fn keyword_topic(keyword: &str, categories: &BTreeMap<String, String>) -> Option<String> {
    let keyword = one_line(keyword);
    if keyword.is_empty() || keyword.starts_with("FOS:") {
        return None;
    }
    if let Some((name, code)) = keyword.strip_suffix(')').and_then(|k| k.rsplit_once(" (")) {
        return Some(topic_for(code, categories).unwrap_or(name).to_string());
    }
    // Zotero tags arXiv papers "Computer Science - Machine Learning": keep the field's name.
    for archive in ARXIV_ARCHIVES {
        if let Some(name) = keyword
            .strip_prefix(archive)
            .and_then(|k| k.strip_prefix(" - "))
        {
            return Some(name.to_string());
        }
    }
    Some(keyword)
}

const ARXIV_ARCHIVES: &[&str] = &[
    "Computer Science",
    "Statistics",
    "Mathematics",
    "Physics",
    "Quantitative Biology",
    "Quantitative Finance",
    "Electrical Engineering and Systems Science",
    "Economics",
];

/// Strips HTML or JATS tags (`<i>`, `<sub>`), decoding the common entities.
pub fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Crossref abstracts are JATS XML: paragraphs become blank-line-separated Markdown paragraphs,
/// and a leading "Abstract" heading is dropped.
fn jats_to_text(text: &str) -> String {
    let with_breaks = text
        .replace("</jats:p>", "\n\n")
        .replace("</p>", "\n\n")
        .replace("</jats:title>", "\n\n");
    let stripped = strip_tags(&with_breaks);
    let trimmed = stripped.trim_start();
    let trimmed = trimmed
        .strip_prefix("Abstract\n")
        .or_else(|| trimmed.strip_prefix("Abstract\r\n"))
        .unwrap_or(trimmed);
    super::paragraphs(trimmed)
}

/// The most JSON values one item may hold (counted as the `{`, `[`, `:` and `,` in it): a paper
/// with three thousand authors has some fifteen thousand, and an item of millions would take a
/// hundred bytes of memory for every few bytes of text.
const MAX_ITEM_VALUES: usize = 100_000;

/// Where one top-level item of the file starts, and how many values it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ItemScan {
    line: usize,
    values: usize,
}

/// Each top-level item of a JSON list (or the one item of a file that is an object), found
/// without parsing: to point at an item by its line, and to skip one too large to read. Stops
/// after [`MAX_ENTRIES`] items and one more, all that is read.
fn scan_items(text: &str) -> Vec<ItemScan> {
    let is_one_object = text.trim_start().starts_with('{');
    // The depth of an item's own values: inside the one object, or inside a list's items.
    let item_depth = if is_one_object { 1 } else { 2 };
    let mut items: Vec<ItemScan> = Vec::new();
    let (mut depth, mut line, mut in_string, mut escaped) = (0usize, 1usize, false, false);
    // Whether the next token starts an item: at the start for one object; after a list's `[`
    // or a `,` between its items.
    let mut item_next = is_one_object;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if item_next && depth + 1 == item_depth && !matches!(c, ']' | '}') {
            if items.len() > MAX_ENTRIES {
                break;
            }
            items.push(ItemScan { line, values: 0 });
            item_next = false;
        }
        if depth >= item_depth
            && matches!(c, '{' | '[' | ':' | ',')
            && let Some(item) = items.last_mut()
        {
            item.values += 1;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                item_next |= depth == 1 && !is_one_object;
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth + 1 == item_depth => item_next = true,
            _ => {}
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zotero_preprint_items_get_their_arxiv_id() {
        let item: Value = serde_json::from_str(
            r#"{"type":"article","title":"Consistency Models","publisher":"arXiv","number":"arXiv:2303.01469",
               "author":[{"family":"Song","given":"Yang"},{"literal":"OpenAI"}],
               "issued":{"date-parts":[["2023","3","2"]]},"keyword":"Computer Science - Machine Learning, FOS: x"}"#,
        )
        .unwrap();
        let imported = item_to_paper(
            &item,
            Location::default(),
            &BTreeMap::new(),
            &mut Vec::new(),
        )
        .unwrap();
        let paper = &imported.paper;
        assert_eq!(paper.arxiv.as_deref(), Some("2303.01469"));
        assert_eq!(paper.authors, ["Yang Song", "OpenAI"]);
        assert_eq!(paper.published.unwrap().to_string(), "2023-03-02");
        assert_eq!(imported.published_note, None);
        assert_eq!(paper.topics, ["Machine Learning"]);
        assert_eq!(paper.venue, None);
    }

    #[test]
    fn crossref_abstracts_lose_their_jats() {
        assert_eq!(
            jats_to_text(
                "<jats:title>Abstract</jats:title><jats:p>One &amp; <jats:italic>two</jats:italic>.</jats:p><jats:p>Three.</jats:p>"
            ),
            "One & two.\n\nThree."
        );
    }

    #[test]
    fn keywords_with_arxiv_codes_use_the_category_table() {
        let none = BTreeMap::new();
        assert_eq!(
            keyword_topic("Machine Learning (cs.LG)", &none).as_deref(),
            Some("machine learning")
        );
        assert_eq!(
            keyword_topic("FOS: Computer and information sciences", &none),
            None
        );
    }

    #[test]
    fn items_are_found_with_their_lines_and_sizes() {
        let scan = |text| {
            scan_items(text)
                .iter()
                .map(|i| (i.line, i.values))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            scan("[\n {\"a\": \"{\"},\n {\"b\": [{}, 1]},\n 7, \"x\"\n]"),
            [(2, 1), (3, 4), (4, 0), (4, 0)]
        );
        assert_eq!(scan(" {\"a\": [1, 2], \"b\": {}}"), [(1, 6)]);
        assert_eq!(scan("[]"), []);
    }
}
