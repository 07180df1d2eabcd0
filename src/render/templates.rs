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

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));
}

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

/// Where a static file's bytes come from.
#[derive(Debug, Clone)]
pub enum StaticSource {
    Embedded(&'static [u8]),
    File(PathBuf),
}

/// The theme after overrides: template sources by name, static files by output path.
pub struct ThemeFiles {
    pub templates: BTreeMap<String, (String, String)>,
    pub static_files: BTreeMap<String, StaticSource>,
}

pub fn load_theme_files(config: &Config) -> Result<ThemeFiles> {
    let mut templates = BTreeMap::new();
    let mut static_files = BTreeMap::new();
    match &config.theme {
        ThemeSource::Embedded => {
            for (path, bytes) in embedded::FILES {
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
            read_templates(&config.root, &path.join("templates"), &mut templates)?;
            list_static(&path.join("static"), &mut static_files)?;
        }
    }
    read_templates(&config.root, &config.root.join("templates"), &mut templates)?;
    list_static(&config.root.join("static"), &mut static_files)?;
    Ok(ThemeFiles {
        templates,
        static_files,
    })
}

/// The embedded default theme, for `init` and for tests.
pub fn embedded_theme_files() -> &'static [(&'static str, &'static [u8])] {
    embedded::FILES
}

fn read_templates(
    root: &Path,
    dir: &Path,
    into: &mut BTreeMap<String, (String, String)>,
) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| Error::Template(format!("cannot read {}: {e}", dir.display())))?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
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

fn list_static(dir: &Path, into: &mut BTreeMap<String, StaticSource>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry =
            entry.map_err(|e| Error::Template(format!("cannot read {}: {e}", dir.display())))?;
        if entry.file_type().is_file() {
            into.insert(
                relative_name(dir, entry.path()),
                StaticSource::File(entry.into_path()),
            );
        }
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
    tera.add_raw_templates(
        files
            .templates
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str())),
    )
    .map_err(|e| Error::Template(template_error(&e, files)))?;
    let theme_label = match &config.theme {
        ThemeSource::Embedded => "the default theme embedded in digestif".to_string(),
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
    if config.has_search && !tera.contains_template("search.html") {
        return Err(Error::Template(format!(
            "template `search.html` not found: looked in templates/ and {theme_label}; add templates/search.html, or turn search off with `[search] enabled = false` in site.toml"
        )));
    }
    tera.global_context().insert("site", site);
    tera.global_context().insert("extra", &config.extra);
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
    for (name, (shown, _)) in &files.templates {
        if shown != name && text.contains(name.as_str()) {
            text.push_str(&format!("\n  (template `{name}` is {shown})"));
            break;
        }
    }
    text
}
