//! Stage 5 of the pipeline: Markdown to HTML.
//!
//! pulldown-cmark parses with tables, footnotes, strikethrough, task lists and math. The event
//! stream then goes through small passes, each testable alone: raw HTML escaping, link checking,
//! math to MathML, code highlighting, heading ids. [`render_site`] runs this over every Markdown
//! field of the model in parallel and returns the HTML beside the model, indexed like it.

pub mod highlight;
pub mod math;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;

use crate::config::{Config, MathMode};
use crate::error::{Diagnostic, Location};
use crate::model::Site;

/// What changes how Markdown renders.
#[derive(Debug, Clone, Copy)]
pub struct MarkdownOptions {
    pub math: MathMode,
    pub unsafe_html: bool,
}

impl MarkdownOptions {
    pub fn from_config(config: &Config) -> Self {
        MarkdownOptions {
            math: config.math,
            unsafe_html: config.unsafe_html,
        }
    }
}

/// A problem found while rendering one Markdown text; the caller knows which file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub is_error: bool,
    pub message: String,
    pub hint: Option<String>,
}

/// The HTML of one Markdown text and whether any of it needed the code stylesheet.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: String,
    pub problems: Vec<Problem>,
}

pub fn render(text: &str, options: MarkdownOptions) -> Rendered {
    let mut cmark = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    if options.math == MathMode::Mathml {
        cmark |= Options::ENABLE_MATH;
    }
    let mut problems = Vec::new();
    let events = Parser::new_ext(text, cmark);
    let events = escape_raw_html(events, options.unsafe_html);
    let events = check_links(events, &mut problems);
    let events = math::render_math(events, &mut problems);
    let events = highlight::highlight_code(events);
    let events = add_heading_ids(events);
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered { html, problems }
}

/// The first `max_chars` of a Markdown text as plain text, math left out, cut at a word, for
/// meta descriptions and feed summaries.
pub fn plain_excerpt(text: &str, max_chars: usize) -> String {
    // The excerpt never needs more than the first few lines of source.
    let mut cut = text.len().min(max_chars * 6);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut plain = String::with_capacity(max_chars + 8);
    for event in Parser::new_ext(&text[..cut], Options::ENABLE_MATH) {
        match event {
            Event::Text(t) | Event::Code(t) => plain.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => plain.push(' '),
            _ => {}
        }
        if plain.len() > max_chars * 4 {
            break;
        }
    }
    let words: Vec<&str> = plain.split_whitespace().collect();
    let mut out = String::new();
    for word in words {
        if out.chars().count() + word.chars().count() + 1 > max_chars {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Raw HTML in content becomes visible text unless the site owner turned `unsafe_html` on.
fn escape_raw_html<'a>(
    events: impl Iterator<Item = Event<'a>>,
    unsafe_html: bool,
) -> impl Iterator<Item = Event<'a>> {
    events.map(move |event| match event {
        Event::Html(html) | Event::InlineHtml(html) if !unsafe_html => Event::Text(html),
        other => other,
    })
}

/// Links and images may not run script: `javascript:`, `vbscript:` and `data:` are refused.
fn check_links<'a>(
    events: impl Iterator<Item = Event<'a>>,
    problems: &mut Vec<Problem>,
) -> Vec<Event<'a>> {
    events
        .map(|event| match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if is_script_url(&dest_url) => {
                problems.push(refused_link(&dest_url));
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::Borrowed("#"),
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if is_script_url(&dest_url) => {
                problems.push(refused_link(&dest_url));
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::Borrowed("#"),
                    title,
                    id,
                })
            }
            other => other,
        })
        .collect()
}

fn refused_link(url: &str) -> Problem {
    let shown: String = url.chars().take(40).collect();
    Problem {
        is_error: true,
        message: format!("link to `{shown}` refused: links may not run script or embed data"),
        hint: Some("link to an https:// address instead".into()),
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

/// Gives every heading an `id` from its text, so sections can be linked to.
fn add_heading_ids<'a>(events: Vec<Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut used: Vec<String> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for event in events {
        match &event {
            Event::Start(Tag::Heading { id: None, .. }) => {
                pending = Some((out.len(), String::new()));
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, collected)) = &mut pending {
                    collected.push_str(text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, text)) = pending.take() {
                    let base = crate::model::ids::slugify(&text);
                    let base = if base.is_empty() {
                        "section".to_string()
                    } else {
                        base
                    };
                    let mut id = base.clone();
                    let mut n = 1;
                    while used.contains(&id) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    used.push(id.clone());
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut out[start] {
                        *slot = Some(CowStr::from(id));
                    }
                }
            }
            _ => {}
        }
        out.push(event);
    }
    out
}

/// The HTML of every Markdown field in the site, indexed like the model.
#[derive(Debug, Default)]
pub struct SiteHtml {
    /// Per digest: the introduction.
    pub intros: Vec<Arc<str>>,
    /// Per digest, per entry: the notes.
    pub notes: Vec<Vec<Option<Arc<str>>>>,
    /// Per paper: the abstract.
    pub abstracts: Vec<Option<Arc<str>>>,
    /// Per paper: the abstract's first words as plain text, for descriptions.
    pub excerpts: Vec<Option<Arc<str>>>,
}

/// Rendered Markdown by a hash of its source, so a rebuild renders only texts it has not seen.
/// Each rebuild keeps only the entries it used, so the cache never outgrows the site.
#[derive(Debug, Default)]
pub struct MarkdownCache {
    entries: HashMap<u64, CachedText>,
}

#[derive(Debug, Clone)]
struct CachedText {
    html: Arc<str>,
    problems: Vec<Problem>,
    /// For abstracts: the plain-text excerpt used in descriptions.
    excerpt: Option<Arc<str>>,
}

const EXCERPT_CHARS: usize = 200;

fn text_key(text: &str, options: MarkdownOptions) -> u64 {
    let mut hasher = crate::render::fingerprint::hasher();
    text.hash(&mut hasher);
    (options.math == MathMode::Mathml, options.unsafe_html).hash(&mut hasher);
    hasher.finish()
}

/// Renders every Markdown field, in parallel. Problems come back as diagnostics located at the
/// field's digest file and paper entry. With a cache, only texts not rendered before are.
pub fn render_site(
    site: &Site,
    options: MarkdownOptions,
    cache: Option<&mut MarkdownCache>,
) -> (SiteHtml, Vec<Diagnostic>) {
    struct Text<'a> {
        source: &'a str,
        path: &'a Path,
        line: usize,
        what: String,
        is_abstract: bool,
    }
    let mut texts: Vec<Text> = Vec::new();
    for digest in &site.digests {
        let what = "in the introduction".to_string();
        texts.push(Text {
            source: &digest.intro,
            path: &digest.source,
            line: digest.intro_line_offset + 1,
            what,
            is_abstract: false,
        });
        for entry in &digest.entries {
            if let Some(notes) = &entry.notes {
                let what = format!("in the notes on `{}`", site.papers[entry.paper].id);
                texts.push(Text {
                    source: notes,
                    path: &digest.source,
                    line: entry.line,
                    what,
                    is_abstract: false,
                });
            }
        }
    }
    for paper in &site.papers {
        if let Some(text) = &paper.abstract_md {
            let what = format!("in the abstract of `{}`", paper.id);
            texts.push(Text {
                source: text,
                path: &paper.source,
                line: paper.line,
                what,
                is_abstract: true,
            });
        }
    }

    let previous = cache.as_ref().map(|c| &c.entries);
    let rendered: Vec<(u64, CachedText)> = texts
        .par_iter()
        .map(|text| {
            let key = text_key(text.source, options);
            let mut value = previous
                .and_then(|entries| entries.get(&key))
                .cloned()
                .unwrap_or_else(|| {
                    let r = render(text.source, options);
                    CachedText {
                        html: Arc::from(r.html),
                        problems: r.problems,
                        excerpt: None,
                    }
                });
            if text.is_abstract && value.excerpt.is_none() {
                value.excerpt = Some(Arc::from(plain_excerpt(text.source, EXCERPT_CHARS)));
            }
            (key, value)
        })
        .collect();

    let mut diagnostics = Vec::new();
    for (text, (_, value)) in texts.iter().zip(&rendered) {
        for p in &value.problems {
            let message = format!("{}: {}", text.what, p.message);
            let location = Location::at(text.path, text.line, None);
            let d = if p.is_error {
                Diagnostic::error(location, message)
            } else {
                Diagnostic::warning(location, message)
            };
            diagnostics.push(match &p.hint {
                Some(hint) => d.with_hint(hint.clone()),
                None => d,
            });
        }
    }

    let mut values = rendered.iter().map(|(_, v)| v);
    let mut next = || values.next().expect("one value per text");
    let mut html = SiteHtml::default();
    for digest in &site.digests {
        html.intros.push(next().html.clone());
        let notes = digest
            .entries
            .iter()
            .map(|e| e.notes.as_ref().map(|_| next().html.clone()))
            .collect();
        html.notes.push(notes);
    }
    for paper in &site.papers {
        let value = paper.abstract_md.as_ref().map(|_| next());
        html.abstracts.push(value.map(|v| v.html.clone()));
        html.excerpts.push(value.and_then(|v| v.excerpt.clone()));
    }

    if let Some(cache) = cache {
        cache.entries = rendered.into_iter().collect();
    }
    (html, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(text: &str) -> String {
        render(
            text,
            MarkdownOptions {
                math: MathMode::Mathml,
                unsafe_html: false,
            },
        )
        .html
    }

    #[test]
    fn excerpts_are_plain_and_cut_at_a_word() {
        assert_eq!(
            plain_excerpt("We *bound* $x^2$ in `code`.\n\nSecond.", 100),
            "We bound in code. Second."
        );
        assert_eq!(plain_excerpt("one two three four", 9), "one two…");
    }

    #[test]
    fn raw_html_is_escaped_by_default() {
        let out = html("Hi <script>alert(1)</script>\n\n<div onclick=x>block</div>\n");
        assert!(!out.contains("<script"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(!out.contains("<div"), "{out}");
    }

    #[test]
    fn raw_html_passes_when_the_owner_allows_it() {
        let out = render(
            "<b>bold</b>",
            MarkdownOptions {
                math: MathMode::Mathml,
                unsafe_html: true,
            },
        )
        .html;
        assert!(out.contains("<b>bold</b>"), "{out}");
    }

    #[test]
    fn script_links_are_refused() {
        let r = render(
            "[x](javascript:alert(1)) [y]( JaVa\tscript:1) ![i](data:text/html,x)",
            MarkdownOptions {
                math: MathMode::Off,
                unsafe_html: false,
            },
        );
        assert!(!r.html.contains("javascript"), "{}", r.html);
        assert!(!r.html.contains("data:"), "{}", r.html);
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
        assert!(is_script_url(" JaVa\tscript:1"));
        assert!(!is_script_url("https://example.org/javascript:"));
    }

    #[test]
    fn headings_get_unique_ids() {
        let out = html("## Results\n\n## Results\n\n## `code` and text\n");
        assert!(out.contains("<h2 id=\"results\">"), "{out}");
        assert!(out.contains("<h2 id=\"results-1\">"), "{out}");
        assert!(out.contains("<h2 id=\"code-and-text\">"), "{out}");
    }

    #[test]
    fn gfm_extensions_render() {
        let out = html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ text[^1]\n\n[^1]: note\n",
        );
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("type=\"checkbox\""), "{out}");
        assert!(out.contains("<del>old</del>"), "{out}");
        assert!(out.contains("footnote"), "{out}");
    }
}
