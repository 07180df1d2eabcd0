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
            || tag.ends_with("/search/box.js\" defer></script>")
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

#[test]
fn a_folder_of_the_users_files_is_not_replaced_without_the_flag() {
    let site = TestSite::fixture("merge");
    let elsewhere = tempfile::tempdir().unwrap();
    let thesis = elsewhere.path().join("thesis.tex");
    std::fs::write(&thesis, "\\documentclass{book}").unwrap();
    let mut options = site.options();
    options.output_dir = Some(elsewhere.path().to_path_buf());
    let error = site
        .build_with(options.clone())
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("`thesis.tex`"), "{error}");
    assert!(error.contains("--replace-output-dir"), "{error}");
    assert!(thesis.exists());
    // Nothing was staged beside it either.
    let beside: Vec<_> = std::fs::read_dir(elsewhere.path().parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("-building-"))
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let folder = elsewhere.path().file_name().unwrap().to_string_lossy();
            name.starts_with(&format!(".{folder}-"))
        })
        .collect();
    assert!(beside.is_empty());

    options.replace_output_dir = true;
    let built = site.build_with(options.clone()).unwrap();
    assert!(!thesis.exists(), "the flag allows it");
    assert!(built.exists(digestif::write::OUTPUT_MARKER));
    // From then on the folder is Digestif's own, and a build without the flag replaces it.
    options.replace_output_dir = false;
    site.build_with(options).unwrap();
}

#[test]
fn another_site_is_never_replaced_even_with_the_flag() {
    let site = TestSite::fixture("merge");
    let other = TestSite::fixture("merge");
    let mut options = site.options();
    options.output_dir = Some(other.root().to_path_buf());
    options.replace_output_dir = true;
    let error = site.build_with(options).err().expect("refused").to_string();
    assert!(error.contains("another site"), "{error}");
    assert!(other.root().join("content/2024-03-11.md").exists());
    assert!(other.root().join("site.toml").exists());
}

#[test]
fn the_sites_source_folders_are_never_replaced_even_with_the_flag() {
    let site = TestSite::fixture("merge");
    std::fs::create_dir_all(site.root().join("static/css")).unwrap();
    for folder in ["content", "static/css", "templates", "themes/mine"] {
        let mut options = site.options();
        options.output_dir = Some(site.root().join(folder));
        options.replace_output_dir = true;
        let error = site.build_with(options).err().expect("refused").to_string();
        assert!(
            error.contains("refusing to write the site into"),
            "{folder}: {error}"
        );
    }
    assert!(site.root().join("content/2024-03-11.md").exists());
}

#[test]
fn an_output_dir_that_is_a_file_is_refused_before_building() {
    let site = TestSite::fixture("merge");
    let file = site.root().join("notes.txt");
    std::fs::write(&file, "my notes").unwrap();
    let mut options = site.options();
    options.output_dir = Some(file.clone());
    options.replace_output_dir = true;
    let error = site.build_with(options).err().expect("refused").to_string();
    assert!(error.contains("is a file, not a folder"), "{error}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "my notes");
    let hidden: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".notes.txt-"))
        .collect();
    assert!(hidden.is_empty(), "the file was set aside");
}

#[test]
fn an_output_folder_written_before_the_marker_existed_is_replaced() {
    let site = TestSite::fixture("merge");
    let built = site.build().unwrap();
    // What a build of an earlier version left: the same files without the marker.
    std::fs::remove_file(built.out.join(digestif::write::OUTPUT_MARKER)).unwrap();
    let built = site.build().unwrap();
    assert!(built.exists(digestif::write::OUTPUT_MARKER));
}

/// A folder outside the site with a digest and a "system" file in it, as a symbolic link
/// would find them.
#[cfg(unix)]
fn outside_files() -> tempfile::TempDir {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("private.md"),
        digest("Private", "2024-05-01", &["title = \"PRIVATE-NOTE-TEXT\""]),
    )
    .unwrap();
    std::fs::write(outside.path().join("passwd"), "root:x:0:0:SYSTEM-FILE-TEXT").unwrap();
    outside
}

#[cfg(unix)]
#[test]
fn links_that_leave_the_site_are_refused_wherever_they_are() {
    use std::os::unix::fs::symlink;
    let outside = outside_files();
    let cases: [(&str, std::path::PathBuf); 6] = [
        ("content/shared.md", outside.path().join("private.md")),
        ("content/elsewhere", outside.path().to_path_buf()),
        ("static/passwd.txt", outside.path().join("passwd")),
        ("static/shared", outside.path().to_path_buf()),
        ("templates/partials", outside.path().to_path_buf()),
        ("content/people.toml", outside.path().join("passwd")),
    ];
    for (link, target) in cases {
        let site = TestSite::fixture("merge");
        let path = site.root().join(link);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(&target, &path).unwrap();
        let error = site.build_error();
        assert!(error.contains(link), "{link}: {error}");
        assert!(error.contains("outside the site"), "{link}: {error}");
        assert!(error.contains("follow_external_links"), "{link}: {error}");
        assert!(!site.root().join("public").exists(), "{link}: built anyway");
    }
}

#[cfg(unix)]
#[test]
fn a_theme_folder_linked_from_outside_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let theme = outside.path().join("shared-theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    let site = TestSite::fixture("merge");
    std::fs::create_dir_all(site.root().join("themes")).unwrap();
    std::os::unix::fs::symlink(&theme, site.root().join("themes/shared")).unwrap();
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write("site.toml", &format!("theme = \"shared\"\n{config}"));
    let error = site.build_error();
    assert!(error.contains("themes/shared"), "{error}");
    assert!(error.contains("outside the site"), "{error}");
}

#[cfg(unix)]
#[test]
fn links_inside_the_site_and_allowed_links_are_followed() {
    use std::os::unix::fs::symlink;
    let outside = outside_files();
    let site = TestSite::fixture("merge");
    symlink(
        site.root().join("content/2024-03-11.md"),
        site.root().join("content/again.md"),
    )
    .unwrap();
    site.build().expect("a link inside the site is followed");

    symlink(
        outside.path().join("private.md"),
        site.root().join("content/shared.md"),
    )
    .unwrap();
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &format!("{config}\n[build]\nfollow_external_links = true\n"),
    );
    let built = site.build().expect("the owner allowed it");
    assert!(built.read("index.html").contains("PRIVATE-NOTE-TEXT"));
}
