//! A paper's publication date, which sources often know to the year or month only:
//! `published = 2019`, `published = "2019-05"` or `published = 2019-05-14`. Pages show what is
//! known ("2019", "May 2019"), and citations give only the parts known.

use jiff::civil::Date;

/// How much of a publication date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A publication date known to the year, month or day. Ordered by its first day, then by
/// precision, so that a year sorts before the days in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Published {
    /// The first day of what is known: 1 January for a year, the 1st for a month.
    first_day: Date,
    precision: Precision,
}

impl Published {
    pub fn day(date: Date) -> Self {
        Published {
            first_day: date,
            precision: Precision::Day,
        }
    }

    /// A date from its parts, None when they are not a date (year 0 included: no paper has it).
    pub fn from_parts(year: i16, month: Option<i8>, day: Option<i8>) -> Option<Self> {
        if year < 1 {
            return None;
        }
        let (precision, month, day) = match (month, day) {
            (None, _) => (Precision::Year, 1, 1),
            (Some(month), None) => (Precision::Month, month, 1),
            (Some(month), Some(day)) => (Precision::Day, month, day),
        };
        let first_day = Date::new(year, month, day).ok()?;
        Some(Published {
            first_day,
            precision,
        })
    }

    /// The first day of what is known, for what needs a whole date (feeds, sorting).
    pub fn first_day(self) -> Date {
        self.first_day
    }

    pub fn precision(self) -> Precision {
        self.precision
    }

    pub fn year(self) -> i16 {
        self.first_day.year()
    }

    /// The month, when known.
    pub fn month(self) -> Option<i8> {
        (self.precision >= Precision::Month).then(|| self.first_day.month())
    }

    /// The day of the month, when known.
    pub fn day_of_month(self) -> Option<i8> {
        (self.precision == Precision::Day).then(|| self.first_day.day())
    }

    /// "14 May 2019", "May 2019" or "2019".
    pub fn display(self) -> String {
        let format = match self.precision {
            Precision::Year => "%Y",
            Precision::Month => "%B %Y",
            Precision::Day => "%-d %B %Y",
        };
        self.first_day.strftime(format).to_string()
    }

    /// `2019`, `2019-05` or `2019-05-14`, as the content format writes it (quoted but for a
    /// day or a year).
    pub fn iso(self) -> String {
        match self.precision {
            Precision::Year => format!("{:04}", self.year()),
            Precision::Month => format!("{:04}-{:02}", self.year(), self.first_day.month()),
            Precision::Day => self.first_day.to_string(),
        }
    }

    /// Reads `2019`, `2019-05`, `2019-05-14`, or a date and time (whose own date is kept,
    /// whatever its offset: `2024-03-11T23:30:00-05:00` is 11 March).
    pub fn parse(text: &str) -> Result<Published, String> {
        let text = text.trim();
        let invalid = || {
            format!(
                "invalid date `{text}`: expected YYYY-MM-DD, YYYY-MM or YYYY, such as 2024-03-11"
            )
        };
        if let Ok(date) = parse_date(text) {
            return Ok(Published::day(date));
        }
        let mut parts = text.split('-');
        let year = parts
            .next()
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse().ok());
        let month = match parts.next() {
            None => None,
            Some(m) if m.len() == 2 => Some(m.parse().map_err(|_| invalid())?),
            Some(_) => return Err(invalid()),
        };
        if parts.next().is_some() {
            return Err(invalid());
        }
        year.and_then(|year| Published::from_parts(year, month, None))
            .ok_or_else(invalid)
    }
}

/// A date, or a date and time whose own date is kept whatever its offset: a digest dated
/// `2024-03-11T23:30:00-05:00` is the digest of 11 March, as its author wrote.
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let invalid = || format!("invalid date `{text}`: expected YYYY-MM-DD, such as 2024-03-11");
    if let Ok(date) = text.parse::<Date>() {
        return Ok(date);
    }
    let has_time = text.len() > 10
        && text.as_bytes()[10].is_ascii()
        && matches!(text.as_bytes()[10], b'T' | b't' | b' ');
    let is_date_time =
        text.parse::<jiff::Timestamp>().is_ok() || text.parse::<jiff::civil::DateTime>().is_ok();
    if has_time && is_date_time {
        return text[..10].parse::<Date>().map_err(|_| invalid());
    }
    Err(invalid())
}

impl std::fmt::Display for Published {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_what_is_known() {
        let year = Published::parse("2019").unwrap();
        assert_eq!(
            (year.display(), year.iso(), year.month()),
            ("2019".into(), "2019".into(), None)
        );
        let month = Published::parse("2019-05").unwrap();
        assert_eq!(
            (month.display(), month.iso()),
            ("May 2019".into(), "2019-05".into())
        );
        let day = Published::parse("2019-05-14").unwrap();
        assert_eq!(day.display(), "14 May 2019");
        assert_eq!(day.day_of_month(), Some(14));
        assert!(year < month && month < day);
        assert!(Published::parse("2019-13").is_err());
        assert!(Published::parse("19").is_err());
        assert!(Published::parse("0000").is_err());
        assert_eq!(
            Published::parse("2024-03-11T23:30:00-05:00").unwrap().iso(),
            "2024-03-11"
        );
    }
}
