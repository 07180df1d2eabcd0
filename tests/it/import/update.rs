//! `digestif update`: the sources of `site.toml` fetched from a local server into the day's file,
//! then the site built; a second run changes nothing.

use std::time::Duration;

use digestif::commands::update::{UpdateOptions, run};
use jiff::civil::date;

use super::hf::{Routes, serve_day};
use crate::support::{SITE_TOML, TestSite};

fn options(site: &TestSite, dry_run: bool) -> UpdateOptions {
    UpdateOptions {
        root: site.root().to_path_buf(),
        date: Some(date(2024, 3, 11)),
        dry_run,
        today: date(2024, 3, 12),
        timeout: Duration::from_secs(5),
        retries: 0,
        delay: Some(Duration::ZERO),
    }
}

#[test]
fn a_recorded_day_goes_through_update_and_builds_once() {
    let server = Routes::start();
    let day = serve_day(&server, "2024-03-11");
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!(
            "{SITE_TOML}\n[topics.rules]\n\"Continual learning\" = [\"catastrophic forgetting\"]\n\n[[sources]]\nkind = \"hf-daily\"\napi = \"{}\"\n",
            server.url
        ),
    );
    // One paper of the day was already featured the day before.
    let entries = day.as_array().unwrap();
    let earlier_id = entries[0]["paper"]["id"].as_str().unwrap();
    site.write(
        "content/2024-03-10.md",
        &crate::support::digest(
            "Yesterday",
            "2024-03-10",
            &[&format!(
                "title = \"Earlier\"\nauthors = [\"A\"]\narxiv = \"{earlier_id}\""
            )],
        ),
    );

    let dry = run(&options(&site, true)).unwrap();
    assert_eq!(dry.changed.len(), 1, "{:?}", dry.lines);
    assert!(
        !site.root().join("content/2024").exists(),
        "--dry-run wrote"
    );

    let report = run(&options(&site, false)).unwrap();
    assert_eq!(report.failed, 0);
    assert!(
        report.lines[0].contains(
            "74 added, 0 updated, 0 already there; 1 paper featured on an earlier day left out"
        ),
        "{:?}",
        report.lines
    );
    let path = site.root().join("content/2024/2024-03-11.md");
    let first = std::fs::read_to_string(&path).unwrap();
    assert!(!first.contains(&format!("arxiv = \"{earlier_id}\"")));
    assert!(
        first.contains("\"Continual learning\""),
        "rule topics are written"
    );

    let built = site.build().unwrap();
    assert_eq!(built.report.papers, 75, "74 of the day and the earlier one");
    let digest = built.read("digests/2024-03-11/index.html");
    let most_voted = entries
        .iter()
        .filter(|e| e["paper"]["id"] != earlier_id)
        .max_by_key(|e| e["paper"]["upvotes"].as_u64().unwrap())
        .unwrap();
    let title = most_voted["paper"]["title"].as_str().unwrap();
    assert!(digest.contains(title), "the digest page lists {title}");
    let position = |t: &str| digest.find(t).unwrap_or(usize::MAX);
    for entry in entries.iter().filter(|e| e["paper"]["id"] != earlier_id) {
        let other = entry["paper"]["title"].as_str().unwrap();
        assert!(
            position(title) <= position(other),
            "{title} is not first: {other} comes before"
        );
    }

    let again = run(&options(&site, false)).unwrap();
    assert!(again.changed.is_empty(), "{:?}", again.lines);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        first,
        "a second update changed bytes"
    );
}

#[test]
fn a_failed_source_is_reported_and_the_others_still_write() {
    let server = Routes::start();
    serve_day(&server, "2024-03-11");
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!(
            "{SITE_TOML}\n[[sources]]\nkind = \"arxiv\"\nquery = \"cat:cs.LG\"\napi = \"http://127.0.0.1:9\"\n\n[[sources]]\nkind = \"hf-daily\"\napi = \"{}\"\n",
            server.url
        ),
    );
    let report = run(&options(&site, false)).unwrap();
    assert_eq!(report.failed, 1, "{:?}", report.lines);
    assert!(
        report.lines[0].starts_with("source 1 (arxiv: cat:cs.LG): failed, nothing written"),
        "{:?}",
        report.lines
    );
    assert!(site.root().join("content/2024/2024-03-11.md").exists());
}

#[test]
fn a_site_without_sources_is_told_how_to_add_one() {
    let site = TestSite::new();
    let error = run(&options(&site, false)).unwrap_err().to_string();
    assert!(
        error.contains("[[sources]]") && error.contains("hf-daily"),
        "{error}"
    );
}
