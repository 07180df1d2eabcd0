//! Measures `digestif serve`: its start-up (until the first page is answered) against a one-off
//! build of the same site, the time from saving one digest file to the reload event reaching a
//! listening client, and the server's peak memory.
//!
//! ```text
//! cargo build --release && cargo build --release --example gen_corpus --example serve_latency
//! target/release/examples/gen_corpus --papers 10000 --out /mnt/bench/c10k
//! target/release/examples/serve_latency --root /mnt/bench/c10k [--runs 15] [--out-dir /mnt/bench/o]
//! ```
//! Each run edits the title of one paper in a digest in the middle of the site: that paper's
//! page, its digest's page and neighbours, its topics' pages, the home page, feed and sitemap
//! must all change. Uses only std, talks HTTP by hand. The one-off builds write to `--out-dir`:
//! put it on a tmpfs (serve keeps its files in memory).

#[path = "support/corpus_edit.rs"]
mod corpus_edit;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corpus_edit::{edit_first_title, flag as value, middle_digest};

fn main() {
    let Some(root) = value("--root").map(PathBuf::from) else {
        eprintln!("usage: serve_latency --root SITE [--runs N] [--out-dir DIR]");
        std::process::exit(2);
    };
    let runs: usize = value("--runs").and_then(|r| r.parse().ok()).unwrap_or(15);
    let out_dir = value("--out-dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("digestif-latency-out"));
    let binary = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("digestif");
    assert!(
        binary.exists(),
        "build the release binary first: {}",
        binary.display()
    );

    let full = full_build_median(&binary, &root, &out_dir);
    let digest = middle_digest(&root);
    let original = std::fs::read_to_string(&digest).unwrap();

    let spawned = Instant::now();
    let mut server = Command::new(&binary)
        .args(["serve", "--port", "0", "--root"])
        .arg(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("serve printed its URL").unwrap();
        if let Some(rest) = line.strip_prefix("Serving ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Drain the server's log so it never blocks on a full pipe.
    let show_log = std::env::var_os("DIGESTIF_LOG").is_some();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if show_log {
                eprintln!("serve: {line}");
            }
        }
    });
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let path = url.splitn(4, '/').nth(3).unwrap_or("");
    first_page(&host, &format!("/{path}"));
    let startup = spawned.elapsed();
    let mut events = connect_events(&host);

    let mut latencies = Vec::with_capacity(runs);
    for run in 0..runs {
        let edited = edit_first_title(&original, run);
        std::thread::sleep(Duration::from_millis(150));
        let started = Instant::now();
        std::fs::write(&digest, edited).unwrap();
        wait_for_reload(&mut events);
        latencies.push(started.elapsed());
    }
    let memory = peak_memory_kb(server.id());
    std::fs::write(&digest, &original).unwrap();
    let _ = Command::new("kill")
        .args(["-INT", &server.id().to_string()])
        .status();
    let _ = server.wait();

    latencies.sort();
    let median = latencies[latencies.len() / 2];
    let p90 = latencies[(latencies.len() * 9 / 10).min(latencies.len() - 1)];
    println!("site: {}", root.display());
    println!(
        "save -> reload event: median {:.1} ms, p90 {:.1} ms, min {:.1} ms over {runs} saves",
        ms(median),
        ms(p90),
        ms(latencies[0])
    );
    println!(
        "full rebuild (digestif build, median of 3): {:.1} ms",
        ms(full)
    );
    println!(
        "serve start-up, until the first page is answered: {:.1} ms ({:.2}x a full build)",
        ms(startup),
        startup.as_secs_f64() / full.as_secs_f64()
    );
    println!(
        "ratio full / incremental: {:.1}x",
        full.as_secs_f64() / median.as_secs_f64()
    );
    println!("serve peak memory (VmHWM): {} MB", memory / 1024);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn full_build_median(binary: &Path, root: &Path, out: &Path) -> Duration {
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let _ = std::fs::remove_dir_all(out);
            let started = Instant::now();
            let status = Command::new(binary)
                .args(["build", "--quiet", "--root"])
                .arg(root)
                .arg("--output-dir")
                .arg(out)
                .status()
                .unwrap();
            assert!(status.success());
            started.elapsed()
        })
        .collect();
    times.sort();
    times[1]
}

/// Asks for a page and reads the status line: the server answers only once its first build is in.
fn first_page(host: &str, path: &str) {
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).unwrap();
    assert!(status.contains(" 200 "), "the first page: {status}");
}

fn connect_events(host: &str) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /__digestif/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim_end() == "event: hello" {
            return reader;
        }
    }
}

fn wait_for_reload(events: &mut BufReader<TcpStream>) {
    loop {
        let mut line = String::new();
        if events.read_line(&mut line).unwrap() == 0 {
            panic!("the server closed the event stream");
        }
        match line.trim_end() {
            "event: reload" => return,
            "event: build-error" => panic!("the edit broke the build"),
            _ => {}
        }
    }
}

fn peak_memory_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
