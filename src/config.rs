//! `site.toml`: [`RawConfig`] mirrors the file, [`Config`] is the validated result.
//!
//! Loading is the first stage of the pipeline. Every later stage trusts `Config`: the base URL is
//! parsed into its origin and sub-path, the theme folder is resolved, sizes are known to be positive.
//! Unknown keys are errors with a "did you mean" hint, so a typo never becomes a silent default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::toml_error::toml_diagnostic;

pub const CONFIG_FILE: &str = "site.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub title: String,
    pub base_url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_papers_per_page")]
    pub papers_per_page: i64,
    #[serde(default = "default_digests_per_page")]
    pub digests_per_page: i64,
    #[serde(default = "default_feed_limit")]
    pub feed_limit: i64,
    #[serde(default)]
    pub markdown: RawMarkdown,
    #[serde(default)]
    pub topics: RawTopics,
    #[serde(default)]
    pub outputs: RawOutputs,
    #[serde(default)]
    pub extra: toml::Table,
    #[serde(default)]
    pub search: RawSearch,
    #[serde(default)]
    pub build: RawBuild,
    #[serde(default)]
    pub related: RawRelated,
    #[serde(default)]
    pub sources: Vec<RawSource>,
    #[serde(default)]
    pub digests: RawDigests,
    #[serde(default)]
    pub trends: RawTrends,
    #[serde(default)]
    pub deploy: RawDeploy,
}

/// `[deploy]`: what the host accepts.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDeploy {
    /// A size string ("1 GB", "500 MB", "200 KiB") or a number of bytes; see
    /// [`parse_size`]. Default [`DEFAULT_MAX_SIZE`].
    pub max_size: Option<toml::Value>,
    /// How many files the host takes; no limit when absent (GitHub Pages has none).
    pub max_files: Option<i64>,
    /// The largest file the host takes, as `max_size`; no limit when absent.
    pub max_file_size: Option<toml::Value>,
}

/// GitHub Pages publishes sites of at most 1 GB (issue 22).
pub const DEFAULT_MAX_SIZE: u64 = 1_000_000_000;

/// `[trends]`: charts of each topic's papers over time, and the home page's rising topics.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTrends {
    pub enabled: bool,
}

impl Default for RawTrends {
    fn default() -> Self {
        RawTrends { enabled: true }
    }
}

/// `[digests]`: how digest pages show their papers.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDigests {
    /// The order of every digest's papers unless the digest sets its own `sort`.
    pub sort: crate::content::raw::PaperOrder,
}

/// One `[[sources]]` entry: where `digestif update` gets a day's papers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// `hf-daily` (Hugging Face's daily papers) or `arxiv` (an arXiv search).
    pub kind: SourceKind,
    /// The service's address, for mirrors and tests.
    #[serde(default)]
    pub api: Option<String>,
    /// For `arxiv`: the search, such as `cat:cs.CL AND abs:"diffusion"`.
    #[serde(default)]
    pub query: Option<String>,
    /// For `arxiv`: most papers a day.
    #[serde(default)]
    pub max: Option<usize>,
    /// List again papers already featured on earlier days.
    #[serde(default)]
    pub repeat: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum SourceKind {
    #[serde(rename = "hf-daily")]
    HfDaily,
    #[serde(rename = "arxiv")]
    Arxiv,
}

/// `[build]`: how the site's files are read.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawBuild {
    /// Follow symbolic links under content/, static/, templates/ and themes/ whose target lies
    /// outside the site (refused by default: their contents would be published).
    pub follow_external_links: bool,
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_papers_per_page() -> i64 {
    25
}
fn default_digests_per_page() -> i64 {
    10
}
fn default_feed_limit() -> i64 {
    20
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMarkdown {
    /// A syntect theme name for code blocks in light mode.
    pub highlight_theme: String,
    /// A syntect theme name for code blocks when the reader prefers dark mode.
    pub highlight_theme_dark: String,
    pub math: MathMode,
    pub unsafe_html: RawHtml,
}

impl Default for RawMarkdown {
    fn default() -> Self {
        RawMarkdown {
            highlight_theme: "InspiredGitHub".into(),
            highlight_theme_dark: "base16-ocean.dark".into(),
            math: MathMode::Mathml,
            unsafe_html: RawHtml::Escape,
        }
    }
}

/// `[outputs]`: derived files a large site may choose not to write. Both keys take a word or a
/// boolean (and `emails` a number), so they are read as TOML values and checked in
/// [`Config::from_raw`], where a wrong one gets its line.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawOutputs {
    /// `papers/<id>/cite.bib`, `cite.ris`, `cite.json`: `"bibtex"` (the default), `"all"` or
    /// `true`, `"none"` or `false`.
    pub citation_files: Option<toml::Value>,
    /// `digests/<slug>/email.html` and `email.txt`: for the newest N digests (default
    /// [`DEFAULT_EMAIL_DIGESTS`]), `"all"` or `true`, `false` or 0 for none.
    pub emails: Option<toml::Value>,
    /// How many of the newest digests list each paper's abstract on their page (default
    /// [`DEFAULT_ABSTRACT_DIGESTS`]), `"all"` or `true`, `false` or 0 for none. Older digests
    /// list short cards; every abstract stays on its paper's page.
    pub digest_abstracts: Option<toml::Value>,
    /// `topics/<slug>/papers.bib`: every topic's papers as BibTeX (off by default: the site's and
    /// each digest's `papers.bib` hold the same entries).
    pub topic_bibtex: bool,
    /// Paper pages also carry a COinS span and the abstract inside their JSON-LD (off by
    /// default: reference managers read the `citation_*` tags, which every page has).
    pub rich_metadata: bool,
    /// `papers.bib` at the top: every paper of the site as BibTeX (on by default; a large
    /// site's is one large file, which some hosts refuse).
    pub site_bibtex: Option<bool>,
}

/// Emails are for sending the latest digests, not an archive (issue 22): the newest ten have them.
pub const DEFAULT_EMAIL_DIGESTS: usize = 10;
/// A month of daily digests lists abstracts in full; older ones are an archive of short cards.
pub const DEFAULT_ABSTRACT_DIGESTS: usize = 30;

/// Which citation files each paper gets beside its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitationFiles {
    None,
    /// `cite.bib` only: RIS and CSL-JSON stay in the site-wide files and the page's Cite block.
    Bibtex,
    /// `cite.bib`, `cite.ris` and `cite.json`.
    All,
}

impl CitationFiles {
    /// The file names in each paper's folder.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            CitationFiles::None => &[],
            CitationFiles::Bibtex => &["cite.bib"],
            CitationFiles::All => &["cite.bib", "cite.ris", "cite.json"],
        }
    }
}

fn citation_files(value: Option<&toml::Value>) -> std::result::Result<CitationFiles, String> {
    match value {
        None => Ok(CitationFiles::Bibtex),
        Some(toml::Value::Boolean(true)) => Ok(CitationFiles::All),
        Some(toml::Value::Boolean(false)) => Ok(CitationFiles::None),
        Some(toml::Value::String(word)) => match word.as_str() {
            "bibtex" => Ok(CitationFiles::Bibtex),
            "all" => Ok(CitationFiles::All),
            "none" => Ok(CitationFiles::None),
            other => Err(format!(
                "[outputs] citation_files `{}` is not one of \"bibtex\", \"all\", \"none\"",
                other.escape_default()
            )),
        },
        Some(other) => Err(format!(
            "[outputs] citation_files: expected \"bibtex\", \"all\" or \"none\", found {}",
            a_value_of_type(other)
        )),
    }
}

/// "an integer", "a boolean": a TOML value's type, for error messages.
fn a_value_of_type(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

/// How many of the newest digests get `key` (emails, abstracts): `usize::MAX` for all,
/// `default` when unset.
fn newest_digests(
    key: &str,
    value: Option<&toml::Value>,
    default: usize,
) -> std::result::Result<usize, String> {
    match value {
        None => Ok(default),
        Some(toml::Value::Boolean(true)) => Ok(usize::MAX),
        Some(toml::Value::Boolean(false)) => Ok(0),
        Some(toml::Value::String(word)) if word == "all" => Ok(usize::MAX),
        Some(toml::Value::Integer(count)) if *count >= 0 => {
            Ok(usize::try_from(*count).unwrap_or(usize::MAX))
        }
        Some(toml::Value::Integer(count)) => Err(format!(
            "[outputs] {key} is {count}; it must be 0 or more digests"
        )),
        Some(other) => Err(format!(
            "[outputs] {key}: expected a number of digests, \"all\" or false, found {}",
            match other {
                toml::Value::String(word) => format!("`{}`", word.escape_default()),
                other => a_value_of_type(other).to_string(),
            }
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MathMode {
    /// `$…$` and `$$…$$` become MathML at build time.
    Mathml,
    /// Dollars are plain text.
    Off,
}

/// What happens to raw HTML in Markdown: `unsafe_html = false | true | "trusted"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RawHtml {
    /// `false`: raw HTML is shown as text.
    #[default]
    Escape,
    /// `true`: raw HTML is kept, then sanitised (no script, no event handlers, no `javascript:`).
    Sanitise,
    /// `"trusted"`: raw HTML is kept as written. Only for content nobody else writes.
    Trusted,
}

impl<'de> Deserialize<'de> for RawHtml {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = RawHtml;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false or \"trusted\"")
            }

            fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<RawHtml, E> {
                Ok(if value {
                    RawHtml::Sanitise
                } else {
                    RawHtml::Escape
                })
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<RawHtml, E> {
                match value {
                    "trusted" => Ok(RawHtml::Trusted),
                    other => Err(E::custom(format!(
                        "unsafe_html is true, false or \"trusted\", not \"{other}\""
                    ))),
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopics {
    /// Variant spelling → canonical topic name, matched case-insensitively.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Topic → phrases; a paper whose title or abstract holds a phrase gets the topic.
    #[serde(default)]
    pub rules: BTreeMap<String, Vec<String>>,
    /// arXiv category → topic name for `digestif import arxiv`, over the built-in table.
    #[serde(default)]
    pub arxiv_categories: BTreeMap<String, String>,
    /// Topic → a sentence or two about it, shown by themes with a research page (`lab`).
    #[serde(default)]
    pub descriptions: BTreeMap<String, String>,
}

/// `[search]`: the static search index and the `/search/` page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSearch {
    pub enabled: bool,
}

impl Default for RawSearch {
    fn default() -> Self {
        RawSearch { enabled: true }
    }
}

/// `[related]`: the related papers on every paper page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawRelated {
    pub enabled: bool,
    pub count: i64,
}

impl Default for RawRelated {
    fn default() -> Self {
        RawRelated {
            enabled: true,
            count: 5,
        }
    }
}

/// The most related papers a page can list: each is a few hundred bytes on every paper page.
pub const MAX_RELATED: usize = 20;

/// What the command line can override in `site.toml`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
    pub include_drafts: bool,
}

/// The validated configuration every later stage trusts.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    pub language: String,
    pub base: BaseUrl,
    pub theme: ThemeSource,
    pub papers_per_page: usize,
    pub digests_per_page: usize,
    pub feed_limit: usize,
    pub highlight_theme: String,
    pub highlight_theme_dark: String,
    pub math: MathMode,
    /// `[markdown] unsafe_html`.
    pub raw_html: RawHtml,
    /// Lower-cased variant → canonical display name.
    pub topic_aliases: BTreeMap<String, String>,
    /// `[topics.rules]`: topics added at build time to papers that mention a phrase.
    pub topic_rules: Vec<TopicRule>,
    /// `[topics.arxiv_categories]`: extends the importer's category table.
    pub arxiv_categories: BTreeMap<String, String>,
    pub extra: toml::Table,
    pub include_drafts: bool,
    /// `[topics.descriptions]`: canonical topic name → description.
    pub topic_descriptions: BTreeMap<String, String>,
    /// `[outputs] citation_files`: which citation files each paper's folder holds.
    pub citation_files: CitationFiles,
    /// `[outputs] emails`: how many of the newest digests get `email.html` and `email.txt`
    /// (`usize::MAX`: all).
    pub email_digests: usize,
    /// `[outputs] digest_abstracts`: how many of the newest digests list abstracts on their page
    /// (`usize::MAX`: all).
    pub abstract_digests: usize,
    /// `[outputs] topic_bibtex`: write `topics/<slug>/papers.bib`.
    pub has_topic_bibtex: bool,
    /// `[outputs] site_bibtex`: the site's `papers.bib`, every paper.
    pub has_site_bibtex: bool,
    /// `[outputs] rich_metadata`: COinS and the JSON-LD abstract on paper pages.
    pub has_rich_metadata: bool,
    /// Build the search index and the `/search/` page (`[search] enabled`).
    pub has_search: bool,
    /// How many related papers a paper page lists; `None` when `[related]` is off.
    pub related_count: Option<usize>,
    /// `[build] follow_external_links`: symbolic links may lead out of the site.
    pub follows_external_links: bool,
    /// Count each topic's papers per period and find rising topics (`[trends] enabled`).
    pub has_trends: bool,
    /// `[[sources]]`: where `digestif update` gets papers, checked.
    pub sources: Vec<RawSource>,
    /// `[digests] sort`: the order of a digest's papers when it sets none.
    pub paper_order: crate::content::raw::PaperOrder,
    /// `[deploy]`: what the host takes.
    pub budgets: Budgets,
}

/// `[deploy]`: what the host takes; past any of it a build warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// `max_size`: the whole site, in bytes.
    pub max_size: u64,
    /// `max_files`, when set.
    pub max_files: Option<u64>,
    /// `max_file_size` in bytes, when set.
    pub max_file_size: Option<u64>,
}

/// One `[topics.rules]` entry: the topic, and the phrases that give it, lower-cased with their
/// whitespace folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRule {
    pub topic: String,
    pub phrases: Vec<String>,
}

/// Where the theme's templates and static files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemeSource {
    /// `themes/<name>/` inside the site.
    Folder { name: String, path: PathBuf },
    /// The default theme compiled into the binary.
    Embedded,
    /// Another theme compiled into the binary (`lab`), used when the site has no folder of
    /// that name.
    Bundled { name: String },
}

/// The site's public address, split into the parts URLs are built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://lab.github.io` — scheme and host, no trailing slash.
    pub origin: String,
    /// `/lab-digest/` — always starts and ends with `/`.
    pub path: String,
}

/// A host name (`lab.github.io`), an IPv4 address or a bracketed IPv6 address, with an
/// optional port.
fn is_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !host.ends_with(']') => (name, Some(port)),
        _ => (host, None),
    };
    let is_port =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let is_name = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(ipv6) => {
            !ipv6.is_empty()
                && ipv6
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
        None => {
            !name.is_empty()
                && name.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
        }
    };
    is_name && is_port
}

/// A BCP 47 language tag in its common shape: a 2–3 letter language (or 4–8 letters), then
/// subtags of 1–8 letters or digits (`en`, `pt-BR`, `zh-Hant-TW`, `sr-Latn`).
fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let primary = subtags.next().unwrap_or("");
    (2..=8).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl Config {
    /// Where the site ends, for the stages that walk its folders.
    pub fn boundary(&self) -> crate::content::boundary::Boundary {
        crate::content::boundary::Boundary::new(&self.root, self.follows_external_links)
    }
}

impl BaseUrl {
    pub fn parse(input: &str) -> std::result::Result<BaseUrl, String> {
        let input = input.trim();
        let rest = input
            .strip_prefix("https://")
            .map(|r| ("https://", r))
            .or_else(|| input.strip_prefix("http://").map(|r| ("http://", r)));
        let Some((scheme, rest)) = rest else {
            return Err(format!(
                "base_url `{input}` must start with https:// or http://"
            ));
        };
        let (host, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, "/"),
        };
        // The base URL is written into every page, feed, sitemap and robots.txt: only the
        // characters a URL may hold unescaped, so it can break out of no attribute or element.
        if let Some(c) = input
            .chars()
            .find(|&c| !(c.is_ascii_graphic()) || "\"'<>`{}|^\\".contains(c))
        {
            return Err(format!(
                "base_url `{input}` holds `{}`, which a URL cannot hold as it is",
                c.escape_default()
            ));
        }
        if !is_host(host) {
            return Err(format!("base_url `{input}` has no valid host name"));
        }
        if path.contains(['?', '#', '\\']) || path.chars().any(char::is_whitespace) {
            return Err(format!(
                "base_url `{input}` may hold a path but no query, fragment or spaces"
            ));
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if segments.iter().any(|s| *s == "." || *s == "..") {
            return Err(format!("base_url `{input}` must not contain `.` or `..`"));
        }
        let mut path = String::from("/");
        for segment in segments {
            path.push_str(segment);
            path.push('/');
        }
        Ok(BaseUrl {
            origin: format!("{scheme}{host}"),
            path,
        })
    }

    /// `/lab-digest/` + `papers/x/` — a root-relative link that works under a sub-path.
    pub fn link(&self, path: &str) -> String {
        let mut out = String::with_capacity(self.path.len() + path.len());
        out.push_str(&self.path);
        out.push_str(path.trim_start_matches('/'));
        out
    }

    /// The absolute URL, for feeds, sitemaps and canonical links.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.origin, self.link(path))
    }

    pub fn full(&self) -> String {
        format!("{}{}", self.origin, self.path)
    }
}

impl Config {
    /// Reads and validates `<root>/site.toml`.
    pub fn load(root: &Path, overrides: &Overrides) -> Result<Config> {
        let path = root.join(CONFIG_FILE);
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Usage(format!(
                "no {CONFIG_FILE} in {}: this is not a Digestif site. Run digestif in a site folder, pass --root DIR, or create a site here with `digestif init`",
                root.display()
            )),
            _ => Error::io(&path, e),
        })?;
        if let Some(encoding) = crate::content::discover::wide_encoding(&bytes) {
            return Err(Error::Invalid(vec![
                crate::content::discover::wide_encoding_error(
                    Location::file(CONFIG_FILE),
                    encoding,
                ),
            ]));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let (line, column) = crate::content::discover::line_and_column(valid);
            Error::Invalid(vec![
                Diagnostic::error(
                    Location::at(CONFIG_FILE, line, Some(column)),
                    "the file is not valid UTF-8 text",
                )
                .with_hint("save the file as UTF-8 in your editor"),
            ])
        })?;
        Config::parse(root, &text, overrides)
    }

    pub fn parse(root: &Path, text: &str, overrides: &Overrides) -> Result<Config> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            Error::Invalid(vec![toml_diagnostic(Path::new(CONFIG_FILE), text, 0, &e)])
        })?;
        Config::validate(root, raw, text, overrides)
    }

    fn validate(root: &Path, raw: RawConfig, text: &str, overrides: &Overrides) -> Result<Config> {
        let mut problems = Vec::new();
        let key_location = |key: &str| {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(key))
                .map_or(1, |i| i + 1);
            Location::at(CONFIG_FILE, line, None)
        };

        let base = base_url(&raw.base_url, overrides, &mut problems, &key_location)?;
        let papers_per_page = positive(
            raw.papers_per_page,
            "papers_per_page",
            &mut problems,
            &key_location,
        );
        let digests_per_page = positive(
            raw.digests_per_page,
            "digests_per_page",
            &mut problems,
            &key_location,
        );
        let feed_limit = positive(raw.feed_limit, "feed_limit", &mut problems, &key_location);
        let related_count = related_count(&raw.related, &mut problems, &key_location);
        check_texts(&raw, &mut problems, &key_location);

        let theme = resolve_theme(root, &raw.theme).map_err(|message| {
            Diagnostic::error(key_location("theme"), message)
                .with_hint("use theme = \"default\", or add the folder themes/<name>/")
        });
        let theme = match theme {
            Ok(theme) => Some(theme),
            Err(d) => {
                problems.push(d);
                None
            }
        };

        let mut topic_aliases = BTreeMap::new();
        for (variant, canonical) in &raw.topics.aliases {
            if canonical.trim().is_empty() {
                problems.push(Diagnostic::error(
                    key_location(&format!("\"{variant}\"")),
                    format!("topic alias `{variant}` points at an empty name"),
                ));
            }
            topic_aliases.insert(topic_key(variant), canonical.trim().to_string());
        }

        let topic_rules = topic_rules(&raw.topics.rules, &mut problems, &key_location);
        let OutputSettings {
            citation_files,
            email_digests,
            abstract_digests,
        } = output_settings(&raw, &mut problems, &key_location);
        let budgets = budgets(&raw.deploy, &mut problems, &key_location);
        check_sources(&raw.sources, &mut problems, &key_location);

        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(Config {
            root: root.to_path_buf(),
            title: crate::content::clean::nfc(&raw.title).into_owned(),
            description: crate::content::clean::nfc(&raw.description).into_owned(),
            language: raw.language,
            base: base.expect("checked above"),
            theme: theme.expect("checked above"),
            papers_per_page,
            digests_per_page,
            feed_limit,
            highlight_theme: raw.markdown.highlight_theme,
            highlight_theme_dark: raw.markdown.highlight_theme_dark,
            math: raw.markdown.math,
            raw_html: raw.markdown.unsafe_html,
            topic_aliases,
            topic_rules,
            arxiv_categories: raw.topics.arxiv_categories,
            extra: raw.extra,
            include_drafts: overrides.include_drafts,
            topic_descriptions: raw.topics.descriptions,
            citation_files,
            email_digests,
            abstract_digests,
            has_topic_bibtex: raw.outputs.topic_bibtex,
            has_site_bibtex: raw.outputs.site_bibtex.unwrap_or(true),
            has_rich_metadata: raw.outputs.rich_metadata,
            has_search: raw.search.enabled,
            related_count: related_count.filter(|_| raw.related.enabled),
            follows_external_links: raw.build.follow_external_links,
            has_trends: raw.trends.enabled,
            sources: raw.sources,
            paper_order: raw.digests.sort,
            budgets,
        })
    }

    /// Whether the digest at `index` (digests are sorted newest first) gets emails.
    pub fn has_email(&self, digest_index: usize) -> bool {
        digest_index < self.email_digests
    }

    /// Whether the digest at `index` (digests are sorted newest first) lists abstracts.
    pub fn has_abstracts(&self, digest_index: usize) -> bool {
        digest_index < self.abstract_digests
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }
}

/// The site's address: `--base-url` when given, else `base_url`. A bad `base_url` is a
/// problem at its line; a bad `--base-url` is in no file, and stops at once.
fn base_url(
    written: &str,
    overrides: &Overrides,
    problems: &mut Vec<Diagnostic>,
    key_location: &dyn Fn(&str) -> Location,
) -> Result<Option<BaseUrl>> {
    match BaseUrl::parse(overrides.base_url.as_deref().unwrap_or(written)) {
        Ok(base) => Ok(Some(base)),
        Err(message) if overrides.base_url.is_some() => Err(Error::Usage(format!(
            "--base-url: {}; for example --base-url https://lab.github.io/lab-digest/",
            message.replacen("base_url", "the address", 1)
        ))),
        Err(message) => {
            problems.push(
                Diagnostic::error(key_location("base_url"), message)
                    .with_hint("for example `https://lab.github.io/lab-digest/`"),
            );
            Ok(None)
        }
    }
}

/// `[deploy] max_size` in bytes: a size string or a whole number of bytes above zero.
fn max_size(value: Option<&toml::Value>) -> std::result::Result<u64, String> {
    size_setting("max_size", value).map(|size| size.unwrap_or(DEFAULT_MAX_SIZE))
}

/// A `[deploy]` size in bytes, when set: a size string or a whole number of bytes above zero.
fn size_setting(
    key: &str,
    value: Option<&toml::Value>,
) -> std::result::Result<Option<u64>, String> {
    let problem = |why: String| format!("[deploy] {key}: {why}");
    let Some(value) = value else {
        return Ok(None);
    };
    match value {
        toml::Value::String(text) => parse_size(text).map(Some).map_err(problem),
        toml::Value::Integer(bytes) if *bytes > 0 => Ok(Some(*bytes as u64)),
        toml::Value::Integer(bytes) => {
            Err(problem(format!("{bytes} bytes is not a size above zero")))
        }
        other => Err(problem(format!(
            "expected a size such as \"1 GB\" or a number of bytes, found {}",
            a_value_of_type(other)
        ))),
    }
}

/// How topics are compared: trimmed, inner spaces folded, lower-cased.
pub fn topic_key(name: &str) -> String {
    crate::content::clean::nfc(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `[related] count` when it is in range (it is checked even with `enabled = false`).
fn related_count(
    raw: &RawRelated,
    problems: &mut Vec<Diagnostic>,
    key_location: &dyn Fn(&str) -> Location,
) -> Option<usize> {
    let related_count = usize::try_from(raw.count)
        .ok()
        .filter(|count| (1..=MAX_RELATED).contains(count));
    if related_count.is_none() {
        problems.push(
            Diagnostic::error(
                key_location("count"),
                format!(
                    "[related] count is {}; it must be between 1 and {MAX_RELATED}",
                    raw.count
                ),
            )
            .with_hint("to show no related papers, set `enabled = false` under [related]"),
        );
    }
    related_count
}

/// The site's own texts: a title, a language tag, no control characters.
fn check_texts(
    raw: &RawConfig,
    problems: &mut Vec<Diagnostic>,
    key_location: &dyn Fn(&str) -> Location,
) {
    if raw.title.trim().is_empty() {
        problems.push(Diagnostic::error(key_location("title"), "title is empty"));
    }
    if !is_language_tag(&raw.language) {
        problems.push(
            Diagnostic::error(
                key_location("language"),
                format!(
                    "language `{}` is not a language tag",
                    raw.language.escape_default()
                ),
            )
            .with_hint("use a BCP 47 tag such as \"en\", \"de\" or \"pt-BR\""),
        );
    }
    for (key, value) in [("title", &raw.title), ("description", &raw.description)] {
        if let Some(c) = value
            .chars()
            .find(|&c| crate::content::clean::is_removed_control(c))
        {
            problems.push(
                Diagnostic::error(
                    key_location(key),
                    format!("`{key}` holds the control character U+{:04X}, which no page or feed can show", c as u32),
                )
                .with_hint("remove the escape (such as \\u0001 or \\b) from the value"),
            );
        }
    }
}

/// The `[outputs]` values that need checking beyond their TOML type.
struct OutputSettings {
    citation_files: CitationFiles,
    email_digests: usize,
    abstract_digests: usize,
}

/// `[outputs] citation_files`, `emails` and `digest_abstracts` (as numbers of digests); a bad
/// value is a problem, and its default stands in until the build stops.
fn output_settings(
    raw: &RawConfig,
    problems: &mut Vec<Diagnostic>,
    key_location: &dyn Fn(&str) -> Location,
) -> OutputSettings {
    let citation_files =
        citation_files(raw.outputs.citation_files.as_ref()).unwrap_or_else(|message| {
            problems.push(Diagnostic::error(key_location("citation_files"), message).with_hint(
                "\"bibtex\" writes cite.bib for each paper, \"all\" also cite.ris and cite.json",
            ));
            CitationFiles::Bibtex
        });
    let mut newest = |key: &str, value: Option<&toml::Value>, default: usize, hint: &str| {
        newest_digests(key, value, default).unwrap_or_else(|message| {
            problems.push(Diagnostic::error(key_location(key), message).with_hint(hint));
            default
        })
    };
    let email_digests = newest(
        "emails",
        raw.outputs.emails.as_ref(),
        DEFAULT_EMAIL_DIGESTS,
        "for example emails = 10 (the newest ten digests), \"all\" or false",
    );
    let abstract_digests = newest(
        "digest_abstracts",
        raw.outputs.digest_abstracts.as_ref(),
        DEFAULT_ABSTRACT_DIGESTS,
        "for example digest_abstracts = 30 (the newest thirty digests), \"all\" or false",
    );
    OutputSettings {
        citation_files,
        email_digests,
        abstract_digests,
    }
}

/// `[deploy] max_size`, `max_files` and `max_file_size`; a bad value is a problem, and the
/// default stands in until the build stops.
fn budgets(
    raw: &RawDeploy,
    problems: &mut Vec<Diagnostic>,
    key_location: &dyn Fn(&str) -> Location,
) -> Budgets {
    let max_size = match max_size(raw.max_size.as_ref()) {
        Ok(bytes) => bytes,
        Err(message) => {
            problems.push(
                Diagnostic::error(key_location("max_size"), message)
                    .with_hint("for example max_size = \"1 GB\", \"500 MB\" or 250000000 (bytes)"),
            );
            DEFAULT_MAX_SIZE
        }
    };
    let max_files = raw.max_files.and_then(|files| {
        let checked = u64::try_from(files).ok().filter(|&files| files > 0);
        if checked.is_none() {
            problems.push(
                Diagnostic::error(
                    key_location("max_files"),
                    format!("[deploy] max_files is {files}; it must be a number of files above zero"),
                )
                .with_hint("for example max_files = 20000 (Cloudflare Pages' free plan), or leave it out for no limit"),
            );
        }
        checked
    });
    let max_file_size = size_setting("max_file_size", raw.max_file_size.as_ref())
        .unwrap_or_else(|message| {
            problems.push(
                Diagnostic::error(key_location("max_file_size"), message)
                    .with_hint("for example max_file_size = \"25 MiB\" (Cloudflare Pages), or leave it out for no limit"),
            );
            None
        });
    Budgets {
        max_size,
        max_files,
        max_file_size,
    }
}

/// Each source has what its kind needs: a query for `arxiv`, a web address for `api`.
fn check_sources(
    sources: &[RawSource],
    problems: &mut Vec<Diagnostic>,
    key_location: &dyn Fn(&str) -> Location,
) {
    for (index, source) in sources.iter().enumerate() {
        let number = index + 1;
        if source.kind == SourceKind::Arxiv
            && source.query.as_deref().is_none_or(|q| q.trim().is_empty())
        {
            problems.push(
                Diagnostic::error(
                    key_location("[[sources]]"),
                    format!("source {number} (arxiv) has no query"),
                )
                .with_hint("for example query = 'cat:cs.CL AND abs:\"diffusion\"'"),
            );
        }
        if source.kind == SourceKind::HfDaily && (source.query.is_some() || source.max.is_some()) {
            problems.push(Diagnostic::error(
                key_location("[[sources]]"),
                format!(
                    "source {number} (hf-daily) takes no query or max: it is the whole day's list"
                ),
            ));
        }
        if let Some(api) = &source.api
            && !crate::content::entry::is_safe_link(api)
        {
            problems.push(Diagnostic::error(
                key_location("api"),
                format!("source {number}: api `{api}` is not a web address"),
            ));
        }
        if source.max == Some(0) {
            problems.push(Diagnostic::error(
                key_location("max"),
                format!("source {number}: max must be at least 1"),
            ));
        }
    }
}

/// Validates `[topics.rules]`: a topic name and at least one non-empty phrase each.
fn topic_rules(
    raw: &BTreeMap<String, Vec<String>>,
    problems: &mut Vec<Diagnostic>,
    key_location: &dyn Fn(&str) -> Location,
) -> Vec<TopicRule> {
    let mut rules = Vec::with_capacity(raw.len());
    for (topic, phrases) in raw {
        let location = || key_location(&format!("\"{topic}\""));
        let phrases: Vec<String> = phrases.iter().map(|p| topic_key(p)).collect();
        if topic.trim().is_empty() || phrases.is_empty() || phrases.iter().any(String::is_empty) {
            problems.push(
                Diagnostic::error(
                    location(),
                    format!("topic rule `{topic}` needs a topic name and a list of non-empty phrases"),
                )
                .with_hint("for example \"continual learning\" = [\"continual learning\", \"catastrophic forgetting\"]"),
            );
            continue;
        }
        rules.push(TopicRule {
            topic: topic.split_whitespace().collect::<Vec<_>>().join(" "),
            phrases,
        });
    }
    rules
}

fn positive(
    value: i64,
    key: &str,
    problems: &mut Vec<Diagnostic>,
    key_location: &dyn Fn(&str) -> Location,
) -> usize {
    if value < 1 {
        problems.push(Diagnostic::error(
            key_location(key),
            format!("{key} must be 1 or more, not {value}"),
        ));
        return 1;
    }
    usize::try_from(value).unwrap_or(usize::MAX)
}

fn resolve_theme(root: &Path, name: &str) -> std::result::Result<ThemeSource, String> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(format!("theme `{name}` is not a folder name"));
    }
    let path = root.join("themes").join(name);
    if path.is_dir() {
        return Ok(ThemeSource::Folder {
            name: name.to_string(),
            path,
        });
    }
    if name == "default" {
        return Ok(ThemeSource::Embedded);
    }
    if crate::theme_bundle::bundled_theme(name).is_some() {
        return Ok(ThemeSource::Bundled {
            name: name.to_string(),
        });
    }
    Err(format!(
        "theme `{name}` not found: there is no folder {}",
        Path::new("themes").join(name).display()
    ))
}

/// Parses a size as `site.toml` writes it: "1 GB", "500 MB", "1.5GB", "200 KiB", "1000 B".
/// Units: B, KB, MB, GB (powers of 1000) and KiB, MiB, GiB (powers of 1024), any case.
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{}` does not start with a number", text.escape_default()))?;
    let unit = unit.trim();
    let factor: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "`{}` is not a unit: use B, KB, MB, GB, KiB, MiB or GiB",
                unit.escape_default()
            ));
        }
    };
    let bytes = (number * factor).round();
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!(
            "`{}` is not a size above zero",
            text.escape_default()
        ));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_keeps_sub_path_and_adds_trailing_slash() {
        let base = BaseUrl::parse("https://lab.github.io/lab-digest").unwrap();
        assert_eq!(base.origin, "https://lab.github.io");
        assert_eq!(base.path, "/lab-digest/");
        assert_eq!(base.link("papers/x/"), "/lab-digest/papers/x/");
        assert_eq!(base.link("/topics/"), "/lab-digest/topics/");
        assert_eq!(
            base.permalink("feed.xml"),
            "https://lab.github.io/lab-digest/feed.xml"
        );
    }

    #[test]
    fn base_url_at_domain_root() {
        let base = BaseUrl::parse("http://localhost:1111").unwrap();
        assert_eq!(base.path, "/");
        assert_eq!(base.link(""), "/");
    }

    #[test]
    fn base_url_rejects_bad_input() {
        for bad in [
            "lab.github.io",
            "ftp://x/",
            "https:///x",
            "https://x/a?b",
            "https://x/../y",
            "https://x.org/\"><script>",
            "https://x.org/<a>",
            "https://x.org/a'b",
            "https://ex ample.org/",
            "https://x_y.org/",
            "https://x.org:80a/",
            "https://-x.org/",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "https://lab.github.io/lab-digest/",
            "http://127.0.0.1:1111/",
            "http://[::1]:8080/x/",
            "https://x.org/a%20b/",
        ] {
            assert!(BaseUrl::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn language_is_a_language_tag() {
        for good in ["en", "pt-BR", "zh-Hant-TW", "sr-Latn"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in [
            "",
            "e",
            "en_US",
            "en\"><script>",
            "en-",
            "en--GB",
            "toolonglanguage",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn unknown_key_suggests_the_nearest_known_one() {
        let err = Config::parse(
            Path::new("/nonexistent"),
            "title = \"t\"\nbase_url = \"https://x.org/\"\npapers_per_pgae = 3\n",
            &Overrides::default(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("site.toml:3:1"), "{text}");
        assert!(text.contains("did you mean `papers_per_page`"), "{text}");
    }

    #[test]
    fn zero_page_size_is_an_error() {
        let err = Config::parse(
            Path::new("/nonexistent"),
            "title = \"t\"\nbase_url = \"https://x.org/\"\npapers_per_page = 0\n",
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("site.toml:3: error: papers_per_page must be 1 or more")
        );
    }

    #[test]
    fn unsafe_html_takes_a_bool_or_trusted() {
        let parse = |value: &str| {
            Config::parse(
                Path::new("/nonexistent"),
                &format!(
                    "title = \"t\"\nbase_url = \"https://x.org/\"\n[markdown]\nunsafe_html = {value}\n"
                ),
                &Overrides::default(),
            )
        };
        assert_eq!(parse("false").unwrap().raw_html, RawHtml::Escape);
        assert_eq!(parse("true").unwrap().raw_html, RawHtml::Sanitise);
        assert_eq!(parse("\"trusted\"").unwrap().raw_html, RawHtml::Trusted);
        let error = parse("\"yes\"").unwrap_err().to_string();
        assert!(
            error.contains(
                "site.toml:4:15: error: unsafe_html is true, false or \"trusted\", not \"yes\""
            ),
            "{error}"
        );
        assert!(
            parse("1")
                .unwrap_err()
                .to_string()
                .contains("expected true, false or \"trusted\"")
        );
    }

    #[test]
    fn topic_rules_are_read_and_checked() {
        let config = Config::parse(
            Path::new("/nonexistent"),
            "title = \"t\"\nbase_url = \"https://x.org/\"\n[topics.rules]\n\"continual learning\" = [\"Continual  Learning\", \"catastrophic forgetting\"]\n",
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(
            config.topic_rules,
            [TopicRule {
                topic: "continual learning".into(),
                phrases: vec![
                    "continual learning".into(),
                    "catastrophic forgetting".into()
                ],
            }]
        );
        let err = Config::parse(
            Path::new("/nonexistent"),
            "title = \"t\"\nbase_url = \"https://x.org/\"\n[topics.rules]\n\"x\" = []\n",
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("site.toml:4: error: topic rule `x`"),
            "{err}"
        );
    }

    #[test]
    fn topic_keys_fold_case_and_spaces() {
        assert_eq!(topic_key("  Diffusion   Models "), "diffusion models");
    }
}
