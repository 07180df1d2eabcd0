//! MathML through an allow-list of elements and attributes, for math.rs (formulas) and
//! raw_html.rs (MathML written by hand).
//!
//! [`sanitised`] is the reference: ammonia parses the MathML as a browser would and writes it out
//! again, keeping only [`MATHML_TAGS`] and [`MATHML_ATTRIBUTES`]. That is four fifths of the time
//! math takes, so [`sanitise`] first asks the shortcut past ammonia (`crate::shortcuts`), which
//! returns ammonia's output for MathML that is already clean and declines anything else. The
//! tests below hold the shortcut to ammonia's output.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::shortcuts;

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

/// MathML through the allow-list: the shortcut's result when it vouches for one, ammonia's
/// otherwise.
pub(super) fn sanitise(mathml: &str) -> String {
    shortcuts::clean_mathml(mathml, MATHML_TAGS, MATHML_ATTRIBUTES)
        .unwrap_or_else(|| sanitised(mathml))
}

/// The marks pulldown-latex 0.8 sets over its argument for `\hat`, `\bar`, `\tilde`, `\vec`,
/// `\dot`, `\ddot`, `\acute`, `\grave`, `\breve`, `\check`, `\mathring` and the arrow accents.
const ACCENT_MARKS: &[char] = &[
    '^', '~', '‾', '´', '`', '˘', 'ˇ', '˙', '¨', '˚', '→', '←', '⇒', '↔', '↼', '⇀',
];

/// Marks accents as accents. pulldown-latex 0.8 writes `\hat{x}` as a plain overscript,
/// `<mover><mrow><mi>x</mi></mrow><mi>^</mi></mover>`: without `accent="true"` browsers draw
/// the mark a script's distance above the letter, and as an italic identifier (issue 21,
/// /work/notes/pulldown-latex-accent.md). Here an overscript whose over part is one of
/// [`ACCENT_MARKS`] becomes `<mover accent="true">` with the mark as an operator. Runs on
/// pulldown-latex's output before sanitising; markup it does not recognise is left as it is.
pub(super) fn mark_accents(mathml: &str) -> std::borrow::Cow<'_, str> {
    const OPEN: &str = "<mover>";
    const CLOSE: &str = "</mover>";
    if !mathml.contains(OPEN) {
        return std::borrow::Cow::Borrowed(mathml);
    }
    // (start, end, replacement), found innermost first; none overlap but an opening tag.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut at = 0;
    while let Some(found) = mathml[at..].find("mover") {
        let name = at + found;
        at = name + "mover".len();
        if mathml[..name].ends_with("</") {
            let Some(Some(start)) = open.pop() else {
                continue;
            };
            let close = name - 2;
            if let Some((mark_start, mark)) = accent_mark(&mathml[start..close]) {
                edits.push((start, start + OPEN.len(), "<mover accent=\"true\">".into()));
                edits.push((start + mark_start, close, mark));
            }
        } else if mathml[..name].ends_with('<') {
            let start = name - 1;
            open.push(mathml[start..].starts_with(OPEN).then_some(start));
        }
    }
    if edits.is_empty() {
        return std::borrow::Cow::Borrowed(mathml);
    }
    debug_assert!(mathml.contains(CLOSE));
    edits.sort_by_key(|edit| edit.0);
    let mut out = String::with_capacity(mathml.len() + 32 * edits.len());
    let mut copied = 0;
    for (start, end, replacement) in edits {
        out.push_str(&mathml[copied..start]);
        out.push_str(&replacement);
        copied = end;
    }
    out.push_str(&mathml[copied..]);
    std::borrow::Cow::Owned(out)
}

/// When the last child of an overscript (`inner`, the markup between `<mover>` and `</mover>`)
/// is a leaf holding one accent mark: where that child starts, and the operator to put there.
fn accent_mark(inner: &str) -> Option<(usize, String)> {
    let (tag, rest) = if let Some(rest) = inner.strip_suffix("</mi>") {
        ("<mi", rest)
    } else {
        ("<mo", inner.strip_suffix("</mo>")?)
    };
    let start = rest.rfind(tag)?;
    let (attributes, mark) = rest[start + tag.len()..].split_once('>')?;
    let mut chars = mark.chars();
    let c = chars.next()?;
    if chars.next().is_some() || !ACCENT_MARKS.contains(&c) || attributes.contains('<') {
        return None;
    }
    let stretchy = if attributes.contains("stretchy=\"true\"") {
        "true"
    } else {
        "false"
    };
    Some((start, format!("<mo stretchy=\"{stretchy}\">{c}</mo>")))
}

#[cfg(test)]
mod tests {
    use super::super::math::unsanitised;
    use super::*;

    #[test]
    fn accents_are_marked_as_accents() {
        // Issue 21: `\hat` and `\bar` gave `<mover>` without `accent="true"`.
        for (tex, mark) in [
            (r"\hat{x}", "^"),
            (r"\bar{x}", "‾"),
            (r"\tilde{x}", "~"),
            (r"\vec{v}", "→"),
            (r"\dot{x}", "˙"),
            (r"\ddot{x}", "¨"),
            (r"\overrightarrow{AB}", "→"),
        ] {
            let raw = unsanitised(tex, false).unwrap();
            let marked = mark_accents(&raw);
            assert!(
                marked.contains("<mover accent=\"true\">"),
                "{tex}: {marked}"
            );
            assert!(
                marked.contains(&format!("{mark}</mo></mover>")),
                "{tex}: {marked}"
            );
            assert!(
                !marked.contains(&format!("<mi>{mark}</mi>")),
                "{tex}: {marked}"
            );
            assert!(agrees(&marked), "{tex}: {marked}");
        }
        // Nested, and beside overscripts that are not accents.
        let raw = unsanitised(r"\hat{\bar{x}} + \overset{a}{b} + \hat{m}_t", false).unwrap();
        let marked = mark_accents(&raw);
        assert_eq!(
            marked.matches("<mover accent=\"true\">").count(),
            3,
            "{marked}"
        );
        assert!(
            marked.contains("<mover><mrow><mi>b</mi></mrow><mrow><mi>a</mi></mrow></mover>"),
            "{marked}"
        );
        assert_eq!(mark_accents("<mi>x</mi>"), "<mi>x</mi>");
    }

    #[test]
    fn accent_marking_survives_broken_markup() {
        for raw in [
            "<mover>",
            "</mover>",
            "<mover></mover>",
            "<mover><mi>^</mi>",
            "</mover><mover><mi>^</mi></mover>",
            "<mover><mi>^</mi></mover></mover>",
            "<mover><mi x=\"<\">^</mi></mover>",
            "<moverx><mi>^</mi></mover>",
            "<mover><mi>^^</mi></mover>",
            "<mover><mi></mi></mover>",
        ] {
            let _ = mark_accents(raw);
        }
        assert_eq!(
            mark_accents("<mover><mi>x</mi><mi>^</mi></mover>"),
            "<mover accent=\"true\"><mi>x</mi><mo stretchy=\"false\">^</mo></mover>"
        );
    }

    fn as_sanitised(raw: &str) -> Option<String> {
        shortcuts::clean_mathml_as_ammonia(raw, MATHML_TAGS, MATHML_ATTRIBUTES)
    }

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
