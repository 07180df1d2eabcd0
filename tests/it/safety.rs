//! Untrusted text never becomes script, and ids never write outside their folder.

use crate::support::{TestSite, digest};

const EVIL: &str = "<script>alert(1)</script>";

#[test]
fn script_in_any_field_is_escaped_on_every_page() {
    let site = TestSite::new();
    let paper = format!(
        "title = \"T {EVIL}\"\nauthors = [\"{EVIL}\"]\nvenue = \"{EVIL}\"\ntopics = [\"{EVIL} topic\"]\nabstract = '''A {EVIL} <img src=x onerror=alert(1)>'''\nnotes = '''N {EVIL} [x](javascript:alert(1))'''"
    );
    let text = format!(
        "+++\ntitle = \"D {EVIL}\"\ndate = 2024-01-01\nsummary = \"{EVIL}\"\n\n[[papers]]\n{paper}\n+++\nIntro {EVIL}\n"
    );
    site.write(
        "content/d.md",
        &text.replace("[x](javascript:alert(1))", ""),
    );
    let built = site.build().unwrap();
    let mut checked = 0;
    // Markup files only: in plain text, BibTeX, RIS and JSON, `<script>` is just text.
    let markup = [".html", ".xml", ".opml"];
    for file in built.files() {
        if !markup.iter().any(|ext| file.ends_with(ext)) {
            continue;
        }
        // The search index is data that search.js only ever puts in the page as text, and the
        // script itself is ours.
        if file.starts_with("search/") && !file.ends_with(".html") {
            continue;
        }
        let text = built.read(&file);
        let lower = without_our_scripts(&text.to_lowercase());
        assert!(!lower.contains("<script"), "{file} holds a script tag");
        assert!(!lower.contains("<img"), "{file} holds an img tag");
        assert!(!has_event_handler(&lower), "{file} holds an event handler");
        checked += 1;
    }
    assert!(checked > 8);
    let script = built.read("search/search.js");
    assert!(
        !script.contains("innerHTML") && !script.contains("insertAdjacentHTML"),
        "search.js builds results from text nodes"
    );
    assert!(
        built
            .read("search/d/0.json")
            .contains("T <script>alert(1)</script>")
    );
    assert!(
        built
            .read("papers/t-script-alert-1-script/index.html")
            .contains("T &lt;script&gt;")
    );
}

#[test]
fn script_link_in_markdown_is_refused() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &["title = \"P\"\nnotes = '''[x](javascript:alert(1))'''"],
        ),
    );
    let error = site.build_error();
    assert!(
        error.contains(
            "content/d.md:5: error: in the notes on `p`: link to `javascript:alert(1)` refused"
        ),
        "{error}"
    );
}

#[test]
fn raw_html_is_kept_only_when_the_owner_turns_it_on() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        "+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\n<aside class=\"x\">Raw</aside>\n",
    );
    assert!(
        site.build()
            .unwrap()
            .read("digests/d/index.html")
            .contains("&lt;aside")
    );
    site.write(
        "site.toml",
        &format!(
            "{}[markdown]\nunsafe_html = true\n",
            crate::support::SITE_TOML
        ),
    );
    assert!(
        site.build()
            .unwrap()
            .read("digests/d/index.html")
            .contains("<aside class=\"x\">Raw</aside>")
    );
}

#[test]
fn ids_cannot_leave_the_papers_folder_or_collide_by_case() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &[
                "title = \"P\"\nid = \"../../../evil\"",
                "title = \"Q\"\nid = \"index\"",
            ],
        ),
    );
    let built = site.build().unwrap();
    assert!(built.exists("papers/evil/index.html"));
    assert!(built.exists("papers/index/index.html"));
    assert!(!site.root().join("evil").exists());
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &["title = \"P\"\nid = \"ABC\"", "title = \"Q\"\nid = \"abc\""],
        ),
    );
    let error = site.build_error();
    assert!(
        error.contains("would share the page /papers/abc/"),
        "{error}"
    );
}

#[test]
fn output_folder_cannot_be_the_site_itself() {
    let site = TestSite::fixture("merge");
    let mut options = site.options();
    options.output_dir = Some(site.root().to_path_buf());
    let error = site.build_with(options).err().expect("refused").to_string();
    assert!(error.contains("refusing to write the site into"), "{error}");
    assert!(site.root().join("content/2024-03-11.md").exists());
}

/// The text without the two script elements the default theme writes on paper pages: the
/// JSON-LD block (whose content must hold no `<`, checked here) and the copy-button script.
pub fn without_our_scripts(html: &str) -> String {
    let mut out = html.to_string();
    let json_ld = "<script type=\"application/ld+json\">";
    if let Some(start) = out.find(json_ld) {
        let body_start = start + json_ld.len();
        let end = out[body_start..]
            .find("</script>")
            .expect("JSON-LD is closed")
            + body_start;
        assert!(
            !out[body_start..end].contains('<'),
            "JSON-LD holds a raw `<`: {}",
            &out[body_start..end]
        );
        out.replace_range(start..end + "</script>".len(), "");
    }
    // Our own scripts (copy button, search), under whatever base path the site has.
    let mut from = 0;
    while let Some(found) = out[from..].find("<script src=\"") {
        let start = from + found;
        let Some(length) = out[start..].find("</script>") else {
            break;
        };
        let end = start + length + "</script>".len();
        let tag = &out[start..end];
        if tag.ends_with("/cite.js\" defer></script>")
            || tag.ends_with("/search/search.js\" defer></script>")
        {
            out.replace_range(start..end, "");
        } else {
            from = end;
        }
    }
    out
}

/// Whether any real tag (not escaped text) carries an `on…=` attribute.
fn has_event_handler(html: &str) -> bool {
    html.match_indices('<').any(|(start, _)| {
        let tag = &html[start + 1..];
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        tag.starts_with(|c: char| c.is_ascii_alphabetic())
            && tag
                .split_whitespace()
                .skip(1)
                .any(|attribute| attribute.starts_with("on") && attribute.contains('='))
    })
}

/// Builds tests/fixtures/injection (script in every field, in TOML and YAML, in site.toml too)
/// with raw HTML escaped, and sanitised, and looks for anything executable in every file built.
#[test]
fn injection_fixture_builds_no_executable_content_anywhere() {
    let site = TestSite::fixture("injection");
    let sanitising = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    for (mode, toml) in [
        ("sanitised", sanitising.clone()),
        (
            "escaped",
            sanitising.replace("unsafe_html = true", "unsafe_html = false"),
        ),
    ] {
        site.write("site.toml", &toml);
        let built = site.build().unwrap_or_else(|e| panic!("{mode}: {e}"));
        let files = built.files();
        assert!(files.len() > 15, "{files:?}");
        let mut pages = 0;
        for file in &files {
            let text = built.read(file);
            if file.ends_with(".html") || file.ends_with(".xml") {
                pages += 1;
                if let Some(found) =
                    digestif::fuzzing::executable_content(&without_our_scripts(&text))
                {
                    panic!("{mode}: {file}: {found}");
                }
            }
            if file.ends_with(".json") {
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("{mode}: {file} is not JSON: {e}"));
            }
            assert!(
                !text.contains("alert('slug')</script>") || !file.ends_with(".html"),
                "{mode}: {file}"
            );
        }
        assert!(pages > 10, "{mode}: {pages} pages");
        let paper = built.read("papers/script-alert-id-script/index.html");
        assert!(
            paper.contains("Paper ]]&gt;&lt;/title&gt;&lt;script&gt;alert("),
            "{mode}: {paper}"
        );
        assert!(paper.contains("{{ site.title }}"), "templates run once");
        assert!(built.exists("digests/script-alert-slug-script/index.html"));
        let feed = built.read("feed.xml");
        quick_xml::Reader::from_str(&feed)
            .read_event()
            .expect("the feed is XML");
        assert!(!feed.contains("<script"), "{mode}: feed");
    }
    // The scan does see script: with raw HTML trusted, the same site is full of it.
    site.write(
        "site.toml",
        &sanitising.replace("unsafe_html = true", "unsafe_html = \"trusted\""),
    );
    let built = site.build().unwrap();
    let digest = built.read("digests/script-alert-slug-script/index.html");
    let found = digestif::fuzzing::executable_content(&digest).expect("script found");
    assert!(found.contains("<script>"), "{found}");
}
