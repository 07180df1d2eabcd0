//! Markdown as plain text, for what is not HTML: excerpts (meta descriptions, feed summaries), the
//! search index, citation files and plain-text email.
//!
//! One walk over pulldown-cmark's events, fed by the model's Markdown fields, with [`PlainOptions`]
//! for what those outputs need differently: how blocks are laid out ([`Layout`]) and what math
//! becomes ([`MathText`]). Text that Markdown would leave as it is is only folded, without
//! parsing (a shortcut, [`crate::shortcuts::is_plain_prose`]): most abstracts are such text, and
//! the search index and citations read every abstract of the site.

use std::borrow::Cow;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::shortcuts;

/// What differs between the plain texts made from Markdown.
#[derive(Clone, Copy)]
pub struct PlainOptions<'a> {
    pub layout: Layout<'a>,
    pub math: MathText,
    /// Stop reading once the text read (whitespace not yet folded) is longer than this many
    /// bytes: an excerpt needs only the start of a text.
    pub max_bytes: Option<usize>,
}

impl<'a> PlainOptions<'a> {
    /// Words for an excerpt, math left out.
    pub fn words(max_bytes: usize) -> Self {
        PlainOptions {
            layout: Layout::Words,
            math: MathText::Dropped,
            max_bytes: Some(max_bytes),
        }
    }

    /// One line for the search index and its snippets: words, and math as readable text
    /// (`\sigma` is `σ`, `\mathrm{softmax}` is `softmax`): snippets never show raw TeX (issue 21).
    pub const SEARCH: PlainOptions<'static> = PlainOptions {
        layout: Layout::Line,
        math: MathText::Readable,
        max_bytes: None,
    };

    /// Paragraphs for citation formats (RIS, CSL-JSON, JSON-LD), math as `$…$` TeX.
    pub const CITATION: PlainOptions<'static> = PlainOptions {
        layout: Layout::Paragraphs,
        math: MathText::Delimited,
        max_bytes: None,
    };

    /// Text to read in an email, wrapped at `width` columns, link targets from `link_url`.
    pub fn email(width: usize, link_url: &'a dyn Fn(&str) -> String) -> Self {
        PlainOptions {
            layout: Layout::Formatted { width, link_url },
            math: MathText::Delimited,
            max_bytes: None,
        }
    }
}

/// How the blocks of a text (paragraphs, list items, headings, code) are laid out. Runs of
/// whitespace become one space in all of them: ASCII whitespace only (a no-break space stays),
/// except in the formatted layout, where any Unicode whitespace separates words.
#[derive(Clone, Copy)]
pub enum Layout<'a> {
    /// Words on one line, where the end of any element, emphasis and links included, also ends a
    /// word (`*bound*.` reads `bound .`): excerpts, cut at a word afterwards.
    Words,
    /// One line, blocks joined by a space: the search index.
    Line,
    /// One line per block, blocks separated by a blank line: citation formats.
    Paragraphs,
    /// Text to read as it is: blocks wrapped at `width` columns and separated by a blank line,
    /// `- ` and `1. ` list items, `> ` quotes, code blocks indented by four spaces, display math
    /// a block of its own, table cells separated by ` | `, links as `text <url>` with the URL
    /// that `link_url` makes of the target.
    Formatted {
        width: usize,
        link_url: &'a dyn Fn(&str) -> String,
    },
}

/// What `$…$` and `$$…$$` become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathText {
    /// Nothing: the TeX is no words.
    Dropped,
    /// The TeX source in `$…$` or `$$…$$`, as written.
    Delimited,
    /// Readable text ([`super::tex_text`]) in place of the TeX.
    Readable,
}

/// `markdown` as plain text, as `options` say.
pub fn plain_text(markdown: &str, options: &PlainOptions) -> String {
    let is_formatted = matches!(options.layout, Layout::Formatted { .. });
    // Formatted text wraps and lays out every block, so folding alone would not give it; it
    // reads introductions and notes, a few per digest, where skipping the parser saves little.
    if !is_formatted && shortcuts::may_skip_parsing(markdown) {
        return fold_prose(markdown, matches!(options.layout, Layout::Paragraphs));
    }
    parsed_plain_text(markdown, options)
}

/// Text with the words of [`plain_text`] (split at whitespace or punctuation, as excerpts and
/// tokenising split it): plain prose as written, since its plain text only folds ASCII
/// whitespace; anything else as its plain text.
pub fn text_for_words<'a>(markdown: &'a str, options: &PlainOptions) -> Cow<'a, str> {
    if shortcuts::may_skip_parsing(markdown) {
        markdown.into()
    } else {
        plain_text(markdown, options).into()
    }
}

/// [`plain_text`] through the parser, whatever the text.
fn parsed_plain_text(markdown: &str, options: &PlainOptions) -> String {
    let is_formatted = matches!(options.layout, Layout::Formatted { .. });
    let mut cmark = Options::ENABLE_MATH;
    // Email shows the tables its HTML part shows; in one-line and paragraph text, table syntax
    // stays as written.
    if is_formatted {
        cmark |= Options::ENABLE_TABLES;
    }
    let mut walk = Walk::new(options, markdown.len());
    for event in Parser::new_ext(markdown, cmark) {
        walk.event(event);
        if options.max_bytes.is_some_and(|max| walk.read > max) {
            break;
        }
    }
    walk.finish()
}

/// The walk's state: finished blocks in `out`, the block being read in `line`.
struct Walk<'o, 'a> {
    options: &'o PlainOptions<'a>,
    out: String,
    /// Blocks in `out`; a formatted block can be empty and still be separated.
    blocks: usize,
    /// The current block's text, whitespace not yet folded.
    line: String,
    /// Bytes read into `line` so far, for [`PlainOptions::max_bytes`].
    read: usize,
    // Formatted layout only:
    is_in_code: bool,
    quote_depth: usize,
    /// The next number of each open list, `None` for a bulleted one.
    lists: Vec<Option<u64>>,
    /// The targets of the open links and images.
    links: Vec<String>,
}

impl<'o, 'a> Walk<'o, 'a> {
    fn new(options: &'o PlainOptions<'a>, capacity: usize) -> Self {
        Walk {
            options,
            out: String::with_capacity(capacity),
            blocks: 0,
            line: String::new(),
            read: 0,
            is_in_code: false,
            quote_depth: 0,
            lists: Vec::new(),
            links: Vec::new(),
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Text(t) if self.is_in_code => self.code_lines(&t),
            Event::Text(t) | Event::Code(t) => self.push(&t),
            Event::InlineMath(t) => self.math(&t, false),
            Event::DisplayMath(t) => self.math(&t, true),
            Event::SoftBreak | Event::HardBreak => self.space(),
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            _ => {}
        }
    }

    fn push(&mut self, text: &str) {
        self.line.push_str(text);
        self.read += text.len();
    }

    fn space(&mut self) {
        self.push(" ");
    }

    fn math(&mut self, tex: &str, is_display: bool) {
        let delimiter = if is_display { "$$" } else { "$" };
        match (self.options.math, self.options.layout) {
            (MathText::Dropped, _) => {}
            (math, Layout::Formatted { .. }) if is_display => {
                self.flush();
                let delimiter = if math == MathText::Delimited {
                    "$$"
                } else {
                    ""
                };
                let prefix = "> ".repeat(self.quote_depth);
                self.push_block(format!("{prefix}{delimiter}{}{delimiter}", tex.trim()));
            }
            (MathText::Readable, _) => {
                // As with `$…$`: display math stands apart, inline math is glued to the words
                // and punctuation around it (`by $\beta$, so` reads `by β, so`).
                if is_display {
                    self.space();
                }
                self.push(&super::tex_text::tex_to_text(tex));
                if is_display {
                    self.space();
                }
            }
            (MathText::Delimited, _) => {
                // Display math stands apart from the words around it; inline math is glued.
                if is_display {
                    self.space();
                }
                self.push(delimiter);
                self.push(tex.trim_ascii());
                self.push(delimiter);
                if is_display {
                    self.space();
                }
            }
        }
    }

    fn start(&mut self, tag: Tag) {
        if !matches!(self.options.layout, Layout::Formatted { .. }) {
            return;
        }
        match tag {
            Tag::CodeBlock(_) => {
                self.flush();
                self.is_in_code = true;
            }
            Tag::BlockQuote(_) => self.quote_depth += 1,
            Tag::List(start) => self.lists.push(start),
            Tag::Item => {
                self.flush();
                match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        let marker = format!("{}. ", *n - 1);
                        self.push(&marker);
                    }
                    _ => self.push("- "),
                }
            }
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.links.push(dest_url.to_string());
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match self.options.layout {
            Layout::Formatted { link_url, .. } => match tag {
                TagEnd::CodeBlock => self.is_in_code = false,
                TagEnd::BlockQuote(_) => {
                    self.flush();
                    self.quote_depth -= 1;
                }
                TagEnd::List(_) => {
                    self.lists.pop();
                }
                TagEnd::Link | TagEnd::Image => {
                    if let Some(url) = self.links.pop() {
                        let shown = format!(" <{}>", link_url(&url));
                        self.push(&shown);
                    }
                }
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow => {
                    self.flush()
                }
                TagEnd::TableCell => self.push(" | "),
                _ => {}
            },
            Layout::Paragraphs => {
                if is_block(tag) {
                    self.flush();
                }
            }
            Layout::Line => {
                if is_block(tag) {
                    self.space();
                }
            }
            Layout::Words => self.space(),
        }
    }

    /// A code block's text as lines indented by four spaces, a block of its own.
    fn code_lines(&mut self, text: &str) {
        let indented: Vec<String> = text.lines().map(|l| format!("    {l}")).collect();
        self.push_block(indented.join("\n"));
    }

    /// Ends the current block: its words join `out`, folded (and wrapped when formatted).
    fn flush(&mut self) {
        match self.options.layout {
            Layout::Formatted { width, .. } => {
                let text = self.line.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    let prefix = "> ".repeat(self.quote_depth);
                    let mut block = String::with_capacity(text.len() + 16);
                    wrap_into(&mut block, &text, &prefix, width);
                    self.push_block(block);
                }
            }
            Layout::Paragraphs => fold_into(&mut self.out, &self.line, "\n\n"),
            Layout::Words | Layout::Line => fold_into(&mut self.out, &self.line, " "),
        }
        self.line.clear();
    }

    fn push_block(&mut self, block: String) {
        if self.blocks > 0 {
            self.out.push_str("\n\n");
        }
        self.out.push_str(&block);
        self.blocks += 1;
    }

    fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

/// The ends of blocks, where the one-line and paragraph layouts break.
fn is_block(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::Heading(_)
    )
}

/// Appends the words of `text` (split at ASCII whitespace) to `out`, one space between them and
/// `separator` before them when `out` already holds text.
fn fold_into(out: &mut String, text: &str, separator: &str) {
    for (n, word) in text.split_ascii_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        } else if !out.is_empty() {
            out.push_str(separator);
        }
        out.push_str(word);
    }
}

/// Plain prose with runs of ASCII whitespace folded to one space, or, with `is_paragraphs`, runs
/// holding a blank line to one: what the walk gives for text without Markdown syntax, in a
/// single pass.
fn fold_prose(text: &str, is_paragraphs: bool) -> String {
    if memchr::memchr3(b'\t', b'\r', 0x0c, text.as_bytes()).is_none() {
        fold_lines(text, is_paragraphs)
    } else {
        fold_bytes(text, is_paragraphs)
    }
}

/// [`fold_prose`] of a text whose only whitespace is spaces and line feeds, a line at a time: a
/// line is mostly words joined by single spaces, copied as one stretch.
fn fold_lines(text: &str, is_paragraphs: bool) -> String {
    let mut out = String::with_capacity(text.len());
    // Line feeds since the last line that held a word.
    let mut newlines = 0;
    for (n, line) in shortcuts::lines(text).enumerate() {
        newlines += usize::from(n > 0);
        let words = line.trim_matches(' ');
        if words.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str(if is_paragraphs && newlines >= 2 {
                "\n\n"
            } else {
                " "
            });
        }
        if !has_double_space(words) {
            out.push_str(words);
        } else {
            for (i, word) in words.split(' ').filter(|w| !w.is_empty()).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
        newlines = 0;
    }
    out
}

/// Whether `text` holds two spaces in a row. The searcher is made once: making one for each
/// line of a text cost more than searching it.
fn has_double_space(text: &str) -> bool {
    static DOUBLE_SPACE: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"  "));
    DOUBLE_SPACE.find(text.as_bytes()).is_some()
}

/// [`fold_prose`] of any text, a run of whitespace at a time.
fn fold_bytes(text: &str, is_paragraphs: bool) -> String {
    // Only ASCII whitespace is dropped, so UTF-8 sequences stay whole. Words joined by single
    // spaces (most of a line) are copied as one stretch.
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    let mut previous = 0u8;
    while !rest.is_empty() {
        let spaces = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        // Line endings: LF, CR LF, or a lone CR.
        let mut newlines = 0;
        for &byte in &rest[..spaces] {
            newlines += usize::from(byte == b'\r' || (byte == b'\n' && previous != b'\r'));
            previous = byte;
        }
        rest = &rest[spaces..];
        if rest.is_empty() {
            break;
        }
        if spaces > 0 && !out.is_empty() {
            let is_paragraph = is_paragraphs && newlines >= 2;
            out.extend_from_slice(if is_paragraph { b"\n\n" } else { b" " });
        }
        let mut end = 0;
        loop {
            end += rest[end..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .unwrap_or(rest.len() - end);
            let is_single_space = rest.get(end) == Some(&b' ')
                && rest.get(end + 1).is_some_and(|b| !b.is_ascii_whitespace());
            if !is_single_space {
                break;
            }
            end += 1;
        }
        out.extend_from_slice(&rest[..end]);
        previous = rest[end - 1];
        rest = &rest[end..];
    }
    String::from_utf8(out).expect("only ASCII bytes were dropped or added")
}

/// Text whose paragraphs are separated by blank lines, each wrapped at `width` columns.
pub fn wrap_paragraphs(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 64);
    for (n, paragraph) in text.split("\n\n").enumerate() {
        if n > 0 {
            out.push_str("\n\n");
        }
        wrap_into(&mut out, paragraph, "", width);
    }
    out
}

/// Greedy word wrap at `width` columns, each line starting with `prefix`. Words longer than a
/// line (URLs) stay whole; explicit newlines are kept.
fn wrap_into(out: &mut String, text: &str, prefix: &str, width: usize) {
    for (n, paragraph_line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(prefix);
        if is_ascii_single_spaced(paragraph_line) {
            wrap_single_spaced(out, paragraph_line, prefix, width);
        } else {
            wrap_words(out, paragraph_line, prefix, width);
        }
    }
}

/// [`wrap_into`]'s greedy wrap of one line, a word at a time.
fn wrap_words(out: &mut String, line: &str, prefix: &str, width: usize) {
    let mut column = 0;
    for word in line.split_ascii_whitespace() {
        let len = if word.is_ascii() {
            word.len()
        } else {
            word.chars().count()
        };
        if column > 0 && column + 1 + len + prefix.len() > width {
            out.push('\n');
            out.push_str(prefix);
            column = 0;
        } else if column > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += len;
    }
}

/// Whether `line` is ASCII words with one space between them: a column is a byte, and the
/// wrapped lines are stretches of `line` itself.
fn is_ascii_single_spaced(line: &str) -> bool {
    let bytes = line.as_bytes();
    !bytes.starts_with(b" ")
        && !bytes.ends_with(b" ")
        && bytes
            .iter()
            .all(|&b| b.is_ascii() && b != b'\t' && b != b'\r' && b != 0x0c)
        && !has_double_space(line)
}

/// [`wrap_into`]'s greedy wrap of one line that [`is_ascii_single_spaced`] accepts, written a
/// stretch at a time: each wrapped line ends at the last space that lets it fit.
fn wrap_single_spaced(out: &mut String, line: &str, prefix: &str, width: usize) {
    let fits = width.saturating_sub(prefix.len());
    let mut rest = line;
    while rest.len() > fits {
        let bytes = rest.as_bytes();
        // A word longer than a line stays whole, alone on its line.
        let Some(space) = bytes[..=fits]
            .iter()
            .rposition(|&b| b == b' ')
            .or_else(|| memchr::memchr(b' ', bytes))
        else {
            break;
        };
        out.push_str(&rest[..space]);
        out.push('\n');
        out.push_str(prefix);
        rest = &rest[space + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_line_by_line_equals_folding_runs_of_whitespace() {
        const PIECES: &[&str] = &[
            "word", "é", "\u{a0}", " ", "  ", "\n", "\n\n", " \n ", "\n  \n", "x.", "\u{b}",
        ];
        let mut next = crate::test_rng(12);
        for _ in 0..20_000 {
            let text: String = (0..next(30)).map(|_| PIECES[next(PIECES.len())]).collect();
            for is_paragraphs in [false, true] {
                assert_eq!(
                    fold_lines(&text, is_paragraphs),
                    fold_bytes(&text, is_paragraphs),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn single_spaced_lines_wrap_as_word_by_word() {
        const WORDS: &[&str] = &[
            "a",
            "of",
            "the",
            "model",
            "https://example.org/a/long/path",
            "x",
            "tokens,",
            "(1.5%)",
        ];
        let mut next = crate::test_rng(11);
        let mut fast = 0;
        for _ in 0..20_000 {
            let line = (0..next(40))
                .map(|_| WORDS[next(WORDS.len())])
                .collect::<Vec<_>>()
                .join(" ");
            let width = next(80);
            let prefix = ["", "> ", "    "][next(3)];
            let (mut by_word, mut by_stretch) = (String::new(), String::new());
            wrap_words(&mut by_word, &line, prefix, width);
            assert!(is_ascii_single_spaced(&line));
            wrap_single_spaced(&mut by_stretch, &line, prefix, width);
            assert_eq!(by_stretch, by_word, "{line:?} at {width} after {prefix:?}");
            fast += usize::from(by_word.contains('\n'));
        }
        assert!(fast > 10_000, "only {fast} lines wrapped");
        for line in [" a", "a ", "a  b", "a\tb", "é b", "a\rb"] {
            assert!(!is_ascii_single_spaced(line), "{line:?}");
        }
    }

    fn search(text: &str) -> String {
        plain_text(text, &PlainOptions::SEARCH)
    }

    fn citation(text: &str) -> String {
        plain_text(text, &PlainOptions::CITATION)
    }

    #[test]
    fn search_text_keeps_words_and_reads_tex() {
        assert_eq!(
            search("Uses *soft* `attention` with $\\sqrt{d_k}$.\n\nSecond [link](http://x)."),
            "Uses soft attention with √d_k. Second link."
        );
        // Issue 21: snippets showed `\sigma` and `q(x_t \mid x_0)`.
        assert_eq!(
            search("Noise $\\sigma$ and $q(x_t \\mid x_0)$, then\n$$\\hat{x} = x$$"),
            "Noise σ and q(x_t ∣ x_0), then x\u{302} = x"
        );
    }

    #[test]
    fn citation_text_keeps_math_as_tex_and_paragraphs() {
        assert_eq!(
            citation("We *bound* $x^2$ [here](https://x.org).\n\n$$\\int f$$\n\nEnd."),
            "We bound $x^2$ here.\n\n$$\\int f$$\n\nEnd."
        );
        assert_eq!(citation("- item\n- other"), "item\n\nother");
        assert_eq!(citation("Inline $a\nb$ math."), "Inline $a b$ math.");
    }

    #[test]
    fn words_end_at_every_element_and_leave_math_out() {
        let words = PlainOptions::words(1000);
        assert_eq!(
            plain_text("We *bound*. $x^2$ in `code`.\n\nSecond.", &words),
            "We bound . in code. Second."
        );
    }

    #[test]
    fn words_stop_after_the_bytes_asked_for() {
        let text = "*a* ".repeat(100);
        let read = plain_text(&text, &PlainOptions::words(20));
        assert!(read.len() < 40 && read.starts_with("a a a"), "{read}");
    }

    #[test]
    fn plain_prose_is_folded_without_parsing_to_the_same_text() {
        let prose = "Despite rapid  progress,\nwe propose a method.\n\n  Second paragraph.\n";
        assert!(shortcuts::is_plain_prose(prose));
        assert_eq!(
            citation(prose),
            "Despite rapid progress, we propose a method.\n\nSecond paragraph."
        );
        assert_eq!(
            search(prose),
            "Despite rapid progress, we propose a method. Second paragraph."
        );
        assert!(!shortcuts::is_plain_prose("1. a list"));
        assert!(!shortcuts::is_plain_prose("Emphasis *here*."));
        assert!(!shortcuts::is_plain_prose("    code"));
        assert!(shortcuts::is_plain_prose(
            "improves BLEU by\n16.6% over baselines"
        ));
    }

    #[test]
    fn folding_prose_equals_parsing_it() {
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
            "16.6%",
            "\u{a0}",
        ];
        let mut next = crate::test_rng(1);
        let mut checked = 0;
        for _ in 0..5000 {
            let text: String = (0..next(20)).map(|_| PIECES[next(PIECES.len())]).collect();
            if shortcuts::is_plain_prose(&text) {
                // The fast path itself, whether or not the shortcuts are on.
                for (options, is_paragraphs) in [
                    (PlainOptions::SEARCH, false),
                    (PlainOptions::CITATION, true),
                    (PlainOptions::words(usize::MAX), false),
                ] {
                    assert_eq!(
                        fold_prose(&text, is_paragraphs),
                        parsed_plain_text(&text, &options),
                        "{text:?}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn formatted_text_has_markers_quotes_code_and_links() {
        let link_url = |url: &str| format!("https://x.org{url}");
        let email = PlainOptions::email(20, &link_url);
        assert_eq!(
            plain_text(
                "Intro [page](/p/).\n\n1. one\n2. two\n\n> quoted words that wrap around here\n\n```\ncode\n```\n\n$$ x $$",
                &email
            ),
            "Intro page\n<https://x.org/p/>.\n\n1. one\n\n2. two\n\n> quoted words that\n> wrap around here\n\n    code\n\n$$x$$"
        );
    }
}
