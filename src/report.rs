//! What a build reports: counts, warnings and time, and the one-line summary the binary prints.

use std::time::Duration;

use crate::error::Diagnostic;
use crate::site_size::{Kind, SiteSize, bytes_text};

/// What a successful build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    pub digests: usize,
    pub papers: usize,
    pub topics: usize,
    /// HTML pages rendered.
    pub pages: usize,
    /// Every file written, pages included, by kind: counted as they are written.
    pub size: SiteSize,
    /// How near the site is to `[deploy] max_size` or `max_files`, when it is near
    /// ([`crate::site_size::against_budgets`]).
    pub budget_note: Option<String>,
    pub warnings: Vec<Diagnostic>,
    pub duration: Duration,
}

impl BuildReport {
    /// "built 4 digests, 21 papers, 27 topics: 62 pages (212 files, 1.2 MB) in 0.36 s", and
    /// when the site has images, a second line with theirs (included in the first).
    pub fn summary(&self, verb: &str) -> String {
        let total = self.size.total();
        let mut text = format!(
            "{verb} {}, {}, {}: {} ({}, {}) in {:.2} s",
            counted(self.digests, "digest"),
            counted(self.papers, "paper"),
            counted(self.topics, "topic"),
            counted(self.pages, "page"),
            counted(total.files as usize, "file"),
            bytes_text(total.bytes),
            self.duration.as_secs_f64()
        );
        let images = self.size.of(Kind::Images);
        if images.files > 0 {
            text.push_str(&format!(
                "\n  of which images: {} in {}",
                bytes_text(images.bytes),
                counted(images.files as usize, "file")
            ));
        }
        if let Some(note) = &self.budget_note {
            text.push('\n');
            text.push_str(note);
        }
        text
    }
}

/// "1 digest", "2 digests".
pub fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Warnings of one kind from this many on are shown as one line.
const SUMMARISED_FROM: usize = 3;

/// The warnings as they are printed: one line for each kind that occurs at least three times
/// ("76 papers have no authors (content/2024-03-11.md: lines 4, 9, 14, … and 71 more)"), each of
/// the others on its own. Kinds are told apart by their message with names and numbers left
/// out. Errors are never grouped. The order is the warnings' own, a group where its first is.
pub fn summarise(diagnostics: &[Diagnostic]) -> Vec<String> {
    let shapes: Vec<String> = diagnostics.iter().map(|d| shape(&d.message)).collect();
    let mut count: std::collections::HashMap<(&str, bool), usize> = Default::default();
    for (diagnostic, shape) in diagnostics.iter().zip(&shapes) {
        *count.entry((shape, diagnostic.is_error())).or_default() += 1;
    }
    let mut shown = std::collections::HashSet::new();
    let mut lines = Vec::new();
    for (index, (diagnostic, shape)) in diagnostics.iter().zip(&shapes).enumerate() {
        let key = (shape.as_str(), diagnostic.is_error());
        if diagnostic.is_error() || count[&key] < SUMMARISED_FROM {
            lines.push(diagnostic.to_string());
            continue;
        }
        if !shown.insert(key) {
            continue;
        }
        let group: Vec<&Diagnostic> = diagnostics[index..]
            .iter()
            .zip(&shapes[index..])
            .filter(|(d, s)| !d.is_error() && s.as_str() == shape)
            .map(|(d, _)| d)
            .collect();
        let mut line = format!(
            "warning: {} ({})",
            plural_message(&diagnostic.message, group.len()),
            places(&group)
        );
        if let Some(hint) = &diagnostic.hint {
            line.push_str(&format!("\n  help: {hint}"));
        }
        lines.push(line);
    }
    lines
}

/// The message with what differs between warnings of one kind left out: text in backticks or
/// double quotes, and numbers.
fn shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quote: Option<char> = None;
    let mut previous_digit = false;
    for c in message.chars() {
        match quote {
            Some(close) if c == close => {
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if c == '`' || c == '"' => {
                out.push(c);
                out.push('…');
                quote = Some(c);
            }
            None if c.is_ascii_digit() => {
                if !previous_digit {
                    out.push('#');
                }
            }
            None => out.push(c),
        }
        previous_digit = c.is_ascii_digit() && quote.is_none();
    }
    out
}

/// "76 papers have no authors" from "paper `x` has no authors"; else "76 times: <shape>".
fn plural_message(message: &str, count: usize) -> String {
    let shape = shape(message);
    let subject_and_rest = shape
        .strip_prefix("paper `…` ")
        .map(|rest| ("papers", rest))
        .or_else(|| {
            shape
                .strip_prefix("topic `…` ")
                .map(|rest| ("topics", rest))
        });
    if let Some((subject, rest)) = subject_and_rest {
        let verb_plural = [
            ("has ", "have "),
            ("is ", "are "),
            ("does ", "do "),
            ("gets ", "get "),
        ]
        .iter()
        .find_map(|(one, many)| rest.strip_prefix(one).map(|r| format!("{many}{r}")));
        if let Some(rest) = verb_plural {
            return format!("{count} {subject} {rest}");
        }
    }
    format!("{count} times: {shape}")
}

/// Where the warnings of a group are: "content/a.md: lines 4, 9, 14; content/b.md: line 3",
/// with at most eight lines named.
fn places(group: &[&Diagnostic]) -> String {
    const NAMED: usize = 8;
    let mut by_file: Vec<(String, Vec<String>)> = Vec::new();
    for diagnostic in group.iter().take(NAMED) {
        let file = diagnostic.location.path.display().to_string();
        let line = diagnostic.location.line.map(|l| l.to_string());
        match by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, lines)) => lines.extend(line),
            None => by_file.push((file, line.into_iter().collect())),
        }
    }
    let mut text = by_file
        .iter()
        .map(|(file, lines)| match lines.len() {
            0 => file.clone(),
            1 => format!("{file}: line {}", lines[0]),
            _ => format!("{file}: lines {}", lines.join(", ")),
        })
        .collect::<Vec<_>>()
        .join("; ");
    if group.len() > NAMED {
        text.push_str(&format!(
            " and {} more; --verbose lists each",
            group.len() - NAMED
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    fn no_authors(line: usize, id: &str) -> Diagnostic {
        Diagnostic::warning(
            Location::at("content/2024-03-11.md", line, None),
            format!("paper `{id}` has no authors"),
        )
    }

    #[test]
    fn many_warnings_of_one_kind_are_one_line() {
        let mut warnings: Vec<Diagnostic> = (0..76)
            .map(|i| no_authors(4 + 5 * i, &format!("p{i}")))
            .collect();
        warnings.push(Diagnostic::warning(
            Location::file("content/x.md"),
            "topic `a` is used by one paper only",
        ));
        let lines = summarise(&warnings);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[0],
            "warning: 76 papers have no authors (content/2024-03-11.md: lines 4, 9, 14, 19, 24, 29, 34, 39 and 68 more; --verbose lists each)"
        );
        assert_eq!(
            lines[1],
            "content/x.md: warning: topic `a` is used by one paper only"
        );
        // Two are shown as they are.
        assert_eq!(summarise(&warnings[..2]).len(), 2);
    }

    #[test]
    fn the_summary_counts_in_words_that_agree() {
        let report = BuildReport {
            digests: 1,
            papers: 2,
            topics: 1,
            pages: 5,
            ..BuildReport::default()
        };
        let mut report = report;
        report.size.add("index.html", 1500);
        assert!(
            report
                .summary("built")
                .starts_with("built 1 digest, 2 papers, 1 topic: 5 pages (1 file, 1.5 KB) in")
        );
        assert!(!report.summary("built").contains('\n'));
        report.size.add("favicon.svg", 300);
        assert!(
            report
                .summary("built")
                .ends_with("\n  of which images: 300 B in 1 file"),
        );
    }
}
