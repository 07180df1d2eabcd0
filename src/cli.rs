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
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site; replaced as a whole on success.
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Override site.toml's base_url, e.g. for a GitHub Pages project URL.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include digests marked draft = true.
    #[arg(long)]
    pub drafts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
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
