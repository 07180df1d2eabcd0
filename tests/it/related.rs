//! Related papers on paper pages: what they rank, over real abstracts, and the `[related]`
//! settings.

use std::collections::HashMap;
use std::path::Path;

use crate::support::{Built, SITE_TOML, TestSite, digest};

/// The related papers' ids on a paper page, in order (`/papers/<id>/` links of the section).
fn related_ids(built: &Built, paper: &str) -> Vec<String> {
    let html = built.read(&format!("papers/{paper}/index.html"));
    let Some(start) = html.find("<section class=\"related\" id=\"related\"") else {
        return Vec::new();
    };
    let section = &html[start..];
    let section = &section[..section.find("</section>").expect("section ends")];
    section
        .split("<li><a href=\"/papers/")
        .skip(1)
        .map(|rest| rest[..rest.find("/\"").expect("link ends")].to_string())
        .collect()
}

/// The families of the real-abstract fixture, from its README's table.
fn families() -> HashMap<String, String> {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/related/README.md"),
    )
    .expect("fixture README");
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let id = cells.get(1)?;
            (id.starts_with(|c: char| c.is_ascii_digit()))
                .then(|| (id.to_string(), cells[2].to_string()))
        })
        .collect()
}

fn real_abstracts_site() -> TestSite {
    let site = TestSite::new();
    let day = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/related/day.md"),
    )
    .expect("fixture");
    site.write("content/day.md", &day);
    site
}

/// Forty real arXiv papers without topics: four families of eight (continual learning,
/// consistency models, time-series forecasting, low-rank tuning) and eight others. Ranking by
/// text alone, papers of a family find their family:
/// - for at least 30 of the 32 family papers, the most related paper is of the same family;
/// - of all the papers the 32 list, at least 85% are of the lister's family;
/// - each of the 32 lists at least three papers.
///
/// (Measured when written: 30 of 32 first, 147 of 160 listed. The two misses are iCaRL, whose
/// abstract is about image classifiers and representations, and QLoRA, about chatbots.)
#[test]
fn papers_of_one_family_find_each_other_in_real_abstracts() {
    let families = families();
    assert_eq!(families.len(), 40, "the README lists every paper");
    let site = real_abstracts_site();
    let built = site.build().unwrap();
    let (mut first_in_family, mut listed, mut in_family) = (0, 0, 0);
    let mut report = String::new();
    for (id, family) in &families {
        let related = related_ids(&built, id);
        assert!(!related.contains(id), "{id} lists itself");
        if family == "other" {
            continue;
        }
        let shown: Vec<&str> = related.iter().map(|r| families[r].as_str()).collect();
        report.push_str(&format!("{id} ({family}): {shown:?}\n"));
        assert!(related.len() >= 3, "{id} lists too few: {related:?}");
        first_in_family += usize::from(shown[0] == family);
        listed += shown.len();
        in_family += shown.iter().filter(|f| *f == family).count();
    }
    assert!(
        first_in_family >= 30,
        "{first_in_family} of 32 first:\n{report}"
    );
    assert!(
        in_family * 100 >= listed * 85,
        "{in_family} of {listed} in family:\n{report}"
    );
}

#[test]
fn related_lists_are_the_same_in_every_build() {
    let (one, two) = (real_abstracts_site(), real_abstracts_site());
    let (first, second) = (one.build().unwrap(), two.build().unwrap());
    for id in families().keys() {
        assert_eq!(related_ids(&first, id), related_ids(&second, id), "{id}");
    }
}

/// Shared topics and authors raise a paper above others with the same words.
#[test]
fn shared_topics_and_authors_break_even_text() {
    let paper = |id: &str, authors: &str, topics: &str| {
        format!(
            "[[papers]]\nid = \"{id}\"\ntitle = \"Sparse attention kernels {id}\"\nauthors = [{authors}]\ntopics = [{topics}]\nabstract = '''Sparse attention kernels for long sequences.'''\n"
        )
    };
    let site = TestSite::new();
    let papers = [
        paper("base", "\"Ada Lovelace\"", "\"Systems\""),
        paper("plain", "\"Someone Else\"", "\"Other\""),
        paper("topical", "\"Another One\"", "\"Systems\""),
        paper("coauthor", "\"Ada Lovelace\"", "\"Other\""),
    ];
    site.write(
        "content/day.md",
        &format!(
            "+++\ntitle = \"Day\"\ndate = 2024-03-11\n\n{}+++\n",
            papers.concat()
        ),
    );
    let built = site.build().unwrap();
    assert_eq!(
        related_ids(&built, "base"),
        ["coauthor", "topical", "plain"],
        "an author counts more than a topic, and either more than text alone"
    );
}

#[test]
fn count_sets_the_number_and_enabled_false_removes_the_section() {
    let site = real_abstracts_site();
    site.write("site.toml", &format!("{SITE_TOML}\n[related]\ncount = 2\n"));
    let built = site.build().unwrap();
    assert_eq!(related_ids(&built, "2106.09685").len(), 2);

    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[related]\nenabled = false\n"),
    );
    let built = site.build().unwrap();
    let page = built.read("papers/2106.09685/index.html");
    assert!(!page.contains("id=\"related\""), "the section is gone");
}

#[test]
fn a_count_out_of_range_names_the_line_and_the_switch() {
    let site = TestSite::new();
    site.write("site.toml", &format!("{SITE_TOML}\n[related]\ncount = 0\n"));
    site.write("content/a.md", &digest("A", "2024-03-11", &["p"]));
    let error = site.build_error();
    assert!(error.contains("site.toml:5"), "{error}");
    assert!(error.contains("between 1 and 20"), "{error}");
    assert!(error.contains("enabled = false"), "{error}");
}

/// Unrelated papers are not listed just to fill the section: papers that share no word, topic
/// or author have none.
#[test]
fn papers_with_nothing_in_common_list_none() {
    let site = TestSite::new();
    site.write(
        "content/day.md",
        "+++\ntitle = \"Day\"\ndate = 2024-03-11\n\n[[papers]]\nid = \"a\"\ntitle = \"Glacier melt in the Alps\"\n\n[[papers]]\nid = \"b\"\ntitle = \"Quantum error correction codes\"\n+++\n",
    );
    let built = site.build().unwrap();
    assert!(related_ids(&built, "a").is_empty());
    assert!(!built.read("papers/a/index.html").contains("Related papers"));
}
