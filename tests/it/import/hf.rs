//! `digestif import hf`: a day of Hugging Face's daily papers from a local server (the API's
//! shape, tests/fixtures/hf), thumbnails downloaded into static/, votes and comments updated by a
//! second import, and the site built from it.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{import, warnings};
use crate::support::TestSite;

/// A file of 1×1 PNG, for the thumbnails.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// Path (query included) → status and body.
type Table = Arc<Mutex<HashMap<String, (u16, Vec<u8>)>>>;

/// Answers by path (query included) until the test ends; what is not listed gets a 404.
pub struct Routes {
    pub url: String,
    routes: Table,
}

impl Routes {
    pub fn start() -> Routes {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let routes: Table = Arc::default();
        let table = Arc::clone(&routes);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let table = Arc::clone(&table);
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n")
                        && stream.read(&mut byte).is_ok_and(|n| n == 1)
                    {
                        head.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&head).to_string();
                    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                    let (status, body) = table
                        .lock()
                        .unwrap()
                        .get(&path)
                        .cloned()
                        .unwrap_or((404, b"not found".to_vec()));
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(&body);
                });
            }
        });
        Routes { url, routes }
    }

    pub fn set(&self, path: &str, status: u16, body: impl Into<Vec<u8>>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), (status, body.into()));
    }
}

/// The recorded day, pointing its thumbnails at `server`, with every thumbnail served.
pub fn serve_day(server: &Routes, day: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hf/daily-2024-03-11.json"
    ))
    .unwrap()
    .replace("{{SERVER}}", &server.url);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    for entry in value.as_array().unwrap() {
        if let Some(url) = entry["thumbnail"].as_str() {
            server.set(url.trim_start_matches(&server.url), 200, PNG);
        }
    }
    server.set(&format!("/api/daily_papers?date={day}"), 200, text);
    value
}

fn hf(
    site: &TestSite,
    server: &Routes,
    extra: &[&str],
) -> digestif::Result<digestif::commands::import::ImportReport> {
    let mut args = vec!["hf", "--api", &server.url, "--delay", "0", "--retries", "0"];
    args.extend_from_slice(extra);
    import(site, &args)
}

#[test]
fn a_day_imports_most_voted_first_with_thumbnails_and_builds() {
    let server = Routes::start();
    let day = serve_day(&server, "2024-03-11");
    let site = TestSite::new();
    let report = hf(&site, &server, &["--date", "2024-03-11"]).unwrap();
    assert_eq!(report.papers, 75, "{}", warnings(&report));
    let text = std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap();
    let most_voted = day
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|e| e["paper"]["upvotes"].as_u64().unwrap())
        .unwrap();
    let first_id = most_voted["paper"]["id"].as_str().unwrap();
    let first_table = text.split("[[papers]]").nth(1).unwrap();
    assert!(
        first_table.contains(&format!("arxiv = \"{first_id}\"")),
        "{first_table}"
    );
    assert!(
        text.contains("abstract = '''"),
        "abstracts are literal strings"
    );
    assert!(text.contains("comments = "));
    let thumbnails = text.matches("thumbnail = \"thumbnails/").count();
    assert_eq!(thumbnails, 15, "every fifth paper has a thumbnail");
    let built = site.build().unwrap();
    assert_eq!(built.report.papers, 75);
    let page = built.read(&format!("papers/{first_id}/index.html"));
    let votes = most_voted["paper"]["upvotes"].as_u64().unwrap();
    assert!(page.contains(&format!("{votes} upvotes")), "{page}");
    assert!(page.contains("arxiv.org/pdf/"), "{page}");
    for entry in day.as_array().unwrap() {
        if let Some(repository) = entry["paper"]["githubRepo"].as_str() {
            let id = entry["paper"]["id"].as_str().unwrap();
            assert!(
                built
                    .read(&format!("papers/{id}/index.html"))
                    .contains(repository)
            );
        }
    }
}

#[test]
fn a_second_import_updates_only_what_the_source_owns() {
    let server = Routes::start();
    serve_day(&server, "2024-03-11");
    let site = TestSite::new();
    hf(&site, &server, &["--date", "2024-03-11"]).unwrap();
    let path = site.root().join("content/2024-03-11.md");
    let first = std::fs::read_to_string(&path).unwrap();
    // The person edits a title and adds notes; the site's votes move on.
    let edited = first.replacen("title = \"", "title = \"EDITED ", 2);
    let edited = edited.replacen(
        "[[papers]]\n",
        "[[papers]]\nnotes = \"Read this one.\"\n",
        1,
    );
    std::fs::write(&path, &edited).unwrap();
    let again = hf(&site, &server, &["--date", "2024-03-11"]).unwrap();
    assert_eq!(again.counts.added, 0);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        edited,
        "nothing changed at the source"
    );
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hf/daily-2024-03-11.json"
    ))
    .unwrap()
    .replace("{{SERVER}}", &server.url)
    .replace("\"upvotes\": ", "\"upvotes\": 1000");
    server.set("/api/daily_papers?date=2024-03-11", 200, text);
    let third = hf(&site, &server, &["--date", "2024-03-11"]).unwrap();
    assert_eq!(third.counts.updated, 75, "{}", warnings(&third));
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.contains("EDITED"), "the person's title stays");
    assert!(after.contains("Read this one."), "the person's notes stay");
    assert!(after.contains("upvotes = 1000"), "votes follow the source");
}

#[test]
fn bad_answers_get_clear_errors_and_write_nothing() {
    let server = Routes::start();
    server.set(
        "/api/daily_papers?date=2024-03-11",
        200,
        r#"[{"paper": {"id": "2403.00001", "title": "T", "authors": "Ada"}}]"#,
    );
    server.set("/api/daily_papers?date=2024-03-12", 200, "[]");
    server.set("/api/daily_papers?date=2024-03-13", 503, "busy");
    let site = TestSite::new();
    let malformed = hf(&site, &server, &["--date", "2024-03-11"])
        .unwrap_err()
        .to_string();
    assert!(
        malformed.contains("[0].paper.authors: expected a list of authors"),
        "{malformed}"
    );
    let empty = hf(&site, &server, &["--date", "2024-03-12"])
        .unwrap_err()
        .to_string();
    assert!(empty.contains("lists no papers for 2024-03-12"), "{empty}");
    let busy = hf(&site, &server, &["--date", "2024-03-13"])
        .unwrap_err()
        .to_string();
    assert!(busy.contains("503"), "{busy}");
    let offline = import(
        &site,
        &[
            "hf",
            "--api",
            "http://127.0.0.1:9",
            "--date",
            "2024-03-11",
            "--retries",
            "0",
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(
        offline.to_lowercase().contains("offline") || offline.contains("connect"),
        "{offline}"
    );
    let content: Vec<_> = std::fs::read_dir(site.root().join("content"))
        .unwrap()
        .collect();
    assert!(content.is_empty(), "a failed import wrote a file");
}
