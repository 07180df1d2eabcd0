//! BibTeX entries, written by hand (DEPENDENCIES.md: the biblatex crate re-escapes math and
//! reorders fields when writing).
//!
//! Text is escaped for LaTeX outside math (`& % $ # _ { } ~ ^ \`), accented Latin letters
//! become accent commands (`{\"o}`), words with inner capitals are braced so styles keep their
//! case (`{LoRA}`), and `$…$` stays math. arXiv preprints are `@misc` with `eprint`,
//! `archivePrefix` and `primaryClass`; a venue that names a conference or journal makes the
//! entry `@inproceedings` or `@article`.

use std::fmt::Write as _;

use super::{Kind, split_name, venue_kind, year};
use crate::model::Paper;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Appends one entry, ending with a blank line.
pub fn write_entry(out: &mut String, paper: &Paper, key: &str) {
    let names: Vec<&str> = paper.authors.iter().map(String::as_str).collect();
    write_entry_with_authors(out, paper, key, &names);
}

/// [`write_entry`] with the author names given: a site with a people file lists each author
/// under one name, whatever spelling a digest used.
pub fn write_entry_with_authors(out: &mut String, paper: &Paper, key: &str, names: &[&str]) {
    let kind = venue_kind(paper.venue.as_deref());
    let entry_type = match kind {
        Kind::Conference => "inproceedings",
        Kind::Journal => "article",
        Kind::Other => "misc",
    };
    let _ = writeln!(out, "@{entry_type}{{{key},");
    // `  name          = {value},`: names padded to the longest, `archivePrefix`.
    let mut field = |name: &str, value: &str| {
        out.push_str("  ");
        out.push_str(name);
        out.push_str(&"             "[name.len().min(13)..]);
        out.push_str(" = {");
        out.push_str(value);
        out.push_str("},\n");
    };
    if !names.is_empty() {
        let authors: Vec<String> = names.iter().map(|a| author(a)).collect();
        field("author", &authors.join(" and "));
    }
    field("title", &title(&paper.title));
    if let Some(venue) = &paper.venue {
        let name = match kind {
            Kind::Conference => "booktitle",
            Kind::Journal => "journal",
            Kind::Other => "howpublished",
        };
        field(name, &escape(venue, false));
    }
    if let Some(year) = year(paper) {
        field("year", &year.to_string());
    }
    if let Some(doi) = &paper.doi {
        field("doi", &verbatim(doi));
    }
    if let Some(arxiv) = &paper.arxiv {
        field("eprint", &verbatim(arxiv));
        field("archivePrefix", "arXiv");
        if let Some(category) = &paper.arxiv_category {
            field("primaryClass", &verbatim(category));
        }
    }
    let url = paper.url.clone().or_else(|| {
        paper
            .arxiv
            .as_ref()
            .map(|a| format!("https://arxiv.org/abs/{a}"))
    });
    if let Some(url) = url {
        field("url", &verbatim(&url));
    }
    // A month macro goes last and unbraced, as BibTeX styles expect (`month = mar`).
    if let Some(month) = paper.published.and_then(|date| date.month()) {
        let _ = writeln!(out, "  {:<13} = {},", "month", MONTHS[month as usize - 1]);
    }
    out.push_str("}\n\n");
}

/// One author as `von Last, Jr, First`, or `{Name}` for a one-word or organisation name.
fn author(name: &str) -> String {
    let name = split_name(name);
    if name.is_literal || name.family.contains(" and ") || name.given.contains(" and ") {
        let whole = [&name.given, &name.particle, &name.family]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return format!("{{{}}}", escape(&whole, false));
    }
    let mut out = String::new();
    if !name.particle.is_empty() {
        out.push_str(&escape(&name.particle, false));
        out.push(' ');
    }
    out.push_str(&escape(&name.family, false));
    if !name.suffix.is_empty() {
        out.push_str(", ");
        out.push_str(&escape(&name.suffix, false));
    }
    if !name.given.is_empty() {
        out.push_str(", ");
        out.push_str(&escape(&name.given, false));
    }
    out
}

/// A title escaped for LaTeX, with words that hold capitals after their first letter braced.
pub fn title(text: &str) -> String {
    escape(text, true)
}

/// Identifiers and URLs: only the characters that would break the braces are escaped.
fn verbatim(text: &str) -> String {
    text.replace(['{', '}'], "").replace('\\', "/")
}

/// LaTeX-escapes text outside `$…$` math. With `protect_case`, words like `LoRA` or `GPT-4`
/// are wrapped in braces.
pub fn escape(text: &str, protect_case: bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    // BibTeX counts `\{` and `\}` as braces too, so escaped braces keep a field parseable only
    // when they pair up; otherwise each is written as a command in braces of its own.
    let braces = if braces_pair_up(text) {
        Braces::Escaped
    } else {
        Braces::Commands
    };
    let mut rest = text;
    while !rest.is_empty() {
        if let Some((math, after)) = math_span(rest) {
            out.push_str(math);
            rest = after;
            continue;
        }
        if let Some(space) = rest.chars().next().filter(|c| c.is_whitespace()) {
            out.push(' ');
            rest = &rest[space.len_utf8()..];
            continue;
        }
        // The next word (up to whitespace or a `$` that opens math) is escaped as a unit.
        let end = rest
            .char_indices()
            .skip(1)
            .find(|&(i, c)| c.is_whitespace() || (c == '$' && math_span(&rest[i..]).is_some()))
            .map_or(rest.len(), |(i, _)| i);
        let (word, after) = rest.split_at(end);
        if protect_case && needs_case_protection(word) {
            out.push('{');
            escape_word(word, braces, &mut out);
            out.push('}');
        } else {
            escape_word(word, braces, &mut out);
        }
        rest = after;
    }
    out
}

/// `$…$` at the start of `text`, when it is math: a closing `$`, no space just inside either
/// dollar, and balanced braces. Returns the math with its dollars, and the rest.
fn math_span(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_prefix('$')?;
    let close = inner.find('$')?;
    let tex = &inner[..close];
    if tex.is_empty()
        || tex.starts_with(char::is_whitespace)
        || tex.ends_with(char::is_whitespace)
        || tex.ends_with('\\')
    {
        return None;
    }
    // Math is written as it is, so its braces must read as balanced both to BibTeX, which counts
    // `\{` as a brace, and to parsers that skip it: plain and escaped braces must each pair up.
    let (mut plain, mut escaped) = (0i32, 0i32);
    let mut backslashes = 0;
    for c in tex.chars() {
        let depth = if backslashes == 1 {
            &mut escaped
        } else {
            &mut plain
        };
        match c {
            '{' | '}' if backslashes > 1 => return None,
            '{' => *depth += 1,
            '}' => *depth -= 1,
            _ => {}
        }
        if plain < 0 || escaped < 0 {
            return None;
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
    }
    (plain == 0 && escaped == 0).then(|| text.split_at(close + 2))
}

fn needs_case_protection(word: &str) -> bool {
    word.chars().skip(1).any(char::is_uppercase)
        || (word.chars().count() == 1 && word.starts_with(char::is_uppercase) && word != "A")
}

/// How literal braces are written: `\{…\}`, or `{\textbraceleft}` when they do not pair up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Braces {
    Escaped,
    Commands,
}

/// Whether every `{` in `text` is closed by a later `}` and no `}` comes unopened: then BibTeX,
/// which counts braces whatever precedes them, reads `\{…\}` as a balanced group.
fn braces_pair_up(text: &str) -> bool {
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => match depth.checked_sub(1) {
                Some(less) => depth = less,
                None => return false,
            },
            _ => {}
        }
    }
    depth == 0
}

fn escape_word(word: &str, braces: Braces, out: &mut String) {
    let mut previous = '\0';
    for c in word.chars() {
        match c {
            '{' if braces == Braces::Commands => out.push_str("{\\textbraceleft}"),
            '}' if braces == Braces::Commands => out.push_str("{\\textbraceright}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("{\\textasciitilde}"),
            '^' => out.push_str("{\\textasciicircum}"),
            '\\' => out.push_str("{\\textbackslash}"),
            // `--` would print as a dash.
            '-' if previous == '-' => out.push_str("{}-"),
            _ => match accent_command(c) {
                Some(command) => out.push_str(&command),
                None => out.push(c),
            },
        }
        previous = c;
    }
}

/// Accented Latin letters, grouped by the LaTeX accent that makes them from their base letter.
const ACCENTS: &[(&str, &str)] = &[
    ("\\'", "ÁÉÍÓÚÝáéíóúýĆćĹĺŃńŔŕŚśŹź"),
    ("\\`", "ÀÈÌÒÙàèìòù"),
    ("\\^", "ÂÊÎÔÛâêîôûĈĉĜĝĤĥĴĵŜŝŴŵŶŷ"),
    ("\\\"", "ÄËÏÖÜäëïöüÿŸ"),
    ("\\~", "ÃÑÕãñõĨĩŨũ"),
    ("\\=", "ĀāĒēĪīŌōŪū"),
    ("\\.", "ĖėĠġİŻż"),
    ("\\c", "ÇçŞşŢţĢģĶķĻļŅņŖŗ"),
    ("\\v", "ČčĎďĚěŇňŘřŠšŤťŽž"),
    ("\\u", "ĂăĞğĬĭŎŏŬŭ"),
    ("\\H", "ŐőŰű"),
    ("\\r", "ÅåŮů"),
    ("\\k", "ĄąĘęĮįŲų"),
];

const LETTERS: &[(char, &str)] = &[
    ('ß', "{\\ss}"),
    ('æ', "{\\ae}"),
    ('Æ', "{\\AE}"),
    ('ø', "{\\o}"),
    ('Ø', "{\\O}"),
    ('œ', "{\\oe}"),
    ('Œ', "{\\OE}"),
    ('ł', "{\\l}"),
    ('Ł', "{\\L}"),
    ('ı', "{\\i}"),
];

fn accent_command(c: char) -> Option<String> {
    if c.is_ascii() {
        return None;
    }
    if let Some((_, command)) = LETTERS.iter().find(|(letter, _)| *letter == c) {
        return Some((*command).to_string());
    }
    let (command, _) = ACCENTS.iter().find(|(_, letters)| letters.contains(c))?;
    let base = deunicode::deunicode_char(c)?;
    // Letter accents need braces around their argument (`\c{c}`); symbol accents do not.
    Some(if command[1..].starts_with(char::is_alphabetic) {
        format!("{{{command}{{{base}}}}}")
    } else {
        format!("{{{command}{base}}}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_escaped() {
        assert_eq!(escape("R&D 100% a_b #1", false), "R\\&D 100\\% a\\_b \\#1");
        assert_eq!(
            escape("{x} ~ ^ \\", false),
            "\\{x\\} {\\textasciitilde} {\\textasciicircum} {\\textbackslash}"
        );
        assert_eq!(
            escape("Schrödinger Čech", false),
            "Schr{\\\"o}dinger {\\v{C}}ech"
        );
        assert_eq!(escape("a--b", false), "a-{}-b");
    }

    #[test]
    fn math_stays_math_and_money_is_escaped() {
        assert_eq!(
            escape("Bounds on $x^2_{i}$ norms", false),
            "Bounds on $x^2_{i}$ norms"
        );
        assert_eq!(escape("costs $5 and $10", false), "costs \\$5 and \\$10");
        // `\}x\{` would not pair up for BibTeX, which counts escaped braces too.
        assert_eq!(
            escape("$}x{$", false),
            "\\${\\textbraceright}x{\\textbraceleft}\\$"
        );
        assert_eq!(escape("${x$ and $}$", false), "\\$\\{x\\$ and \\$\\}\\$");
    }

    fn paper(title: &str, authors: &[String], venue: &str) -> Paper {
        Paper {
            authors: authors.to_vec(),
            arxiv: Some("2310.14189".into()),
            venue: Some(venue.into()).filter(|v: &String| !v.is_empty()),
            ..Paper::for_tests(title)
        }
    }

    /// Whether BibTeX itself reads `entry` as balanced: it counts every brace, escaped or not.
    fn bibtex_braces_balance(entry: &str) -> bool {
        let mut depth = 0i64;
        for c in entry.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return false;
            }
        }
        depth == 0
    }

    #[test]
    fn an_unbalanced_brace_leaves_the_entry_parseable() {
        let mut out = String::new();
        write_entry(&mut out, &paper("Unbalanced } brace", &[], ""), "k");
        assert!(bibtex_braces_balance(&out), "{out}");
        assert!(out.contains("Unbalanced {\\textbraceright} brace"), "{out}");
        biblatex::Bibliography::parse(&out).unwrap_or_else(|e| panic!("{e:?}\n{out}"));
    }

    /// Random titles, authors and venues made of what breaks BibTeX (braces, backslashes, math
    /// dollars, `@`, quotes, accents): every entry parses, by BibTeX's own brace rule and with a
    /// real parser.
    #[test]
    fn any_title_and_authors_give_an_entry_that_parses() {
        const PIECES: &[&str] = &[
            "{", "}", "\\", "$", "$x$", "${a}$", "\\}", "\\{", "@", "\"", "%", "&", "#", "_", "~",
            "^", "--", " ", " ", "word", "LoRA", "é", "Ł", ",", "and", "=", "\n", "'",
        ];
        let mut next = crate::test_rng(7);
        let text = |next: &mut dyn FnMut(usize) -> usize| {
            let length = next(12) + 1;
            (0..length)
                .map(|_| PIECES[next(PIECES.len())])
                .collect::<String>()
        };
        for case in 0..3000 {
            let title = format!("T{}", text(&mut next));
            let authors: Vec<String> = (0..next(3)).map(|_| text(&mut next)).collect();
            let venue = if next(2) == 0 {
                text(&mut next)
            } else {
                String::new()
            };
            let mut out = String::new();
            write_entry(&mut out, &paper(&title, &authors, &venue), "key");
            assert!(bibtex_braces_balance(&out), "case {case}: {out}");
            let parsed = biblatex::Bibliography::parse(&out)
                .unwrap_or_else(|e| panic!("case {case}: {e:?}\n{out}"));
            assert_eq!(parsed.len(), 1, "case {case}: {out}");
        }
    }

    #[test]
    fn inner_capitals_are_protected() {
        assert_eq!(
            title("Improved LoRA for GPT-4 on $X$"),
            "Improved {LoRA} for {GPT-4} on $X$"
        );
    }

    #[test]
    fn authors_are_last_first() {
        assert_eq!(author("Aäron van den Oord"), "van den Oord, A{\\\"a}ron");
        assert_eq!(author("OpenAI"), "{OpenAI}");
        assert_eq!(author("Martin Luther King Jr."), "King, Jr., Martin Luther");
    }
}
