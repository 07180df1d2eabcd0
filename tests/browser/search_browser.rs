//! Search in headless Chromium: a reader types into the box of a built fixture site served on
//! 127.0.0.1, and sees the papers they expect, narrows them with filters, shares a URL, goes
//! back, uses the keyboard; at the domain root and under a sub-path. No console error allowed.

use digestif::BuildOptions;
use serde_json::json;

use crate::support::TestSite;
use crate::webdriver::{Browser, Server, screenshot_dir};

const HEADER_BOX: &str = "#site-search";
const PAGE_BOX: &str = "#search-query";
const DOWN: &str = "\u{E015}";
const ENTER: &str = "\u{E007}";

/// Builds the search fixture for `base` (`/` or `/lab-digest/`) and serves it there.
fn serve_fixture(base: &str) -> (TestSite, Server) {
    let site = TestSite::fixture("search");
    let out = site.root().join("public");
    let server = Server::start(&out, base, false);
    let mut options = BuildOptions::new(site.root());
    options.output_dir = Some(out);
    options.overrides.base_url = Some(server.url(base));
    digestif::build(&options).expect("the search fixture builds");
    (site, server)
}

fn result_titles(browser: &Browser, list: &str) -> Vec<String> {
    let value = browser.exec(
        "return Array.from(document.querySelectorAll(arguments[0] + ' .result-title')).map(a => a.textContent)",
        json!([list]),
    );
    serde_json::from_value(value).unwrap()
}

fn wait_titles(
    browser: &Browser,
    list: &str,
    what: &str,
    check: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let started = std::time::Instant::now();
    loop {
        let titles = result_titles(browser, list);
        if check(&titles) {
            return titles;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "timed out waiting for {what}; results are {titles:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn status(browser: &Browser) -> String {
    browser
        .exec(
            "return document.querySelector('[data-search-status]').textContent",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn no_console_errors(browser: &Browser, when: &str) {
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "console errors {when}: {errors:#?}");
}

fn shot(browser: &Browser, name: &str) {
    if let Some(dir) = screenshot_dir() {
        std::fs::create_dir_all(&dir).unwrap();
        browser.screenshot(&dir.join(format!("{name}.png")));
    }
}

pub(crate) fn search_as_you_type_filters_and_urls_in_chromium() {
    let (_site, server) = serve_fixture("/");
    let browser = Browser::start();

    // The header box on any page: `/` focuses it, results appear as you type.
    browser.goto(&server.url("/topics/"));
    browser.press("/");
    let focused = browser.exec("return document.activeElement.id", json!([]));
    assert_eq!(focused, "site-search", "`/` focuses the search box");
    browser.type_into(HEADER_BOX, "schrodinger");
    let titles = wait_titles(
        &browser,
        ".search-popup",
        "Schrödinger in the header results",
        |t| t.iter().any(|t| t.contains("Schrödinger")),
    );
    assert_eq!(titles, ["Quantum Mechanics of Schrödinger Bridges"]);
    let marked = browser.exec(
        "return Array.from(document.querySelectorAll('.search-popup mark')).map(m => m.textContent)",
        json!([]),
    );
    assert!(
        marked.as_array().unwrap().contains(&json!("Schrödinger")),
        "{marked}"
    );
    shot(&browser, "popup");

    // ↓ then Enter opens the selected paper.
    browser.type_into(HEADER_BOX, DOWN);
    let selected = browser.exec(
        "return document.querySelector('.search-popup [aria-selected=true] .result-title').textContent",
        json!([]),
    );
    assert_eq!(selected, "Quantum Mechanics of Schrödinger Bridges");
    browser.type_into(HEADER_BOX, ENTER);
    browser.wait(
        "the paper page",
        "return location.pathname === '/papers/1903.00001/'",
    );
    no_console_errors(&browser, "on the header search");

    // Enter without a selection goes to the search page with the query in the URL.
    browser.type_into(HEADER_BOX, "song");
    wait_titles(&browser, ".search-popup", "results for song", |t| {
        t.len() == 4
    });
    browser.type_into(HEADER_BOX, ENTER);
    browser.wait("the search page", "return location.pathname === '/search/'");
    assert!(browser.current_url().ends_with("/search/?q=song"));
    let titles = wait_titles(
        &browser,
        "#search-results",
        "all of Yang Song's papers",
        |t| t.len() == 4,
    );
    assert_eq!(
        titles[0], "Improved Techniques for Training Consistency Models",
        "newest first"
    );
    assert_eq!(status(&browser), "4 papers");

    // A topic filter narrows the results and lands in the URL; back restores the state.
    browser.exec(
        "Array.from(document.querySelectorAll('[data-search-facets] a')).find(a => a.textContent.startsWith('Consistency models')).click()",
        json!([]),
    );
    let narrowed = wait_titles(
        &browser,
        "#search-results",
        "the consistency-models filter",
        |t| t.len() == 2,
    );
    assert_eq!(
        narrowed,
        [
            "Improved Techniques for Training Consistency Models",
            "Consistency Models"
        ]
    );
    assert!(browser.current_url().contains("topic=consistency-models"));
    shot(&browser, "filtered");
    browser.back();
    wait_titles(
        &browser,
        "#search-results",
        "the unfiltered results after going back",
        |t| t.len() == 4,
    );
    assert!(browser.current_url().ends_with("/search/?q=song"));

    // Typing on the search page updates results and the URL.
    browser.clear(PAGE_BOX);
    browser.type_into(PAGE_BOX, "diffusion mod");
    let titles = wait_titles(&browser, "#search-results", "diffusion models", |t| {
        t.first().is_some_and(|t| t.starts_with("Elucidating"))
    });
    assert_eq!(titles[1], "Denoising Diffusion Probabilistic Models");
    browser.wait(
        "the query in the URL",
        "return location.search === '?q=diffusion+mod'",
    );

    // A shared URL restores the query and the filters.
    browser.goto(&server.url("/search/?q=neural&year=2014"));
    let titles = wait_titles(&browser, "#search-results", "the shared search", |t| {
        !t.is_empty()
    });
    assert_eq!(
        titles,
        ["Dropout: A Simple Way to Prevent Neural Networks from Overfitting"]
    );
    let value = browser.exec(
        "return document.querySelector(arguments[0]).value",
        json!([PAGE_BOX]),
    );
    assert_eq!(value, "neural");
    let active = browser.exec(
        "return document.querySelector('.active-filters').textContent",
        json!([]),
    );
    assert!(active.as_str().unwrap().contains("2014"), "{active}");

    // A phrase keeps its word order.
    browser.goto(&server.url("/search/?q=%22language+models%22"));
    let titles = wait_titles(&browser, "#search-results", "the phrase", |t| t.len() == 2);
    assert!(titles.iter().all(|t| t.contains("Language Models")));

    // No results says so, and offers to drop the filters.
    browser.goto(&server.url("/search/?q=zebra&topic=diffusion"));
    browser.wait(
        "a no-results message",
        "return document.querySelector('[data-search-status]').textContent.includes('No papers match')",
    );
    assert!(status(&browser).contains("Search without filters"));
    shot(&browser, "no-results");
    no_console_errors(&browser, "on the search page");
}

pub(crate) fn search_works_under_a_sub_path_in_chromium() {
    let (_site, server) = serve_fixture("/lab-digest/");
    let browser = Browser::start();
    browser.goto(&server.url("/lab-digest/"));
    browser.type_into(HEADER_BOX, "vaswani");
    wait_titles(&browser, ".search-popup", "Vaswani's paper", |t| {
        t == ["Attention Is All You Need"]
    });
    let href = browser.exec(
        "return document.querySelector('.search-popup .result-title').getAttribute('href')",
        json!([]),
    );
    assert_eq!(href, "/lab-digest/papers/1706.03762/");
    browser.goto(&server.url("/lab-digest/search/?q=hinton"));
    let titles = wait_titles(&browser, "#search-results", "Hinton", |t| t.len() == 3);
    assert_eq!(
        titles[0], "A Tribute to Hinton's Boltzmann Machines",
        "title matches first"
    );
    let chip = browser.exec(
        "return document.querySelector('#search-results .chips a').getAttribute('href')",
        json!([]),
    );
    assert!(
        chip.as_str().unwrap().starts_with("/lab-digest/topics/"),
        "{chip}"
    );
    let requests: Vec<String> = server.take_log().into_iter().map(|s| s.path).collect();
    assert!(
        requests
            .iter()
            .all(|p| p.starts_with("/lab-digest/") || p == "/favicon.ico"),
        "{requests:?}"
    );
    no_console_errors(&browser, "under a sub-path");
}

/// On a phone the header's results stay inside the screen, and no page loads the search script
/// before a reader comes to search.
pub(crate) fn the_header_search_fits_a_phone_and_loads_its_script_on_demand() {
    let (_site, server) = serve_fixture("/");
    let browser = Browser::start();
    browser.goto(&server.url("/topics/"));
    let loaded = "return performance.getEntriesByType('resource').some(r => r.name.endsWith('/search/search.js'))";
    // The results' styles come with the script (issue 21, page weight).
    let styled =
        "return performance.getEntriesByType('resource').some(r => r.name.endsWith('/search.css'))";
    assert_eq!(
        browser.exec(loaded, json!([])),
        json!(false),
        "search.js loaded before any search"
    );
    assert_eq!(
        browser.exec(styled, json!([])),
        json!(false),
        "search.css loaded before any search"
    );
    for width in [360, 390] {
        browser.resize(width, 800);
        browser.goto(&server.url("/topics/"));
        browser.type_into(HEADER_BOX, "schrodinger");
        wait_titles(
            &browser,
            ".search-popup",
            "header results on a phone",
            |t| t.iter().any(|t| t.contains("Schrödinger")),
        );
        let edges = browser.exec(
            "const r = document.querySelector('.search-popup').getBoundingClientRect(); \
             return [r.left, r.right, document.documentElement.clientWidth];",
            json!([]),
        );
        let (left, right, viewport) = (
            edges[0].as_f64().unwrap(),
            edges[1].as_f64().unwrap(),
            edges[2].as_f64().unwrap(),
        );
        assert!(
            left >= 0.0 && right <= viewport,
            "at {width} px the results span {left}..{right} of {viewport}"
        );
        assert_eq!(
            browser.exec(
                "return getComputedStyle(document.querySelector('.search-popup')).position",
                json!([])
            ),
            json!("fixed"),
            "search.css places the results under the header on a phone"
        );
        shot(&browser, &format!("popup-{width}"));
    }
    assert_eq!(browser.exec(loaded, json!([])), json!(true));
    assert_eq!(browser.exec(styled, json!([])), json!(true));
    no_console_errors(&browser, "on a phone");
}

/// The figures of bench/search.sh: for a built site in DIGESTIF_BENCH_SITE (built for
/// `http://127.0.0.1:PORT/` with PORT in DIGESTIF_BENCH_PORT), the bytes a browser downloads to
/// show the first results of typical queries with an empty cache, and the time queries take.
/// Ignored by `cargo test`; run through bench/search.sh.
pub(crate) fn search_benchmark() {
    let site = std::path::PathBuf::from(
        std::env::var("DIGESTIF_BENCH_SITE").expect("DIGESTIF_BENCH_SITE: a built site"),
    );
    let port: u16 = std::env::var("DIGESTIF_BENCH_PORT")
        .expect("DIGESTIF_BENCH_PORT")
        .parse()
        .unwrap();
    let server = Server::start_on(&site, "/", true, port);
    let browser = Browser::start();
    let queries: Vec<String> = std::env::var("DIGESTIF_BENCH_QUERIES")
        .unwrap_or_else(|_| {
            "diffusion models|graph neural networks|hernandez|calibr|\"world models\"|robust reinforcement learning benchmark".into()
        })
        .split('|')
        .map(String::from)
        .collect();
    let search_bytes = |log: &[crate::webdriver::Served]| -> (usize, usize) {
        let index: Vec<_> = log
            .iter()
            .filter(|s| s.path.starts_with("/search/") && !s.path.starts_with("/search/?"))
            .collect();
        (index.iter().map(|s| s.bytes).sum(), index.len())
    };
    println!(
        "| query | results | KB (files) for the first results, cold | KB (files) with facets | first results ms, cold | ms, warm | ranking ms |"
    );
    println!("|---|---|---|---|---|---|---|");
    for query in &queries {
        browser.clear_cache();
        server.take_log();
        let url = server.url(&format!("/search/?q={}", encode(query)));
        browser.goto(&url);
        let cold = browser.wait(
            "the first results",
            "const s = window.digestifSearch && window.digestifSearch.stats.searches; return s && s.length ? s[s.length - 1] : null",
        );
        browser.wait(
            "the facets",
            "return document.querySelector('[data-search-facets] h2') !== null",
        );
        let (all_bytes, all_files) = search_bytes(&server.take_log());
        // Warm: the same query again, typed, with everything cached.
        browser.exec("window.digestifSearch.stats.searches.length = 0", json!([]));
        browser.clear(PAGE_BOX);
        browser.type_into(PAGE_BOX, query);
        let warm = last_search_for(&browser, query);
        println!(
            "| `{query}` | {} | {:.1} ({}) | {:.1} ({all_files}) | {:.0} | {:.1} | {:.1} |",
            cold["total"],
            cold["bytes"].as_f64().unwrap_or(0.0) / 1024.0,
            cold["files"],
            all_bytes as f64 / 1024.0,
            cold["ms"].as_f64().unwrap_or(0.0),
            warm["ms"].as_f64().unwrap_or(0.0),
            warm["rankMs"].as_f64().unwrap_or(0.0),
        );
    }
    // As you type: the header box on the home page, one key every 150 ms, empty cache.
    for query in ["diffusion models", "hernandez"] {
        browser.clear_cache();
        browser.goto(&server.url("/"));
        server.take_log();
        for c in query.chars() {
            browser.type_into(HEADER_BOX, &c.to_string());
            std::thread::sleep(std::time::Duration::from_millis(150));
        }
        last_search_for(&browser, query);
        std::thread::sleep(std::time::Duration::from_millis(500));
        let (bytes, files) = search_bytes(&server.take_log());
        println!(
            "typed `{query}` one key per 150 ms: {:.1} KB of index in {files} files",
            bytes as f64 / 1024.0
        );
    }
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

/// Waits for search.js to report a finished search for `query`, and returns its figures.
fn last_search_for(browser: &Browser, query: &str) -> serde_json::Value {
    let started = std::time::Instant::now();
    loop {
        let value = browser.exec(
            "const s = window.digestifSearch.stats.searches; const l = s[s.length - 1]; return l && l.q === arguments[0] ? l : null",
            json!([query]),
        );
        if !value.is_null() {
            return value;
        }
        assert!(started.elapsed().as_secs() < 30, "no results for {query}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn encode(query: &str) -> String {
    query
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
