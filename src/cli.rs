//! Command-line arguments (clap derive types only).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
}
