//! A list pasted from a daily-papers web page: each paper is a title line followed by its
//! abstract paragraph (on the next line, or after a blank line), papers separated by blank lines.
//!
//! Page furniture is skipped: "new", "Subscribe", "Get trending papers in your email inbox!",
//! "by … and the research community", upvote counts, "Submitted by …", and a lone day such as
//! "Mar 11", which also gives the digest's date. Text is kept as pasted (a rendered formula that
//! lost its LaTeX, like `64times 64`, stays as it is); anything that had to be guessed is reported.

use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;

use super::{Import, ImportedPaper};
use crate::content::RawPaper;
use crate::error::{Diagnostic, Location, Result};
use crate::import::input::{MAX_ENTRIES, no_entry, too_many_entries};

/// Reads a pasted list. `year` completes a "Mar 11" day found in the text. A line with no
/// abstract after it is page furniture (a site header, a tagline, a credit, a button label) and
/// is skipped, listed in one warning, unless `keep_titles` (for lists that really have no
/// abstracts). An error when the text holds no line that could be a title.
pub fn read(path: &Path, text: &str, year: i16, keep_titles: bool) -> Result<Import> {
    let mut import = Import::default();
    // The first day named, and the first other one: all that is reported.
    let mut days: Vec<(Date, usize)> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut current: Option<Block> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let number = index + 1;
        if line.is_empty() {
            blocks.extend(current.take());
            continue;
        }
        match lone_day(line, year) {
            Some(Ok(day)) => {
                if days.len() < 2 && days.first().is_none_or(|(first, _)| *first != day) {
                    days.push((day, number));
                }
                continue;
            }
            Some(Err(())) => {
                import.warnings.push(
                    Diagnostic::warning(
                        Location::at(path, number, None),
                        format!(
                            "`{line}` reads as a day, but there is no such day; it was left out"
                        ),
                    )
                    .with_hint("pass --date to date the digest"),
                );
                continue;
            }
            None => {}
        }
        if is_furniture(line) {
            continue;
        }
        match &mut current {
            Some(block) => block.push(line),
            None if blocks.len() == MAX_ENTRIES => {
                return Err(too_many_entries(path, Some(number)));
            }
            None => {
                current = Some(Block {
                    line: number,
                    first: line,
                    rest: String::new(),
                });
            }
        }
    }
    blocks.extend(current);
    if blocks.is_empty() {
        return Err(no_entry(
            path,
            "no paper in the text: no line that could be a title",
            "paste each paper as a title line followed by its abstract, papers separated by blank lines",
        ));
    }

    if let Some(&(first, line)) = days.first() {
        import.date = Some(first);
        if let Some((other, other_line)) = days.get(1) {
            import.warnings.push(Diagnostic::warning(
                Location::at(path, *other_line, None),
                format!("the list names two days, {first} (line {line}) and {other}; using the first"),
            ).with_hint("pass --date to choose"));
        }
    }
    pair_titles_and_abstracts(path, blocks, &mut import, keep_titles);
    Ok(import)
}

/// A paragraph of the list: its first line, and the others joined by line breaks (not a vector
/// of lines, which would take several times the text's size for a text of short lines).
#[derive(Debug)]
struct Block<'a> {
    line: usize,
    first: &'a str,
    rest: String,
}

impl Block<'_> {
    fn push(&mut self, line: &str) {
        if !self.rest.is_empty() {
            self.rest.push('\n');
        }
        self.rest.push_str(line);
    }

    /// One line only (lines are never empty, so neither is `rest` when there are more).
    fn is_single(&self) -> bool {
        self.rest.is_empty()
    }

    /// Every line, joined by `separator`.
    fn joined(&self, separator: &str) -> String {
        if self.is_single() {
            return self.first.to_string();
        }
        let rest = if separator == "\n" {
            self.rest.clone()
        } else {
            self.rest.replace('\n', separator)
        };
        format!("{}{separator}{rest}", self.first)
    }
}

fn pair_titles_and_abstracts(
    path: &Path,
    blocks: Vec<Block<'_>>,
    import: &mut Import,
    keep_titles: bool,
) {
    let mut skipped: Vec<(String, usize)> = Vec::new();
    let mut without_abstract =
        |import: &mut Import, last_abstract: &mut Option<String>, title: String, line: usize| {
            if keep_titles {
                push_without_abstract(path, import, last_abstract, title, line);
            } else {
                skipped.push((title, line));
            }
        };
    let mut pending: Option<(String, usize)> = None;
    // The abstract of the last paper, while paragraphs may still be added to it: kept as a
    // String, since joining each to a finished one would copy it once per paragraph.
    let mut last_abstract: Option<String> = None;
    for block in blocks {
        let at = Location::at(path, block.line, None);
        let single = block.is_single();
        if single && looks_like_title(block.first) {
            if let Some((title, line)) = pending.take() {
                without_abstract(import, &mut last_abstract, title, line);
            }
            pending = Some((block.first.to_string(), block.line));
            continue;
        }
        // A title alone, then a block that starts with a title line of its own: the first title
        // has no abstract (a wrapped abstract would go on in lower case).
        if pending.is_some() && !single && starts_with_title(&block) {
            let (title, line) = pending.take().expect("checked above");
            without_abstract(import, &mut last_abstract, title, line);
        }
        // A paragraph: the abstract of the title before it, or a title line and its abstract.
        // Text too short to be an abstract ("Sign in" under a site's name) makes neither a paper.
        let (title, line, abstract_text) = match pending.take() {
            Some((title, line)) if !is_paragraph(&block.joined(" ")) => {
                without_abstract(import, &mut last_abstract, title, line);
                continue;
            }
            Some((title, line)) => (title, line, block.joined("\n")),
            None if !single && !is_paragraph(&block.rest) => {
                without_abstract(
                    import,
                    &mut last_abstract,
                    block.first.to_string(),
                    block.line,
                );
                continue;
            }
            None if !single => (block.first.to_string(), block.line, block.rest),
            None => {
                add_untitled_paragraph(import, &mut last_abstract, &block.joined(" "), at);
                continue;
            }
        };
        finish_abstract(import, last_abstract.take());
        if !looks_like_title(&title) {
            import.warnings.push(Diagnostic::warning(
                Location::at(path, line, None),
                format!("\"{}\" is long for a title; check that the title and abstract were split right", shorten(&title)),
            ));
        }
        last_abstract = Some(abstract_text).filter(|a| !a.trim().is_empty());
        let paper = RawPaper {
            title,
            ..RawPaper::default()
        };
        import
            .papers
            .push(ImportedPaper::new(paper, Location::at(path, line, None)));
    }
    if let Some((title, line)) = pending {
        without_abstract(import, &mut last_abstract, title, line);
    }
    finish_abstract(import, last_abstract);
    import.warnings.extend(skipped_lines(path, &skipped));
}

/// A paragraph with no title line of its own: added to the last paper's abstract while that
/// can still grow, else skipped; a warning either way.
fn add_untitled_paragraph(
    import: &mut Import,
    last_abstract: &mut Option<String>,
    paragraph: &str,
    at: Location,
) {
    match (import.papers.last(), last_abstract) {
        (Some(previous), Some(text)) => {
            import.warnings.push(Diagnostic::warning(
                at,
                format!(
                    "a paragraph without a title line; added to the abstract of \"{}\"",
                    previous.paper.title
                ),
            ));
            text.push_str("\n\n");
            text.push_str(paragraph);
        }
        _ => import.warnings.push(Diagnostic::warning(
            at,
            "a paragraph without a title line before it; skipped",
        )),
    }
}

/// One warning for every title line skipped for want of an abstract, naming the first few.
fn skipped_lines(path: &Path, skipped: &[(String, usize)]) -> Option<Diagnostic> {
    const SHOWN: usize = 6;
    let &(_, first_line) = skipped.first()?;
    let mut listed: Vec<String> = skipped
        .iter()
        .take(SHOWN)
        .map(|(title, line)| format!("\"{}\" (line {line})", shorten(title)))
        .collect();
    if skipped.len() > SHOWN {
        listed.push(format!("and {} more", skipped.len() - SHOWN));
    }
    let count = match skipped.len() {
        1 => "1 line that is not a paper".to_string(),
        n => format!("{n} lines that are not papers"),
    };
    Some(
        Diagnostic::warning(
            Location::at(path, first_line, None),
            format!("skipped {count} (no abstract after them): {}", listed.join(", ")),
        )
        .with_hint("a paper is a title line with its abstract after it; pass --keep-titles to import lines without one as title-only papers"),
    )
}

/// Gives the last paper its abstract, once no more paragraphs can be added to it.
fn finish_abstract(import: &mut Import, text: Option<String>) {
    if let (Some(last), Some(text)) = (import.papers.last_mut(), text) {
        last.paper.abstract_md = Some(Arc::from(text));
    }
}

fn push_without_abstract(
    path: &Path,
    import: &mut Import,
    last_abstract: &mut Option<String>,
    title: String,
    line: usize,
) {
    finish_abstract(import, last_abstract.take());
    import.warnings.push(Diagnostic::warning(
        Location::at(path, line, None),
        format!(
            "\"{}\" has no abstract after it; imported as a title only",
            shorten(&title)
        ),
    ));
    let paper = RawPaper {
        title,
        ..RawPaper::default()
    };
    import
        .papers
        .push(ImportedPaper::new(paper, Location::at(path, line, None)));
}

/// Whether text is long enough to be an abstract: a few words at least, not a button's label.
fn is_paragraph(text: &str) -> bool {
    text.split_whitespace().count() >= 5
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 60 {
        return text.to_string();
    }
    let cut: String = text.chars().take(57).collect();
    format!("{cut}…")
}

/// Whether a block's first line reads as a title followed by the start of an abstract.
fn starts_with_title(block: &Block) -> bool {
    looks_like_title(block.first)
        && !block.first.ends_with(['.', ',', ';', ':', '-'])
        && block.rest.chars().next().is_some_and(char::is_uppercase)
}

/// A title is one line, not too long, and not a sentence-ending paragraph.
fn looks_like_title(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let chars = line.chars().count();
    chars <= 250 && words <= 35 && !(line.ends_with('.') && words > 12)
}

/// Lines of the page around the list.
fn is_furniture(line: &str) -> bool {
    let lower = line.to_lowercase();
    let lower = lower.trim_end_matches(['!', '.', ':']);
    const EXACT: &[&str] = &[
        "new",
        "subscribe",
        "get trending papers in your email inbox",
        "daily papers",
        "trending papers",
        "papers",
        "upvote",
        "upvoted",
        "previous",
        "next",
        "·",
        "•",
        "-",
        "submitted by",
        "view paper",
        "view pdf",
        "abstract",
        "comments",
    ];
    if EXACT.contains(&lower) {
        return true;
    }
    if lower.starts_with("by ") && lower.ends_with("research community") {
        return true;
    }
    if lower.starts_with("submitted by ") && lower.split_whitespace().count() <= 4 {
        return true;
    }
    // Upvote and comment counts: "42", "· 5 authors", "3 comments".
    let words: Vec<&str> = lower.split_whitespace().filter(|w| *w != "·").collect();
    match words.as_slice() {
        [n] => n.bytes().all(|b| b.is_ascii_digit()),
        [n, unit] => {
            n.bytes().all(|b| b.is_ascii_digit())
                && matches!(
                    *unit,
                    "authors" | "author" | "comments" | "comment" | "upvotes"
                )
        }
        _ => false,
    }
}

/// "Mar 11", "March 11", "11 Mar", "Mar 11, 2024", "Monday, March 11": a day alone on a line;
/// an error for a line that reads as one but is no day ("Feb 30").
fn lone_day(line: &str, default_year: i16) -> Option<Result<Date, ()>> {
    let words: Vec<String> = line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches('.').to_lowercase())
        .collect();
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !is_weekday(w))
        .collect();
    let (month, day, year) = match words.as_slice() {
        [a, b] => month_and_day(a, b)?,
        [a, b, y] => {
            let (month, day, _) = month_and_day(a, b)?;
            (month, day, y.parse().ok()?)
        }
        _ => return None,
    };
    let year = if year == 0 { default_year } else { year };
    // A year before 1 is not written as TOML dates are.
    Some(
        Date::new(year, month, day)
            .ok()
            .filter(|d| d.year() >= 1)
            .ok_or(()),
    )
}

fn month_and_day(a: &str, b: &str) -> Option<(i8, i8, i16)> {
    let day = |s: &str| {
        s.trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse::<i8>()
            .ok()
            .filter(|d| (1..=31).contains(d))
    };
    if let (Some(month), Some(day)) = (month_name(a), day(b)) {
        return Some((month, day, 0));
    }
    if let (Some(day), Some(month)) = (day(a), month_name(b)) {
        return Some((month, day, 0));
    }
    None
}

fn month_name(word: &str) -> Option<i8> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if word.len() < 3 {
        return None;
    }
    let word = if word == "sept" { "sep" } else { word };
    NAMES
        .iter()
        .position(|name| name.starts_with(word))
        .and_then(|i| i8::try_from(i + 1).ok())
}

fn is_weekday(word: &str) -> bool {
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
    .contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_alone_on_a_line() {
        let day = |s| lone_day(s, 2024).map(|d| d.map(|d| d.to_string()).unwrap_or_default());
        assert_eq!(day("Mar 11").as_deref(), Some("2024-03-11"));
        assert_eq!(day("March 11, 2023").as_deref(), Some("2023-03-11"));
        assert_eq!(day("11 Mar").as_deref(), Some("2024-03-11"));
        assert_eq!(day("Monday, Mar 11").as_deref(), Some("2024-03-11"));
        assert_eq!(day("May the force"), None);
        assert_eq!(day("Mar 32"), None);
        assert_eq!(
            day("Feb 30").as_deref(),
            Some(""),
            "a day that does not exist"
        );
        assert_eq!(day("Mar 11, -5").as_deref(), Some(""));
    }

    #[test]
    fn furniture_is_recognised() {
        for line in [
            "new",
            "Subscribe",
            "Get trending papers in your email inbox!",
            "by AK and the research community",
            "42",
            "· 7 authors",
            "Submitted by akhaliq",
        ] {
            assert!(is_furniture(line), "{line}");
        }
        assert!(!is_furniture("New methods for old problems"));
    }

    #[test]
    fn titles_pair_with_the_paragraph_after_them() {
        let text = "Daily Papers\nby AK and the research community\nMar 11\n\nFirst Title\nIts abstract, which is a sentence.\n\nSecond Title\n\nSecond abstract on\ntwo lines.\n\nThird Title Alone\n";
        let import = read(Path::new("list.txt"), text, 2024, true).unwrap();
        let titles: Vec<&str> = import
            .papers
            .iter()
            .map(|p| p.paper.title.as_str())
            .collect();
        assert_eq!(titles, ["First Title", "Second Title", "Third Title Alone"]);
        assert_eq!(
            import.papers[1].paper.abstract_md.as_deref(),
            Some("Second abstract on\ntwo lines.")
        );
        assert_eq!(import.papers[0].origin.line, Some(5));
        assert_eq!(import.date.unwrap().to_string(), "2024-03-11");
        assert_eq!(import.warnings.len(), 1, "{:?}", import.warnings);
        assert!(import.warnings[0].message.contains("no abstract"));
    }

    #[test]
    fn a_paragraph_with_no_paper_before_it_is_skipped_with_a_warning() {
        let sentence = "This single line runs on as a paragraph would, with far more words than any title in a list of papers would ever have.";
        let text = format!("{sentence}\n\nFirst Title\nIts abstract, which is a sentence.\n");
        let import = read(Path::new("list.txt"), &text, 2024, true).unwrap();
        assert_eq!(import.papers.len(), 1);
        assert_eq!(import.papers[0].paper.title, "First Title");
        let skipped = import
            .warnings
            .iter()
            .find(|w| w.message == "a paragraph without a title line before it; skipped");
        assert_eq!(
            skipped.and_then(|w| w.location.line),
            Some(1),
            "{:?}",
            import.warnings
        );
    }

    #[test]
    fn lines_without_an_abstract_are_page_furniture_unless_kept() {
        let text = "Trending Papers\nThe research community's picks, every day\nSign in\n\nFirst Title\nIts abstract, which is a sentence.\n\nPowered by Example Hub\n\nSecond Title\nAnother abstract, also a sentence.\n\nLoad more\n";
        let import = read(Path::new("list.txt"), text, 2024, false).unwrap();
        let titles: Vec<&str> = import
            .papers
            .iter()
            .map(|p| p.paper.title.as_str())
            .collect();
        assert_eq!(titles, ["First Title", "Second Title"]);
        assert_eq!(import.warnings.len(), 1, "{:?}", import.warnings);
        let summary = &import.warnings[0].message;
        assert!(
            summary.starts_with("skipped 3 lines that are not papers"),
            "{summary}"
        );
        assert!(summary.contains("\"Load more\" (line 13)"), "{summary}");
        assert!(
            summary.contains("\"Powered by Example Hub\" (line 8)"),
            "{summary}"
        );
        let kept = read(Path::new("list.txt"), text, 2024, true).unwrap();
        let kept_titles: Vec<&str> = kept.papers.iter().map(|p| p.paper.title.as_str()).collect();
        assert_eq!(kept_titles.len(), 5, "{kept_titles:?}");
    }
}
