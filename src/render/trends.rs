//! Topic trends as template values: a model [`Trend`] to the numbers and geometry a chart needs
//! (`trend` on `topic.html`, `sparkline` on `topics.html`).
//!
//! Rust computes every number and coordinate; the SVG itself is written by the theme's partials
//! (`partials/trend_chart.html`, `partials/sparkline.html`), so a theme can restyle or redraw a
//! chart without touching code, and topic names reach the page only through Tera's escaping.
//! Coordinates are integers in a viewBox that the partials stretch to the page's width.

use jiff::civil::Date;
use serde::Serialize;

use crate::model::trends::{Period, Trend};

/// Height of a chart's viewBox; a bar of the largest count is this tall.
pub const CHART_HEIGHT: u32 = 100;
/// Width of one period in a chart's viewBox, and of its bar.
const SLOT: u32 = 10;
const BAR: u32 = 8;
/// A chart is at least this many periods wide, so that one or two bars are not stretched across
/// the page; the bars sit at the right, where the newest digest is.
const MIN_SLOTS: usize = 12;
/// Periods a sparkline shows: the newest ones.
pub const SPARK_PERIODS: usize = 24;
const SPARK_SLOT: u32 = 3;
const SPARK_BAR: u32 = 2;
pub const SPARK_HEIGHT: u32 = 16;
const SPARK_WIDTH: u32 = SPARK_PERIODS as u32 * SPARK_SLOT;

/// `trend` on `topic.html`: the topic's papers per period, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct TrendChart {
    /// `"month"` or `"week"`.
    pub period: &'static str,
    /// Papers counted (every paper of the topic unless its periods are more than the chart holds).
    pub total: u32,
    /// The largest count of a period.
    pub max: u32,
    /// The viewBox: `0 0 width height`.
    pub width: u32,
    pub height: u32,
    /// One per period, from the topic's first to the site's newest; empty periods have count 0.
    pub bars: Vec<TrendBar>,
    /// The numbers in a sentence, for `<desc>`: `12 papers from March 2024 to June 2024, at
    /// most 5 in a month (April 2024).`
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendBar {
    /// `2024-03` for a month; the Monday `2024-03-11` for a week.
    pub date: String,
    /// `March 2024`, or `Week of 11 March 2024`.
    pub label: String,
    /// `Mar 2024`, or `11 Mar`.
    pub short_label: String,
    pub count: u32,
    /// The bar's rectangle in the viewBox (height 0 for an empty period).
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// `sparkline` of each topic on `topics.html`: its newest periods as tiny bars, the newest at
/// the right of a box as wide as [`SPARK_PERIODS`] periods.
#[derive(Debug, Clone, Serialize)]
pub struct Sparkline {
    /// `"month"` or `"week"`.
    pub period: &'static str,
    pub width: u32,
    pub height: u32,
    /// Every bar as one path (`M…Z` per non-empty period), for `<path d>`.
    pub path: String,
    /// The counts, oldest first.
    pub counts: Vec<u32>,
    /// The numbers as text, for `aria-label`: `Papers per month, last 3: 0, 2, 5`.
    pub label: String,
}

fn period_name(period: Period) -> &'static str {
    match period {
        Period::Month => "month",
        Period::Week => "week",
    }
}

/// The first day of period `index` of `trend`; the start itself if out of jiff's range.
fn period_start(trend: &Trend, index: usize) -> Date {
    let index = i64::try_from(index).unwrap_or(0);
    let span = match trend.period {
        Period::Month => jiff::Span::new().try_months(index),
        Period::Week => jiff::Span::new().try_weeks(index),
    };
    span.ok()
        .and_then(|span| trend.start.checked_add(span).ok())
        .unwrap_or(trend.start)
}

fn labels(period: Period, start: Date) -> (String, String, String) {
    match period {
        Period::Month => (
            start.strftime("%Y-%m").to_string(),
            start.strftime("%B %Y").to_string(),
            start.strftime("%b %Y").to_string(),
        ),
        Period::Week => (
            start.to_string(),
            format!("Week of {}", start.strftime("%-d %B %Y")),
            start.strftime("%-d %b").to_string(),
        ),
    }
}

/// A bar's height for `count` out of `max` in a box `full` high: at least 1 for any paper.
fn bar_height(count: u32, max: u32, full: u32) -> u32 {
    if count == 0 || max == 0 {
        return 0;
    }
    let scaled = (u64::from(count) * u64::from(full)).div_ceil(u64::from(max));
    u32::try_from(scaled).unwrap_or(full).min(full)
}

pub fn chart(trend: &Trend) -> TrendChart {
    let max = trend.counts.iter().copied().max().unwrap_or(0);
    let slots = trend.counts.len().max(MIN_SLOTS);
    let offset = slots - trend.counts.len();
    let bars: Vec<TrendBar> = trend
        .counts
        .iter()
        .enumerate()
        .map(|(index, &count)| {
            let (date, label, short_label) = labels(trend.period, period_start(trend, index));
            let height = bar_height(count, max, CHART_HEIGHT);
            let slot = u32::try_from(offset + index).unwrap_or(0);
            TrendBar {
                date,
                label,
                short_label,
                count,
                x: slot * SLOT + (SLOT - BAR) / 2,
                y: CHART_HEIGHT - height,
                width: BAR,
                height,
            }
        })
        .collect();
    let total = trend.counts.iter().sum();
    TrendChart {
        period: period_name(trend.period),
        total,
        max,
        width: u32::try_from(slots).unwrap_or(u32::MAX / SLOT) * SLOT,
        height: CHART_HEIGHT,
        summary: summary(trend.period, &bars, total, max),
        bars,
    }
}

fn summary(period: Period, bars: &[TrendBar], total: u32, max: u32) -> String {
    let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
        return "No papers.".into();
    };
    let papers = if total == 1 { "paper" } else { "papers" };
    let unit = period_name(period);
    let busiest = bars.iter().find(|bar| bar.count == max).unwrap_or(first);
    // In a sentence: "in March 2024", "in the week of 11 March 2024".
    let phrase = |bar: &TrendBar| match period {
        Period::Month => bar.label.clone(),
        Period::Week => format!("the w{}", bar.label.trim_start_matches('W')),
    };
    if bars.len() == 1 {
        return format!("{total} {papers} in {}.", phrase(first));
    }
    format!(
        "{total} {papers} from {} to {}, at most {max} in a {unit} ({}).",
        phrase(first),
        phrase(last),
        phrase(busiest)
    )
}

pub fn sparkline(trend: &Trend) -> Sparkline {
    let skip = trend.counts.len().saturating_sub(SPARK_PERIODS);
    let counts: Vec<u32> = trend.counts[skip..].to_vec();
    let max = counts.iter().copied().max().unwrap_or(0);
    // Every sparkline is as wide as the longest, newest at the right: one topic's next to
    // another's reads as the same stretch of time.
    let offset = SPARK_PERIODS - counts.len();
    let mut path = String::new();
    for (index, &count) in counts.iter().enumerate() {
        let height = bar_height(count, max, SPARK_HEIGHT);
        if height > 0 {
            let x = u32::try_from(offset + index).unwrap_or(0) * SPARK_SLOT;
            let top = SPARK_HEIGHT - height;
            path.push_str(&format!(
                "M{x} {SPARK_HEIGHT}V{top}h{SPARK_BAR}V{SPARK_HEIGHT}Z"
            ));
        }
    }
    let unit = period_name(trend.period);
    let values: Vec<String> = counts.iter().map(u32::to_string).collect();
    Sparkline {
        period: unit,
        width: SPARK_WIDTH,
        height: SPARK_HEIGHT,
        path,
        label: format!(
            "Papers per {unit}, last {}: {}",
            counts.len(),
            values.join(", ")
        ),
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn trend(period: Period, start: Date, counts: &[u32]) -> Trend {
        Trend {
            period,
            start,
            counts: counts.to_vec(),
            recent: 0,
            previous: 0,
        }
    }

    #[test]
    fn bars_scale_to_the_largest_count_and_sit_at_the_right() {
        let chart = chart(&trend(Period::Month, date(2023, 11, 1), &[4, 0, 1]));
        assert_eq!(chart.width, 120);
        let heights: Vec<u32> = chart.bars.iter().map(|b| b.height).collect();
        assert_eq!(heights, [100, 0, 25]);
        assert_eq!(chart.bars[2].x + chart.bars[2].width + 1, chart.width);
        let dates: Vec<&str> = chart.bars.iter().map(|b| b.date.as_str()).collect();
        assert_eq!(dates, ["2023-11", "2023-12", "2024-01"]);
        assert_eq!(
            chart.summary,
            "5 papers from November 2023 to January 2024, at most 4 in a month (November 2023)."
        );
    }

    #[test]
    fn one_week_draws_one_bar_in_a_chart_of_normal_width() {
        let chart = chart(&trend(Period::Week, date(2024, 3, 11), &[1]));
        assert_eq!(chart.bars.len(), 1);
        assert_eq!(chart.width, 120);
        assert_eq!(chart.bars[0].label, "Week of 11 March 2024");
        assert_eq!(chart.summary, "1 paper in the week of 11 March 2024.");
    }

    #[test]
    fn a_sparkline_keeps_the_newest_periods() {
        let counts: Vec<u32> = (0..30).collect();
        let line = sparkline(&trend(Period::Month, date(2020, 1, 1), &counts));
        assert_eq!(line.counts.len(), SPARK_PERIODS);
        assert_eq!(line.counts[0], 6);
        // Period 6 of 6..29 is short but still drawn: every non-empty period has a bar.
        assert_eq!(line.path.matches('M').count(), SPARK_PERIODS);
        assert!(line.label.starts_with("Papers per month, last 24: 6, 7,"));
    }
}
