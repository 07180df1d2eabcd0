//! Raw HTML inside Markdown, by the site's `[markdown] unsafe_html` setting (config::RawHtml).
//!
//! `false` turns every raw HTML event into text, so it shows as typed. `true` keeps it, and the
//! text's whole rendered HTML then goes through an ammonia allow-list that knows what our own
//! passes emit (MathML, highlighting classes, heading and footnote ids, task-list checkboxes,
//! table alignment) and drops scripts, event handlers, `style`, and `javascript:` URLs.
//! `"trusted"` keeps raw HTML as written.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::Event;

use super::clean_mathml::{MATHML_ATTRIBUTES, MATHML_TAGS};
use crate::config::RawHtml;

/// Deeper raw HTML is shown as text: html5ever takes time quadratic in nesting depth (30,000
/// nested `<div>`s took half a minute), and no real abstract nests this deep.
pub const MAX_DEPTH: usize = 256;

/// Elements without a closing tag, which do not nest.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(MATHML_TAGS.iter().copied())
        .add_tags([
            "input",
            "section",
            "details",
            "summary",
            "figure",
            "figcaption",
        ])
        .add_generic_attributes(MATHML_ATTRIBUTES.iter().copied())
        .add_generic_attributes(["class", "id"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("pre", ["data-lang"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("th", ["style"])
        .filter_style_properties(HashSet::from(["text-align"]))
        .set_tag_attribute_values(HashMap::from([(
            "input",
            HashMap::from([("disabled", "")]),
        )]))
        // Keep links as the writer made them; our own pages open links in the same tab.
        .link_rel(None)
        .strip_comments(true);
    builder
});

/// Escapes raw HTML events, or lets them through, by mode. Returns whether any raw HTML passed.
pub fn apply_mode<'a>(event: Event<'a>, mode: RawHtml, seen: &mut bool) -> Event<'a> {
    match event {
        Event::Html(html) | Event::InlineHtml(html) if mode == RawHtml::Escape => Event::Text(html),
        Event::Html(_) | Event::InlineHtml(_) => {
            *seen = true;
            event
        }
        other => other,
    }
}

/// The rendered HTML of one Markdown text, sanitised.
pub fn sanitise(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// How deeply the raw HTML fragments of one text nest, roughly: every start tag that is not void
/// or self-closed opens a level, every end tag closes one.
pub fn nesting_depth<'a>(fragments: impl IntoIterator<Item = &'a str>) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for fragment in fragments {
        let mut rest = fragment;
        while let Some(start) = rest.find('<') {
            rest = &rest[start + 1..];
            if let Some(after) = rest.strip_prefix('/') {
                if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    depth = depth.saturating_sub(1);
                }
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if !name.starts_with(|c: char| c.is_ascii_alphabetic()) || VOID.contains(&name.as_str())
            {
                continue;
            }
            let tag_end = rest.find('>').unwrap_or(rest.len());
            if rest[..tag_end].ends_with('/') {
                continue;
            }
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitiser_keeps_our_markup_and_drops_script() {
        let html = "<h2 id=\"x\">T</h2><p onclick=\"a()\">p <a href=\"javascript:x\">j</a> <a href=\"/ok\">o</a></p><script>alert(1)</script><pre class=\"code\" data-lang=\"py\"><code><span class=\"hl-k\">def</span></code></pre><math display=\"block\"><mi>x</mi></math><td style=\"text-align: right; color: red\">c</td><input disabled=\"\" type=\"checkbox\" checked=\"\"/>";
        let out = sanitise(html);
        for kept in [
            "<h2 id=\"x\">",
            "<a href=\"/ok\">",
            "data-lang=\"py\"",
            "class=\"hl-k\"",
            "<math display=\"block\"><mi>x</mi></math>",
            "type=\"checkbox\"",
        ] {
            assert!(out.contains(kept), "{kept} in {out}");
        }
        for dropped in ["onclick", "javascript", "<script", "color"] {
            assert!(!out.contains(dropped), "{dropped} in {out}");
        }
    }

    #[test]
    fn nesting_depth_counts_open_elements() {
        assert_eq!(nesting_depth(["<div><p>a</p><br><img src=x/></div>"]), 2);
        assert_eq!(nesting_depth(["<div>", "<div>", "</div>", "</div>"]), 2);
        assert_eq!(nesting_depth(["a < b and <3"]), 0);
        assert_eq!(nesting_depth([&*"<div>".repeat(1000)]), 1000);
    }
}
