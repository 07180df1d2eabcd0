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
        let text = built.read(&file);
        let lower = without_our_scripts(&text.to_lowercase());
        assert!(!lower.contains("<script"), "{file} holds a script tag");
        assert!(!lower.contains("<img"), "{file} holds an img tag");
        assert!(!has_event_handler(&lower), "{file} holds an event handler");
        checked += 1;
    }
    assert!(checked > 8);
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
    out.replace("<script src=\"/cite.js\" defer></script>", "")
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
