//! RIS records (the tagged format of EndNote, Zotero, Mendeley): `TAG  - value` lines ending in
//! CRLF, one record per paper, `ER  - ` closing it.

use super::{Kind, Record, split_name, venue_kind, year};

/// Appends one record, followed by a blank line.
pub fn write_record(out: &mut String, record: &Record) {
    let paper = record.paper;
    let kind = venue_kind(paper.venue.as_deref());
    let ty = match kind {
        Kind::Conference => "CPAPER",
        Kind::Journal => "JOUR",
        Kind::Other if paper.arxiv.is_some() => "UNPB",
        Kind::Other => "GEN",
    };
    let mut line = |tag: &str, value: &str| {
        out.push_str(tag);
        out.push_str("  - ");
        // A value is one line: line breaks (abstract paragraphs) become spaces.
        if value.contains(['\n', '\r']) {
            let joined = value.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push_str(&joined);
        } else {
            out.push_str(value.trim());
        }
        out.push_str("\r\n");
    };
    line("TY", ty);
    line("ID", record.key);
    line("TI", &paper.title);
    for author in &paper.authors {
        let name = split_name(author);
        if name.is_literal {
            line("AU", &name.family);
            continue;
        }
        let mut text = [name.particle.as_str(), name.family.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        text.push_str(", ");
        text.push_str(&name.given);
        if !name.suffix.is_empty() {
            text.push_str(", ");
            text.push_str(&name.suffix);
        }
        line("AU", &text);
    }
    if let Some(year) = year(paper) {
        line("PY", &year.to_string());
    }
    if let Some(date) = paper.published {
        // YYYY/MM/DD/, with the parts not known left empty.
        let part = |known: Option<i8>| known.map_or(String::new(), |n| format!("{n:02}"));
        let written = format!(
            "{:04}/{}/{}/",
            date.year(),
            part(date.month()),
            part(date.day_of_month())
        );
        line("DA", &written);
    }
    if let Some(venue) = &paper.venue {
        line(if kind == Kind::Journal { "JO" } else { "T2" }, venue);
    }
    if kind == Kind::Other && paper.arxiv.is_some() {
        line("PB", "arXiv");
    }
    if let Some(doi) = &paper.doi {
        line("DO", doi);
    }
    if let Some(arxiv) = &paper.arxiv {
        line("UR", &format!("https://arxiv.org/abs/{arxiv}"));
        line("N1", &format!("arXiv:{arxiv}"));
    }
    if let Some(url) = &paper.url {
        line("UR", url);
    }
    line("UR", &record.permalink);
    match (&paper.pdf, &paper.arxiv) {
        (Some(pdf), _) => line("L1", pdf),
        (None, Some(arxiv)) => line("L1", &format!("https://arxiv.org/pdf/{arxiv}")),
        _ => {}
    }
    if let Some(text) = record.abstract_text.as_deref() {
        line("AB", text);
    }
    for topic in &record.topics {
        line("KW", topic);
    }
    out.push_str("ER  - \r\n\r\n");
}
