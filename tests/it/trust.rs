//! Text that output formats cannot hold, names written two ways, and messages that point at the
//! field they are about. Every build here also checks that each XML and JSON file it wrote
//! parses (support.rs).

use crate::support::{SITE_TOML, TestSite, digest};

fn warning_at(built: &crate::support::Built, needle: &str) -> String {
    let warning = built
        .report
        .warnings
        .iter()
        .find(|w| w.message.contains(needle))
        .unwrap_or_else(|| panic!("no warning with {needle:?}: {:?}", built.report.warnings));
    warning.location.to_string()
}

#[test]
fn control_characters_are_reported_by_field_and_left_out_of_every_output() {
    let site = TestSite::new();
    // TOML escapes are the only way to write them in front matter; the body holds raw ones.
    site.write(
        "content/d.md",
        "+++\ntitle = \"Day\\u0001 one\"\ndate = 2024-01-01\n\n[[papers]]\ntitle = \"Bell\\u0007 title\"\nauthors = [\"Ada\\u0000 Lovelace\"]\ntopics = [\"Vertical\\u000btab\"]\nabstract = \"Form\\u007f feed.\"\n+++\nIntro with a \u{1b} escape.\n",
    );
    let built = site.build().unwrap();
    assert_eq!(
        warning_at(&built, "`title` holds the control character U+0001"),
        "content/d.md:2"
    );
    assert_eq!(
        warning_at(&built, "`title` holds the control character U+0007"),
        "content/d.md:6"
    );
    assert_eq!(
        warning_at(&built, "`authors` holds the control character U+0000"),
        "content/d.md:7"
    );
    assert_eq!(
        warning_at(&built, "`topics` holds the control character U+000B"),
        "content/d.md:8"
    );
    assert_eq!(
        warning_at(&built, "`abstract` holds the control character U+007F"),
        "content/d.md:9"
    );
    assert_eq!(
        warning_at(&built, "the text holds the control character U+001B"),
        "content/d.md:11:14"
    );
    let feed = built.read("feed.xml");
    assert!(feed.contains("Bell title"), "{feed}");
    assert!(built.read("index.html").contains("Day one"));
    let paper = built.read("papers/bell-title/index.html");
    assert!(paper.contains("Ada Lovelace"), "{paper}");
    // Every file of the output was checked for control characters by the build helper.
}

#[test]
fn names_written_in_two_unicode_forms_are_one_topic_one_author_one_id() {
    let site = TestSite::new();
    // The lab theme has a page per author.
    site.write(
        "site.toml",
        &format!("theme = \"lab\"\n{}", crate::support::SITE_TOML),
    );
    let composed = "Caf\u{e9}";
    let decomposed = "Cafe\u{301}";
    site.write(
        "content/a.md",
        &digest(
            "A",
            "2024-01-01",
            &[&format!(
                "title = \"P\"\nid = \"{composed}-1\"\nauthors = [\"Ren\u{e9}\"]\ntopics = [\"{composed}\"]"
            )],
        ),
    );
    site.write(
        "content/b.md",
        &digest(
            "B",
            "2024-01-02",
            &[
                &format!(
                    "title = \"P\"\nid = \"{decomposed}-1\"\nauthors = [\"Rene\u{301}\"]\ntopics = [\"{decomposed}\"]"
                ),
                &format!("title = \"Q\"\nauthors = [\"Q\"]\ntopics = [\"{decomposed}\"]"),
            ],
        ),
    );
    let built = site.build().unwrap();
    assert_eq!(built.report.topics, 1, "{:?}", built.report.warnings);
    assert_eq!(
        built.report.papers, 2,
        "one id written two ways is one paper"
    );
    let topic = built.read("topics/cafe/index.html");
    assert!(
        topic.contains(composed) && !topic.contains(decomposed),
        "{topic}"
    );
    let authors: Vec<String> = built
        .files()
        .into_iter()
        .filter(|f| f.starts_with("authors/") && f.ends_with("/index.html"))
        .collect();
    assert_eq!(
        authors.len(),
        2,
        "René written two ways is one author: {authors:?}"
    );
}

#[test]
fn errors_about_one_field_point_at_that_fields_line() {
    let site = TestSite::new();
    let cases: [(&str, &str, &str); 3] = [
        // (entry, what the message says, the line of the field)
        (
            "title = \"P\"\nauthors = [\"A\"]\ntopics = [\"\"]",
            "a topic name is empty",
            "content/d.md:8",
        ),
        (
            "title = \"P\"\nauthors = [\"A\"]\nid = \"..\"",
            "has no letters or digits",
            "content/d.md:8",
        ),
        (
            "title = \"P\"\nauthors = [\"A\"]\npdf = \"javascript:alert(1)\"",
            "`pdf` is not a web address",
            "content/d.md:8",
        ),
    ];
    for (entry, message, line) in cases {
        site.write("content/d.md", &digest("D", "2024-01-01", &[entry]));
        let error = site.build_error();
        assert!(
            error.contains(&format!("{line}: error: {message}"))
                || error.contains(&format!("{line}: error: paper id"))
                    && message.contains("letters"),
            "{message}: {error}"
        );
    }
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &[
                "title = \"P\"\nid = \"same\"",
                "authors = [\"A\"]\nid = \"same\"\ntitle = \"Another\"",
            ],
        ),
    );
    let error = site.build_error();
    assert!(
        error.contains("content/d.md:12: error: paper `same` is titled \"Another\""),
        "{error}"
    );
}

#[test]
fn a_utf16_or_utf32_file_is_named_as_such() {
    let text = digest("D", "2024-01-01", &["title = \"P\""]);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf32: Vec<u8> = [0xFF, 0xFE, 0, 0]
        .into_iter()
        .chain(text.chars().flat_map(|c| (c as u32).to_le_bytes()))
        .collect();
    for (bytes, encoding) in [(utf16, "UTF-16"), (utf32, "UTF-32")] {
        let site = TestSite::new();
        site.write_bytes("content/d.md", &bytes);
        let error = site.build_error();
        assert!(
            error.contains(&format!(
                "content/d.md: error: this file is {encoding}; save it as UTF-8"
            )),
            "{error}"
        );
        let site = TestSite::new();
        site.write_bytes(
            "site.toml",
            &[
                &[0xFF, 0xFE][..],
                &"title = \"T\""
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<u8>>(),
            ]
            .concat(),
        );
        let error = site.build_error();
        assert!(
            error.contains("site.toml: error: this file is UTF-16"),
            "{error}"
        );
    }
}

#[test]
fn an_id_whose_url_loses_characters_is_named_with_its_url() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-01-01",
            &[
                "title = \"A\"\nid = \"../../etc/passwd\"",
                "title = \"B\"\nid = 'C:\\x'",
                "title = \"C\"\nid = \"%2e%2e/x\"",
                "title = \"D\"\nid = \"hep-th/9901001\"",
            ],
        ),
    );
    let built = site.build().unwrap();
    let id_warnings: Vec<String> = built
        .report
        .warnings
        .iter()
        .filter(|w| w.message.starts_with("paper id"))
        .map(|w| format!("{}: {}", w.location, w.message))
        .collect();
    assert_eq!(id_warnings.len(), 3, "{id_warnings:?}");
    assert!(
        id_warnings[0].starts_with(
            "content/d.md:7: paper id `../../etc/passwd` gets the URL /papers/etc-passwd/"
        ),
        "{id_warnings:?}"
    );
    assert!(
        id_warnings[1].contains(":11: paper id `C:\\x` gets the URL /papers/c-x/"),
        "{id_warnings:?}"
    );
    assert!(
        id_warnings[2].contains(":15: paper id `%2e%2e/x` gets the URL /papers/2e-2e-x/"),
        "{id_warnings:?}"
    );
}

#[test]
fn a_date_known_to_the_year_or_month_shows_only_that() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}[outputs]\ncitation_files = \"all\"\n"),
    );
    site.write(
        "content/d.md",
        &digest(
            "D",
            "2024-03-11T23:30:00-05:00",
            &[
                "title = \"Year only\"\nauthors = [\"A\"]\npublished = 2019",
                "title = \"Month only\"\nauthors = [\"A\"]\npublished = \"2019-05\"",
                "title = \"Whole day\"\nauthors = [\"A\"]\npublished = 2019-05-14T23:00:00-07:00",
            ],
        ),
    );
    let built = site.build().unwrap();
    let year = built.read("papers/year-only/index.html");
    assert!(
        year.contains(">2019<") && !year.contains("January 2019"),
        "{year}"
    );
    let month = built.read("papers/month-only/index.html");
    assert!(
        month.contains("May 2019") && !month.contains("1 May 2019"),
        "{month}"
    );
    assert!(
        built
            .read("papers/whole-day/index.html")
            .contains("14 May 2019")
    );
    let bib = built.read("papers/year-only/cite.bib");
    assert!(bib.contains("2019") && !bib.contains("month"), "{bib}");
    let bib = built.read("papers/month-only/cite.bib");
    assert!(bib.contains("month         = may"), "{bib}");
    let csl = built.read("papers/year-only/cite.json");
    assert!(
        csl.contains("[[2019]]") || csl.contains("[\n          2019\n        ]"),
        "{csl}"
    );
    // The digest's own date is the one its author wrote, not the UTC day after.
    assert!(built.exists("digests/d/index.html"));
    assert!(built.read("digests/d/index.html").contains("11 March 2024"));
}
