//! Loads a theme's templates and static files, with the site's own files taking precedence.
//!
//! Lookup order for a template: the site's `templates/`, then the theme's (`themes/<name>/` in
//! the site, or the default theme embedded in the binary). Static files: the theme's `static/`,
//! then the site's `static/`, which wins for the same path. Templates are compiled once per build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::config::{Config, ThemeSource};
use crate::error::{Error, Result};
use crate::theme_bundle::{bundled_theme, default_theme_files};

/// Templates every theme must provide, one per page kind and derived file.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "index.html",
    "digest.html",
    "paper.html",
    "topics.html",
    "topic.html",
    "404.html",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
];

/// Templates added after themes existed: a theme folder that lacks one gets the default
/// theme's, so older themes keep building.
pub const DEFAULTED_TEMPLATES: &[&str] = &[
    "topic_feed.xml",
    "author_feed.xml",
    "opml.xml",
    "email.html",
    "email.txt",
    "search.html",
    "partials/search_box.html",
    "archive.html",
    "top.html",
];

/// Where a static file's bytes come from.
#[derive(Debug, Clone)]
pub enum StaticSource {
    Embedded(&'static [u8]),
    File(PathBuf),
}

impl StaticSource {
    pub fn read(&self) -> Result<Vec<u8>> {
        match self {
            StaticSource::Embedded(bytes) => Ok(bytes.to_vec()),
            StaticSource::File(path) => std::fs::read(path).map_err(|e| Error::io(path, e)),
        }
    }
}

/// The theme after overrides: template sources by name, static files by output path.
pub struct ThemeFiles {
    pub templates: BTreeMap<String, (String, String)>,
    pub static_files: BTreeMap<String, StaticSource>,
    /// The theme's `theme.toml`, when it has one: (where it was read, its text).
    pub theme_toml: Option<(String, String)>,
}

pub fn load_theme_files(config: &Config) -> Result<ThemeFiles> {
    let mut templates = BTreeMap::new();
    let mut static_files = BTreeMap::new();
    let mut theme_toml = None;
    match &config.theme {
        ThemeSource::Bundled { name } => {
            let files = bundled_theme(name).expect("config checked the theme exists");
            for (path, bytes) in files {
                let text = || String::from_utf8_lossy(bytes).into_owned();
                if let Some(template) = path.strip_prefix("templates/") {
                    templates.insert(
                        template.to_string(),
                        (format!("{name} theme: templates/{template}"), text()),
                    );
                } else if let Some(file) = path.strip_prefix("static/") {
                    static_files.insert(file.to_string(), StaticSource::Embedded(bytes));
                } else if *path == "theme.toml" {
                    theme_toml = Some((format!("{name} theme: theme.toml"), text()));
                }
            }
        }
        ThemeSource::Embedded => {
            for (path, bytes) in default_theme_files() {
                if let Some(name) = path.strip_prefix("templates/") {
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    templates.insert(
                        name.to_string(),
                        (format!("default theme: templates/{name}"), text),
                    );
                } else if let Some(name) = path.strip_prefix("static/") {
                    static_files.insert(name.to_string(), StaticSource::Embedded(bytes));
                }
            }
        }
        ThemeSource::Folder { path, .. } => {
            read_templates(config, &path.join("templates"), &mut templates)?;
            list_static(config, &path.join("static"), &mut static_files)?;
            let toml_path = path.join("theme.toml");
            if let Some(escape) = config.boundary().check_path(&toml_path) {
                return Err(Error::Invalid(vec![escape]));
            }
            if toml_path.is_file() {
                let text =
                    std::fs::read_to_string(&toml_path).map_err(|e| Error::io(&toml_path, e))?;
                let shown = toml_path
                    .strip_prefix(&config.root)
                    .unwrap_or(&toml_path)
                    .display()
                    .to_string();
                theme_toml = Some((shown, text));
            }
        }
    }
    read_templates(config, &config.root.join("templates"), &mut templates)?;
    list_static(config, &config.root.join("static"), &mut static_files)?;
    for (path, bytes) in default_theme_files() {
        let Some(name) = path.strip_prefix("templates/") else {
            continue;
        };
        if falls_back_to_default(name) && !templates.contains_key(name) {
            templates.insert(
                name.to_string(),
                (
                    format!("default theme: templates/{name}"),
                    String::from_utf8_lossy(bytes).into_owned(),
                ),
            );
        }
    }
    Ok(ThemeFiles {
        templates,
        static_files,
        theme_toml,
    })
}

/// Whether a theme that lacks template `name` gets the default theme's: the templates added after
/// themes existed, so older themes keep building, and every partial, so a theme holds only the
/// parts it changes.
fn falls_back_to_default(name: &str) -> bool {
    DEFAULTED_TEMPLATES.contains(&name) || name.starts_with("partials/")
}

/// The site's `[extra]` over the defaults the theme declares in `theme.toml`'s `[options]`, with a
/// warning for every key of `[extra]` the theme does not declare (a typo would otherwise silently
/// keep the default). A theme without `theme.toml` takes `[extra]` as it is.
pub fn theme_options(
    config: &Config,
    files: &ThemeFiles,
) -> Result<(toml::Table, Vec<crate::error::Diagnostic>)> {
    use crate::error::{Diagnostic, Location};
    let Some((shown, text)) = &files.theme_toml else {
        return Ok((config.extra.clone(), Vec::new()));
    };
    let table: toml::Table = toml::from_str(text)
        .map_err(|e| Error::Template(format!("{shown}: not valid TOML: {e}")))?;
    let mut options = match table.get("options") {
        Some(toml::Value::Table(options)) => options.clone(),
        _ => toml::Table::new(),
    };
    let mut warnings = Vec::new();
    let known: Vec<String> = options.keys().cloned().collect();
    for (key, value) in &config.extra {
        if !known.contains(key) {
            warnings.push(
                Diagnostic::warning(
                    Location::file(crate::config::CONFIG_FILE),
                    format!("[extra] option `{key}` is not an option of the theme; it is ignored by the theme's templates"),
                )
                .with_hint(format!("the theme's options ({shown}): {}", known.join(", "))),
            );
        }
        options.insert(key.clone(), value.clone());
    }
    Ok((options, warnings))
}

/// A fragment of the default theme written in Rust (`native_card`, `native_related`): the
/// template it replaces, that template wrapped around it when the theme's partials for it are
/// the default theme's, and the registration of the function the wrapper calls.
struct Native {
    template: &'static str,
    wrapped: fn(&ThemeFiles) -> Option<String>,
    register: fn(&mut Tera),
}

const NATIVE: [Native; 2] = [
    Native {
        template: super::native_card::CARD_TEMPLATE,
        wrapped: native_card,
        register: super::native_card::register,
    },
    Native {
        template: super::native_related::RELATED_TEMPLATE,
        wrapped: native_related,
        register: super::native_related::register,
    },
];

fn native_card(files: &ThemeFiles) -> Option<String> {
    super::native_card::wrapped_card(&files.templates, default_template)
}

fn native_related(files: &ThemeFiles) -> Option<String> {
    super::native_related::wrapped_related(&files.templates, default_template)
}

/// The default theme's text of template `name`.
pub(crate) fn default_template(name: &str) -> Option<&'static [u8]> {
    default_theme_files()
        .iter()
        .find(|(path, _)| path.strip_prefix("templates/") == Some(name))
        .map(|(_, bytes)| *bytes)
}

/// The embedded default theme, for `init` and for tests.
pub fn embedded_theme_files() -> &'static [(&'static str, &'static [u8])] {
    default_theme_files()
}

/// The files under `dir`, sorted, links followed. A link that leads out of the site stops the
/// build: a theme that lost a template to it would render wrong pages.
fn walk_theme_folder(config: &Config, dir: &Path) -> Result<Vec<walkdir::DirEntry>> {
    let boundary = config.boundary();
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    if let Some(escape) = boundary.check_path(dir) {
        return Err(Error::Invalid(vec![escape]));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry =
            entry.map_err(|e| Error::Template(format!("cannot read {}: {e}", dir.display())))?;
        if entry.path_is_symlink()
            && let Some(escape) = boundary.check_link(entry.path())
        {
            return Err(Error::Invalid(vec![escape]));
        }
        if entry.file_type().is_file() {
            files.push(entry);
        }
    }
    Ok(files)
}

fn read_templates(
    config: &Config,
    dir: &Path,
    into: &mut BTreeMap<String, (String, String)>,
) -> Result<()> {
    let root = &config.root;
    for entry in walk_theme_folder(config, dir)? {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let name = relative_name(dir, entry.path());
        let shown = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .display()
            .to_string();
        let text = std::fs::read_to_string(entry.path())
            .map_err(|e| Error::Template(format!("{shown}: cannot read template: {e}")))?;
        into.insert(name, (shown, text));
    }
    Ok(())
}

fn list_static(
    config: &Config,
    dir: &Path,
    into: &mut BTreeMap<String, StaticSource>,
) -> Result<()> {
    for entry in walk_theme_folder(config, dir)? {
        into.insert(
            relative_name(dir, entry.path()),
            StaticSource::File(entry.into_path()),
        );
    }
    Ok(())
}

fn relative_name(dir: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(dir).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Compiles the templates, registers `url(path=…)` and the global `site` and `extra` values.
pub fn compile(
    config: &Config,
    files: &ThemeFiles,
    site: &super::context::SiteContext,
) -> Result<Tera> {
    let mut tera = Tera::new();
    let base_path = config.base.path.clone();
    tera.register_function(
        "url",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
            let path: &str = kwargs.must_get("path")?;
            Ok(format!("{base_path}{}", path.trim_start_matches('/')))
        },
    );
    tera.autoescape_on(vec![".html", ".xml", ".htm"]);
    let wrapped: Vec<(&str, String)> = NATIVE
        .iter()
        .filter_map(|native| {
            let text = (native.wrapped)(files)?;
            (native.register)(&mut tera);
            Some((native.template, text))
        })
        .collect();
    tera.add_raw_templates(files.templates.iter().map(|(name, (_, text))| {
        let text = wrapped
            .iter()
            .find(|(template, _)| template == name)
            .map_or(text, |(_, wrapped)| wrapped);
        (name.as_str(), text.as_str())
    }))
    .map_err(|e| Error::Template(template_error(&e, files)))?;
    let theme_label = match &config.theme {
        ThemeSource::Embedded => "the default theme embedded in digestif".to_string(),
        ThemeSource::Bundled { name } => format!("the {name} theme embedded in digestif"),
        ThemeSource::Folder { path, .. } => path
            .strip_prefix(&config.root)
            .unwrap_or(path)
            .join("templates")
            .display()
            .to_string(),
    };
    for name in REQUIRED_TEMPLATES {
        if !tera.contains_template(name) {
            return Err(Error::Template(format!(
                "template `{name}` not found: looked in templates/ and {theme_label}; add templates/{name}"
            )));
        }
    }
    tera.global_context().insert("site", site);
    let (extra, _) = theme_options(config, files)?;
    tera.global_context().insert("extra", &extra);
    Ok(tera)
}

/// A Tera error with its chain of causes, naming the file the template came from.
pub fn template_error(error: &tera::Error, files: &ThemeFiles) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    // The file the error is in first, else the first template the message names.
    let renamed = || {
        files
            .templates
            .iter()
            .filter(|(name, (shown, _))| shown != *name)
    };
    let source = renamed()
        .find(|(name, _)| text.contains(&format!("--> {name}:")))
        .or_else(|| renamed().find(|(name, _)| text.contains(name.as_str())));
    if let Some((name, (shown, _))) = source {
        text.push_str(&format!("\n  (template `{name}` is {shown})"));
    }
    shorten_snippet(&text)
}

/// Tera quotes the template line an error is on; a template on one huge line (minified, or
/// generated) would print all of it. Long snippet lines become a window around the column.
fn shorten_snippet(text: &str) -> String {
    const WIDTH: usize = 160;
    let column = text
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("--> "))
        .and_then(|spot| spot.rsplit(':').next()?.parse::<usize>().ok())
        .unwrap_or(1);
    let start = column.saturating_sub(WIDTH / 2);
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let Some((gutter, rest)) = line.split_once('|') else {
                return line.to_string();
            };
            let is_snippet = gutter.trim().bytes().all(|b| b.is_ascii_digit());
            if !is_snippet || rest.chars().count() <= WIDTH {
                return line.to_string();
            }
            let is_caret = rest.trim_start().starts_with('^');
            let mut out = format!("{gutter}|");
            if start > 0 {
                out.push(if is_caret { ' ' } else { '…' });
            }
            out.extend(rest.chars().skip(start).take(WIDTH));
            if !is_caret && rest.chars().count() > start + WIDTH {
                out.push('…');
            }
            out
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_default_themes_own_card_is_written_natively() {
        let site = tempfile::tempdir().unwrap();
        let config = |toml: &str| {
            Config::parse(site.path(), toml, &Default::default()).expect("site.toml parses")
        };
        let embedded = config("title = \"T\"\nbase_url = \"https://example.org/\"\n");
        assert!(native_card(&load_theme_files(&embedded).unwrap()).is_some());
        let lab = config("title = \"T\"\nbase_url = \"https://example.org/\"\ntheme = \"lab\"\n");
        assert!(native_card(&load_theme_files(&lab).unwrap()).is_none());
        // A site's copy of a card partial counts as the default's while it is byte for byte the
        // same; once changed at all, even by a comment, the template renders it.
        let partial = site.path().join("templates/partials/links.html");
        std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
        let mut text =
            String::from_utf8(default_template("partials/links.html").unwrap().to_vec()).unwrap();
        std::fs::write(&partial, &text).unwrap();
        assert!(native_card(&load_theme_files(&embedded).unwrap()).is_some());
        text.insert_str(0, "{# mine #}");
        std::fs::write(&partial, &text).unwrap();
        assert!(native_card(&load_theme_files(&embedded).unwrap()).is_none());
    }

    #[test]
    fn both_themes_related_sections_are_written_natively_until_changed() {
        let site = tempfile::tempdir().unwrap();
        let config = |toml: &str| {
            Config::parse(site.path(), toml, &Default::default()).expect("site.toml parses")
        };
        let embedded = config("title = \"T\"\nbase_url = \"https://example.org/\"\n");
        let lab = config("title = \"T\"\nbase_url = \"https://example.org/\"\ntheme = \"lab\"\n");
        assert!(native_related(&load_theme_files(&embedded).unwrap()).is_some());
        assert!(native_related(&load_theme_files(&lab).unwrap()).is_some());
        let partial = site.path().join("templates/partials/related.html");
        std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
        std::fs::write(&partial, "{# mine #}").unwrap();
        assert!(native_related(&load_theme_files(&embedded).unwrap()).is_none());
        assert!(native_related(&load_theme_files(&lab).unwrap()).is_none());
    }

    #[test]
    fn long_template_lines_in_errors_become_a_window() {
        let source = format!("{}{{{{ nope }}}}{}", "a".repeat(5000), "b".repeat(5000));
        let caret = format!("{}^^^^", " ".repeat(5003));
        let text = format!("error: nope\n --> 404.html:1:5004\n  |\n1 | {source}\n  | {caret}");
        let short = shorten_snippet(&text);
        assert!(short.len() < 600, "{short}");
        let lines: Vec<&str> = short.lines().collect();
        let at = lines[3].chars().position(|c| c == 'n').unwrap();
        assert_eq!(lines[4].chars().position(|c| c == '^'), Some(at), "{short}");
    }
}
