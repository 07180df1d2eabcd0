//! Fenced code blocks to highlighted HTML with CSS classes (`hl-…`), so themes can style code for
//! light and dark readers from one stylesheet ([`stylesheet`] writes it from syntect themes).
//!
//! The syntax set loads on the first code block that names a language, once per process.

use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};
use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Replaces each code block's events with one HTML event.
pub fn highlight_code<'a>(events: Vec<Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut block: Option<(String, String)> = None;
    for event in events {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                block = Some((language, String::new()));
            }
            Event::Text(text) if block.is_some() => {
                if let Some((_, code)) = &mut block {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((language, code)) = block.take() {
                    out.push(Event::Html(CowStr::from(code_block_html(&language, &code))));
                }
            }
            other => out.push(other),
        }
    }
    out
}

pub fn code_block_html(language: &str, code: &str) -> String {
    let mut html = String::with_capacity(code.len() * 3);
    // Focusable, so that a long line can be scrolled to from the keyboard.
    html.push_str("<pre class=\"code\" tabindex=\"0\"");
    if !language.is_empty() {
        html.push_str(" data-lang=\"");
        escape(&mut html, language);
        html.push('"');
    }
    html.push_str("><code>");
    match highlighted(language, code) {
        Some(inner) => html.push_str(&inner),
        None => escape(&mut html, code),
    }
    html.push_str("</code></pre>\n");
    html
}

/// Past these sizes code is shown unhighlighted: syntect's regexes slow down badly on very long
/// lines, and nobody reads colours in a megabyte of code.
const MAX_HIGHLIGHTED_BYTES: usize = 256 * 1024;
const MAX_HIGHLIGHTED_LINE: usize = 4 * 1024;

fn highlighted(language: &str, code: &str) -> Option<String> {
    if language.is_empty()
        || code.len() > MAX_HIGHLIGHTED_BYTES
        || code.lines().any(|line| line.len() > MAX_HIGHLIGHTED_LINE)
    {
        return None;
    }
    let syntaxes = &*SYNTAXES;
    let syntax = syntaxes
        .find_syntax_by_token(language)
        .or_else(|| syntaxes.find_syntax_by_name(language))?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

fn escape(out: &mut String, text: &str) {
    pulldown_cmark_escape::escape_html(out, text).expect("writing to a String cannot fail");
}

/// CSS for code: the light theme, and the dark one inside `prefers-color-scheme: dark`.
pub fn stylesheet(light: &str, dark: &str) -> Result<String, String> {
    let themes = ThemeSet::load_defaults();
    let find = |name: &str| {
        themes.themes.get(name).ok_or_else(|| {
            let known: Vec<&str> = themes.themes.keys().map(String::as_str).collect();
            format!(
                "highlight theme `{name}` is unknown; choose one of: {}",
                known.join(", ")
            )
        })
    };
    let light_css =
        css_for_theme_with_class_style(find(light)?, CLASS_STYLE).map_err(|e| e.to_string())?;
    let dark_css =
        css_for_theme_with_class_style(find(dark)?, CLASS_STYLE).map_err(|e| e.to_string())?;
    Ok(format!(
        "/* Code highlighting: generated from the site's highlight themes. */\n{light_css}\n@media (prefers-color-scheme: dark) {{\n{dark_css}\n}}\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_classes() {
        let html = code_block_html("python", "def f(x):\n    return x < 1\n");
        assert!(html.contains("hl-"), "{html}");
        assert!(html.contains("&lt;"), "{html}");
        assert!(html.contains("data-lang=\"python\""), "{html}");
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let html = code_block_html("nolang\"><script>", "<script>alert(1)</script>");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn huge_lines_are_not_highlighted() {
        let line = "x = 1 + ".repeat(2000);
        let html = code_block_html("python", &line);
        assert!(
            !html.contains("hl-"),
            "highlighted a {} byte line",
            line.len()
        );
        assert!(html.contains("x = 1 + x = 1"));
    }

    #[test]
    fn stylesheet_has_light_and_dark() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").unwrap();
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(
            stylesheet("nope", "base16-ocean.dark")
                .unwrap_err()
                .contains("InspiredGitHub")
        );
    }
}
