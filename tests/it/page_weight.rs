//! Page weight (issue 21): on the example site and a `lab` site, every page but the search page is
//! at most 12 KB gzipped counting its HTML and the stylesheets, scripts and icons it loads, and
//! what it loads besides its own HTML stays under 8 KB gzipped. The script and stylesheet a page
//! fetches only when a reader starts to search (the header box's stub) are not loaded with it and
//! do not count.

use std::collections::BTreeMap;
use std::io::Write as _;

use digestif::BuildOptions;

use crate::support::{Built, TestSite};

const PAGE_LIMIT: usize = 12 * 1024;
const CHROME_LIMIT: usize = 8 * 1024;

/// Gzipped size at the default level, as a static host would serve it.
fn gzipped(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip to memory");
    encoder.finish().expect("gzip to memory").len()
}

/// The value of `attribute` in a tag's text, as the themes write attributes (double quotes).
fn attribute<'a>(tag: &'a str, attribute: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {attribute}=\""))? + attribute.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

/// Root-relative URLs of the stylesheets, icons and scripts that `html` loads as the page loads.
fn loaded_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for (at, _) in html.match_indices('<') {
        let tag = &html[at..at + html[at..].find('>').unwrap_or(0)];
        let url = if tag.starts_with("<link ") {
            let rel = attribute(tag, "rel").unwrap_or_default();
            ["stylesheet", "icon", "preload", "modulepreload"]
                .contains(&rel)
                .then(|| attribute(tag, "href"))
                .flatten()
        } else if tag.starts_with("<script ") {
            attribute(tag, "src")
        } else {
            None
        };
        urls.extend(url.map(String::from));
    }
    urls
}

/// Gzipped sizes of every page (but the search page), and of what it loads, in bytes.
fn weights(built: &Built, base_path: &str) -> BTreeMap<String, (usize, usize)> {
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    let mut size_of = |url: &str| -> usize {
        *sizes.entry(url.to_string()).or_insert_with(|| {
            let relative = url
                .strip_prefix(base_path)
                .unwrap_or_else(|| panic!("{url} is outside {base_path}"));
            let relative = relative.split(['?', '#']).next().unwrap_or_default();
            let bytes =
                std::fs::read(built.out.join(relative)).unwrap_or_else(|e| panic!("{url}: {e}"));
            gzipped(&bytes)
        })
    };
    let mut pages = BTreeMap::new();
    for page in built.html_files() {
        // The search page loads the search script at once, by design; emails are not web pages.
        if page == "search/index.html" || page.ends_with("/email.html") {
            continue;
        }
        let html = built.read(&page);
        let chrome: usize = loaded_urls(&html).iter().map(|url| size_of(url)).sum();
        pages.insert(page, (gzipped(html.as_bytes()), chrome));
    }
    pages
}

/// Pages over either limit, as lines to read.
fn too_heavy(site: &str, weights: &BTreeMap<String, (usize, usize)>) -> Vec<String> {
    weights
        .iter()
        .filter(|(_, (html, chrome))| *chrome >= CHROME_LIMIT || html + chrome > PAGE_LIMIT)
        .map(|(page, (html, chrome))| {
            format!("{site} {page}: {html} B of HTML + {chrome} B loaded, gzipped")
        })
        .collect()
}

/// The heaviest page of each kind (its first path segment), for the log.
fn summary(weights: &BTreeMap<String, (usize, usize)>) -> String {
    let mut kinds: BTreeMap<&str, (usize, usize, &str)> = BTreeMap::new();
    for (page, &(html, chrome)) in weights {
        let kind = page.split('/').next().unwrap_or_default();
        let kind = if kind == "index.html" { "home" } else { kind };
        let heaviest = kinds.entry(kind).or_insert((0, 0, page));
        if html + chrome > heaviest.0 + heaviest.1 {
            *heaviest = (html, chrome, page);
        }
    }
    kinds
        .iter()
        .map(|(kind, (html, chrome, page))| {
            format!("{kind}: {} B ({html} + {chrome}) {page}", html + chrome)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_page_of_the_example_site_is_light() {
    let out = tempfile::tempdir().unwrap();
    let mut options = BuildOptions::new(env!("CARGO_MANIFEST_DIR"));
    options.output_dir = Some(out.path().join("public"));
    let report = digestif::build(&options).expect("the example site builds");
    let built = Built {
        out: out.path().join("public"),
        report,
    };
    let weights = weights(&built, "/digestif/");
    assert!(weights.len() > 40, "{}", weights.len());
    println!(
        "example site, heaviest page of each kind:\n{}",
        summary(&weights)
    );
    let heavy = too_heavy("example", &weights);
    assert!(heavy.is_empty(), "{}", heavy.join("\n"));
    // The results' styles come with the search script: the stub names them, the search page
    // links them, and no other page loads them.
    let home = built.read("index.html");
    assert!(home.contains("data-stylesheet=\"/digestif/search.css\""));
    assert!(
        !loaded_urls(&home)
            .iter()
            .any(|url| url.ends_with("search.css"))
    );
    let search = built.read("search/index.html");
    assert!(loaded_urls(&search).contains(&"/digestif/search.css".to_string()));
    assert!(built.read("search.css").contains(".search-popup {"));
    assert!(!built.read("style.css").contains(".search-popup"));
}

#[test]
fn every_page_of_a_lab_site_is_light() {
    let site = TestSite::fixture("lab");
    let built = site.build().expect("the lab fixture builds");
    let weights = weights(&built, "/song-lab/");
    assert!(weights.len() > 10, "{}", weights.len());
    println!(
        "lab site, heaviest page of each kind:\n{}",
        summary(&weights)
    );
    let heavy = too_heavy("lab", &weights);
    assert!(heavy.is_empty(), "{}", heavy.join("\n"));
}

#[test]
fn what_a_page_loads_is_found() {
    let html = "<link rel=\"stylesheet\" href=\"/a/style.css\"><link rel=\"canonical\" href=\"/x\">\
        <script src=\"/a/t.js\"></script><script>var s = \"/a/lazy.js\";</script>\
        <link rel=\"icon\" href=\"/a/favicon.svg\" type=\"image/svg+xml\">";
    assert_eq!(
        loaded_urls(html),
        ["/a/style.css", "/a/t.js", "/a/favicon.svg"]
    );
    assert!(gzipped(&[b'a'; 10_000]) < 200);
}
