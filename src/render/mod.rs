//! Stages 6 and 7 of the pipeline: plan one entry per output file, then render each through Tera.
//!
//! [`plan`] lists every page the site has (pagination happens there) as a small value;
//! [`Renderer::render`] builds that page's typed context from the model and its Markdown HTML
//! only when the page is rendered, so contexts never pile up in memory on large sites.

pub mod context;
pub mod derived;
mod email;
mod feeds;
mod native_card;
pub mod page_context;
pub mod reads;
pub mod templates;

use std::sync::OnceLock;

use context::*;
use jiff::civil::Date;
use page_context::{Hashed, HashedMap};
use reads::{Model, Read};

use crate::config::Config;
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
    /// The model, through accessors that record what each context reads.
    pub model: Model<'a>,
    pub config: &'a Config,
    pub tera: &'a tera::Tera,
    /// One PaperCard per paper as a Tera value, built on first use and then shared: a paper is
    /// listed on its own page, its digests' pages and its topics' pages, and cloning a Tera map
    /// is a reference count. Built lazily so a rebuild of a few pages builds only their cards.
    cards: Vec<OnceLock<Shared>>,
    /// Each topic's TopicRef and each digest's DigestLink as a Tera value, for the cards to share.
    topic_values: Vec<OnceLock<Shared>>,
    digest_values: Vec<OnceLock<Shared>>,
}

/// A value built once and used by many contexts, with what building it read.
struct Shared {
    value: Hashed,
    reads: Box<[Read]>,
}

impl<'a> Renderer<'a> {
    pub fn new(model: Model<'a>, config: &'a Config, tera: &'a tera::Tera) -> Self {
        let slots = |count: usize| (0..count).map(|_| OnceLock::new()).collect();
        let (site, _) = model.untracked();
        Renderer {
            model,
            config,
            tera,
            cards: slots(site.papers.len()),
            topic_values: slots(site.topics.len()),
            digest_values: slots(site.digests.len()),
        }
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

    fn cards_of(&self, papers: &[usize]) -> Hashed {
        Hashed::list(papers.iter().map(|&p| self.card_value(p)).collect())
    }

    fn card_value(&self, index: usize) -> Hashed {
        shared_with(&self.cards[index], || {
            let paper = self.model.paper(index);
            let newest = *paper
                .appearances
                .last()
                .expect("a paper appears in at least one digest");
            let topics = paper
                .topics
                .iter()
                .map(|&t| shared(&self.topic_values[t], || self.topic_ref(t)))
                .collect();
            let mut card =
                HashedMap::of(&self.card(index)).expect("a paper card serialises to a map");
            card.insert("topics", Hashed::list(topics));
            card.insert("featured_in", self.digest_value(newest));
            card.finish()
        })
    }

    /// A digest's DigestLink, built once and shared by the cards and paper pages that name it.
    fn digest_value(&self, index: usize) -> Hashed {
        shared(&self.digest_values[index], || self.digest_link(index))
    }

    /// Renders `page` into `out`: its context, then its template.
    pub fn render_to(&self, page: &PlannedPage, out: &mut Vec<u8>) -> Result<(), tera::Error> {
        let context = self.context(page)?;
        self.render_context(page, context, out)
    }

    /// Renders `page` with a context made by [`Renderer::context`].
    pub fn render_context(
        &self,
        page: &PlannedPage,
        context: HashedMap,
        out: &mut Vec<u8>,
    ) -> Result<(), tera::Error> {
        self.tera
            .render_to(page.kind.template(), &context.into_context(), out)
    }

    /// The context `page`'s template receives. Its hash is the page's fingerprint: whatever the
    /// template can read is in it.
    pub fn context(&self, page: &PlannedPage) -> Result<HashedMap, tera::Error> {
        match page.kind {
            PageKind::Index(number) => self.index_context(number, page),
            PageKind::Digest(index) => self.digest_context(index, page),
            PageKind::Paper(index) => {
                let mut context = HashedMap::of(&self.paper(index, page))?;
                context.insert("paper", self.card_value(index));
                self.insert_paper_digests(index, &mut context);
                Ok(context)
            }
            PageKind::Topics => HashedMap::of(&self.topics(page)),
            PageKind::Topic(index, number) => {
                let mut context = HashedMap::of(&self.topic(index, number, page))?;
                let per_page = self.config.papers_per_page;
                let papers: Vec<usize> = self
                    .model
                    .topic(index)
                    .papers
                    .iter()
                    .skip((number - 1) * per_page)
                    .take(per_page)
                    .copied()
                    .collect();
                context.insert("papers", self.cards_of(&papers));
                Ok(context)
            }
            PageKind::NotFound => HashedMap::of(&NotFoundContext {
                page: self.meta("404", "Page not found".into(), String::new(), page),
            }),
            PageKind::Search => HashedMap::of(&SearchContext {
                page: self.meta("search", "Search".into(), String::new(), page),
            }),
            PageKind::Feed => HashedMap::of(&self.feed()),
            PageKind::Sitemap => HashedMap::of(&self.sitemap(None)),
            PageKind::SitemapPart(start, end) => HashedMap::of(&self.sitemap(Some((start, end)))),
            PageKind::Robots => Ok(HashedMap::default()),
            PageKind::TopicFeed(index) => HashedMap::of(&self.topic_feed(index)),
            PageKind::Opml => HashedMap::of(&self.opml()),
            PageKind::Email(index) => HashedMap::of(&self.email(index, false)),
            PageKind::EmailText(index) => HashedMap::of(&self.email(index, true)),
            PageKind::Author(_)
            | PageKind::AuthorFeed(_)
            | PageKind::People
            | PageKind::Person(_)
            | PageKind::Publications
            | PageKind::Research
            | PageKind::News => self.lab_context(page),
        }
    }

    fn index_context(&self, number: usize, page: &PlannedPage) -> Result<HashedMap, tera::Error> {
        let mut context = HashedMap::of(&self.index(number, page))?;
        if let Some(lab) = self.model.lab() {
            let count = self
                .config
                .extra
                .get("selected_count")
                .and_then(toml::Value::as_integer)
                .map_or(5, |n| usize::try_from(n).unwrap_or(0));
            let selected: Vec<usize> = lab.publications.iter().copied().take(count).collect();
            context.insert("selected", self.cards_of(&selected));
            context.insert("intro_html", Hashed::of(&self.model.home_intro())?);
        }
        Ok(context)
    }

    fn digest_context(&self, index: usize, page: &PlannedPage) -> Result<HashedMap, tera::Error> {
        let mut context = HashedMap::of(&self.digest(index, page))?;
        let entries: Vec<Hashed> = self
            .model
            .digest(index)
            .entries
            .iter()
            .zip(self.model.notes(index))
            .map(|(entry, notes)| {
                let mut map = HashedMap::default();
                map.insert("paper", self.card_value(entry.paper));
                map.insert(
                    "notes_html",
                    Hashed::new(tera::Value::from(notes.as_deref())),
                );
                map.finish()
            })
            .collect();
        let digest = context.remove("digest").expect("digest was inserted");
        let mut digest = HashedMap::from_value(digest.value().clone());
        digest.insert("entries", Hashed::list(entries));
        context.insert("digest", digest.finish());
        Ok(context)
    }

    /// The contexts of the pages of themes with people and authors.
    fn lab_context(&self, page: &PlannedPage) -> Result<HashedMap, tera::Error> {
        let lab = self.model.lab().expect("lab pages are planned with a lab");
        match page.kind {
            PageKind::Author(index) => {
                let mut context = HashedMap::of(&self.author(lab, index, page))?;
                context.insert("papers", self.cards_of(&lab.authors[index].papers));
                Ok(context)
            }
            PageKind::AuthorFeed(index) => HashedMap::of(&self.author_feed(lab, index)),
            PageKind::People => HashedMap::of(&self.people(lab, page)),
            PageKind::Person(index) => {
                let person = self.person(lab, index);
                let papers = lab.person_author[index]
                    .map(|a| self.cards_of(&lab.authors[a].papers))
                    .unwrap_or_else(|| Hashed::list(Vec::new()));
                let mut context = HashedMap::of(&PersonPageContext {
                    page: self.meta(
                        "person",
                        person.name.clone(),
                        person.role.clone().unwrap_or_default(),
                        page,
                    ),
                    person,
                })?;
                context.insert("papers", papers);
                Ok(context)
            }
            PageKind::Publications => {
                let mut context = HashedMap::of(&self.publications(lab, page))?;
                context.insert("years", self.publication_years(lab));
                Ok(context)
            }
            PageKind::Research => HashedMap::of(&self.research(page)),
            PageKind::News => HashedMap::of(&NewsContext {
                page: self.meta("news", "News".into(), String::new(), page),
                digests: (0..self.model.digests().len())
                    .map(|i| self.digest_link(i))
                    .collect(),
            }),
            _ => unreachable!("lab_context is called for lab pages only"),
        }
    }

    /// The lab's publications grouped by year, newest first, each with its cards.
    fn publication_years(&self, lab: &Lab) -> Hashed {
        let mut groups: Vec<(i16, Vec<usize>)> = Vec::new();
        for &paper in &lab.publications {
            let year = paper_year(self.model.paper(paper));
            match groups.last_mut() {
                Some((y, list)) if *y == year => list.push(paper),
                _ => groups.push((year, vec![paper])),
            }
        }
        let years = groups
            .into_iter()
            .map(|(year, papers)| {
                let mut map = HashedMap::default();
                map.insert("year", Hashed::new(tera::Value::from(year)));
                map.insert("papers", self.cards_of(&papers));
                map.finish()
            })
            .collect();
        Hashed::list(years)
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
        let digest = self.model.digest(index);
        DigestLink {
            title: digest.title.clone(),
            url: self.link(&format!("digests/{}/", digest.slug)),
            date: digest.date.to_string(),
            date_display: display_date(digest.date),
        }
    }

    fn topic_ref(&self, index: usize) -> TopicRef {
        let topic = self.model.topic(index);
        TopicRef {
            name: topic.name.clone(),
            slug: topic.slug.clone(),
            url: self.link(&format!("topics/{}/", topic.slug)),
        }
    }

    fn paper_link(&self, index: usize) -> Link {
        let paper = self.model.paper(index);
        Link {
            title: paper.title.clone(),
            url: self.link(&format!("papers/{}/", paper.slug)),
        }
    }

    fn card(&self, index: usize) -> PaperCard<'_> {
        let paper = self.model.paper(index);
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
            abstract_html: self.model.abstract_html(index),
            year: paper_year(paper),
            ours: self.model.lab().map_or(paper.ours, |lab| lab.ours[index]),
            author_list: self.model.lab().map_or_else(Vec::new, |lab| {
                lab.paper_authors[index]
                    .iter()
                    .map(|&a| self.author_ref(lab, a))
                    .collect()
            }),
            // The site's own entry, with the key of the paper's `cite.bib`.
            bibtex: self
                .model
                .lab()
                .map(|_| self.model.bibtex(index).trim_end()),
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
            .flat_map(|&p| self.model.paper(p).topics.iter().copied())
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
                .model
                .topics()
                .iter()
                .map(|topic| ResearchTopic {
                    name: topic.name.clone(),
                    slug: topic.slug.clone(),
                    url: self.link(&format!("topics/{}/", topic.slug)),
                    description: descriptions
                        .get(&crate::config::topic_key(&topic.name))
                        .map(|d| d.to_string()),
                    paper_count: topic.papers.len(),
                    our_count: self.model.lab().map_or(0, |lab| {
                        topic.papers.iter().filter(|&&p| lab.ours[p]).count()
                    }),
                })
                .collect(),
        }
    }

    fn index(&self, number: usize, page: &PlannedPage) -> IndexContext {
        let per_page = self.config.digests_per_page;
        let digests = self
            .model
            .digests()
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
                topics: self
                    .model
                    .digest(index)
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
            paginator: self.paginator("", number, self.model.digests().len(), per_page),
        }
    }

    fn digest(&self, index: usize, page: &PlannedPage) -> DigestContext {
        let digest = self.model.digest(index);
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
                intro_html: self.model.intro_html(index).to_string(),
                topics: digest.topics.iter().map(|&t| self.topic_ref(t)).collect(),
            },
            // Digests are sorted newest first.
            newer: index.checked_sub(1).map(|i| self.digest_link(i)),
            older: (index + 1 < self.model.digests().len()).then(|| self.digest_link(index + 1)),
            bib_url: self.link(&format!("digests/{}/papers.bib", digest.slug)),
            email_url: (self.config.has_emails)
                .then(|| self.link(&format!("digests/{}/email.html", digest.slug))),
            email_text_url: (self.config.has_emails)
                .then(|| self.link(&format!("digests/{}/email.txt", digest.slug))),
        }
    }

    fn paper(&self, index: usize, page: &PlannedPage) -> PaperContext<'_> {
        let paper = self.model.paper(index);
        let first_digest = self.model.digest(paper.appearances[0]);
        let position = first_digest.entries.iter().position(|e| e.paper == index);
        let neighbour = |offset: isize| {
            let at = position?.checked_add_signed(offset)?;
            first_digest
                .entries
                .get(at)
                .map(|e| self.paper_link(e.paper))
        };
        let description = match &self.model.excerpt(index) {
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
    fn insert_paper_digests(&self, index: usize, context: &mut HashedMap) {
        let paper = self.model.paper(index);
        let mut notes = Vec::new();
        for &digest_index in &paper.appearances {
            let digest = self.model.digest(digest_index);
            for (entry, html) in digest.entries.iter().zip(self.model.notes(digest_index)) {
                if let (true, Some(html)) = (entry.paper == index, html) {
                    let mut note = HashedMap::default();
                    note.insert("digest", self.digest_value(digest_index));
                    note.insert("notes_html", Hashed::new(tera::Value::from(&**html)));
                    notes.push(note.finish());
                }
            }
        }
        let digests = paper
            .appearances
            .iter()
            .map(|&d| self.digest_value(d))
            .collect();
        context.insert("notes", Hashed::list(notes));
        context.insert("digests", Hashed::list(digests));
        context.insert("in_digest", self.digest_value(paper.appearances[0]));
    }

    fn topic_summary(&self, index: usize) -> TopicSummary {
        let topic = self.model.topic(index);
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
            topics: (0..self.model.topics().len())
                .map(|i| self.topic_summary(i))
                .collect(),
        }
    }

    fn topic(&self, index: usize, number: usize, page: &PlannedPage) -> TopicContext {
        let topic = self.model.topic(index);
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
        let paper = self.model.paper(index);
        let record = self.model.citation_record(&self.config.base, index);
        let slash_date = |d: Date| d.strftime("%Y/%m/%d").to_string();
        let folder = format!("papers/{}/", paper.slug);
        let files = self.config.has_citation_files;
        PaperCite {
            key: self.model.citation_key(index),
            bibtex: self.model.bibtex(index).trim_end(),
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
                    .unwrap_or(self.model.digest(paper.appearances[0]).date),
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
            .model
            .pages()
            .iter()
            .filter(|p| matches!(p.kind, PageKind::SitemapPart(..)))
            .map(|p| SitemapEntry {
                permalink: self.config.base.permalink(&p.output),
                lastmod: self.model.digests().first().map(|d| d.date.to_string()),
            })
            .collect();
        let (skip, take) = match range {
            Some((start, end)) => (start, end - start),
            None if parts.is_empty() => (0, usize::MAX),
            None => (0, 0),
        };
        let entries = self
            .model
            .pages()
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
                    PageKind::Digest(i) => Some(self.model.digest(i).date),
                    PageKind::Paper(i) => Some(self.model.paper(i).last_featured),
                    PageKind::Topic(i, _) => self
                        .model
                        .topic(i)
                        .papers
                        .first()
                        .map(|&p| self.model.paper(p).last_featured),
                    PageKind::Index(_) | PageKind::Topics => {
                        self.model.digests().first().map(|d| d.date)
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

/// The value in `slot`, made from `make` on first use; clones share it and its hash. Each use
/// counts as having read what making it read.
fn shared<T: serde::Serialize>(slot: &OnceLock<Shared>, make: impl FnOnce() -> T) -> Hashed {
    shared_with(slot, || {
        Hashed::of(&make()).expect("a shared value serialises")
    })
}

fn shared_with(slot: &OnceLock<Shared>, make: impl FnOnce() -> Hashed) -> Hashed {
    let shared = slot.get_or_init(|| {
        let (value, reads) = if reads::is_recording() {
            reads::recording(make)
        } else {
            (make(), Vec::new())
        };
        Shared {
            value,
            reads: reads.into(),
        }
    });
    reads::replay(&shared.reads);
    shared.value.clone()
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
