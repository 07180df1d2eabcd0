//! MathML through an allow-list of elements and attributes, and a shortcut past the sanitiser
//! for MathML that is already clean.
//!
//! [`sanitised`] is the reference: ammonia parses the MathML as a browser would and writes it out
//! again, keeping only [`MATHML_TAGS`] and [`MATHML_ATTRIBUTES`]. That is four fifths of the time
//! math takes. Most formulas come out of pulldown-latex already in the exact form ammonia writes:
//! allow-listed MathML elements, allow-listed attributes, text with only `&amp;`, `&lt;`, `&gt;`
//! and `&nbsp;` references. [`as_sanitised`] checks for that form in one pass and returns what
//! ammonia would return; anything else it does not vouch for (a bare `<`, an unknown element or
//! attribute, markup where the HTML parser would switch to HTML rules) is left to ammonia.

use std::collections::HashSet;
use std::sync::LazyLock;

pub(crate) const MATHML_TAGS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mi",
    "mn",
    "mo",
    "ms",
    "mspace",
    "mtext",
    "mrow",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "merror",
    "mpadded",
    "mphantom",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mtr",
    "mtd",
    "mlabeledtr",
    "menclose",
];

pub(crate) const MATHML_ATTRIBUTES: &[&str] = &[
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "form",
    "minsize",
    "maxsize",
    "movablelimits",
    "largeop",
    "symmetric",
    "accent",
    "accentunder",
    "columnalign",
    "rowalign",
    "rowspacing",
    "columnspacing",
    "columnlines",
    "rowlines",
    "frame",
    "framespacing",
    "linethickness",
    "scriptlevel",
    "displaystyle",
    "width",
    "height",
    "depth",
    "voffset",
    "encoding",
    "notation",
    "class",
    "mathsize",
];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(MATHML_TAGS.iter().copied().collect::<HashSet<_>>())
        .generic_attributes(MATHML_ATTRIBUTES.iter().copied().collect::<HashSet<_>>())
        .strip_comments(true);
    builder
});

/// MathML through the allow-list.
pub(super) fn sanitised(mathml: &str) -> String {
    SANITIZER.clean(mathml).to_string()
}

/// Elements whose content the HTML parser reads by HTML rules (MathML text integration points)
/// or that hold the TeX source: only text may be inside them here.
const TEXT_ONLY: &[&str] = &["mi", "mo", "mn", "ms", "mtext", "annotation"];

/// Nesting beyond which the shortcut is not taken (the HTML parser's own limits do not matter
/// for ammonia's output below this depth).
const MAX_DEPTH: usize = 256;

/// `raw` exactly as ammonia, allowing [`MATHML_TAGS`] and [`MATHML_ATTRIBUTES`] and nothing
/// else, would write it; `None` when that is not certain without parsing it as HTML.
pub fn as_sanitised(raw: &str) -> Option<String> {
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
                if !MATHML_TAGS.contains(&name) || (open.is_empty() != (name == "math")) {
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
                    if !MATHML_ATTRIBUTES.contains(&attribute) || seen.contains(&attribute) {
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
    use super::super::math::unsanitised;
    use super::*;

    /// Whatever the shortcut returns is what ammonia returns.
    fn agrees(raw: &str) -> bool {
        match as_sanitised(raw) {
            Some(shortcut) => {
                assert_eq!(shortcut, sanitised(raw), "for {raw}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn formulas_take_the_shortcut_only_where_ammonia_agrees() {
        // Random formulas built from pieces that make pulldown-latex write every kind of markup:
        // bare `<`, `&`, text, spaces, self-closing elements, matrices, unknown commands.
        const PIECES: &[&str] = &[
            "x",
            "y_i",
            "^2",
            r"\frac{a}{b}",
            r"\sqrt{x}",
            r"\sqrt[3]{z}",
            "<",
            ">",
            r"\leq",
            r#"\text{ if <b> & "q" }"#,
            r"\ ",
            r"\quad",
            r"\mathbb{R}",
            r"\mathcal{L}",
            r"\hat{x}",
            r"\|x\|",
            r"\sum_{i=1}^n",
            r"\int_0^1",
            r"\operatorname{softmax}",
            r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
            r"\left(",
            r"\right)",
            "+",
            "=",
            r"\alpha",
            r"\nabla",
            "10\\%",
            r"\mathrm{KL}",
            r"\overline{z}",
            r"\underbrace{a}_{b}",
            r"\mathbf{W}",
            r"\cdot",
            r"\to",
            "'",
            r"\{",
            r"\}",
            r"\operatorname{</math>}",
        ];
        let mut next = crate::test_rng(0x9e37_79b9_7f4a_7c15);
        let (mut shortcut, mut parsed) = (0, 0);
        for _ in 0..3000 {
            let tex: String = (0..1 + next(6))
                .map(|_| PIECES[next(PIECES.len())])
                .collect();
            if let Ok(raw) = unsanitised(&tex, false) {
                parsed += 1;
                shortcut += usize::from(agrees(&raw));
            }
        }
        assert!(parsed > 1000, "{parsed}");
        // The shortcut is worth having: most formulas without `<`, `>` or `\text{<…>}` take it.
        assert!(shortcut * 3 > parsed, "{shortcut} of {parsed}");
    }

    #[test]
    fn random_markup_takes_the_shortcut_only_where_ammonia_agrees() {
        // Pieces of MathML, HTML and broken markup glued at random: whatever the shortcut
        // accepts, ammonia must write the same way.
        const PIECES: &[&str] = &[
            "<math>",
            "</math>",
            "<math display=\"block\">",
            "<mi>",
            "</mi>",
            "<mo>",
            "</mo>",
            "<mrow>",
            "</mrow>",
            "<mtext>",
            "</mtext>",
            "<mspace width=\"1em\" />",
            "<mspace/>",
            "<semantics>",
            "</semantics>",
            "<annotation encoding=\"x\">",
            "</annotation>",
            "<mtable class=\"a b\">",
            "</mtable>",
            "<mtr>",
            "</mtr>",
            "<mtd>",
            "</mtd>",
            "x",
            " ",
            "\n",
            "&amp;",
            "&lt;",
            "&gt;",
            "&nbsp;",
            "&quot;",
            "&",
            "<",
            ">",
            "\"",
            "'",
            "<script>",
            "</script>",
            "<svg>",
            "<style>",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "<mi class=\"x\">",
            "<mi href=\"javascript:1\">",
            "<mo stretchy=\"true\" fence=\"false\">",
            "<mfrac>",
            "</mfrac>",
            "é",
            "\u{a0}",
            "<mi/>",
            "<math/>",
            "<mi  class=\"a\">",
            "<mi class='a'>",
            "<mi class=a>",
            "<MI>",
            "</MI>",
            "<mglyph>",
            "<malignmark>",
            "<table>",
            "<mi\n>",
            "<mi >",
            "</mi >",
            "\t",
            "\r",
            "\0",
            "<mi class=\"&lt;\">",
        ];
        let mut next = crate::test_rng(42);
        let mut shortcut = 0;
        for _ in 0..20_000 {
            let mut raw = String::from(if next(4) > 0 { "<math>" } else { "" });
            for _ in 0..next(12) {
                raw.push_str(PIECES[next(PIECES.len())]);
            }
            if next(4) > 0 {
                raw.push_str("</math>");
            }
            shortcut += usize::from(agrees(&raw));
        }
        assert!(shortcut > 500, "{shortcut}");
    }

    #[test]
    fn markup_ammonia_would_change_is_left_to_it() {
        for raw in [
            "<math><mi>x</mi></math><script>alert(1)</script>",
            "<math><mi>x</mi></math>tail",
            "<math><mi><script>alert(1)</script></mi></math>",
            "<math><mtext><mi>x</mi></mtext></math>",
            "<math><mtext><mspace /></mtext></math>",
            "<math><mi href=\"javascript:alert(1)\">x</mi></math>",
            "<math><mi onclick=\"alert(1)\">x</mi></math>",
            "<math display=\"block\" display=\"inline\"><mi>x</mi></math>",
            "<math><mi class=\"a&quot;b\">x</mi></math>",
            "<math><mo><</mo></math>",
            "<math><mo>></mo></math>",
            "<math><mi>&#60;</mi></math>",
            "<math><mi>&#160;</mi></math>",
            "<math><mi>\u{a0}</mi></math>",
            "<math><mi>a\rb</mi></math>",
            "<math><mi>a\0b</mi></math>",
            "<math><mrow><mi>x</mrow></mi></math>",
            "<math><mrow>",
            "<math><mi>x</mi>",
            "<math/>",
            "<mi>x</mi>",
            "<math><MI>x</MI></math>",
            "<math><mi  class=\"a\">x</mi></math>",
            "<math><!-- c --><mi>x</mi></math>",
            "<math><style>x</style></math>",
            "<math><mi>x</mi></math",
        ] {
            assert_eq!(as_sanitised(raw), None, "{raw}");
        }
    }

    #[test]
    fn clean_markup_comes_out_as_ammonia_writes_it() {
        for raw in [
            "<math display=\"inline\"><semantics><mrow><mi>x</mi><mo>&lt;</mo><mtext>&nbsp;if&nbsp;</mtext></mrow><annotation encoding=\"application/x-tex\">x &lt; \\text{ if }</annotation></semantics></math>",
            "<math><mrow><mspace width=\"1em\" /><mspace width=\"2em\"/><mi>\"q\" &amp; 'a'</mi></mrow></math>",
            "<math display=\"block\"><mtable class=\"menv-arraylike\"><mtr><mtd><mn>1</mn></mtd></mtr></mtable></math>",
        ] {
            assert!(agrees(raw), "{raw}");
        }
    }
}
