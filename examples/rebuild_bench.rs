//! Times what `serve` does after a save, in process, without HTTP or the file watcher: one
//! incremental [`Engine`] builds a site into serve's in-memory store, then each run edits one
//! paper's title in a digest in the middle of the site and rebuilds. Prints the median and spread of the rebuilds.
//! With `DIGESTIF_LOG=debug` every stage prints its own time.
//!
//! ```text
//! cargo build --release --example gen_corpus --example rebuild_bench
//! target/release/examples/gen_corpus --papers 10000 --out /mnt/bench/c10k
//! target/release/examples/rebuild_bench --root /mnt/bench/c10k [--runs 15]
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

#[path = "support/corpus_edit.rs"]
mod corpus_edit;

use corpus_edit::{edit_first_title, flag as value, middle_digest};
use digestif::engine::Engine;
use digestif::serve::files::SiteFiles;
use digestif::{Config, Overrides};

// The allocator of the `digestif` binary, so that timings match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let Some(root) = value("--root") else {
        eprintln!("usage: rebuild_bench --root SITE [--runs N]");
        std::process::exit(2);
    };
    let root = PathBuf::from(root);
    let runs: usize = value("--runs").and_then(|r| r.parse().ok()).unwrap_or(15);

    let config = Config::load(&root, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut engine = Engine::new(config, true);
    let live = SiteFiles::default();
    let started = Instant::now();
    engine.build(&live, false).unwrap_or_else(|e| panic!("{e}"));
    let first = started.elapsed();
    live.start_serving();

    let digest = middle_digest(&root);
    let original = std::fs::read_to_string(&digest).unwrap();
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut written = 0;
    let cpu_before = process_cpu();
    for run in 0..runs {
        std::fs::write(&digest, edit_first_title(&original, run)).unwrap();
        let started = Instant::now();
        let outcome = engine.build(&live, false).unwrap_or_else(|e| panic!("{e}"));
        times.push(started.elapsed());
        written = outcome.written.len();
    }
    // Includes work finished on other threads after a rebuild returned (freeing the old model).
    let cpu = process_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    std::fs::write(&digest, &original).unwrap();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("site: {}", root.display());
    println!("first build: {:.0} ms", ms(first));
    println!(
        "rebuild after editing one title: median {:.1} ms, min {:.1}, max {:.1} over {runs} runs ({written} files written)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    // CPU time varies less than wall time on a shared machine: compare changes with it.
    if let Some(cpu) = cpu {
        println!(
            "CPU time (all threads): mean {:.1} ms per rebuild",
            ms(cpu) / runs as f64
        );
    }
}

/// User + system time of this process so far, from /proc (Linux only).
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports these in USER_HZ, which is 100 on every architecture it supports.
    Some(Duration::from_millis(ticks * 10))
}
