//! Where each key of a digest's front matter is written, found in one pass when the file is
//! parsed, so that a message about one field points at that field's line rather than at its
//! entry's `[[papers]]` line.

use super::front_matter::{Format, LineCursor};

/// The keys of one table (the digest's own, or one paper entry) with their file lines.
#[derive(Debug, Clone, Default)]
pub struct KeyLines<'a> {
    /// The table's first line: `[[papers]]`, the `- ` of a YAML entry, or the front matter's first.
    pub start: usize,
    keys: Vec<(&'a str, usize)>,
}

impl KeyLines<'_> {
    /// The file line of `key`, or the table's first line when the key is not written there.
    pub fn of(&self, key: &str) -> usize {
        self.keys
            .iter()
            .find(|(written, _)| *written == key)
            .map_or(self.start, |&(_, line)| line)
    }
}

/// The digest's own keys, and each paper entry's in file order. `offset` is the number of file
/// lines before the front matter's first.
pub fn find(
    format: Format,
    front_matter: &str,
    offset: usize,
) -> (KeyLines<'_>, Vec<KeyLines<'_>>) {
    find_tables(format, front_matter, offset, "papers")
}

/// The keys before the first entry, and each entry's: the `[[<list>]]` tables in TOML, the items
/// under `<list>:` in YAML.
pub fn find_tables<'a>(
    format: Format,
    front_matter: &'a str,
    offset: usize,
    list: &str,
) -> (KeyLines<'a>, Vec<KeyLines<'a>>) {
    let toml_header = format!("[[{list}]]");
    let yaml_key = format!("{list}:");
    let mut digest = KeyLines {
        start: offset + 1,
        keys: Vec::new(),
    };
    let mut entries: Vec<KeyLines> = Vec::new();
    let mut in_yaml_papers = false;
    // The indentation of an entry's keys, in YAML; keys deeper than it belong to a value.
    let mut key_indent = 0;
    // The delimiter of a TOML multi-line string being read, or the indentation a YAML block
    // scalar's lines are deeper than.
    let mut open_string: Option<&str> = None;
    let mut block_indent: Option<usize> = None;
    let mut lines = LineCursor::new(front_matter);
    while let Some((line_start, line)) = lines.next() {
        if let Some(delimiter) = open_string.take() {
            lines.skip_to_line_with(line_start, delimiter);
            continue;
        }
        let file_line = lines.lines + offset;
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if let Some(deeper_than) = block_indent {
            if trimmed.is_empty() || indent > deeper_than {
                continue;
            }
            block_indent = None;
        }
        let (key_part, table) = match format {
            Format::Toml => {
                if trimmed.starts_with(toml_header.as_str()) {
                    entries.push(KeyLines {
                        start: file_line,
                        keys: Vec::new(),
                    });
                    continue;
                }
                (trimmed, entries.last_mut().unwrap_or(&mut digest))
            }
            Format::Yaml => {
                if indent == 0 && !trimmed.is_empty() && !trimmed.starts_with('-') {
                    in_yaml_papers = trimmed.starts_with(yaml_key.as_str());
                }
                let is_entry = in_yaml_papers && trimmed.starts_with("- ") && indent <= 2;
                if is_entry {
                    entries.push(KeyLines {
                        start: file_line,
                        keys: Vec::new(),
                    });
                    let rest = &trimmed[2..];
                    key_indent = indent + 2 + (rest.len() - rest.trim_start().len());
                    (rest.trim_start(), entries.last_mut().expect("just pushed"))
                } else if in_yaml_papers && !entries.is_empty() {
                    if indent != key_indent {
                        continue;
                    }
                    (trimmed, entries.last_mut().expect("not empty"))
                } else {
                    if indent != 0 {
                        continue;
                    }
                    (trimmed, &mut digest)
                }
            }
        };
        let Some((key, value)) = split_key(key_part, format) else {
            continue;
        };
        if !table.keys.iter().any(|(written, _)| *written == key) {
            table.keys.push((key, file_line));
        }
        match format {
            Format::Toml => {
                open_string = ["'''", "\"\"\""]
                    .into_iter()
                    .find(|d| value.starts_with(d) && !value[3..].contains(d));
            }
            Format::Yaml => {
                if value.starts_with(['|', '>']) {
                    block_indent = Some(indent);
                }
            }
        }
    }
    (digest, entries)
}

/// `key` and what follows `=` (TOML) or `:` (YAML), trimmed, when the line starts with a key.
fn split_key(line: &str, format: Format) -> Option<(&str, &str)> {
    let separator = match format {
        Format::Toml => '=',
        Format::Yaml => ':',
    };
    let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
    let (key, rest) = line.split_at(end);
    let value = rest.trim_start().strip_prefix(separator)?;
    (!key.is_empty()).then_some((key, value.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_keys_are_found_per_entry_and_not_inside_strings() {
        let front = "title = \"D\"\ndate = 2024-03-11\ntopics = [\"A\"]\n[[papers]]\ntitle = \"P\"\nabstract = '''\nid = \"not a key\"\n'''\nid = \"p\"\n[[papers]]\narxiv = \"1\"\n";
        let (digest, entries) = find(Format::Toml, front, 1);
        assert_eq!(digest.of("topics"), 4);
        assert_eq!(digest.of("summary"), 2, "absent: the table's line");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].start, 5);
        assert_eq!(entries[0].of("title"), 6);
        assert_eq!(entries[0].of("id"), 10);
        assert_eq!(entries[1].of("arxiv"), 12);
        assert_eq!(entries[1].of("id"), 11);
    }

    #[test]
    fn line_cursor_reads_str_lines_and_skips_whole_strings() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb",
            "a\n\nb\r\n",
            "\r\n\r\n",
            " a\n b \n",
        ] {
            let mut lines = LineCursor::new(text);
            let mut read = Vec::new();
            while let Some((_, line)) = lines.next() {
                read.push((lines.lines - 1, line));
            }
            let expected: Vec<_> = text.lines().enumerate().collect();
            assert_eq!(read, expected, "{text:?}");
        }
        let text = "a = '''\nx\ny ''' z\nb = 1\n'''";
        let mut lines = LineCursor::new(text);
        lines.next();
        let (second, _) = lines.next().expect("a second line");
        lines.skip_to_line_with(second, "'''");
        assert_eq!(lines.next(), Some((18, "b = 1")));
        assert_eq!(lines.lines, 4, "b = 1 is the fourth line");
        let (last, _) = lines.next().expect("the last line");
        lines.skip_to_line_with(last, "\"\"\"");
        assert_eq!(
            lines.next(),
            None,
            "no closing delimiter: the rest is the string"
        );
    }

    #[test]
    fn yaml_keys_are_found_at_the_entrys_depth() {
        let front = "title: D\npapers:\n  - title: P\n    abstract: |\n      id: not a key\n    id: p\n  - arxiv: \"1\"\n    topics:\n      - x\n";
        let (digest, entries) = find(Format::Yaml, front, 1);
        assert_eq!(digest.of("title"), 2);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].of("title"), 4);
        assert_eq!(entries[0].of("id"), 7);
        assert_eq!(entries[1].of("arxiv"), 8);
        assert_eq!(entries[1].of("topics"), 9);
    }
}
