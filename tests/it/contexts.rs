//! Snapshots of what templates receive: the site-wide values and one page of every kind of the
//! example site, as JSON. A renamed or removed field is a change to every theme's API: it shows
//! here, in review, before it breaks a theme (`cargo insta review` accepts a deliberate one).

use digestif::engine::Engine;
use digestif::{Config, Overrides};

/// The first page of each kind: the output paths below name one page per template.
const PAGES: [&str; 16] = [
    "site",
    "index.html",
    "digests/2024-03-11/index.html",
    "digests/2024-03-11/email.html",
    "digests/2024-03-11/email.txt",
    "papers/1706.03762/index.html",
    "topics/index.html",
    "digests/index.html",
    "topics/diffusion/index.html",
    "topics/diffusion/feed.xml",
    "404.html",
    "search/index.html",
    "feed.xml",
    "sitemap.xml",
    "robots.txt",
    "feeds.opml",
];

#[test]
fn every_context_kind_of_the_example_site() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(root, &Overrides::default()).unwrap();
    let contexts = Engine::new(config, false).contexts().unwrap();
    for name in PAGES {
        let (_, context) = contexts
            .iter()
            .find(|(output, _)| output == name)
            .unwrap_or_else(|| panic!("the example site has no {name}"));
        let snapshot = name.replace(['/', '.'], "_");
        insta::assert_json_snapshot!(snapshot, context);
    }
}

/// Whether an output path is of a page kind.
type IsKind = dyn Fn(&str) -> bool;

#[test]
fn every_lab_context_kind() {
    let site = crate::support::TestSite::fixture("lab");
    let config = Config::load(site.root(), &Overrides::default()).unwrap();
    let contexts = Engine::new(config, false).contexts().unwrap();
    let kinds: [(&str, &IsKind); 8] = [
        ("lab_index", &|o| o == "index.html"),
        ("lab_author", &|o| {
            o.starts_with("authors/") && o.ends_with("index.html")
        }),
        ("lab_author_feed", &|o| {
            o.starts_with("authors/") && o.ends_with("feed.xml")
        }),
        ("lab_people", &|o| o == "people/index.html"),
        ("lab_person", &|o| {
            o.starts_with("people/") && o != "people/index.html"
        }),
        ("lab_publications", &|o| o == "publications/index.html"),
        ("lab_research", &|o| o == "research/index.html"),
        ("lab_news", &|o| o == "news/index.html"),
    ];
    for (name, is_kind) in kinds {
        let (_, context) = contexts
            .iter()
            .find(|(output, _)| is_kind(output))
            .unwrap_or_else(|| panic!("the lab fixture has no {name} page"));
        insta::assert_json_snapshot!(name, context);
    }
}
