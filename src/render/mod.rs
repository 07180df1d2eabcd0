//! Stages 6 and 7 of the pipeline: plan one entry per output file, then render each through Tera.
//!
//! [`plan`] lists every page the site has (pagination happens there) as a small value;
//! [`Renderer::render`] builds that page's typed context from the model and its Markdown HTML
//! only when the page is rendered, so contexts never pile up in memory on large sites.

pub mod context;
pub mod templates;

use context::*;
use jiff::civil::Date;

use crate::config::Config;
use crate::markdown::SiteHtml;
use crate::model::Site;

/// Which page, with the indices it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// 1-based page number of the home page list.
    Index(usize),
    Digest(usize),
    Paper(usize),
    Topics,
    /// Topic index and 1-based page number.
    Topic(usize, usize),
    NotFound,
    /// The search page, when search is enabled.
    Search,
    Feed,
    Sitemap,
    Robots,
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
            PageKind::Topic(..) => "topic.html",
            PageKind::NotFound => "404.html",
            PageKind::Search => "search.html",
            PageKind::Feed => "atom.xml",
            PageKind::Sitemap => "sitemap.xml",
            PageKind::Robots => "robots.txt",
        }
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

/// Every page of the site, in a deterministic order.
pub fn plan(site: &Site, config: &Config) -> Vec<PlannedPage> {
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
    }
    if config.has_search {
        pages.push(html_page(PageKind::Search, "search/".into()));
    }
    for (kind, output) in [
        (PageKind::NotFound, "404.html"),
        (PageKind::Feed, "feed.xml"),
        (PageKind::Sitemap, "sitemap.xml"),
        (PageKind::Robots, "robots.txt"),
    ] {
        pages.push(PlannedPage {
            kind,
            output: output.into(),
        });
    }
    pages
}

/// Builds contexts from the model and renders pages; shared by every rendering thread.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub html: &'a SiteHtml,
    pub config: &'a Config,
    pub tera: &'a tera::Tera,
    pub pages: &'a [PlannedPage],
    /// One PaperCard per paper as a Tera value, built once: a paper is listed on its own page,
    /// its digests' pages and its topics' pages, and cloning a Tera map is a reference count.
    cards: Vec<tera::Value>,
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        html: &'a SiteHtml,
        config: &'a Config,
        tera: &'a tera::Tera,
        pages: &'a [PlannedPage],
    ) -> Self {
        use rayon::prelude::*;
        let mut renderer = Renderer {
            site,
            html,
            config,
            tera,
            pages,
            cards: Vec::new(),
        };
        let cards = (0..site.papers.len())
            .into_par_iter()
            .map(|i| tera::Value::from_serializable(&renderer.card(i)))
            .collect();
        renderer.cards = cards;
        renderer
    }

    /// Renders a page into `out`, which the caller clears and reuses between pages.
    pub fn render_to(&self, page: &PlannedPage, out: &mut Vec<u8>) -> Result<(), tera::Error> {
        let template = page.kind.template();
        let context = match page.kind {
            PageKind::Index(number) => tera::Context::from_serialize(&self.index(number, page))?,
            PageKind::Digest(index) => {
                let mut context = tera::Context::from_serialize(&self.digest(index, page))?;
                let entries: Vec<tera::Value> = self.site.digests[index]
                    .entries
                    .iter()
                    .zip(&self.html.notes[index])
                    .map(|(entry, notes)| {
                        let mut map = tera::Map::default();
                        map.insert("paper".into(), self.cards[entry.paper].clone());
                        map.insert("notes_html".into(), tera::Value::from(notes.as_deref()));
                        tera::Value::from(map)
                    })
                    .collect();
                let digest = context.remove("digest").expect("digest was inserted");
                context.insert_value("digest", with_field(digest, "entries", entries.into()));
                context
            }
            PageKind::Paper(index) => {
                let mut context = tera::Context::from_serialize(&self.paper(index, page))?;
                context.insert_value("paper", self.cards[index].clone());
                context
            }
            PageKind::Topics => tera::Context::from_serialize(&self.topics(page))?,
            PageKind::Topic(index, number) => {
                let mut context = tera::Context::from_serialize(&self.topic(index, number, page))?;
                let per_page = self.config.papers_per_page;
                let papers: Vec<tera::Value> = self.site.topics[index]
                    .papers
                    .iter()
                    .skip((number - 1) * per_page)
                    .take(per_page)
                    .map(|&p| self.cards[p].clone())
                    .collect();
                context.insert_value("papers", papers.into());
                context
            }
            PageKind::NotFound => tera::Context::from_serialize(&NotFoundContext {
                page: self.meta("404", "Page not found".into(), String::new(), page),
            })?,
            PageKind::Search => tera::Context::from_serialize(&SearchContext {
                page: self.meta("search", "Search".into(), String::new(), page),
            })?,
            PageKind::Feed => tera::Context::from_serialize(&self.feed())?,
            PageKind::Sitemap => tera::Context::from_serialize(&self.sitemap())?,
            PageKind::Robots => tera::Context::new(),
        };
        self.tera.render_to(template, &context, out)
    }

    fn meta(
        &self,
        kind: &'static str,
        title: String,
        description: String,
        page: &PlannedPage,
    ) -> PageMeta {
        let path = page
            .output
            .strip_suffix("index.html")
            .unwrap_or(&page.output);
        PageMeta {
            kind,
            title,
            description,
            url: self.config.base.link(path),
            permalink: self.config.base.permalink(path),
        }
    }

    fn link(&self, path: &str) -> String {
        self.config.base.link(path)
    }

    fn paginator(
        &self,
        first: &str,
        current: usize,
        total_items: usize,
        per_page: usize,
    ) -> Paginator {
        let total_pages = page_count(total_items, per_page);
        let url = |n| self.link(&pagination_path(first, n));
        Paginator {
            current,
            total_pages,
            total_items,
            previous_url: (current > 1).then(|| url(current - 1)),
            next_url: (current < total_pages).then(|| url(current + 1)),
            first_url: url(1),
            last_url: url(total_pages),
            pages: page_window(current, total_pages)
                .into_iter()
                .scan(0, |previous, number| {
                    let link = PageLink {
                        number,
                        url: url(number),
                        is_current: number == current,
                        is_after_gap: number > *previous + 1,
                    };
                    *previous = number;
                    Some(link)
                })
                .collect(),
        }
    }

    fn digest_link(&self, index: usize) -> DigestLink {
        let digest = &self.site.digests[index];
        DigestLink {
            title: digest.title.clone(),
            url: self.link(&format!("digests/{}/", digest.slug)),
            date: digest.date.to_string(),
            date_display: display_date(digest.date),
        }
    }

    fn topic_ref(&self, index: usize) -> TopicRef {
        let topic = &self.site.topics[index];
        TopicRef {
            name: topic.name.clone(),
            slug: topic.slug.clone(),
            url: self.link(&format!("topics/{}/", topic.slug)),
        }
    }

    fn paper_link(&self, index: usize) -> Link {
        let paper = &self.site.papers[index];
        Link {
            title: paper.title.clone(),
            url: self.link(&format!("papers/{}/", paper.slug)),
        }
    }

    fn card(&self, index: usize) -> PaperCard {
        let paper = &self.site.papers[index];
        let newest = *paper
            .appearances
            .last()
            .expect("a paper appears in at least one digest");
        PaperCard {
            id: paper.id.clone(),
            title: paper.title.clone(),
            url: self.link(&format!("papers/{}/", paper.slug)),
            authors: paper.authors.clone(),
            venue: paper.venue.clone(),
            published: paper.published.map(|d| d.to_string()),
            published_display: paper.published.map(display_date),
            arxiv: paper.arxiv.clone(),
            doi: paper.doi.clone(),
            upvotes: paper.upvotes,
            topics: paper.topics.iter().map(|&t| self.topic_ref(t)).collect(),
            links: external_links(paper),
            abstract_html: self.html.abstracts[index].clone(),
            featured_in: self.digest_link(newest),
        }
    }

    fn index(&self, number: usize, page: &PlannedPage) -> IndexContext {
        let per_page = self.config.digests_per_page;
        let digests = self
            .site
            .digests
            .iter()
            .enumerate()
            .skip((number - 1) * per_page)
            .take(per_page)
            .map(|(index, digest)| DigestSummary {
                title: digest.title.clone(),
                url: self.link(&format!("digests/{}/", digest.slug)),
                date: digest.date.to_string(),
                date_display: display_date(digest.date),
                summary: digest.summary.clone(),
                paper_count: digest.entries.len(),
                papers: digest
                    .entries
                    .iter()
                    .map(|e| self.paper_link(e.paper))
                    .collect(),
                topics: self.site.digests[index]
                    .topics
                    .iter()
                    .map(|&t| self.topic_ref(t))
                    .collect(),
            })
            .collect();
        let title = if number == 1 {
            self.config.title.clone()
        } else {
            format!("Latest digests, page {number}")
        };
        IndexContext {
            page: self.meta("index", title, self.config.description.clone(), page),
            digests,
            paginator: self.paginator("", number, self.site.digests.len(), per_page),
        }
    }

    fn digest(&self, index: usize, page: &PlannedPage) -> DigestContext {
        let digest = &self.site.digests[index];
        let link = self.digest_link(index);
        DigestContext {
            page: self.meta(
                "digest",
                digest.title.clone(),
                digest.summary.clone().unwrap_or_default(),
                page,
            ),
            digest: DigestPage {
                title: link.title,
                url: link.url,
                date: link.date,
                date_display: link.date_display,
                summary: digest.summary.clone(),
                paper_count: digest.entries.len(),
                intro_html: self.html.intros[index].clone(),
                topics: digest.topics.iter().map(|&t| self.topic_ref(t)).collect(),
            },
            // Digests are sorted newest first.
            newer: index.checked_sub(1).map(|i| self.digest_link(i)),
            older: (index + 1 < self.site.digests.len()).then(|| self.digest_link(index + 1)),
        }
    }

    fn paper(&self, index: usize, page: &PlannedPage) -> PaperContext {
        let paper = &self.site.papers[index];
        let mut notes = Vec::new();
        for &digest_index in &paper.appearances {
            let digest = &self.site.digests[digest_index];
            for (entry, html) in digest.entries.iter().zip(&self.html.notes[digest_index]) {
                if let (true, Some(html)) = (entry.paper == index, html) {
                    notes.push(DigestNotes {
                        digest: self.digest_link(digest_index),
                        notes_html: html.clone(),
                    });
                }
            }
        }
        let first_digest = &self.site.digests[paper.appearances[0]];
        let position = first_digest.entries.iter().position(|e| e.paper == index);
        let neighbour = |offset: isize| {
            let at = position?.checked_add_signed(offset)?;
            first_digest
                .entries
                .get(at)
                .map(|e| self.paper_link(e.paper))
        };
        let description = match &paper.abstract_md {
            Some(text) => crate::markdown::plain_excerpt(text, 200),
            None => paper.authors.join(", "),
        };
        PaperContext {
            page: self.meta("paper", paper.title.clone(), description, page),
            notes,
            digests: paper
                .appearances
                .iter()
                .map(|&d| self.digest_link(d))
                .collect(),
            in_digest: Some(self.digest_link(paper.appearances[0])),
            previous: neighbour(-1),
            next: neighbour(1),
        }
    }

    fn topic_summary(&self, index: usize) -> TopicSummary {
        let topic = &self.site.topics[index];
        TopicSummary {
            name: topic.name.clone(),
            slug: topic.slug.clone(),
            url: self.link(&format!("topics/{}/", topic.slug)),
            paper_count: topic.papers.len(),
        }
    }

    fn topics(&self, page: &PlannedPage) -> TopicsContext {
        TopicsContext {
            page: self.meta("topics", "Topics".into(), String::new(), page),
            topics: (0..self.site.topics.len())
                .map(|i| self.topic_summary(i))
                .collect(),
        }
    }

    fn topic(&self, index: usize, number: usize, page: &PlannedPage) -> TopicContext {
        let topic = &self.site.topics[index];
        let per_page = self.config.papers_per_page;
        let title = if number == 1 {
            topic.name.clone()
        } else {
            format!("{}, page {number}", topic.name)
        };
        TopicContext {
            page: self.meta("topic", title, format!("Papers on {}", topic.name), page),
            topic: self.topic_summary(index),
            paginator: self.paginator(
                &format!("topics/{}/", topic.slug),
                number,
                topic.papers.len(),
                per_page,
            ),
        }
    }

    fn feed(&self) -> FeedContext {
        let entries = self
            .site
            .digests
            .iter()
            .enumerate()
            .take(self.config.feed_limit)
            .map(|(index, digest)| {
                let mut content = self.html.intros[index].clone();
                content.push_str("<ul>");
                for entry in &digest.entries {
                    let paper = &self.site.papers[entry.paper];
                    let url = self
                        .config
                        .base
                        .permalink(&format!("papers/{}/", paper.slug));
                    content.push_str(&format!(
                        "<li><a href=\"{}\">{}</a></li>",
                        escape(&url),
                        escape(&paper.title)
                    ));
                }
                content.push_str("</ul>");
                FeedEntry {
                    title: digest.title.clone(),
                    permalink: self
                        .config
                        .base
                        .permalink(&format!("digests/{}/", digest.slug)),
                    updated: rfc3339(digest.date),
                    summary: digest.summary.clone(),
                    content_html: content,
                }
            })
            .collect();
        FeedContext {
            updated: self
                .site
                .digests
                .first()
                .map_or_else(|| "1970-01-01T00:00:00Z".into(), |d| rfc3339(d.date)),
            feed_permalink: self.config.base.permalink("feed.xml"),
            entries,
        }
    }

    fn sitemap(&self) -> SitemapContext {
        let entries = self
            .pages
            .iter()
            .filter_map(|page| {
                if page.kind == PageKind::Search {
                    return None;
                }
                let path = page.output.strip_suffix("index.html")?;
                let lastmod = match page.kind {
                    PageKind::Digest(i) => Some(self.site.digests[i].date),
                    PageKind::Paper(i) => Some(self.site.papers[i].last_featured),
                    PageKind::Topic(i, _) => self.site.topics[i]
                        .papers
                        .first()
                        .map(|&p| self.site.papers[p].last_featured),
                    PageKind::Index(_) | PageKind::Topics => {
                        self.site.digests.first().map(|d| d.date)
                    }
                    _ => None,
                };
                Some(SitemapEntry {
                    permalink: self.config.base.permalink(path),
                    lastmod: lastmod.map(|d| d.to_string()),
                })
            })
            .collect();
        SitemapContext { entries }
    }
}

/// A copy of a Tera map value with one more field.
fn with_field(value: tera::Value, key: &'static str, field: tera::Value) -> tera::Value {
    let mut map = value.into_map().unwrap_or_default();
    map.insert(key.into(), field);
    tera::Value::from(map)
}

fn external_links(paper: &crate::model::Paper) -> Vec<ExternalLink> {
    let mut links = Vec::new();
    if let Some(arxiv) = &paper.arxiv {
        links.push(ExternalLink {
            label: "arXiv",
            url: format!("https://arxiv.org/abs/{arxiv}"),
        });
        if paper.pdf.is_none() {
            links.push(ExternalLink {
                label: "PDF",
                url: format!("https://arxiv.org/pdf/{arxiv}"),
            });
        }
    }
    if let Some(pdf) = &paper.pdf {
        links.push(ExternalLink {
            label: "PDF",
            url: pdf.clone(),
        });
    }
    if let Some(doi) = &paper.doi {
        links.push(ExternalLink {
            label: "DOI",
            url: format!("https://doi.org/{doi}"),
        });
    }
    if let Some(code) = &paper.code {
        links.push(ExternalLink {
            label: "Code",
            url: code.clone(),
        });
    }
    if let Some(project) = &paper.project {
        links.push(ExternalLink {
            label: "Project",
            url: project.clone(),
        });
    }
    if let Some(url) = &paper.url {
        links.push(ExternalLink {
            label: "Web",
            url: url.clone(),
        });
    }
    links
}

/// `11 March 2024`.
pub fn display_date(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

fn rfc3339(date: Date) -> String {
    format!("{date}T00:00:00Z")
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
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

    #[test]
    fn dates_display_in_words() {
        assert_eq!(display_date(jiff::civil::date(2024, 3, 1)), "1 March 2024");
    }
}
