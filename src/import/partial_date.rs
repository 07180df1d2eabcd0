//! Dates that a source may give to the month or year only (BibTeX `year = 2019`, CSL-JSON
//! `"date-parts": [[2019]]`), and the date text that BibLaTeX and CSL-JSON share.
//!
//! The content format has no partial dates: an importer writes the first day of the month or year
//! and says what the date stands for in a comment (src/import/write.rs).

use jiff::civil::Date;

/// A date that may be known to the month or year only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialDate {
    pub year: i16,
    pub month: Option<i8>,
    pub day: Option<i8>,
}

impl PartialDate {
    pub fn day(date: Date) -> Self {
        PartialDate {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }

    /// A full date for the `published` key: the first day of the month or year when that is all
    /// we know (the format has no partial dates), or None when the parts are not a date.
    pub fn to_date(self) -> Option<Date> {
        let month = self.month.unwrap_or(1);
        let day = if self.month.is_some() {
            self.day.unwrap_or(1)
        } else {
            1
        };
        Date::new(self.year, month, day).ok()
    }

    /// The date as the content format's `published` keeps it, to the year, month or day.
    pub fn to_published(self) -> Option<crate::content::published::Published> {
        crate::content::published::Published::from_parts(self.year, self.month, self.day)
    }

    /// Says what the written date stands for when it is not exact.
    pub fn precision_note(self) -> Option<&'static str> {
        match (self.month, self.day) {
            (None, _) => Some("year only"),
            (Some(_), None) => Some("month only"),
            _ => None,
        }
    }
}

/// `2023-10-22`, `2023-10`, `2023` (also the start of a range `2023-10-22/2023-10-25`): BibLaTeX's
/// `date` field and CSL-JSON's `raw` dates.
pub fn parse_date_text(text: &str) -> Option<PartialDate> {
    let text = text.trim().split('/').next()?.trim();
    let mut parts = text.splitn(3, '-');
    let year: i16 = parts.next()?.trim().parse().ok()?;
    let month = parts.next().and_then(|m| m.trim().parse::<i8>().ok());
    let day = parts
        .next()
        .and_then(|d| d.get(..2.min(d.len()))?.parse::<i8>().ok());
    let date = PartialDate {
        year,
        month,
        day: month.and(day),
    };
    date.to_date().map(|_| date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_are_written_as_first_day() {
        let year = PartialDate {
            year: 2019,
            month: None,
            day: None,
        };
        assert_eq!(year.to_date().unwrap().to_string(), "2019-01-01");
        assert_eq!(year.precision_note(), Some("year only"));
    }

    #[test]
    fn date_text_to_the_day_month_or_year() {
        let day = parse_date_text("2023-10-22/2023-10-25").unwrap();
        assert_eq!(day.to_date().unwrap().to_string(), "2023-10-22");
        assert_eq!(day.precision_note(), None);
        assert_eq!(
            parse_date_text("2023-10").unwrap().precision_note(),
            Some("month only")
        );
        assert_eq!(parse_date_text("2023-13-01"), None);
        assert_eq!(parse_date_text("October 2023"), None);
    }
}
