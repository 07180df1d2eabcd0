//! Fenced code blocks to highlighted HTML with CSS classes (`hl-…`), so themes can style code for
//! light and dark readers from one stylesheet ([`SyntaxStyles`] writes it from syntect themes,
//! with the rules for the classes a site's code holds, which [`classes_in`] finds).
//!
//! The syntax set loads on the first code block that names a language, once per process.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};
use syntect::highlighting::{Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_PREFIX: &str = "hl-";
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed {
    prefix: CLASS_PREFIX,
};

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

/// The site's two highlight themes, their colours made readable ([`readable`]), from which
/// [`SyntaxStyles::stylesheet`] writes `syntax.css`.
pub struct SyntaxStyles {
    light: Theme,
    dark: Theme,
}

impl SyntaxStyles {
    /// The themes named `light` and `dark` among syntect's; an unknown name is an error that
    /// lists the known ones.
    pub fn load(light: &str, dark: &str) -> Result<Self, String> {
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
        Ok(SyntaxStyles {
            light: readable(find(light)?, &LIGHT_BACKGROUNDS),
            dark: readable(find(dark)?, &DARK_BACKGROUNDS),
        })
    }

    /// CSS for code: the light theme, and the dark one inside `prefers-color-scheme: dark`.
    /// With `used` (the classes found by [`classes_in`]), only the rules that can match code
    /// holding those classes: a site's code touches a few dozen of the hundreds of scopes the
    /// themes colour, and every page loads this file (issue 21, page weight).
    pub fn stylesheet(&self, used: Option<&BTreeSet<String>>) -> Result<String, String> {
        let css = |theme: &Theme| {
            let theme = match used {
                Some(used) => only_used(theme, used),
                None => theme.clone(),
            };
            css_for_theme_with_class_style(&theme, CLASS_STYLE).map_err(|e| e.to_string())
        };
        let (light_css, dark_css) = (css(&self.light)?, css(&self.dark)?);
        // Each scheme's rules apply only in that scheme, so neither wins by a more specific
        // selector; a reader's own choice (`data-theme` on the root, as the lab theme's toggle
        // sets it) overrides the system's.
        Ok(format!(
            "/* Code highlighting: generated from the site's highlight themes, every colour at least {MIN_CONTRAST}:1 against the code background. */\n\
             @media not all and (prefers-color-scheme: dark) {{\n{}}}\n{}\
             @media (prefers-color-scheme: dark) {{\n{}}}\n{}",
            scoped(&light_css, ":root:not([data-theme=\"dark\"])"),
            scoped(&light_css, ":root[data-theme=\"light\"]"),
            scoped(&dark_css, ":root:not([data-theme=\"light\"])"),
            scoped(&dark_css, ":root[data-theme=\"dark\"]"),
        ))
    }
}

/// CSS for code with every rule of both themes, whatever a site uses.
pub fn stylesheet(light: &str, dark: &str) -> Result<String, String> {
    SyntaxStyles::load(light, dark)?.stylesheet(None)
}

/// Adds to `classes` the highlight classes of `html`, without their `hl-` prefix: the scope
/// names syntect wrote for its code (`keyword`, `python`). Raw HTML that borrows the classes
/// counts too, since its text is scanned, not the highlighter's output.
pub fn classes_in(html: &str, classes: &mut BTreeSet<String>) {
    const ATTRIBUTE: &str = "class=\"";
    if !html.contains(CLASS_PREFIX) {
        return;
    }
    for (at, _) in html.match_indices(ATTRIBUTE) {
        let value = &html[at + ATTRIBUTE.len()..];
        let value = &value[..value.find('"').unwrap_or(value.len())];
        for class in value.split_ascii_whitespace() {
            if let Some(name) = class.strip_prefix(CLASS_PREFIX)
                && !classes.contains(name)
            {
                classes.insert(name.to_string());
            }
        }
    }
}

/// `theme` with only the selectors whose every scope name is in `used`: a rule that asks for a
/// class no code holds cannot match.
fn only_used(theme: &Theme, used: &BTreeSet<String>) -> Theme {
    let mut theme = theme.clone();
    theme.scopes.retain_mut(|item| {
        item.scope.selectors.retain(|selector| {
            selector.extract_scopes().iter().all(|scope| {
                scope
                    .build_string()
                    .split('.')
                    .all(|name| used.contains(name))
            })
        });
        !item.scope.selectors.is_empty()
    });
    theme
}

/// WCAG AA for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

/// The code backgrounds of the bundled themes and of syntect's light themes: token colours must
/// read on each of them.
const LIGHT_BACKGROUNDS: [(u8, u8, u8); 3] =
    [(0xf4, 0xf5, 0xf7), (0xf6, 0xf8, 0xfa), (0xff, 0xff, 0xff)];
const DARK_BACKGROUNDS: [(u8, u8, u8); 2] = [(0x1d, 0x20, 0x24), (0x16, 0x1b, 0x22)];

/// The WCAG contrast ratio of two colours.
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let luminance = |(r, g, b): (u8, u8, u8)| {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// `theme` with every foreground colour moved toward black (on light backgrounds) or white (on
/// dark ones) until it reaches [`MIN_CONTRAST`] against each of `backgrounds` and the theme's own.
fn readable(theme: &Theme, backgrounds: &[(u8, u8, u8)]) -> Theme {
    use syntect::highlighting::Color;
    let mut theme = theme.clone();
    let mut all: Vec<(u8, u8, u8)> = backgrounds.to_vec();
    if let Some(bg) = theme.settings.background {
        all.push((bg.r, bg.g, bg.b));
    }
    let is_dark =
        all.iter().map(|&c| contrast(c, (0, 0, 0))).sum::<f64>() / (all.len() as f64) < 7.0;
    let target = if is_dark { 255.0 } else { 0.0 };
    let fix = |color: &mut Color| {
        let worst = |c: &Color| {
            all.iter()
                .map(|&bg| contrast((c.r, c.g, c.b), bg))
                .fold(f64::INFINITY, f64::min)
        };
        for _ in 0..40 {
            if worst(color) >= MIN_CONTRAST {
                break;
            }
            let step = |v: u8| (f64::from(v) + (target - f64::from(v)) * 0.1).round() as u8;
            color.r = step(color.r);
            color.g = step(color.g);
            color.b = step(color.b);
        }
    };
    if let Some(fg) = theme.settings.foreground.as_mut() {
        fix(fg);
    }
    for item in &mut theme.scopes {
        if let Some(fg) = item.style.foreground.as_mut() {
            fix(fg);
        }
    }
    theme
}

/// syntect's CSS with every selector placed under `prefix`, without its comments: they name the
/// theme, four times over in `syntax.css`, which every page loads.
fn scoped(css: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let (head, tail) = rest.split_at(open);
        // Comments come before a rule; the selectors follow them.
        let selectors = head.rfind("*/").map_or(head, |end| &head[end + 2..]);
        let prefixed: Vec<String> = selectors
            .split(',')
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| format!("{prefix} {s}"))
            .collect();
        out.push('\n');
        out.push_str(&prefixed.join(", "));
        let close = tail.find('}').map_or(tail.len(), |c| c + 1);
        out.push(' ');
        out.push_str(&tail[..close]);
        out.push('\n');
        rest = &tail[close..];
    }
    out
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

    /// Every token colour of the stylesheet, per scheme, reads at 4.5:1 on every code background.
    #[test]
    fn every_token_colour_meets_aa_in_both_schemes() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").unwrap();
        let hex = |text: &str| {
            let v = u32::from_str_radix(text, 16).ok()?;
            Some(((v >> 16) as u8, (v >> 8) as u8, v as u8))
        };
        let (light, dark) = css
            .split_once("@media (prefers-color-scheme: dark)")
            .unwrap();
        let mut checked = 0;
        for (part, backgrounds) in [
            (light, &LIGHT_BACKGROUNDS[..]),
            (dark, &DARK_BACKGROUNDS[..]),
        ] {
            for declaration in part.split(';') {
                let last = declaration.rsplit(['{', '\n']).next().unwrap_or("").trim();
                let Some(value) = last.strip_prefix("color: #") else {
                    continue;
                };
                let color = hex(&value[..6]).expect("a hex colour");
                for &background in backgrounds {
                    let ratio = contrast(color, background);
                    assert!(
                        ratio >= MIN_CONTRAST,
                        "#{} on {background:?}: {ratio:.2}",
                        &value[..6]
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 50, "{checked} colours");
        // The dark rules cannot lose to a more specific light selector: each scheme's rules
        // apply in that scheme only.
        assert!(light.contains("@media not all and (prefers-color-scheme: dark)"));
        assert!(css.contains(":root[data-theme=\"dark\"] .hl-variable.hl-parameter"));
    }

    #[test]
    fn classes_are_found_without_their_prefix() {
        let mut classes = BTreeSet::new();
        let html = code_block_html("python", "def f(x):\n    return x\n");
        classes_in(&html, &mut classes);
        classes_in(
            "<p class=\"task\">no code</p><span class=\"hl-c++ x\">",
            &mut classes,
        );
        assert!(classes.contains("python") && classes.contains("keyword"));
        assert!(classes.contains("c++"));
        assert!(
            !classes.contains("task") && !classes.contains("x"),
            "{classes:?}"
        );
        classes_in("<span class=\"hl-open", &mut classes);
        assert!(
            classes.contains("open"),
            "an unclosed attribute ends the text"
        );
    }

    /// Only the rules whose every class the site's code holds are written (issue 21, page
    /// weight): a rule needing a class nothing holds can never match.
    #[test]
    fn the_stylesheet_holds_only_rules_for_the_classes_used() {
        let styles = SyntaxStyles::load("InspiredGitHub", "base16-ocean.dark").unwrap();
        let all = styles.stylesheet(None).unwrap();
        let mut classes = BTreeSet::new();
        classes_in(
            &code_block_html("python", "def f(x):\n    return 'a'\n"),
            &mut classes,
        );
        let used = styles.stylesheet(Some(&classes)).unwrap();
        assert!(
            used.len() * 4 < all.len(),
            "{} of {}",
            used.len(),
            all.len()
        );
        assert!(
            used.contains(":root[data-theme=\"dark\"] .hl-keyword {"),
            "{used}"
        );
        assert!(used.contains(".hl-string {"), "{used}");
        assert!(!used.contains(".hl-markup"), "no Markdown was highlighted");
        assert!(all.contains(".hl-markup"));
        for class in used
            .split(['.', ' ', ',', '{'])
            .filter_map(|w| w.strip_prefix("hl-"))
        {
            assert!(class == "code" || classes.contains(class), "{class}");
        }
        let none = styles.stylesheet(Some(&BTreeSet::new())).unwrap();
        assert!(!none.contains(".hl-keyword") && none.contains("prefers-color-scheme: dark"));
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
