//! `digestif init`: a new site from files compiled into the binary, so it works offline.
//!
//! Writes `site.toml`, a sample digest, `.gitignore` (the output folder, staging folders, the
//! link cache) and the GitHub Pages workflow; with `--theme lab` also `content/people.toml` and
//! `content/_index.md`. A folder holding more than a fresh repository does (`.git`, README,
//! LICENSE, `.gitignore`) is refused unless `--force`, and then only the files above are
//! replaced; an existing `.gitignore` is extended, never replaced.

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

const DIGEST_PAPER: &str = include_str!("init/digest_paper.toml");

/// What `.gitignore` must hold: the output folder, the link-check cache, and the staging folders
/// a killed build leaves beside the output.
const GITIGNORE: &[&str] = &[
    "/public/",
    "/.public-building-*/",
    "/.public-old-*/",
    "/.digestif/",
];

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub dir: PathBuf,
    pub theme: InitTheme,
    pub title: Option<String>,
    pub base_url: Option<String>,
    pub force: bool,
    /// The sample digest's date.
    pub today: Date,
    /// Where the workflow installs Digestif from: `git+URL[#rev]`, else crates.io at this
    /// version.
    pub install_from: Option<String>,
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

/// How the workflow installs Digestif: the `cargo install` command and the cache key it is
/// stored under (a new version or revision is a new key, so the cache never serves an old one).
fn install_step(install_from: Option<&str>) -> Result<(String, String)> {
    let version = env!("CARGO_PKG_VERSION");
    let Some(source) = install_from else {
        return Ok((
            format!("cargo install --locked digestif@{version}"),
            format!("crates-{version}"),
        ));
    };
    let refuse = || {
        Error::Usage(format!(
            "--install-from `{source}`: expected git+https://host/owner/repo, optionally with #REV (a commit, tag or branch)"
        ))
    };
    let rest = source.strip_prefix("git+").ok_or_else(refuse)?;
    let (url, rev) = match rest.split_once('#') {
        Some((url, rev)) => (url, Some(rev)),
        None => (rest, None),
    };
    // Written into YAML and a shell command: only what a URL and a git ref hold.
    let url_chars = |c: char| c.is_ascii_alphanumeric() || "-._~:/@%+".contains(c);
    let rev_chars = |c: char| c.is_ascii_alphanumeric() || "-._/".contains(c);
    let is_url = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && url.chars().all(url_chars);
    if !is_url || rev.is_some_and(|r| r.is_empty() || !r.chars().all(rev_chars)) {
        return Err(refuse());
    }
    let command = match rev {
        Some(rev) => format!("cargo install --locked --git {url} --rev {rev} digestif"),
        None => format!("cargo install --locked --git {url} digestif"),
    };
    let key_source: String = format!("{url}#{}", rev.unwrap_or("HEAD"))
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok((command, format!("git-{key_source}-{version}")))
}

/// `https://example.github.io/<folder>/`: GitHub serves a project site under the repository's
/// name, which is usually the folder's.
fn default_base_url(dir: &Path) -> String {
    let folder = std::path::absolute(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let slug = crate::content::ids::slugify(&folder);
    if slug.is_empty() {
        "https://example.github.io/".into()
    } else {
        format!("https://example.github.io/{slug}/")
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
        .unwrap_or_else(|| default_base_url(&options.dir));
    let base = BaseUrl::parse(&base_url).map_err(|e| Error::Usage(format!("--base-url: {e}")))?;
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
    // The lab theme's sample is the lab's own paper, listed under Publications, a page only
    // that theme has; the default theme's is a second paper of the digest.
    let more_papers = match options.theme {
        InitTheme::Default => DIGEST_PAPER.to_string(),
        InitTheme::Lab => fill(OUR_PAPER),
    };
    let (install, cache_key) = install_step(options.install_from.as_deref())?;
    let workflow = PAGES_WORKFLOW
        .replace("{{INSTALL_COMMAND}}", &install)
        .replace("{{INSTALL_KEY}}", &cache_key);
    let mut files = vec![
        ("site.toml".to_string(), fill(site)),
        (
            format!("content/{date}.md"),
            fill(DIGEST).replace("{{MORE_PAPERS}}", &more_papers),
        ),
        (".gitignore".to_string(), gitignore(&options.dir)),
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

/// The folder's `.gitignore` with the lines Digestif needs added, or a new one.
fn gitignore(dir: &Path) -> String {
    let existing = std::fs::read_to_string(dir.join(".gitignore")).unwrap_or_default();
    let missing: Vec<&str> = GITIGNORE
        .iter()
        .copied()
        .filter(|line| !existing.lines().any(|l| l.trim() == *line))
        .collect();
    if missing.is_empty() {
        return existing;
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(
        "# Digestif: the output folder, a killed build's staging folders, the link-check cache\n",
    );
    for line in missing {
        text.push_str(line);
        text.push('\n');
    }
    text
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
    if !options.force
        && let Some(other) = first_foreign_entry(dir)?
    {
        return Err(Error::Usage(format!(
            "{} already holds `{other}`: choose a new or empty folder (a fresh repository with only .git, README, LICENSE or .gitignore is fine), or pass --force to write the starter files into it (files of the same name are replaced; .gitignore is extended)",
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

/// An entry of `dir` other than what a fresh repository holds (`.git`, `README*`, `LICENSE*`,
/// `.gitignore`), if any.
fn first_foreign_entry(dir: &Path) -> Result<Option<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let is_repository_file = |name: &str| {
        let upper = name.to_ascii_uppercase();
        name == ".git"
            || name == ".gitignore"
            || upper.starts_with("README")
            || upper.starts_with("LICENSE")
    };
    Ok(names.into_iter().find(|name| !is_repository_file(name)))
}
