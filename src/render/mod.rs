//! Stages 6 and 7 of the pipeline: plan one entry per output file, then render each through Tera.
//!
//! [`plan`] lists every page the site has (pagination happens there) as a small value;
//! [`Renderer::context`] builds a page's context from the model when the page is rendered, so
//! contexts never pile up in memory on large sites, and [`Renderer::render_context`] renders it.
//! One file per page family builds their contexts: `site_pages.rs` (home, digests, papers,
//! topics, sitemap), `lab_pages.rs` (people and authors), `feeds.rs` and `email.rs`.

pub mod context;
pub mod css;
pub mod derived;
mod email;
mod feeds;
mod lab_pages;
mod native;
mod native_card;
mod native_related;
pub mod page_context;
mod plan;
#[cfg(test)]
mod random_values;
pub mod reads;
mod site_pages;
pub mod templates;
pub mod trends;

use std::sync::{Arc, OnceLock};

use context::*;
use jiff::civil::Date;
use native_related::PageRelated;
use page_context::{Hashed, HashedMap};
pub use plan::*;
use reads::{Model, Read};

use crate::config::Config;
use crate::model::people::paper_year;

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
    /// Each paper as an entry of other papers' related lists (a paper is in about as many lists
    /// as it has related papers itself): built once, shared by every list that names it, and
    /// kept until every page is rendered.
    related_entries: Vec<OnceLock<Shared>>,
    /// Each related entry's HTML in the default theme's section, kept as long as the entries.
    related_html: Arc<native_related::EntryHtml>,
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
            related_entries: slots(site.papers.len()),
            related_html: Arc::new(native_related::EntryHtml::new(site.papers.len())),
        }
    }

    /// Frees the shared paper cards, the topic and digest values they hold, and the related
    /// entries with their HTML once every page is rendered (they are rebuilt on demand).
    pub fn release_cards(&mut self) {
        let slots = self.cards.iter_mut();
        let slots = slots
            .chain(&mut self.topic_values)
            .chain(&mut self.digest_values)
            .chain(&mut self.related_entries);
        slots.for_each(|slot| drop(slot.take()));
        let papers = self.related_entries.len();
        self.related_html = Arc::new(native_related::EntryHtml::new(papers));
    }

    /// Frees the shared paper cards between two batches of pages (see [`plan::render_order`]).
    /// The topic and digest values, a few per digest, stay, and so do the related-list entries:
    /// a batch's pages name papers of any time, so an entry freed with its batch was built again
    /// in most later ones (about three and a half times a paper at 47,453 papers), and the
    /// entries of every paper weigh less than the search index built after the pages (the
    /// build's peak memory did not move at 142,419 papers).
    pub fn release_paper_cards(&mut self) {
        let slots = self.cards.iter_mut();
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
        // Only a page with related papers has a section to put together (none with `[related]`
        // off).
        let related = match page.kind {
            PageKind::Paper(index) => Some(self.model.untracked_related(index))
                .filter(|papers| !papers.is_empty())
                .zip(context.get("related"))
                .map(|(papers, list)| PageRelated {
                    list: list.value().clone(),
                    papers: papers.into(),
                    entries: Arc::clone(&self.related_html),
                }),
            _ => None,
        };
        let render = || {
            self.tera
                .render_to(page.kind.template(), &context.into_context(), out)
        };
        match related {
            Some(related) => native_related::with_page(related, render),
            None => render(),
        }
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
                context.insert("related", self.related_papers(index));
                Ok(context)
            }
            PageKind::Topics => HashedMap::of(&self.topics(page)),
            PageKind::Archive => HashedMap::of(&self.archive(page)),
            PageKind::Top(index) => {
                let mut context = HashedMap::of(&self.top(index, page))?;
                let papers = self.model.tops()[index].papers.clone();
                context.insert("papers", self.cards_of(&papers));
                Ok(context)
            }
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

    fn image(&self, shown: &crate::images::Shown) -> ImageContext {
        ImageContext {
            url: self.link(&shown.path),
            url_2x: shown.path_2x.as_deref().map(|path| self.link(path)),
            width: shown.width,
            height: shown.height,
            permalink: self
                .config
                .base
                .permalink(shown.path_2x.as_deref().unwrap_or(&shown.path)),
        }
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
        let digest = self.model.digest_label(index);
        DigestLink {
            title: digest.title.to_string(),
            url: self.link(&format!("digests/{}/", digest.slug)),
            date: digest.date.to_string(),
            date_display: display_date(digest.date),
        }
    }

    fn topic_ref(&self, index: usize) -> TopicRef {
        let topic = self.model.topic_label(index);
        TopicRef {
            name: topic.name.to_string(),
            slug: topic.slug.to_string(),
            url: self.link(&format!("topics/{}/", topic.slug)),
        }
    }

    fn paper_link(&self, index: usize) -> PaperLink {
        let paper = self.model.paper(index);
        PaperLink {
            title: self.model.title_text(index).to_string(),
            title_html: self.model.title_html(index).into_owned(),
            url: self.link(&format!("papers/{}/", paper.slug)),
        }
    }

    fn card(&self, index: usize) -> PaperCard<'_> {
        let paper = self.model.paper(index);
        PaperCard {
            id: &paper.id,
            title: self.model.title_text(index),
            title_html: self.model.title_html(index),
            url: self.link(&format!("papers/{}/", paper.slug)),
            authors: &paper.authors,
            venue: paper.venue.as_deref(),
            published: paper.published.map(|d| d.to_string()),
            published_display: paper.published.map(|date| date.display()),
            arxiv: paper.arxiv.as_deref(),
            doi: paper.doi.as_deref(),
            upvotes: paper.upvotes,
            comments: paper.comments,
            thumbnail: self.model.thumbnail(index).map(|shown| self.image(shown)),
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
        // A build that records reads compares fingerprints: hash a shared value once, here,
        // rather than in every context that clones it.
        let (value, reads) = if reads::is_recording() {
            let (value, reads) = reads::recording(make);
            (value.hashed(), reads)
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

/// A paper's external links, in order: arXiv (and its PDF unless the paper names one), PDF, DOI,
/// code, project, web page.
fn external_links(paper: &crate::model::Paper) -> Vec<ExternalLink> {
    let mut links = Vec::new();
    let mut push = |label, url: String| links.push(ExternalLink { label, url });
    if let Some(arxiv) = &paper.arxiv {
        push("arXiv", format!("https://arxiv.org/abs/{arxiv}"));
        if paper.pdf.is_none() {
            push("PDF", format!("https://arxiv.org/pdf/{arxiv}"));
        }
    }
    if let Some(pdf) = &paper.pdf {
        push("PDF", pdf.to_string());
    }
    if let Some(doi) = &paper.doi {
        push("DOI", format!("https://doi.org/{doi}"));
    }
    if let Some(code) = &paper.code {
        push("Code", code.to_string());
    }
    if let Some(project) = &paper.project {
        push("Project", project.to_string());
    }
    if let Some(url) = &paper.url {
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
    fn dates_display_in_words() {
        assert_eq!(display_date(jiff::civil::date(2024, 3, 1)), "1 March 2024");
    }
}
