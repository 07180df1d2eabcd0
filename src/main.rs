//! The `digestif` binary: parses arguments, calls the library, prints results, sets the exit code.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use digestif::cli::{CheckArgs, CheckFormat, Cli, Command};
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
                replace_output_dir: args.replace_output_dir,
            };
            finish(digestif::build(&options), "built", args.quiet, args.verbose)
        }
        Command::Serve(args) => {
            let options = digestif::serve::ServeOptions {
                root: args.root,
                bind: args.bind,
                port: args.port,
                include_drafts: args.drafts,
                open_browser: args.open,
                allowed_hosts: args.allow_host,
            };
            match digestif::serve::serve(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("{}", colour_labels(&error.to_string()));
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check(args) => check(args),
        Command::Update(args) => update(&args),
        Command::Import(args) => import(&args),
        Command::Init(args) => {
            let options = digestif::commands::init::InitOptions {
                dir: args.dir,
                theme: args.theme,
                title: args.title,
                base_url: args.base_url,
                force: args.force,
                today: jiff::ZonedDateTime::now().date(),
                install_from: args.install_from,
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

fn check(args: CheckArgs) -> ExitCode {
    use digestif::check::{CheckOptions, ExternalOptions, Settings, format};
    let external = args.external.then(|| ExternalOptions {
        timeout: Duration::from_secs(args.timeout.max(1)),
        jobs: args.jobs.max(1),
        per_host: args.per_host.max(1),
        host_interval: Duration::from_millis(args.host_interval),
        cache: Some(args.root.join(".digestif").join("link-cache.json")),
    });
    let options = CheckOptions {
        root: args.root.clone(),
        overrides: Overrides {
            base_url: args.base_url,
            include_drafts: args.drafts,
        },
        settings: Settings { external },
    };
    let report = digestif::check_site(&options);
    match args.format {
        CheckFormat::Human => {
            for finding in &report.findings {
                eprintln!("{}", colour_labels(&finding.to_string()));
            }
            println!("{}", report.summary());
        }
        CheckFormat::Json => {
            for finding in &report.findings {
                println!("{}", format::json_line(finding));
            }
            eprintln!("{}", report.summary());
        }
        CheckFormat::Github => {
            // Annotations name files from the repository root, where the workflow runs.
            let prefix = std::env::current_dir()
                .ok()
                .and_then(|cwd| args.root.strip_prefix(cwd).ok().map(Path::to_path_buf))
                .unwrap_or_else(|| args.root.clone());
            for finding in &report.findings {
                println!("{}", format::github_line(finding, &prefix));
            }
            eprintln!("{}", report.summary());
        }
    }
    if report.errors() > 0 || (args.deny_warnings && report.warnings() > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn update(args: &digestif::cli::UpdateArgs) -> ExitCode {
    use digestif::commands::update;
    let seconds =
        |value: f64| (value.is_finite() && value >= 0.0).then(|| Duration::from_secs_f64(value));
    let date = match args
        .date
        .as_deref()
        .map(|d| d.trim().parse::<jiff::civil::Date>())
    {
        None => None,
        Some(Ok(date)) => Some(date),
        Some(Err(_)) => {
            eprintln!("--date must be a date, YYYY-MM-DD, such as 2024-03-11");
            return ExitCode::FAILURE;
        }
    };
    let (Some(timeout), Some(delay)) = (
        seconds(args.timeout).filter(|t| !t.is_zero()),
        args.delay.map_or(Some(None), |d| seconds(d).map(Some)),
    ) else {
        eprintln!("--timeout and --delay are numbers of seconds (--timeout more than 0)");
        return ExitCode::FAILURE;
    };
    let options = update::UpdateOptions {
        root: args.root.clone(),
        date,
        dry_run: args.dry_run,
        today: jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date(),
        timeout,
        retries: args.retries,
        delay,
    };
    match update::run(&options) {
        Ok(report) => {
            print_warnings(&report.warnings, false);
            for line in &report.lines {
                println!("{line}");
            }
            let verb = if args.dry_run { "would write" } else { "wrote" };
            match report.changed.len() {
                0 => println!("nothing changed"),
                _ => {
                    for file in &report.changed {
                        println!("{verb} {}", file.display());
                    }
                }
            }
            if report.failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            eprintln!("{}", colour_labels(&error.to_string()));
            ExitCode::FAILURE
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
                print_warnings(&report.warnings, import::output_args(&args.source).verbose);
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

fn finish(
    result: digestif::Result<digestif::BuildReport>,
    verb: &str,
    quiet: bool,
    verbose: bool,
) -> ExitCode {
    match result {
        Ok(report) => {
            if !quiet {
                print_warnings(&report.warnings, verbose);
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

/// Each warning, or with `verbose` off, one line for each kind that occurs three times or more.
fn print_warnings(warnings: &[Diagnostic], verbose: bool) {
    if verbose {
        for warning in warnings {
            eprintln!("{}", colour_labels(&warning.to_string()));
        }
        return;
    }
    for line in digestif::report::summarise(warnings) {
        eprintln!("{}", colour_labels(&line));
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
