//! Dates a source gives that are not dates: what is usable is kept, the rest is a warning at the
//! entry's line, and the file builds (issue 23: `year={-5}` was written as
//! `published = -000005-01-01`, which is not TOML, and impossible dates went without a word).

use super::{TestSite, import, warnings};

fn written(site: &TestSite, name: &str) -> String {
    std::fs::read_to_string(site.root().join("content").join(name)).unwrap()
}

#[test]
fn bibtex_dates_that_are_not_dates_are_warned_about_and_the_rest_kept() {
    let site = TestSite::new();
    site.write(
        "dates.bib",
        "@misc{neg, title = {Negative}, year = {-5}}\n\
         @misc{feb, title = {Leap}, year = 2021, month = feb, day = 29}\n\
         @misc{mon, title = {Month}, year = 2020, month = 13}\n\
         @misc{spring, title = {Spring}, year = 2020, month = {Spring}}\n\
         @misc{press, title = {Press}, year = {in press}}\n\
         @misc{date, title = {Dated}, date = {2023-02-30}}\n\
         @misc{good, title = {Good}, year = 2019, month = mar, day = 5}\n",
    );
    let path = site.root().join("dates.bib");
    let report = import(&site, &["bibtex", path.to_str().unwrap()]).unwrap();
    assert_eq!(report.papers, 7);
    let warnings = warnings(&report);
    for expected in [
        "dates.bib:1: warning: \"Negative\": -5 is not a year a paper was published in, so `published` was left out",
        "dates.bib:2: warning: \"Leap\": 2021-02-29 does not exist, so `published` is the month 2021-02 only",
        "dates.bib:3: warning: \"Month\": month 13 does not exist, so `published` is the year 2020 only",
        "dates.bib:4: warning: \"Spring\": `month = {Spring}` is not a month, so `published` is the year 2020 only",
        "dates.bib:5: warning: \"Press\": `year = {in press}` is not a year",
        "dates.bib:6: warning: \"Dated\": 2023-02-30 does not exist, so `published` is the month 2023-02 only",
    ] {
        assert!(warnings.contains(expected), "{expected}\nin\n{warnings}");
    }
    let text = written(&site, "2024-03-11.md");
    assert!(text.contains("title = \"Negative\"\n\n"), "{text}");
    assert!(
        text.contains("title = \"Leap\"\npublished = \"2021-02\"\n"),
        "{text}"
    );
    assert!(
        text.contains("title = \"Month\"\npublished = 2020\n"),
        "{text}"
    );
    assert!(
        text.contains("title = \"Good\"\npublished = 2019-03-05\n"),
        "{text}"
    );
    site.build().unwrap();
}

#[test]
fn csl_arxiv_and_pasted_dates_that_are_not_dates_are_warned_about() {
    let site = TestSite::new();
    site.write(
        "dates.json",
        r#"[
  {"title": "Thirtieth", "issued": {"date-parts": [[2023, 2, 30]]}},
  {"title": "Before Christ", "issued": {"date-parts": [[-5]]}},
  {"title": "Raw", "issued": {"raw": "sometime"}}
]"#,
    );
    let path = site.root().join("dates.json");
    let report = import(
        &site,
        &[
            "csl-json",
            path.to_str().unwrap(),
            "--out",
            "content/csl.md",
        ],
    )
    .unwrap();
    let csl = warnings(&report);
    assert!(
        csl.contains("dates.json:2: warning: \"Thirtieth\": 2023-02-30 does not exist"),
        "{csl}"
    );
    assert!(
        csl.contains("dates.json:3: warning: \"Before Christ\": -5 is not a year"),
        "{csl}"
    );
    assert!(
        csl.contains("dates.json:4: warning: \"Raw\": `sometime` is not a date"),
        "{csl}"
    );
    assert!(written(&site, "csl.md").contains("title = \"Thirtieth\"\npublished = \"2023-02\"\n"));

    site.write(
        "dates.xml",
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>http://arxiv.org/abs/2310.14189v1</id>\
         <title>Odd</title><published>-000005-01-01T00:00:00Z</published></entry></feed>",
    );
    let path = site.root().join("dates.xml");
    let report = import(
        &site,
        &[
            "arxiv",
            "--file",
            path.to_str().unwrap(),
            "--out",
            "content/arxiv.md",
        ],
    )
    .unwrap();
    assert!(
        warnings(&report).contains(
            "dates.xml: warning: \"Odd\": <published> `-000005-01-01T00:00:00Z` is not a date"
        ),
        "{}",
        warnings(&report)
    );
    assert!(!written(&site, "arxiv.md").contains("published"));

    site.write(
        "list.txt",
        "Feb 30\n\nA Title\nIts abstract, a sentence of some words.\n",
    );
    let path = site.root().join("list.txt");
    let report = import(
        &site,
        &["text", path.to_str().unwrap(), "--out", "content/text.md"],
    )
    .unwrap();
    assert!(
        warnings(&report)
            .contains("list.txt:1: warning: `Feb 30` reads as a day, but there is no such day"),
        "{}",
        warnings(&report)
    );
    assert_eq!(report.papers, 1);
    site.build().unwrap();
}
