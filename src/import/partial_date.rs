//! Dates that a source may give to the month or year only (BibTeX `year = 2019`, CSL-JSON
//! `"date-parts": [[2019]]`), and the date text that BibLaTeX and CSL-JSON share.
//!
//! A date is written as the format's `published` takes it (src/content/published.rs): to the year,
//! month or day. Whatever a source gives that is not a date (`year = {-5}`, 30 February) is not
//! dropped silently: reading keeps what is usable of it (the year of an impossible day) and says
//! what was wrong, for the importer to warn with the entry's line.

use jiff::civil::Date;

/// A date that may be known to the month or year only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialDate {
    pub year: i16,
    pub month: Option<i8>,
    pub day: Option<i8>,
}

impl PartialDate {
    /// The date as the content format's `published` keeps it, to the year, month or day.
    pub fn to_published(self) -> Option<crate::content::published::Published> {
        crate::content::published::Published::from_parts(self.year, self.month, self.day)
    }
}

/// A date as read from a source: what is usable of it, and what was wrong when something was.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DateRead {
    pub date: Option<PartialDate>,
    /// Why the date, or part of it, was left out: "month 13 does not exist; …".
    pub problem: Option<String>,
}

impl DateRead {
    pub fn refused(problem: String) -> Self {
        DateRead {
            date: None,
            problem: Some(problem),
        }
    }
}

/// The most a year can be: jiff's dates end with 9999, and so do the format's.
const LAST_YEAR: i64 = 9999;

/// A date from its parts as numbers, each checked: a year outside 1 to 9999 gives no date, an
/// impossible month the year only, an impossible day the month only.
pub fn checked_parts(year: i64, month: Option<i64>, day: Option<i64>) -> DateRead {
    let Some(year) = i16::try_from(year)
        .ok()
        .filter(|y| (1..=LAST_YEAR).contains(&i64::from(*y)))
    else {
        return DateRead::refused(format!(
            "{year} is not a year a paper was published in, so `published` was left out"
        ));
    };
    let year_only = PartialDate {
        year,
        month: None,
        day: None,
    };
    let Some(month) = month else {
        return DateRead {
            date: Some(year_only),
            problem: None,
        };
    };
    let Some(month) = i8::try_from(month).ok().filter(|m| (1..=12).contains(m)) else {
        return DateRead {
            date: Some(year_only),
            problem: Some(format!(
                "month {month} does not exist, so `published` is the year {year} only"
            )),
        };
    };
    let month_only = PartialDate {
        month: Some(month),
        ..year_only
    };
    let Some(day) = day else {
        return DateRead {
            date: Some(month_only),
            problem: None,
        };
    };
    match i8::try_from(day)
        .ok()
        .filter(|d| Date::new(year, month, *d).is_ok())
    {
        Some(day) => DateRead {
            date: Some(PartialDate {
                day: Some(day),
                ..month_only
            }),
            problem: None,
        },
        None => DateRead {
            date: Some(month_only),
            problem: Some(format!(
                "{year:04}-{month:02}-{day:02} does not exist, so `published` is the month {year:04}-{month:02} only"
            )),
        },
    }
}

/// `2023-10-22`, `2023-10`, `2023` (also the start of a range `2023-10-22/2023-10-25`, or a date
/// and time): BibLaTeX's `date` field and CSL-JSON's `raw` dates.
pub fn read_date_text(text: &str) -> DateRead {
    let shown = text.trim();
    let first = shown.split('/').next().unwrap_or("").trim();
    let not_a_date = || {
        DateRead::refused(format!(
            "`{shown}` is not a date (YYYY-MM-DD, YYYY-MM or YYYY), so `published` was left out"
        ))
    };
    let mut parts = first.splitn(3, '-');
    let Some(year) = parts.next().and_then(|y| y.trim().parse::<i64>().ok()) else {
        return not_a_date();
    };
    let number = |part: Option<&str>, digits: usize| -> Result<Option<i64>, ()> {
        match part {
            None => Ok(None),
            Some(part) => {
                let part = part.trim();
                // A day may go on with a time: `2023-10-22T09:30:00Z`.
                let head = part.get(..digits.min(part.len())).unwrap_or(part);
                let rest = &part[head.len()..];
                if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
                    return Err(());
                }
                head.parse().map(Some).map_err(|_| ())
            }
        }
    };
    match (number(parts.next(), 2), number(parts.next(), 2)) {
        (Ok(month), Ok(day)) if month.is_some() || day.is_none() => checked_parts(year, month, day),
        _ => not_a_date(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<String>, Option<String>) {
        let read = read_date_text(text);
        let date = read.date.and_then(PartialDate::to_published);
        (date.map(|d| d.iso()), read.problem)
    }

    #[test]
    fn date_text_to_the_day_month_or_year() {
        assert_eq!(
            read("2023-10-22/2023-10-25"),
            (Some("2023-10-22".into()), None)
        );
        assert_eq!(
            read("2023-10-22T09:30:00Z"),
            (Some("2023-10-22".into()), None)
        );
        assert_eq!(read("2023-10"), (Some("2023-10".into()), None));
        assert_eq!(read(" 2023 "), (Some("2023".into()), None));
    }

    // Issue 23: impossible dates were dropped without a word, and `year = {-5}` was written as
    // `published = -000005-01-01`, which is not TOML.
    #[test]
    fn impossible_dates_keep_what_is_usable_and_say_why() {
        let (date, problem) = read("2023-13-01");
        assert_eq!(date.as_deref(), Some("2023"));
        assert!(problem.unwrap().contains("month 13 does not exist"));
        let (date, problem) = read("2023-02-30");
        assert_eq!(date.as_deref(), Some("2023-02"));
        assert!(problem.unwrap().contains("2023-02-30 does not exist"));
        for text in ["October 2023", "-5", "0", "12345", "2023-1x", ""] {
            let (date, problem) = read(text);
            assert_eq!(date, None, "{text}");
            assert!(problem.is_some(), "{text}");
        }
        let read = checked_parts(-5, None, None);
        assert_eq!(read.date, None);
        assert!(read.problem.unwrap().starts_with("-5 is not a year"));
    }
}
