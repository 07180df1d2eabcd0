//! CSL-JSON items (the input format of citeproc, Pandoc and Zotero), one object per paper.
//! Written through serde, which escapes every string; field names follow the CSL 1.0.2 schema.

use serde::Serialize;

use super::{Kind, Record, split_name, venue_kind, year};

#[derive(Debug, Serialize)]
pub struct Item<'a> {
    pub id: &'a str,
    #[serde(rename = "citation-key")]
    pub citation_key: &'a str,
    /// `paper-conference`, `article-journal`, or `article` (CSL's type for preprints).
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<Author>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<Issued>,
    #[serde(rename = "container-title", skip_serializing_if = "Option::is_none")]
    pub container_title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(rename = "DOI", skip_serializing_if = "Option::is_none")]
    pub doi: Option<&'a str>,
    #[serde(rename = "URL", skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(rename = "abstract", skip_serializing_if = "Option::is_none")]
    pub abstract_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Author {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    #[serde(
        rename = "non-dropping-particle",
        skip_serializing_if = "Option::is_none"
    )]
    pub particle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub literal: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Issued {
    #[serde(rename = "date-parts")]
    pub date_parts: Vec<Vec<i16>>,
}

/// One CSL-JSON item.
pub fn item<'a>(record: &'a Record) -> Item<'a> {
    let paper = record.paper;
    let kind = venue_kind(paper.venue.as_deref());
    let is_preprint = kind == Kind::Other && paper.arxiv.is_some();
    let issued = match (paper.published, year(paper)) {
        (Some(date), _) => Some(
            [Some(date.year())]
                .into_iter()
                .chain([date.month(), date.day_of_month()].map(|part| part.map(i16::from)))
                .flatten()
                .collect(),
        ),
        (None, Some(year)) => Some(vec![year]),
        (None, None) => None,
    };
    Item {
        id: record.key,
        citation_key: record.key,
        kind: match kind {
            Kind::Conference => "paper-conference",
            Kind::Journal => "article-journal",
            Kind::Other => "article",
        },
        title: &paper.title,
        author: paper.authors.iter().map(|a| author(a)).collect(),
        issued: issued.map(|parts| Issued {
            date_parts: vec![parts],
        }),
        container_title: paper.venue.as_deref(),
        publisher: is_preprint.then_some("arXiv"),
        number: paper
            .arxiv
            .as_ref()
            .filter(|_| is_preprint)
            .map(|a| format!("arXiv:{a}")),
        doi: paper.doi.as_deref(),
        url: paper.url.clone().or_else(|| {
            paper
                .arxiv
                .as_ref()
                .map(|a| format!("https://arxiv.org/abs/{a}"))
        }),
        abstract_text: record.abstract_text.as_deref(),
        keyword: (!record.topics.is_empty()).then(|| record.topics.join(", ")),
    }
}

fn author(name: &str) -> Author {
    let name = split_name(name);
    let some = |s: String| (!s.is_empty()).then_some(s);
    if name.is_literal {
        return Author {
            family: None,
            given: None,
            particle: None,
            suffix: None,
            literal: Some(name.family),
        };
    }
    Author {
        family: some(name.family),
        given: some(name.given),
        particle: some(name.particle),
        suffix: some(name.suffix),
        literal: None,
    }
}

/// A CSL-JSON document: an array of items, one line (these files are read by programs).
pub fn document(items: &[Item]) -> String {
    let mut text = serde_json::to_string(items).expect("plain data always serialises");
    text.push('\n');
    text
}
