//! The incremental engine behind `serve`, in process: a save remakes only what it changed
//! (pages, citation files, search index files), and the result always equals a fresh build.

use digestif::engine::{Engine, Outcome};
use digestif::{Config, Overrides};

use crate::support::{Memory, TestSite};

fn load(site: &TestSite) -> Config {
    Config::load(site.root(), &Overrides::default()).unwrap()
}

fn wrote(outcome: &Outcome, prefix: &str) -> Vec<String> {
    outcome
        .written
        .iter()
        .filter(|path| path.starts_with(prefix))
        .cloned()
        .collect()
}

fn assert_equals_fresh_build(site: &TestSite, live: Memory) {
    let fresh = Memory::default();
    Engine::new(load(site), false).build(&fresh, false).unwrap();
    crate::support::assert_same_files(
        &live.into_files(),
        &fresh.into_files(),
        "from a fresh build",
    );
}

fn edit(site: &TestSite, file: &str, from: &str, to: &str) {
    let path = site.root().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    // A different length, so that the change shows even within one second of the last build.
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn a_title_edit_remakes_that_papers_citations_and_the_search_index_only() {
    let site = TestSite::fixture("merge");
    let mut engine = Engine::new(load(&site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    assert!(live.read("search/index.json").is_some());

    edit(
        &site,
        "content/2024-03-11.md",
        "title = \"Consistency Models\"",
        "title = \"Consistency Models, revisited\"",
    );
    let outcome = engine.build(&live, false).unwrap();
    assert_eq!(
        wrote(&outcome, "papers/2303.01469/cite."),
        [
            "papers/2303.01469/cite.bib",
            "papers/2303.01469/cite.ris",
            "papers/2303.01469/cite.json"
        ]
    );
    assert!(
        wrote(&outcome, "papers/1706.03762/cite.").is_empty(),
        "an unchanged paper's citation files are not made again"
    );
    assert!(
        live.read("papers/2303.01469/cite.bib")
            .unwrap()
            .contains("Consistency Models, revisited")
    );
    assert!(live.read("papers.bib").unwrap().contains("revisited"));
    assert!(
        !wrote(&outcome, "search/").is_empty(),
        "the search index has the new title"
    );
    assert!(
        wrote(&outcome, "search/search.js").is_empty(),
        "unchanged index files are not rewritten"
    );

    // The introduction is on no citation and in no index: neither is made again.
    edit(
        &site,
        "content/2024-03-11.md",
        "The first digest's introduction.",
        "The first digest's introduction, longer.",
    );
    let outcome = engine.build(&live, false).unwrap();
    assert!(wrote(&outcome, "digests/2024-03-11/index.html").len() == 1);
    assert!(
        wrote(&outcome, "search/").is_empty(),
        "{:?}",
        outcome.written
    );
    assert!(
        !outcome.written.iter().any(|p| p.contains("cite.")),
        "{:?}",
        outcome.written
    );
    assert_eq!(wrote(&outcome, "feed."), ["feed.xml", "feed.json"]);

    // Abstracts are not in the site feeds: neither is made again.
    edit(
        &site,
        "content/2024-03-11.md",
        "scaling.'''",
        "scaling, again.'''",
    );
    let outcome = engine.build(&live, false).unwrap();
    assert!(wrote(&outcome, "feed.").is_empty(), "{:?}", outcome.written);
    assert_eq!(wrote(&outcome, "papers/1706.03762/cite.bib").len(), 1);
    assert_equals_fresh_build(&site, live);
}

#[test]
fn a_deleted_digest_takes_its_papers_citation_files_and_search_records_with_it() {
    let site = TestSite::fixture("merge");
    let mut engine = Engine::new(load(&site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    assert!(live.read("papers/hep-th-9711200/cite.ris").is_some());

    std::fs::remove_file(site.root().join("content/2024-03-18.md")).unwrap();
    let outcome = engine.build(&live, false).unwrap();
    for file in ["cite.bib", "cite.ris", "cite.json"] {
        let path = format!("papers/hep-th-9711200/{file}");
        assert!(outcome.removed.contains(&path), "{path} not removed");
        assert!(live.read(&path).is_none());
    }
    assert!(!live.read("papers.bib").unwrap().contains("Old style"));
    let records: String = (0..4)
        .filter_map(|i| live.read(&format!("search/d/{i}.json")))
        .collect();
    assert!(!records.contains("Old style"), "{records}");

    // Back again: made again, not remembered as unchanged.
    std::fs::write(
        site.root().join("content/2024-03-18.md"),
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/merge/content/2024-03-18.md"),
        )
        .unwrap(),
    )
    .unwrap();
    engine.build(&live, false).unwrap();
    assert!(live.read("papers/hep-th-9711200/cite.ris").is_some());
    assert_equals_fresh_build(&site, live);
}

#[test]
fn a_new_base_url_remakes_every_citation_file() {
    let site = TestSite::fixture("merge");
    let mut engine = Engine::new(load(&site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    edit(
        &site,
        "site.toml",
        "https://example.org/",
        "https://example.org/moved/",
    );
    engine.set_config(load(&site));
    engine.build(&live, false).unwrap();
    assert!(
        live.read("papers/1706.03762/cite.ris")
            .unwrap()
            .contains("https://example.org/moved/papers/1706.03762/")
    );
    assert_equals_fresh_build(&site, live);
}

#[test]
fn an_edit_to_the_later_entry_of_a_merged_paper_reaches_its_page() {
    let site = TestSite::fixture("merge");
    let mut engine = Engine::new(load(&site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    let page = "papers/1706.03762/index.html";
    assert!(
        !live
            .read(page)
            .unwrap()
            .contains("github.com/example/attention")
    );

    // The first entry has no `code`: the merged paper takes it from the second digest.
    edit(
        &site,
        "content/2024-03-18.md",
        "arxiv = \"arXiv:1706.03762\"",
        "arxiv = \"arXiv:1706.03762\"\ncode = \"https://github.com/example/attention\"",
    );
    let outcome = engine.build(&live, false).unwrap();
    assert!(outcome.written.iter().any(|path| path == page));
    assert!(
        live.read(page)
            .unwrap()
            .contains("github.com/example/attention")
    );
    // The site feed lists each paper's links too.
    for feed in ["feed.xml", "feed.json"] {
        assert!(
            live.read(feed)
                .unwrap()
                .contains("github.com/example/attention"),
            "{feed}"
        );
    }
    assert_equals_fresh_build(&site, live);
}

/// `syntax.css` holds the rules for the classes the site's code uses (issue 21, page weight), so
/// a save that brings code in a new language must write it again, and one that takes the code
/// away must shrink it, as a fresh build would.
#[test]
fn a_save_with_code_in_a_new_language_remakes_syntax_css() {
    let site = TestSite::fixture("merge");
    let mut engine = Engine::new(load(&site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    let css = |live: &Memory| live.read("syntax.css").unwrap();
    assert!(!css(&live).contains(".hl-keyword"), "no code yet");

    let notes = "notes = \"First digest's notes on attention.\"";
    let python = "notes = '''\n```python\ndef f(x):\n    return x\n```\n'''";
    edit(&site, "content/2024-03-11.md", notes, python);
    let outcome = engine.build(&live, false).unwrap();
    assert_eq!(wrote(&outcome, "syntax.css"), ["syntax.css"]);
    assert!(css(&live).contains(".hl-keyword"));
    assert!(!css(&live).contains(".hl-markup.hl-inserted"));

    edit(
        &site,
        "content/2024-03-11.md",
        "```\n'''",
        "```\n\n```diff\n- old\n+ new\n```\n'''",
    );
    let outcome = engine.build(&live, false).unwrap();
    assert_eq!(wrote(&outcome, "syntax.css"), ["syntax.css"]);
    assert!(
        css(&live).contains(".hl-markup.hl-inserted"),
        "{}",
        css(&live)
    );

    // An unrelated save leaves it alone.
    edit(
        &site,
        "content/2024-03-11.md",
        "The first digest's introduction.",
        "The first digest's introduction, longer.",
    );
    let outcome = engine.build(&live, false).unwrap();
    assert!(wrote(&outcome, "syntax.css").is_empty());

    edit(&site, "content/2024-03-11.md", "```python", "```text");
    edit(&site, "content/2024-03-11.md", "```diff", "```text");
    engine.build(&live, false).unwrap();
    assert!(!css(&live).contains(".hl-keyword"));
    assert_equals_fresh_build(&site, live);
}

#[test]
fn fewer_citation_files_and_emails_in_site_toml_remove_them_under_serve() {
    let site = TestSite::fixture("merge");
    let mut engine = Engine::new(load(&site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    assert!(live.read("papers/1706.03762/cite.ris").is_some());
    assert!(live.read("digests/2024-03-11/email.html").is_some());

    // The default: cite.bib only.
    edit(&site, "site.toml", "citation_files = \"all\"", "emails = 1");
    engine.set_config(load(&site));
    let outcome = engine.build(&live, false).unwrap();
    assert!(live.read("papers/1706.03762/cite.ris").is_none());
    assert!(live.read("papers/1706.03762/cite.json").is_none());
    assert!(live.read("papers/1706.03762/cite.bib").is_some());
    assert!(live.read("digests/2024-03-11/email.html").is_none());
    assert!(live.read("digests/2024-03-18/email.html").is_some());
    assert!(
        outcome
            .removed
            .contains(&"papers/1706.03762/cite.json".to_string())
    );
    let size = outcome.report.size.clone();
    let files = live.files();
    assert_eq!(size.total().files, files.len() as u64);
    assert_equals_fresh_build(&site, Memory(std::sync::Mutex::new(files)));

    // And back: every file returns.
    edit(&site, "site.toml", "emails = 1", "citation_files = \"all\"");
    engine.set_config(load(&site));
    engine.build(&live, false).unwrap();
    assert!(live.read("papers/1706.03762/cite.ris").is_some());
    assert!(live.read("digests/2024-03-11/email.html").is_some());
    assert_equals_fresh_build(&site, live);
}

#[test]
fn a_newer_digest_turns_the_oldest_listing_abstracts_into_short_cards_under_serve() {
    let site = TestSite::fixture("merge");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &toml.replace("citation_files = \"all\"", "digest_abstracts = 2"),
    );
    let mut engine = Engine::new(load(&site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    let listed = |live: &Memory| {
        live.read("digests/2024-03-11/index.html")
            .unwrap()
            .contains("<details class=\"abstract\">")
    };
    assert!(
        listed(&live),
        "one of the two newest digests lists abstracts"
    );

    site.write(
        "content/2024-04-01.md",
        "+++\ntitle = \"Third digest\"\ndate = 2024-04-01\n\n[[papers]]\ntitle = \"A newer paper\"\narxiv = \"2404.00001\"\nabstract = \"Newer.\"\n+++\n",
    );
    let outcome = engine.build(&live, false).unwrap();
    assert!(
        outcome
            .written
            .contains(&"digests/2024-03-11/index.html".to_string()),
        "{:?}",
        outcome.written
    );
    assert!(
        !listed(&live),
        "the oldest digest is now an archive of short cards"
    );
    assert_equals_fresh_build(&site, live);
}
