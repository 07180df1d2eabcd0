//! Splits a digest file into its front matter and its Markdown body.
//!
//! TOML front matter sits between two `+++` lines, YAML between two `---` lines. A byte order mark
//! and Windows line endings are accepted. Line numbers are kept so that errors inside the front
//! matter can be reported against the file.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Format,
    /// The text between the delimiter lines.
    pub front_matter: &'a str,
    /// How many lines of the file come before `front_matter` (the opening delimiter, usually 1).
    pub front_matter_line_offset: usize,
    pub body: &'a str,
    /// How many lines of the file come before `body`.
    pub body_line_offset: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    Empty,
    NoOpening,
    Unclosed { delimiter: &'static str },
}

impl SplitError {
    pub fn message_and_hint(&self) -> (String, String) {
        match self {
            SplitError::Empty => (
                "the file is empty".into(),
                "a digest starts with front matter between `+++` lines; see docs/format.md".into(),
            ),
            SplitError::NoOpening => (
                "no front matter: a digest file must start with a line `+++` (TOML) or `---` (YAML)"
                    .into(),
                "add `+++`, then title = \"…\" and date = YYYY-MM-DD, then `+++`".into(),
            ),
            SplitError::Unclosed { delimiter } => (
                "the front matter opened on line 1 is never closed".to_string(),
                format!("add a line `{delimiter}` after the last front matter line"),
            ),
        }
    }
}

pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let mut lines = LineCursor::new(text);
    let first = lines.next().map(|(_, line)| line.trim_end()).unwrap_or("");
    let (format, delimiter) = match first {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => return Err(SplitError::NoOpening),
    };
    let start = lines.offset;
    while let Some((line_start, line)) = lines.next() {
        if line.trim_end() == delimiter {
            return Ok(Split {
                format,
                front_matter: &text[start..line_start],
                front_matter_line_offset: 1,
                body: &text[lines.offset..],
                body_line_offset: lines.lines,
            });
        }
    }
    Err(SplitError::Unclosed { delimiter })
}

/// Iterates over lines (without their line ending) with their byte offsets; `offset` is where
/// the next line starts, `lines` how many lines were read or skipped.
pub(super) struct LineCursor<'a> {
    text: &'a str,
    pub(super) offset: usize,
    pub(super) lines: usize,
}

impl<'a> LineCursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        LineCursor {
            text,
            offset: 0,
            lines: 0,
        }
    }

    pub(super) fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.offset >= self.text.len() {
            return None;
        }
        let start = self.offset;
        let rest = &self.text[start..];
        let (line, advance) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.offset += advance;
        self.lines += 1;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    }

    /// Goes on after the first line from the one starting at `line_start` on (the last line
    /// read) that holds `needle`, in one search: the lines of a multi-line string hold no keys,
    /// and reading them one by one was most of the cost of finding keys. Goes to the text's end
    /// when no line holds it.
    pub(super) fn skip_to_line_with(&mut self, line_start: usize, needle: &str) {
        let bytes = self.text.as_bytes();
        let Some(found) = memchr::memmem::find(&bytes[line_start..], needle.as_bytes()) else {
            self.offset = self.text.len();
            return;
        };
        let found = line_start + found;
        let end = memchr::memchr(b'\n', &bytes[found..]).map_or(self.text.len(), |at| found + at);
        self.lines += memchr::memchr_iter(b'\n', &bytes[line_start..end]).count();
        self.offset = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_front_matter_and_body() {
        let s = split("+++\ntitle = \"x\"\n+++\nHello\n").unwrap();
        assert_eq!(s.format, Format::Toml);
        assert_eq!(s.front_matter, "title = \"x\"\n");
        assert_eq!(s.body, "Hello\n");
        assert_eq!(s.body_line_offset, 3);
    }

    #[test]
    fn accepts_bom_crlf_and_yaml() {
        let s = split("\u{feff}---\r\ntitle: x\r\n---\r\nBody").unwrap();
        assert_eq!(s.format, Format::Yaml);
        assert_eq!(s.front_matter, "title: x\r\n");
        assert_eq!(s.body, "Body");
    }

    #[test]
    fn reports_missing_and_unclosed_front_matter() {
        assert_eq!(split(""), Err(SplitError::Empty));
        assert_eq!(split("  \n"), Err(SplitError::Empty));
        assert_eq!(split("# Title\n"), Err(SplitError::NoOpening));
        assert_eq!(
            split("+++\ntitle = 1\n"),
            Err(SplitError::Unclosed { delimiter: "+++" })
        );
        // A YAML opening is not closed by a TOML delimiter.
        assert_eq!(
            split("---\na: 1\n+++\n"),
            Err(SplitError::Unclosed { delimiter: "---" })
        );
    }

    #[test]
    fn front_matter_may_be_empty_and_body_missing() {
        let s = split("+++\n+++").unwrap();
        assert_eq!(s.front_matter, "");
        assert_eq!(s.body, "");
    }
}
