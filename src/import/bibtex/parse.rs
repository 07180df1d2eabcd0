//! The BibTeX parser: text to [`Entry`] values and [`ParseError`]s.
//!
//! Tolerant by design: `@string` macros and `#` concatenation, `{…}` and `"…"` values with nested
//! braces, `@comment` and `@preamble`, entries in parentheses. An entry that cannot be read is an
//! error at its line; reading resumes at the next line that starts with `@`, and a value whose
//! brace never closes stops at such a line too, so one bad entry costs only itself.
//!
//! Every step is linear in the text, and what macros can make is bounded: a value holds at most
//! [`MAX_VALUE_BYTES`] and the file's values [`MAX_EXPANDED_BYTES`] in all, since a few lines of
//! `@string{b = a # a}` double a text each (issue 23: 40 such lines never finished).

use std::cell::Cell;
use std::collections::HashMap;

use crate::import::input::MAX_ENTRIES;

/// The longest value, once macros are expanded and parts joined: the most any paper field can
/// hold in a build (an abstract, [`crate::markdown::MAX_MARKDOWN_BYTES`]).
pub const MAX_VALUE_BYTES: usize = crate::markdown::MAX_MARKDOWN_BYTES;

/// The most fields an entry may have: real ones have a few dozen, and a field costs some 80
/// bytes of memory for as little as four of text (`a=1,`).
pub const MAX_FIELDS: usize = 1000;

/// The most all the values of one file may hold once expanded: twice the largest input, so that
/// macros can repeat journal names as much as any real file does, but not fill memory.
pub const MAX_EXPANDED_BYTES: usize = 2 * super::super::input::MAX_INPUT_BYTES as usize;

/// One entry as read: lower-case type and field names, values with macros expanded and
/// concatenations joined, still in LaTeX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: String,
    pub key: String,
    /// Sorted by name, each name once (the first value given).
    pub fields: Vec<(String, String)>,
    pub line: usize,
}

impl Entry {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        let index = self
            .fields
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()?;
        Some(self.fields[index].1.as_str()).filter(|v| !v.trim().is_empty())
    }
}

/// A problem in the file, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
    /// The file cannot be read on: its macros expand past [`MAX_EXPANDED_BYTES`], or it has more
    /// than [`MAX_ENTRIES`] entries.
    pub is_fatal: bool,
    /// What to do, for a fatal error.
    pub hint: Option<&'static str>,
}

/// Parses every entry it can; the errors say which entries it could not. Reading stops, with a
/// fatal error, after [`MAX_ENTRIES`] items (entries, `@string`s and the like, bad ones included).
pub fn parse(text: &str) -> (Vec<Entry>, Vec<ParseError>) {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        line_cursor: Cell::new((0, 1)),
        macros: month_macros(),
        refused_macros: HashMap::new(),
        expanded: 0,
    };
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut items = 0;
    while let Some(at) = parser.next_entry_start() {
        parser.pos = at + 1;
        let line = parser.line_at(at);
        items += 1;
        if items > MAX_ENTRIES {
            errors.push(ParseError {
                line,
                message: format!(
                    "the file has more than {MAX_ENTRIES} entries, more than an import reads; reading stopped here"
                ),
                is_fatal: true,
                hint: Some("split the file into smaller ones and import each"),
            });
            break;
        }
        match parser.entry(line) {
            Ok(Some(entry)) => entries.push(entry),
            Ok(None) => {}
            Err(message) => {
                let is_fatal = parser.expanded > MAX_EXPANDED_BYTES;
                errors.push(ParseError {
                    line,
                    message,
                    is_fatal,
                    hint: is_fatal.then_some(
                        "@string macros that join other macros (`@string{b = a # a}`) double their text with each line: check the @string lines before this one",
                    ),
                });
                if is_fatal {
                    break;
                }
                parser.skip_to_next_line_starting_with_at();
            }
        }
    }
    (entries, errors)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    /// A position and its line, to count lines on from there: the parser asks about positions
    /// further on, almost always, so counting stays linear (a table of line starts would take
    /// eight bytes a line, 256 MB for a file of newlines).
    line_cursor: Cell<(usize, usize)>,
    macros: HashMap<String, String>,
    /// Macros whose definition was refused, with its line, so that their uses say why.
    refused_macros: HashMap<String, usize>,
    /// Bytes of every value read so far, macros expanded.
    expanded: usize,
}

impl Parser<'_> {
    fn line_at(&self, pos: usize) -> usize {
        let pos = pos.min(self.bytes.len());
        let (at, line) = self.line_cursor.get();
        let line = if pos >= at {
            line + memchr::memchr_iter(b'\n', &self.bytes[at..pos]).count()
        } else {
            line - memchr::memchr_iter(b'\n', &self.bytes[pos..at]).count()
        };
        self.line_cursor.set((pos, line));
        line
    }

    fn next_entry_start(&self) -> Option<usize> {
        memchr::memchr(b'@', &self.bytes[self.pos..]).map(|i| self.pos + i)
    }

    /// Moves to the next line that starts with `@` (this one, if `pos` is in its indentation),
    /// a line at a time.
    fn skip_to_next_line_starting_with_at(&mut self) {
        loop {
            while self
                .bytes
                .get(self.pos)
                .is_some_and(|&b| b.is_ascii_whitespace() && b != b'\n')
            {
                self.pos += 1;
            }
            if self.is_line_starting_with_at(self.pos) {
                return;
            }
            match memchr::memchr(b'\n', &self.bytes[self.pos.min(self.bytes.len())..]) {
                Some(i) => self.pos += i + 1,
                None => {
                    self.pos = self.bytes.len();
                    return;
                }
            }
        }
    }

    /// Whether `pos` is an `@` that is the first non-blank character of its line. Looks back
    /// only over blanks, so that a line of `@`s costs one step each.
    fn is_line_starting_with_at(&self, pos: usize) -> bool {
        if self.bytes.get(pos) != Some(&b'@') {
            return false;
        }
        self.bytes[..pos]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n')
            .all(u8::is_ascii_whitespace)
    }

    fn skip_space(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(u8::is_ascii_whitespace)
        {
            self.pos += 1;
        }
    }

    fn identifier(&mut self) -> String {
        let start = self.pos;
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|&b| !b.is_ascii_whitespace() && !b"{}(),=#\"@%".contains(&b))
        {
            self.pos += 1;
        }
        self.text[start..self.pos].to_string()
    }

    fn here(&self) -> String {
        format!("line {}", self.line_at(self.pos))
    }

    /// One entry after its `@`; None for `@comment`, `@preamble` and `@string`.
    fn entry(&mut self, line: usize) -> Result<Option<Entry>, String> {
        let kind = self.identifier().to_ascii_lowercase();
        if kind.is_empty() {
            return Err("`@` is not followed by an entry type such as @article".into());
        }
        self.skip_space();
        let close = match self.bytes.get(self.pos) {
            Some(b'{') => b'}',
            Some(b'(') => b')',
            _ => {
                if kind == "comment" {
                    return Ok(None);
                }
                return Err(format!("@{kind} is not followed by `{{` ({})", self.here()));
            }
        };
        self.pos += 1;
        if matches!(kind.as_str(), "comment" | "preamble" | "string") {
            self.directive(&kind, close, line)?;
            return Ok(None);
        }
        self.skip_space();
        let key = self.identifier();
        self.skip_space();
        let mut entry = Entry {
            kind,
            key,
            fields: Vec::new(),
            line,
        };
        self.fields(&mut entry, close)?;
        // Sorted for lookups; a stable sort keeps the first of two values of one field.
        entry.fields.sort_by(|a, b| a.0.cmp(&b.0));
        entry.fields.dedup_by(|later, first| later.0 == first.0);
        Ok(Some(entry))
    }

    /// The rest of a `@comment`, `@preamble` or `@string` after its opening delimiter; a
    /// `@string` defines a macro for the entries after it.
    fn directive(&mut self, kind: &str, close: u8, line: usize) -> Result<(), String> {
        match kind {
            "comment" => {
                self.pos -= 1;
                self.braced().map_err(|e| format!("@comment: {e}"))?;
            }
            "preamble" => {
                self.value()?;
                self.skip_space();
                self.expect(close)?;
            }
            _ => {
                self.skip_space();
                let name = self.identifier().to_ascii_lowercase();
                self.skip_space();
                self.expect(b'=')?;
                let value = match self.value() {
                    Ok(value) => value,
                    Err(message) => {
                        self.refused_macros.insert(name.clone(), line);
                        return Err(format!("@string `{name}`: {message}"));
                    }
                };
                self.skip_space();
                self.expect(close)?;
                self.macros.insert(name, value);
            }
        }
        Ok(())
    }

    /// The fields of `entry` after its key, through the `close` that ends the entry. A field
    /// named twice keeps its first value.
    fn fields(&mut self, entry: &mut Entry, close: u8) -> Result<(), String> {
        // After the key and after each field: a comma, or the end of the entry.
        let mut after = format!("the key `{}`", entry.key);
        loop {
            self.skip_space();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(&b) if b == close => {
                    self.pos += 1;
                    return Ok(());
                }
                None => {
                    return Err(format!(
                        "entry `{}` is never closed: a `{}` is missing",
                        entry.key,
                        char::from(close)
                    ));
                }
                Some(_) if self.is_line_starting_with_at(self.pos) => {
                    return Err(format!(
                        "entry `{}` is not closed before the next entry on {}",
                        entry.key,
                        self.here()
                    ));
                }
                Some(&b) => {
                    return Err(format!(
                        "entry `{}`: expected `,` after {after}, found `{}` on {} (a comma may be missing)",
                        entry.key,
                        char::from(b),
                        self.here()
                    ));
                }
            }
            self.skip_space();
            if self.bytes.get(self.pos) == Some(&close) {
                self.pos += 1;
                return Ok(());
            }
            if entry.fields.len() == MAX_FIELDS {
                return Err(format!(
                    "entry `{}` has more than {MAX_FIELDS} fields, more than any entry needs",
                    entry.key
                ));
            }
            let (name, value) = self.field(&entry.key)?;
            after = format!("field `{name}`");
            entry.fields.push((name, value));
        }
    }

    /// One `name = value` field of the entry `key`, the name in lower case.
    fn field(&mut self, key: &str) -> Result<(String, String), String> {
        let name_line = self.here();
        let name = self.identifier().to_ascii_lowercase();
        if name.is_empty() {
            let found = self.bytes.get(self.pos).map_or(' ', |&b| char::from(b));
            return Err(format!(
                "entry `{key}`: unexpected `{found}` on {name_line} where a field name should be"
            ));
        }
        self.skip_space();
        if self.bytes.get(self.pos) != Some(&b'=') {
            return Err(format!(
                "entry `{key}`: field `{name}` on {name_line} has no `=`"
            ));
        }
        self.pos += 1;
        let value = self
            .value()
            .map_err(|e| format!("entry `{key}`, field `{name}`: {e}"))?;
        Ok((name, value))
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!(
                "expected `{}` on {}",
                char::from(byte),
                self.here()
            ))
        }
    }

    /// A value: parts joined by `#`, each `{…}`, `"…"`, a number or a macro name.
    fn value(&mut self) -> Result<String, String> {
        let mut value = String::new();
        loop {
            self.skip_space();
            let part_line = self.line_at(self.pos);
            match self.bytes.get(self.pos) {
                Some(b'{') => {
                    let part = self.braced()?;
                    join(
                        &mut self.expanded,
                        &mut value,
                        &part,
                        part_line,
                        Part::Literal,
                    )?;
                }
                Some(b'"') => {
                    let part = self.quoted()?;
                    join(
                        &mut self.expanded,
                        &mut value,
                        &part,
                        part_line,
                        Part::Literal,
                    )?;
                }
                Some(b) if b.is_ascii_alphanumeric() => {
                    let name = self.identifier();
                    if name.bytes().all(|b| b.is_ascii_digit()) {
                        join(
                            &mut self.expanded,
                            &mut value,
                            &name,
                            part_line,
                            Part::Literal,
                        )?;
                    } else {
                        let key = name.to_ascii_lowercase();
                        match self.macros.get(&key) {
                            Some(text) => {
                                join(&mut self.expanded, &mut value, text, part_line, Part::Macro)?;
                            }
                            None => return Err(self.unknown_macro(&name, &key)),
                        }
                    }
                }
                _ => return Err(format!("a value is missing on {}", self.here())),
            }
            self.skip_space();
            if self.bytes.get(self.pos) == Some(&b'#') {
                self.pos += 1;
            } else {
                return Ok(value);
            }
        }
    }

    fn unknown_macro(&self, name: &str, key: &str) -> String {
        match self.refused_macros.get(key) {
            Some(line) => {
                format!("`{name}` is an @string whose definition on line {line} was refused")
            }
            None => format!("`{name}` is neither quoted nor a known @string (write {{{name}}})"),
        }
    }

    /// `{…}` with nested braces; returns the inside. Stops at a line starting with `@` so an
    /// unbalanced brace costs one entry, not the rest of the file.
    fn braced(&mut self) -> Result<String, String> {
        let open_line = self.line_at(self.pos);
        self.pos += 1;
        let start = self.pos;
        let mut depth = 1;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return Ok(self.text[start..self.pos - 1].to_string());
                    }
                }
                b'@' if self.is_line_starting_with_at(self.pos) => break,
                _ => {}
            }
            self.pos += 1;
        }
        Err(format!("the `{{` on line {open_line} is never closed"))
    }

    /// `"…"`, where braces protect quotes inside.
    fn quoted(&mut self) -> Result<String, String> {
        let open_line = self.line_at(self.pos);
        self.pos += 1;
        let start = self.pos;
        let mut depth = 0;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                b'"' if depth == 0 => {
                    self.pos += 1;
                    return Ok(self.text[start..self.pos - 1].to_string());
                }
                b'@' if self.is_line_starting_with_at(self.pos) => break,
                _ => {}
            }
            self.pos += 1;
        }
        Err(format!("the `\"` on line {open_line} is never closed"))
    }
}

/// What a part of a value is: text written in the file, or a macro's text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Literal,
    Macro,
}

/// Adds one part to a value, within [`MAX_VALUE_BYTES`] for the value and
/// [`MAX_EXPANDED_BYTES`] for the file (`expanded` counts the file's values so far). A value that
/// is one literal part may be longer: it is no larger than the file, and whoever writes it gets a
/// warning about the field, not the whole entry skipped.
fn join(
    expanded: &mut usize,
    value: &mut String,
    part: &str,
    line: usize,
    kind: Part,
) -> Result<(), String> {
    *expanded += part.len();
    if *expanded > MAX_EXPANDED_BYTES {
        return Err(format!(
            "the file's values pass {} MB on line {line} once @string macros are expanded; reading stopped here",
            MAX_EXPANDED_BYTES / (1024 * 1024)
        ));
    }
    let is_one_literal = value.is_empty() && kind == Part::Literal;
    if !is_one_literal && value.len() + part.len() > MAX_VALUE_BYTES {
        return Err(format!(
            "the value passes {} MB on line {line} once @string macros are expanded, more than any field may hold",
            MAX_VALUE_BYTES / (1024 * 1024)
        ));
    }
    value.push_str(part);
    Ok(())
}

fn month_macros() -> HashMap<String, String> {
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .enumerate()
    .map(|(i, m)| ((*m).to_string(), (i + 1).to_string()))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_concatenation_and_parentheses() {
        let (entries, errors) = parse(
            "@string{conf = \"Proc. of \"}\n@inproceedings(a,\n  booktitle = conf # {ICML},\n  month = mar, year = 2020,\n  title = \"The {\"}quoted{\"} word\")\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(entries[0].get("booktitle"), Some("Proc. of ICML"));
        assert_eq!(entries[0].get("month"), Some("3"));
        assert_eq!(entries[0].get("title"), Some("The {\"}quoted{\"} word"));
        assert_eq!(entries[0].line, 2);
    }

    #[test]
    fn a_broken_entry_is_reported_and_the_rest_still_read() {
        let text = "@article{good1, title={One}}\n\n@article{bad,\n  title = {Unclosed,\n  year = 2020\n}\n@article{good2, title = {Two}}\n@misc{nocomma, title = {x} year = 2}\n@misc{last, title={Three}}\n";
        let (entries, errors) = parse(text);
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["good1", "good2", "last"]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("not closed"), "{errors:?}");
        assert_eq!(errors[1].line, 8);
        assert!(
            errors[1].message.contains("comma may be missing"),
            "{errors:?}"
        );
    }

    /// `@string{s0 = "ab"}` then `@string{sN = sM # sM}`: each line doubles the text.
    fn doubling(lines: usize) -> String {
        let mut text = String::from("@string{s0 = \"ab\"}\n");
        for i in 1..lines {
            text.push_str(&format!("@string{{s{i} = s{} # s{}}}\n", i - 1, i - 1));
        }
        text
    }

    // Issue 23: 22 such lines took 240 MB, 40 never finished.
    #[test]
    fn string_doubling_stops_at_the_value_limit_naming_the_line() {
        let text = doubling(40) + "@misc{x, title = s39}\n@misc{y, title = {Kept}}\n";
        let (entries, errors) = parse(&text);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].key, "y");
        // s19 is 1 MB (2^20 bytes) exactly; s20, on line 21, would be 2 MB.
        assert_eq!(errors[0].line, 21, "{errors:?}");
        assert!(
            errors[0]
                .message
                .contains("@string `s20`: the value passes 1 MB on line 21"),
            "{errors:?}"
        );
        assert!(
            errors[1]
                .message
                .contains("`s20` is an @string whose definition on line 21 was refused"),
            "{errors:?}"
        );
        assert_eq!(errors.len(), 21, "s20 to s39, and x");
        assert!(errors.iter().all(|e| !e.is_fatal));
    }

    #[test]
    fn macros_cannot_expand_a_file_past_the_total_limit() {
        let fields: String = (0..130).map(|i| format!("f{i} = s19, ")).collect();
        let text = doubling(20) + &format!("@misc{{x, {fields}}}\n@misc{{y, title={{T}}}}\n");
        let (entries, errors) = parse(&text);
        assert!(entries.is_empty(), "reading stopped at the entry");
        let last = errors.last().unwrap();
        assert!(last.is_fatal, "{errors:?}");
        assert_eq!(last.line, 21);
        assert!(last.message.contains("pass 128 MB"), "{last:?}");
    }

    // Issue 23: 100 KB of `@` took 5 s, each `@` looking back over the whole line.
    #[test]
    fn a_line_of_at_signs_is_one_error() {
        let (entries, errors) = parse(&"@".repeat(100_000));
        assert!(entries.is_empty());
        assert_eq!(errors.len(), 1, "{errors:?}");
        let text = format!("{}\n  @misc{{x, title={{T}}}}\n", "@".repeat(1000));
        let (entries, errors) = parse(&text);
        assert_eq!((entries.len(), errors.len()), (1, 1));
        assert_eq!(entries[0].line, 2);
    }

    #[test]
    fn a_field_given_twice_keeps_its_first_value() {
        let (entries, _) = parse("@misc{x, title = {A}, year = 1, title = {B}, Title = {C}}");
        assert_eq!(entries[0].get("title"), Some("A"));
        assert_eq!(entries[0].get("year"), Some("1"));
        assert_eq!(entries[0].fields.len(), 2);
    }
}
