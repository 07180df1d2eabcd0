//! Paper titles with `$…$` math: as HTML with MathML for pages, cards and feeds' HTML, and as
//! readable text ([`super::tex_text`]) for `<title>`, meta tags, JSON-LD and search.
//!
//! A title is plain text, not Markdown (`*` and `_` in titles are meant as written), so only
//! math is looked for: a `$` opens math when another `$` closes it with something between, and
//! `\$` is a dollar sign. A lone `$` (`Costs $5`) stays text.

use super::Problem;
use super::math::to_mathml;

#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(String),
    Math(&'a str),
}

/// Whether `title` holds math, so it has an HTML and a text form of its own.
pub fn has_math(title: &str) -> bool {
    pieces(title).iter().any(|p| matches!(p, Piece::Math(_)))
}

fn pieces(title: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = title;
    while let Some(at) = rest.find(['$', '\\']) {
        text.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("\\$") {
            text.push('$');
            rest = after;
            continue;
        }
        if let Some(after) = tail.strip_prefix('\\') {
            text.push('\\');
            rest = after;
            continue;
        }
        // `$$…$$` in a title is inline math all the same.
        let open = if tail.starts_with("$$") { 2 } else { 1 };
        let body = &tail[open..];
        match closing_dollar(body) {
            Some(end) if !body[..end].trim().is_empty() => {
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Math(&body[..end]));
                let close = if open == 2 && body[end..].starts_with("$$") {
                    2
                } else {
                    1
                };
                rest = &body[end + close..];
            }
            _ => {
                text.push_str(&tail[..open]);
                rest = body;
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// The byte offset of the first `$` in `body` that a backslash does not escape.
fn closing_dollar(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'$' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The title as HTML: text escaped, math as sanitised MathML (or its escaped source, with a
/// problem, when it does not parse).
pub fn title_html(title: &str, problems: &mut Vec<Problem>) -> String {
    let mut out = String::with_capacity(title.len() * 4);
    for piece in pieces(title) {
        match piece {
            Piece::Text(text) => pulldown_cmark_escape::escape_html(&mut out, &text)
                .expect("writing to a String cannot fail"),
            Piece::Math(tex) => out.push_str(&to_mathml(tex, false, problems)),
        }
    }
    out
}

/// The title as text, math made readable: `$O(\sqrt{T})$ regret` is `O(√T) regret`.
pub fn title_text(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for piece in pieces(title) {
        match piece {
            Piece::Text(text) => out.push_str(&text),
            Piece::Math(tex) => out.push_str(&super::tex_text::tex_to_text(tex)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_in_titles_becomes_mathml_and_readable_text() {
        let title = r"Regret of $O(\sqrt{T})$ for <b>bandits</b> & more";
        let mut problems = Vec::new();
        let html = title_html(title, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(html.starts_with("Regret of <math"), "{html}");
        assert!(html.contains("<msqrt>"), "{html}");
        assert!(
            html.ends_with(" for &lt;b&gt;bandits&lt;/b&gt; &amp; more"),
            "{html}"
        );
        assert_eq!(
            title_text(title),
            "Regret of O(√T) for <b>bandits</b> & more"
        );
        assert_eq!(title_text(r"$\beta$-VAE"), "β-VAE");
    }

    #[test]
    fn lone_and_escaped_dollars_stay_text() {
        for title in [
            "Costs $5",
            r"A \$5 model and a \$6 one",
            "$ $",
            "$$",
            "Ends in $",
        ] {
            assert!(!has_math(title), "{title}");
        }
        assert_eq!(title_text(r"A \$5 model"), "A $5 model");
        assert!(has_math("$x$"));
        assert!(has_math("$$x$$ and"));
        assert_eq!(title_text("$$x^2$$ and"), "x² and");
    }

    #[test]
    fn broken_math_in_a_title_shows_escaped_source() {
        let mut problems = Vec::new();
        let html = title_html(r"On $\frac{<i>}{$ things", &mut problems);
        assert!(html.contains("<code class=\"math-error\">"), "{html}");
        assert!(!html.contains("<i>"), "{html}");
        assert_eq!(problems.len(), 1);
    }
}
