//! Errors and warnings that users see.
//!
//! Every problem found in a site becomes a [`Diagnostic`]: a severity, a [`Location`] (path relative
//! to the site root, line and column when known), a message and an optional hint saying what to do.
//! Stages that look at many files collect diagnostics instead of stopping at the first one; the build
//! fails once, at the end of a stage, with every error sorted by file and line ([`Error::Invalid`]).
//! Problems that are not about one input (an unreadable folder, a failed write) are other variants.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in the site a problem is: a path relative to the site root, and a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Location {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    pub fn at(path: impl Into<PathBuf>, line: usize, column: Option<usize>) -> Self {
        Location {
            path: path.into(),
            line: Some(line),
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in the site's input, located as precisely as we know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Location,
    pub message: String,
    /// The offending source line, shown under the message with a caret at the column.
    pub source_line: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            message: message.into(),
            source_line: None,
            hint: None,
        }
    }

    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(location, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_source_line(mut self, line: impl Into<String>) -> Self {
        self.source_line = Some(line.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {label}: {}", self.location, self.message)?;
        if let (Some(source), Some(line)) = (&self.source_line, self.location.line) {
            let (shown, caret) = source_excerpt(source, self.location.column);
            let gutter = line.to_string();
            write!(f, "\n {gutter} | {shown}")?;
            if let Some(caret) = caret {
                // Columns count characters, so the caret lines up under non-ASCII text too.
                let pad: String = shown
                    .chars()
                    .take(caret)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n {} | {pad}^", " ".repeat(gutter.len()))?;
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

/// Longest source line shown whole under a message; longer ones show a window around the column.
const MAX_SHOWN_LINE: usize = 160;

/// The part of a source line to show, and how many characters precede the caret in it. A 50 MB
/// line (a minified abstract) becomes a window of [`MAX_SHOWN_LINE`] characters around the column.
pub fn source_excerpt(source: &str, column: Option<usize>) -> (String, Option<usize>) {
    let column = column.map(|c| c.saturating_sub(1));
    let long = source.chars().nth(MAX_SHOWN_LINE).is_some();
    if !long {
        return (source.to_string(), column);
    }
    let at = column.unwrap_or(0);
    let start = at.saturating_sub(MAX_SHOWN_LINE / 2);
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    let mut chars = source.chars().skip(start);
    shown.extend(chars.by_ref().take(MAX_SHOWN_LINE));
    if chars.next().is_some() {
        shown.push('…');
    }
    let caret = column.map(|c| c - start + usize::from(start > 0));
    (shown, caret)
}

/// Sorts diagnostics by file, then line, so a report reads top to bottom.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.location, a.severity, &a.message).cmp(&(&b.location, b.severity, &b.message))
    });
}

/// Everything that can stop a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The site's input has problems; every error found is listed.
    #[error("{}", format_diagnostics(.0))]
    Invalid(Vec<Diagnostic>),

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A template failed to compile or render.
    #[error("{0}")]
    Template(String),

    /// A command line argument or environment problem that is not about a file.
    #[error("{0}")]
    Usage(String),

    /// A request to a web service (arXiv, doi.org) failed; the message says why and what to do.
    #[error("{0}")]
    Fetch(String),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The diagnostics behind this error, for `check`'s machine-readable output.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Invalid(diagnostics) => diagnostics.clone(),
            Error::Io { path, source } => vec![Diagnostic::error(
                Location::file(path.clone()),
                source.to_string(),
            )],
            Error::Template(message) | Error::Usage(message) | Error::Fetch(message) => {
                vec![Diagnostic::error(Location::default(), message.clone())]
            }
        }
    }
}

fn format_diagnostics(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&diagnostic.to_string());
        out.push('\n');
    }
    out.push_str(&match errors {
        1 => "1 error".to_string(),
        n => format!("{n} errors"),
    });
    out
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_prints_path_line_column_caret_and_hint() {
        let d = Diagnostic::error(Location::at("content/a.md", 3, Some(9)), "bad value")
            .with_source_line("arxiv = 1706.03762")
            .with_hint("quote it");
        let text = d.to_string();
        assert_eq!(
            text,
            "content/a.md:3:9: error: bad value\n 3 | arxiv = 1706.03762\n   |         ^\n  help: quote it"
        );
    }

    #[test]
    fn huge_source_lines_show_a_window_around_the_column() {
        let line = format!("{}X{}", "a".repeat(10_000), "b".repeat(10_000));
        let d =
            Diagnostic::error(Location::at("c.md", 4, Some(10_001)), "here").with_source_line(line);
        let text = d.to_string();
        assert!(text.len() < 600, "{} bytes", text.len());
        let lines: Vec<&str> = text.lines().collect();
        let x = lines[1].chars().position(|c| c == 'X').unwrap();
        let caret = lines[2].chars().position(|c| c == '^').unwrap();
        assert_eq!(x, caret, "{text}");
    }

    #[test]
    fn diagnostics_sort_by_path_then_line() {
        let mut list = vec![
            Diagnostic::error(Location::at("b.md", 1, None), "x"),
            Diagnostic::error(Location::at("a.md", 9, None), "y"),
            Diagnostic::error(Location::at("a.md", 2, None), "z"),
        ];
        sort_diagnostics(&mut list);
        let order: Vec<_> = list.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["z", "y", "x"]);
    }
}
