//! Topic trends: how many papers each topic gained per month (per week on a young site), and
//! which topics are rising. Part of assembling the model (stage 4), so that a topic's counts are
//! in its hash and `serve` redraws a chart when a paper moves to a digest of another date.
//!
//! A paper counts once, in the period of the digest that featured it first. Every date comes
//! from the digests, never from the clock: the newest digest stands for "now" (issue 20).

use jiff::civil::Date;

use super::{Digest, Paper, Topic};

/// The site spans fewer than this many months: periods are ISO weeks, otherwise months.
pub const WEEKLY_BELOW_MONTHS: i32 = 3;
/// The most periods a chart holds; older ones are left out (20 years of months).
pub const MAX_PERIODS: usize = 240;
/// Days in each of the two windows compared for rising topics.
pub const WINDOW_DAYS: i32 = 30;
/// A rising topic has at least this many papers first featured in the recent window…
pub const RISING_MIN_RECENT: u32 = 3;
/// …and at least this many more than in the window before.
pub const RISING_MIN_GAIN: u32 = 2;
/// The most rising topics named.
pub const RISING_LIMIT: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Month,
    /// An ISO week, Monday to Sunday.
    Week,
}

/// One topic's papers over time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Trend {
    pub period: Period,
    /// The first day of the first period: the 1st of a month, or a Monday.
    pub start: Date,
    /// Papers first featured in each period, oldest first, from the topic's first period to the
    /// site's newest (empty periods are zeros), at most [`MAX_PERIODS`].
    pub counts: Vec<u32>,
    /// Papers first featured in the [`WINDOW_DAYS`] days up to the newest digest, its day
    /// included, and in the same number of days before those.
    pub recent: u32,
    pub previous: u32,
}

/// What every topic's trend is measured against: the site's first and newest digest dates.
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    pub period: Period,
    newest_date: Date,
    /// Day number of the newest digest.
    newest: i32,
    /// Day number of the oldest digest.
    oldest: i32,
}

impl Timeline {
    /// None for a site without digests. `digests` are newest first, as in [`super::Site`].
    pub fn of(digests: &[Digest]) -> Option<Timeline> {
        let newest = digests.iter().map(|d| d.date).max()?;
        let oldest = digests.iter().map(|d| d.date).min()?;
        let months =
            month_number(newest) - month_number(oldest) - i32::from(newest.day() < oldest.day());
        let period = if months < WEEKLY_BELOW_MONTHS {
            Period::Week
        } else {
            Period::Month
        };
        Some(Timeline {
            period,
            newest_date: newest,
            newest: day_number(newest),
            oldest: day_number(oldest),
        })
    }

    /// Whether the window before the recent one holds any digest: before that, every topic
    /// would "rise" from nothing.
    pub fn has_earlier_window(&self) -> bool {
        self.oldest <= self.newest - WINDOW_DAYS
    }

    fn period_of(&self, date: Date) -> i32 {
        match self.period {
            Period::Month => month_number(date),
            Period::Week => week_number(date),
        }
    }

    /// The trend of a topic whose papers were first featured on `dates` (any order).
    pub fn trend(&self, dates: impl IntoIterator<Item = Date>) -> Option<Trend> {
        let dates: Vec<Date> = dates.into_iter().collect();
        let first = dates.iter().copied().min()?;
        let last_period = self.period_of(self.newest_date);
        let max_back = i32::try_from(MAX_PERIODS).expect("a small constant") - 1;
        let first_period = self.period_of(first).max(last_period - max_back);
        let len = usize::try_from(last_period - first_period + 1).unwrap_or(0);
        let mut counts = vec![0u32; len];
        let (mut recent, mut previous) = (0, 0);
        for date in dates {
            let at = self.period_of(date) - first_period;
            if let Some(count) = usize::try_from(at).ok().and_then(|i| counts.get_mut(i)) {
                *count += 1;
            }
            let age = self.newest - day_number(date);
            if (0..WINDOW_DAYS).contains(&age) {
                recent += 1;
            } else if (WINDOW_DAYS..2 * WINDOW_DAYS).contains(&age) {
                previous += 1;
            }
        }
        Some(Trend {
            period: self.period,
            start: self.period_start(first_period, first),
            counts,
            recent,
            previous,
        })
    }

    /// The first day of period `number`; `fallback` for one outside jiff's range of dates.
    fn period_start(&self, number: i32, fallback: Date) -> Date {
        let (year, month, day) = match self.period {
            Period::Month => (number.div_euclid(12), number.rem_euclid(12) + 1, 1),
            Period::Week => civil_from_days(number * 7 + FIRST_MONDAY),
        };
        let (Ok(year), Ok(month), Ok(day)) =
            (i16::try_from(year), i8::try_from(month), i8::try_from(day))
        else {
            return fallback;
        };
        Date::new(year, month, day).unwrap_or(fallback)
    }
}

/// Each topic's trend, in topic order; None for every topic of a site without digests.
pub fn trends(topics: &[Topic], papers: &[Paper], digests: &[Digest]) -> Vec<Option<Trend>> {
    use rayon::prelude::*;
    let Some(timeline) = Timeline::of(digests) else {
        return vec![None; topics.len()];
    };
    topics
        .par_iter()
        .map(|topic| {
            let dates = topic.papers.iter().filter_map(|&p| {
                // `appearances` lists the oldest digest first: the one that featured it first.
                let first = *papers[p].appearances.first()?;
                Some(digests[first].date)
            });
            timeline.trend(dates)
        })
        .collect()
}

/// The rising topics, most rising first: at least [`RISING_MIN_RECENT`] papers in the recent
/// window and [`RISING_MIN_GAIN`] more than in the window before, ranked by
/// (recent + 1) / (previous + 1), then by the gain, then in topic order. None before the site
/// has a digest in the earlier window.
pub fn rising(topics: &[Topic], digests: &[Digest]) -> Vec<usize> {
    if !Timeline::of(digests).is_some_and(|t| t.has_earlier_window()) {
        return Vec::new();
    }
    let mut rising: Vec<(usize, u64, u64)> = topics
        .iter()
        .enumerate()
        .filter_map(|(index, topic)| {
            let trend = topic.trend.as_ref()?;
            let (recent, previous) = (trend.recent, trend.previous);
            (recent >= RISING_MIN_RECENT && recent >= previous.saturating_add(RISING_MIN_GAIN))
                .then_some((index, u64::from(recent), u64::from(previous)))
        })
        .collect();
    // Ratios compared by cross-multiplying: exact, so the order never depends on rounding.
    rising.sort_by(|&(a, ar, ap), &(b, br, bp)| {
        ((br + 1) * (ap + 1))
            .cmp(&((ar + 1) * (bp + 1)))
            .then_with(|| (br - bp).cmp(&(ar - ap)))
            .then(a.cmp(&b))
    });
    rising.truncate(RISING_LIMIT);
    rising.into_iter().map(|(index, ..)| index).collect()
}

fn month_number(date: Date) -> i32 {
    i32::from(date.year()) * 12 + i32::from(date.month()) - 1
}

/// Day number of 1970-01-05, a Monday.
const FIRST_MONDAY: i32 = 4;

/// Weeks since the Monday 1970-01-05 (negative before).
fn week_number(date: Date) -> i32 {
    let monday = day_number(date) - i32::from(date.weekday().to_monday_zero_offset());
    (monday - FIRST_MONDAY).div_euclid(7)
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`): plain arithmetic, so no date of
/// any digest can make it fail.
fn day_number(date: Date) -> i32 {
    let (y, m, d) = (
        i32::from(date.year()),
        i32::from(date.month()),
        i32::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`day_number`]: (year, month, day).
fn civil_from_days(days: i32) -> (i32, i32, i32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn timeline(oldest: Date, newest: Date) -> Timeline {
        let period =
            if month_number(newest) - month_number(oldest) - i32::from(newest.day() < oldest.day())
                < WEEKLY_BELOW_MONTHS
            {
                Period::Week
            } else {
                Period::Month
            };
        Timeline {
            period,
            newest_date: newest,
            newest: day_number(newest),
            oldest: day_number(oldest),
        }
    }

    #[test]
    fn day_numbers_round_trip_and_weeks_start_on_monday() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(day_number(date(2024, 3, 11)), 19_793);
        for d in [date(-9999, 1, 1), date(2000, 2, 29), date(9999, 12, 31)] {
            let (y, m, day) = civil_from_days(day_number(d));
            assert_eq!(
                (y, m, day),
                (
                    i32::from(d.year()),
                    i32::from(d.month()),
                    i32::from(d.day())
                )
            );
        }
        // 2024-03-11 is a Monday; the 17th the Sunday of its week.
        assert_eq!(
            week_number(date(2024, 3, 11)),
            week_number(date(2024, 3, 17))
        );
        assert_eq!(
            week_number(date(2024, 3, 10)) + 1,
            week_number(date(2024, 3, 11))
        );
    }

    #[test]
    fn less_than_three_months_counts_weeks() {
        let weekly = timeline(date(2024, 1, 15), date(2024, 4, 14));
        assert_eq!(weekly.period, Period::Week);
        let monthly = timeline(date(2024, 1, 15), date(2024, 4, 15));
        assert_eq!(monthly.period, Period::Month);
    }

    #[test]
    fn empty_periods_are_zeros_up_to_the_newest_digest() {
        let t = timeline(date(2023, 1, 5), date(2023, 6, 30));
        let trend = t
            .trend([date(2023, 2, 1), date(2023, 2, 28), date(2023, 4, 3)])
            .unwrap();
        assert_eq!(trend.start, date(2023, 2, 1));
        assert_eq!(trend.counts, [2, 0, 1, 0, 0]);
        let weekly = timeline(date(2024, 3, 1), date(2024, 3, 20));
        let trend = weekly.trend([date(2024, 3, 6), date(2024, 3, 12)]).unwrap();
        assert_eq!(trend.period, Period::Week);
        assert_eq!(trend.start, date(2024, 3, 4));
        assert_eq!(trend.counts, [1, 1, 0]);
    }

    #[test]
    fn one_period_and_far_apart_dates_stay_bounded() {
        let t = timeline(date(2024, 3, 1), date(2024, 3, 1));
        assert_eq!(t.trend([date(2024, 3, 1)]).unwrap().counts, [1]);
        assert!(t.trend([]).is_none());
        let wide = timeline(date(-9999, 1, 1), date(9999, 12, 31));
        let trend = wide.trend([date(-9999, 1, 1), date(9999, 12, 31)]).unwrap();
        assert_eq!(trend.counts.len(), MAX_PERIODS);
        assert_eq!(trend.counts.iter().sum::<u32>(), 1);
    }

    #[test]
    fn windows_are_the_thirty_days_up_to_the_newest_digest_and_the_thirty_before() {
        let t = timeline(date(2024, 1, 1), date(2024, 3, 31));
        let trend = t
            .trend([
                date(2024, 3, 31),
                date(2024, 3, 2),
                date(2024, 3, 1),
                date(2024, 2, 1),
                date(2024, 1, 31),
            ])
            .unwrap();
        // 2 March is 29 days before the newest digest, 1 February 59, 31 January 60.
        assert_eq!((trend.recent, trend.previous), (2, 2));
    }

    fn topic(name: &str, recent: u32, previous: u32) -> Topic {
        Topic {
            name: name.into(),
            slug: name.into(),
            papers: Vec::new(),
            trend: Some(Trend {
                period: Period::Month,
                start: date(2024, 1, 1),
                counts: Vec::new(),
                recent,
                previous,
            }),
        }
    }

    fn digest(day: Date) -> Digest {
        Digest {
            slug: day.to_string(),
            title: String::new(),
            date: day,
            summary: None,
            source: Default::default(),
            intro: "".into(),
            intro_line_offset: 0,
            entries: Vec::new(),
            order: Default::default(),
            origin: None,
            topics: Vec::new(),
        }
    }

    #[test]
    fn rising_needs_counts_ranks_by_ratio_and_ignores_the_clock() {
        let topics = [
            topic("one paper", 1, 0),
            topic("small gain", 10, 9),
            topic("tripled", 8, 2),
            topic("new", 3, 0),
            topic("doubled", 20, 9),
            topic("falling", 2, 10),
        ];
        let digests = [digest(date(2024, 3, 31)), digest(date(2024, 2, 15))];
        // (3+1)/(0+1) = 4, then (8+1)/(2+1) = 3, then (20+1)/(9+1) = 2.1.
        assert_eq!(rising(&topics, &digests), [3, 2, 4]);
        // Nothing rises before the earlier window holds a digest.
        let young = [digest(date(2024, 3, 31)), digest(date(2024, 3, 5))];
        assert!(rising(&topics, &young).is_empty());
    }
}
