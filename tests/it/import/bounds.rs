//! Inputs made to cost time or memory: each is read in bounded time and memory, and refused
//! with the file and line when it passes a limit (issue 23, "Importers: bounded time and memory
//! for any input"). Speed itself is measured by examples/import_bench.rs, not here.

use super::{TestSite, import};

fn write(site: &TestSite, name: &str, text: &str) -> String {
    site.write(name, text);
    site.root().join(name).to_str().unwrap().to_string()
}

// 22 lines of `@string{sN = sM # sM}` took 240 MB, 24 lines 740 MB, 40 lines never finished.
#[test]
fn a_string_doubling_bomb_is_refused_at_its_line() {
    let site = TestSite::new();
    let mut text = String::from("@string{s0 = \"ab\"}\n");
    for i in 1..40 {
        text.push_str(&format!("@string{{s{i} = s{} # s{}}}\n", i - 1, i - 1));
    }
    text.push_str("@misc{x, title = s39}\n");
    let path = write(&site, "bomb.bib", &text);
    let error = import(&site, &["bibtex", &path]).unwrap_err().to_string();
    assert!(
        error.contains("bomb.bib:21: warning: @string `s20`: the value passes 1 MB on line 21"),
        "{error}"
    );
    assert!(
        error.contains("bomb.bib:41: warning: entry `x`, field `title`: `s39` is an @string whose definition on line 40 was refused"),
        "{error}"
    );
    assert!(error.contains("no papers found"), "{error}");

    // With an entry that does not use the bomb, the rest imports.
    text.push_str("@misc{y, title = {Kept}}\n");
    let path = write(&site, "bomb.bib", &text);
    let report = import(&site, &["bibtex", &path]).unwrap();
    assert_eq!(report.papers, 1);
    site.build().unwrap();
}

// 100 KB of `@` took 5 s: every `@` looked back over the whole line.
#[test]
fn a_file_of_at_signs_is_one_skipped_entry() {
    let site = TestSite::new();
    let path = write(
        &site,
        "at.bib",
        &format!("{}\n@misc{{x, title={{After}}}}\n", "@".repeat(100_000)),
    );
    let report = import(&site, &["bibtex", &path]).unwrap();
    assert_eq!(report.papers, 1);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.warnings[0]
            .to_string()
            .contains("at.bib:1: warning: `@` is not followed by an entry type")
    );
}

// 70,000 nested `{` in a .bib aborted with a stack overflow (exit 134).
#[test]
fn deeply_nested_input_needs_no_stack() {
    let site = TestSite::new();
    let depth = 70_000;
    let bib = format!(
        "@misc{{x, title = {{Deep {}nesting{}}}, abstract = {{{}\\\"{{o}}{}}}}}\n",
        "{".repeat(depth),
        "}".repeat(depth),
        "{".repeat(depth),
        "}".repeat(depth)
    );
    let path = write(&site, "deep.bib", &bib);
    let report = import(&site, &["bibtex", &path]).unwrap();
    assert_eq!(report.papers, 1);
    let text = std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap();
    assert!(
        text.contains("title = \"Deep nesting\"\nabstract = '''\nö\n'''"),
        "{text}"
    );
    site.build().unwrap();

    let json = format!(
        "[{{\"title\": \"T\", \"x\": {}{}}}]",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let path = write(&site, "deep.json", &json);
    let error = import(&site, &["csl-json", &path]).unwrap_err().to_string();
    assert!(error.contains("deep.json:1:"), "{error}");
    assert!(error.contains("recursion limit exceeded"), "{error}");

    let xml = format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>http://arxiv.org/abs/2310.14189v1</id><title>T</title><summary>{}x{}</summary></entry></feed>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let path = write(&site, "deep.xml", &xml);
    let report = import(&site, &["arxiv", "--file", &path, "--out", "content/x.md"]).unwrap();
    assert_eq!(report.papers, 1);
    site.build().unwrap();
}

// A million tiny entries would take gigabytes as papers and warnings: an import reads at most
// 100,000 entries.
#[test]
fn more_entries_than_an_import_reads_are_refused_at_the_first_too_many() {
    let site = TestSite::new();
    let many = 100_001;
    let cases = [
        (
            "bibtex",
            "many.bib",
            "@misc{k, title = {T}}\n".repeat(many),
            "many.bib:100001: error: the file has more than 100000 entries",
        ),
        (
            "csl-json",
            "many.json",
            format!("[\n{}{{}}]", "{},\n".repeat(many - 1)),
            "many.json:100002: error: the input has more than 100000 entries",
        ),
        (
            "text",
            "many.txt",
            "A title\n\n".repeat(many),
            "many.txt:200001: error: the input has more than 100000 entries",
        ),
        (
            "arxiv",
            "many.xml",
            format!(
                "<feed xmlns=\"http://www.w3.org/2005/Atom\">{}</feed>",
                "<entry/>".repeat(many)
            ),
            "many.xml: error: the input has more than 100000 entries",
        ),
    ];
    for (importer, name, text, expected) in cases {
        let path = write(&site, name, &text);
        let args: Vec<&str> = if importer == "arxiv" {
            vec![importer, "--file", &path]
        } else {
            vec![importer, &path]
        };
        let error = import(&site, &args).unwrap_err().to_string();
        assert!(
            error.contains(expected),
            "{importer}: {}",
            &error[error.len().saturating_sub(600)..]
        );
        assert!(error.contains("split"), "{importer} says what to do");
    }
    let nodes = format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\">{}</feed>",
        "<a/>".repeat(4_000_001)
    );
    let path = write(&site, "nodes.xml", &nodes);
    let error = import(&site, &["arxiv", "--file", &path])
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("nodes.xml: error: the XML has more than 4000000 nodes"),
        "{error}"
    );
}

// An entry of millions of fields, or a CSL-JSON item of millions of values, would take a
// hundred bytes of memory for every few bytes of text: it is skipped with a warning.
#[test]
fn an_entry_too_large_to_read_is_skipped() {
    let site = TestSite::new();
    let fields: String = (0..1001).map(|i| format!("f{i} = 1, ")).collect();
    let bib = format!("@misc{{wide, title = {{T}}, {fields}}}\n@misc{{ok, title = {{Kept}}}}\n");
    let path = write(&site, "wide.bib", &bib);
    let report = import(&site, &["bibtex", &path]).unwrap();
    assert_eq!(report.papers, 1);
    assert!(
        super::warnings(&report)
            .contains("wide.bib:1: warning: entry `wide` has more than 1000 fields"),
        "{}",
        super::warnings(&report)
    );

    let keys: String = (0..100_001).map(|i| format!("\"k{i}\": 1, ")).collect();
    let json = format!("[\n{{{keys}\"title\": \"Huge\"}},\n{{\"title\": \"Kept\"}}\n]");
    let path = write(&site, "wide.json", &json);
    let report = import(&site, &["csl-json", &path, "--out", "content/csl.md"]).unwrap();
    assert_eq!(report.papers, 1);
    assert!(
        super::warnings(&report)
            .contains("wide.json:2: warning: item 1 holds more than 100000 values; skipped unread"),
        "{}",
        super::warnings(&report)
    );
    site.build().unwrap();
}
