//! What templates see: one `Serialize` struct per template kind, plus the shared `site` and
//! `extra` values set once as Tera globals.
//!
//! Field names here are the themes' public API, documented in docs/templates.md: rename
//! deliberately, and change the document in the same commit. Every string is plain text that Tera escapes, except
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
    /// Root-relative URLs of the JSON Feed, the OPML list of every feed, and the BibTeX file
    /// of every paper (null with `[outputs] site_bibtex = false`).
    pub json_feed_url: String,
    pub opml_url: String,
    pub bib_url: Option<String>,
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
    /// Root-relative URL of the search box's loader (`/search/box.js`), which fetches the script
    /// named by the form's `data-script` when a reader comes to search.
    pub box_script_url: String,
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

/// A link to a paper's page, its title as text and as HTML (math as MathML).
#[derive(Debug, Clone, Serialize)]
pub struct PaperLink {
    pub title: String,
    pub title_html: String,
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
/// it (the renderer inserts these as ready-made Tera values, see `Renderer::cards`). Borrows from
/// the model: the Tera value is the one copy.
#[derive(Debug, Clone, Serialize)]
pub struct PaperCard<'a> {
    pub id: &'a str,
    /// The title as text, math made readable (`$\beta$-VAE` is `β-VAE`): for attributes and
    /// meta tags.
    pub title: &'a str,
    /// The title as HTML, math as MathML: for headings and links.
    pub title_html: std::borrow::Cow<'a, str>,
    /// Root-relative URL of the paper's page.
    pub url: String,
    pub authors: &'a [String],
    pub venue: Option<&'a str>,
    /// `YYYY-MM-DD` when known.
    pub published: Option<String>,
    /// `22 October 2023` when known.
    pub published_display: Option<String>,
    pub arxiv: Option<&'a str>,
    pub doi: Option<&'a str>,
    pub upvotes: Option<u64>,
    /// Comments where the paper was found (Hugging Face's daily papers), when known.
    pub comments: Option<u64>,
    /// The paper's image at card size, when it has one that could be made.
    pub thumbnail: Option<ImageContext>,
    // `topics`: [TopicRef], and `featured_in`: the DigestLink of the newest digest that featured
    // the paper; inserted by the renderer, which builds each topic's and digest's value once.
    pub links: Vec<ExternalLink>,
    pub abstract_html: Option<std::borrow::Cow<'a, str>>,
    /// Publication year, else the year the paper was last featured; for grouping by year.
    pub year: i16,
    /// The lab's own paper: marked `ours = true`, or written by a lab member (themes with author
    /// pages only; otherwise the `ours` flag as written).
    pub ours: bool,
    /// The authors with their pages and membership; empty unless the theme has `author.html`.
    pub author_list: Vec<AuthorRef>,
    /// A BibTeX entry for the paper; only when the theme has `author.html`.
    pub bibtex: Option<&'a str>,
}

/// An image made for the page at the size it is drawn: a paper's `thumbnail`, a person's
/// `photo` and `photo_small`. The source file stays in `static/`; these are JPEG versions of it.
#[derive(Debug, Clone, Serialize)]
pub struct ImageContext {
    /// Root-relative URL of the version at 1×.
    pub url: String,
    /// Root-relative URL of the version at 2× (for `srcset`), or null when the source is too
    /// small for one.
    pub url_2x: Option<String>,
    /// The 1× version's size: the size to draw it at, in CSS pixels.
    pub width: u32,
    pub height: u32,
    /// Absolute URL of the largest version (2× when there is one), for `og:image`.
    pub permalink: String,
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
    /// Topics rising over the 30 days up to the newest digest, most rising first (docs/templates.md,
    /// "Topic trends"); empty on later pages and when `[trends] enabled = false`.
    pub rising: Vec<RisingTopic>,
}

/// A topic in `rising`: papers first featured in the 30 days up to the newest digest, and in the
/// 30 days before.
#[derive(Debug, Serialize)]
pub struct RisingTopic {
    pub name: String,
    pub slug: String,
    pub url: String,
    pub recent: u32,
    pub previous: u32,
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
    pub papers: Vec<PaperLink>,
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
    /// Root-relative URLs of the digest's `papers.bib`, `email.html` and `email.txt` (the last
    /// two null when `[outputs] emails = false`).
    pub bib_url: String,
    pub email_url: Option<String>,
    pub email_text_url: Option<String>,
    /// The most voted papers of this digest's week and month, where some have votes.
    pub tops: Vec<Link>,
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
    /// Whether the page lists abstracts: true for the newest `[outputs] digest_abstracts`
    /// digests. The default theme lists older digests as short cards.
    pub abstracts: bool,
    // `entries`: the digest's papers in file order, each `{ paper: PaperCard, notes_html }`
    // (notes_html is this digest's notes on the paper, or null); inserted by the renderer.
}

/// `paper.html`: one paper, merged across every digest that lists it. The renderer adds
/// `paper` (a PaperCard) and, sharing one DigestLink value per digest across pages:
/// `digests` (every digest that lists the paper, oldest first), `in_digest` (the first of
/// them; `previous` and `next` are its neighbours there), and `notes` (each digest's notes on
/// the paper, oldest digest first: `[{ digest: DigestLink, notes_html }]`).
#[derive(Debug, Serialize)]
pub struct PaperContext<'a> {
    pub page: PageMeta,
    pub previous: Option<PaperLink>,
    pub next: Option<PaperLink>,
    /// Citation data: BibTeX, export links, meta-tag values, JSON-LD, COinS.
    pub cite: PaperCite<'a>,
}

/// Authors a related paper shows before "and N more".
pub const RELATED_AUTHORS: usize = 3;

/// One of `related`, a paper page's related papers, most related first. Besides these fields
/// each has `digests`: the DigestLink of every digest that listed it, oldest first.
#[derive(Debug, Serialize)]
pub struct RelatedPaper<'a> {
    /// The title as plain text (math as readable characters).
    pub title: &'a str,
    /// The title as HTML, math as MathML.
    pub title_html: std::borrow::Cow<'a, str>,
    /// Root-relative URL of the paper's page.
    pub url: String,
    /// The first [`RELATED_AUTHORS`] authors.
    pub authors: &'a [String],
    /// How many authors are not in `authors`.
    pub more_authors: usize,
}

impl RelatedPaper<'_> {
    /// The entry as a template reads it, `digests` added: the value serde would make of it,
    /// made directly (entries are made for every batch of pages that lists the paper).
    pub fn into_value(self, digests: Vec<tera::Value>) -> tera::Value {
        let authors: Vec<tera::Value> = self.authors.iter().map(|a| a.as_str().into()).collect();
        // Tera copies whatever map a value is made from into one of its own: a small ordered
        // map is the cheapest to hand it (one allocation, no hash seed).
        std::collections::BTreeMap::from([
            ("title", tera::Value::from(self.title)),
            ("title_html", self.title_html.into()),
            ("url", self.url.into()),
            ("authors", authors.into()),
            ("more_authors", self.more_authors.into()),
            ("digests", digests.into()),
        ])
        .into()
    }
}

/// `archive.html` (`/digests/`): every digest, grouped by year and month, newest first.
#[derive(Debug, Serialize)]
pub struct ArchiveContext {
    pub page: PageMeta,
    pub digest_count: usize,
    pub paper_count: usize,
    pub years: Vec<ArchiveYear>,
}

#[derive(Debug, Serialize)]
pub struct ArchiveYear {
    pub year: i16,
    pub digest_count: usize,
    pub months: Vec<ArchiveMonth>,
}

#[derive(Debug, Serialize)]
pub struct ArchiveMonth {
    /// `2024-03`, for anchors (`/digests/#2024-03`).
    pub id: String,
    /// `March 2024`.
    pub name: String,
    /// The month's most voted papers, when some have votes.
    pub top: Option<Link>,
    pub digests: Vec<ArchiveDigest>,
}

#[derive(Debug, Serialize)]
pub struct ArchiveDigest {
    pub title: String,
    pub url: String,
    /// `2024-03-11`, for `<time datetime>`.
    pub date: String,
    /// `11 Mar`.
    pub day: String,
    pub paper_count: usize,
}

/// `top.html`: the most voted papers of a week or month. The renderer adds `papers`
/// (PaperCards, most voted first).
#[derive(Debug, Serialize)]
pub struct TopContext {
    pub page: PageMeta,
    /// `2024-w11` or `2024-03`.
    pub label: String,
    /// `Week 11, 2024` or `March 2024`.
    pub title: String,
    /// `"week"` or `"month"`.
    pub period: &'static str,
    /// The archive, for the way back.
    pub archive_url: String,
}

/// `topics.html`: every topic, sorted by name.
#[derive(Debug, Serialize)]
pub struct TopicsContext {
    pub page: PageMeta,
    pub topics: Vec<TopicListEntry>,
}

/// A topic on `topics.html`: a [`TopicSummary`] with its sparkline.
#[derive(Debug, Clone, Serialize)]
pub struct TopicListEntry {
    #[serde(flatten)]
    pub topic: TopicSummary,
    /// The newest periods' counts as tiny bars; null when `[trends] enabled = false`.
    pub sparkline: Option<super::trends::Sparkline>,
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
    /// Root-relative URLs of the topic's Atom feed and `papers.bib` (null unless
    /// `[outputs] topic_bibtex = true`).
    pub feed_url: String,
    pub bib_url: Option<String>,
    /// Papers per month (per week on a young site), on the first page only; null on later
    /// pages and when `[trends] enabled = false`.
    pub trend: Option<super::trends::TrendChart>,
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
    /// The digest's topic names, for `<category>`.
    pub topics: Vec<String>,
    pub summary: Option<String>,
    /// The digest's introduction and paper list as HTML; the feed template escapes it into XML.
    pub content_html: String,
}

/// `sitemap.xml`: every page. Above 50,000 pages the sitemap is split: `sitemap.xml` becomes a
/// sitemap index (`parts` set, `entries` empty) and `sitemap-1.xml`, `sitemap-2.xml`, … hold the
/// pages (`entries` set, `parts` empty).
#[derive(Debug, Serialize)]
pub struct SitemapContext {
    pub entries: Vec<SitemapEntry>,
    /// The part files, with the newest digest's date as `lastmod`; empty unless split.
    pub parts: Vec<SitemapEntry>,
}

#[derive(Debug, Serialize)]
pub struct SitemapEntry {
    pub permalink: String,
    /// `YYYY-MM-DD`, when the page has a date.
    pub lastmod: Option<String>,
}

/// An author in a paper's `author_list` (filled only when the theme has author pages, e.g. `lab`).
#[derive(Debug, Clone, Serialize)]
pub struct AuthorRef {
    /// The name after aliases: "Y. Song" shows as "Yang Song" when the people file says so.
    pub name: String,
    /// Root-relative URL of the author's page.
    pub url: String,
    /// A current member or alumnus of the lab (themes mark them, the `lab` theme with `.member`).
    pub is_member: bool,
    /// Root-relative URL of the person's page, for members and alumni.
    pub person_url: Option<String>,
}

/// A person of `content/people.toml`, as `people.html`, `person.html` and `author.html` see them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonContext {
    pub name: String,
    pub slug: String,
    /// Root-relative URL of the person's page.
    pub url: String,
    pub role: Option<String>,
    /// Root-relative URL of the photo as it is in `static/`, when set (and not under
    /// `static/thumbnails/`, which is not copied to the output).
    pub photo_url: Option<String>,
    /// The photo as a square of 128 CSS pixels (less when the picture is smaller), for the
    /// person's page; null without a photo or when it could not be made.
    pub photo: Option<ImageContext>,
    /// The photo as a square of 96 CSS pixels, for lists of people.
    pub photo_small: Option<ImageContext>,
    pub homepage: Option<String>,
    pub email: Option<String>,
    pub orcid: Option<String>,
    /// Google Scholar user id.
    pub scholar: Option<String>,
    pub github: Option<String>,
    /// `mailto:` and profile URLs made from the checked address and ids above.
    pub email_url: Option<String>,
    pub orcid_url: Option<String>,
    pub scholar_url: Option<String>,
    pub github_url: Option<String>,
    pub bio: Option<String>,
    pub member: bool,
    pub alumni: bool,
    /// Root-relative URL of the author page listing their papers, when they have one.
    pub author_url: Option<String>,
    pub paper_count: usize,
}

/// `people.html`: current members, then alumni, in file order.
#[derive(Debug, Serialize)]
pub struct PeopleContext {
    pub page: PageMeta,
    pub members: Vec<PersonContext>,
    pub alumni: Vec<PersonContext>,
}

/// `person.html`: one member or alumnus. The renderer adds `papers` (PaperCards, newest first).
#[derive(Debug, Serialize)]
pub struct PersonPageContext {
    pub page: PageMeta,
    pub person: PersonContext,
}

/// `author.html`: every paper of one author, newest first. The renderer adds `papers`.
#[derive(Debug, Serialize)]
pub struct AuthorContext {
    pub page: PageMeta,
    pub author: AuthorSummary,
    /// The author's Atom feed (`authors/<slug>/feed.xml`).
    pub feed_url: String,
    /// The person behind the name, when they are in the people file with a page.
    pub person: Option<PersonContext>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthorSummary {
    pub name: String,
    pub slug: String,
    pub url: String,
    pub paper_count: usize,
}

/// `publications.html`: the lab's papers grouped by year, newest first.
#[derive(Debug, Serialize)]
pub struct PublicationsContext {
    pub page: PageMeta,
    /// Topics of the lab's papers, for filter chips.
    pub topics: Vec<TopicSummary>,
    // `years`: `[{ year, papers: [PaperCard] }]`, newest year first; inserted by the renderer.
}

/// `research.html`: every topic with its description from `[topics.descriptions]`.
#[derive(Debug, Serialize)]
pub struct ResearchContext {
    pub page: PageMeta,
    pub topics: Vec<ResearchTopic>,
}

#[derive(Debug, Serialize)]
pub struct ResearchTopic {
    pub name: String,
    pub slug: String,
    pub url: String,
    pub description: Option<String>,
    /// All papers of the topic.
    pub paper_count: usize,
    /// The lab's papers on the topic.
    pub our_count: usize,
}

/// `news.html`: every digest, newest first.
#[derive(Debug, Serialize)]
pub struct NewsContext {
    pub page: PageMeta,
    pub digests: Vec<DigestLink>,
}

/// `cite` on `paper.html`: what the Cite block and the citation meta tags need.
#[derive(Debug, Serialize)]
pub struct PaperCite<'a> {
    /// The BibTeX key, unique across the site: `song2023improved`.
    pub key: &'a str,
    /// The BibTeX entry, for a `<pre>` (plain text: print it with `{{ }}`).
    pub bibtex: &'a str,
    /// Root-relative URLs of `cite.bib`, `cite.ris` and `cite.json` (CSL-JSON); null when
    /// `[outputs] citation_files = false`.
    pub bib_url: Option<String>,
    pub ris_url: Option<String>,
    pub csl_url: Option<String>,
    /// The COinS OpenURL for `<span class="Z3988" title="…">`; null unless
    /// `[outputs] rich_metadata = true`.
    pub coins: Option<String>,
    /// `<script type="application/ld+json">…</script>` with a schema.org ScholarlyArticle,
    /// escaped so that no field can close the element. It holds the abstract only with
    /// `[outputs] rich_metadata = true`: the page shows it.
    pub json_ld_html: String,
    /// `conference`, `journal`, or null when the venue names neither (or there is none).
    pub venue_kind: Option<&'static str>,
    /// `YYYY/MM/DD` (Google Scholar's format) when the publication date is known.
    pub publication_date: Option<String>,
    /// `YYYY/MM/DD`: the publication date, else the day the site first featured the paper.
    pub online_date: String,
    /// Absolute URL of the PDF (the `pdf` field, else arXiv's), or null.
    pub pdf_url: Option<String>,
    /// The year, for OpenGraph and display; null when unknown.
    pub year: Option<i16>,
}

/// `topic_feed.xml`: one topic's papers as an Atom feed, most recently featured first.
#[derive(Debug, Serialize)]
pub struct TopicFeedContext {
    pub topic: TopicSummary,
    /// RFC 3339: the newest entry's `updated`.
    pub updated: String,
    /// Absolute URLs of the feed and of the topic's page.
    pub feed_permalink: String,
    pub page_permalink: String,
    pub entries: Vec<PaperFeedEntry>,
}

/// `author_feed.xml`: one author's newest papers.
#[derive(Debug, Serialize)]
pub struct AuthorFeedContext {
    pub author: AuthorSummary,
    /// RFC 3339: the latest `updated` among the entries.
    pub updated: String,
    /// Absolute URLs of the feed and of the author's page.
    pub feed_permalink: String,
    pub page_permalink: String,
    pub entries: Vec<PaperFeedEntry>,
}

/// One paper in a topic or author feed.
#[derive(Debug, Serialize)]
pub struct PaperFeedEntry {
    pub title: String,
    /// The paper page's absolute URL: the entry's `<id>` and alternate link.
    pub permalink: String,
    /// RFC 3339: when the site first featured the paper.
    pub published: String,
    /// RFC 3339: when the site last featured the paper.
    pub updated: String,
    pub authors: Vec<String>,
    /// Plain-text excerpt of the abstract.
    pub summary: Option<String>,
    /// arXiv, PDF, DOI, code, project and web links (absolute), for `rel="related"` links.
    pub links: Vec<ExternalLink>,
    /// Topic names, for `<category>`.
    pub topics: Vec<String>,
    /// The abstract (math as MathML) and links, as HTML; print without `safe` in XML.
    pub content_html: String,
}

/// `opml.xml`, written to `feeds.opml`: every feed of the site.
#[derive(Debug, Serialize)]
pub struct OpmlContext {
    /// RFC 822, the newest digest's date, for `<dateCreated>`.
    pub date_created: String,
    pub site_feed_permalink: String,
    pub topics: Vec<TopicFeedLink>,
    /// Feeds of the lab's members and alumni who wrote a paper of the site, when the theme
    /// has author pages; empty otherwise.
    pub people: Vec<TopicFeedLink>,
}

#[derive(Debug, Serialize)]
pub struct TopicFeedLink {
    pub name: String,
    pub paper_count: usize,
    pub feed_permalink: String,
    pub page_permalink: String,
}

/// `email.html` and `email.txt`: one digest as a self-contained email. Every URL is absolute.
/// `email.html` gets the `_html` fields and `email.txt` the `_text` fields; the others are
/// null (or `""` for the introduction).
#[derive(Debug, Serialize)]
pub struct EmailContext {
    pub digest: EmailDigest,
    pub papers: Vec<EmailPaper>,
    /// Absolute URLs of the site and its Atom feed.
    pub site_permalink: String,
    pub feed_permalink: String,
}

#[derive(Debug, Serialize)]
pub struct EmailDigest {
    pub title: String,
    pub permalink: String,
    pub date: String,
    pub date_display: String,
    pub summary: Option<String>,
    /// The introduction with inline styles and absolute URLs; `""` when there is none.
    pub intro_html: String,
    /// The introduction as plain text wrapped at 72 columns, math as `$…$`.
    pub intro_text: String,
    /// Absolute URL of the digest's `papers.bib`.
    pub bib_permalink: String,
}

#[derive(Debug, Serialize)]
pub struct EmailPaper {
    pub title: String,
    pub permalink: String,
    pub authors: Vec<String>,
    pub venue: Option<String>,
    pub published_display: Option<String>,
    pub links: Vec<ExternalLink>,
    /// Topic names.
    pub topics: Vec<String>,
    /// HTML with inline styles and absolute URLs, math as MathML with its TeX as annotation.
    pub abstract_html: Option<String>,
    /// Plain text wrapped at 72 columns, math as `$…$`.
    pub abstract_text: Option<String>,
    /// The abstract's first sentences as plain text (about 200 characters), which the default
    /// emails show with a link to the paper's page: mail clients clip long messages (Gmail at
    /// 102 KB), and a day of 75 whole abstracts is longer.
    pub excerpt: Option<String>,
    /// This digest's notes on the paper, as HTML and as text.
    pub notes_html: Option<String>,
    pub notes_text: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entry made directly is the value serde makes of the documented struct, `digests`
    /// added: what templates read stays what docs/templates.md says.
    #[test]
    fn related_entry_value_is_the_structs_value() {
        let authors = vec!["Ada <Lovelace>".to_string(), "Émile".to_string()];
        let digests = vec![tera::Value::from("first"), tera::Value::safe_string("<b>")];
        for more_authors in [0, 7] {
            let entry = || RelatedPaper {
                title: "A & B",
                title_html: std::borrow::Cow::Owned("A &amp; <math>B</math>".into()),
                url: "/lab/papers/x/".into(),
                authors: &authors,
                more_authors,
            };
            let mut expected = tera::Value::try_from_serializable(&entry())
                .unwrap()
                .into_map()
                .unwrap();
            expected.insert(
                tera::value::Key::Str("digests"),
                tera::Value::from(digests.clone()),
            );
            let (made, expected) = (entry().into_value(digests.clone()), expected.into());
            assert_eq!(made, expected);
            // Tera's equality ignores whether a string is marked safe and a number's kind; the
            // fingerprint does not.
            use crate::render::page_context::Hashed;
            assert_eq!(Hashed::new(made).hash(), Hashed::new(expected).hash());
        }
    }
}
