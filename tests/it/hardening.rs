//! More bad input (bad_input.rs has the everyday mistakes): extreme sizes and nesting, bytes that
//! are not text, odd files, collisions between output files, links that run script. Each gives
//! an error that names the file, line and what is wrong, or builds; none may panic.

use crate::support::{SITE_TOML, TestSite, digest};

fn error_for(file: &str, text: &str) -> String {
    let site = TestSite::new();
    site.write(file, text);
    site.build_error()
}

fn warnings_of(site: &TestSite) -> Vec<String> {
    site.build()
        .unwrap()
        .report
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect()
}

#[test]
fn nul_byte_is_located() {
    let site = TestSite::new();
    site.write_bytes(
        "content/n.md",
        b"+++\ntitle = \"D\0\"\ndate = 2024-01-01\n+++\n",
    );
    let error = site.build_error();
    assert!(
        error.contains(
            "content/n.md:2:11: error: the file holds a NUL byte, so it is not a text file"
        ),
        "{error}"
    );
}

#[test]
fn oversized_file_is_refused_unread() {
    let site = TestSite::new();
    let mut text = digest("D", "2024-01-01", &[]).into_bytes();
    text.resize(33 * 1024 * 1024, b'x');
    site.write_bytes("content/huge.md", &text);
    let error = site.build_error();
    assert!(
        error.contains(
            "content/huge.md: error: the file is 34.6 MB, more than the 32 MB a digest file may hold"
        ),
        "{error}"
    );
}

#[test]
fn megabyte_abstract_is_refused_with_its_line() {
    let abstract_text = "word ".repeat(230_000);
    let paper = format!("title = \"P\"\nabstract = '''{abstract_text}'''");
    let error = error_for("content/d.md", &digest("D", "2024-01-01", &[&paper]));
    assert!(
        error.contains("content/d.md:5: error: in the abstract of `p`: the text is 1.1 MB long, more than the 1 MB a Markdown text may hold"),
        "{}",
        &error[..error.len().min(400)]
    );
}

#[test]
fn absurdly_long_title_is_refused() {
    let paper = format!("title = \"{}\"", "T".repeat(5000));
    let error = error_for("content/d.md", &digest("D", "2024-01-01", &[&paper]));
    assert!(
        error.contains(
            "content/d.md:6: error: a title of 5000 characters is too long: at most 2000"
        ),
        "{error}"
    );
}

#[test]
fn thousands_of_nested_quotes_and_lists_build() {
    let site = TestSite::new();
    let body = format!(
        "{}deep quote\n\n{}deep list\n",
        "> ".repeat(5000),
        "- ".repeat(3000)
    );
    site.write(
        "content/d.md",
        &format!("+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\n{body}"),
    );
    let built = site.build().unwrap();
    let page = built.read("digests/d/index.html");
    assert!(page.matches("<blockquote>").count() >= 5000);
    assert!(page.contains("deep list"));
}

#[test]
fn deeply_nested_math_warns_instead_of_overflowing_the_stack() {
    let site = TestSite::new();
    // Two hundred bare \sqrt used to overflow a render thread's stack and abort the process.
    let paper = format!(
        "title = \"P\"\nauthors = [\"A\"]\nabstract = '''${}x$ and ${}x{}$'''",
        r"\sqrt".repeat(400),
        r"\frac{1}{".repeat(1500),
        "}".repeat(1500)
    );
    site.write("content/d.md", &digest("D", "2024-01-01", &[&paper]));
    let warnings = warnings_of(&site).join("\n");
    assert!(
        warnings.contains(
            "content/d.md:5: warning: in the abstract of `p`: math `\\frac{1}{\\frac{1}{"
        ),
        "{warnings}"
    );
    assert!(
        warnings.contains(
            "too complex: 4500 commands, braces and scripts, at most 2000 in one formula"
        ),
        "{warnings}"
    );
}

#[test]
fn huge_single_line_intro_builds() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &format!(
            "+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\n{}\n",
            "word ".repeat(150_000)
        ),
    );
    assert!(site.build().unwrap().read("digests/d/index.html").len() > 750_000);
}

#[test]
fn toml_nested_thousands_deep_is_an_error_not_a_crash() {
    let text = format!(
        "+++\ntitle = \"D\"\ndate = 2024-01-01\ntopics = {}\n+++\n",
        "[".repeat(10_000)
    );
    let error = error_for("content/d.md", &text);
    assert!(error.contains("content/d.md:4:"), "{error}");
    assert!(error.contains("recursion"), "{error}");
}

#[test]
fn yaml_nested_thousands_deep_is_an_error_not_a_crash() {
    let text = format!(
        "---\ntitle: D\ndate: 2024-01-01\ntopics: {}1{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let error = error_for("content/y.md", &text);
    assert!(
        error.contains("content/y.md:4:") && error.contains("recursion limit exceeded"),
        "{error}"
    );
}

#[test]
fn yaml_error_after_lone_carriage_returns_points_at_the_real_line() {
    // Found by fuzzing: YAML counts a lone CR as a line break, so errors landed past the end.
    let text = "---\ntitle: \"D\r\r\r\"\ndate: 2024-01-01\nsummary: x\x06y\n---\n";
    let error = error_for("content/y.md", text);
    assert!(
        error.contains("content/y.md:4:10: error: unexpected character"),
        "{error}"
    );
}

#[test]
fn bom_and_crlf_yaml_builds() {
    let site = TestSite::new();
    site.write(
        "content/y.md",
        "\u{feff}---\r\ntitle: \"CRLF\"\r\ndate: 2024-01-01\r\npapers:\r\n  - title: P\r\n    authors: [A]\r\n---\r\nBody\r\n",
    );
    let built = site.build().unwrap();
    assert!(built.read("papers/p/index.html").contains("<h1>P</h1>"));
}

#[test]
fn crlf_front_matter_error_has_the_right_line() {
    let error = error_for(
        "content/d.md",
        "+++\r\ntitle = \"D\"\r\ndate = 2024-01-01\r\nsumary = \"x\"\r\n+++\r\n",
    );
    assert!(
        error.contains("content/d.md:4:1: error: unknown field `sumary`"),
        "{error}"
    );
    assert!(error.contains("did you mean `summary`?"), "{error}");
}

#[cfg(unix)]
#[test]
fn file_name_that_is_not_utf8_still_builds() {
    use std::os::unix::ffi::OsStrExt;
    let site = TestSite::new();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(
        site.root().join("content").join(name),
        digest("D", "2024-01-01", &[]),
    )
    .unwrap();
    let built = site.build().unwrap();
    assert!(
        built.exists("digests/caf/index.html"),
        "{:?}",
        built.files()
    );
}

#[cfg(unix)]
#[test]
fn dangling_symlink_is_named() {
    let site = TestSite::new();
    std::os::unix::fs::symlink(
        site.root().join("nowhere.md"),
        site.root().join("content/dangling.md"),
    )
    .unwrap();
    let error = site.build_error();
    assert!(error.contains("content/dangling.md"), "{error}");
    assert!(error.contains("No such file"), "{error}");
}

#[test]
fn site_toml_that_is_not_utf8_names_the_line() {
    let site = TestSite::new();
    site.write_bytes(
        "site.toml",
        b"title = \"T\"\nbase_url = \"https://example.org/\"\ndescription = \"\xff\"\n",
    );
    let error = site.build_error();
    assert!(
        error.contains("site.toml:3:16: error: the file is not valid UTF-8 text"),
        "{error}"
    );
}

#[test]
fn unsafe_html_must_be_a_bool_or_trusted() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}[markdown]\nunsafe_html = \"yes\"\n"),
    );
    let error = site.build_error();
    assert!(
        error.contains(
            "site.toml:4:15: error: unsafe_html is true, false or \"trusted\", not \"yes\""
        ),
        "{error}"
    );
}

#[test]
fn template_with_undefined_variable_names_template_and_line() {
    let site = TestSite::new();
    site.write("content/d.md", &digest("D", "2024-01-01", &[]));
    site.write("templates/404.html", "ok\n{{ page.nope }}");
    let error = site.build_error();
    assert!(error.contains("404.html:2:"), "{error}");
    assert!(error.contains("templates/404.html"), "{error}");
}

#[test]
fn error_in_a_partial_names_the_partial_and_its_line() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest("D", "2024-01-01", &["title = \"P\"\nid = \"p1\""]),
    );
    site.write(
        "templates/partials/topic_chips.html",
        "{#- chips -#}\n{%- for topic in chips %}{{ topic.name }}{% endfor %}\n{{ chips.nope.name }}",
    );
    let error = site.build_error();
    assert!(error.contains("partials/topic_chips.html:3:"), "{error}");
    // Where the partial that failed comes from, not the page template that included it.
    assert!(
        error.contains(
            "(template `partials/topic_chips.html` is templates/partials/topic_chips.html)"
        ),
        "{error}"
    );
}

#[test]
fn template_including_itself_is_an_error() {
    let site = TestSite::new();
    site.write("templates/404.html", "{% include \"404.html\" %}");
    let error = site.build_error();
    assert!(error.contains("Circular include"), "{error}");
}

#[test]
fn static_file_may_not_overwrite_a_generated_page() {
    let site = TestSite::new();
    site.write("content/d.md", &digest("D", "2024-01-01", &[]));
    site.write("static/feed.xml", "<feed/>");
    let error = site.build_error();
    assert!(
        error.contains("static/feed.xml: error: static file static/feed.xml would overwrite the generated feed.xml"),
        "{error}"
    );
}

#[test]
fn static_file_differing_only_by_case_collides() {
    let site = TestSite::new();
    site.write("content/d.md", &digest("D", "2024-01-01", &[]));
    site.write("static/Index.HTML", "mine");
    site.write("static/digests/D/index.html", "mine");
    let error = site.build_error();
    assert!(
        error.contains("static file static/Index.HTML would overwrite the page / (Index.HTML)"),
        "{error}"
    );
    assert!(
        error.contains("would overwrite the page /digests/d/ (digests/D/index.html)"),
        "{error}"
    );
}

#[test]
fn static_file_where_pages_need_a_folder() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest("D", "2024-01-01", &["title = \"P\""]),
    );
    site.write("static/papers", "not a folder");
    let error = site.build_error();
    assert!(
        error.contains(
            "static/papers: error: static file static/papers is named like the folder papers/"
        ),
        "{error}"
    );
}

#[test]
fn topic_and_digest_slugs_stay_inside_their_folders() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        "+++\ntitle = \"D\"\ndate = 2024-01-01\nslug = \"../../escape\"\n[[papers]]\ntitle = \"P\"\ntopics = [\"../../../etc\"]\n+++\n",
    );
    let built = site.build().unwrap();
    assert!(
        built.exists("digests/escape/index.html"),
        "{:?}",
        built.files()
    );
    assert!(built.exists("topics/etc/index.html"), "{:?}", built.files());
    assert!(!site.root().join("escape").exists());
    assert!(!built.out.parent().unwrap().join("etc").exists());
}

#[test]
fn autolinks_and_references_to_script_are_refused() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        "+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\nFirst line.\n\n<javascript:alert(1)>\n\n[x][r] and ![i](data:image/png;base64,AAAA)\n\n[r]: JaVaScRiPt:alert(2)\n",
    );
    let error = site.build_error();
    assert!(
        error.contains(
            "content/d.md:7: error: in the introduction: link to `javascript:alert(1)` refused"
        ),
        "{error}"
    );
    assert!(
        error.contains(
            "content/d.md:9: error: in the introduction: link to `JaVaScRiPt:alert(2)` refused"
        ),
        "{error}"
    );
    assert!(
        error.contains("content/d.md:9: error: in the introduction: link to `data:image/png;base64,AAAA` refused"),
        "{error}"
    );
}

#[test]
fn script_urls_in_front_matter_links_are_refused() {
    for (key, value) in [
        ("pdf", " JAVASCRIPT:alert(1)"),
        ("url", "data:text/html,<script>alert(1)</script>"),
        ("project", "vbscript:x"),
    ] {
        let paper = format!("title = \"P\"\n{key} = \"{value}\"");
        let error = error_for("content/d.md", &digest("D", "2024-01-01", &[&paper]));
        assert!(
            error.contains(&format!(
                "content/d.md:7: error: `{key}` is not a web address"
            )),
            "{error}"
        );
    }
}

#[test]
fn sanitised_raw_html_keeps_markup_and_drops_script() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}[markdown]\nunsafe_html = true\n"),
    );
    site.write(
        "content/d.md",
        "+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\n<details><summary>More</summary>\n\n*kept*\n\n</details>\n\n<img src=\"x.png\" onerror=\"alert(1)\"> <a href=\"javascript:alert(1)\">j</a> <script>alert(1)</script> $x^2$\n",
    );
    let page = site.build().unwrap().read("digests/d/index.html");
    assert!(page.contains("<details><summary>More</summary>"), "{page}");
    assert!(page.contains("<em>kept</em>"), "{page}");
    assert!(page.contains("<img src=\"x.png\">"), "{page}");
    assert!(page.contains("<math"), "{page}");
    assert_eq!(
        digestif::fuzzing::executable_content(&crate::safety::without_our_scripts(&page)),
        None
    );
}

#[test]
fn trusted_raw_html_is_kept_as_written() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}[markdown]\nunsafe_html = \"trusted\"\n"),
    );
    site.write(
        "content/d.md",
        "+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\n<video controls src=\"v.mp4\" style=\"width:100%\"></video>\n",
    );
    let page = site.build().unwrap().read("digests/d/index.html");
    assert!(
        page.contains("<video controls src=\"v.mp4\" style=\"width:100%\"></video>"),
        "{page}"
    );
}

#[test]
fn raw_html_nested_too_deep_to_sanitise_is_shown_as_text() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}[markdown]\nunsafe_html = true\n"),
    );
    site.write(
        "content/d.md",
        &format!(
            "+++\ntitle = \"D\"\ndate = 2024-01-01\n+++\nIntro.\n\n<b>{}x\n",
            "<span>".repeat(5000)
        ),
    );
    let warnings = warnings_of(&site).join("\n");
    assert!(
        warnings.contains("content/d.md:7: warning: in the introduction: raw HTML nests more than 256 elements deep; it is shown as text"),
        "{warnings}"
    );
}

#[test]
fn malformed_arxiv_id_and_doi_warn_at_the_paper() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &["title = \"P\"\nauthors = [\"A\"]\narxiv = \"2401.1\"\ndoi = \"11.1/x\""],
        ),
    );
    let warnings = warnings_of(&site).join("\n");
    assert!(
        warnings.contains("content/d.md:8: warning: `2401.1` does not look like an arXiv id"),
        "{warnings}"
    );
    assert!(
        warnings.contains("content/d.md:9: warning: `11.1/x` does not look like a DOI"),
        "{warnings}"
    );
}

#[test]
fn conflicting_metadata_names_both_places() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        &digest(
            "A",
            "2024-01-01",
            &["title = \"P\"\nauthors = [\"A\"]\narxiv = \"2401.00001\"\ndoi = \"10.1/a\""],
        ),
    );
    site.write(
        "content/b.md",
        &digest(
            "B",
            "2024-01-02",
            &["title = \"P\"\narxiv = \"2401.00001\"\ndoi = \"10.1/b\"\nauthors = [\"B\"]"],
        ),
    );
    let warnings = warnings_of(&site).join("\n");
    assert!(
        warnings.contains("content/b.md:5: warning: paper `2401.00001` has a different doi, authors than in content/a.md:5; keeping the first"),
        "{warnings}"
    );
}

#[test]
fn empty_topic_name_is_an_error() {
    let error = error_for(
        "content/d.md",
        &digest("D", "2024-01-01", &["title = \"P\"\ntopics = [\"  \"]"]),
    );
    assert!(
        error.contains("content/d.md:7: error: a topic name is empty"),
        "{error}"
    );
}

#[test]
fn impossible_date_is_an_error() {
    let error = error_for(
        "content/d.md",
        "+++\ntitle = \"D\"\ndate = \"2024-02-30\"\n+++\n",
    );
    assert!(
        error.contains("content/d.md:3:") && error.contains("invalid date `2024-02-30`"),
        "{error}"
    );
}

#[test]
fn negative_upvotes_are_an_error_at_their_line() {
    let error = error_for(
        "content/d.md",
        &digest("D", "2024-01-01", &["title = \"P\"\nupvotes = -3"]),
    );
    assert!(error.contains("content/d.md:7:"), "{error}");
}

#[test]
fn front_matter_with_nothing_in_it() {
    let error = error_for("content/d.md", "+++\n+++\n");
    assert!(
        error.contains("content/d.md:") && error.contains("missing field `title`"),
        "{error}"
    );
}
