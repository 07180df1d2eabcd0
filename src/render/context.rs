//! What templates see: one `Serialize` struct per template kind, plus the shared `site` and
//! `extra` values set once as Tera globals.
//!
//! Field names here are the themes' public API (documented in docs/templates.md, snapshot-tested
//! in tests/it/context.rs): rename deliberately. Every string is plain text that Tera escapes, except
//! fields ending in `_html`, which hold HTML we rendered and sanitised ourselves.

use serde::Serialize;

/// `site`: the same on every page.
#[derive(Debug, Serialize)]
pub struct SiteContext {
    pub title: String,
    pub description: String,
    /// A BCP 47 tag for `<html lang>`.
    pub language: String,
    /// The absolute base URL with a trailing slash: `https://lab.github.io/lab-digest/`.
    pub base_url: String,
    /// The base URL's path: `/lab-digest/`, or `/` at a domain root.
    pub base_path: String,
    pub digest_count: usize,
    pub paper_count: usize,
    pub topic_count: usize,
    /// Root-relative URL of the site's Atom feed.
    pub feed_url: String,
    /// Root-relative URL of the page listing every topic.
    pub topics_url: String,
    /// `Digestif <version>`, for `<meta name="generator">`.
    pub generator: String,
    /// Where search lives, or null when `[search] enabled = false`.
    pub search: Option<SearchLinks>,
}

/// `site.search`: the search page and the files its script needs.
#[derive(Debug, Serialize)]
pub struct SearchLinks {
    /// Root-relative URL of the search page (`/search/`): the search form's `action`.
    pub url: String,
    /// Root-relative URL of the index manifest (`/search/index.json`), for `data-index`.
    pub index_url: String,
    /// Root-relative URL of the search script (`/search/search.js`).
    pub script_url: String,
}

/// `page`: what every template gets about the page being rendered.
#[derive(Debug, Serialize)]
pub struct PageMeta {
    /// `index`, `digest`, `paper`, `topics`, `topic` or `404`.
    pub kind: &'static str,
    /// For `<title>`: the page's own title, without the site's.
    pub title: String,
    /// For `<meta name="description">`; may be empty.
    pub description: String,
    /// Root-relative URL, sub-path included: `/lab-digest/papers/2310.14189/`.
    pub url: String,
    /// Absolute URL, for canonical links and sharing.
    pub permalink: String,
}

/// A link to another page of the site.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A link to a digest with its date.
#[derive(Debug, Clone, Serialize)]
pub struct DigestLink {
    pub title: String,
    pub url: String,
    /// `2024-03-11`, for `<time datetime>`.
    pub date: String,
    /// `11 March 2024`.
    pub date_display: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicRef {
    pub name: String,
    pub slug: String,
    pub url: String,
}

/// A link away from the site: arXiv, PDF, DOI, code, project page.
#[derive(Debug, Clone, Serialize)]
pub struct ExternalLink {
    /// `arXiv`, `PDF`, `DOI`, `Code`, `Project` or `Web`.
    pub label: &'static str,
    pub url: String,
}

/// A paper, as every template sees it. Built once per paper and shared by every page that lists
/// it (the renderer inserts these as ready-made Tera values, see `Renderer::cards`).
#[derive(Debug, Clone, Serialize)]
pub struct PaperCard {
    pub id: String,
    pub title: String,
    /// Root-relative URL of the paper's page.
    pub url: String,
    pub authors: Vec<String>,
    pub venue: Option<String>,
    /// `YYYY-MM-DD` when known.
    pub published: Option<String>,
    /// `22 October 2023` when known.
    pub published_display: Option<String>,
    pub arxiv: Option<String>,
    pub doi: Option<String>,
    pub upvotes: Option<u64>,
    pub topics: Vec<TopicRef>,
    pub links: Vec<ExternalLink>,
    pub abstract_html: Option<String>,
    /// The newest digest that featured the paper.
    pub featured_in: DigestLink,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub is_current: bool,
    /// Pages were left out before this one: show a gap (…).
    pub is_after_gap: bool,
}

/// `paginator`: where a paginated list is.
#[derive(Debug, Clone, Serialize)]
pub struct Paginator {
    /// 1-based.
    pub current: usize,
    pub total_pages: usize,
    pub total_items: usize,
    pub previous_url: Option<String>,
    pub next_url: Option<String>,
    pub first_url: String,
    pub last_url: String,
    /// A window of pages: the first two, the last two, and two either side of the current one.
    pub pages: Vec<PageLink>,
}

/// `index.html`: the latest digests, newest first.
#[derive(Debug, Serialize)]
pub struct IndexContext {
    pub page: PageMeta,
    pub digests: Vec<DigestSummary>,
    pub paginator: Paginator,
}

#[derive(Debug, Serialize)]
pub struct DigestSummary {
    pub title: String,
    pub url: String,
    pub date: String,
    pub date_display: String,
    pub summary: Option<String>,
    pub paper_count: usize,
    /// Every paper of the digest, in file order.
    pub papers: Vec<Link>,
    pub topics: Vec<TopicRef>,
}

/// `digest.html`: one digest with its papers in file order.
#[derive(Debug, Serialize)]
pub struct DigestContext {
    pub page: PageMeta,
    pub digest: DigestPage,
    /// The next newer and older digests.
    pub newer: Option<DigestLink>,
    pub older: Option<DigestLink>,
}

#[derive(Debug, Serialize)]
pub struct DigestPage {
    pub title: String,
    pub url: String,
    pub date: String,
    pub date_display: String,
    pub summary: Option<String>,
    pub paper_count: usize,
    pub intro_html: String,
    pub topics: Vec<TopicRef>,
    // `entries`: the digest's papers in file order, each `{ paper: PaperCard, notes_html }`
    // (notes_html is this digest's notes on the paper, or null); inserted by the renderer.
}

/// `paper.html`: one paper, merged across every digest that lists it. The renderer adds
/// `paper` (a PaperCard).
#[derive(Debug, Serialize)]
pub struct PaperContext {
    pub page: PageMeta,
    /// Each digest's notes on the paper, oldest digest first.
    pub notes: Vec<DigestNotes>,
    /// Every digest that lists the paper, oldest first.
    pub digests: Vec<DigestLink>,
    /// The first digest that lists this paper; `previous` and `next` are its neighbours there.
    pub in_digest: Option<DigestLink>,
    pub previous: Option<Link>,
    pub next: Option<Link>,
}

#[derive(Debug, Serialize)]
pub struct DigestNotes {
    pub digest: DigestLink,
    pub notes_html: String,
}

/// `topics.html`: every topic, sorted by name.
#[derive(Debug, Serialize)]
pub struct TopicsContext {
    pub page: PageMeta,
    pub topics: Vec<TopicSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicSummary {
    pub name: String,
    pub slug: String,
    pub url: String,
    pub paper_count: usize,
}

/// `topic.html`: one topic's papers, newest featured first, paginated. The renderer adds
/// `papers` (PaperCards of this page).
#[derive(Debug, Serialize)]
pub struct TopicContext {
    pub page: PageMeta,
    pub topic: TopicSummary,
    pub paginator: Paginator,
}

/// `search.html`: the search page. The results are drawn by `search.js`; the page itself only
/// needs its `page` values and `site.search`.
#[derive(Debug, Serialize)]
pub struct SearchContext {
    pub page: PageMeta,
}

/// `404.html`.
#[derive(Debug, Serialize)]
pub struct NotFoundContext {
    pub page: PageMeta,
}

/// `atom.xml`: the site feed, one entry per digest, newest first.
#[derive(Debug, Serialize)]
pub struct FeedContext {
    /// RFC 3339, the newest digest's date.
    pub updated: String,
    /// The feed's own absolute URL.
    pub feed_permalink: String,
    pub entries: Vec<FeedEntry>,
}

#[derive(Debug, Serialize)]
pub struct FeedEntry {
    pub title: String,
    pub permalink: String,
    /// RFC 3339.
    pub updated: String,
    pub summary: Option<String>,
    /// The digest's introduction and paper list as HTML; the feed template escapes it into XML.
    pub content_html: String,
}

/// `sitemap.xml`: every page.
#[derive(Debug, Serialize)]
pub struct SitemapContext {
    pub entries: Vec<SitemapEntry>,
}

#[derive(Debug, Serialize)]
pub struct SitemapEntry {
    pub permalink: String,
    /// `YYYY-MM-DD`, when the page has a date.
    pub lastmod: Option<String>,
}
