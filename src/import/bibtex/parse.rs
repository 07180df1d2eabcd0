//! The BibTeX parser: text to [`Entry`] values and [`ParseError`]s.
//!
//! Tolerant by design: `@string` macros and `#` concatenation, `{…}` and `"…"` values with nested
//! braces, `@comment` and `@preamble`, entries in parentheses. An entry that cannot be read is an
//! error at its line; reading resumes at the next line that starts with `@`, and a value whose
//! brace never closes stops at such a line too, so one bad entry costs only itself.

use std::collections::HashMap;

/// One entry as read: lower-case type and field names, values with macros expanded and
/// concatenations joined, still in LaTeX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: String,
    pub key: String,
    pub fields: Vec<(String, String)>,
    pub line: usize,
}

impl Entry {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// A problem in the file, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Parses every entry it can; the errors say which entries it could not.
pub fn parse(text: &str) -> (Vec<Entry>, Vec<ParseError>) {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        macros: month_macros(),
    };
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    while let Some(at) = parser.next_entry_start() {
        parser.pos = at + 1;
        let line = parser.line_at(at);
        match parser.entry(line) {
            Ok(Some(entry)) => entries.push(entry),
            Ok(None) => {}
            Err(message) => {
                errors.push(ParseError { line, message });
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
    macros: HashMap<String, String>,
}

impl Parser<'_> {
    fn line_at(&self, pos: usize) -> usize {
        1 + self.bytes[..pos.min(self.bytes.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    fn next_entry_start(&self) -> Option<usize> {
        self.bytes[self.pos..]
            .iter()
            .position(|&b| b == b'@')
            .map(|i| self.pos + i)
    }

    fn skip_to_next_line_starting_with_at(&mut self) {
        while self.pos < self.bytes.len() {
            if self.is_line_starting_with_at(self.pos) {
                return;
            }
            self.pos += 1;
        }
    }

    /// Whether `pos` is an `@` that is the first non-blank character of its line.
    fn is_line_starting_with_at(&self, pos: usize) -> bool {
        if self.bytes.get(pos) != Some(&b'@') {
            return false;
        }
        let line_start = self.bytes[..pos]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        self.bytes[line_start..pos]
            .iter()
            .all(|b| b.is_ascii_whitespace())
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
            self.directive(&kind, close)?;
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
        Ok(Some(entry))
    }

    /// The rest of a `@comment`, `@preamble` or `@string` after its opening delimiter; a
    /// `@string` defines a macro for the entries after it.
    fn directive(&mut self, kind: &str, close: u8) -> Result<(), String> {
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
                let value = self.value()?;
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
            let (name, value) = self.field(&entry.key)?;
            after = format!("field `{name}`");
            if !entry.fields.iter().any(|(n, _)| *n == name) {
                entry.fields.push((name, value));
            }
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
            match self.bytes.get(self.pos) {
                Some(b'{') => value.push_str(&self.braced()?),
                Some(b'"') => value.push_str(&self.quoted()?),
                Some(b) if b.is_ascii_alphanumeric() => {
                    let name = self.identifier();
                    if name.bytes().all(|b| b.is_ascii_digit()) {
                        value.push_str(&name);
                    } else {
                        match self.macros.get(&name.to_ascii_lowercase()) {
                            Some(text) => value.push_str(text),
                            None => {
                                return Err(format!(
                                    "`{name}` is neither quoted nor a known @string (write {{{name}}})"
                                ));
                            }
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
}
