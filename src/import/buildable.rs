//! The last step before an import writes a digest file: the file read the way a build reads it
//! (src/content/raw.rs, then src/model/assemble.rs on that file alone), and refused when the
//! build would refuse it. Importers leave out what the build refuses (`fit.rs`); this is what
//! keeps "an import never writes a file that does not build" true when one of them misses
//! something, and what bounds the file to the size a build reads.
//!
//! Only this file is looked at: a paper that another digest of the site lists with another title
//! is for `digestif check` to find.

use std::collections::HashSet;
use std::path::Path;

use crate::config::{Config, Overrides};
use crate::content::discover::MAX_FILE_BYTES;
use crate::content::{ParsedFile, SourceFile, parse_source};
use crate::error::{Diagnostic, Error, Location, Result};

/// The site's configuration when there is one, else the least a build needs; drafts included,
/// since a draft digest builds too once it is no longer one.
pub fn config_for_check(root: &Path, site: Option<&Config>) -> Result<Config> {
    let mut config = match site {
        Some(config) => config.clone(),
        None => Config::parse(
            root,
            "title = \"Import check\"\nbase_url = \"https://example.org/\"\n",
            &Overrides::default(),
        )?,
    };
    config.include_drafts = true;
    Ok(config)
}

/// An error when `text`, to be written at `relative`, would not build; errors in `known` (those of
/// the file before the import, [`errors`]) are not the import's and do not count.
pub fn check_buildable(
    relative: &Path,
    text: &str,
    known: &HashSet<String>,
    config: &Config,
) -> Result<()> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::Invalid(vec![
            Diagnostic::error(
                Location::file(relative),
                format!(
                    "the digest would be {:.1} MB, more than the {} MB a digest file may hold, so nothing was written",
                    text.len() as f64 / 1e6,
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            )
            .with_hint("import fewer papers at a time: split the input, and give each part its own --out"),
        ]));
    }
    let parsed = parse_source(&SourceFile {
        path: relative.to_path_buf(),
        text: text.to_string(),
    });
    let mut new = errors(&parsed, config);
    new.retain(|d| !known.contains(&d.message));
    if new.is_empty() {
        return Ok(());
    }
    new.push(
        Diagnostic::error(
            Location::file(relative),
            "the import would write a file that does not build (the lines above are those of that file), so nothing was written",
        )
        .with_hint("this is a bug in the importer: please report it with the input that caused it"),
    );
    Err(Error::Invalid(new))
}

/// The errors a build would report for this file alone: the parser's, and the model's, which
/// include those of each paper entry.
pub fn errors(parsed: &ParsedFile, config: &Config) -> Vec<Diagnostic> {
    let (_, assembled) = crate::model::assemble([parsed], config);
    parsed
        .diagnostics
        .iter()
        .cloned()
        .chain(assembled)
        .filter(Diagnostic::is_error)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, before: Option<&str>) -> Result<()> {
        let config = config_for_check(Path::new("/nonexistent"), None).unwrap();
        let path = Path::new("content/d.md");
        let known = before
            .map(|text| {
                let parsed = parse_source(&SourceFile {
                    path: path.into(),
                    text: text.into(),
                });
                errors(&parsed, &config)
                    .into_iter()
                    .map(|d| d.message)
                    .collect()
            })
            .unwrap_or_default();
        check_buildable(path, text, &known, &config)
    }

    const GOOD: &str = "+++\ntitle = \"D\"\ndate = 2024-03-11\n\n[[papers]]\ntitle = \"A\"\n+++\n";

    #[test]
    fn a_file_that_builds_passes() {
        check(GOOD, None).unwrap();
    }

    #[test]
    fn a_file_the_build_refuses_is_not_written() {
        let bad = GOOD.replace(
            "title = \"A\"",
            "title = \"A\"\nurl = \"file:///etc/passwd\"",
        );
        let error = check(&bad, None).unwrap_err().to_string();
        assert!(
            error.contains("content/d.md:7: error: `url` is not a web address"),
            "{error}"
        );
        assert!(error.contains("this is a bug in the importer"), "{error}");
        let shared = GOOD.replace(
            "title = \"A\"\n",
            "title = \"A\"\n\n[[papers]]\ntitle = \"B\"\nid = \"a!\"\n",
        );
        let error = check(&shared, None).unwrap_err().to_string();
        assert!(error.contains("would share the page /papers/a/"), "{error}");
    }

    #[test]
    fn a_draft_is_checked_like_any_digest() {
        let draft = GOOD.replace("date = 2024-03-11\n", "date = 2024-03-11\ndraft = true\n");
        let bad = draft.replace("title = \"A\"", "title = \"!!!\"");
        let error = check(&bad, None).unwrap_err().to_string();
        assert!(error.contains("has no letters or digits"), "{error}");
    }

    #[test]
    fn errors_the_file_had_before_are_not_the_imports() {
        let bad = GOOD.replace("title = \"A\"", "title = \"A\"\nurl = \"file:///x\"");
        let more = bad.replace("\n+++\n", "\n\n[[papers]]\ntitle = \"C\"\n+++\n");
        check(&more, Some(&bad)).unwrap();
    }

    #[test]
    fn a_file_larger_than_a_build_reads_is_refused() {
        let big = format!("{GOOD}{}", "x".repeat(MAX_FILE_BYTES as usize));
        let error = check(&big, None).unwrap_err().to_string();
        assert!(
            error.contains("more than the 32 MB a digest file may hold"),
            "{error}"
        );
    }
}
