//! Links in Markdown: refuse the ones that run script, resolve `@/…` links to pages of the site
//! under its sub-path, and note every link's destination and position for `digestif check`.
//!
//! `@/papers/<id>`, `@/digests/<slug>` and `@/topics/<name>` name pages by what they show, the way
//! the content format names them, and become `/<base path>/papers/<slug>/`; any other `@/<path>`
//! is a path inside the site (`@/topics/`, `@/feed.xml`). Whether the page exists is checked by
//! `digestif check`, which sees the whole site (check.rs).

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag};

use super::Problem;
use crate::content::ids::{id_slug, slugify};

/// A link destination written in Markdown (or in raw HTML that was kept), where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundLink {
    /// As written: `@/papers/2310.14189`, `/topics/`, `https://…`, `../x`.
    pub url: String,
    /// For `@/…` links, the path inside the site it resolved to: `papers/2310.14189/`.
    pub site_path: Option<String>,
    /// Byte offset in the Markdown text.
    pub offset: usize,
}

/// Refuses script links, resolves `@/` links, and records every destination but `#fragment`s.
pub fn resolve_links(
    events: &mut [(Event<'_>, Range<usize>)],
    base_path: &str,
    problems: &mut Vec<Problem>,
    links: &mut Vec<FoundLink>,
) {
    for (event, range) in events.iter_mut() {
        let dest = match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        if is_script_url(dest) {
            problems.push(refused_link(dest, range.start));
            *dest = CowStr::Borrowed("#");
            continue;
        }
        if dest.is_empty() || dest.starts_with('#') {
            continue;
        }
        let site_path = dest.strip_prefix("@/").map(site_path);
        links.push(FoundLink {
            url: dest.to_string(),
            site_path: site_path.clone(),
            offset: range.start,
        });
        if let Some(path) = site_path {
            let fragment = dest.find('#').map_or("", |i| &dest[i..]);
            *dest = CowStr::from(format!("{base_path}{path}{fragment}"));
        }
    }
}

/// The site path an `@/…` link (without `@/`) names.
pub fn site_path(rest: &str) -> String {
    let rest = rest.split(['#', '?']).next().unwrap_or("");
    let page = |kind: &str, name: &str, slug: String| {
        if name.is_empty() {
            format!("{kind}/")
        } else {
            format!("{kind}/{slug}/")
        }
    };
    if let Some(id) = rest.strip_prefix("papers/") {
        let id = id.trim_end_matches('/');
        return page("papers", id, id_slug(&percent_decode(id)));
    }
    if let Some(slug) = rest.strip_prefix("digests/") {
        let slug = slug.trim_end_matches('/');
        return page("digests", slug, id_slug(&percent_decode(slug)));
    }
    if let Some(name) = rest.strip_prefix("topics/") {
        let name = name.trim_end_matches('/');
        return page("topics", name, slugify(&percent_decode(name)));
    }
    rest.to_string()
}

/// `%20` and friends back to text, leaving malformed escapes as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(&a), Some(&b)) = (bytes.get(i + 1), bytes.get(i + 2))
            && let (Some(a), Some(b)) = (hex(a), hex(b))
        {
            out.push((a * 16 + b) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `href`, `src` and `action` values in a fragment of raw HTML that is kept, for `check`.
pub fn raw_html_links(html: &str, offset: usize, links: &mut Vec<FoundLink>) {
    let lower = html.to_ascii_lowercase();
    for attribute in ["href", "src", "action"] {
        let mut from = 0;
        while let Some(found) = lower[from..].find(attribute) {
            let start = from + found;
            from = start + attribute.len();
            let before = lower[..start].chars().next_back();
            if !before.is_some_and(char::is_whitespace) {
                continue;
            }
            let rest = lower[from..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let value_start = lower.len() - rest.len();
            let (quote, skip) = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => (Some(q), 1),
                _ => (None, 0),
            };
            let value = &html[value_start + skip..];
            let end = match quote {
                Some(q) => value.find(q),
                None => value.find(|c: char| c.is_whitespace() || c == '>'),
            }
            .unwrap_or(value.len());
            let url = &value[..end];
            if !url.is_empty() && !url.starts_with('#') {
                links.push(FoundLink {
                    url: url.to_string(),
                    site_path: None,
                    offset: offset + start,
                });
            }
        }
    }
}

fn refused_link(url: &str, offset: usize) -> Problem {
    let shown: String = url.chars().take(40).collect();
    Problem {
        is_error: true,
        message: format!("link to `{shown}` refused: links may not run script or embed data"),
        hint: Some("link to an https:// address instead".into()),
        offset: Some(offset),
    }
}

/// Whether a URL's scheme can run script or smuggle a document, ignoring case, spaces and
/// control characters the way browsers do.
pub fn is_script_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| cleaned.starts_with(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_links_name_pages_by_what_they_show() {
        assert_eq!(site_path("papers/2310.14189"), "papers/2310.14189/");
        assert_eq!(
            site_path("papers/hep-th/9901001/"),
            "papers/hep-th-9901001/"
        );
        assert_eq!(
            site_path("papers/10.1145/3292500.3330701#notes"),
            "papers/10.1145-3292500.3330701/"
        );
        assert_eq!(
            site_path("topics/Diffusion%20Models"),
            "topics/diffusion-models/"
        );
        assert_eq!(site_path("topics/"), "topics/");
        assert_eq!(site_path("digests/2024-03-11"), "digests/2024-03-11/");
        assert_eq!(site_path("papers/../../etc"), "papers/etc/");
        assert_eq!(site_path("feed.xml"), "feed.xml");
        assert_eq!(site_path(""), "");
    }

    #[test]
    fn raw_html_attributes_are_found() {
        let mut links = Vec::new();
        raw_html_links(
            "<a class=x HREF='/a'>x</a><img src=/b.png><p data-href=\"no\">",
            10,
            &mut links,
        );
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["/a", "/b.png"]);
        assert_eq!(links[0].offset, 21);
    }

    #[test]
    fn percent_escapes_decode() {
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
    }
}
