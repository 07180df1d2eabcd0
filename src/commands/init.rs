//! `digestif init`: a new site from files compiled into the binary, so it works offline.
//!
//! Writes `site.toml`, a sample digest, `.gitignore` (the output folder) and the GitHub Pages
//! workflow; with `--theme lab` also `content/people.toml` and `content/_index.md`. A folder that
//! is not empty is refused unless `--force`, and then only the files above are replaced.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

pub use crate::cli::InitTheme;
use crate::config::BaseUrl;
use crate::error::{Error, Result};

/// The workflow `init` writes; also what this repository's tests lint.
pub const PAGES_WORKFLOW: &str = include_str!("init/pages.yml");
const DIGEST: &str = include_str!("init/digest.md");
const OUR_PAPER: &str = include_str!("init/our_paper.toml");
const PEOPLE: &str = include_str!("init/people.toml");
const INDEX: &str = include_str!("init/index.md");
const SITE_DEFAULT: &str = include_str!("init/site_default.toml");
const SITE_LAB: &str = include_str!("init/site_lab.toml");

/// Where `cargo install --git` finds Digestif in the generated workflow.
pub const DIGESTIF_GIT: &str = "https://github.com/example/digestif";

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub dir: PathBuf,
    pub theme: InitTheme,
    pub title: Option<String>,
    pub base_url: Option<String>,
    pub force: bool,
    /// The sample digest's date.
    pub today: Date,
}

/// What `init` wrote, relative to the folder, in order.
#[derive(Debug, Clone)]
pub struct InitReport {
    pub dir: PathBuf,
    pub files: Vec<String>,
}

impl InitReport {
    pub fn summary(&self) -> String {
        format!(
            "created a site in {} ({} files); next: cd {} && digestif serve",
            self.dir.display(),
            self.files.len(),
            self.dir.display()
        )
    }
}

/// The files of a new site: (path relative to the folder, text).
pub fn site_files(options: &InitOptions) -> Result<Vec<(String, String)>> {
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| match options.theme {
            InitTheme::Default => "Our paper digests".into(),
            InitTheme::Lab => "Our lab".into(),
        });
    if title.trim().is_empty() {
        return Err(Error::Usage("--title must not be empty".into()));
    }
    let base_url = options
        .base_url
        .clone()
        .unwrap_or_else(|| "https://example.github.io/my-site/".into());
    let base = BaseUrl::parse(&base_url).map_err(Error::Usage)?;
    let quote = |text: &str| toml::Value::String(text.to_string()).to_string();
    let date = options.today.to_string();
    let fill = |text: &str| {
        text.replace("{{TITLE}}", &quote(&title))
            .replace("{{BASE_URL}}", &quote(&base.full()))
            .replace("{{DATE}}", &date)
    };
    let site = match options.theme {
        InitTheme::Default => SITE_DEFAULT,
        InitTheme::Lab => SITE_LAB,
    };
    let our_paper = fill(OUR_PAPER);
    let workflow = PAGES_WORKFLOW
        .replace("{{DIGESTIF_GIT}}", DIGESTIF_GIT)
        .replace("{{DIGESTIF_VERSION}}", env!("CARGO_PKG_VERSION"));
    let mut files = vec![
        ("site.toml".to_string(), fill(site)),
        (
            format!("content/{date}.md"),
            fill(DIGEST).replace("{{OUR_PAPER}}", &our_paper),
        ),
        (
            ".gitignore".to_string(),
            "# Digestif's output folder\n/public/\n".to_string(),
        ),
        (".github/workflows/pages.yml".to_string(), workflow),
    ];
    if options.theme == InitTheme::Lab {
        files.push(("content/people.toml".into(), PEOPLE.to_string()));
        files.push((
            "content/_index.md".into(),
            INDEX.replace("{{TITLE}}", &title.replace(['*', '_', '<', '>'], "")),
        ));
    }
    Ok(files)
}

/// Creates the site; refuses a folder with anything in it unless `force`.
pub fn run(options: &InitOptions) -> Result<InitReport> {
    let dir = &options.dir;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} exists and is not a folder",
            dir.display()
        )));
    }
    if !options.force && !is_empty(dir)? {
        return Err(Error::Usage(format!(
            "{} is not empty: choose a new or empty folder, or pass --force to write the starter files into it (existing files of the same name are replaced)",
            dir.display()
        )));
    }
    let files = site_files(options)?;
    for (relative, text) in &files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    Ok(InitReport {
        dir: dir.clone(),
        files: files.into_iter().map(|(path, _)| path).collect(),
    })
}

fn is_empty(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(Error::io(dir, e)),
    }
}
