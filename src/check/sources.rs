//! The digest files' text, kept by `digestif check` (a build drops it after parsing) to point
//! findings at the exact line: where a paper's `abstract` or `notes` text starts, where a topic
//! is written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::content::SourceFile;
use crate::markdown::MarkdownField;
use crate::model::Site;

pub struct Sources {
    texts: HashMap<PathBuf, Text>,
}

/// A file's text and where each line starts, so a lookup reads one entry, not the whole file.
struct Text {
    text: String,
    starts: Vec<usize>,
}

impl Text {
    fn new(text: String) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&start| start < text.len())
            .collect();
        Text { text, starts }
    }

    /// The 0-based line `index`, without its line break.
    fn line(&self, index: usize) -> &str {
        let start = self.starts[index];
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end.max(start)];
        line.strip_suffix('\r').unwrap_or(line)
    }
}

impl Sources {
    pub fn new(files: Vec<SourceFile>) -> Self {
        Sources {
            texts: files
                .into_iter()
                .map(|f| (f.path, Text::new(f.text)))
                .collect(),
        }
    }

    fn lines(&self, path: &Path) -> Option<&Text> {
        self.texts.get(path)
    }

    /// The file line where a front-matter Markdown field's text starts.
    pub fn field_line(&self, site: &Site, field: MarkdownField) -> Option<usize> {
        match field {
            MarkdownField::Intro { digest } => Some(site.digests[digest].intro_line_offset + 1),
            MarkdownField::Notes { digest, entry } => {
                let digest = &site.digests[digest];
                self.value_line(&digest.source, digest.entries[entry].line, "notes")
            }
            // The abstract kept is the first one given, in the oldest digest that gives one.
            MarkdownField::Abstract { paper: index } => {
                let paper = &site.papers[index];
                paper.appearances.iter().find_map(|&d| {
                    let digest = &site.digests[d];
                    digest
                        .entries
                        .iter()
                        .filter(|e| e.paper == index)
                        .find_map(|e| self.value_line(&digest.source, e.line, "abstract"))
                })
            }
        }
    }

    /// The line where the value of `key` starts inside the paper entry that begins at
    /// `entry_line`: the key's own line, or the next one after an opening `'''`, `"""`, `|` or `>`.
    pub fn value_line(&self, path: &Path, entry_line: usize, key: &str) -> Option<usize> {
        let lines = self.lines(path)?;
        let (index, rest) = key_in_entry(lines, entry_line, key)?;
        let opens_block =
            ["'''", "\"\"\""].contains(&rest) || rest.starts_with(['|', '>']) && rest.len() <= 3;
        Some(index + 1 + usize::from(opens_block))
    }

    /// The line naming topic `name` in the `topics` of the entry that begins at `entry_line` (use
    /// 1 for the digest's own topics), matched as a whole word, exact case first.
    pub fn topic_line(&self, path: &Path, entry_line: usize, name: &str) -> Option<usize> {
        let lines = self.lines(path)?;
        let (key_index, _) = key_in_entry(lines, entry_line, "topics")?;
        let in_topics = || entry_lines(lines, entry_line).skip_while(|(i, _)| *i < key_index);
        let found = in_topics()
            .find(|(_, line)| has_word(line, name))
            .or_else(|| {
                in_topics().find(|(_, line)| has_word(&line.to_lowercase(), &name.to_lowercase()))
            });
        found.map(|(index, _)| index + 1)
    }
}

/// The 0-based line of `key = …` or `key: …` in an entry, and what follows the `=` or `:`.
fn key_in_entry<'a>(lines: &'a Text, entry_line: usize, key: &str) -> Option<(usize, &'a str)> {
    entry_lines(lines, entry_line).find_map(|(index, line)| {
        let line = line.trim_start();
        let line = line.strip_prefix("- ").unwrap_or(line).trim_start();
        let rest = line.strip_prefix(key)?.trim_start();
        let rest = rest.strip_prefix(['=', ':'])?;
        Some((index, rest.trim()))
    })
}

/// Whether `word` occurs in `line` with no letter or digit right before or after it.
fn has_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The lines of the entry that starts at 1-based `entry_line`, with their 0-based index: up to
/// the next TOML table or YAML list item at the same depth, or the end of the front matter.
fn entry_lines(lines: &Text, entry_line: usize) -> impl Iterator<Item = (usize, &str)> {
    let start = entry_line.saturating_sub(1);
    let indent = |line: &str| line.len() - line.trim_start().len();
    let entry_indent = if start < lines.starts.len() {
        indent(lines.line(start))
    } else {
        0
    };
    (start..lines.starts.len())
        .map(move |index| (index, lines.line(index)))
        .take_while(move |&(index, line)| {
            if index == start {
                return true;
            }
            let trimmed = line.trim();
            let next_item = trimmed.starts_with("- ") && indent(line) <= entry_indent;
            let next_table = trimmed.starts_with('[') && !line.starts_with([' ', '\t']);
            trimmed != "+++" && trimmed != "---" && !next_table && !next_item
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(text: &str) -> Sources {
        Sources::new(vec![SourceFile {
            path: "c.md".into(),
            text: text.into(),
        }])
    }

    #[test]
    fn value_lines_follow_block_openers() {
        let s = sources(
            "+++\ntitle = \"D\"\n[[papers]]\ntitle = \"A\"\nabstract = '''\nline one\n'''\nnotes = '''N'''\n[[papers]]\ntitle = \"B\"\nabstract = \"x\"\n+++\n",
        );
        let path = Path::new("c.md");
        assert_eq!(s.value_line(path, 3, "abstract"), Some(6));
        assert_eq!(s.value_line(path, 3, "notes"), Some(8));
        assert_eq!(s.value_line(path, 9, "abstract"), Some(11));
        assert_eq!(s.value_line(path, 9, "notes"), None);
    }

    #[test]
    fn topic_lines_are_found_under_topics_as_words() {
        let s = sources(
            "+++\ntitle = \"D\"\ntopics = [\"Digest topic\"]\n[[papers]]\ntitle = \"Prompting LLMs\"\ncode = \"https://x.org/torchdiffeq\"\ntopics = [\n  \"ODE\",\n  \"Prompting\",\n]\n+++\n",
        );
        let path = Path::new("c.md");
        assert_eq!(s.topic_line(path, 4, "ODE"), Some(8));
        assert_eq!(s.topic_line(path, 4, "Prompting"), Some(9));
        assert_eq!(s.topic_line(path, 4, "prompting"), Some(9));
        assert_eq!(s.topic_line(path, 1, "Digest topic"), Some(3));
        assert_eq!(s.topic_line(path, 4, "Digest topic"), None);
    }

    #[test]
    fn yaml_entries_end_at_the_next_item() {
        let s = sources(
            "---\ntitle: D\npapers:\n  - title: A\n    abstract: |\n      text\n  - title: B\n    notes: n\n---\n",
        );
        let path = Path::new("c.md");
        assert_eq!(s.value_line(path, 4, "abstract"), Some(6));
        assert_eq!(s.value_line(path, 4, "notes"), None);
        assert_eq!(s.value_line(path, 7, "notes"), Some(8));
    }
}
