//! Partials copied into the templates that include them, before compiling.
//!
//! Tera renders `{% include "partials/x.html" %}` by looking the partial up and starting a fresh
//! interpreter state for it: a few microseconds per include, and a digest page's 75 cards make
//! five includes each. Inlining happens after the site's overrides are resolved, so a site's own
//! partial is the one copied in. The result renders the same: Tera gives an included template the
//! includer's variables and autoescape setting and keeps nothing it sets, so only partials that
//! set, import, extend or define nothing are copied; the rest stay includes.
//!
//! Line numbers in errors would then point into the wrong file: the engine re-renders a failing
//! page with the templates as written ([`crate::render::templates::Templates`]) to report it.

use std::collections::{BTreeMap, HashMap};

/// How deep partials may include partials before the rest are left as includes (Tera reports a
/// cycle itself).
const MAX_DEPTH: usize = 8;

/// Every template's source with the includes of plain partials replaced by the partials' text.
pub fn inline_includes(sources: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut inliner = Inliner {
        sources,
        expanded: HashMap::new(),
    };
    sources
        .iter()
        .map(|(name, text)| (name.clone(), inliner.expand_text(text, 0)))
        .collect()
}

struct Inliner<'a> {
    sources: &'a BTreeMap<String, String>,
    /// Partials with their own includes inlined; `None` for those that must stay includes.
    expanded: HashMap<String, Option<Partial>>,
}

#[derive(Clone)]
struct Partial {
    body: String,
    /// Whether it sets variables.
    sets: bool,
}

impl Inliner<'_> {
    fn expand_text(&mut self, text: &str, depth: usize) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('{') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let Some(tag) = Tag::at_start(rest) else {
                out.push('{');
                rest = &rest[1..];
                continue;
            };
            let whole = &rest[..tag.len];
            match tag
                .include_target()
                .and_then(|name| self.partial(name, depth))
            {
                Some(partial) => {
                    // The include's whitespace control stays outside, as it was: `{%- include
                    // … -%}` trims around the include, never inside the partial. A partial that
                    // sets variables gets a loop of one round, whose variables end with it, as an
                    // included template's do.
                    let (open, close) = if partial.sets {
                        (" for __digestif_partial in [1] ", " endfor ")
                    } else {
                        (" if true ", " endif ")
                    };
                    out.push_str(if tag.trim_before { "{%-" } else { "{%" });
                    out.push_str(open);
                    out.push_str("%}");
                    out.push_str(&partial.body);
                    out.push_str("{%");
                    out.push_str(close);
                    out.push_str(if tag.trim_after { "-%}" } else { "%}" });
                }
                None => out.push_str(whole),
            }
            rest = &rest[tag.len..];
        }
        out.push_str(rest);
        out
    }

    fn partial(&mut self, name: &str, depth: usize) -> Option<Partial> {
        if depth >= MAX_DEPTH {
            return None;
        }
        if let Some(known) = self.expanded.get(name) {
            return known.clone();
        }
        let text = self.sources.get(name)?;
        let partial = inlinable(text).map(|sets| Partial {
            body: self.expand_text(text, depth + 1),
            sets,
        });
        self.expanded.insert(name.to_string(), partial.clone());
        partial
    }
}

/// Whether a partial renders the same copied in as included, and if so whether it sets
/// variables: it must set no global, define nothing a template may hold only once, and name
/// `loop` only inside its own loops (an included partial cannot see its includer's loop; a copy
/// could). Comments are no obstacle, raw blocks only need copying as they are.
fn inlinable(text: &str) -> Option<bool> {
    const FORBIDDEN: &[&str] = &[
        "set_global",
        "import",
        "extends",
        "block",
        "endblock",
        "macro",
        "endmacro",
        "filter",
        "endfilter",
        "component",
        "endcomponent",
    ];
    let mut loops = 0usize;
    let mut sets = false;
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        rest = &rest[at..];
        match Tag::at_start(rest) {
            Some(tag) => {
                match tag.name {
                    Some(name) if FORBIDDEN.contains(&name) => return None,
                    Some("set") => sets = true,
                    Some("for") => loops += 1,
                    Some("endfor") => loops = loops.saturating_sub(1),
                    _ => {}
                }
                if loops == 0 && names_loop(tag.code) {
                    return None;
                }
                rest = &rest[tag.len..];
            }
            None => rest = &rest[1..],
        }
    }
    Some(sets)
}

/// Whether template code uses the word `loop` (a quoted `"loop"` counts too: a partial left as an
/// include for nothing is only slower).
fn names_loop(code: &str) -> bool {
    code.match_indices("loop").any(|(at, _)| {
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        !code[..at].chars().next_back().is_some_and(is_word)
            && !code[at + 4..].chars().next().is_some_and(is_word)
    })
}

/// A `{% … %}` statement, `{{ … }}` expression, `{# … #}` comment or raw block at the start of
/// a text.
struct Tag<'a> {
    /// Bytes up to and including the closing delimiter (of `endraw` for a raw block).
    len: usize,
    /// A statement's keyword (`include`, `if`, …); `None` for expressions and comments.
    name: Option<&'a str>,
    /// The words after the keyword, for statements.
    arguments: &'a str,
    /// What is between the delimiters of a statement or expression; empty for comments.
    code: &'a str,
    trim_before: bool,
    trim_after: bool,
}

impl<'a> Tag<'a> {
    fn at_start(text: &'a str) -> Option<Tag<'a>> {
        let bytes = text.as_bytes();
        match bytes.get(1)? {
            b'#' => {
                let end = text[2..].find("#}")? + 4;
                Some(Tag {
                    len: end,
                    name: None,
                    arguments: "",
                    code: "",
                    trim_before: false,
                    trim_after: false,
                })
            }
            b'{' => {
                let len = closing(text, "}}")?;
                Some(Tag {
                    len,
                    name: None,
                    arguments: "",
                    code: &text[2..len - 2],
                    trim_before: false,
                    trim_after: false,
                })
            }
            b'%' => {
                let len = closing(text, "%}")?;
                let inner = &text[2..len - 2];
                let trim_before = inner.starts_with('-');
                let trim_after = inner.ends_with('-');
                let inner = inner.strip_prefix('-').unwrap_or(inner);
                let inner = inner.strip_suffix('-').unwrap_or(inner).trim();
                let (name, arguments) =
                    inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
                let len = if name == "raw" {
                    // Everything up to `endraw` is text, whatever it looks like.
                    let end = find_endraw(&text[len..])?;
                    len + end
                } else {
                    len
                };
                Some(Tag {
                    len,
                    name: Some(name),
                    arguments: arguments.trim(),
                    code: inner,
                    trim_before,
                    trim_after,
                })
            }
            _ => None,
        }
    }

    /// The partial a plain `{% include "name" %}` names; `None` for any other statement and for
    /// includes with anything more (`ignore missing`, a list, an escape in the name).
    fn include_target(&self) -> Option<&'a str> {
        if self.name != Some("include") {
            return None;
        }
        let quote = self.arguments.chars().next()?;
        if !matches!(quote, '"' | '\'' | '`') {
            return None;
        }
        let name = self.arguments[1..].strip_suffix(quote)?;
        (!name.is_empty() && !name.contains([quote, '\\'])).then_some(name)
    }
}

/// The length of a tag up to and including `close`, skipping over quoted strings.
fn closing(text: &str, close: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 2;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let byte = bytes[i];
        match quote {
            Some(q) if byte == b'\\' && q != b'`' => i += 1,
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if matches!(byte, b'"' | b'\'' | b'`') => quote = Some(byte),
            None if text[i..].starts_with(close) => return Some(i + close.len()),
            None => {}
        }
        i += 1;
    }
    None
}

/// The length of a raw block's body and its `{% endraw %}` tag.
fn find_endraw(text: &str) -> Option<usize> {
    let mut offset = 0;
    while let Some(at) = text[offset..].find("{%") {
        let start = offset + at;
        let tag = &text[start..];
        if let Some(len) = closing(tag, "%}") {
            let inner = tag[2..len - 2].trim_matches('-').trim();
            if inner == "endraw" {
                return Some(start + len);
            }
        }
        offset = start + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    /// Renders `page.html` from both the written and the inlined sources.
    fn render_both(files: &[(&str, &str)], context: &tera::Context) -> (String, String) {
        let written = sources(files);
        let inlined = inline_includes(&written);
        let render = |set: &BTreeMap<String, String>| {
            let mut tera = tera::Tera::new();
            tera.autoescape_on(vec![".html"]);
            tera.add_raw_templates(set.iter().map(|(n, t)| (n.as_str(), t.as_str())))
                .unwrap();
            tera.render("page.html", context).unwrap()
        };
        (render(&written), render(&inlined))
    }

    #[test]
    fn inlined_partials_render_exactly_as_included_ones() {
        let mut context = tera::Context::new();
        context.insert("items", &["<a>", "b"]);
        context.insert("title", "T & co");
        let files = [
            (
                "page.html",
                "<h1>{{ title }}</h1>\n  {%- for item in items %}\n  {%- include \"item.html\" -%}\n  {% endfor %}\n{% include 'outer.html' %}|{%- include \"comment_first.html\" %}|",
            ),
            (
                "item.html",
                "\n<li>{{ item }}{% for c in [1, 2] %}{{ loop.index }}{% endfor %}</li>\n",
            ),
            ("outer.html", "[{% include \"inner.html\" %}]\n"),
            ("inner.html", "{{ title | upper }}"),
            (
                "comment_first.html",
                "{#- a comment -#}\n  x  {# done -#}\n",
            ),
        ];
        let (written, inlined) = render_both(&files, &context);
        assert_eq!(inlined, written);
        let inlined_sources = inline_includes(&sources(&files));
        assert!(!inlined_sources["page.html"].contains("include"));
    }

    #[test]
    fn variables_a_copied_partial_sets_end_with_it_as_an_included_ones_do() {
        let mut context = tera::Context::new();
        context.insert("x", &1);
        let files = [
            (
                "page.html",
                "{% include \"sets.html\" %}{{ x }} {% for i in [1, 2] %}{% set y = i %}{% include \"sets.html\" %}{{ x }}{{ y }}{% endfor %}",
            ),
            (
                "sets.html",
                "{% set x = 2 %}{% set y = 5 %}{{ x }}{% include \"plain.html\" %}",
            ),
            ("plain.html", "<{{ x }}{{ y }}>"),
        ];
        let (written, inlined) = render_both(&files, &context);
        assert_eq!(written, "2<25>1 2<25>112<25>12");
        assert_eq!(inlined, written);
        let page = &inline_includes(&sources(&files))["page.html"];
        assert!(!page.contains("include"), "{page}");
    }

    #[test]
    fn partials_that_define_or_see_the_includers_loop_stay_includes() {
        let mut context = tera::Context::new();
        context.insert("x", &1);
        let files = [
            (
                "page.html",
                "{% include \"globals.html\" %}{{ x }} {% include \"filters.html\" %}{% include \"plain.html\" %}",
            ),
            ("globals.html", "{% set_global x = 2 %}{{ x }}"),
            ("filters.html", "{%- filter upper %}m{% endfilter -%}"),
            ("plain.html", "p{{ x }}"),
        ];
        let (written, inlined) = render_both(&files, &context);
        assert_eq!(inlined, written);
        let page = &inline_includes(&sources(&files))["page.html"];
        assert!(page.contains("{% include \"globals.html\" %}"), "{page}");
        assert!(page.contains("{% include \"filters.html\" %}"), "{page}");
        assert!(!page.contains("plain.html"), "{page}");
        let looped = sources(&[
            (
                "page.html",
                "{% for i in [1] %}{% include \"loop.html\" %}{% endfor %}",
            ),
            ("loop.html", "{{ loop.index }}"),
        ]);
        assert_eq!(inline_includes(&looped), looped);
    }

    #[test]
    fn text_that_only_looks_like_an_include_is_left_alone() {
        let files = sources(&[
            (
                "page.html",
                "{% raw %}{% include \"p.html\" %}{% endraw %}{{ \"{% include 'p.html' %}\" }}{# {% include \"p.html\" %} #}{% include \"missing.html\" ignore missing %}{% include \"p.html\" %}",
            ),
            ("p.html", "P"),
        ]);
        let page = &inline_includes(&files)["page.html"];
        assert_eq!(
            page,
            "{% raw %}{% include \"p.html\" %}{% endraw %}{{ \"{% include 'p.html' %}\" }}{# {% include \"p.html\" %} #}{% include \"missing.html\" ignore missing %}{% if true %}P{% endif %}"
        );
    }

    #[test]
    fn cycles_and_unknown_partials_stay_includes() {
        let files = sources(&[
            (
                "page.html",
                "{% include \"a.html\" %}{% include \"nope.html\" %}",
            ),
            ("a.html", "a{% include \"a.html\" %}"),
        ]);
        let page = &inline_includes(&files)["page.html"];
        assert!(page.contains("{% include \"nope.html\" %}"), "{page}");
        assert!(
            page.matches("{% if true %}a").count() == MAX_DEPTH,
            "{page}"
        );
        assert!(page.contains("{% include \"a.html\" %}"), "{page}");
    }

    #[test]
    fn unterminated_tags_do_not_panic() {
        for text in [
            "{%",
            "{{ x",
            "{# c",
            "{% raw %}never ended",
            "{% include \"p.html",
            "{",
            "{%-%}",
            "{% '\\",
        ] {
            let files = sources(&[("page.html", text), ("p.html", "P")]);
            assert_eq!(inline_includes(&files)["page.html"], text);
        }
    }
}
