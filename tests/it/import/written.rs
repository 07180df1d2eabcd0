//! What an import writes builds (issue 23, "Import writes files that do not build"): a field the
//! build refuses is left out, a paper the build cannot give a page is skipped, each with a warning
//! at its line, and the rest is written. The property test in `builds.rs` covers random input.

use super::{TestSite, import, warnings};

fn written(site: &TestSite, name: &str) -> String {
    std::fs::read_to_string(site.root().join("content").join(name)).unwrap()
}

// Titles and abstracts over the build's limits were written anyway.
#[test]
fn fields_over_the_builds_limits_are_left_out_with_a_warning() {
    let site = TestSite::new();
    let long_title = "Word ".repeat(500);
    let long_author = "Name".repeat(600);
    let long_abstract = "text ".repeat(220_000);
    site.write(
        "limits.bib",
        &format!(
            "@misc{{long, title = {{{long_title}}}}}\n\
             @misc{{abs, title = {{Long Abstract}}, abstract = {{{long_abstract}}}}}\n\
             @misc{{who, title = {{Long Author}}, author = {{{long_author} and Ada Lovelace}}, keywords = {{{long_author}, ++, fine}}}}\n\
             @misc{{js, title = {{Script}}, abstract = {{See [this](javascript:alert(1)).}}}}\n"
        ),
    );
    let path = site.root().join("limits.bib");
    let report = import(&site, &["bibtex", path.to_str().unwrap()]).unwrap();
    let warnings = warnings(&report);
    assert_eq!(report.papers, 3, "{warnings}");
    for expected in [
        "limits.bib:1: warning: \"Word Word",
        "is a title of 2499 characters, more than the 2000 a title may have; skipped",
        "limits.bib:2: warning: the abstract of \"Long Abstract\" was left out, since the build would refuse it: the text is 1.1 MB long",
        "limits.bib:3: warning: an author of 2400 characters in \"Long Author\" was left out",
        "limits.bib:3: warning: a topic of 2400 characters in \"Long Author\" was left out",
        "limits.bib:3: warning: the topic `++` of \"Long Author\" was left out",
        "limits.bib:4: warning: the abstract of \"Script\" was left out, since the build would refuse it: link to `javascript:alert(1)` refused",
    ] {
        assert!(warnings.contains(expected), "{expected}\nin\n{warnings}");
    }
    let text = written(&site, "2024-03-11.md");
    assert!(
        text.contains(
            "title = \"Long Author\"\nauthors = [\"Ada Lovelace\"]\ntopics = [\"fine\"]\n"
        ),
        "{}",
        &text[..text.len().min(2000)]
    );
    site.build().unwrap();
}

// A pasted `+++` line became a paper with no usable id.
#[test]
fn a_pasted_front_matter_line_is_not_a_paper() {
    let site = TestSite::new();
    site.write(
        "list.txt",
        "+++\n\nA Real Title\nIts abstract, a sentence of some words.\n\n!!!\nThe abstract of a title of punctuation.\n",
    );
    let path = site.root().join("list.txt");
    // Kept as title-only entries, the `+++` line still makes no paper.
    let report = import(&site, &["text", path.to_str().unwrap(), "--keep-titles"]).unwrap();
    let warnings = warnings(&report);
    assert_eq!(report.papers, 1, "{warnings}");
    assert!(warnings.contains("list.txt:1: warning: \"+++\" has no letters or digits to make its page address from; skipped"), "{warnings}");
    assert!(
        warnings.contains("list.txt:6: warning: \"!!!\" has no letters or digits"),
        "{warnings}"
    );
    site.build().unwrap();
}

#[test]
fn papers_that_would_share_a_page_get_ids_of_their_own() {
    let site = TestSite::new();
    site.write(
        "dois.json",
        r#"[{"title": "Colon", "DOI": "10.1/a:b"}, {"title": "Semicolon", "DOI": "10.1/a;b"}]"#,
    );
    let path = site.root().join("dois.json");
    let report = import(&site, &["csl-json", path.to_str().unwrap()]).unwrap();
    assert!(
        warnings(&report).contains("dois.json:1: warning: \"Semicolon\" (id `10.1/a;b`) would share the page /papers/10.1-a-b/ with another paper, so it was given id = \"10.1/a;b-2\""),
        "{}",
        warnings(&report)
    );
    // Into the same file again, with a third that the file's papers already take the page of.
    site.write(
        "more.json",
        r#"[{"title": "Comma", "DOI": "10.1/a,b"}, {"title": "Colon", "DOI": "10.1/a:b"}]"#,
    );
    let path = site.root().join("more.json");
    let report = import(&site, &["csl-json", path.to_str().unwrap()]).unwrap();
    assert_eq!((report.counts.added, report.counts.kept), (1, 1));
    assert!(
        warnings(&report).contains("given id = \"10.1/a,b-3\""),
        "{}",
        warnings(&report)
    );
    let built = site.build().unwrap();
    assert!(built.exists("papers/10.1-a-b-3/index.html"));
}

#[test]
fn options_that_would_make_a_digest_the_build_refuses_are_errors() {
    let site = TestSite::new();
    site.write("one.bib", "@misc{x, title = {T}}\n");
    let path = site.root().join("one.bib");
    let path = path.to_str().unwrap();
    let error = import(&site, &["bibtex", path, "--title", "  "])
        .unwrap_err()
        .to_string();
    assert!(error.contains("--title is empty"), "{error}");
    let long = "t".repeat(2001);
    let error = import(&site, &["bibtex", path, "--title", &long])
        .unwrap_err()
        .to_string();
    assert!(error.contains("--title has 2001 characters"), "{error}");
    let error = import(&site, &["bibtex", path, "--out", "content/+++.md"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("needs letters or digits"), "{error}");
    let error = import(&site, &["bibtex", path, "--date=-000005-03-11"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("is not a date"), "{error}");
    assert_eq!(
        std::fs::read_dir(site.root().join("content"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn topics_that_would_share_a_page_take_one_spelling() {
    let site = TestSite::new();
    site.write(
        "topics.bib",
        "@misc{a, title = {First}, keywords = {Ünïcödé, C}}\n@misc{b, title = {Second}, keywords = {unicode, C++, c}}\n",
    );
    let path = site.root().join("topics.bib");
    let report = import(&site, &["bibtex", path.to_str().unwrap()]).unwrap();
    let warnings = warnings(&report);
    assert!(warnings.contains("topics.bib:2: warning: the topic `unicode` of \"Second\" is written `Ünïcödé`: the two would share the page /topics/unicode/"), "{warnings}");
    assert!(
        warnings.contains("the topic `C++` of \"Second\" is written `C`"),
        "{warnings}"
    );
    let text = written(&site, "2024-03-11.md");
    assert!(
        text.contains("title = \"Second\"\ntopics = [\"Ünïcödé\", \"C\"]\n"),
        "{text}"
    );
    site.build().unwrap();
}
