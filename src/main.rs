//! The `digestif` binary: parses arguments, calls the library, prints results, sets the exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use digestif::cli::{Cli, Command};
use digestif::{BuildOptions, Diagnostic, Overrides};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => {
            let options = BuildOptions {
                root: args.root,
                output_dir: args.output_dir,
                overrides: Overrides {
                    base_url: args.base_url,
                    include_drafts: args.drafts,
                },
                show_progress: !args.quiet,
            };
            finish(digestif::build(&options), "built", args.quiet)
        }
        Command::Serve(args) => {
            let options = digestif::serve::ServeOptions {
                root: args.root,
                bind: args.bind,
                port: args.port,
                include_drafts: args.drafts,
                open_browser: args.open,
            };
            match digestif::serve::serve(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("{}", colour_labels(&error.to_string()));
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check(args) => {
            let mut options = BuildOptions::new(args.root);
            options.overrides.include_drafts = args.drafts;
            finish(digestif::check(&options), "checked", false)
        }
        Command::Import(args) => import(&args),
        Command::Init(args) => {
            let options = digestif::commands::init::InitOptions {
                dir: args.dir,
                theme: args.theme,
                title: args.title,
                base_url: args.base_url,
                force: args.force,
                today: jiff::ZonedDateTime::now().date(),
            };
            match digestif::commands::init::run(&options) {
                Ok(report) => {
                    println!("{}", report.summary());
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("{}", colour_labels(&error.to_string()));
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn import(args: &digestif::cli::ImportArgs) -> ExitCode {
    use digestif::commands::import;
    let quiet = import::output_args(&args.source).quiet;
    let today = jiff::ZonedDateTime::now().date();
    match import::run(args, today, true) {
        Ok(report) => {
            if !quiet {
                print_warnings(&report.warnings);
            }
            match &report.printed {
                Some(text) => print!("{text}"),
                None if !quiet => println!("{}", report.summary()),
                None => {}
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}", colour_labels(&error.to_string()));
            ExitCode::FAILURE
        }
    }
}

fn finish(result: digestif::Result<digestif::BuildReport>, verb: &str, quiet: bool) -> ExitCode {
    match result {
        Ok(report) => {
            if !quiet {
                print_warnings(&report.warnings);
                println!("{}", report.summary(verb));
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}", colour_labels(&error.to_string()));
            ExitCode::FAILURE
        }
    }
}

fn print_warnings(warnings: &[Diagnostic]) {
    for warning in warnings {
        eprintln!("{}", colour_labels(&warning.to_string()));
    }
}

/// Colours `error:` and `warning:` labels on a terminal, leaving piped output plain.
fn colour_labels(text: &str) -> String {
    if !std::io::stderr().is_terminal() || std::env::var_os("NO_COLOR").is_some() {
        return text.to_string();
    }
    text.replace(": error: ", ": \x1b[1;31merror\x1b[0m: ")
        .replace(": warning: ", ": \x1b[1;33mwarning\x1b[0m: ")
}

// glibc's allocator spent a quarter of a large build in malloc and free across threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
