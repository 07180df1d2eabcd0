//! Fast paths that reproduce a library's output byte for byte, in one place behind one switch.
//!
//! Each one is worth it on a large site, and each one is a second source of truth that must
//! agree with the library on every input. So they live here, each is tested against its library
//! on real and random inputs (beside the reference it mirrors), and [`enabled`] turns them all
//! off: with `DIGESTIF_SHORTCUTS=off` in the environment every caller takes the library's path.
//! CI runs the whole test suite once more that way (`.ci/run`), so the library stays the tested
//! truth and a shortcut can be deleted without changing any output.
//!
//! - [`is_plain_prose`] mirrors pulldown-cmark: text it accepts is paragraphs of plain text, so
//!   the plain-text pass (`markdown::plain`) folds its whitespace without parsing. Most abstracts
//!   are such text, and skipping the parser for them halves the time to index a large site.
//! - [`prose_html`] mirrors pulldown-cmark's HTML for the same plain prose: paragraphs and line
//!   breaks, nothing to escape. The HTML of such an abstract is written when a page shows it
//!   instead of being rendered for every paper up front and held until the last page (a fifth
//!   of the memory a large build peaks at).
//! - [`clean_mathml_as_ammonia`] mirrors ammonia: MathML from pulldown-latex that is already in
//!   the form ammonia writes comes back as it is, without an HTML parse (four fifths of the time
//!   math takes). Most formulas come out that way: allow-listed elements and attributes, text
//!   with only `&amp;`, `&lt;`, `&gt;` and `&nbsp;` references. Anything it does not vouch for (a
//!   bare `<`, an unknown element or attribute, markup where the HTML parser would switch to HTML
//!   rules) is left to ammonia.
//!
//! This module imports nothing from the crate: callers pass in what a shortcut checks against.

use std::ffi::OsStr;
use std::sync::LazyLock;

/// The environment variable that turns the shortcuts off: `DIGESTIF_SHORTCUTS=off`.
pub const SWITCH: &str = "DIGESTIF_SHORTCUTS";

static ENABLED: LazyLock<bool> = LazyLock::new(|| is_on(std::env::var_os(SWITCH).as_deref()));

/// Whether the shortcuts are taken; read from the environment once per process.
pub fn enabled() -> bool {
    *ENABLED
}

/// The switch's reading of its variable: only `off` turns the shortcuts off.
fn is_on(value: Option<&OsStr>) -> bool {
    value != Some(OsStr::new("off"))
}

/// Whether the plain-text pass may fold `text` without parsing it: the shortcuts are on and
/// [`is_plain_prose`] accepts it.
pub fn may_skip_parsing(text: &str) -> bool {
    enabled() && is_plain_prose(text)
}

/// Whether an abstract's HTML may be written by [`prose_html`] when a page shows it, rather than
/// rendered with the site's other Markdown: the shortcuts are on, [`is_plain_prose`] accepts it,
/// and spaces are its only whitespace besides line endings (a tab among trailing spaces makes a
/// line break by tab stops; a line of form feeds is blank).
pub fn may_defer_html(text: &str) -> bool {
    enabled() && is_prose_spaced_plainly(text)
}

/// What [`prose_html`] accepts: [`is_plain_prose`], and no tab, vertical tab or form feed.
pub fn is_prose_spaced_plainly(text: &str) -> bool {
    !text.contains(['\t', '\u{b}', '\u{c}']) && is_plain_prose(text)
}

/// The HTML pulldown-cmark writes for `text`, which [`is_prose_spaced_plainly`] accepts: each run
/// of lines that are not blank is a paragraph; a line loses its leading and trailing spaces, and the break after it is `\n`, or `<br />\n` after two spaces or more. Plain
/// prose holds no `&`, `<` or `>`, so its text needs no escaping.
pub fn prose_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    // What goes between the last line written and the next line of the same paragraph.
    let mut line_break: Option<&str> = None;
    for line in lines(text) {
        let content = line.trim_matches(' ');
        if content.is_empty() {
            if line_break.take().is_some() {
                html.push_str("</p>\n");
            }
            continue;
        }
        html.push_str(line_break.unwrap_or("<p>"));
        html.push_str(content);
        line_break = Some(if line.ends_with("  ") {
            "<br />\n"
        } else {
            "\n"
        });
    }
    if line_break.is_some() {
        html.push_str("</p>\n");
    }
    html
}

/// The lines of `text`, each line ending (LF, CR LF or a lone CR) left out; after a final line
/// ending, one empty line (as `str::split` gives).
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr2(b'\n', b'\r', current.as_bytes()) {
            Some(end) => {
                let ending = if current[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = Some(&current[end + ending..]);
                Some(&current[..end])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// [`clean_mathml_as_ammonia`] when the shortcuts are on, `None` (ask ammonia) when they are off.
pub fn clean_mathml(raw: &str, tags: &[&str], attributes: &[&str]) -> Option<String> {
    if enabled() {
        clean_mathml_as_ammonia(raw, tags, attributes)
    } else {
        None
    }
}

/// Whether any byte of `bytes` is one `is` accepts: read in blocks of 64 without an exit inside
/// a block, so that the checks overlap (most texts hold no such byte and are read to the end
/// anyway).
pub fn any_byte(bytes: &[u8], is: impl Fn(u8) -> bool) -> bool {
    bytes
        .chunks(64)
        .any(|block| block.iter().fold(false, |found, &b| found | is(b)))
}

/// Whether Markdown (pulldown-cmark) would read `text` as paragraphs of plain text: no character
/// with a meaning inline, and no line that could open a block (list, heading, quote, code, rule).
pub fn is_plain_prose(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Five vectorised searches read a text without such characters (most abstracts) in about
    // a third of the instructions a byte-by-byte table takes.
    let has_inline = memchr::memchr3(b'*', b'_', b'`', bytes).is_some()
        || memchr::memchr3(b'[', b']', b'<', bytes).is_some()
        || memchr::memchr3(b'>', b'$', b'\\', bytes).is_some()
        || memchr::memchr3(b'&', b'#', b'~', bytes).is_some()
        || memchr::memchr2(b'|', b'!', bytes).is_some();
    if has_inline {
        return false;
    }
    // Only the start of each line can open a block. A lone carriage return ends a line too.
    let mut line = bytes;
    loop {
        if !starts_plainly(line) {
            return false;
        }
        match memchr::memchr2(b'\n', b'\r', line) {
            Some(end) => line = &line[end + 1..],
            None => return true,
        }
    }
}

/// Whether a line (`line` runs from its start to the end of the text) starts as a paragraph's
/// line does: not indented as code, and no list marker, heading underline or rule.
fn starts_plainly(line: &[u8]) -> bool {
    let indent = line
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    // A tab in the indent counts as up to four spaces.
    if indent >= 4 || line[..indent].contains(&b'\t') {
        return false;
    }
    let trimmed = &line[indent..];
    let digits = trimmed.iter().take_while(|b| b.is_ascii_digit()).count();
    // `1. ` or `2) ` opens a list; `16.6%` does not.
    let numbered = (1..=9).contains(&digits)
        && matches!(trimmed.get(digits), Some(b'.' | b')'))
        && matches!(
            trimmed.get(digits + 1),
            None | Some(b' ' | b'\t' | b'\n' | b'\r')
        );
    !numbered && !matches!(trimmed.first(), Some(b'-' | b'+' | b'='))
}

/// Elements whose content the HTML parser reads by HTML rules (MathML text integration points)
/// or that hold the TeX source: only text may be inside them here.
const TEXT_ONLY: &[&str] = &["mi", "mo", "mn", "ms", "mtext", "annotation"];

/// Nesting beyond which the shortcut is not taken (the HTML parser's own limits do not matter
/// for ammonia's output below this depth).
const MAX_DEPTH: usize = 256;

/// `raw` exactly as ammonia, allowing the elements `tags` and the attributes `attributes` and
/// nothing else, would write it; `None` when that is not certain without parsing it as HTML.
/// Only for allow-lists of MathML elements: the rules below are MathML's.
pub fn clean_mathml_as_ammonia(raw: &str, tags: &[&str], attributes: &[&str]) -> Option<String> {
    let mut out = String::with_capacity(raw.len() + 32);
    let mut open: Vec<&str> = Vec::new();
    let mut rest = raw;
    if !rest.starts_with("<math") {
        return None;
    }
    while !rest.is_empty() {
        let text_end = rest.find(needs_care).unwrap_or(rest.len());
        out.push_str(&rest[..text_end]);
        rest = &rest[text_end..];
        let Some(first) = rest.bytes().next() else {
            break;
        };
        match first {
            b'&' => {
                let reference = ["&amp;", "&lt;", "&gt;", "&nbsp;"]
                    .into_iter()
                    .find(|r| rest.starts_with(r))?;
                out.push_str(reference);
                rest = &rest[reference.len()..];
            }
            b'<' if rest.as_bytes().get(1) == Some(&b'/') => {
                let (name, after) = name_at(&rest[2..])?;
                let after = after.strip_prefix('>')?;
                if open.pop() != Some(name) {
                    return None;
                }
                out.push_str("</");
                out.push_str(name);
                out.push('>');
                rest = after;
                if open.is_empty() && !rest.is_empty() {
                    return None;
                }
            }
            b'<' => {
                if open.last().is_some_and(|parent| TEXT_ONLY.contains(parent))
                    || open.len() >= MAX_DEPTH
                {
                    return None;
                }
                let (name, mut after) = name_at(&rest[1..])?;
                if !tags.contains(&name) || (open.is_empty() != (name == "math")) {
                    return None;
                }
                out.push('<');
                out.push_str(name);
                let mut seen: Vec<&str> = Vec::new();
                let self_closing = loop {
                    if let Some(end) = after.strip_prefix('>') {
                        after = end;
                        break false;
                    }
                    if let Some(end) = after.strip_prefix("/>").or(after.strip_prefix(" />")) {
                        after = end;
                        break true;
                    }
                    let (attribute, value, next) = attribute_at(after)?;
                    if !attributes.contains(&attribute) || seen.contains(&attribute) {
                        return None;
                    }
                    seen.push(attribute);
                    out.push(' ');
                    out.push_str(attribute);
                    out.push_str("=\"");
                    out.push_str(value);
                    out.push('"');
                    after = next;
                };
                out.push('>');
                if self_closing {
                    // The HTML parser honours `/>` in MathML; ammonia writes an end tag.
                    out.push_str("</");
                    out.push_str(name);
                    out.push('>');
                    if open.is_empty() {
                        return None;
                    }
                } else {
                    open.push(name);
                }
                rest = after;
            }
            // A bare `>` or a no-break space (ammonia writes references), a carriage return or
            // a NUL (the HTML parser replaces them), other control characters.
            _ => return None,
        }
    }
    open.is_empty().then_some(out)
}

/// Characters that may be written differently by ammonia, or start markup.
fn needs_care(c: char) -> bool {
    matches!(c, '<' | '>' | '&' | '\u{a0}') || (c.is_control() && c != '\n' && c != '\t')
}

/// A lower-case element or attribute name at the start of `text`, and what follows it.
fn name_at(text: &str) -> Option<(&str, &str)> {
    let end = text
        .find(|c: char| !c.is_ascii_lowercase())
        .unwrap_or(text.len());
    (end > 0).then(|| text.split_at(end))
}

/// ` name="value"` at the start of `text`: the name, the value, and what follows. Values with
/// anything ammonia would write differently (`&`, `<`, `>`, a no-break space) are refused.
fn attribute_at(text: &str) -> Option<(&str, &str, &str)> {
    let (name, after) = name_at(text.strip_prefix(' ')?)?;
    let after = after.strip_prefix("=\"")?;
    let end = after.find('"')?;
    let value = &after[..end];
    if value.contains(needs_care) {
        return None;
    }
    Some((name, value, &after[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_off_turns_the_shortcuts_off() {
        assert!(is_on(None));
        assert!(is_on(Some(OsStr::new("on"))));
        assert!(is_on(Some(OsStr::new(""))));
        assert!(!is_on(Some(OsStr::new("off"))));
    }

    #[test]
    fn plain_prose_is_text_without_markdown_syntax() {
        assert!(is_plain_prose("Plain words, 16.6% better.\nSecond line."));
        assert!(is_plain_prose("improves BLEU by\n16.6% over baselines"));
        for text in [
            "1. a list",
            "2) a list",
            "- item",
            "Title\n===",
            "Emphasis *here*.",
            "    indented code",
            "\tindented code",
            "a &amp; b",
            "Math $x^2$.",
        ] {
            assert!(!is_plain_prose(text), "{text}");
        }
    }
}
