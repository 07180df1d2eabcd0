//! Imported papers to TOML front matter, each key in the order `RawPaper` declares it
//! (src/content/raw.rs): `id, title, authors, arxiv, arxiv_category, doi, url, pdf, code, project,
//! venue, published, topics, upvotes, ours, abstract, notes`.
//!
//! The output is meant to be read and edited by people: one-line strings are quoted the simplest
//! way that keeps them exact, long lists get one item a line, and abstracts are multi-line literal
//! strings (`'''…'''`) so LaTeX backslashes stay as typed. Text that a literal string cannot hold
//! (`'''` itself, a line that would end the front matter) falls back to an escaped `"""…"""`.

use jiff::civil::Date;

use super::ImportedPaper;
use crate::content::RawPaper;
use crate::content::published::Precision;

/// Abstract lines are wrapped at this many characters.
const WRAP_WIDTH: usize = 88;

/// A new digest file: front matter with the header and every paper, and an empty body.
pub fn digest_file(title: &str, date: Date, papers: &[ImportedPaper]) -> String {
    digest_file_from(title, date, None, papers)
}

/// [`digest_file`] for papers of a source that ranks them by votes (`hf-daily`): the front
/// matter says where they came from and lists them most voted first.
pub fn digest_file_from(
    title: &str,
    date: Date,
    voted_source: Option<&str>,
    papers: &[ImportedPaper],
) -> String {
    let mut out = String::from("+++\n");
    out.push_str(&format!("title = {}\n", string(title)));
    out.push_str(&format!("date = {date}\n"));
    if let Some(source) = voted_source {
        out.push_str(&format!("source = {}\n", string(source)));
        out.push_str("sort = \"upvotes\"\n");
    }
    for paper in papers {
        out.push('\n');
        out.push_str(&paper_table(paper));
    }
    out.push_str("+++\n");
    out
}

/// One `[[papers]]` table, ending with a newline.
pub fn paper_table(imported: &ImportedPaper) -> String {
    // Every key is named, so that a key added to RawPaper does not compile until it is written.
    let RawPaper {
        id,
        title,
        authors,
        arxiv,
        arxiv_category,
        doi,
        url,
        pdf,
        code,
        project,
        venue,
        published,
        topics,
        upvotes,
        comments,
        thumbnail,
        ours,
        abstract_md,
        notes_md,
    } = &imported.paper;
    let mut out = String::from("[[papers]]\n");
    let mut key = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            out.push_str(name);
            out.push_str(" = ");
            out.push_str(&value);
            out.push('\n');
        }
    };
    key("id", id.as_deref().map(string));
    key("title", Some(string(title)));
    key("authors", array("authors", authors));
    key("arxiv", arxiv.as_deref().map(string));
    key("arxiv_category", arxiv_category.as_deref().map(string));
    key("doi", doi.as_deref().map(string));
    key("url", url.as_deref().map(string));
    key("pdf", pdf.as_deref().map(string));
    key("code", code.as_deref().map(string));
    key("project", project.as_deref().map(string));
    key("venue", venue.as_deref().map(string));
    key(
        "published",
        published.map(|date| {
            // A day and a year are TOML values of their own; a month is a string.
            let value = match date.precision() {
                Precision::Month => string(&date.iso()),
                Precision::Year | Precision::Day => date.iso(),
            };
            match imported.published_note.as_deref().filter(|n| !n.is_empty()) {
                Some(note) => format!("{value}  # {}", one_line_comment(note)),
                None => value,
            }
        }),
    );
    key("topics", array("topics", topics));
    key("upvotes", upvotes.map(|u| u.to_string()));
    key("comments", comments.map(|c| c.to_string()));
    key("thumbnail", thumbnail.as_deref().map(string));
    key("ours", ours.then(|| "true".to_string()));
    key("abstract", abstract_md.as_deref().map(multiline));
    key("notes", notes_md.as_deref().map(multiline));
    out
}

fn one_line_comment(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// A one-line TOML string: `"…"` when nothing needs escaping, `'…'` when only backslashes or
/// double quotes would (LaTeX in a title), else `"…"` with escapes.
pub fn string(value: &str) -> String {
    let plain = !value.contains(['"', '\\']) && !value.chars().any(char::is_control);
    if plain {
        return format!("\"{value}\"");
    }
    let literal_ok = !value.contains('\'') && !value.chars().any(char::is_control);
    if literal_ok {
        return format!("'{value}'");
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        push_escaped(&mut out, c);
    }
    out.push('"');
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
        c => out.push(c),
    }
}

/// An array of strings: on one line when short, else one item a line.
fn array(key: &str, items: &[String]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let quoted: Vec<String> = items.iter().map(|s| string(s)).collect();
    let one_line = format!("[{}]", quoted.join(", "));
    if key.len() + 3 + one_line.len() <= 100 {
        return Some(one_line);
    }
    let mut out = String::from("[\n");
    for item in quoted {
        out.push_str("  ");
        out.push_str(&item);
        out.push_str(",\n");
    }
    out.push(']');
    Some(out)
}

/// Markdown text as a multi-line string. One-line paragraphs (what importers produce) are
/// wrapped for reading; text with line breaks of its own (a curator's notes, code) is kept as is.
pub fn multiline(text: &str) -> String {
    let wrapped: Vec<String> = text
        .split("\n\n")
        .map(|p| {
            if p.contains('\n') {
                p.to_string()
            } else {
                wrap_paragraph(p)
            }
        })
        .collect();
    let body = wrapped.join("\n\n");
    let ends_front_matter = body
        .lines()
        .any(|line| matches!(line.trim_end(), "+++" | "---"));
    let literal_ok = !body.contains("'''")
        && !body.chars().any(|c| c.is_control() && c != '\n')
        && !ends_front_matter;
    if literal_ok {
        return format!("'''\n{body}\n'''");
    }
    let mut out = String::from("\"\"\"\n");
    for (index, line) in body.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        // A line `+++` inside the string would close the front matter: escape its first `+`.
        let mut chars = line.chars();
        if matches!(line.trim_end(), "+++" | "---") {
            let first = chars.next().expect("the line is not empty");
            out.push_str(&format!("\\u{:04X}", u32::from(first)));
        }
        for c in chars {
            push_escaped(&mut out, c);
        }
    }
    out.push_str("\n\"\"\"");
    out
}

/// Breaks a one-line paragraph at spaces near [`WRAP_WIDTH`], never inside `$…$` math and never
/// before a word that would start a Markdown block at the beginning of a line (`-`, `#`, `1.`…),
/// so the wrapped text renders exactly like the unwrapped one.
pub fn wrap_paragraph(paragraph: &str) -> String {
    let mut out = String::with_capacity(paragraph.len() + paragraph.len() / WRAP_WIDTH);
    let mut line_len = 0;
    let mut in_math = false;
    for (index, word) in paragraph.split(' ').enumerate() {
        if index > 0 {
            let breakable = !in_math && !starts_block(word) && !word.is_empty();
            if breakable && line_len + 1 + word.chars().count() > WRAP_WIDTH && line_len > 0 {
                out.push('\n');
                line_len = 0;
            } else {
                out.push(' ');
                line_len += 1;
            }
        }
        out.push_str(word);
        line_len += word.chars().count();
        in_math ^= toggles_math(word);
    }
    out
}

/// Whether a word opens or closes `$…$` (or `$$…$$`): an odd number of unescaped dollar runs.
fn toggles_math(word: &str) -> bool {
    let mut toggles = false;
    let mut previous = ' ';
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && previous != '\\' {
            if chars.peek() == Some(&'$') {
                chars.next();
            }
            toggles = !toggles;
        }
        previous = c;
    }
    toggles
}

fn starts_block(word: &str) -> bool {
    let first = word.chars().next().unwrap_or(' ');
    if "-+*#>=|`~<[".contains(first) {
        return true;
    }
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(word[digits..].chars().next(), Some('.' | ')'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::PartialDate;

    fn parse_value(toml_value: &str) -> String {
        let table: toml::Table = toml::from_str(&format!("v = {toml_value}")).unwrap();
        table["v"].as_str().unwrap().to_string()
    }

    #[test]
    fn strings_round_trip_through_toml() {
        for text in [
            "plain",
            r"$\alpha$-divergence",
            r#"say "hi" \o/"#,
            r#"it's "both" \ here"#,
            "tab\there",
        ] {
            assert_eq!(parse_value(&string(text)), text, "{}", string(text));
        }
        assert_eq!(string(r"$\beta$"), r"'$\beta$'");
    }

    #[test]
    fn abstracts_are_literal_and_survive_triple_quotes() {
        let text = r"Uses $\times$ and $\frac{a}{b}$.";
        assert!(multiline(text).starts_with("'''\n"));
        assert_eq!(parse_value(&multiline(text)), format!("{text}\n"));
        for tricky in [
            "He wrote ''' here and \\beta there.",
            "ends with a quote'",
            "line\n\n+++\n\nafter",
            "a \"\"\" b",
        ] {
            let written = multiline(tricky);
            assert_eq!(parse_value(&written), format!("{tricky}\n"), "{written}");
        }
    }

    #[test]
    fn wrapping_keeps_math_whole_and_avoids_block_starts() {
        let long = format!("{} $a + b = c$ - 1. # tail", "word ".repeat(16).trim());
        let wrapped = wrap_paragraph(&long);
        for line in wrapped.lines() {
            assert!(!starts_block(line), "{wrapped}");
            assert_eq!(line.matches('$').count() % 2, 0, "{wrapped}");
        }
        assert_eq!(wrapped.replace('\n', " "), long);
        let text = "x ".repeat(100);
        assert!(
            wrap_paragraph(text.trim())
                .lines()
                .all(|l| l.len() <= WRAP_WIDTH)
        );
    }

    #[test]
    fn paper_tables_follow_the_documented_key_order() {
        let paper = ImportedPaper {
            paper: RawPaper {
                title: "T".into(),
                authors: vec!["A".into()],
                arxiv: Some("2310.14189".into()),
                pdf: Some("https://arxiv.org/pdf/2310.14189".into()),
                topics: vec!["machine learning".into()],
                abstract_md: Some("Text.".into()),
                ..RawPaper::default()
            },
            ..ImportedPaper::default()
        }
        .with_published(Some(PartialDate {
            year: 2020,
            month: Some(3),
            day: None,
        }));
        assert_eq!(
            paper_table(&paper),
            "[[papers]]\ntitle = \"T\"\nauthors = [\"A\"]\narxiv = \"2310.14189\"\npdf = \"https://arxiv.org/pdf/2310.14189\"\npublished = \"2020-03\"\ntopics = [\"machine learning\"]\nabstract = '''\nText.\n'''\n"
        );
    }

    /// A paper with every key set.
    fn every_key() -> RawPaper {
        RawPaper {
            id: Some("my-id".into()),
            title: r#"On $\beta$ and "quotes""#.into(),
            authors: vec!["A. Author".into(), "B. Author".into()],
            arxiv: Some("2310.14189".into()),
            arxiv_category: Some("cs.LG".into()),
            doi: Some("10.48550/arXiv.2310.14189".into()),
            url: Some("https://example.org/paper".into()),
            pdf: Some("https://example.org/paper.pdf".into()),
            code: Some("https://github.com/a/b".into()),
            project: Some("https://a.github.io/b".into()),
            venue: Some("ICLR 2024".into()),
            published: Some(crate::content::published::Published::day(
                jiff::civil::date(2023, 10, 22),
            )),
            topics: vec!["diffusion".into()],
            upvotes: Some(12),
            comments: None,
            thumbnail: None,
            ours: true,
            abstract_md: Some("Uses $\\times$.\n\nSecond paragraph.".into()),
            notes_md: Some("A note.".into()),
        }
    }

    #[test]
    fn every_key_written_reads_back_as_the_same_paper() {
        let imported = ImportedPaper {
            paper: every_key(),
            published_note: Some("arXiv v2".into()),
            ..ImportedPaper::default()
        };
        let text = digest_file("D", jiff::civil::date(2024, 3, 11), &[imported]);
        let parsed = crate::content::parse_source(&crate::content::SourceFile {
            path: "content/x.md".into(),
            text,
        });
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let mut read = parsed.digest.expect("the written file parses").papers;
        // Multi-line strings end with the line break before their closing quotes.
        for paper in &mut read {
            for text in [&mut paper.abstract_md, &mut paper.notes_md] {
                *text = text.as_deref().map(|t| t.trim_end_matches('\n').into());
            }
        }
        assert_eq!(read, [every_key()]);
    }

    #[test]
    fn long_author_lists_get_one_name_a_line() {
        let names: Vec<String> = (0..12).map(|i| format!("Author Number {i}")).collect();
        let written = array("authors", &names).unwrap();
        assert!(written.starts_with("[\n  \"Author Number 0\",\n"));
        let parsed: toml::Table = toml::from_str(&format!("a = {written}")).unwrap();
        assert_eq!(parsed["a"].as_array().unwrap().len(), 12);
    }
}
