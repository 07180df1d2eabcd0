//! Measures `digestif serve`'s memory under a bounded load and after it: resident memory when
//! idle, its peak while many clients fetch the site's largest file, and what is left after a
//! minute of quiet.
//!
//! ```text
//! cargo build --release && cargo build --release --example gen_corpus --example serve_load
//! target/release/examples/gen_corpus --papers 10000 --out /mnt/bench/c10k
//! target/release/examples/serve_load --root /mnt/bench/c10k [--clients 50] [--seconds 20] [--idle 60]
//! ```
//! Half the clients accept gzip and half do not (those get the file decompressed). Each request
//! is a connection of its own, read to the end. The largest file is found by a one-off build into
//! a temporary folder (put `TMPDIR` on a tmpfs). Uses only std, talks HTTP by hand.

#[path = "support/corpus_edit.rs"]
#[allow(dead_code)]
mod corpus_edit;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use corpus_edit::flag as value;

fn main() {
    let Some(root) = value("--root").map(PathBuf::from) else {
        eprintln!("usage: serve_load --root SITE [--clients N] [--seconds S] [--idle S]");
        std::process::exit(2);
    };
    let number =
        |name: &str, default: u64| value(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    let clients = number("--clients", 50) as usize;
    let seconds = number("--seconds", 20);
    let idle = number("--idle", 60);
    let binary = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("digestif");
    assert!(binary.exists(), "build the release binary first");

    let (largest, size) = largest_file(&binary, &root);
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
    std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let base = format!("/{}", url.splitn(4, '/').nth(3).unwrap_or(""));
    let path = format!("{base}{largest}");
    let pid = server.id();

    // Let the start-up's garbage go back first, as serve does a moment after it answers.
    std::thread::sleep(Duration::from_secs(3));
    let idle_before = resident_kb(pid);

    let stop = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicU64::new(0));
    let peak = Arc::new(AtomicU64::new(idle_before));
    let sampler = {
        let (stop, peak) = (stop.clone(), peak.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(resident_kb(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|client| {
            let (stop, requests, host, path) =
                (stop.clone(), requests.clone(), host.clone(), path.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if fetch(&host, &path, client % 2 == 0) {
                        requests.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    workers.into_iter().for_each(|w| w.join().unwrap());
    let elapsed = started.elapsed();
    sampler.join().unwrap();
    let just_after = resident_kb(pid);
    let mut after = Vec::new();
    for mark in [5, 30, idle] {
        let waited = after.last().map_or(0, |&(m, _)| m);
        std::thread::sleep(Duration::from_secs(mark.saturating_sub(waited)));
        after.push((mark, resident_kb(pid)));
    }
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
    let _ = server.wait();

    let mb = |kb: u64| kb as f64 / 1024.0;
    let served = requests.load(Ordering::Relaxed);
    println!("site: {}", root.display());
    println!(
        "load: {clients} clients for {seconds} s on {largest} ({:.0} KB), half with gzip: {served} requests, {:.0}/s",
        size as f64 / 1024.0,
        served as f64 / elapsed.as_secs_f64()
    );
    println!("resident memory idle before: {:.0} MB", mb(idle_before));
    println!(
        "resident memory peak under load: {:.0} MB",
        mb(peak.load(Ordering::Relaxed))
    );
    println!("resident memory right after: {:.0} MB", mb(just_after));
    for (mark, kb) in after {
        println!(
            "resident memory {mark} s after: {:.0} MB ({:.2}x idle)",
            mb(kb),
            kb as f64 / idle_before as f64
        );
    }
}

/// One GET on a connection of its own, read to the end; false on any failure.
fn fetch(host: &str, path: &str, gzip: bool) -> bool {
    let Ok(mut stream) = TcpStream::connect(host) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let encoding = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{encoding}Connection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = Vec::new();
    stream.read_to_end(&mut response).is_ok() && response.starts_with(b"HTTP/1.1 200")
}

/// The largest file a one-off build writes, relative to the output, and its size.
fn largest_file(binary: &Path, root: &Path) -> (String, u64) {
    let out = std::env::temp_dir().join(format!("digestif-load-{}", std::process::id()));
    let status = Command::new(binary)
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--output-dir")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "the site builds");
    let mut largest = (String::new(), 0);
    let mut folders = vec![out.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let metadata = entry.metadata().unwrap();
            if metadata.is_dir() {
                folders.push(entry.path());
            } else if metadata.len() > largest.1 {
                let relative = entry.path().strip_prefix(&out).unwrap().to_path_buf();
                largest = (
                    relative.to_string_lossy().replace('\\', "/"),
                    metadata.len(),
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    largest
}

fn resident_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}
