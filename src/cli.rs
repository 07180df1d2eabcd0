//! Command-line arguments (clap derive types only).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "digestif",
    version,
    about = "Build a static website from digests of research papers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default: public/).
    Build(BuildArgs),
    /// Run every step of a build except writing, and report problems.
    Check(CheckArgs),
    /// Build, serve the site locally, rebuild on every save and reload the browser.
    Serve(ServeArgs),
    /// Write a digest file from arXiv, DOIs, BibTeX, CSL-JSON or a pasted list of papers.
    Import(ImportArgs),
    /// Create a new site (site.toml, a sample digest, .gitignore, a GitHub Pages workflow).
    Init(InitArgs),
    /// Fetch the day's papers from the [[sources]] of site.toml into content/<YYYY>/<date>.md.
    ///
    /// Exit status: 0 when every source worked, whether or not it found new papers; 1 when a
    /// source failed (it is reported and writes nothing; the others still run) or the site
    /// cannot be read.
    Update(UpdateArgs),
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The day to fetch, YYYY-MM-DD (default: each source's last complete day, in UTC).
    #[arg(long)]
    pub date: Option<String>,
    /// Say what would change, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Seconds to wait for each request.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// Further attempts after a 5xx answer, a 429 or a timeout.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Seconds between two requests to one service (default: each service's own).
    #[arg(long, value_name = "SECONDS")]
    pub delay: Option<f64>,
}

/// The theme `digestif init` starts a site with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum InitTheme {
    #[default]
    Default,
    Lab,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// `default` for a digest site, `lab` for a research group's site with people and
    /// publications.
    #[arg(long, value_enum, default_value_t)]
    pub theme: InitTheme,
    /// The site's title.
    #[arg(long)]
    pub title: Option<String>,
    /// The site's public address, e.g. https://our-lab.github.io/site/.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Write into a folder that is not empty, replacing files of the same name (.gitignore is
    /// extended). A fresh repository (only .git, README, LICENSE, .gitignore) needs no --force.
    #[arg(long)]
    pub force: bool,
    /// Where the generated workflow installs Digestif from: `git+https://…/repo[#REV]` for an
    /// unreleased build. By default, crates.io at this version.
    #[arg(long, value_name = "git+URL[#REV]")]
    pub install_from: Option<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site; replaced as a whole on success. An existing folder is replaced
    /// only if it is empty or an earlier build wrote it.
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Replace the output folder even if it holds files Digestif did not write (they are
    /// deleted). The site's sources, the home folder and other sites are never replaced.
    #[arg(long)]
    pub replace_output_dir: bool,
    /// Override site.toml's base_url, e.g. for a GitHub Pages project URL.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include digests marked draft = true.
    #[arg(long)]
    pub drafts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// List every warning on its own line instead of one line for each kind.
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include digests marked draft = true.
    #[arg(long)]
    pub drafts: bool,
    /// Check as if site.toml's base_url were this, e.g. the GitHub Pages project URL.
    #[arg(long)]
    pub base_url: Option<String>,
    /// How to print findings: for people, one JSON object per line, or GitHub Actions annotations.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Exit with 1 on warnings too, not only on errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also request every link to another site (network); answers that were fine are cached
    /// for a day in .digestif/link-cache.json.
    #[arg(long)]
    pub external: bool,
    /// Seconds to wait for each external link.
    #[arg(
        long,
        default_value_t = 10,
        value_name = "SECONDS",
        requires = "external"
    )]
    pub timeout: u64,
    /// External links requested at once.
    #[arg(long, default_value_t = 8, value_name = "N", requires = "external")]
    pub jobs: usize,
    /// External links requested at once from one host (arXiv, GitHub…), so a site with
    /// thousands of links to one host does not get rate-limited there.
    #[arg(long, default_value_t = 2, value_name = "N", requires = "external")]
    pub per_host: usize,
    /// The least time between two requests to one host, in milliseconds.
    #[arg(long, default_value_t = 100, value_name = "MS", requires = "external")]
    pub host_interval: u64,
}

/// Output formats of `digestif check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `file:line: error: message`, the source line and a hint, on standard error.
    Human,
    /// One JSON object per finding and line, on standard output.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), on standard output.
    Github,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address exposes the preview to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Include digests marked draft = true.
    #[arg(long)]
    pub drafts: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Also answer requests for this host name (repeatable). By default the preview answers only
    /// to localhost and IP addresses, so that no other site can read it through DNS rebinding.
    #[arg(long, value_name = "NAME")]
    pub allow_host: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// Papers from arXiv: by id (2310.14189, 2310.14189v2, hep-th/9901001), by --query, or
    /// from a saved API response (--file).
    Arxiv {
        /// arXiv ids or abs/pdf links.
        ids: Vec<String>,
        /// An arXiv search query instead of ids, e.g. 'cat:cs.LG AND ti:consistency'.
        #[arg(long, conflicts_with_all = ["ids", "file"])]
        query: Option<String>,
        /// Most papers a --query imports.
        #[arg(long, default_value_t = 50, requires = "query")]
        max: usize,
        /// Order of --query results.
        #[arg(long, value_enum, default_value_t, requires = "query")]
        sort: crate::import::arxiv::SortOrder,
        /// A saved arXiv API response (Atom XML) instead of asking arXiv.
        #[arg(long, conflicts_with = "ids")]
        file: Option<PathBuf>,
        #[command(flatten)]
        network: NetworkArgs,
        #[command(flatten)]
        output: ImportOutputArgs,
    },
    /// Papers by DOI, from doi.org (CSL-JSON content negotiation).
    Doi {
        /// DOIs, with or without https://doi.org/.
        #[arg(required = true)]
        dois: Vec<String>,
        #[command(flatten)]
        network: NetworkArgs,
        #[command(flatten)]
        output: ImportOutputArgs,
    },
    /// Every entry of a BibTeX or BibLaTeX file (`-` reads standard input).
    Bibtex {
        file: PathBuf,
        #[command(flatten)]
        output: ImportOutputArgs,
    },
    /// Every item of a CSL-JSON export (Zotero, Mendeley, doi.org).
    CslJson {
        file: PathBuf,
        #[command(flatten)]
        output: ImportOutputArgs,
    },
    /// Hugging Face's daily papers of one day (--date, default: today in UTC, or yesterday while
    /// today's list is still empty), most voted first. Importing the same day again updates the
    /// votes, comments, code and project links and thumbnails of the papers already there.
    Hf {
        #[command(flatten)]
        network: NetworkArgs,
        #[command(flatten)]
        output: ImportOutputArgs,
    },
    /// A list pasted from a daily-papers page: title lines, each followed by its abstract.
    Text {
        file: PathBuf,
        /// Year of a day such as "Mar 11" found in the list (default: this year).
        #[arg(long)]
        year: Option<i16>,
        /// Import a line with no abstract after it as a title-only paper. By default such lines
        /// are page furniture (headers, taglines, credits, buttons) and are skipped.
        #[arg(long)]
        keep_titles: bool,
        #[command(flatten)]
        output: ImportOutputArgs,
    },
}

/// Where and how an import writes its digest file.
#[derive(Debug, Args, Clone)]
pub struct ImportOutputArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The digest file to write, relative to --root (default: content/<date>.md); `-` prints it.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The digest's title, for a new file.
    #[arg(long)]
    pub title: Option<String>,
    /// The digest's date, YYYY-MM-DD (default: the list's own day, else today).
    #[arg(long)]
    pub date: Option<String>,
    /// Update papers already in the file with the imported metadata, or replace a file that is
    /// not a readable digest.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// List every warning on its own line instead of one line for each kind.
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
}

/// How the arXiv and DOI importers talk to their service.
#[derive(Debug, Args, Clone)]
pub struct NetworkArgs {
    /// The service's address (default: the real one; env DIGESTIF_ARXIV_API / DIGESTIF_DOI_API).
    #[arg(long)]
    pub api: Option<String>,
    /// Seconds between two requests (default: 3 for arXiv, as arXiv asks, 1 for doi.org).
    #[arg(long)]
    pub delay: Option<f64>,
    /// Seconds before a request is given up. The waits between attempts of an import add up to
    /// at most this times --retries (120 s at most).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Further attempts after a 5xx answer or a timeout, waiting longer each time.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
}
