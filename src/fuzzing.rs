//! The bodies of the fuzz targets in `fuzz/` and of their regression tests, plus the scanner that
//! says whether HTML could run script.
//!
//! Each target takes arbitrary bytes, runs one part of the pipeline on them, and asserts what must
//! hold for every input: no panic, diagnostics that point inside the file, no executable content in
//! HTML we escape or sanitise, slugs that are one safe path segment. `cargo fuzz` (nightly) drives
//! them through fuzz/fuzz_targets/; `tests/it/fuzz_regressions.rs` replays every input kept in
//! `fuzz/regressions/<target>/` on stable. See fuzz/README.md.

use std::path::Path;

use crate::config::{Config, MathMode, Overrides, RawHtml};
use crate::content::ids::{id_slug, slugify};
use crate::content::{SourceFile, parse_source};
use crate::markdown::{self, MarkdownOptions};

const FUZZ_SITE_TOML: &str = "title = \"Fuzz\"\nbase_url = \"https://example.org/sub/\"\n";

/// Front matter: split, parse (TOML or YAML), assemble into a model, plan its pages. Also parses
/// the input as a `site.toml`.
pub fn front_matter(data: &[u8]) {
    // Discovery refuses files that are not UTF-8 before they reach the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile {
        path: "content/fuzz.md".into(),
        text: text.to_string(),
    };
    let parsed = parse_source(&file);
    let last_line = text.split('\n').count().max(1);
    for diagnostic in &parsed.diagnostics {
        let shown = diagnostic.to_string();
        let line = diagnostic.location.line.unwrap_or(1);
        assert!(
            (1..=last_line).contains(&line),
            "line {line} outside a {last_line}-line file: {shown}"
        );
    }
    assert!(
        parsed.digest.is_some() || parsed.diagnostics.iter().any(|d| d.is_error()),
        "no digest and no error"
    );
    let config = Config::parse(
        Path::new("/nonexistent"),
        FUZZ_SITE_TOML,
        &Overrides::default(),
    )
    .expect("the fuzz site.toml is valid");
    let (site, _) = crate::model::assemble(vec![&parsed], &config);
    let pages = crate::render::plan(&site, &config);
    for page in &pages {
        assert!(is_safe_output_path(&page.output), "{}", page.output);
    }
    let _ = Config::parse(Path::new("/nonexistent"), text, &Overrides::default());
}

/// Markdown with math, links and raw HTML, in every mode: the first byte picks the mode.
pub fn markdown(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let raw_html = match mode % 3 {
        0 => RawHtml::Escape,
        1 => RawHtml::Sanitise,
        _ => RawHtml::Trusted,
    };
    let math = if mode & 4 == 0 {
        MathMode::Mathml
    } else {
        MathMode::Off
    };
    let options = MarkdownOptions {
        math,
        raw_html,
        base_path: "/sub/",
    };
    let rendered = markdown::render(text, options);
    if raw_html != RawHtml::Trusted
        && let Some(found) = executable_content(&rendered.html)
    {
        panic!("executable content in rendered Markdown: {found}");
    }
    for problem in &rendered.problems {
        assert!(problem.offset.is_none_or(|o| o <= text.len()));
    }
    for link in &rendered.links {
        assert!(link.offset <= text.len());
        if let Some(path) = &link.site_path {
            assert!(!path.split('/').any(|s| s == ".."), "{path}");
        }
    }
    let _ = markdown::plain_excerpt(text, 160);
}

/// Slugs of titles, ids and topics, and the paths `@/` links resolve to.
pub fn slug(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for slug in [slugify(&text), id_slug(&text)] {
        assert!(slug.len() <= 120, "{} bytes", slug.len());
        assert!(is_safe_segment(&slug) || slug.is_empty(), "{slug:?}");
    }
    let id = id_slug(&text);
    assert_eq!(id_slug(&id), id, "id slugs are stable");
    for kind in ["papers/", "digests/", "topics/"] {
        let path = markdown::links::site_path(&format!("{kind}{text}"));
        assert!(is_safe_output_path(&path), "{path:?}");
    }
}

/// One path segment we may create: lower-case ASCII letters, digits, `-`, `_`, `.`; not hidden,
/// not `.` or `..`.
fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

/// A relative output path inside the output folder.
fn is_safe_output_path(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .filter(|s| !s.is_empty())
            .all(|s| s != ".." && s != "." && !s.contains('\0'))
}

/// Describes the first thing in `html` that could run script: a script-like element, an `on…`
/// event handler, or a `javascript:`/`data:` URL in an attribute that loads or navigates. JSON-LD
/// (`<script type="application/ld+json">`) is allowed when nothing inside could close it.
pub fn executable_content(html: &str) -> Option<String> {
    // Elements that run or embed active content, or (`base`) redirect every relative URL.
    const ELEMENTS: &[&str] = &[
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
    ];
    const URL_ATTRIBUTES: &[&str] = &[
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "poster",
        "background",
        "to",
        "from",
        "values",
    ];
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while let Some(found) = lower[i..].find('<') {
        let start = i + found;
        i = start + 1;
        if lower[i..].starts_with("!--") {
            i = lower[i..].find("-->").map_or(lower.len(), |e| i + e + 3);
            continue;
        }
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end = lower[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .map_or(lower.len(), |e| i + e);
        let name = &lower[i..name_end];
        let (attributes, tag_end) = parse_attributes(&lower, name_end);
        i = tag_end;
        let context = || lower[start..tag_end.min(start + 120)].to_string();
        for (attribute, value) in &attributes {
            if attribute.starts_with("on") {
                return Some(format!("event handler `{attribute}` in {}", context()));
            }
            if URL_ATTRIBUTES.contains(&attribute.as_str()) && markdown::is_script_url(value) {
                return Some(format!("script URL in {}", context()));
            }
        }
        if name == "meta"
            && attributes
                .iter()
                .any(|(a, v)| a == "http-equiv" && ["refresh", "set-cookie"].contains(&v.trim()))
        {
            return Some(format!("meta redirect in {}", context()));
        }
        if name == "style" {
            let body_end = lower[i..].find("</style").map_or(lower.len(), |e| i + e);
            let body = &lower[i..body_end];
            if body.contains("expression(") || body.contains("javascript:") {
                return Some(format!("script in a style sheet: {}", context()));
            }
            i = body_end;
            continue;
        }
        if name == "script"
            && attributes
                .iter()
                .any(|(a, v)| a == "type" && v.trim() == "application/ld+json")
        {
            let body_end = lower[i..].find("</script").map_or(lower.len(), |e| i + e);
            let body = &lower[i..body_end];
            if body.contains("<!--") || body.contains("<script") {
                return Some(format!("JSON-LD that could break out: {}", context()));
            }
            i = body_end;
            continue;
        }
        if ELEMENTS.contains(&name) {
            return Some(format!("element <{name}> in {}", context()));
        }
    }
    None
}

/// The attributes of a tag starting at `from` (after its name), and where the tag ends.
fn parse_attributes(html: &str, from: usize) -> (Vec<(String, String)>, usize) {
    let bytes = html.as_bytes();
    let mut attributes = Vec::new();
    let mut i = from;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return (attributes, (i + 1).min(bytes.len()));
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !b"=/>".contains(&bytes[i]) {
            i += 1;
        }
        let name = html[name_start..i].to_string();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = html[i + 1..]
                        .find(quote as char)
                        .map_or(bytes.len(), |e| i + 1 + e);
                    value = html[i + 1..end].to_string();
                    i = (end + 1).min(bytes.len());
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = html[start..i].to_string();
                }
            }
        }
        attributes.push((name, decode_entities(&value)));
    }
}

/// Enough entity decoding to see `&#106;avascript:` for what it is.
fn decode_entities(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let code = if let Some(hex) = entity.strip_prefix("#x") {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = entity.strip_prefix('#') {
                dec.parse().ok()
            } else {
                match entity {
                    "colon" => Some(':' as u32),
                    "tab" => Some('\t' as u32),
                    "newline" => Some('\n' as u32),
                    "amp" => Some('&' as u32),
                    _ => None,
                }
            };
            code.and_then(char::from_u32).map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, skip)) => {
                out.push(c);
                rest = &rest[skip..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_finds_script_in_its_disguises() {
        for bad in [
            "<p><script>alert(1)</script></p>",
            "<SCRIPT src=x></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"jav&#x61;script:alert(1)\">x</a>",
            "<a href=' javascript:x'>x</a>",
            "<iframe src=x>",
            "<svg onload=x>",
            "<svg><animate attributename=href to=\"javascript:alert(1)\"/></svg>",
            "<base href=\"https://evil.example/\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:x\">",
            "<a href=\"data:text/html,x\">x</a>",
        ] {
            assert!(executable_content(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn scanner_passes_escaped_text_and_theme_markup() {
        for good in [
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=x javascript:y</p>",
            "<a href=\"https://x.org/?q=javascript:\">x</a>",
            "<link rel=\"stylesheet\" href=\"/style.css\"><meta charset=\"utf-8\"><link href=\"https://x.org/feed\"/>",
            "<form action=\"/search/\"><input name=q></form><svg viewBox=\"0 0 1 1\"><path d=\"M0 0\"/></svg>",
            "<style>body { color: red }</style>",
            "<script type=\"application/ld+json\">{\"name\":\"a \\u003c/script\"}</script>",
            "<!-- <script> -->",
            "<p title=\"a > b\" class=x>ok</p>",
        ] {
            assert_eq!(executable_content(good), None, "{good}");
        }
    }

    #[test]
    fn targets_accept_odd_input() {
        front_matter(b"+++\ntitle = \"D\"\ndate = 2024-01-01\n[[papers]]\ntitle = \"P\"\n+++\n");
        front_matter(b"---\n- [\n---\n");
        markdown(b"\x01<img src=x onerror=alert(1)> $\\frac{a}{b}$ [x](@/papers/a/../../b)");
        slug("../../ÉTÉ/..".as_bytes());
    }
}
