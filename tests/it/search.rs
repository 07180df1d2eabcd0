//! The search index and pages as built files: what ships, where it points, and what a reader
//! without JavaScript gets. The browser behaviour is in search_browser.rs and search_js.rs.

use digestif::BuildOptions;

use crate::support::{TestSite, broken_links};

fn manifest(built: &crate::support::Built) -> serde_json::Value {
    serde_json::from_str(&built.read("search/index.json")).expect("the manifest is JSON")
}

#[test]
fn search_index_and_page_are_built_from_the_model() {
    let site = TestSite::fixture("search");
    let built = site.build().unwrap();
    let m = manifest(&built);
    assert_eq!(m["format"], 1);
    assert_eq!(m["papers"], 13);
    assert_eq!(m["build"].as_str().unwrap().len(), 16);
    let chunk = m["chunk"].as_u64().unwrap() as usize;
    let chunks = 13usize.div_ceil(chunk);
    for i in 0..chunks {
        assert!(built.exists(&format!("search/d/{i}.json")), "chunk {i}");
    }
    assert!(!built.exists(&format!("search/d/{chunks}.json")));
    for (i, _) in m["terms"].as_array().unwrap().iter().enumerate() {
        assert!(built.exists(&format!("search/t/{i}.bin")), "term shard {i}");
    }
    assert!(built.exists("search/facets.bin"));
    assert!(built.exists("search/search.js"));

    // Papers are numbered newest first, so years are ranges.
    let first: serde_json::Value = serde_json::from_str(&built.read("search/d/0.json")).unwrap();
    assert_eq!(
        first[0][1],
        "Improved Techniques for Training Consistency Models"
    );
    assert_eq!(first[0][0], "2310.14189", "the slug for the paper's URL");
    assert_eq!(first[0][3], "2023-10-22");
    assert_eq!(m["years"][0], serde_json::json!([2023, 0]));
    let topics = m["topics"].as_array().unwrap();
    assert!(topics.contains(&serde_json::json!([
        "Consistency models",
        "consistency-models"
    ])));
    assert!(
        m["venues"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("NeurIPS 2022"))
    );

    let page = built.read("search/index.html");
    assert!(page.contains("data-search-page"));
    assert!(page.contains(r#"data-index="/search/index.json""#));
    assert!(page.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(
        !built.read("sitemap.xml").contains("/search/"),
        "the search page is not in the sitemap"
    );
}

#[test]
fn every_page_has_a_search_box_that_works_without_javascript() {
    let site = TestSite::fixture("search");
    let built = site.build().unwrap();
    for page in [
        "index.html",
        "papers/1706.03762/index.html",
        "topics/index.html",
        "404.html",
    ] {
        let html = built.read(page);
        assert!(
            html.contains(
                r#"<form class="search-box" role="search" action="/search/" method="get""#
            ),
            "{page}"
        );
        assert!(html.contains(r#"name="q""#), "{page}");
        // The script itself is fetched when a reader comes to search, by a loader the page
        // links rather than carries.
        assert!(
            html.contains(r#"data-script="/search/search.js""#),
            "{page}"
        );
        assert!(
            html.contains(r#"<script src="/search/box.js" defer></script>"#),
            "{page}"
        );
        assert!(
            !html.contains(r#"<script src="/search/search.js""#) && !html.contains("<script>"),
            "{page}"
        );
    }
    let loader = built.read("search/box.js");
    assert!(loader.contains("getAttribute(\"data-script\")"), "{loader}");
    let search = built.read("search/index.html");
    let noscript = &search[search
        .find("<noscript>")
        .expect("a message without JavaScript")..];
    assert!(noscript.contains("Search needs JavaScript"));
    assert!(noscript.contains(r#"<a href="/topics/">papers by topic</a>"#));
    assert!(
        !search.contains("search-box"),
        "the search page has its own box, not the header's"
    );
    assert!(
        broken_links(&built, "/").is_empty(),
        "{:?}",
        broken_links(&built, "/")
    );
}

#[test]
fn search_works_under_a_sub_path() {
    let site = TestSite::fixture("search");
    let mut options = BuildOptions::new(site.root());
    options.overrides.base_url = Some("https://lab.github.io/lab-digest/".into());
    let built = site.build_with(options).unwrap();
    let html = built.read("index.html");
    assert!(html.contains(r#"action="/lab-digest/search/""#));
    assert!(html.contains(r#"data-index="/lab-digest/search/index.json""#));
    assert!(html.contains(r#"data-script="/lab-digest/search/search.js""#));
    assert!(html.contains(r#"<script src="/lab-digest/search/box.js" defer>"#));
    assert!(broken_links(&built, "/lab-digest/").is_empty());
}

#[test]
fn search_can_be_turned_off() {
    let site = TestSite::fixture("search");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write("site.toml", &format!("{toml}\n[search]\nenabled = false\n"));
    let built = site.build().unwrap();
    assert!(!built.exists("search/index.json"));
    assert!(!built.exists("search/index.html"));
    let home = built.read("index.html");
    assert!(!home.contains("search-box") && !home.contains("search.js"));
}

#[test]
fn a_theme_made_before_search_gets_the_built_in_search_page() {
    let site = TestSite::fixture("search");
    for (name, bytes) in digestif::render::templates::embedded_theme_files() {
        if *name != "templates/search.html" {
            site.write_bytes(&format!("themes/mine/{name}"), bytes);
        }
    }
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write("site.toml", &format!("theme = \"mine\"\n{toml}"));
    let built = site
        .build()
        .expect("the theme builds without its own search.html");
    assert!(built.read("search/index.html").contains("data-search-page"));
}

#[test]
fn search_index_is_the_same_for_the_same_site() {
    let site = TestSite::fixture("search");
    let first = site.build().unwrap();
    let a: Vec<(String, Vec<u8>)> = first
        .files()
        .into_iter()
        .filter(|f| f.starts_with("search/"))
        .map(|f| {
            let bytes = std::fs::read(first.out.join(&f)).unwrap();
            (f, bytes)
        })
        .collect();
    let second = site.build().unwrap();
    for (file, bytes) in &a {
        assert_eq!(
            &std::fs::read(second.out.join(file)).unwrap(),
            bytes,
            "{file}"
        );
    }
    site.write(
        "content/2024-05-06.md",
        &crate::support::digest(
            "Another",
            "2024-05-06",
            &["title = \"A New Paper\"\nauthors = [\"Ann Author\"]"],
        ),
    );
    let third = site.build().unwrap();
    assert_ne!(
        manifest(&third)["build"],
        serde_json::from_slice::<serde_json::Value>(
            &a.iter().find(|(f, _)| f == "search/index.json").unwrap().1
        )
        .unwrap()["build"],
        "a changed site gets a new build id, so browsers fetch fresh shards"
    );
}
