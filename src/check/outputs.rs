//! Output files, for builds and checks: static files that would overwrite generated pages, and
//! template failures turned into findings that point at the template's file and line.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::links::relative_to;
use crate::config::{CONFIG_FILE, Config, ThemeSource};
use crate::error::{Diagnostic, Location};
use crate::render::templates::{StaticSource, ThemeFiles};
use crate::render::{PageKind, PlannedPage};

/// Output files that would overwrite each other: a static file named like a page (`feed.xml`,
/// `papers/x/index.html`) or a generated file, a file where a page needs a folder, or two paths
/// that differ only by case, which are one file on macOS and Windows disks. Cheap: builds run it.
pub fn output_collisions<'a>(
    config: &Config,
    pages: &'a [PlannedPage],
    static_files: &'a BTreeMap<String, StaticSource>,
    generated: &[&'a str],
) -> Vec<Diagnostic> {
    let mut owners: HashMap<Cow<'a, str>, Owner<'a>> = HashMap::with_capacity(pages.len() + 16);
    for page in pages {
        // Two pages on one path are two papers, digests or topics with one slug: assemble
        // reports those with both sources named.
        owners
            .entry(lower(&page.output))
            .or_insert(Owner::Page(page));
    }
    let mut findings = Vec::new();
    let mut claim = |output: &'a str, owner: Owner<'a>, location: Location| {
        let key = lower(output);
        match owners.get(&key) {
            Some(previous) => findings.push(
                Diagnostic::error(
                    location,
                    format!(
                        "{} would overwrite {} ({output})",
                        owner.describe(config),
                        previous.describe(config)
                    ),
                )
                .with_hint("rename or remove the static file; to change a generated page, override its template in templates/"),
            ),
            None => {
                owners.insert(key, owner);
            }
        }
    };
    for name in generated {
        claim(name, Owner::Generated(name), Location::file(CONFIG_FILE));
    }
    // Sources of card-sized images are not written: they claim no output path.
    let static_files: Vec<(&'a String, &'a StaticSource)> = static_files
        .iter()
        .filter(|(name, _)| !crate::images::is_source_only(name))
        .collect();
    for &(name, source) in &static_files {
        let owner = Owner::Static(name, source);
        claim(
            name,
            owner,
            Location::file(static_path(config, name, source)),
        );
    }
    // A file where a folder must be: static `papers` beside pages under `papers/`.
    for &(name, source) in &static_files {
        let folder = format!("{}/", name.to_lowercase());
        if owners.keys().any(|path| path.starts_with(&folder)) {
            let shown = static_path(config, name, source);
            findings.push(
                Diagnostic::error(
                    Location::file(&shown),
                    format!("static file {shown} is named like the folder {name}/ that pages are written into"),
                )
                .with_hint("rename or remove the static file"),
            );
        }
    }
    findings
}

/// Keys are lower-cased paths; page paths are made of slugs, already lower case, so the map
/// borrows them and a 50,000-paper site costs no allocation per page here.
fn lower(path: &str) -> Cow<'_, str> {
    if path.bytes().any(|b| b.is_ascii_uppercase()) || !path.is_ascii() {
        Cow::Owned(path.to_lowercase())
    } else {
        Cow::Borrowed(path)
    }
}

/// Who writes an output file.
#[derive(Clone, Copy)]
enum Owner<'a> {
    Page(&'a PlannedPage),
    Generated(&'a str),
    Static(&'a str, &'a StaticSource),
}

impl Owner<'_> {
    fn describe(&self, config: &Config) -> String {
        match self {
            Owner::Page(page) => match page.kind {
                PageKind::Digest(_)
                | PageKind::Paper(_)
                | PageKind::Topic(..)
                | PageKind::Index(_) => {
                    format!(
                        "the page {}",
                        config.base.link(page.output.trim_end_matches("index.html"))
                    )
                }
                _ => format!("the generated {}", page.output),
            },
            Owner::Generated(name) => format!("the generated {name}"),
            Owner::Static(name, source) => {
                format!("static file {}", static_path(config, name, source))
            }
        }
    }
}

/// Where a static file comes from, as a user would find it.
fn static_path(config: &Config, name: &str, source: &StaticSource) -> String {
    match (source, &config.theme) {
        (StaticSource::File(path), _) => relative_to(path, &config.root),
        (StaticSource::Embedded(_), ThemeSource::Embedded) => {
            format!("static/{name} of the default theme")
        }
        (StaticSource::Embedded(_), _) => format!("static/{name}"),
    }
}

/// Template failures from rendering every page, one finding per template and message.
pub fn render_failures(failures: &[String], theme: &ThemeFiles) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for failure in failures {
        // "rendering <output> with <template>: <error>"
        let after = failure.split_once(" with ").map_or("", |(_, rest)| rest);
        let (template, error) = after.split_once(": ").unwrap_or(("", failure.as_str()));
        *seen
            .entry((template.to_string(), error.to_string()))
            .or_default() += 1;
    }
    seen.into_iter()
        .map(|((template, error), pages)| {
            let shown = theme
                .templates
                .get(&template)
                .map_or_else(|| template.clone(), |(shown, _)| shown.clone());
            let pages = if pages == 1 {
                "1 page".to_string()
            } else {
                format!("{pages} pages")
            };
            let mut location = template_location(&error).unwrap_or_default();
            location.path = shown.into();
            Diagnostic::error(
                location,
                format!("template `{template}` failed on {pages}: {error}"),
            )
        })
        .collect()
}

/// Where a Tera error points: ` --> name:line:column`, in the file named by our
/// `(template `name` is path)` note when there is one.
pub(super) fn template_location(message: &str) -> Option<Location> {
    let (_, after) = message.split_once(" --> ")?;
    let spot = after.lines().next()?.trim();
    let mut parts = spot.rsplitn(3, ':');
    let column = parts.next()?.parse().ok();
    let line = parts.next()?.parse().ok()?;
    let name = parts.next()?;
    let shown = message
        .split_once(&format!("(template `{name}` is "))
        .and_then(|(_, rest)| rest.split_once(')'))
        .map_or(name, |(shown, _)| shown);
    Some(Location::at(shown, line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tera_errors_point_at_the_template_line() {
        let message = "error: Variable `nope` is not defined\n --> 404.html:3:4\n  |\n  (template `404.html` is templates/404.html)";
        assert_eq!(
            template_location(message),
            Some(Location::at("templates/404.html", 3, Some(4)))
        );
        assert_eq!(template_location("no position"), None);
    }
}
