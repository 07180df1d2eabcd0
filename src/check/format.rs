//! How `digestif check` prints findings: for people (the usual `file:line: error: …` with the
//! source line and a hint), as JSON (one object per line, for scripts), or as GitHub Actions
//! workflow commands (`::error file=…,line=…::…`), which show up on the lines of a pull request.

use std::path::Path;

use serde::Serialize;

use crate::error::{Diagnostic, Severity, source_excerpt};

/// One finding as a flat JSON object.
#[derive(Debug, Serialize)]
struct JsonFinding<'a> {
    severity: Severity,
    /// Relative to the site root; null when the finding is not about one file.
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    hint: Option<&'a str>,
    /// The offending line (a window of it when it is very long).
    source_line: Option<String>,
}

/// One line of JSON.
pub fn json_line(diagnostic: &Diagnostic) -> String {
    let location = &diagnostic.location;
    let finding = JsonFinding {
        severity: diagnostic.severity,
        file: file_name(&location.path),
        line: location.line,
        column: location.column,
        message: &diagnostic.message,
        hint: diagnostic.hint.as_deref(),
        source_line: diagnostic
            .source_line
            .as_deref()
            .map(|line| source_excerpt(line, location.column).0),
    };
    serde_json::to_string(&finding).expect("a finding serialises")
}

/// One GitHub Actions workflow command. `prefix` is the site folder relative to the repository
/// (`--root`), so annotations land on the right file when the site is not at the top.
pub fn github_line(diagnostic: &Diagnostic, prefix: &Path) -> String {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let location = &diagnostic.location;
    let mut properties = Vec::new();
    if let Some(file) = file_name(&location.path) {
        let file = if prefix.as_os_str().is_empty() || prefix == Path::new(".") {
            file
        } else {
            prefix.join(file).to_string_lossy().replace('\\', "/")
        };
        properties.push(format!("file={}", escape_property(&file)));
        if let Some(line) = location.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = location.column {
            properties.push(format!("col={column}"));
        }
    }
    properties.push("title=digestif check".to_string());
    let mut message = diagnostic.message.clone();
    if let Some(hint) = &diagnostic.hint {
        message.push_str("\nhelp: ");
        message.push_str(hint);
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

fn file_name(path: &Path) -> Option<String> {
    (!path.as_os_str().is_empty()).then(|| path.to_string_lossy().replace('\\', "/"))
}

/// Workflow command data: `%`, CR and LF are escaped, as the runner expects.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values also escape `:` and `,`, which separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    #[test]
    fn github_annotations_escape_and_prefix() {
        let d = Diagnostic::error(
            Location::at("content/a,b.md", 7, Some(9)),
            "100% bad\nreally",
        )
        .with_hint("fix: it");
        assert_eq!(
            github_line(&d, Path::new("site")),
            "::error file=site/content/a%2Cb.md,line=7,col=9,title=digestif check::100%25 bad%0Areally%0Ahelp: fix: it"
        );
        let w = Diagnostic::warning(Location::default(), "no file");
        assert_eq!(
            github_line(&w, Path::new(".")),
            "::warning title=digestif check::no file"
        );
    }

    #[test]
    fn json_lines_are_flat() {
        let d = Diagnostic::warning(Location::at("content/a.md", 3, None), "m").with_hint("h");
        assert_eq!(
            json_line(&d),
            r#"{"severity":"warning","file":"content/a.md","line":3,"column":null,"message":"m","hint":"h","source_line":null}"#
        );
    }
}
