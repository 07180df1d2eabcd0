//! Stage 5 of the pipeline: Markdown to HTML.
//!
//! pulldown-cmark parses with tables, footnotes, strikethrough, task lists and math. The event
//! stream then goes through small passes, each testable alone: raw HTML escaping (raw_html.rs), links (links.rs),
//! math to MathML, code highlighting, heading ids. [`render_site`] runs this over every Markdown
//! field of the model in parallel and returns the HTML beside the model, indexed like it.

mod clean_mathml;
pub mod highlight;
pub mod links;
pub mod math;
pub mod plain;
pub mod raw_html;
pub mod tex_text;
pub mod title;

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;

use crate::config::{Config, MathMode, RawHtml};
use crate::error::{Diagnostic, Location};
use crate::model::Site;

pub use links::{FoundLink, is_script_url};

/// What changes how Markdown renders.
#[derive(Debug, Clone, Copy)]
pub struct MarkdownOptions<'a> {
    pub math: MathMode,
    pub raw_html: RawHtml,
    /// The site's base path, `/lab-digest/`: `@/…` links resolve under it.
    pub base_path: &'a str,
}

impl<'a> MarkdownOptions<'a> {
    pub fn from_config(config: &'a Config) -> Self {
        MarkdownOptions {
            math: config.math,
            raw_html: config.raw_html,
            base_path: &config.base.path,
        }
    }
}

impl Default for MarkdownOptions<'_> {
    fn default() -> Self {
        MarkdownOptions {
            math: MathMode::Mathml,
            raw_html: RawHtml::Escape,
            base_path: "/",
        }
    }
}

/// A problem found while rendering one Markdown text; the caller knows which file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub is_error: bool,
    pub message: String,
    pub hint: Option<String>,
    /// Byte offset in the Markdown text, when known.
    pub offset: Option<usize>,
}

/// The HTML of one Markdown text, what was wrong with it, and the links it holds.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: String,
    pub problems: Vec<Problem>,
    pub links: Vec<FoundLink>,
    /// The highlight classes in `html` ([`highlight::classes_in`]), for `syntax.css`.
    pub highlight_classes: BTreeSet<String>,
}

/// Longer Markdown texts are refused: an abstract or note of a megabyte is a mistake (a pasted
/// paper, a minified file), and rendering one costs seconds per page that shows it.
pub const MAX_MARKDOWN_BYTES: usize = 1024 * 1024;

fn too_long(text: &str) -> Problem {
    Problem {
        is_error: true,
        message: format!(
            "the text is {:.1} MB long, more than the {} MB a Markdown text may hold",
            text.len() as f64 / 1e6,
            MAX_MARKDOWN_BYTES / (1024 * 1024)
        ),
        hint: Some("shorten it, or link to the full text instead".into()),
        offset: None,
    }
}

fn cmark_options(math: MathMode) -> Options {
    let mut cmark = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    if math == MathMode::Mathml {
        cmark |= Options::ENABLE_MATH;
    }
    cmark
}

/// The errors [`render`] would report, without rendering: the size limit, and links that could
/// run script. For importers, which must not write a text that stops a build, at the cost of a
/// parse (most texts hold no `]` or `<` and cost a scan). Math is not enabled, so a link inside
/// `$…$` counts too: a text refused here may build on a site with math, never the other way.
pub fn errors(text: &str) -> Vec<Problem> {
    if text.len() > MAX_MARKDOWN_BYTES {
        return vec![too_long(text)];
    }
    if !text.contains([']', '<']) {
        return Vec::new();
    }
    let mut events: Vec<(Event, Range<usize>)> =
        Parser::new_ext(text, cmark_options(MathMode::Off))
            .into_offset_iter()
            .collect();
    let mut problems = Vec::new();
    links::resolve_links(&mut events, "/", &mut problems, &mut Vec::new());
    problems.retain(|problem| problem.is_error);
    problems
}

pub fn render(text: &str, options: MarkdownOptions) -> Rendered {
    if text.len() > MAX_MARKDOWN_BYTES {
        return Rendered {
            problems: vec![too_long(text)],
            ..Rendered::default()
        };
    }
    let cmark = cmark_options(options.math);
    let mut rendered = Rendered::default();
    let mut has_raw_html = false;
    let mut events: Vec<(Event, Range<usize>)> = Parser::new_ext(text, cmark)
        .into_offset_iter()
        .map(|(event, range)| {
            let event = raw_html::apply_mode(event, options.raw_html, &mut has_raw_html);
            (event, range)
        })
        .collect();
    if has_raw_html {
        has_raw_html = keep_raw_html(&mut events, options.raw_html, &mut rendered);
    }
    links::resolve_links(
        &mut events,
        options.base_path,
        &mut rendered.problems,
        &mut rendered.links,
    );
    math::render_math(&mut events, &mut rendered.problems);
    // A task list's box is a disabled checkbox with no label, which screen readers announce as
    // an unlabelled control: the state is written as a character instead.
    let mut wrapped_tables = 0usize;
    let events: Vec<Event> = events
        .into_iter()
        .map(|(event, _)| match event {
            // A wide table scrolls inside a region a keyboard can reach and a screen reader names.
            Event::Start(Tag::Table(alignments)) => {
                wrapped_tables += 1;
                Event::Start(Tag::Table(alignments))
            }
            Event::TaskListMarker(done) => Event::Html(
                if done {
                    "<span class=\"task done\" role=\"img\" aria-label=\"done\">☑</span> "
                } else {
                    "<span class=\"task\" role=\"img\" aria-label=\"to do\">☐</span> "
                }
                .into(),
            ),
            other => other,
        })
        .collect();
    let events = wrap_tables(events, wrapped_tables);
    let events = highlight::highlight_code(events);
    let events = add_heading_ids(events);
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    rendered.html = if has_raw_html && options.raw_html == RawHtml::Sanitise {
        raw_html::sanitise(&html)
    } else {
        html
    };
    highlight::classes_in(&rendered.html, &mut rendered.highlight_classes);
    rendered
}

/// Notes the links of raw HTML that is kept; raw HTML too deep to sanitise becomes text.
/// Returns whether raw HTML is still in the events.
fn keep_raw_html(
    events: &mut [(Event<'_>, Range<usize>)],
    mode: RawHtml,
    rendered: &mut Rendered,
) -> bool {
    let raw = |event: &Event| matches!(event, Event::Html(_) | Event::InlineHtml(_));
    let fragments = events.iter().filter_map(|(event, _)| match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(&**html),
        _ => None,
    });
    if mode == RawHtml::Sanitise && raw_html::nesting_depth(fragments) > raw_html::MAX_DEPTH {
        let first = events
            .iter()
            .find(|(event, _)| raw(event))
            .map(|(_, r)| r.start);
        rendered.problems.push(Problem {
            is_error: false,
            message: format!(
                "raw HTML nests more than {} elements deep; it is shown as text",
                raw_html::MAX_DEPTH
            ),
            hint: Some("simplify the HTML, or write it in Markdown".into()),
            offset: first,
        });
        for (event, _) in events.iter_mut() {
            if let Event::Html(html) | Event::InlineHtml(html) = event {
                *event = Event::Text(std::mem::replace(html, CowStr::Borrowed("")));
            }
        }
        return false;
    }
    for (event, range) in events.iter() {
        if let Event::Html(html) | Event::InlineHtml(html) = event {
            links::raw_html_links(html, range.start, &mut rendered.links);
        }
    }
    true
}

/// The first `max_chars` of a Markdown text as plain text, math left out, cut at a word, for
/// meta descriptions and feed summaries.
pub fn plain_excerpt(text: &str, max_chars: usize) -> String {
    // The excerpt seldom needs more than the first few paragraphs of source. Inline Markdown
    // (math, links, emphasis) never spans a blank line, so what comes before one reads as it
    // does in the whole text.
    let mut cut = text.len().min(max_chars * 6);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    cut = memchr::memmem::find(&text.as_bytes()[cut..], b"\n\n").map_or(text.len(), |at| cut + at);
    // Four bytes a character is more than any text needs for `max_chars` characters of words.
    let options = plain::PlainOptions::words(max_chars * 4);
    let (excerpt, is_cut) = first_words(&plain::text_for_words(&text[..cut], &options), max_chars);
    if is_cut || cut == text.len() {
        return excerpt;
    }
    // Those lines held too few words (math, link targets, blank lines): the rest of the text
    // has more, which the excerpt shows up to its `…`.
    first_words(&plain::text_for_words(text, &options), max_chars).0
}

/// The words of `plain` that fit in `max_chars` characters, with `…` when some are left out,
/// and whether some were.
fn first_words(plain: &str, max_chars: usize) -> (String, bool) {
    let mut out = String::with_capacity(max_chars + 8);
    let mut out_chars = 0;
    for word in plain.split_whitespace() {
        let word_chars = word.chars().count();
        if out_chars + word_chars + 1 > max_chars {
            out.push('…');
            return (out, true);
        }
        if !out.is_empty() {
            out.push(' ');
            out_chars += 1;
        }
        out.push_str(word);
        out_chars += word_chars;
    }
    (out, false)
}

/// Gives every heading an `id` from its text, so sections can be linked to.
fn add_heading_ids<'a>(events: Vec<Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut used: Vec<String> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for event in events {
        match &event {
            Event::Start(Tag::Heading { id: None, .. }) => {
                pending = Some((out.len(), String::new()));
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, collected)) = &mut pending {
                    collected.push_str(text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, text)) = pending.take() {
                    let base = crate::content::ids::slugify(&text);
                    let base = if base.is_empty() {
                        "section".to_string()
                    } else {
                        base
                    };
                    let mut id = base.clone();
                    let mut n = 1;
                    while used.contains(&id) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    used.push(id.clone());
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut out[start] {
                        *slot = Some(CowStr::from(id));
                    }
                }
            }
            _ => {}
        }
        out.push(event);
    }
    out
}

/// Which Markdown text of the site: a digest's introduction, its notes on one entry, or an abstract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkdownField {
    Intro { digest: usize },
    Notes { digest: usize, entry: usize },
    Abstract { paper: usize },
}

/// The HTML of every Markdown field in the site, indexed like the model.
#[derive(Debug, Default)]
pub struct SiteHtml {
    /// Per digest: the introduction.
    pub intros: Vec<Arc<str>>,
    /// Per digest, per entry: the notes.
    pub notes: Vec<Vec<Option<Arc<str>>>>,
    /// Per paper: the abstract.
    pub abstracts: Vec<Option<AbstractHtml>>,
    /// Per paper: the abstract's first words as plain text, for descriptions.
    pub excerpts: Vec<Option<Arc<str>>>,
    /// Per paper whose title holds `$…$` math: the title as HTML with MathML, and as readable
    /// text ([`title`]). None for the other titles, which are their own text.
    pub titles: Vec<Option<Arc<TitleForms>>>,
    /// Every link written in Markdown, by field, for `digestif check`.
    pub links: Vec<(MarkdownField, FoundLink)>,
    /// The highlight classes of all of it: `syntax.css` holds the rules for these only.
    pub highlight_classes: BTreeSet<String>,
}

/// A paper's abstract as HTML, or a note that it is plain prose, whose HTML
/// [`crate::shortcuts::prose_html`] writes when a page shows it: holding the HTML of every
/// abstract until the last page is rendered would take a fifth of a large build's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbstractHtml {
    Rendered(Arc<str>),
    PlainProse,
}

/// A title with math, as HTML and as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TitleForms {
    pub html: String,
    pub text: String,
}

/// The HTML and text forms of every title that holds math, with a warning for math that does not
/// parse. Titles are short and math in them rare, so they are rendered on every build, uncached.
fn render_titles(
    site: &Site,
    options: MarkdownOptions,
) -> (Vec<Option<Arc<TitleForms>>>, Vec<Diagnostic>) {
    if options.math != MathMode::Mathml {
        return (vec![None; site.papers.len()], Vec::new());
    }
    let rendered: Vec<(Option<Arc<TitleForms>>, Vec<Problem>)> = site
        .papers
        .par_iter()
        .map(|paper| {
            if !paper.title.contains('$') || !title::has_math(&paper.title) {
                return (None, Vec::new());
            }
            let mut problems = Vec::new();
            let forms = TitleForms {
                html: title::title_html(&paper.title, &mut problems),
                text: title::title_text(&paper.title),
            };
            (Some(Arc::new(forms)), problems)
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut titles = Vec::with_capacity(rendered.len());
    for (paper, (forms, problems)) in site.papers.iter().zip(rendered) {
        for problem in problems {
            let location = Location::at(&paper.source, paper.line, None);
            let what = format!("in the title of `{}`", paper.id);
            diagnostics.push(to_diagnostic(problem, location, &what));
        }
        titles.push(forms);
    }
    (titles, diagnostics)
}

/// Rendered Markdown by a hash of its source, so a rebuild renders only texts it has not seen.
/// Each rebuild keeps only the entries it used, so the cache never outgrows the site.
#[derive(Debug, Default)]
pub struct MarkdownCache {
    // Shared, not copied: a rebuild looks up every text of the site and keeps most of them.
    entries: HashMap<u64, Arc<CachedText>>,
}

#[derive(Debug, Clone)]
struct CachedText {
    /// None for an abstract of plain prose ([`AbstractHtml::PlainProse`]).
    html: Option<Arc<str>>,
    problems: Vec<Problem>,
    links: Vec<FoundLink>,
    highlight_classes: BTreeSet<String>,
    /// For abstracts: the plain-text excerpt used in descriptions.
    excerpt: Option<Arc<str>>,
}

const EXCERPT_CHARS: usize = 200;

/// The cache key of a text: its own hash, or for an abstract its paper's `content`, which
/// stands for the text and costs nothing to read.
fn text_key(text: &str, paper_content: Option<u64>, options: MarkdownOptions) -> u64 {
    let mut hasher = crate::fingerprint::hasher();
    match paper_content {
        Some(content) => (1u8, content).hash(&mut hasher),
        None => (0u8, text).hash(&mut hasher),
    }
    (options.math == MathMode::Mathml, options.raw_html as u8).hash(&mut hasher);
    // `@/` links resolve under the base path.
    options.base_path.hash(&mut hasher);
    hasher.finish()
}

/// Renders every Markdown field, in parallel. Problems come back as diagnostics located at the
/// field's digest file: the exact line in an introduction, the paper entry's line otherwise.
/// With a cache, only texts not rendered before are.
pub fn render_site(
    site: &Site,
    options: MarkdownOptions,
    cache: Option<&mut MarkdownCache>,
) -> (SiteHtml, Vec<Diagnostic>) {
    render_site_located(site, options, cache, &|_| None)
}

/// [`render_site`], with `field_line` giving the file line where a front-matter field's text
/// starts, when the caller knows (check.rs reads the sources for that), so problems inside notes
/// and abstracts get their exact line.
pub fn render_site_located(
    site: &Site,
    options: MarkdownOptions,
    cache: Option<&mut MarkdownCache>,
    field_line: &(dyn Fn(MarkdownField) -> Option<usize> + Sync),
) -> (SiteHtml, Vec<Diagnostic>) {
    let texts = site_texts(site);
    let previous = cache.as_ref().map(|c| &c.entries);
    let rendered: Vec<(u64, Arc<CachedText>)> = texts
        .par_iter()
        .map(|text| render_cached(site, text, options, previous))
        .collect();

    let mut diagnostics = Vec::new();
    let mut links = Vec::new();
    let mut locator = Locator::new(site, field_line);
    for (text, (_, value)) in texts.iter().zip(&rendered) {
        for problem in &value.problems {
            let location = locator.locate(text.field, problem.offset);
            diagnostics.push(to_diagnostic(
                problem.clone(),
                location,
                &where_in(site, text.field),
            ));
        }
        links.extend(value.links.iter().map(|link| (text.field, link.clone())));
    }
    let mut html = site_html(site, rendered.iter().map(|(_, value)| &**value));
    html.links = links;

    let (titles, title_problems) = render_titles(site, options);
    html.titles = titles;
    diagnostics.extend(title_problems);

    if let Some(cache) = cache {
        cache.entries = rendered.into_iter().collect();
    }
    (html, diagnostics)
}

/// One Markdown text of the site and the field it fills.
struct SiteText<'a> {
    source: &'a str,
    field: MarkdownField,
}

/// Every Markdown text of the site: each digest's introduction and notes, digest by digest,
/// then every paper's abstract. [`site_html`] reads the rendered texts back in this order.
fn site_texts(site: &Site) -> Vec<SiteText<'_>> {
    let mut texts = Vec::new();
    for (index, digest) in site.digests.iter().enumerate() {
        texts.push(SiteText {
            source: &digest.intro,
            field: MarkdownField::Intro { digest: index },
        });
        for (entry_index, entry) in digest.entries.iter().enumerate() {
            if let Some(notes) = &entry.notes {
                texts.push(SiteText {
                    source: notes,
                    field: MarkdownField::Notes {
                        digest: index,
                        entry: entry_index,
                    },
                });
            }
        }
    }
    for (index, paper) in site.papers.iter().enumerate() {
        if let Some(text) = &paper.abstract_md {
            texts.push(SiteText {
                source: text,
                field: MarkdownField::Abstract { paper: index },
            });
        }
    }
    texts
}

/// `text` rendered, or taken from `previous` when it was rendered before, with its cache key.
fn render_cached(
    site: &Site,
    text: &SiteText,
    options: MarkdownOptions,
    previous: Option<&HashMap<u64, Arc<CachedText>>>,
) -> (u64, Arc<CachedText>) {
    let paper_content = match text.field {
        MarkdownField::Abstract { paper } => Some(site.papers[paper].content),
        _ => None,
    };
    let is_abstract = paper_content.is_some();
    let key = text_key(text.source, paper_content, options);
    let known = previous.and_then(|entries| entries.get(&key));
    if let Some(known) = known
        && (!is_abstract || known.excerpt.is_some())
    {
        return (key, Arc::clone(known));
    }
    let mut value = match known {
        Some(known) => CachedText::clone(known),
        // Plain prose has no problems, links or highlighting to report.
        None if is_abstract
            && text.source.len() <= MAX_MARKDOWN_BYTES
            && crate::shortcuts::may_defer_html(text.source) =>
        {
            CachedText {
                html: None,
                problems: Vec::new(),
                links: Vec::new(),
                highlight_classes: BTreeSet::new(),
                excerpt: None,
            }
        }
        None => {
            let r = render(text.source, options);
            CachedText {
                html: Some(Arc::from(r.html)),
                problems: r.problems,
                links: r.links,
                highlight_classes: r.highlight_classes,
                excerpt: None,
            }
        }
    };
    if is_abstract {
        value.excerpt = Some(Arc::from(plain_excerpt(text.source, EXCERPT_CHARS)));
    }
    (key, Arc::new(value))
}

/// Where a problem in `field` is, for its message.
fn where_in(site: &Site, field: MarkdownField) -> String {
    match field {
        MarkdownField::Intro { .. } => "in the introduction".to_string(),
        MarkdownField::Notes { digest, entry } => {
            let paper = site.digests[digest].entries[entry].paper;
            format!("in the notes on `{}`", site.papers[paper].id)
        }
        MarkdownField::Abstract { paper } => {
            format!("in the abstract of `{}`", site.papers[paper].id)
        }
    }
}

/// The site's HTML from its rendered texts, in [`site_texts`]'s order (links and titles are
/// left to the caller).
fn site_html<'v>(site: &Site, mut rendered: impl Iterator<Item = &'v CachedText>) -> SiteHtml {
    let mut next = || rendered.next().expect("one value per text");
    let mut html = SiteHtml::default();
    let mut classes = BTreeSet::new();
    // Only abstracts are deferred.
    let mut rendered_html = |value: &CachedText| {
        classes.extend(value.highlight_classes.iter().cloned());
        value.html.clone().unwrap_or_default()
    };
    for digest in &site.digests {
        html.intros.push(rendered_html(next()));
        let notes = digest
            .entries
            .iter()
            .map(|e| e.notes.as_ref().map(|_| rendered_html(next())))
            .collect();
        html.notes.push(notes);
    }
    for paper in &site.papers {
        let value = paper.abstract_md.as_ref().map(|_| next());
        html.abstracts.push(value.map(|v| {
            classes.extend(v.highlight_classes.iter().cloned());
            match &v.html {
                Some(html) => AbstractHtml::Rendered(html.clone()),
                None => AbstractHtml::PlainProse,
            }
        }));
        html.excerpts.push(value.and_then(|v| v.excerpt.clone()));
    }
    html.highlight_classes = classes;
    html
}

/// [`locate`] for many offsets, most of them in one field after another: the field's first line
/// and its line breaks are found once per field, so a text with 45,000 links costs one pass over
/// it rather than one per link.
pub struct Locator<'a> {
    site: &'a Site,
    field_line: &'a (dyn Fn(MarkdownField) -> Option<usize> + Sync),
    last: Option<(MarkdownField, Location, Vec<usize>)>,
}

impl<'a> Locator<'a> {
    pub fn new(
        site: &'a Site,
        field_line: &'a (dyn Fn(MarkdownField) -> Option<usize> + Sync),
    ) -> Self {
        Locator {
            site,
            field_line,
            last: None,
        }
    }

    pub fn locate(&mut self, field: MarkdownField, offset: Option<usize>) -> Location {
        let Some(offset) = offset else {
            return locate(self.site, field, None, self.field_line);
        };
        if self.last.as_ref().is_none_or(|(last, _, _)| *last != field) {
            let start = locate(self.site, field, Some(0), self.field_line);
            let breaks = field_text(self.site, field)
                .map(|text| memchr::memchr_iter(b'\n', text.as_bytes()).collect())
                .unwrap_or_default();
            self.last = Some((field, start, breaks));
        }
        let (_, start, breaks) = self.last.as_ref().expect("set above");
        let mut location = start.clone();
        if let Some(line) = location.line.as_mut() {
            *line += breaks.partition_point(|&at| at < offset);
        }
        location
    }
}

/// The Markdown text of `field`, when it has one.
fn field_text(site: &Site, field: MarkdownField) -> Option<&Arc<str>> {
    match field {
        MarkdownField::Intro { digest } => Some(&site.digests[digest].intro),
        MarkdownField::Notes { digest, entry } => {
            site.digests[digest].entries[entry].notes.as_ref()
        }
        MarkdownField::Abstract { paper } => site.papers[paper].abstract_md.as_ref(),
    }
}

/// Each table inside `<div class="scroll" tabindex="0" role="region" aria-label="Table">`, so that a
/// table wider than the page scrolls on its own, by keyboard too. `tables` counts them, to leave
/// a text without tables as it is.
fn wrap_tables(events: Vec<Event<'_>>, tables: usize) -> Vec<Event<'_>> {
    if tables == 0 {
        return events;
    }
    let mut out = Vec::with_capacity(events.len() + 2 * tables);
    for event in events {
        match event {
            Event::Start(Tag::Table(_)) => {
                out.push(Event::Html(
                    "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Table\">"
                        .into(),
                ));
                out.push(event);
            }
            Event::End(TagEnd::Table) => {
                out.push(event);
                out.push(Event::Html("</div>".into()));
            }
            other => out.push(other),
        }
    }
    out
}

/// Where byte `offset` of a Markdown field is in its file: exact in an introduction, and in notes
/// and abstracts when `field_line` knows where the field's text starts; else the paper entry's line.
pub fn locate(
    site: &Site,
    field: MarkdownField,
    offset: Option<usize>,
    field_line: &(dyn Fn(MarkdownField) -> Option<usize> + Sync),
) -> Location {
    let (path, text, fallback) = match field {
        MarkdownField::Intro { digest } => {
            let digest = &site.digests[digest];
            (
                &digest.source,
                Some(&digest.intro),
                digest.intro_line_offset + 1,
            )
        }
        MarkdownField::Notes { digest, entry } => {
            let digest = &site.digests[digest];
            let entry = &digest.entries[entry];
            (&digest.source, entry.notes.as_ref(), entry.line)
        }
        MarkdownField::Abstract { paper } => {
            let paper = &site.papers[paper];
            (&paper.source, paper.abstract_md.as_ref(), paper.line)
        }
    };
    let start = match field {
        MarkdownField::Intro { .. } => Some(fallback),
        _ => field_line(field),
    };
    match (start, text, offset) {
        (Some(start), Some(text), Some(offset)) => {
            Location::at(path, start + lines_before(text, offset), None)
        }
        (Some(start), _, _) => Location::at(path, start, None),
        (None, _, _) => Location::at(path, fallback, None),
    }
}

fn to_diagnostic(problem: Problem, location: Location, what: &str) -> Diagnostic {
    let message = format!("{what}: {}", problem.message);
    let diagnostic = if problem.is_error {
        Diagnostic::error(location, message)
    } else {
        Diagnostic::warning(location, message)
    };
    match problem.hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// How many line breaks come before byte `offset` of `text`.
pub fn lines_before(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(text: &str) -> String {
        render(text, MarkdownOptions::default()).html
    }

    #[test]
    fn errors_without_rendering_are_the_errors_of_rendering() {
        let big = "a".repeat(MAX_MARKDOWN_BYTES + 1);
        for text in [
            "plain text, no link",
            "[a link](https://example.org) and <https://example.org>",
            "[x](javascript:alert(1))",
            "![img](JaVaScRiPt:alert(1))",
            "<javascript:alert(1)>",
            "[ref]\n\n[ref]: javascript:alert(1)",
            "<a href=\"javascript:alert(1)\">raw</a>",
            "`[x](javascript:alert(1))` in code",
            big.as_str(),
        ] {
            let rendered: Vec<String> = render(text, MarkdownOptions::default())
                .problems
                .into_iter()
                .filter(|p| p.is_error)
                .map(|p| p.message)
                .collect();
            let found: Vec<String> = errors(text).into_iter().map(|p| p.message).collect();
            assert_eq!(found, rendered, "{}", &text[..text.len().min(60)]);
        }
    }

    #[test]
    fn task_list_boxes_are_labelled_characters_not_bare_checkboxes() {
        let html = render(
            "- [x] read the paper\n- [ ] run the code\n",
            MarkdownOptions::default(),
        )
        .html;
        assert!(!html.contains("<input"), "{html}");
        assert!(
            html.contains("aria-label=\"done\">☑</span> read the paper"),
            "{html}"
        );
        assert!(
            html.contains("aria-label=\"to do\">☐</span> run the code"),
            "{html}"
        );
    }

    #[test]
    fn excerpts_are_plain_and_cut_at_a_word() {
        assert_eq!(
            plain_excerpt("We *bound* $x^2$ in `code`.\n\nSecond.", 100),
            "We bound in code. Second."
        );
        assert_eq!(plain_excerpt("one two three four", 9), "one two…");
    }

    /// Pieces of random text, most of them plain prose.
    const PIECES: &[&str] = &[
        "word",
        "Ünïcode",
        "\"quoted\"",
        "'single'",
        "—",
        " ",
        "  ",
        "   ",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        "\r\r",
        "\t",
        " \t",
        "\t ",
        "  \t",
        "\n \n",
        "\n\t\n",
        "    ",
        "\n- ",
        "\r1. ",
        "x,",
        "y.",
        "16.6%",
        "(a)",
        "{b}",
        "\u{a0}",
        "\u{3000}",
        "\u{c}",
        "\u{b}",
        "http://x.org/a?b=c",
        "www.example.com",
        "a@b.org",
        "=",
        "-",
        "+",
        ":",
        "%",
    ];

    /// 20,000 texts of up to 24 [`PIECES`], drawn with `seed`.
    fn random_texts(seed: u64) -> impl Iterator<Item = String> {
        let mut next = crate::test_rng(seed);
        (0..20_000).map(move |_| (0..next(24)).map(|_| PIECES[next(PIECES.len())]).collect())
    }

    #[test]
    fn plain_prose_html_equals_rendered_html() {
        let mut checked = 0;
        for text in random_texts(7) {
            if crate::shortcuts::is_prose_spaced_plainly(&text) {
                for options in [
                    MarkdownOptions::default(),
                    MarkdownOptions {
                        math: MathMode::Off,
                        raw_html: RawHtml::Trusted,
                        base_path: "/lab/",
                    },
                ] {
                    let rendered = render(&text, options);
                    assert_eq!(
                        crate::shortcuts::prose_html(&text),
                        rendered.html,
                        "{text:?}"
                    );
                    // Nothing else to defer: no problem, link or highlighting.
                    assert!(rendered.problems.is_empty() && rendered.links.is_empty());
                    assert!(rendered.highlight_classes.is_empty());
                }
                checked += 1;
            }
        }
        assert!(checked > 2_000, "only {checked} texts were plain prose");
    }

    #[test]
    fn excerpts_of_plain_prose_are_the_words_of_its_plain_text() {
        let mut prose = 0;
        for (i, text) in random_texts(8).enumerate() {
            prose += usize::from(crate::shortcuts::is_plain_prose(&text));
            // Enough characters that the excerpt reads the whole text.
            let chars = text.len() / 6 + 1 + i % 60;
            let plain = plain::plain_text(&text, &plain::PlainOptions::words(chars * 4));
            assert_eq!(
                plain_excerpt(&text, chars),
                first_words(&plain, chars).0,
                "{text:?}"
            );
        }
        assert!(prose > 2_000, "only {prose} texts were plain prose");
    }

    /// Search tokenises and excerpts split [`plain::text_for_words`]: plain prose as written.
    #[test]
    fn plain_prose_has_the_tokens_of_its_plain_text() {
        let mut prose = 0;
        for text in random_texts(9) {
            if !crate::shortcuts::is_plain_prose(&text) {
                continue;
            }
            prose += 1;
            let plain = plain::plain_text(&text, &plain::PlainOptions::SEARCH);
            assert_eq!(
                crate::search::text::tokens(&text),
                crate::search::text::tokens(&plain),
                "{text:?}"
            );
        }
        assert!(prose > 2_000, "only {prose} texts were plain prose");
    }

    #[test]
    fn excerpts_read_past_source_that_holds_few_words() {
        let tail =
            "and then the words that the excerpt should show, more than fit in it. ".repeat(3);
        for head in [
            format!("Start\n{}", "\n".repeat(700)),
            format!("Start $${}$$\n\n", "x^2 + ".repeat(150)),
            format!("Start [link](https://example.org/{})\n\n", "a".repeat(800)),
        ] {
            let text = format!("{head}{tail}");
            assert!(
                text.find("and then").unwrap() > 100 * 6,
                "the tail starts past the cut"
            );
            let excerpt = plain_excerpt(&text, 100);
            assert!(excerpt.contains("and then the words"), "{excerpt:?}");
            assert!(excerpt.ends_with('…'), "{excerpt:?}");
        }
    }

    #[test]
    fn plain_prose_excerpts_match_parsed_ones() {
        // An HTML comment first makes the text Markdown that must be parsed; it adds no words.
        for text in [
            "Plain prose.",
            "  Leading spaces,\n  lines\n\nand   paragraphs, then a long tail of words beyond fifty characters.",
            "Ünïcödé wörds ünd mörë wörds ünd mörë wörds ünd mörë wörds ünd mörë",
            "one-two three: four; (five) \"six\" 'seven' 8.9 {ten}",
        ] {
            assert!(crate::shortcuts::is_plain_prose(text), "{text}");
            let parsed = format!("<!-- -->\n\n{text}");
            assert!(!crate::shortcuts::is_plain_prose(&parsed));
            assert_eq!(
                plain_excerpt(text, 50),
                plain_excerpt(&parsed, 50),
                "{text}"
            );
        }
    }

    #[test]
    fn raw_html_is_escaped_by_default() {
        let out = html("Hi <script>alert(1)</script>\n\n<div onclick=x>block</div>\n");
        assert!(!out.contains("<script"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(!out.contains("<div"), "{out}");
    }

    #[test]
    fn raw_html_passes_when_the_owner_allows_it() {
        let out = render(
            "<b>bold</b>",
            MarkdownOptions {
                raw_html: RawHtml::Trusted,
                ..MarkdownOptions::default()
            },
        )
        .html;
        assert!(out.contains("<b>bold</b>"), "{out}");
    }

    #[test]
    fn script_links_are_refused() {
        let r = render(
            "[x](javascript:alert(1)) [y]( JaVa\tscript:1) ![i](data:text/html,x)",
            MarkdownOptions {
                math: MathMode::Off,
                ..MarkdownOptions::default()
            },
        );
        assert!(!r.html.contains("javascript"), "{}", r.html);
        assert!(!r.html.contains("data:"), "{}", r.html);
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
        assert!(is_script_url(" JaVa\tscript:1"));
        assert!(!is_script_url("https://example.org/javascript:"));
    }

    #[test]
    fn headings_get_unique_ids() {
        let out = html("## Results\n\n## Results\n\n## `code` and text\n");
        assert!(out.contains("<h2 id=\"results\">"), "{out}");
        assert!(out.contains("<h2 id=\"results-1\">"), "{out}");
        assert!(out.contains("<h2 id=\"code-and-text\">"), "{out}");
    }

    #[test]
    fn gfm_extensions_render() {
        let out = html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ text[^1]\n\n[^1]: note\n",
        );
        assert!(
            out.contains(
                "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Table\"><table>"
            ),
            "{out}"
        );
        assert!(
            out.contains("</table>\n</div>") || out.contains("</table></div>"),
            "{out}"
        );
        assert!(out.contains("☑</span> done"), "{out}");
        assert!(out.contains("<del>old</del>"), "{out}");
        assert!(out.contains("footnote"), "{out}");
    }
}
