//! Times the `digestif import` command (the release binary, one process a run, warnings printed
//! and all) on generated inputs: BibTeX, CSL-JSON, a pasted list and a saved arXiv response of N
//! entries each, imported into a new digest file, then again into the same file (every paper
//! already there). Then inputs made to cost time or memory (issue 23), each imported once. Prints
//! the median, fastest and slowest run (wall time), the median CPU time (user + system) and the
//! peak memory (GNU time's maximum resident set).
//!
//! ```text
//! cargo build --release --bins --examples
//! target/release/examples/import_bench [--sizes "10000 50000"] [--runs 5] [--dir /dev/shm]
//! ```
//!
//! Entries are about 500 bytes written (a title, three to six authors, a date, a venue, an arXiv
//! id or DOI, two topics and a 250-character abstract), so that 50,000 fit in the 32 MB a digest
//! file may hold; one in fifty is listed twice, to be merged.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The value after `name` on the command line: `--runs 5`.
fn flag(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

/// A small fixed-seed generator: numbers below `n`.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "learning",
    "diffusion",
    "graph",
    "neural",
    "robust",
    "sparse",
    "policy",
    "language",
    "vision",
    "transformer",
    "attention",
    "optimal",
    "stochastic",
    "kernel",
    "causal",
    "contrastive",
    "federated",
    "generative",
    "bayesian",
    "retrieval",
];
const FAMILY: &[&str] = &[
    "Song",
    "Müller",
    "García",
    "Nguyen",
    "Smith",
    "Kowalski",
    "Rossi",
    "Tanaka",
    "Okafor",
    "Johansson",
];
const GIVEN: &[&str] = &[
    "Yang", "Anna", "José", "Linh", "John", "Zofia", "Marco", "Yuki", "Chidi", "Erik",
];
const TOPICS: &[&str] = &[
    "machine learning",
    "computer vision",
    "robotics",
    "diffusion",
    "graphs",
    "theory",
];

/// One generated paper, written out by each format's writer.
struct Paper {
    title: String,
    authors: Vec<(&'static str, &'static str)>,
    year: usize,
    month: usize,
    venue: &'static str,
    arxiv: Option<String>,
    doi: Option<String>,
    topics: [&'static str; 2],
    summary: String,
}

fn papers(n: usize, seed: u64) -> Vec<Paper> {
    let mut rng = Rng(seed);
    let mut out: Vec<Paper> = Vec::with_capacity(n);
    for i in 0..n {
        if i % 50 == 49 {
            // Listed twice: the same arXiv id or DOI and title again.
            let first = &out[rng.below(out.len())];
            out.push(Paper {
                title: first.title.clone(),
                authors: first.authors.clone(),
                arxiv: first.arxiv.clone(),
                doi: first.doi.clone(),
                summary: first.summary.clone(),
                ..*first
            });
            continue;
        }
        let words: Vec<&str> = (0..6).map(|_| rng.pick(WORDS)).collect();
        let title = format!(
            "{} {} for {} {} {} {i}",
            capital(words[0]),
            words[1],
            words[2],
            words[3],
            words[4]
        );
        let authors = (0..3 + rng.below(4))
            .map(|_| (rng.pick(GIVEN), rng.pick(FAMILY)))
            .collect();
        let mut summary = String::from("We study ");
        while summary.len() < 240 {
            summary.push_str(rng.pick(WORDS));
            summary.push_str(if rng.below(12) == 0 {
                " with $O(n^2)$ cost "
            } else {
                " "
            });
        }
        summary.push_str("and show it works.");
        let (arxiv, doi) = if i % 2 == 0 {
            (
                Some(format!(
                    "{:02}{:02}.{:05}",
                    10 + i / 99_999 % 14,
                    1 + i % 12,
                    i % 99_999
                )),
                None,
            )
        } else {
            (None, Some(format!("10.{}/bench.{i}", 1000 + i % 500)))
        };
        out.push(Paper {
            title,
            authors,
            year: 2010 + rng.below(15),
            month: 1 + rng.below(12),
            venue: rng.pick(&[
                "NeurIPS",
                "ICML",
                "ICLR",
                "Journal of Machine Learning Research",
            ]),
            arxiv,
            doi,
            topics: [rng.pick(TOPICS), rng.pick(TOPICS)],
            summary,
        });
    }
    out
}

fn capital(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn bibtex(papers: &[Paper]) -> String {
    let mut out = String::from("@string{jmlr = {Journal of Machine Learning Research}}\n\n");
    for (i, p) in papers.iter().enumerate() {
        let authors: Vec<String> = p.authors.iter().map(|(g, f)| format!("{f}, {g}")).collect();
        let _ = write!(
            out,
            "@article{{key{i},\n  title = {{{{{}}}}},\n  author = {{{}}},\n  year = {}, month = {},\n  journal = {},\n  keywords = {{{}, {}}},\n  abstract = {{{}}},\n",
            p.title,
            authors.join(" and ").replace('ü', "{\\\"u}"),
            p.year,
            [
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
            ][p.month - 1],
            if p.venue.starts_with("Journal") {
                "jmlr".to_string()
            } else {
                format!("{{{}}}", p.venue)
            },
            p.topics[0],
            p.topics[1],
            p.summary
        );
        match (&p.arxiv, &p.doi) {
            (Some(id), _) => {
                let _ = writeln!(out, "  eprint = {{{id}}}, archivePrefix = {{arXiv}}");
            }
            (_, Some(doi)) => {
                let _ = writeln!(out, "  doi = {{{doi}}}");
            }
            _ => {}
        }
        out.push_str("}\n\n");
    }
    out
}

fn csl_json(papers: &[Paper]) -> String {
    let items: Vec<serde_json::Value> = papers
        .iter()
        .map(|p| {
            serde_json::json!({
                "type": "article-journal",
                "title": p.title,
                "author": p.authors.iter().map(|(g, f)| serde_json::json!({"given": g, "family": f})).collect::<Vec<_>>(),
                "issued": {"date-parts": [[p.year, p.month]]},
                "container-title": p.venue,
                "DOI": p.doi.clone().unwrap_or_else(|| format!("10.48550/arXiv.{}", p.arxiv.as_deref().unwrap_or(""))),
                "keyword": format!("{}, {}", p.topics[0], p.topics[1]),
                "abstract": format!("<jats:p>{}</jats:p>", p.summary),
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).expect("JSON")
}

fn pasted(papers: &[Paper]) -> String {
    let mut out = String::from("Daily Papers\nby AK and the research community\nMar 11\n\n");
    for p in papers {
        let _ = write!(out, "{}\n{}\n\n", p.title, p.summary);
    }
    out
}

fn atom(papers: &[Paper]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\">\n",
    );
    for (i, p) in papers.iter().enumerate() {
        let id = p.arxiv.clone().unwrap_or_else(|| {
            format!(
                "{:02}{:02}.{:05}",
                20 + i / 99_999 % 5,
                1 + i % 12,
                i % 99_999
            )
        });
        let _ = write!(
            out,
            "<entry><id>http://arxiv.org/abs/{id}v1</id><published>{}-{:02}-15T12:00:00Z</published><updated>{}-{:02}-15T12:00:00Z</updated><title>{}</title><summary>{}</summary>",
            p.year, p.month, p.year, p.month, p.title, p.summary
        );
        for (given, family) in &p.authors {
            let _ = write!(out, "<author><name>{given} {family}</name></author>");
        }
        let _ = writeln!(
            out,
            "<link title=\"pdf\" href=\"http://arxiv.org/pdf/{id}v1\"/><arxiv:primary_category term=\"cs.LG\"/><category term=\"cs.LG\"/><category term=\"stat.ML\"/></entry>"
        );
    }
    out.push_str("</feed>\n");
    out
}

/// One run of the `digestif` binary: `digestif import ARGS --root SITE`, under GNU time for its
/// peak memory when /usr/bin/time is there.
struct Run {
    elapsed: Duration,
    /// User and system time, which other jobs on the machine disturb less than wall time.
    cpu: Option<Duration>,
    peak_mb: Option<f64>,
    /// The summary line, or the first line of the error.
    outcome: String,
    ok: bool,
}

fn import(binary: &Path, site: &Path, args: &[&str]) -> Run {
    let time_log = site.join("time.log");
    let has_time = Path::new("/usr/bin/time").exists();
    let mut command = if has_time {
        let mut command = std::process::Command::new("/usr/bin/time");
        command
            .args(["-f", "%M %U %S", "-o"])
            .arg(&time_log)
            .arg(binary);
        command
    } else {
        std::process::Command::new(binary)
    };
    command.arg("import").args(args).arg("--root").arg(site);
    let started = Instant::now();
    let output = command.output().expect("digestif runs");
    let elapsed = started.elapsed();
    let log = std::fs::read_to_string(&time_log).unwrap_or_default();
    let figures: Vec<f64> = log
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let (peak_mb, cpu) = match figures[..] {
        [kb, user, system] => (
            Some(kb / 1024.0),
            Some(Duration::from_secs_f64(user + system)),
        ),
        _ => (None, None),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The summary up to the source ("imported 9800 papers"), or the first error.
    let outcome = if output.status.success() {
        stdout.lines().last().and_then(|l| l.split(" from ").next())
    } else {
        stderr.lines().find(|l| l.contains("error:"))
    };
    Run {
        elapsed,
        cpu,
        peak_mb,
        outcome: outcome.unwrap_or_default().to_string(),
        ok: output.status.success(),
    }
}

/// The number of papers a summary line names: "imported 9800 papers from …".
fn papers_in(summary: &str) -> usize {
    summary
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

struct Timing {
    median: Duration,
    min: Duration,
    max: Duration,
    median_cpu: Option<Duration>,
    peak_mb: Option<f64>,
}

/// Times `runs` imports, after `prepare` each time; panics when one fails.
fn time(runs: usize, mut prepare: impl FnMut(), mut step: impl FnMut() -> Run) -> (Timing, String) {
    let mut times = Vec::with_capacity(runs);
    let mut cpus = Vec::with_capacity(runs);
    let mut peak: Option<f64> = None;
    let mut outcome = String::new();
    for _ in 0..runs {
        prepare();
        let run = step();
        assert!(run.ok, "the import failed: {}", run.outcome);
        times.push(run.elapsed);
        cpus.extend(run.cpu);
        peak = run.peak_mb.map(|p| peak.map_or(p, |q: f64| q.max(p)));
        outcome = run.outcome;
    }
    times.sort();
    cpus.sort();
    let timing = Timing {
        median: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
        median_cpu: cpus.get(cpus.len() / 2).copied(),
        peak_mb: peak,
    };
    (timing, outcome)
}

fn row(name: &str, n: usize, papers: usize, input_mb: f64, timing: &Timing) {
    let s = |d: Duration| d.as_secs_f64();
    println!(
        "{name:<22} {n:>7} {papers:>7} {input_mb:>9.1} {:>9.3} {:>9.3} {:>9.3} {:>9} {:>9}",
        s(timing.median),
        s(timing.min),
        s(timing.max),
        timing
            .median_cpu
            .map_or("?".into(), |c| format!("{:.3}", s(c))),
        timing.peak_mb.map_or("?".into(), |p| format!("{p:.0}"))
    );
}

fn main() {
    let sizes: Vec<usize> = flag("--sizes")
        .unwrap_or_else(|| "10000 50000".into())
        .split_whitespace()
        .map(|s| s.parse().expect("--sizes takes numbers"))
        .collect();
    let runs: usize = flag("--runs").map_or(5, |r| r.parse().expect("--runs takes a number"));
    let base = flag("--dir").map(PathBuf::from).unwrap_or_else(|| {
        if Path::new("/dev/shm").is_dir() {
            "/dev/shm".into()
        } else {
            std::env::temp_dir()
        }
    });
    let work = tempfile::tempdir_in(&base).expect("a working folder");
    let site = work.path().join("site");
    std::fs::create_dir_all(site.join("content")).expect("the site folder");
    std::fs::write(
        site.join("site.toml"),
        "title = \"Bench\"\nbase_url = \"https://example.org/\"\n",
    )
    .expect("site.toml");
    let out = site.join("content/bench.md");
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("digestif")))
        .filter(|binary| binary.exists())
        .expect("target/release/digestif: run cargo build --release --bins --examples first");
    println!(
        "import_bench: {} CPUs, {runs} runs each, files in {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        base.display()
    );
    println!(
        "{:<22} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "importer",
        "entries",
        "papers",
        "input MB",
        "median s",
        "min s",
        "max s",
        "CPU s",
        "peak MB"
    );
    type Writer = fn(&[Paper]) -> String;
    let formats: [(&str, &[&str], &str, Writer); 4] = [
        ("bibtex", &["bibtex"], "bib", bibtex),
        ("csl-json", &["csl-json"], "json", csl_json),
        ("text", &["text"], "txt", pasted),
        ("arxiv --file", &["arxiv", "--file"], "xml", atom),
    ];
    for &n in &sizes {
        let generated = papers(n, 42);
        for (name, importer, extension, writer) in formats {
            let input = work.path().join(format!("input-{n}.{extension}"));
            let text = writer(&generated);
            std::fs::write(&input, &text).expect("the input file");
            let input_mb = text.len() as f64 / 1e6;
            drop(text);
            let mut args: Vec<&str> = importer.to_vec();
            args.extend([
                input.to_str().expect("a UTF-8 path"),
                "--out",
                "content/bench.md",
            ]);
            let (new, summary) = time(
                runs,
                || {
                    let _ = std::fs::remove_file(&out);
                },
                || import(&binary, &site, &args),
            );
            let papers = papers_in(&summary);
            row(name, n, papers, input_mb, &new);
            let (again, _) = time(runs, || {}, || import(&binary, &site, &args));
            row(&format!("{name} (again)"), n, papers, input_mb, &again);
            let _ = std::fs::remove_file(&input);
        }
    }
    adversarial(&binary, work.path(), &site);
}

/// Inputs made to cost time or memory: each is read, or refused, once.
fn adversarial(binary: &Path, work: &Path, site: &Path) {
    let mut bomb = String::from("@string{s0 = \"ab\"}\n");
    for i in 1..40 {
        let _ = writeln!(bomb, "@string{{s{i} = s{} # s{}}}", i - 1, i - 1);
    }
    bomb.push_str("@misc{x, title = s39}\n");
    let depth = 70_000;
    let cases: Vec<(&str, &[&str], String)> = vec![
        ("100 KB of @", &["bibtex"], "@".repeat(100_000)),
        ("40-line @string bomb", &["bibtex"], bomb),
        (
            "70,000 nested braces",
            &["bibtex"],
            format!(
                "@misc{{x, title = {{{}x{}}}}}\n",
                "{".repeat(depth),
                "}".repeat(depth)
            ),
        ),
        (
            "63 MB of @ lines",
            &["bibtex"],
            "@\n".repeat(31 * 1024 * 1024),
        ),
        (
            "a million {} in CSL",
            &["csl-json"],
            format!("[{}{{}}]", "{},".repeat(999_999)),
        ),
        (
            "64 MB of text",
            &["text"],
            "a ".repeat(32 * 1024 * 1024 + 1),
        ),
    ];
    println!();
    println!("{:<22} {:>9} {:>9}  outcome", "input", "time s", "peak MB");
    for (name, importer, text) in cases {
        let input = work.join("adversarial");
        std::fs::write(&input, &text).expect("the input file");
        drop(text);
        let mut args: Vec<&str> = importer.to_vec();
        args.extend([
            input.to_str().expect("a UTF-8 path"),
            "--out",
            "content/adversarial.md",
        ]);
        let _ = std::fs::remove_file(site.join("content/adversarial.md"));
        let run = import(binary, site, &args);
        println!(
            "{name:<22} {:>9.3} {:>9}  {}",
            run.elapsed.as_secs_f64(),
            run.peak_mb.map_or("?".into(), |p| format!("{p:.0}")),
            run.outcome
        );
    }
}
