//! A digest as an email: `email.html` (one self-contained document for mail clients) and
//! `email.txt` (its plain-text version), both theme templates fed by [`EmailContext`].
//!
//! Mail clients ignore stylesheets and resolve no relative URL, so the HTML we rendered from
//! Markdown is post-processed here: [`absolutize`] makes every `href` and `src` absolute, and
//! [`inline_styles`] puts a `style` attribute on the elements Markdown produces. Plain text
//! comes from the Markdown itself, through the Markdown stage's plain-text pass
//! ([`markdown_text`]), with math kept as `$…$` TeX.

use crate::markdown::plain::{PlainOptions, plain_text, wrap_paragraphs};

use super::context::*;
use super::{Renderer, display_date, external_links};

/// Column at which plain-text paragraphs wrap.
const WIDTH: usize = 72;

impl Renderer<'_> {
    /// The context of `email.html` (`is_text` false: `_html` fields set, `_text` fields null)
    /// or of `email.txt` (the other way round); each page computes only what it prints.
    pub(super) fn email(&self, index: usize, is_text: bool) -> EmailContext {
        let digest = self.model.digest(index);
        let permalink = self.permalink(&format!("digests/{}/", digest.slug));
        let html =
            |fragment: &str| (!is_text).then(|| inline_styles(&absolutize(fragment, &permalink)));
        let text = |markdown: &str| is_text.then(|| markdown_text(markdown, &permalink));
        let papers = digest
            .entries
            .iter()
            .zip(self.model.notes(index))
            .map(|(entry, notes_html)| {
                let paper = self.model.paper(entry.paper);
                EmailPaper {
                    title: self.model.title_text(entry.paper).to_string(),
                    permalink: self.permalink(&format!("papers/{}/", paper.slug)),
                    authors: paper.authors.clone(),
                    venue: paper.venue.clone(),
                    published_display: paper.published.map(|date| date.display()),
                    links: external_links(paper),
                    topics: paper
                        .topics
                        .iter()
                        .map(|&t| self.model.topic_label(t).name.to_string())
                        .collect(),
                    // Plain prose is written out for each call: only the HTML email asks.
                    abstract_html: (!is_text)
                        .then(|| self.model.abstract_html(entry.paper))
                        .flatten()
                        .as_deref()
                        .and_then(html),
                    // The plain abstract, made for the email text only.
                    abstract_text: is_text
                        .then(|| self.model.abstract_text(entry.paper))
                        .flatten()
                        .map(|text| wrap_paragraphs(&text, WIDTH)),
                    excerpt: self.model.excerpt(entry.paper).map(str::to_string),
                    notes_html: notes_html.as_deref().and_then(html),
                    notes_text: entry.notes.as_deref().and_then(text),
                }
            })
            .collect();
        EmailContext {
            digest: EmailDigest {
                title: digest.title.clone(),
                date: digest.date.to_string(),
                date_display: display_date(digest.date),
                summary: digest.summary.clone(),
                intro_html: html(self.model.intro_html(index)).unwrap_or_default(),
                intro_text: text(&digest.intro).unwrap_or_default(),
                bib_permalink: self.permalink(&format!("digests/{}/papers.bib", digest.slug)),
                permalink,
            },
            papers,
            site_permalink: self.config.base.full(),
            feed_permalink: self.permalink("feed.xml"),
        }
    }
}

/// Makes every `href="…"` and `src="…"` in our own HTML absolute, resolved against `page` (an
/// absolute URL ending in `/`): `/x` gets the origin, `x` and `#x` the page's address.
pub fn absolutize(html: &str, page: &str) -> String {
    let origin_end = page
        .find("://")
        .and_then(|scheme| page[scheme + 3..].find('/').map(|i| scheme + 3 + i))
        .unwrap_or(page.len());
    let origin = &page[..origin_end];
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = find_url_attribute(rest) {
        let (before, value) = rest.split_at(at);
        out.push_str(before);
        let end = value.find('"').unwrap_or(value.len());
        let url = &value[..end];
        let has_scheme = |scheme: &str| {
            url.get(..scheme.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
        };
        if has_scheme("http://") || has_scheme("https://") || has_scheme("mailto:") {
            out.push_str(url);
        } else if let Some(path) = url.strip_prefix("//") {
            out.push_str("https://");
            out.push_str(path);
        } else if url.starts_with('/') {
            out.push_str(origin);
            out.push_str(url);
        } else {
            out.push_str(&resolve_relative(page, url));
        }
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

/// Byte offset just after the next `href="` or `src="`, in one scan for `="`.
fn find_url_attribute(html: &str) -> Option<usize> {
    html.match_indices("=\"")
        .find(|&(at, _)| {
            let before = &html.as_bytes()[..at];
            before.ends_with(b" href") || before.ends_with(b" src")
        })
        .map(|(at, _)| at + 2)
}

/// `page` + a relative reference, with `./` and `../` segments applied.
fn resolve_relative(page: &str, url: &str) -> String {
    if url.starts_with(['#', '?']) {
        return format!("{page}{url}");
    }
    let (head, path) = match page.find("://") {
        Some(i) => match page[i + 3..].find('/') {
            Some(j) => page.split_at(i + 3 + j),
            None => (page, "/"),
        },
        None => ("", page),
    };
    let mut segments: Vec<&str> = path.split('/').collect();
    segments.pop(); // the page's own (empty) last segment
    for part in url.split('/') {
        match part {
            "." => {}
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
            }
            _ => segments.push(part),
        }
    }
    format!("{head}{}", segments.join("/"))
}

/// Inline styles for the elements our Markdown produces; mail clients drop `<style>`.
const STYLES: &[(&str, &str)] = &[
    ("p", "margin:0 0 12px 0;"),
    ("ul", "margin:0 0 12px 0;padding-left:22px;"),
    ("ol", "margin:0 0 12px 0;padding-left:22px;"),
    ("li", "margin:0 0 4px 0;"),
    ("a", "color:#0a58ca;"),
    (
        "blockquote",
        "margin:0 0 12px 0;padding:0 0 0 12px;border-left:3px solid #dcdfe4;color:#5a606b;",
    ),
    (
        "pre",
        "margin:0 0 12px 0;padding:10px;background:#f4f5f7;border-radius:4px;overflow-x:auto;white-space:pre;font-size:13px;line-height:1.45;",
    ),
    (
        "code",
        "font-family:Menlo,Consolas,'Liberation Mono',monospace;font-size:13px;",
    ),
    ("table", "border-collapse:collapse;margin:0 0 12px 0;"),
    (
        "th",
        "border:1px solid #dcdfe4;padding:4px 8px;text-align:left;",
    ),
    ("td", "border:1px solid #dcdfe4;padding:4px 8px;"),
    ("h1", "font-size:20px;margin:16px 0 8px 0;"),
    ("h2", "font-size:18px;margin:16px 0 8px 0;"),
    ("h3", "font-size:16px;margin:16px 0 8px 0;"),
    ("h4", "font-size:15px;margin:12px 0 6px 0;"),
    ("img", "max-width:100%;height:auto;"),
];

/// Adds a `style` attribute to each opening tag listed in [`STYLES`]. Works on HTML we rendered
/// ourselves, where text never holds a raw `<`.
pub fn inline_styles(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 4);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        out.push_str(name);
        rest = &rest[name_end..];
        let tag_rest = &rest[..rest.find('>').unwrap_or(rest.len())];
        let Some((_, style)) = STYLES.iter().find(|(tag, _)| *tag == name) else {
            continue;
        };
        match tag_rest.find(" style=\"") {
            // A style of its own (a table cell's alignment) comes after ours, so it wins.
            Some(at) => {
                let value = at + " style=\"".len();
                out.push_str(&rest[..value]);
                out.push_str(style);
                rest = &rest[value..];
            }
            None => {
                out.push_str(" style=\"");
                out.push_str(style);
                out.push('"');
            }
        }
    }
    out.push_str(rest);
    out
}

/// Markdown as plain text for email (see [`Layout::Formatted`]): paragraphs wrapped at 72
/// columns, links as `text <url>` with absolute URLs, math as `$…$` and `$$…$$`.
///
/// [`Layout::Formatted`]: crate::markdown::plain::Layout::Formatted
pub fn markdown_text(markdown: &str, page: &str) -> String {
    let link_url = |url: &str| {
        let absolute = absolutize(&format!(" href=\"{url}\""), page);
        absolute[7..absolute.len() - 1].to_string()
    };
    plain_text(markdown, &PlainOptions::email(WIDTH, &link_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://example.org/site/digests/d/";

    #[test]
    fn urls_become_absolute() {
        let html = "<a href=\"/site/x/\">a</a><a href=\"../../papers/p/\">b</a><a href=\"#fn1\">c</a><img src=\"i.png\"><a href=\"https://o.org/\">d</a>";
        assert_eq!(
            absolutize(html, PAGE),
            "<a href=\"https://example.org/site/x/\">a</a><a href=\"https://example.org/site/papers/p/\">b</a><a href=\"https://example.org/site/digests/d/#fn1\">c</a><img src=\"https://example.org/site/digests/d/i.png\"><a href=\"https://o.org/\">d</a>"
        );
    }

    #[test]
    fn styles_are_inlined_once() {
        assert_eq!(
            inline_styles("<p>x <code>y</code></p><math display=\"block\"><mi>x</mi></math>"),
            "<p style=\"margin:0 0 12px 0;\">x <code style=\"font-family:Menlo,Consolas,'Liberation Mono',monospace;font-size:13px;\">y</code></p><math display=\"block\"><mi>x</mi></math>"
        );
    }

    #[test]
    fn own_styles_are_kept_after_ours() {
        assert_eq!(
            inline_styles("<td style=\"text-align: right\">1</td>"),
            "<td style=\"border:1px solid #dcdfe4;padding:4px 8px;text-align: right\">1</td>"
        );
    }

    #[test]
    fn text_keeps_math_lists_and_links() {
        let text = markdown_text(
            "We bound $x^2$, see [the page](/site/p/).\n\n- one\n- two\n\n$$\\int f$$\n\n```\ncode\n```\n",
            PAGE,
        );
        assert_eq!(
            text,
            "We bound $x^2$, see the page <https://example.org/site/p/>.\n\n- one\n\n- two\n\n$$\\int f$$\n\n    code"
        );
    }

    #[test]
    fn long_paragraphs_wrap() {
        let text = markdown_text(&"word ".repeat(40), PAGE);
        assert!(text.lines().all(|l| l.len() <= WIDTH), "{text}");
        assert_eq!(text.lines().count(), 3);
    }
}
