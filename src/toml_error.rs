//! Turns TOML and YAML parse errors into [`Diagnostic`]s with a real line, column and a hint.
//!
//! Both `site.toml` and digest front matter go through here. Front matter is parsed as a slice of
//! the file, so callers pass how many lines come before the slice; the diagnostic then points at
//! the line in the file the user edits. The hints cover the mistakes people actually make: a typo
//! in a key, an unquoted arXiv id, LaTeX inside a TOML basic string.

use std::path::Path;

use crate::error::{Diagnostic, Location};

/// Keys whose values are identifiers: a number there is always a missing pair of quotes.
const ID_KEYS: &[&str] = &["id", "arxiv", "doi"];

pub fn toml_diagnostic(
    path: &Path,
    text: &str,
    line_offset: usize,
    error: &toml::de::Error,
) -> Diagnostic {
    let message = error.message().trim().to_string();
    let (line, column) = error
        .span()
        .map(|span| line_column(text, span.start))
        .unwrap_or((1, 1));
    let source_line = text.lines().nth(line - 1).unwrap_or("").to_string();
    let mut diagnostic = Diagnostic::error(
        Location::at(path, line + line_offset, Some(column)),
        message.clone(),
    )
    .with_source_line(source_line.clone());
    if let Some(hint) = hint_for(&message, &source_line) {
        diagnostic = diagnostic.with_hint(hint);
    }
    diagnostic
}

pub fn yaml_diagnostic(
    path: &Path,
    text: &str,
    line_offset: usize,
    error: &serde_saphyr::Error,
) -> Diagnostic {
    let message = error.without_snippet().to_string();
    // serde-saphyr appends "at line X column Y"; we print the location ourselves.
    let message = match message.rfind(" at line ") {
        Some(cut) => message[..cut].trim().to_string(),
        None => message.trim().to_string(),
    };
    let (line, column) = error
        .location()
        .map(|l| (lf_line(text, l.line() as usize), l.column() as usize))
        .filter(|(line, _)| *line > 0)
        .unwrap_or((1, 1));
    let source_line = text.lines().nth(line - 1).unwrap_or("").to_string();
    let mut diagnostic = Diagnostic::error(
        Location::at(path, line + line_offset, Some(column)),
        message.clone(),
    )
    .with_source_line(source_line.clone());
    if let Some(hint) = hint_for(&message, &source_line) {
        diagnostic = diagnostic.with_hint(hint);
    }
    diagnostic
}

/// YAML counts a lone CR as a line break too; files, editors and our messages count LFs. The
/// LF-counted line of YAML's line `yaml_line` (found by fuzzing: a CR-laden file got an error
/// on line 33 of 31).
pub fn lf_line(text: &str, yaml_line: usize) -> usize {
    let bytes = text.as_bytes();
    let (mut yaml, mut lf) = (1, 1);
    let mut i = 0;
    while yaml < yaml_line && i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                yaml += 1;
                lf += 1;
            }
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => yaml += 1,
            _ => {}
        }
        i += 1;
    }
    lf
}

/// 1-based line and character column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn hint_for(message: &str, source_line: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`')?;
        // TOML quotes the known names in backticks, YAML lists them bare.
        let known: Vec<&str> = expected
            .split_once("expected one of ")
            .or_else(|| expected.split_once("expected "))
            .map(|(_, list)| {
                list.split(',')
                    .flat_map(|k| k.split(" or "))
                    .map(|k| k.trim().trim_matches('`'))
                    .filter(|k| !k.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        return Some(match nearest(field, &known) {
            Some(best) => format!("did you mean `{best}`?"),
            None if known.is_empty() => "remove this key".to_string(),
            None => format!("known keys here: {}", known.join(", ")),
        });
    }
    let key = source_line
        .split_once(['=', ':'])
        .map(|(k, _)| k.trim().trim_start_matches("- ").trim_matches('"'))
        .unwrap_or("");
    let numeric = message.contains("floating point") || message.contains("integer");
    if numeric && message.contains("expected a string") {
        if ID_KEYS.contains(&key) {
            let value = source_line.split_once('=').map_or("", |(_, v)| v.trim());
            return Some(format!(
                "ids must be strings: write {key} = \"{value}\" (a bare 1706.03762 is a number, and would lose trailing zeros)"
            ));
        }
        return Some("put the value in quotes".to_string());
    }
    if (message.contains("escape") || message.contains("unicode")) && source_line.contains('\\') {
        return Some(
            "a backslash in a \"…\" or \"\"\"…\"\"\" string starts an escape: put LaTeX in a literal string, '…' or '''…''' (single quotes), where backslashes stay as typed".to_string(),
        );
    }
    if message.starts_with("missing field") {
        return Some("add the field; see the content format in docs/format.md".to_string());
    }
    None
}

/// The known name closest to a misspelled one, if it is close enough to be a likely typo.
pub fn nearest<'a>(wrong: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(wrong, k), *k))
        .filter(|(distance, k)| *distance <= (k.len() / 3).max(2))
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let text = "a = 1\nbé = x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 10), (2, 4));
    }

    #[test]
    fn yaml_lines_count_line_feeds() {
        assert_eq!(lf_line("a\rb\rc\nd\n", 3), 1);
        assert_eq!(lf_line("a\rb\rc\nd\n", 4), 2);
        assert_eq!(lf_line("a\r\nb\r\nc", 3), 3);
        assert_eq!(lf_line("a\nb", 9), 2);
    }

    #[test]
    fn nearest_finds_typos_but_not_strangers() {
        let known = ["title", "authors", "abstract"];
        assert_eq!(nearest("autors", &known), Some("authors"));
        assert_eq!(nearest("titel", &known), Some("title"));
        assert_eq!(nearest("venue_name", &known), None);
    }

    #[test]
    fn unquoted_arxiv_id_gets_a_quoting_hint() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct P {
            arxiv: String,
        }
        let text = "arxiv = 1706.03762\n";
        let err = toml::from_str::<P>(text).unwrap_err();
        let d = toml_diagnostic(Path::new("c.md"), text, 1, &err);
        assert_eq!(d.location.line, Some(2));
        assert!(d.hint.unwrap().contains("arxiv = \"1706.03762\""));
    }

    #[test]
    fn latex_in_basic_string_gets_a_literal_string_hint() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct P {
            r#abstract: String,
        }
        let text = "abstract = \"\"\"$\\int_0^1 f$\"\"\"\n";
        let err = toml::from_str::<P>(text).unwrap_err();
        let d = toml_diagnostic(Path::new("c.md"), text, 0, &err);
        assert!(d.hint.unwrap().contains("literal string"), "{}", d.message);
    }
}
