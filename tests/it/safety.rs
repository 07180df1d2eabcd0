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
    for file in built.files() {
        // The search index is data that search.js only ever puts in the page as text (checked
        // below), and the script itself is ours.
        if file.starts_with("search/") && !file.ends_with(".html") {
            continue;
        }
        let text = built
            .read(&file)
            .replace(r#"<script src="/search/search.js" defer></script>"#, "");
        let lower = text.to_lowercase();
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
