//! The plan: one entry per output file of the site, with the template that renders it.
//!
//! Pagination happens here: a topic with 60 papers at 25 a page is three planned pages. A
//! planned page is small (a kind with indices into the model, and an output path); its context
//! is built only when it is rendered.

use crate::config::Config;
use crate::model::Site;
use crate::model::people::Lab;

/// Which page, with the indices it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// 1-based page number of the home page list.
    Index(usize),
    Digest(usize),
    Paper(usize),
    Topics,
    /// `/digests/`: every digest by year and month.
    Archive,
    /// `/top/<label>/`: the most voted papers of a week or month, by index into `Site::tops`.
    Top(usize),
    /// Topic index and 1-based page number.
    Topic(usize, usize),
    NotFound,
    /// The search page, when search is enabled.
    Search,
    Feed,
    Sitemap,
    Robots,
    /// Pages of themes with people and authors (planned only when the theme has the template).
    Author(usize),
    People,
    Person(usize),
    Publications,
    Research,
    News,
    /// A topic's Atom feed, by topic index.
    TopicFeed(usize),
    /// An author's Atom feed, by author index; planned beside author pages.
    AuthorFeed(usize),
    /// `feeds.opml`: every feed of the site.
    Opml,
    /// A digest as an email, HTML and plain text, by digest index.
    Email(usize),
    EmailText(usize),
    /// One file of a sitemap split in parts: the range of its URLs among all sitemap URLs.
    SitemapPart(usize, usize),
}

#[derive(Debug, Clone)]
pub struct PlannedPage {
    pub kind: PageKind,
    /// Path of the output file, relative to the output folder, with `/` separators.
    pub output: String,
}

impl PageKind {
    pub fn template(self) -> &'static str {
        match self {
            PageKind::Index(_) => "index.html",
            PageKind::Digest(_) => "digest.html",
            PageKind::Paper(_) => "paper.html",
            PageKind::Topics => "topics.html",
            PageKind::Archive => "archive.html",
            PageKind::Top(_) => "top.html",
            PageKind::Topic(..) => "topic.html",
            PageKind::NotFound => "404.html",
            PageKind::Search => "search.html",
            PageKind::Feed => "atom.xml",
            PageKind::Sitemap | PageKind::SitemapPart(..) => "sitemap.xml",
            PageKind::Robots => "robots.txt",
            PageKind::Author(_) => "author.html",
            PageKind::People => "people.html",
            PageKind::Person(_) => "person.html",
            PageKind::Publications => "publications.html",
            PageKind::Research => "research.html",
            PageKind::News => "news.html",
            PageKind::TopicFeed(_) => "topic_feed.xml",
            PageKind::AuthorFeed(_) => "author_feed.xml",
            PageKind::Opml => "opml.xml",
            PageKind::Email(_) => "email.html",
            PageKind::EmailText(_) => "email.txt",
        }
    }

    /// Whether this is a web page of the site (not a feed, email or other derived file).
    pub fn is_web_page(self) -> bool {
        matches!(
            self,
            PageKind::Index(_)
                | PageKind::Digest(_)
                | PageKind::Paper(_)
                | PageKind::Topics
                | PageKind::Archive
                | PageKind::Top(_)
                | PageKind::Topic(..)
                | PageKind::NotFound
        )
    }
}

/// Number of pages for `items` at `per_page` a page; an empty list still has one page.
pub fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page.max(1)).max(1)
}

/// The site-relative path of page `number` of a list whose first page is at `first`.
pub fn pagination_path(first: &str, number: usize) -> String {
    if number <= 1 {
        first.to_string()
    } else {
        format!("{first}page/{number}/")
    }
}

/// The page numbers a paginator links to: the first two, the last two, and two either side of the
/// current one. A full list would make every page of a long topic quadratic in size.
pub fn page_window(current: usize, total: usize) -> Vec<usize> {
    let near = current.saturating_sub(2).max(1)..=(current + 2).min(total);
    let mut numbers: Vec<usize> = [1, 2, total.saturating_sub(1), total]
        .into_iter()
        .chain(near)
        .filter(|n| (1..=total).contains(n))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// The most URLs one sitemap file may hold (sitemaps.org); larger sites get a sitemap index.
pub const SITEMAP_LIMIT: usize = 50_000;

/// Every page of the site, in a deterministic order.
pub fn plan(site: &Site, config: &Config) -> Vec<PlannedPage> {
    plan_with_sitemap_limit(site, config, SITEMAP_LIMIT)
}

/// [`plan`], with sitemaps split every `sitemap_limit` URLs.
pub fn plan_with_sitemap_limit(
    site: &Site,
    config: &Config,
    sitemap_limit: usize,
) -> Vec<PlannedPage> {
    let mut pages =
        Vec::with_capacity(site.papers.len() + site.digests.len() + site.topics.len() * 2 + 16);
    let html_page = |kind, path: String| PlannedPage {
        kind,
        output: format!("{path}index.html"),
    };
    for number in 1..=page_count(site.digests.len(), config.digests_per_page) {
        pages.push(html_page(
            PageKind::Index(number),
            pagination_path("", number),
        ));
    }
    for (index, digest) in site.digests.iter().enumerate() {
        pages.push(html_page(
            PageKind::Digest(index),
            format!("digests/{}/", digest.slug),
        ));
        let emails = [
            (PageKind::Email(index), "email.html"),
            (PageKind::EmailText(index), "email.txt"),
        ];
        // Digests are sorted newest first: the first `email_digests` are the latest.
        for (kind, name) in emails.into_iter().filter(|_| config.has_email(index)) {
            pages.push(PlannedPage {
                kind,
                output: format!("digests/{}/{name}", digest.slug),
            });
        }
    }
    pages.push(html_page(PageKind::Archive, "digests/".into()));
    for (index, top) in site.tops.iter().enumerate() {
        pages.push(html_page(
            PageKind::Top(index),
            format!("top/{}/", top.label),
        ));
    }
    for (index, paper) in site.papers.iter().enumerate() {
        pages.push(html_page(
            PageKind::Paper(index),
            format!("papers/{}/", paper.slug),
        ));
    }
    pages.push(html_page(PageKind::Topics, "topics/".into()));
    for (index, topic) in site.topics.iter().enumerate() {
        let first = format!("topics/{}/", topic.slug);
        for number in 1..=page_count(topic.papers.len(), config.papers_per_page) {
            pages.push(html_page(
                PageKind::Topic(index, number),
                pagination_path(&first, number),
            ));
        }
        pages.push(PlannedPage {
            kind: PageKind::TopicFeed(index),
            output: format!("{first}feed.xml"),
        });
    }
    // The sitemap lists every page with an `index.html` (all but the 404 page).
    let urls = pages
        .iter()
        .filter(|p| p.output.ends_with("index.html"))
        .count();
    if urls > sitemap_limit {
        for (number, start) in (0..urls).step_by(sitemap_limit.max(1)).enumerate() {
            pages.push(PlannedPage {
                kind: PageKind::SitemapPart(start, (start + sitemap_limit).min(urls)),
                output: format!("sitemap-{}.xml", number + 1),
            });
        }
    }
    if config.has_search {
        pages.push(html_page(PageKind::Search, "search/".into()));
    }
    for (kind, output) in [
        (PageKind::NotFound, "404.html"),
        (PageKind::Feed, "feed.xml"),
        (PageKind::Sitemap, "sitemap.xml"),
        (PageKind::Robots, "robots.txt"),
        (PageKind::Opml, "feeds.opml"),
    ] {
        pages.push(PlannedPage {
            kind,
            output: output.into(),
        });
    }
    pages
}

/// The order a one-off build renders `pages` in: by the newest digest each page's papers come
/// from, so that a paper's page, its digest's page and the topic pages listing it fall close
/// together. Rendered in batches in this order, each batch builds the paper cards it needs and
/// frees them after, and cards alive at once stay a batch's worth. Pages that list papers of
/// any time (home, most voted, authors) and pages without papers come first. Stable: pages of
/// one digest keep the plan's order.
pub fn render_order(pages: &[PlannedPage], site: &Site, papers_per_page: usize) -> Vec<usize> {
    // Digests are sorted newest first: a smaller index is newer.
    let newest_digest = |paper: usize| {
        site.papers[paper]
            .appearances
            .iter()
            .min()
            .map_or(0, |&digest| digest + 1)
    };
    let key = |page: &PlannedPage| match page.kind {
        PageKind::Digest(digest) | PageKind::Email(digest) | PageKind::EmailText(digest) => {
            digest + 1
        }
        PageKind::Paper(paper) => newest_digest(paper),
        PageKind::Topic(topic, number) => site.topics[topic]
            .papers
            .get((number - 1) * papers_per_page)
            .map_or(0, |&paper| newest_digest(paper)),
        _ => 0,
    };
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by_cached_key(|&index| key(&pages[index]));
    order
}

/// The pages of themes with people and authors, each planned only when the theme has its
/// template: `/authors/<slug>/`, `/people/`, `/people/<slug>/`, `/publications/`, `/research/`
/// and `/news/`. Appended after [`plan`]'s pages.
pub fn plan_lab(lab: &Lab, has_template: &dyn Fn(&str) -> bool, pages: &mut Vec<PlannedPage>) {
    let html_page = |kind, path: String| PlannedPage {
        kind,
        output: format!("{path}index.html"),
    };
    if has_template("author.html") {
        for (index, author) in lab.authors.iter().enumerate() {
            pages.push(html_page(
                PageKind::Author(index),
                format!("authors/{}/", author.slug),
            ));
            pages.push(PlannedPage {
                kind: PageKind::AuthorFeed(index),
                output: format!("authors/{}/feed.xml", author.slug),
            });
        }
    }
    if has_template("people.html") {
        pages.push(html_page(PageKind::People, "people/".into()));
    }
    if has_template("person.html") {
        for (index, person) in lab.people.persons.iter().enumerate() {
            if person.has_page() {
                pages.push(html_page(
                    PageKind::Person(index),
                    format!("people/{}/", person.slug),
                ));
            }
        }
    }
    for (kind, template, path) in [
        (PageKind::Publications, "publications.html", "publications/"),
        (PageKind::Research, "research.html", "research/"),
        (PageKind::News, "news.html", "news/"),
    ] {
        if has_template(template) {
            pages.push(html_page(kind, path.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_count_has_at_least_one_page() {
        assert_eq!(page_count(0, 25), 1);
        assert_eq!(page_count(25, 25), 1);
        assert_eq!(page_count(26, 25), 2);
        assert_eq!(page_count(10, 0), 10);
    }

    #[test]
    fn page_window_keeps_ends_and_neighbours() {
        assert_eq!(page_window(1, 1), vec![1]);
        assert_eq!(page_window(1, 3), vec![1, 2, 3]);
        assert_eq!(page_window(10, 95), vec![1, 2, 8, 9, 10, 11, 12, 94, 95]);
        assert_eq!(page_window(95, 95), vec![1, 2, 93, 94, 95]);
    }

    #[test]
    fn pagination_paths() {
        assert_eq!(pagination_path("", 1), "");
        assert_eq!(pagination_path("", 2), "page/2/");
        assert_eq!(pagination_path("topics/rl/", 3), "topics/rl/page/3/");
    }
}
