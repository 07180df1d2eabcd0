//! Topic trends (issue 20): the chart on each topic page, the sparklines on `/topics/` and the
//! rising topics on the home page, read back from the built HTML.

use crate::support::{Built, TestSite, digest};

fn paper(id: &str, topics: &str) -> String {
    format!(
        "title = \"Paper {id}\"\narxiv = \"{id}\"\nauthors = [\"A. Author\"]\ntopics = [{topics}]"
    )
}

/// The chart's `<figure>` of a topic page, parsed; None when the page has no chart.
fn figure(built: &Built, page: &str) -> Option<String> {
    let html = built.read(page);
    let start = html.find("<figure class=\"trend\">")?;
    let end = html[start..].find("</figure>")? + start + "</figure>".len();
    Some(html[start..end].to_string())
}

struct Chart {
    bars: Vec<(u32, u32)>,
    title: String,
    desc: String,
    /// The table's rows: (label, count).
    rows: Vec<(String, u32)>,
}

fn parse(figure: &str) -> Chart {
    let doc = roxmltree::Document::parse(figure)
        .unwrap_or_else(|e| panic!("the chart is not well-formed: {e}\n{figure}"));
    let svg = doc
        .descendants()
        .find(|n| n.has_tag_name("svg"))
        .expect("an svg");
    let number =
        |n: roxmltree::Node, name: &str| -> u32 { n.attribute(name).unwrap().parse().unwrap() };
    let bars = svg
        .children()
        .filter(|n| n.has_tag_name("rect"))
        .map(|n| (number(n, "y"), number(n, "height")))
        .collect();
    let text = |tag: &str| -> String {
        svg.children()
            .find(|n| n.has_tag_name(tag))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    let rows = doc
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .filter_map(|row| {
            let label = row.descendants().find(|n| n.has_tag_name("time"))?.text()?;
            let count = row.children().find(|n| n.has_tag_name("td"))?.text()?;
            Some((label.to_string(), count.parse().unwrap()))
        })
        .collect();
    Chart {
        bars,
        title: text("title"),
        desc: text("desc"),
        rows,
    }
}

/// Graphs: two papers in January, none in February, one in March (a January paper again, which
/// counts in January only), one in May.
fn monthly_site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "content/2024-01-10.md",
        &digest(
            "January",
            "2024-01-10",
            &[
                &paper("2401.00001", "\"Graphs\""),
                &paper("2401.00002", "\"Graphs\", \"Vision\""),
            ],
        ),
    );
    site.write(
        "content/2024-03-05.md",
        &digest(
            "March",
            "2024-03-05",
            &[
                &paper("2401.00001", "\"Graphs\""),
                &paper("2403.00003", "\"Graphs\""),
            ],
        ),
    );
    site.write(
        "content/2024-05-20.md",
        &digest("May", "2024-05-20", &[&paper("2405.00004", "\"Graphs\"")]),
    );
    site
}

#[test]
fn a_topic_chart_counts_each_paper_in_the_month_of_its_first_digest() {
    let site = monthly_site();
    let built = site.build().unwrap();
    let chart = parse(&figure(&built, "topics/graphs/index.html").expect("a chart"));
    let rows: Vec<(&str, u32)> = chart.rows.iter().map(|(l, c)| (l.as_str(), *c)).collect();
    assert_eq!(
        rows,
        [
            ("January 2024", 2),
            ("February 2024", 0),
            ("March 2024", 1),
            ("April 2024", 0),
            ("May 2024", 1),
        ]
    );
    // One bar a month, as tall as its count.
    assert_eq!(chart.bars.len(), rows.len());
    let heights: Vec<u32> = chart.bars.iter().map(|&(_, h)| h).collect();
    assert_eq!(heights, [100, 0, 50, 0, 50]);
    assert!(chart.bars.iter().all(|&(y, h)| y + h == 100));
    assert_eq!(chart.title, "Papers on Graphs per month");
    assert_eq!(
        chart.desc,
        "4 papers from January 2024 to May 2024, at most 2 in a month (January 2024)."
    );
    // A topic seen once runs from its month to the site's newest.
    let vision = parse(&figure(&built, "topics/vision/index.html").unwrap());
    assert_eq!(vision.rows.len(), 5);
    assert_eq!(vision.rows[0], ("January 2024".to_string(), 1));
}

#[test]
fn a_site_younger_than_three_months_counts_weeks() {
    let site = TestSite::new();
    site.write(
        "content/2024-03-11.md",
        &digest("One", "2024-03-11", &[&paper("2403.00001", "\"RL\"")]),
    );
    site.write(
        "content/2024-03-27.md",
        &digest(
            "Two",
            "2024-03-27",
            &[
                &paper("2403.00002", "\"RL\""),
                &paper("2403.00003", "\"RL\""),
            ],
        ),
    );
    let built = site.build().unwrap();
    let chart = parse(&figure(&built, "topics/rl/index.html").unwrap());
    let rows: Vec<(&str, u32)> = chart.rows.iter().map(|(l, c)| (l.as_str(), *c)).collect();
    assert_eq!(
        rows,
        [
            ("Week of 11 March 2024", 1),
            ("Week of 18 March 2024", 0),
            ("Week of 25 March 2024", 2),
        ]
    );
    assert_eq!(chart.title, "Papers on RL per week");
    assert_eq!(chart.bars.len(), 3);
}

#[test]
fn a_topic_with_one_period_draws_one_bar() {
    let site = TestSite::new();
    site.write(
        "content/2024-03-11.md",
        &digest("One", "2024-03-11", &[&paper("2403.00001", "\"RL\"")]),
    );
    let built = site.build().unwrap();
    let chart = parse(&figure(&built, "topics/rl/index.html").unwrap());
    assert_eq!(chart.bars, [(0, 100)]);
    assert_eq!(chart.desc, "1 paper in the week of 11 March 2024.");
    let topics = built.read("topics/index.html");
    assert!(
        topics.contains("aria-label=\"Papers per week, last 1: 1\""),
        "{topics}"
    );
}

#[test]
fn a_topic_name_is_escaped_in_the_chart() {
    let site = TestSite::new();
    site.write(
        "content/2024-03-11.md",
        &digest(
            "One",
            "2024-03-11",
            &[&paper("2403.00001", "'Graphs <b>& \"co\"</b>'")],
        ),
    );
    let built = site.build().unwrap();
    let page = built
        .files()
        .into_iter()
        .find(|f| f.starts_with("topics/graphs") && f.ends_with("/index.html"))
        .unwrap();
    let chart = parse(&figure(&built, &page).unwrap());
    assert_eq!(chart.title, "Papers on Graphs <b>& \"co\"</b> per week");
    assert!(!built.read(&page).contains("<b>&"));
}

/// Papers of `topic` first featured on `date`, with ids from `first`.
fn day(site: &TestSite, date: &str, papers: &[(&str, usize)], first: &mut usize) {
    let mut entries = Vec::new();
    for &(topic, count) in papers {
        for _ in 0..count {
            *first += 1;
            entries.push(paper(
                &format!("1001.{:05}", *first),
                &format!("\"{topic}\""),
            ));
        }
    }
    let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    site.write(&format!("content/{date}.md"), &digest(date, date, &refs));
}

/// Growth over the 30 days up to the newest digest (2010-03-31) against the 30 before, in a
/// year long past: the clock plays no part.
fn rising_site() -> TestSite {
    let site = TestSite::new();
    let mut id = 0;
    day(&site, "2009-12-01", &[("Steady", 4)], &mut id);
    // The earlier window: 1 February to 1 March.
    day(
        &site,
        "2010-02-10",
        &[("Steady", 4), ("Tripled", 2)],
        &mut id,
    );
    // The recent window: 2 March to 31 March.
    day(
        &site,
        "2010-03-10",
        &[("Steady", 4), ("Tripled", 4), ("Once", 1), ("Plus one", 2)],
        &mut id,
    );
    day(
        &site,
        "2010-03-31",
        &[("New", 3), ("Tripled", 2), ("Plus one", 1)],
        &mut id,
    );
    day(&site, "2010-02-20", &[("Plus one", 2)], &mut id);
    site
}

#[test]
fn the_home_page_names_rising_topics_by_the_digests_dates() {
    let site = rising_site();
    let built = site.build().unwrap();
    let home = built.read("index.html");
    let start = home.find("<p class=\"rising\">").expect("rising topics");
    let rising = &home[start..start + home[start..].find("</p>").unwrap()];
    // New: 0 → 3 ((3+1)/(0+1) = 4), Tripled: 2 → 6 (7/3). Steady did not grow, Once has one
    // paper, Plus one went from 2 to 3: one more is not rising.
    let named: Vec<&str> = rising
        .split("<a href=\"")
        .skip(1)
        .map(|a| &a[a.find('>').unwrap() + 1..a.find("</a>").unwrap()])
        .collect();
    assert_eq!(named, ["New", "Tripled"]);
    assert!(rising.contains("2 → 6"), "{rising}");
}

#[test]
fn nothing_rises_before_the_site_has_a_digest_in_the_earlier_window() {
    let site = TestSite::new();
    let mut id = 0;
    day(&site, "2010-03-10", &[("New", 3)], &mut id);
    day(&site, "2010-03-31", &[("New", 3)], &mut id);
    let built = site.build().unwrap();
    assert!(!built.read("index.html").contains("class=\"rising\""));
}

#[test]
fn trends_can_be_turned_off() {
    let site = rising_site();
    site.write(
        "site.toml",
        &format!("{}[trends]\nenabled = false\n", crate::support::SITE_TOML),
    );
    let built = site.build().unwrap();
    assert!(!built.read("index.html").contains("class=\"rising\""));
    assert!(!built.read("topics/index.html").contains("sparkline"));
    assert!(figure(&built, "topics/new/index.html").is_none());
}

#[test]
fn the_lab_theme_draws_charts_and_sparklines() {
    let site = monthly_site();
    site.write(
        "site.toml",
        &format!("{}theme = \"lab\"\n", crate::support::SITE_TOML),
    );
    let built = site.build().unwrap();
    let chart = parse(&figure(&built, "topics/graphs/index.html").expect("a chart"));
    assert_eq!(chart.rows.len(), 5);
    assert!(
        built
            .read("topics/index.html")
            .contains("class=\"sparkline\"")
    );
}

#[test]
fn charts_are_only_on_a_topics_first_page() {
    let site = monthly_site();
    site.write(
        "site.toml",
        &format!("{}papers_per_page = 1\n", crate::support::SITE_TOML),
    );
    let built = site.build().unwrap();
    assert!(figure(&built, "topics/graphs/index.html").is_some());
    assert!(figure(&built, "topics/graphs/page/2/index.html").is_none());
}
