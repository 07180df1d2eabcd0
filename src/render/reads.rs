//! What a page's context read of the model, recorded while the context is built.
//!
//! Contexts reach the model only through [`Model`], whose accessors note each paper, digest and
//! topic they hand out (or a whole collection, for a page that lists every one). `serve` keeps,
//! for every page, the reads of its last context and a hash of every entity; after an edit, only
//! pages that read an entity whose hash changed get a new context, and only those whose context
//! hash changed are rendered (`page_context.rs`). Nothing lists by hand what a page
//! depends on: a field a template can read is in its entity's hash (the model types derive
//! `Hash`), and an entity a context reads is recorded by the accessor that gave it.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use super::PlannedPage;
use crate::cite::{Citations, Record};
use crate::config::BaseUrl;
use crate::fingerprint::{hash_of, hasher};
use crate::images::{Images, Shape, Shown};
use crate::markdown::{AbstractHtml, SiteHtml};
use crate::model::people::{Lab, Person};
use crate::model::{Digest, Paper, Site, Topic};
use crate::related::Related;

/// One thing of the model a context read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Read {
    Paper(u32),
    Digest(u32),
    Topic(u32),
    /// Only what a link to the digest or topic shows: a page that links a topic does not
    /// depend on which papers it holds.
    DigestLabel(u32),
    TopicLabel(u32),
    /// Every paper, digest or topic (their number, order and contents).
    Papers,
    Digests,
    Topics,
    /// People, authors and the home page introduction of a theme with lab pages.
    Lab,
    /// Every planned page (the sitemap lists them).
    Pages,
    /// Which papers are related to a paper (not what they show: that is their `Paper` read).
    Related(u32),
}

thread_local! {
    /// One list per context (or shared value) being built on this thread, innermost last.
    static FRAMES: RefCell<Vec<Vec<Read>>> = const { RefCell::new(Vec::new()) };
}

fn record(read: Read) {
    FRAMES.with_borrow_mut(|frames| {
        if let Some(frame) = frames.last_mut() {
            frame.push(read);
        }
    });
}

/// Notes reads made earlier (by a shared value now used again) as made now.
pub(super) fn replay(reads: &[Read]) {
    FRAMES.with_borrow_mut(|frames| {
        if let Some(frame) = frames.last_mut() {
            frame.extend_from_slice(reads);
        }
    });
}

/// Whether reads are being recorded on this thread: shared values need to keep theirs only then.
pub(super) fn is_recording() -> bool {
    FRAMES.with_borrow(|frames| !frames.is_empty())
}

/// Runs `build`, returning what it made and, sorted and without repeats, what it read.
pub fn recording<T>(build: impl FnOnce() -> T) -> (T, Vec<Read>) {
    FRAMES.with_borrow_mut(|frames| frames.push(Vec::new()));
    // A panic would leave the frame behind; contexts do not panic on input (and a stray frame
    // only records more, never less).
    let made = build();
    let mut reads = FRAMES
        .with_borrow_mut(|frames| frames.pop())
        .unwrap_or_default();
    reads.sort_unstable();
    reads.dedup();
    (made, reads)
}

fn index(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 4 billion entities")
}

/// The model as contexts see it: every accessor records what it hands out.
#[derive(Clone, Copy)]
pub struct Model<'a> {
    site: &'a Site,
    html: &'a SiteHtml,
    citations: &'a Citations,
    lab: Option<&'a Lab>,
    home_intro: Option<&'a str>,
    pages: &'a [PlannedPage],
    /// Card-sized versions of thumbnails and photos; none for a model made without them.
    images: Option<&'a Images>,
    /// Each paper's related papers; none when `[related]` is off.
    related: Option<&'a Related>,
}

impl<'a> Model<'a> {
    pub fn new(
        site: &'a Site,
        html: &'a SiteHtml,
        citations: &'a Citations,
        pages: &'a [PlannedPage],
    ) -> Self {
        Model {
            site,
            html,
            citations,
            lab: None,
            home_intro: None,
            pages,
            images: None,
            related: None,
        }
    }

    pub fn with_related(self, related: Option<&'a Related>) -> Self {
        Model { related, ..self }
    }

    /// The papers related to paper `paper`, most related first (empty when `[related]` is
    /// off).
    pub fn related(&self, paper: usize) -> &'a [u32] {
        record(Read::Related(index(paper)));
        self.related.map_or(&[], |related| related.of(paper))
    }

    /// [`Model::related`] without recording: for rendering a context made with it.
    pub fn untracked_related(&self, paper: usize) -> &'a [u32] {
        self.related.map_or(&[], |related| related.of(paper))
    }

    pub fn with_images(self, images: &'a Images) -> Self {
        Model {
            images: Some(images),
            ..self
        }
    }

    pub fn with_lab(self, lab: Option<&'a Lab>, home_intro: Option<&'a str>) -> Self {
        Model {
            lab,
            home_intro,
            ..self
        }
    }

    pub fn paper(&self, i: usize) -> &'a Paper {
        record(Read::Paper(index(i)));
        &self.site.papers[i]
    }

    pub fn digest(&self, i: usize) -> &'a Digest {
        record(Read::Digest(index(i)));
        &self.site.digests[i]
    }

    pub fn topic(&self, i: usize) -> &'a Topic {
        record(Read::Topic(index(i)));
        &self.site.topics[i]
    }

    /// A digest's title, slug and date: what a link to it shows.
    pub fn digest_label(&self, i: usize) -> DigestLabel<'a> {
        record(Read::DigestLabel(index(i)));
        DigestLabel::of(&self.site.digests[i])
    }

    /// A topic's name and slug: what a link to it shows.
    pub fn topic_label(&self, i: usize) -> TopicLabel<'a> {
        record(Read::TopicLabel(index(i)));
        TopicLabel::of(&self.site.topics[i])
    }

    pub fn papers(&self) -> &'a [Paper] {
        record(Read::Papers);
        &self.site.papers
    }

    pub fn digests(&self) -> &'a [Digest] {
        record(Read::Digests);
        &self.site.digests
    }

    /// How many digests there are. Every digest has a page, so the planned pages stand for the
    /// number: a page that only counts digests (a paginator, a link to the next older one) does
    /// not depend on what each digest holds.
    pub fn digest_count(&self) -> usize {
        record(Read::Pages);
        self.site.digests.len()
    }

    /// The most voted papers of each period. Which papers they hold follows every paper's votes
    /// and first digest: a page that reads them depends on every paper.
    pub fn tops(&self) -> &'a [crate::model::Top] {
        record(Read::Papers);
        &self.site.tops
    }

    /// The title of the period page `label` (`2024-w11`), when the site has one. Top pages are
    /// planned pages: which exist is part of the plan, not of any paper.
    pub fn top_title(&self, label: &str) -> Option<&'a str> {
        record(Read::Pages);
        self.site
            .tops
            .iter()
            .find(|top| top.label == label)
            .map(|top| top.title.as_str())
    }

    /// Rising topics, most rising first. Which rise follows every topic's counts (in its hash)
    /// and the dates of the digests, which set the windows.
    pub fn rising(&self) -> &'a [usize] {
        record(Read::Topics);
        record(Read::Digests);
        &self.site.rising
    }

    pub fn topics(&self) -> &'a [Topic] {
        record(Read::Topics);
        &self.site.topics
    }

    /// How paper `paper`'s thumbnail is shown: none when it has none, or it could not be made.
    pub fn thumbnail(&self, paper: usize) -> Option<&'a Shown> {
        record(Read::Paper(index(paper)));
        self.thumbnail_of(paper)
    }

    fn thumbnail_of(&self, paper: usize) -> Option<&'a Shown> {
        let thumbnail = self.site.papers[paper].thumbnail.as_ref()?;
        self.images?.get(&thumbnail.path, Shape::Card)
    }

    /// How a person's photo is shown as `shape` (a person is part of the lab).
    pub fn photo(&self, person: &Person, shape: Shape) -> Option<&'a Shown> {
        record(Read::Lab);
        self.photo_of(person, shape)
    }

    fn photo_of(&self, person: &Person, shape: Shape) -> Option<&'a Shown> {
        self.images?.get(person.photo.as_deref()?, shape)
    }

    /// A paper's title as text, math made readable (`$\beta$-VAE` is `β-VAE`): for `<title>`,
    /// meta tags, feeds' titles and anything else that cannot hold markup.
    pub fn title_text(&self, paper: usize) -> &'a str {
        record(Read::Paper(index(paper)));
        match &self.html.titles[paper] {
            Some(forms) => &forms.text,
            None => &self.site.papers[paper].title,
        }
    }

    /// A paper's title as HTML: the text escaped, math as MathML.
    pub fn title_html(&self, paper: usize) -> std::borrow::Cow<'a, str> {
        record(Read::Paper(index(paper)));
        match &self.html.titles[paper] {
            Some(forms) => std::borrow::Cow::Borrowed(&forms.html),
            None => {
                let title = &self.site.papers[paper].title;
                let mut html = String::with_capacity(title.len() + 8);
                pulldown_cmark_escape::escape_html(&mut html, title)
                    .expect("writing to a String cannot fail");
                std::borrow::Cow::Owned(html)
            }
        }
    }

    /// A paper's abstract as HTML; plain prose is written for each call.
    pub fn abstract_html(&self, paper: usize) -> Option<std::borrow::Cow<'a, str>> {
        record(Read::Paper(index(paper)));
        match self.html.abstracts[paper].as_ref()? {
            AbstractHtml::Rendered(html) => Some(std::borrow::Cow::Borrowed(html)),
            AbstractHtml::PlainProse => {
                let text = self.site.papers[paper].abstract_md.as_deref()?;
                Some(std::borrow::Cow::Owned(crate::shortcuts::prose_html(text)))
            }
        }
    }

    /// A paper's abstract as plain text (math kept as TeX), made for each call.
    pub fn abstract_text(&self, paper: usize) -> Option<Arc<str>> {
        record(Read::Paper(index(paper)));
        crate::cite::plain_abstract(&self.site.papers[paper])
    }

    pub fn excerpt(&self, paper: usize) -> Option<&'a str> {
        record(Read::Paper(index(paper)));
        self.html.excerpts[paper].as_deref()
    }

    /// A digest's notes on each of its entries, as HTML, in entry order.
    pub fn notes(&self, digest: usize) -> &'a [Option<Arc<str>>] {
        record(Read::Digest(index(digest)));
        &self.html.notes[digest]
    }

    /// A digest's introduction as HTML.
    pub fn intro_html(&self, digest: usize) -> &'a str {
        record(Read::Digest(index(digest)));
        &self.html.intros[digest]
    }

    pub fn citation_key(&self, paper: usize) -> &'a str {
        record(Read::Paper(index(paper)));
        &self.citations.keys[paper]
    }

    pub fn bibtex(&self, paper: usize) -> &'a str {
        record(Read::Paper(index(paper)));
        &self.citations.bibtex[paper]
    }

    /// The paper as a citation record (it reads the paper and its first digest).
    pub fn citation_record(&self, base: &BaseUrl, paper: usize) -> Record<'a> {
        self.record_citation_reads(paper);
        self.citations.record(self.site, base, paper)
    }

    /// [`Model::citation_record`] with the plain-text abstract.
    pub fn citation_record_with_abstract(&self, base: &BaseUrl, paper: usize) -> Record<'a> {
        self.record_citation_reads(paper);
        self.citations.record_with_abstract(self.site, base, paper)
    }

    /// What a citation record reads: the paper, and the first digest that listed it.
    fn record_citation_reads(&self, paper: usize) {
        record(Read::Paper(index(paper)));
        if let Some(&first) = self.site.papers[paper].appearances.first() {
            record(Read::Digest(index(first)));
        }
    }

    pub fn lab(&self) -> Option<&'a Lab> {
        if self.lab.is_some() {
            record(Read::Lab);
        }
        self.lab
    }

    /// `content/_index.md` as HTML, for a theme's home page.
    pub fn home_intro(&self) -> Option<&'a str> {
        record(Read::Lab);
        self.home_intro
    }

    pub fn pages(&self) -> &'a [PlannedPage] {
        record(Read::Pages);
        self.pages
    }

    /// The planned pages without recording, for the engine.
    pub fn untracked_pages(&self) -> &'a [PlannedPage] {
        self.pages
    }

    /// The model without recording: for outputs that are not page contexts (citation files,
    /// the search index), which keep caches of their own.
    pub fn untracked(&self) -> (&'a Site, &'a Citations) {
        (self.site, self.citations)
    }
}

/// What a link to a digest shows; its hash is the digest label's entity hash.
#[derive(Debug, Clone, Copy, Hash)]
pub struct DigestLabel<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub date: jiff::civil::Date,
}

impl<'a> DigestLabel<'a> {
    fn of(digest: &'a Digest) -> Self {
        DigestLabel {
            title: &digest.title,
            slug: &digest.slug,
            date: digest.date,
        }
    }
}

/// What a link to a topic shows; its hash is the topic label's entity hash.
#[derive(Debug, Clone, Copy, Hash)]
pub struct TopicLabel<'a> {
    pub name: &'a str,
    pub slug: &'a str,
}

impl<'a> TopicLabel<'a> {
    fn of(topic: &'a Topic) -> Self {
        TopicLabel {
            name: &topic.name,
            slug: &topic.slug,
        }
    }
}

/// A hash of every entity of one build, to tell which ones the next build changed.
#[derive(Debug, Default)]
pub struct EntityHashes {
    papers: Vec<u64>,
    digests: Vec<u64>,
    topics: Vec<u64>,
    digest_labels: Vec<u64>,
    topic_labels: Vec<u64>,
    all: [u64; 3],
    lab: u64,
    pages: u64,
    related: Vec<u64>,
}

impl EntityHashes {
    pub fn new(model: &Model) -> Self {
        let site = model.site;
        let citations = model.citations;
        // Markdown's HTML is a function of the entity's text and the configuration (a new
        // configuration starts `serve` over), so the model's fields stand for it; citation
        // keys depend on other papers, so they are hashed with the paper.
        let papers: Vec<u64> = site
            .papers
            .par_iter()
            .enumerate()
            .map(|(i, paper)| {
                // The card shows the thumbnail's size, made from the image's bytes.
                let thumbnail = model.thumbnail_of(i);
                hash_of((
                    paper,
                    &citations.keys[i],
                    citations.fingerprints[i],
                    thumbnail,
                ))
            })
            .collect();
        let digests: Vec<u64> = site.digests.par_iter().map(hash_of).collect();
        let topics: Vec<u64> = site.topics.iter().map(hash_of).collect();
        let digest_labels = site
            .digests
            .iter()
            .map(|d| hash_of(DigestLabel::of(d)))
            .collect();
        let topic_labels = site
            .topics
            .iter()
            .map(|t| hash_of(TopicLabel::of(t)))
            .collect();
        let all = [hash_of(&papers), hash_of(&digests), hash_of(&topics)];
        let lab = model.lab.map_or(0, |lab| {
            let mut h = hasher();
            format!("{lab:?}").hash(&mut h);
            model.home_intro.hash(&mut h);
            for person in &lab.people.persons {
                for shape in [Shape::PhotoSmall, Shape::Photo] {
                    model.photo_of(person, shape).hash(&mut h);
                }
            }
            h.finish()
        });
        let pages = hash_of(model.pages.iter().map(|p| &p.output).collect::<Vec<_>>());
        let related = model.related.map_or_else(Vec::new, |related| {
            related.lists.iter().map(hash_of).collect()
        });
        EntityHashes {
            papers,
            digests,
            topics,
            digest_labels,
            topic_labels,
            all,
            lab,
            pages,
            related,
        }
    }

    fn get(&self, read: Read) -> Option<u64> {
        match read {
            Read::Paper(i) => self.papers.get(i as usize).copied(),
            Read::Digest(i) => self.digests.get(i as usize).copied(),
            Read::Topic(i) => self.topics.get(i as usize).copied(),
            Read::DigestLabel(i) => self.digest_labels.get(i as usize).copied(),
            Read::TopicLabel(i) => self.topic_labels.get(i as usize).copied(),
            Read::Papers => Some(self.all[0]),
            Read::Digests => Some(self.all[1]),
            Read::Topics => Some(self.all[2]),
            Read::Lab => Some(self.lab),
            Read::Pages => Some(self.pages),
            // With `[related]` off every list is empty, and a new configuration starts over.
            Read::Related(i) => Some(self.related.get(i as usize).copied().unwrap_or(0)),
        }
    }

    /// Whether everything in `reads` is as it was in `previous`.
    pub fn unchanged_since(&self, previous: &EntityHashes, reads: &[Read]) -> bool {
        reads.iter().all(
            |&read| matches!((self.get(read), previous.get(read)), (Some(a), Some(b)) if a == b),
        )
    }
}
