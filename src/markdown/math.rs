//! `$…$` and `$$…$$` to MathML, on the server, so pages need no script to show math.
//!
//! pulldown-latex renders; its output is then sanitised with an allow-list of MathML elements and
//! attributes, because it passes some input (such as `\operatorname{…}` text) and its error text
//! through unescaped. TeX that does not parse stays visible as its source, escaped, in
//! `<code class="math-error">`, with a warning.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event};
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage};

use super::Problem;
use super::clean_mathml;

/// Replaces math events with MathML (or the escaped source when it does not parse).
pub fn render_math(events: &mut [(Event<'_>, Range<usize>)], problems: &mut Vec<Problem>) {
    for (event, range) in events.iter_mut() {
        let (tex, display) = match event {
            Event::InlineMath(tex) => (tex, false),
            Event::DisplayMath(tex) => (tex, true),
            _ => continue,
        };
        let before = problems.len();
        let html = to_mathml(tex, display, problems);
        for problem in &mut problems[before..] {
            problem.offset = Some(range.start);
        }
        *event = Event::InlineHtml(CowStr::from(html));
    }
}

/// Most formulas nest less deeply than this and render on the calling thread.
const INLINE_NESTING: usize = 48;
/// Formulas that could nest deeper than this are refused: pulldown-latex parses recursively, and
/// `\sqrt\sqrt…` two hundred deep overflows a 2 MiB thread stack (the process aborts).
pub const MAX_NESTING: usize = 2000;
/// Stack for each level a formula could nest, with a wide margin over what debug builds use.
const STACK_PER_LEVEL: usize = 64 * 1024;

/// An upper bound of how deeply a formula can nest: only a command, a brace or a script can open
/// a level. Cheap, and exact enough to tell everyday formulas from pathological ones.
pub fn nesting_bound(tex: &str) -> usize {
    tex.bytes()
        .filter(|b| matches!(b, b'\\' | b'{' | b'^' | b'_'))
        .count()
}

/// One formula to sanitised MathML; on a parse error the escaped TeX and a problem.
pub fn to_mathml(tex: &str, display: bool, problems: &mut Vec<Problem>) -> String {
    match guarded_mathml(tex, display) {
        Ok(mathml) => mathml,
        Err(reason) => {
            let shown: String = tex.chars().take(60).collect();
            problems.push(Problem {
                is_error: false,
                message: format!("math `{shown}` does not parse ({reason}); it is shown as source"),
                hint: Some("check the LaTeX; if it sits in a \"…\" TOML string, use '''…''' so backslashes are kept".into()),
                offset: None,
            });
            let mut out = String::from("<code class=\"math-error\">");
            pulldown_cmark_escape::escape_html(&mut out, tex)
                .expect("writing to a String cannot fail");
            out.push_str("</code>");
            out
        }
    }
}

/// Renders on the calling thread when the formula is shallow, on a thread with a stack sized for
/// its nesting bound when it is not, and refuses formulas beyond [`MAX_NESTING`].
fn guarded_mathml(tex: &str, display: bool) -> Result<String, String> {
    let bound = nesting_bound(tex);
    if bound <= INLINE_NESTING {
        return try_mathml(tex, display);
    }
    if bound > MAX_NESTING {
        return Err(format!(
            "too complex: {bound} commands, braces and scripts, at most {MAX_NESTING} in one formula"
        ));
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("digestif-math".into())
            .stack_size((1 << 20) + bound * STACK_PER_LEVEL)
            .spawn_scoped(scope, || try_mathml(tex, display))
            .map_err(|e| format!("no thread to render it on: {e}"))?
            .join()
            .unwrap_or_else(|_| Err("the math renderer failed on it".into()))
    })
}

fn try_mathml(tex: &str, display: bool) -> Result<String, String> {
    let raw = unsanitised(tex, display)?;
    Ok(clean_mathml::sanitise(&clean_mathml::mark_accents(&raw)))
}

/// MathML as pulldown-latex writes it, before sanitising.
pub(super) fn unsanitised(tex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let mut events = Vec::new();
    for event in Parser::new(tex, &storage) {
        match event {
            Ok(event) => events.push(Ok::<_, std::convert::Infallible>(event)),
            Err(error) => {
                let text = error.to_string();
                let first_line = text.lines().next().unwrap_or("error").trim().to_string();
                return Err(first_line.chars().take(120).collect());
            }
        }
    }
    // pulldown-latex writes the annotation as is, so it gets the escaped source.
    let mut escaped = String::with_capacity(tex.len());
    pulldown_cmark_escape::escape_html(&mut escaped, tex).map_err(|e| e.to_string())?;
    let mut config = RenderConfig::with_annotation(&escaped);
    config.display_mode = if display {
        DisplayMode::Block
    } else {
        DisplayMode::Inline
    };
    let mut raw = String::with_capacity(tex.len() * 8);
    pulldown_latex::push_mathml(&mut raw, events.into_iter(), config).map_err(|e| e.to_string())?;
    // pulldown-latex 0.8 writes the space of `\ ` as an escaped `&nbsp;` entity.
    Ok(raw.replace("&amp;nbsp;", "&nbsp;"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mathml(tex: &str) -> (String, Vec<Problem>) {
        let mut problems = Vec::new();
        (to_mathml(tex, false, &mut problems), problems)
    }

    #[test]
    fn common_notation_renders_to_mathml() {
        for tex in [
            r"\mathcal{L}",
            r"\hat{x}_i",
            r"\|x\|_2^2",
            r"\int_0^1 f(x)\,dx",
            "x^2",
            r"10\%",
        ] {
            let (out, problems) = mathml(tex);
            assert!(out.starts_with("<math"), "{tex}: {out}");
            assert!(problems.is_empty(), "{tex}: {problems:?}");
        }
    }

    #[test]
    fn broken_tex_stays_visible_and_escaped() {
        let (out, problems) = mathml(r"\frac{<b>}{");
        assert!(out.starts_with("<code class=\"math-error\">"), "{out}");
        assert!(out.contains("&lt;b&gt;"), "{out}");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn script_cannot_escape_through_math() {
        let (out, _) = mathml(r"\operatorname{</math><script>alert(1)</script>}");
        assert!(!out.contains("<script"), "{out}");
        let (out, _) = mathml(r"\text{<img src=x onerror=alert(1)>}");
        assert!(!out.contains("<img"), "{out}");
        assert!(
            out.ends_with(
                "\\text{&lt;img src=x onerror=alert(1)&gt;}</annotation></semantics></math>"
            ),
            "{out}"
        );
    }

    #[test]
    fn deeply_nested_math_neither_overflows_nor_hangs() {
        // `\sqrt` two hundred deep used to overflow a rayon thread's stack and abort the build.
        let deep = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let (out, problems) = mathml(&format!("{}x", r"\sqrt".repeat(1500)));
                assert!(
                    out.starts_with("<code class=\"math-error\">"),
                    "{}",
                    &out[..80]
                );
                assert_eq!(problems.len(), 1);
                let (out, problems) =
                    mathml(&format!("{}x{}", r"\sqrt{".repeat(900), "}".repeat(900)));
                assert!(out.starts_with("<math"), "{}", &out[..80]);
                assert!(problems.is_empty(), "{problems:?}");
                let (out, problems) = mathml(&r"\hat".repeat(MAX_NESTING + 1));
                assert!(out.starts_with("<code class=\"math-error\">"));
                assert!(problems[0].message.contains("too complex"), "{problems:?}");
            })
            .unwrap();
        deep.join().unwrap();
    }

    #[test]
    fn display_math_is_a_block() {
        let mut problems = Vec::new();
        assert!(to_mathml("x", true, &mut problems).contains("display=\"block\""));
    }
}
