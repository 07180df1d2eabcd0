//! Output files, for builds and checks: static files that would overwrite generated pages, and
//! template failures turned into findings that point at the template's file and line.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::links::relative_to;
use crate::config::{CONFIG_FILE, Config, ThemeSource};
use crate::error::{Diagnostic, Location};
use crate::render::templates::{StaticSource, ThemeFiles};
use crate::render::{PageKind, PlannedPage};

/// Output files that would overwrite each other: a static file named like a page (`feed.xml`,
/// `papers/x/index.html`) or a generated file, a file where a page needs a folder, or two paths
/// that differ only by case, which are one file on macOS and Windows disks. Cheap: builds run it.
pub fn output_collisions(
    config: &Config,
    pages: &[PlannedPage],
    static_files: &BTreeMap<String, StaticSource>,
    generated: &[&str],
) -> Vec<Diagnostic> {
    let mut owners: HashMap<String, String> = HashMap::with_capacity(pages.len() + 16);
    let mut findings = Vec::new();
    let describe_static = |name: &str, source: &StaticSource| match (source, &config.theme) {
        (StaticSource::File(path), _) => relative_to(path, &config.root),
        (StaticSource::Embedded(_), ThemeSource::Embedded) => {
            format!("static/{name} of the default theme")
        }
        (StaticSource::Embedded(_), _) => format!("static/{name}"),
    };
    let generated_owner = |output: &str| format!("the generated {output}");
    let page_owner = |page: &PlannedPage| match page.kind {
        PageKind::Digest(_) | PageKind::Paper(_) | PageKind::Topic(..) | PageKind::Index(_) => {
            format!(
                "the page {}",
                config.base.link(page.output.trim_end_matches("index.html"))
            )
        }
        _ => generated_owner(&page.output),
    };
    for page in pages {
        // Two pages on one path are two papers, digests or topics with one slug: assemble
        // reports those with both sources named.
        owners
            .entry(page.output.to_lowercase())
            .or_insert_with(|| page_owner(page));
    }
    let mut claim = |output: &str, owner: String, location: Location| {
        let key = output.to_lowercase();
        if let Some(previous) = owners.get(&key) {
            findings.push(
                Diagnostic::error(location, format!("{owner} would overwrite {previous} ({output})"))
                    .with_hint("rename or remove the static file; to change a generated page, override its template in templates/"),
            );
        } else {
            owners.insert(key, owner);
        }
    };
    for name in generated {
        claim(name, generated_owner(name), Location::file(CONFIG_FILE));
    }
    for (name, source) in static_files {
        let shown = describe_static(name, source);
        claim(name, format!("static file {shown}"), Location::file(&shown));
    }
    // A file where a folder must be: static `papers` beside pages under `papers/`.
    let folders: HashSet<String> = owners
        .keys()
        .flat_map(|path| {
            let mut prefixes = Vec::new();
            let mut end = 0;
            while let Some(slash) = path[end..].find('/') {
                end += slash + 1;
                prefixes.push(path[..end - 1].to_string());
            }
            prefixes
        })
        .collect();
    for (name, source) in static_files {
        if folders.contains(&name.to_lowercase()) {
            let shown = describe_static(name, source);
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
