//! Machine-readable metadata for a paper's page: JSON-LD (`ScholarlyArticle`) for search
//! engines and COinS (an OpenURL in a `Z3988` span) for reference managers.
//!
//! JSON-LD is written here rather than in a template because it sits inside `<script>`, where
//! HTML escaping does not apply and a title holding `</script>` would end the element: every `<`,
//! `>` and `&` becomes a `\u` escape, so no field can break out or open a comment.

use serde::Serialize;

use super::{Kind, Record, venue_kind};

/// schema.org `ScholarlyArticle`, in the order fields are written.
#[derive(Serialize)]
struct Article<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
    url: &'a str,
    name: &'a str,
    author: Vec<Typed<'a>>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    identifier: Vec<Identifier<'a>>,
    #[serde(rename = "sameAs", skip_serializing_if = "Vec::is_empty")]
    same_as: Vec<String>,
    #[serde(rename = "isPartOf", skip_serializing_if = "Option::is_none")]
    is_part_of: Option<Typed<'a>>,
    #[serde(rename = "abstract", skip_serializing_if = "Option::is_none")]
    abstract_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    about: Vec<Typed<'a>>,
}

#[derive(Serialize)]
struct Typed<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct Identifier<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "propertyID")]
    property: &'static str,
    value: &'a str,
}

/// `<script type="application/ld+json">…</script>`, inert whatever the fields hold; with the
/// abstract when `with_abstract` (the page shows it anyway, so by default it is left out).
pub fn json_ld_html(record: &Record, with_abstract: bool) -> String {
    let paper = record.paper;
    let mut same_as = Vec::new();
    let mut identifier = Vec::new();
    if let Some(arxiv) = &paper.arxiv {
        same_as.push(format!("https://arxiv.org/abs/{arxiv}"));
        identifier.push(Identifier {
            kind: "PropertyValue",
            property: "arXiv",
            value: arxiv,
        });
    }
    if let Some(doi) = &paper.doi {
        same_as.push(format!("https://doi.org/{doi}"));
        identifier.push(Identifier {
            kind: "PropertyValue",
            property: "DOI",
            value: doi,
        });
    }
    if let Some(url) = &paper.url {
        same_as.push(url.clone());
    }
    let article = Article {
        context: "https://schema.org",
        kind: "ScholarlyArticle",
        id: &record.permalink,
        url: &record.permalink,
        name: &crate::markdown::title::title_text(&paper.title),
        author: paper
            .authors
            .iter()
            .map(|a| Typed {
                kind: "Person",
                name: a,
            })
            .collect(),
        date_published: paper.published.map(|d| d.to_string()),
        identifier,
        same_as,
        is_part_of: paper.venue.as_deref().map(|venue| Typed {
            kind: match venue_kind(Some(venue)) {
                Kind::Journal => "Periodical",
                _ => "PublicationEvent",
            },
            name: venue,
        }),
        abstract_text: record.abstract_text.as_deref().filter(|_| with_abstract),
        about: record
            .topics
            .iter()
            .map(|t| Typed {
                kind: "Thing",
                name: t,
            })
            .collect(),
    };
    let json = serde_json::to_string(&article).expect("plain data always serialises");
    let mut out = String::with_capacity(json.len() + 64);
    out.push_str("<script type=\"application/ld+json\">");
    out.push_str(&script_safe(&json));
    out.push_str("</script>");
    out
}

/// JSON that is also inert inside an HTML `<script>` element: `<`, `>`, `&` and the two
/// JavaScript line terminators become `\u` escapes, which JSON parsers read back unchanged.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    let mut rest = json;
    // 0xE2 starts U+2028 and U+2029 in UTF-8; other characters are copied a run at a time.
    let next = |text: &str| {
        let bytes = text.as_bytes();
        match (
            memchr::memchr3(b'<', b'>', b'&', bytes),
            memchr::memchr(0xE2, bytes),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    while let Some(at) = next(rest) {
        out.push_str(&rest[..at]);
        let c = rest[at..].chars().next().expect("a character starts here");
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// The COinS OpenURL (Z39.88-2004 KEV) for a `<span class="Z3988" title="…">`; the template
/// HTML-escapes it.
pub fn coins(record: &Record) -> String {
    let paper = record.paper;
    let kind = venue_kind(paper.venue.as_deref());
    let mut pairs: Vec<(&str, String)> = vec![("ctx_ver", "Z39.88-2004".into())];
    match kind {
        Kind::Conference => {
            pairs.push(("rft_val_fmt", "info:ofi/fmt:kev:mtx:book".into()));
            pairs.push(("rft.genre", "proceeding".into()));
            pairs.push(("rft.atitle", paper.title.clone()));
            if let Some(venue) = &paper.venue {
                pairs.push(("rft.btitle", venue.clone()));
            }
        }
        Kind::Journal | Kind::Other => {
            pairs.push(("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal".into()));
            let genre = if kind == Kind::Journal {
                "article"
            } else {
                "preprint"
            };
            pairs.push(("rft.genre", genre.into()));
            pairs.push(("rft.atitle", paper.title.clone()));
            if let Some(venue) = &paper.venue {
                pairs.push(("rft.jtitle", venue.clone()));
            } else if paper.arxiv.is_some() {
                pairs.push(("rft.jtitle", "arXiv".into()));
            }
        }
    }
    for author in &paper.authors {
        pairs.push(("rft.au", author.clone()));
    }
    if let Some(date) = paper.published {
        pairs.push(("rft.date", date.to_string()));
    } else if let Some(year) = super::year(paper) {
        pairs.push(("rft.date", year.to_string()));
    }
    if let Some(doi) = &paper.doi {
        pairs.push(("rft_id", format!("info:doi/{doi}")));
    }
    if let Some(arxiv) = &paper.arxiv {
        pairs.push(("rft_id", format!("info:arxiv/{arxiv}")));
    }
    pairs.push(("rft_id", record.permalink.clone()));
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        percent_encode(&value, &mut out);
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 15)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn script_safe_json_cannot_close_the_element() {
        let json = serde_json::to_string(&json!({"t": "</script><!-- --> & \u{2028}"})).unwrap();
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["t"], "</script><!-- --> & \u{2028}");
    }

    #[test]
    fn percent_encoding_keeps_unreserved() {
        let mut out = String::new();
        percent_encode("a b&c/é", &mut out);
        assert_eq!(out, "a%20b%26c%2F%C3%A9");
    }
}
