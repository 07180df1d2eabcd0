//! Abstracts as plain text for citation formats (RIS, CSL-JSON, JSON-LD) and plain-text email:
//! Markdown syntax dropped, math kept as `$…$` TeX, whitespace folded, paragraphs separated by a
//! blank line. Runs once per paper per build ([`super::Citations::new`]), so prose without any
//! Markdown syntax takes a path that does not parse at all.

/// Markdown as plain text on one line per paragraph: emphasis and links dropped to their text,
/// math kept as `$…$` TeX, for abstracts in RIS, CSL-JSON and JSON-LD. Paragraphs are separated
/// by a blank line and runs of whitespace become one space.
pub fn plain_text(markdown: &str) -> String {
    // Most abstracts are plain prose: without Markdown syntax there is nothing to parse.
    if crate::markdown::is_plain_prose(markdown) {
        return fold_whitespace(markdown);
    }
    parsed_plain_text(markdown)
}

fn parsed_plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, TagEnd};
    let mut out = PlainText::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_MATH) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push(&t),
            Event::InlineMath(t) => {
                out.push_raw("$");
                out.push_raw(&t);
                out.push_raw("$");
            }
            Event::DisplayMath(t) => {
                out.push(" ");
                out.push_raw("$$");
                out.push_raw(&t);
                out.push_raw("$$");
                out.push(" ");
            }
            Event::SoftBreak | Event::HardBreak => out.push(" "),
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::Heading(_),
            ) => out.paragraph(),
            _ => {}
        }
    }
    out.finish()
}

/// Plain prose with runs of whitespace folded to one space, and blank lines to one paragraph
/// break: what [`plain_text`] gives for Markdown without syntax, in a single pass.
fn fold_whitespace(text: &str) -> String {
    // Byte by byte: only ASCII whitespace is dropped, so UTF-8 sequences stay whole.
    let mut out = Vec::with_capacity(text.len());
    let mut newlines = 0;
    let mut is_space_pending = false;
    let mut previous = 0u8;
    for &byte in text.as_bytes() {
        if byte.is_ascii_whitespace() {
            is_space_pending = true;
            // Line endings: LF, CR LF, or a lone CR.
            newlines += usize::from(byte == b'\r' || (byte == b'\n' && previous != b'\r'));
            previous = byte;
            continue;
        }
        previous = byte;
        if is_space_pending && !out.is_empty() {
            out.extend_from_slice(if newlines >= 2 { b"\n\n" } else { b" " });
        }
        is_space_pending = false;
        newlines = 0;
        out.push(byte);
    }
    String::from_utf8(out).expect("only ASCII bytes were dropped or added")
}

/// Builds plain text with whitespace runs folded to one space and paragraphs separated by a
/// blank line, in one pass.
struct PlainText {
    text: String,
    is_space_pending: bool,
    is_paragraph_pending: bool,
}

impl PlainText {
    fn with_capacity(capacity: usize) -> Self {
        PlainText {
            text: String::with_capacity(capacity),
            is_space_pending: false,
            is_paragraph_pending: false,
        }
    }

    fn separator(&mut self) {
        if self.text.is_empty() {
            self.is_space_pending = false;
            self.is_paragraph_pending = false;
            return;
        }
        if self.is_paragraph_pending {
            self.text.push_str("\n\n");
        } else if self.is_space_pending {
            self.text.push(' ');
        }
        self.is_space_pending = false;
        self.is_paragraph_pending = false;
    }

    /// Text whose whitespace runs are folded into one space.
    fn push(&mut self, text: &str) {
        if text.starts_with(|c: char| c.is_ascii_whitespace()) {
            self.is_space_pending = true;
        }
        let mut words = text.split_ascii_whitespace();
        if let Some(first) = words.next() {
            self.separator();
            self.text.push_str(first);
            for word in words {
                self.text.push(' ');
                self.text.push_str(word);
            }
        }
        if text.ends_with(|c: char| c.is_ascii_whitespace()) {
            self.is_space_pending = true;
        }
    }

    /// Text glued to what precedes it (unless a space is pending), whitespace folded: TeX.
    fn push_raw(&mut self, text: &str) {
        self.separator();
        let mut words = text.split_ascii_whitespace();
        if let Some(first) = words.next() {
            self.text.push_str(first);
        }
        for word in words {
            self.text.push(' ');
            self.text.push_str(word);
        }
    }

    fn paragraph(&mut self) {
        if !self.text.is_empty() {
            self.is_paragraph_pending = true;
        }
    }

    fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_prose_takes_the_fast_path_with_the_same_result() {
        let prose = "Despite rapid  progress,\nwe propose a method.\n\n  Second paragraph.\n";
        assert_eq!(
            plain_text(prose),
            "Despite rapid progress, we propose a method.\n\nSecond paragraph."
        );
        assert_eq!(plain_text("- item\n- other"), "item\n\nother");
        assert_eq!(plain_text("Inline $a\nb$ math."), "Inline $a b$ math.");
    }

    #[test]
    fn folding_whitespace_equals_parsing_for_plain_prose() {
        const PIECES: &[&str] = &[
            "word",
            "Ünïcode",
            "é",
            "—",
            " ",
            "  ",
            "\n",
            "\n\n",
            "\r\n",
            "\r\n\r\n",
            "\t",
            "\n \n",
            " \n\n\n ",
            "\r",
            "\r\r",
            " \t",
            "    ",
            "\n- ",
            "\r1. ",
            "x,",
            "y.",
            "1.5",
            "(a)",
        ];
        let mut next = crate::test_rng(1);
        let mut checked = 0;
        for _ in 0..5000 {
            let text: String = (0..next(20)).map(|_| PIECES[next(PIECES.len())]).collect();
            if crate::markdown::is_plain_prose(&text) {
                assert_eq!(fold_whitespace(&text), parsed_plain_text(&text), "{text:?}");
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn plain_text_keeps_math_as_tex() {
        assert_eq!(
            plain_text("We *bound* $x^2$ [here](https://x.org).\n\n$$\\int f$$\n\nEnd."),
            "We bound $x^2$ here.\n\n$$\\int f$$\n\nEnd."
        );
    }
}
