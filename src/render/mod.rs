//! Stages 6 and 7 of the pipeline: plan one entry per output file, then render each through Tera.
//!
//! [`plan`] lists every page the site has (pagination happens there) as a small value;
//! [`Renderer::render`] builds that page's typed context from the model and its Markdown HTML
//! only when the page is rendered, so contexts never pile up in memory on large sites.

pub mod context;
pub mod derived;
mod email;
mod feeds;
pub mod fingerprint;
mod native_card;
pub mod templates;

use std::sync::OnceLock;

use context::*;
use jiff::civil::Date;

use crate::config::Config;
use crate::markdown::SiteHtml;
use crate::model::Site;
use crate::model::people::{Lab, paper_year};

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
        for (kind, name) in emails.into_iter().filter(|_| config.has_emails) {
            pages.push(PlannedPage {
                kind,
                output: format!("digests/{}/{name}", digest.slug),
            });
        }
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

/// Builds contexts from the model and renders pages; shared by every rendering thread.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub html: &'a SiteHtml,
    pub config: &'a Config,
    pub tera: &'a tera::Tera,
    pub pages: &'a [PlannedPage],
    /// One PaperCard per paper as a Tera value, built on first use and then shared: a paper is
    /// listed on its own page, its digests' pages and its topics' pages, and cloning a Tera map
    /// is a reference count. Built lazily so a rebuild of a few pages builds only their cards.
    cards: Vec<OnceLock<tera::Value>>,
    /// Each topic's TopicRef and each digest's DigestLink as a Tera value, for the cards to share.
    topic_values: Vec<OnceLock<tera::Value>>,
    digest_values: Vec<OnceLock<tera::Value>>,
    /// People and authors, when the theme has pages for them.
    pub lab: Option<&'a Lab>,
    /// `content/_index.md` as HTML, for a theme's home page.
    pub intro_html: Option<&'a str>,
    /// BibTeX keys and plain abstracts, computed once for the whole site.
    pub citations: crate::cite::Citations,
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        html: &'a SiteHtml,
        config: &'a Config,
        tera: &'a tera::Tera,
        pages: &'a [PlannedPage],
    ) -> Self {
        let citations = crate::cite::Citations::new(site);
        Self::with_citations(site, html, config, tera, pages, citations)
    }

    /// [`Renderer::new`] with citations already computed (by `serve`, from its cache).
    pub fn with_citations(
        site: &'a Site,
        html: &'a SiteHtml,
        config: &'a Config,
        tera: &'a tera::Tera,
        pages: &'a [PlannedPage],
        citations: crate::cite::Citations,
    ) -> Self {
        let slots = |count: usize| (0..count).map(|_| OnceLock::new()).collect();
        Renderer {
            site,
            html,
            config,
            tera,
            pages,
            cards: slots(site.papers.len()),
            topic_values: slots(site.topics.len()),
            digest_values: slots(site.digests.len()),
            lab: None,
            intro_html: None,
            citations,
        }
    }

    /// Adds people and authors, and the home page introduction.
    pub fn with_lab(mut self, lab: Option<&'a Lab>, intro_html: Option<&'a str>) -> Self {
        self.lab = lab;
        self.intro_html = intro_html;
        self
    }

    /// Frees the shared paper cards and the topic and digest values they hold once every page is
    /// rendered (they are rebuilt on demand).
    pub fn release_cards(&mut self) {
        let slots = self.cards.iter_mut();
        let slots = slots
            .chain(&mut self.topic_values)
            .chain(&mut self.digest_values);
        slots.for_each(|slot| drop(slot.take()));
    }

    fn cards_of(&self, papers: &[usize]) -> tera::Value {
        papers
            .iter()
            .map(|&p| self.card_value(p))
            .collect::<Vec<_>>()
            .into()
    }

    fn card_value(&self, index: usize) -> tera::Value {
        self.cards[index]
            .get_or_init(|| {
                let paper = &self.site.papers[index];
                let newest = *paper
                    .appearances
                    .last()
                    .expect("a paper appears in at least one digest");
                let topics: Vec<tera::Value> = paper
                    .topics
                    .iter()
                    .map(|&t| shared(&self.topic_values[t], || self.topic_ref(t)))
                    .collect();
                let featured_in = self.digest_value(newest);
                let mut card = tera::Value::from_serializable(&self.card(index))
                    .into_map()
                    .unwrap_or_default();
                card.insert("topics".into(), topics.into());
                card.insert("featured_in".into(), featured_in);
                card.into()
            })
            .clone()
    }

    /// A digest's DigestLink, built once and shared by the cards and paper pages that name it.
    fn digest_value(&self, index: usize) -> tera::Value {
        shared(&self.digest_values[index], || self.digest_link(index))
    }

    pub fn render_to(&self, page: &PlannedPage, out: &mut Vec<u8>) -> Result<(), tera::Error> {
        let template = page.kind.template();
        let context = match page.kind {
            PageKind::Index(number) => {
                let mut context = tera::Context::from_serialize(&self.index(number, page))?;
                if let Some(lab) = self.lab {
                    let count = self
                        .config
                        .extra
                        .get("selected_count")
                        .and_then(toml::Value::as_integer)
                        .map_or(5, |n| usize::try_from(n).unwrap_or(0));
                    let selected: Vec<usize> =
                        lab.publications.iter().copied().take(count).collect();
                    context.insert_value("selected", self.cards_of(&selected));
                    context.insert("intro_html", &self.intro_html);
                }
                context
            }
            PageKind::Digest(index) => {
                let mut context = tera::Context::from_serialize(&self.digest(index, page))?;
                let entries: Vec<tera::Value> = self.site.digests[index]
                    .entries
                    .iter()
                    .zip(&self.html.notes[index])
                    .map(|(entry, notes)| {
                        let mut map = tera::Map::default();
                        map.insert("paper".into(), self.card_value(entry.paper));
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
                context.insert_value("paper", self.card_value(index));
                self.insert_paper_digests(index, &mut context);
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
                    .map(|&p| self.card_value(p))
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
            PageKind::Sitemap => tera::Context::from_serialize(&self.sitemap(None))?,
            PageKind::SitemapPart(start, end) => {
                tera::Context::from_serialize(&self.sitemap(Some((start, end))))?
            }
            PageKind::Robots => tera::Context::new(),
            PageKind::Author(index) => {
                let lab = self.lab.expect("author pages are planned with a lab");
                let mut context = tera::Context::from_serialize(&self.author(lab, index, page))?;
                context.insert_value("papers", self.cards_of(&lab.authors[index].papers));
                context
            }
            PageKind::People => {
                let lab = self.lab.expect("people pages are planned with a lab");
                tera::Context::from_serialize(&self.people(lab, page))?
            }
            PageKind::Person(index) => {
                let lab = self.lab.expect("person pages are planned with a lab");
                let person = self.person(lab, index);
                let papers = lab.person_author[index]
                    .map(|a| self.cards_of(&lab.authors[a].papers))
                    .unwrap_or_else(|| Vec::<tera::Value>::new().into());
                let mut context = tera::Context::from_serialize(&PersonPageContext {
                    page: self.meta(
                        "person",
                        person.name.clone(),
                        person.role.clone().unwrap_or_default(),
                        page,
                    ),
                    person,
                })?;
                context.insert_value("papers", papers);
                context
            }
            PageKind::Publications => {
                let lab = self.lab.expect("publication pages are planned with a lab");
                let mut context = tera::Context::from_serialize(&self.publications(lab, page))?;
                let mut years: Vec<tera::Value> = Vec::new();
                let mut current: Option<(i16, Vec<usize>)> = None;
                let flush = |group: (i16, Vec<usize>), years: &mut Vec<tera::Value>| {
                    let mut map = tera::Map::default();
                    map.insert("year".into(), tera::Value::from(group.0));
                    map.insert("papers".into(), self.cards_of(&group.1));
                    years.push(map.into());
                };
                for &paper in &lab.publications {
                    let year = paper_year(&self.site.papers[paper]);
                    match &mut current {
                        Some((y, list)) if *y == year => list.push(paper),
                        _ => {
                            if let Some(group) = current.take() {
                                flush(group, &mut years);
                            }
                            current = Some((year, vec![paper]));
                        }
                    }
                }
                if let Some(group) = current.take() {
                    flush(group, &mut years);
                }
                context.insert_value("years", years.into());
                context
            }
            PageKind::Research => tera::Context::from_serialize(&self.research(page))?,
            PageKind::News => tera::Context::from_serialize(&NewsContext {
                page: self.meta("news", "News".into(), String::new(), page),
                digests: (0..self.site.digests.len())
                    .map(|i| self.digest_link(i))
                    .collect(),
            })?,
            PageKind::TopicFeed(index) => tera::Context::from_serialize(&self.topic_feed(index))?,
            PageKind::AuthorFeed(index) => {
                let lab = self.lab.expect("author feeds are planned with a lab");
                tera::Context::from_serialize(&self.author_feed(lab, index))?
            }
            PageKind::Opml => tera::Context::from_serialize(&self.opml())?,
            PageKind::Email(index) => tera::Context::from_serialize(&self.email(index, false))?,
            PageKind::EmailText(index) => tera::Context::from_serialize(&self.email(index, true))?,
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

    fn card(&self, index: usize) -> PaperCard<'_> {
        let paper = &self.site.papers[index];
        PaperCard {
            id: &paper.id,
            title: &paper.title,
            url: self.link(&format!("papers/{}/", paper.slug)),
            authors: &paper.authors,
            venue: paper.venue.as_deref(),
            published: paper.published.map(|d| d.to_string()),
            published_display: paper.published.map(display_date),
            arxiv: paper.arxiv.as_deref(),
            doi: paper.doi.as_deref(),
            upvotes: paper.upvotes,
            links: external_links(paper),
            abstract_html: self.html.abstracts[index].as_deref(),
            year: paper_year(paper),
            ours: self.lab.map_or(paper.ours, |lab| lab.ours[index]),
            author_list: self.lab.map_or_else(Vec::new, |lab| {
                lab.paper_authors[index]
                    .iter()
                    .map(|&a| self.author_ref(lab, a))
                    .collect()
            }),
            // The site's own entry, with the key of the paper's `cite.bib`.
            bibtex: self.lab.map(|_| self.citations.bibtex[index].trim_end()),
        }
    }

    fn author_ref(&self, lab: &Lab, index: usize) -> AuthorRef {
        let author = &lab.authors[index];
        let person = author
            .person
            .map(|p| &lab.people.persons[p])
            .filter(|p| p.has_page());
        AuthorRef {
            name: author.name.clone(),
            url: self.link(&format!("authors/{}/", author.slug)),
            is_member: person.is_some(),
            person_url: person.map(|p| self.link(&format!("people/{}/", p.slug))),
        }
    }

    fn person(&self, lab: &Lab, index: usize) -> PersonContext {
        let person = &lab.people.persons[index];
        let author = lab.person_author[index];
        PersonContext {
            name: person.name.clone(),
            slug: person.slug.clone(),
            url: self.link(&format!("people/{}/", person.slug)),
            role: person.role.clone(),
            photo_url: person.photo.as_deref().map(|p| self.link(p)),
            homepage: person.homepage.clone(),
            email: person.email.clone(),
            orcid: person.orcid.clone(),
            scholar: person.scholar.clone(),
            github: person.github.clone(),
            bio: person.bio.clone(),
            member: person.member,
            alumni: person.alumni,
            author_url: author.map(|a| self.link(&format!("authors/{}/", lab.authors[a].slug))),
            paper_count: author.map_or(0, |a| lab.authors[a].papers.len()),
        }
    }

    fn people(&self, lab: &Lab, page: &PlannedPage) -> PeopleContext {
        let persons = &lab.people.persons;
        let pick = |alumni: bool| {
            (0..persons.len())
                .filter(|&i| persons[i].has_page() && persons[i].alumni == alumni)
                .map(|i| self.person(lab, i))
                .collect()
        };
        PeopleContext {
            page: self.meta("people", "People".into(), String::new(), page),
            members: pick(false),
            alumni: pick(true),
        }
    }

    fn author(&self, lab: &Lab, index: usize, page: &PlannedPage) -> AuthorContext {
        let author = &lab.authors[index];
        let person = author
            .person
            .filter(|&p| lab.people.persons[p].has_page())
            .map(|p| self.person(lab, p));
        AuthorContext {
            page: self.meta(
                "author",
                author.name.clone(),
                format!("Papers by {}", author.name),
                page,
            ),
            author: self.author_summary(lab, index),
            feed_url: self.link(&format!("authors/{}/feed.xml", author.slug)),
            person,
        }
    }

    fn author_summary(&self, lab: &Lab, index: usize) -> AuthorSummary {
        let author = &lab.authors[index];
        AuthorSummary {
            name: author.name.clone(),
            slug: author.slug.clone(),
            url: self.link(&format!("authors/{}/", author.slug)),
            paper_count: author.papers.len(),
        }
    }

    fn publications(&self, lab: &Lab, page: &PlannedPage) -> PublicationsContext {
        let mut topics: Vec<usize> = lab
            .publications
            .iter()
            .flat_map(|&p| self.site.papers[p].topics.iter().copied())
            .collect();
        topics.sort_unstable();
        topics.dedup();
        PublicationsContext {
            page: self.meta("publications", "Publications".into(), String::new(), page),
            topics: topics.into_iter().map(|t| self.topic_summary(t)).collect(),
        }
    }

    fn research(&self, page: &PlannedPage) -> ResearchContext {
        let descriptions: std::collections::HashMap<String, &String> = self
            .config
            .topic_descriptions
            .iter()
            .map(|(name, text)| (crate::config::topic_key(name), text))
            .collect();
        ResearchContext {
            page: self.meta("research", "Research".into(), String::new(), page),
            topics: self
                .site
                .topics
                .iter()
                .map(|topic| ResearchTopic {
                    name: topic.name.clone(),
                    slug: topic.slug.clone(),
                    url: self.link(&format!("topics/{}/", topic.slug)),
                    description: descriptions
                        .get(&crate::config::topic_key(&topic.name))
                        .map(|d| d.to_string()),
                    paper_count: topic.papers.len(),
                    our_count: self.lab.map_or(0, |lab| {
                        topic.papers.iter().filter(|&&p| lab.ours[p]).count()
                    }),
                })
                .collect(),
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
                intro_html: self.html.intros[index].to_string(),
                topics: digest.topics.iter().map(|&t| self.topic_ref(t)).collect(),
            },
            // Digests are sorted newest first.
            newer: index.checked_sub(1).map(|i| self.digest_link(i)),
            older: (index + 1 < self.site.digests.len()).then(|| self.digest_link(index + 1)),
            bib_url: self.link(&format!("digests/{}/papers.bib", digest.slug)),
            email_url: (self.config.has_emails)
                .then(|| self.link(&format!("digests/{}/email.html", digest.slug))),
            email_text_url: (self.config.has_emails)
                .then(|| self.link(&format!("digests/{}/email.txt", digest.slug))),
        }
    }

    fn paper(&self, index: usize, page: &PlannedPage) -> PaperContext<'_> {
        let paper = &self.site.papers[index];
        let first_digest = &self.site.digests[paper.appearances[0]];
        let position = first_digest.entries.iter().position(|e| e.paper == index);
        let neighbour = |offset: isize| {
            let at = position?.checked_add_signed(offset)?;
            first_digest
                .entries
                .get(at)
                .map(|e| self.paper_link(e.paper))
        };
        let description = match &self.html.excerpts[index] {
            Some(excerpt) => excerpt.to_string(),
            None => paper.authors.join(", "),
        };
        PaperContext {
            page: self.meta("paper", paper.title.clone(), description, page),
            previous: neighbour(-1),
            next: neighbour(1),
            cite: self.paper_cite(index),
        }
    }

    /// What [`PaperContext`] leaves to the renderer: `digests`, `in_digest` and `notes`.
    fn insert_paper_digests(&self, index: usize, context: &mut tera::Context) {
        let paper = &self.site.papers[index];
        let mut notes = Vec::new();
        for &digest_index in &paper.appearances {
            let digest = &self.site.digests[digest_index];
            for (entry, html) in digest.entries.iter().zip(&self.html.notes[digest_index]) {
                if let (true, Some(html)) = (entry.paper == index, html) {
                    let mut note = tera::Map::default();
                    note.insert("digest".into(), self.digest_value(digest_index));
                    note.insert("notes_html".into(), tera::Value::from(&**html));
                    notes.push(tera::Value::from(note));
                }
            }
        }
        let digests: Vec<tera::Value> = paper
            .appearances
            .iter()
            .map(|&d| self.digest_value(d))
            .collect();
        context.insert_value("notes", notes.into());
        context.insert_value("digests", digests.into());
        context.insert_value("in_digest", self.digest_value(paper.appearances[0]));
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
            feed_url: self.link(&format!("topics/{}/feed.xml", topic.slug)),
            bib_url: self.link(&format!("topics/{}/papers.bib", topic.slug)),
        }
    }

    fn paper_cite(&self, index: usize) -> PaperCite<'_> {
        use crate::cite::{Kind, meta, venue_kind, year};
        let paper = &self.site.papers[index];
        let record = self.citations.record(self.site, &self.config.base, index);
        let slash_date = |d: Date| d.strftime("%Y/%m/%d").to_string();
        let folder = format!("papers/{}/", paper.slug);
        let files = self.config.has_citation_files;
        PaperCite {
            key: &self.citations.keys[index],
            bibtex: self.citations.bibtex[index].trim_end(),
            bib_url: files.then(|| self.link(&format!("{folder}cite.bib"))),
            ris_url: files.then(|| self.link(&format!("{folder}cite.ris"))),
            csl_url: files.then(|| self.link(&format!("{folder}cite.json"))),
            coins: meta::coins(&record),
            json_ld_html: meta::json_ld_html(&record),
            venue_kind: match venue_kind(paper.venue.as_deref()) {
                Kind::Conference => Some("conference"),
                Kind::Journal => Some("journal"),
                Kind::Other => None,
            },
            publication_date: paper.published.map(slash_date),
            online_date: slash_date(
                paper
                    .published
                    .unwrap_or(self.site.digests[paper.appearances[0]].date),
            ),
            pdf_url: paper.pdf.clone().or_else(|| {
                paper
                    .arxiv
                    .as_ref()
                    .map(|a| format!("https://arxiv.org/pdf/{a}"))
            }),
            year: year(paper),
        }
    }

    /// The whole sitemap, or the sitemap index when the plan split it (then `range` picks the
    /// URLs of one part).
    fn sitemap(&self, range: Option<(usize, usize)>) -> SitemapContext {
        let parts: Vec<SitemapEntry> = self
            .pages
            .iter()
            .filter(|p| matches!(p.kind, PageKind::SitemapPart(..)))
            .map(|p| SitemapEntry {
                permalink: self.config.base.permalink(&p.output),
                lastmod: self.site.digests.first().map(|d| d.date.to_string()),
            })
            .collect();
        let (skip, take) = match range {
            Some((start, end)) => (start, end - start),
            None if parts.is_empty() => (0, usize::MAX),
            None => (0, 0),
        };
        let entries = self
            .pages
            .iter()
            .filter(|page| page.output.ends_with("index.html"))
            .skip(skip)
            .take(take)
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
        SitemapContext {
            entries,
            parts: if range.is_some() { Vec::new() } else { parts },
        }
    }
}

/// The value in `slot`, made from `make` on first use; clones share it.
fn shared<T: serde::Serialize>(
    slot: &OnceLock<tera::Value>,
    make: impl FnOnce() -> T,
) -> tera::Value {
    slot.get_or_init(|| tera::Value::from_serializable(&make()))
        .clone()
}

/// A copy of a Tera map value with one more field.
fn with_field(value: tera::Value, key: &'static str, field: tera::Value) -> tera::Value {
    let mut map = value.into_map().unwrap_or_default();
    map.insert(key.into(), field);
    tera::Value::from(map)
}

/// The paper fields external links are made from, in link order: arXiv id, PDF, DOI, code,
/// project, web page. Fingerprints hash these, so a field read here is noticed by `serve`.
pub(crate) fn link_sources(paper: &crate::model::Paper) -> [Option<&str>; 6] {
    [
        paper.arxiv.as_deref(),
        paper.pdf.as_deref(),
        paper.doi.as_deref(),
        paper.code.as_deref(),
        paper.project.as_deref(),
        paper.url.as_deref(),
    ]
}

fn external_links(paper: &crate::model::Paper) -> Vec<ExternalLink> {
    let [arxiv, pdf, doi, code, project, url] = link_sources(paper);
    let mut links = Vec::new();
    let mut push = |label, url: String| links.push(ExternalLink { label, url });
    if let Some(arxiv) = arxiv {
        push("arXiv", format!("https://arxiv.org/abs/{arxiv}"));
        if pdf.is_none() {
            push("PDF", format!("https://arxiv.org/pdf/{arxiv}"));
        }
    }
    if let Some(pdf) = pdf {
        push("PDF", pdf.to_string());
    }
    if let Some(doi) = doi {
        push("DOI", format!("https://doi.org/{doi}"));
    }
    if let Some(code) = code {
        push("Code", code.to_string());
    }
    if let Some(project) = project {
        push("Project", project.to_string());
    }
    if let Some(url) = url {
        push("Web", url.to_string());
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
