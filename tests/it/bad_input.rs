//! Bad input: each gets an error (or warning) that names the file and, where it applies, the
//! line, and says what to do. None may panic.

use crate::support::{TestSite, digest};

fn error_for(file: &str, text: &str) -> String {
    let site = TestSite::new();
    site.write(file, text);
    site.build_error()
}

#[test]
fn unquoted_arxiv_id_is_a_number() {
    let text = digest("D", "2024-01-01", &["title = \"P\"\narxiv = 1706.03762"]);
    let error = error_for("content/d.md", &text);
    assert!(
        error.contains("content/d.md:7:9: error: invalid type: floating point"),
        "{error}"
    );
    assert!(
        error.contains("help: ids must be strings: write arxiv = \"1706.03762\""),
        "{error}"
    );
}

#[test]
fn latex_in_a_basic_string_explains_literal_strings() {
    let text = digest(
        "D",
        "2024-01-01",
        &["title = \"P\"\nabstract = \"\"\"We bound $\\int_0^1 f$.\"\"\""],
    );
    let error = error_for("content/d.md", &text);
    assert!(error.contains("content/d.md:7:"), "{error}");
    assert!(error.contains("'''…'''"), "{error}");
}

#[test]
fn latex_silently_eaten_by_escapes_warns_with_field_and_line() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &["title = \"P\"\nauthors = [\"A\"]\nabstract = \"$a \\times b + \\beta$\""],
        ),
    );
    let built = site.build().unwrap();
    let warning = built
        .report
        .warnings
        .iter()
        .find(|w| w.message.contains("`abstract` holds"))
        .expect("a warning");
    assert_eq!(warning.location.to_string(), "content/d.md:8");
}

#[test]
fn misspelled_key_suggests_the_right_one() {
    let text = digest("D", "2024-01-01", &["title = \"P\"\nautors = [\"A\"]"]);
    let error = error_for("content/d.md", &text);
    assert!(
        error.contains("content/d.md:7:1: error: unknown field `autors`"),
        "{error}"
    );
    assert!(error.contains("did you mean `authors`?"), "{error}");
}

#[test]
fn missing_required_field_is_named() {
    let error = error_for("content/d.md", "+++\ndate = 2024-01-01\n+++\n");
    assert!(
        error.contains("content/d.md:") && error.contains("missing field `title`"),
        "{error}"
    );
}

#[test]
fn wrong_type_names_the_line() {
    let text = digest("D", "2024-01-01", &["title = \"P\"\nauthors = \"A B\""]);
    let error = error_for("content/d.md", &text);
    assert!(error.contains("content/d.md:7:"), "{error}");
    assert!(error.contains("invalid type"), "{error}");
}

#[test]
fn unterminated_front_matter() {
    let error = error_for("content/d.md", "+++\ntitle = \"D\"\ndate = 2024-01-01\n");
    assert!(
        error.contains("content/d.md:1: error: the front matter opened on line 1 is never closed"),
        "{error}"
    );
    assert!(error.contains("add a line `+++`"), "{error}");
}

#[test]
fn file_without_front_matter() {
    let error = error_for("content/notes.md", "# Just notes\n");
    assert!(
        error.contains("content/notes.md:1: error: no front matter"),
        "{error}"
    );
}

#[test]
fn empty_file() {
    let error = error_for("content/empty.md", "");
    assert!(
        error.contains("content/empty.md:1: error: the file is empty"),
        "{error}"
    );
}

#[test]
fn invalid_utf8_names_the_line() {
    let site = TestSite::new();
    site.write_bytes(
        "content/bin.md",
        b"+++\ntitle = \"D\"\ntitle2 = \"\xff\xfe\"\n+++\n",
    );
    let error = site.build_error();
    assert!(
        error.contains("content/bin.md:3:11: error: the file is not valid UTF-8"),
        "{error}"
    );
}

#[test]
fn bad_date() {
    let error = error_for(
        "content/d.md",
        "+++\ntitle = \"D\"\ndate = \"11/03/2024\"\n+++\n",
    );
    assert!(
        error.contains("content/d.md:3:") && error.contains("invalid date `11/03/2024`"),
        "{error}"
    );
}

#[test]
fn yaml_syntax_error_has_a_line() {
    let error = error_for(
        "content/y.md",
        "---\ntitle: D\ndate: 2024-01-01\npapers:\n  - title: [unclosed\n---\n",
    );
    assert!(error.contains("content/y.md:"), "{error}");
    assert!(
        !error.contains("content/y.md:1:"),
        "points into the YAML: {error}"
    );
}

#[test]
fn one_id_with_two_titles_names_both_files() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        &digest(
            "A",
            "2024-01-01",
            &["title = \"First title\"\narxiv = \"2401.00001\""],
        ),
    );
    site.write(
        "content/b.md",
        &digest(
            "B",
            "2024-01-02",
            &["title = \"Other title\"\narxiv = \"2401.00001\""],
        ),
    );
    let error = site.build_error();
    assert!(error.contains("content/b.md:6: error: paper `2401.00001` is titled \"Other title\" here but \"First title\" in content/a.md:5"), "{error}");
}

#[test]
fn two_digests_with_one_slug() {
    let site = TestSite::new();
    site.write("content/2024-01-01.md", &digest("A", "2024-01-01", &[]));
    site.write(
        "content/archive/2024-01-01.md",
        &digest("B", "2024-01-02", &[]),
    );
    let error = site.build_error();
    assert!(
        error.contains("digest slug `2024-01-01` is also used by content/2024-01-01.md"),
        "{error}"
    );
}

#[test]
fn every_broken_file_is_reported_in_one_run() {
    let site = TestSite::new();
    site.write("content/a.md", "no front matter");
    site.write("content/b.md", "+++\ntitle = 1\n+++\n");
    let error = site.build_error();
    assert!(
        error.contains("content/a.md:1") && error.contains("content/b.md:2"),
        "{error}"
    );
    assert!(error.ends_with("2 errors"), "{error}");
}

#[test]
fn site_toml_typo_and_bad_base_url() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\nlanguge = \"en\"\n",
    );
    let error = site.build_error();
    assert!(
        error.contains("site.toml:3:1: error: unknown field `languge`"),
        "{error}"
    );
    assert!(error.contains("did you mean `language`?"), "{error}");
    site.write("site.toml", "title = \"T\"\nbase_url = \"example.org\"\n");
    assert!(site.build_error().contains(
        "site.toml:2: error: base_url `example.org` must start with https:// or http://"
    ));
    site.write("site.toml", "title = \"T\"\n");
    assert!(site.build_error().contains("missing field `base_url`"));
}

#[test]
fn unknown_theme_is_an_error() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\ntheme = \"fancy\"\n",
    );
    let error = site.build_error();
    assert!(
        error.contains("site.toml:3: error: theme `fancy` not found"),
        "{error}"
    );
}

#[test]
fn broken_template_override_names_the_template() {
    let site = TestSite::new();
    site.write("templates/404.html", "{% if %}");
    let error = site.build_error();
    assert!(error.contains("404.html"), "{error}");
}

#[test]
fn non_web_link_in_front_matter_is_refused() {
    let text = digest(
        "D",
        "2024-01-01",
        &["title = \"P\"\ncode = \"javascript:alert(1)\""],
    );
    let error = error_for("content/d.md", &text);
    assert!(
        error.contains("content/d.md:7: error: `code` is not a web address"),
        "{error}"
    );
}

#[test]
fn math_that_does_not_parse_warns_and_stays_visible() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &["title = \"P\"\nauthors = [\"A\"]\nabstract = '''Broken $\\left( x$ here.'''"],
        ),
    );
    let built = site.build().unwrap();
    let warning = built
        .report
        .warnings
        .iter()
        .find(|w| w.message.contains("does not parse"))
        .expect("a math warning");
    assert_eq!(warning.location.to_string(), "content/d.md:5");
    assert!(
        warning.message.contains("abstract of `p`"),
        "{}",
        warning.message
    );
    assert!(
        built
            .read("papers/p/index.html")
            .contains("<code class=\"math-error\">\\left( x</code>")
    );
}

#[test]
fn odd_files_and_folders_do_not_break_the_build() {
    let site = TestSite::new();
    std::fs::create_dir_all(site.root().join("content/folder.md")).unwrap();
    site.write("content/.hidden.md", "not a digest");
    site.write("content/_index.md", "reserved");
    site.write("content/readme.txt", "ignored");
    site.write(
        "content/crlf.md",
        "\u{feff}+++\r\ntitle = \"CRLF\"\r\ndate = 2024-01-01\r\n+++\r\nBody\r\n",
    );
    let built = site.build().unwrap();
    assert_eq!(built.report.digests, 1);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            site.root().join("content"),
            site.root().join("content/loop"),
        )
        .unwrap();
        let error = site.build_error();
        assert!(
            error.contains("content/loop") && error.contains("loop"),
            "{error}"
        );
    }
}

#[test]
fn paper_with_unsluggable_id() {
    let text = digest("D", "2024-01-01", &["title = \"P\"\nid = \"///\""]);
    let error = error_for("content/d.md", &text);
    assert!(
        error.contains("content/d.md:7: error: paper id `///` has no letters or digits"),
        "{error}"
    );
}

#[test]
fn misspelled_key_in_yaml_suggests_the_right_one() {
    let error = error_for(
        "content/y.md",
        "---\ntitle: D\ndate: 2024-01-01\npapers:\n  - title: P\n    autors: [A]\n---\n",
    );
    assert!(
        error.contains("content/y.md:6:5: error: unknown field `autors`"),
        "{error}"
    );
    assert!(error.contains("did you mean `authors`?"), "{error}");
}

#[test]
fn paper_listed_twice_in_one_digest_warns_and_appears_once() {
    let site = TestSite::new();
    let paper = "title = \"P\"\nauthors = [\"A\"]\narxiv = \"2401.00001\"\nnotes = \"n\"";
    site.write("content/d.md", &digest("D", "2024-01-01", &[paper, paper]));
    let built = site.build().unwrap();
    let warning = built
        .report
        .warnings
        .iter()
        .find(|w| w.message.contains("listed twice"))
        .expect("a warning");
    assert_eq!(warning.location.to_string(), "content/d.md:11");
    assert_eq!(
        built
            .read("digests/d/index.html")
            .matches("<article class=\"card\">")
            .count(),
        1
    );
    assert_eq!(
        built
            .read("papers/2401.00001/index.html")
            .matches("href=\"/digests/d/\"")
            .count(),
        2,
        "once in the notes, once in appeared-in"
    );
}
