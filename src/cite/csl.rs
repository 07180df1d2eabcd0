//! CSL-JSON items (the input format of citeproc, Pandoc and Zotero), one object per paper.

use serde_json::{Map, Value, json};

use super::{Kind, Record, split_name, venue_kind, year};

/// One CSL-JSON item.
pub fn item(record: &Record) -> Value {
    let paper = record.paper;
    let kind = venue_kind(paper.venue.as_deref());
    let mut item = Map::new();
    let mut set = |key: &str, value: Value| {
        item.insert(key.to_string(), value);
    };
    set("id", record.key.into());
    set("citation-key", record.key.into());
    set(
        "type",
        match kind {
            Kind::Conference => "paper-conference",
            Kind::Journal => "article-journal",
            // CSL's `article` is a preprint or working paper.
            Kind::Other => "article",
        }
        .into(),
    );
    set("title", paper.title.as_str().into());
    let authors: Vec<Value> = paper.authors.iter().map(|a| author(a)).collect();
    if !authors.is_empty() {
        set("author", authors.into());
    }
    if let Some(date) = paper.published {
        set(
            "issued",
            json!({ "date-parts": [[date.year(), date.month(), date.day()]] }),
        );
    } else if let Some(year) = year(paper) {
        set("issued", json!({ "date-parts": [[year]] }));
    }
    if let Some(venue) = &paper.venue {
        set("container-title", venue.as_str().into());
    }
    if let Some(arxiv) = &paper.arxiv {
        if kind == Kind::Other {
            set("publisher", "arXiv".into());
            set("number", format!("arXiv:{arxiv}").into());
        }
        set("URL", format!("https://arxiv.org/abs/{arxiv}").into());
    }
    if let Some(url) = &paper.url {
        set("URL", url.as_str().into());
    }
    if let Some(doi) = &paper.doi {
        set("DOI", doi.as_str().into());
    }
    if let Some(text) = record.abstract_text {
        set("abstract", text.into());
    }
    if !record.topics.is_empty() {
        set("keyword", record.topics.join(", ").into());
    }
    Value::Object(item)
}

fn author(name: &str) -> Value {
    let name = split_name(name);
    if name.is_literal {
        return json!({ "literal": name.family });
    }
    let mut out = Map::new();
    out.insert("family".into(), name.family.into());
    out.insert("given".into(), name.given.into());
    if !name.particle.is_empty() {
        out.insert("non-dropping-particle".into(), name.particle.into());
    }
    if !name.suffix.is_empty() {
        out.insert("suffix".into(), name.suffix.into());
    }
    Value::Object(out)
}

/// A CSL-JSON document: an array of items, pretty-printed.
pub fn document(items: Vec<Value>) -> String {
    let mut text =
        serde_json::to_string_pretty(&Value::Array(items)).expect("a JSON value always serialises");
    text.push('\n');
    text
}
