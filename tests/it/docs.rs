//! The README documents what users touch: every `site.toml` key once, in one table, agreeing
//! with what the configuration accepts.

use std::collections::BTreeSet;
use std::path::Path;

use digestif::{Config, Overrides};

const REQUIRED: &str = "title = \"t\"\nbase_url = \"https://example.org/\"\n";

/// The keys `site.toml` accepts where `table` is (`""` for the top level), as serde names them
/// when it refuses an unknown one; None when the table takes any key.
fn accepted_keys(table: &str) -> Option<Vec<String>> {
    let header = if table.is_empty() {
        String::new()
    } else {
        format!("[{table}]\n")
    };
    keys_under(&header)
}

/// The keys accepted after `header` (`[markdown]\n`, `[[sources]]\n`), from the error for an
/// unknown one.
fn keys_under(header: &str) -> Option<Vec<String>> {
    let text = format!("{REQUIRED}{header}zz_unknown_key = 1\n");
    let error = match Config::parse(Path::new("/nonexistent"), &text, &Overrides::default()) {
        Ok(_) => return None,
        Err(error) => error.to_string(),
    };
    if !error.contains("unknown field `zz_unknown_key`") {
        // Not a table (a value of another type was expected here).
        return None;
    }
    // "expected one of `a`, `b`", or "expected `a`" for a table of one key.
    let expected = error
        .split("expected one of ")
        .nth(1)
        .or_else(|| error.split("expected `").nth(1))?;
    let expected = if error.contains("expected one of ") {
        expected.to_string()
    } else {
        format!("`{expected}")
    };
    let keys = expected
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, key)| key.to_string())
        .collect();
    Some(keys)
}

/// Every key as the README writes it: `title`, `[markdown] math`, `[topics.aliases]`, `[extra]`.
fn config_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for key in accepted_keys("").expect("the top level refuses unknown keys") {
        match accepted_keys(&key) {
            // A table with keys of its own.
            Some(inner) => {
                for inner_key in inner {
                    let nested = format!("{key}.{inner_key}");
                    if accepted_keys(&nested).is_some() || takes_any_key(&nested) {
                        keys.insert(format!("[{nested}]"));
                    } else {
                        keys.insert(format!("[{key}] {inner_key}"));
                    }
                }
            }
            None if takes_any_key(&key) => {
                keys.insert(format!("[{key}]"));
            }
            // An array of tables (`[[sources]]`).
            None if keys_under(&format!("[[{key}]]\n")).is_some() => {
                for inner_key in keys_under(&format!("[[{key}]]\n")).unwrap() {
                    keys.insert(format!("[[{key}]] {inner_key}"));
                }
            }
            None => {
                keys.insert(key);
            }
        }
    }
    keys
}

/// Whether `table` is a table that takes any key (`[extra]`, `[topics.aliases]`).
fn takes_any_key(table: &str) -> bool {
    ["\"x\"", "[\"x\"]"].iter().any(|value| {
        let text = format!("{REQUIRED}[{table}]\n\"zz any\" = {value}\n");
        Config::parse(Path::new("/nonexistent"), &text, &Overrides::default()).is_ok()
    })
}

/// The first column of the README's `site.toml` table.
fn readme_keys() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("\n## site.toml\n")
        .nth(1)
        .expect("a site.toml section")
        .split("\n## ")
        .next()
        .unwrap();
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| line[3..].split('`').next().unwrap().to_string())
        .collect()
}

#[test]
fn the_readme_documents_every_site_toml_key_once() {
    let documented = readme_keys();
    let unique: BTreeSet<String> = documented.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        documented.len(),
        "a key is documented twice: {documented:?}"
    );
    let accepted = config_keys();
    let missing: Vec<&String> = accepted.difference(&unique).collect();
    let unknown: Vec<&String> = unique.difference(&accepted).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "README's site.toml table and the configuration disagree.\nundocumented: {missing:?}\nnot accepted: {unknown:?}"
    );
}

#[test]
fn the_readme_shows_the_workflow_init_writes() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let shown = readme
        .split("## Deploy to GitHub Pages")
        .nth(1)
        .and_then(|section| section.split("```yaml\n").nth(1))
        .and_then(|block| block.split("```").next())
        .expect("a yaml block in the Deploy section");
    let dir = tempfile::tempdir().unwrap();
    let files = digestif::commands::init::site_files(&digestif::commands::init::InitOptions {
        dir: dir.path().join("site"),
        theme: digestif::commands::init::InitTheme::Default,
        title: None,
        base_url: None,
        force: false,
        today: jiff::civil::date(2024, 5, 1),
        install_from: None,
    })
    .unwrap();
    let (_, written) = files
        .iter()
        .find(|(path, _)| path == ".github/workflows/pages.yml")
        .unwrap();
    assert_eq!(
        shown, written,
        "README's workflow differs from what init writes"
    );
}
