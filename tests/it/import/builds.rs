//! Everything an importer writes builds (issue 23): every fixture through every file importer,
//! and random input from a fixed-seed generator made of the pieces that broke imports before
//! (LaTeX, quotes and `'''`, `+++` lines, control characters, impossible dates, links that are
//! not web addresses, punctuation-only titles and topics, ids that differ only in punctuation,
//! fields over the build's limits). An import may refuse its input; it may not write a file that
//! does not build, nor panic.

use std::fmt::Write as _;
use std::path::Path;

use super::{TestSite, fixture, import, rng};

/// The importers that read a file, with the arguments before the file's path.
const IMPORTERS: [&[&str]; 4] = [&["bibtex"], &["csl-json"], &["text"], &["arxiv", "--file"]];

/// Imports `path` with `importer` into `out`: true when it wrote the file. A refusal is fine
/// unless it is the check that the file would not build, which means an importer let through
/// what the build refuses.
fn import_into(site: &TestSite, importer: &[&str], path: &Path, out: &str) -> bool {
    let mut args = importer.to_vec();
    args.extend([path.to_str().unwrap(), "--out", out]);
    match import(site, &args) {
        Ok(_) => true,
        Err(error) => {
            let error = error.to_string();
            assert!(
                !error.contains("would write a file that does not build"),
                "{importer:?} {}: {error}",
                path.display()
            );
            false
        }
    }
}

#[test]
fn every_fixture_through_every_importer_builds() {
    let names = std::fs::read_dir(fixture("")).unwrap();
    let mut imported = 0;
    for name in names {
        let path = name.unwrap().path();
        for importer in IMPORTERS {
            let site = TestSite::new();
            if import_into(&site, importer, &path, "content/imported.md") {
                imported += 1;
                site.build().unwrap_or_else(|e| {
                    panic!(
                        "{importer:?} {}: the written file does not build: {e}",
                        path.display()
                    )
                });
            }
        }
    }
    assert!(imported >= 10, "only {imported} imports wrote a file");
}

/// Picks one of `items`.
fn pick<'a>(next: &mut impl FnMut(usize) -> usize, items: &[&'a str]) -> &'a str {
    items[next(items.len())]
}

const PIECES: &[&str] = &[
    "Attention",
    "is all you need",
    r"$\alpha$-divergence",
    r#"G{\"o}del"#,
    r"\emph{Deep}",
    "Über",
    "C++",
    "C",
    "Ünïcödé",
    "unicode",
    "日本語",
    "'''",
    "\"\"\"",
    "\\",
    "'",
    "\"",
    "# heading",
    "- list",
    "1. item",
    "<b>bold</b>",
    "[x](javascript:alert(1))",
    "a\tb",
    "\u{7}bell",
    "\u{2028}",
    "~~~",
    "```",
    "&amp;",
    "--",
    "%",
    ":",
];

/// Titles with no letters or digits: the build can make no page address of them.
const BARE: &[&str] = &[
    "+++", "---", "!!!", "", "   ", "$$", "{}", "\u{7}", "\n+++\n",
];

/// Pieces joined, or now and then a long run of one.
fn text(next: &mut impl FnMut(usize) -> usize, pieces: usize) -> String {
    if next(40) == 0 {
        return pick(next, &["word ", "x", "$a$ "]).repeat(2100);
    }
    (0..next(pieces) + 1)
        .map(|_| pick(next, PIECES))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A title that names file `file` (so that no two files share a paper, which is for a site, not
/// an import, to sort out), or one with no letters or digits.
fn title(next: &mut impl FnMut(usize) -> usize, file: usize) -> String {
    if next(6) == 0 {
        return pick(next, BARE).to_string();
    }
    format!("{} q{file}n{}", text(next, 3), next(6))
}

fn topic(next: &mut impl FnMut(usize) -> usize, file: usize) -> String {
    match next(5) {
        0 => pick(next, &["++", "", "!!", "·"]).to_string(),
        1 => format!("{} t{file}", "topic ".repeat(400)),
        _ => format!("{} t{file}", pick(next, PIECES)),
    }
}

fn abstract_text(next: &mut impl FnMut(usize) -> usize) -> String {
    match next(12) {
        0 => "lorem ipsum ".repeat(95_000),
        1 => "Line one.\n+++\nafter the delimiter\n---\n'''".to_string(),
        _ => (0..next(4) + 1)
            .map(|_| text(next, 8))
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

fn arxiv(next: &mut impl FnMut(usize) -> usize, file: usize) -> String {
    match next(5) {
        0 => format!("bad-{file}-{}", next(3)),
        1 => format!("arXiv:aé{file}aaaaé"),
        2 => format!("{:04}.{:05}v{}", file + 1, next(4), next(3) + 1),
        _ => format!("{:04}.{:05}", file + 1, next(4)),
    }
}

fn doi(next: &mut impl FnMut(usize) -> usize, file: usize) -> String {
    if next(8) == 0 {
        // Multi-byte characters where a resolver prefix's length would cut.
        return format!("aaaaaaaaaaaaa{:02}é", file % 100);
    }
    format!(
        "10.{}/{}",
        file + 1,
        pick(next, &["a:b", "a;b", "a,b", "A:B", "x", "x y", "é"])
    )
}

fn link(next: &mut impl FnMut(usize) -> usize) -> &'static str {
    pick(
        next,
        &[
            "https://example.org/x",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ftp://example.org",
            "http://a b",
            "https://x\"y",
        ],
    )
}

/// Braces in BibTeX values must balance for an entry to be read; most pieces keep them so.
fn braced(text: &str) -> String {
    let opens = text.matches('{').count();
    let closes = text.matches('}').count();
    let mut out = text.replace('@', "(at)");
    out.push_str(&"}".repeat(opens.saturating_sub(closes)));
    "{".repeat(closes.saturating_sub(opens)) + &out
}

fn bibtex(next: &mut impl FnMut(usize) -> usize, file: usize) -> String {
    let mut out = String::from("@string{conf = {Proc. of }}\n");
    for i in 0..next(8) + 1 {
        let year = pick(
            next,
            &[
                "-5",
                "0",
                "2019",
                "9999",
                "10000",
                "{in press}",
                "{2019}",
                "x",
            ],
        );
        let month = pick(next, &["mar", "13", "0", "{Spring}", "2", "{}"]);
        let day = pick(next, &["31", "29", "x", "1"]);
        let _ = write!(
            out,
            "@inproceedings{{k{i},\n  title = {},\n  author = {{{} and {{Org q{file}}} and others}},\n  year = {year}, month = {month}, day = {day},\n  booktitle = conf # {},\n  abstract = {},\n  keywords = {{{}, {}}},\n  url = {{{}}}, pdf = {{{}}},\n  eprint = {{{}}}, archivePrefix = {{arXiv}},\n  doi = {{{}}},\n  date = {{{}}}\n}}\n\n",
            braced(&title(next, file)),
            braced(&text(next, 2)),
            braced(&text(next, 2)),
            braced(&abstract_text(next)),
            braced(&topic(next, file)),
            braced(&topic(next, file)),
            link(next),
            link(next),
            arxiv(next, file),
            doi(next, file),
            pick(next, &["2023-02-30", "2023-10-22", "", "-5", "2023-13"]),
        );
        if next(10) == 0 {
            out.push_str(pick(
                next,
                &[
                    "@misc{broken, title = {unclosed\n",
                    "@@@\n",
                    "@misc(x, title=\"q\")\n",
                ],
            ));
        }
    }
    out
}

fn csl(next: &mut impl FnMut(usize) -> usize, file: usize) -> String {
    use serde_json::{Value, json};
    let items: Vec<Value> = (0..next(8) + 1)
        .map(|_| {
            let date = match next(5) {
                0 => json!({"date-parts": [[-5]]}),
                1 => json!({"date-parts": [[2023, 2, 30]]}),
                2 => json!({"raw": pick(next, &["2023-10", "sometime", "2023-13-01"])}),
                3 => json!({"date-parts": [["2019", "x"]]}),
                _ => json!({"date-parts": [[2020, 5, 17]]}),
            };
            let title = if next(10) == 0 { json!(42) } else { json!(title(next, file)) };
            json!({
                "title": title,
                "author": [{"given": text(next, 1), "family": text(next, 1)}, {"literal": text(next, 2)}],
                "issued": date,
                "DOI": doi(next, file),
                "URL": link(next),
                "number": format!("arXiv:{}", arxiv(next, file)),
                "abstract": format!("<jats:p>{}</jats:p>", abstract_text(next)),
                "keyword": format!("{}, {}", topic(next, file), topic(next, file)),
                "container-title": text(next, 2),
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap()
}

fn pasted(next: &mut impl FnMut(usize) -> usize, file: usize) -> String {
    let mut out = String::from("Daily Papers\nby AK and the research community\n");
    out.push_str(pick(next, &["Mar 11\n", "Feb 30\n", "Mar 11, -5\n", ""]));
    for _ in 0..next(8) + 1 {
        out.push('\n');
        match next(6) {
            0 => out.push_str("+++\n"),
            1 => out.push_str("42\n· 5 authors\n"),
            _ => {}
        }
        out.push_str(&title(next, file).replace('\n', " "));
        out.push('\n');
        if next(4) != 0 {
            // Any paragraph may be read as a title: each names the file too.
            for line in abstract_text(next).lines() {
                let _ = writeln!(out, "{line} q{file}");
            }
        }
    }
    out
}

fn xml_escaped(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn atom(next: &mut impl FnMut(usize) -> usize, file: usize) -> String {
    let mut out = String::from(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\">\n",
    );
    for _ in 0..next(6) + 1 {
        let published = pick(
            next,
            &[
                "2023-10-22T17:59:59Z",
                "-000005-01-01T00:00:00Z",
                "garbage",
                "2023-02-30T00:00:00Z",
            ],
        );
        let _ = writeln!(
            out,
            "<entry><id>http://arxiv.org/abs/{}</id><title>{}</title><summary>{}</summary><published>{published}</published><updated>{published}</updated><author><name>{}</name></author><arxiv:doi>{}</arxiv:doi><arxiv:journal_ref>{}</arxiv:journal_ref><link title=\"pdf\" href=\"{}\"/><category term=\"cs.LG\"/></entry>",
            xml_escaped(&arxiv(next, file)),
            xml_escaped(&title(next, file)),
            xml_escaped(&abstract_text(next)),
            xml_escaped(&text(next, 2)),
            xml_escaped(&doi(next, file)),
            xml_escaped(&text(next, 2)),
            xml_escaped(link(next)),
        );
    }
    out.push_str("</feed>\n");
    out
}

#[test]
fn random_input_imports_into_files_that_build() {
    type Generator = fn(&mut dyn FnMut(usize) -> usize, usize) -> String;
    let generators: [(&[&str], &str, Generator); 4] = [
        (&["bibtex"], "bib", |n, f| bibtex(&mut |k| n(k), f)),
        (&["csl-json"], "json", |n, f| csl(&mut |k| n(k), f)),
        (&["text"], "txt", |n, f| pasted(&mut |k| n(k), f)),
        (&["arxiv", "--file"], "xml", |n, f| atom(&mut |k| n(k), f)),
    ];
    let site = TestSite::new();
    let mut written = 0;
    for seed in 0..24u64 {
        for (kind, (importer, extension, generate)) in generators.iter().enumerate() {
            // One number per file names its papers, so that no two files share one.
            let file = seed as usize * generators.len() + kind;
            let mut next = rng(seed * 31 + kind as u64);
            let input = generate(&mut next, file);
            let name = format!("input-{seed}.{extension}");
            site.write(&name, &input);
            let out = format!("content/{extension}-{seed}.md");
            if import_into(&site, importer, &site.root().join(&name), &out) {
                written += 1;
            }
        }
    }
    assert!(written >= 60, "only {written} of 96 imports wrote a file");
    if let Err(error) = site.build() {
        let errors: Vec<String> = error
            .diagnostics()
            .into_iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        panic!("a written file does not build:\n{}", errors.join("\n"));
    }
}
