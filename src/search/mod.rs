//! The search index: derived from the model beside page rendering (stage 7), written under
//! `search/`, read in the browser by `search/search.js`. No server, no external request.
//!
//! [`build_index`] is a pure function of the [`Site`], so a rebuild can redo it at any time. Papers
//! are numbered newest first (publication date, else the first digest that listed them), which
//! makes "newer first" the natural order of every list and a year a range of numbers.
//!
//! | file | what | fetched |
//! |---|---|---|
//! | `search/index.json` | manifest: shard separators, topics, venues, years, build id | first |
//! | `search/t/N.bin` | terms and word aliases with their lists ([`shards`]) | per query word |
//! | `search/p/N.bin` | union lists of common prefixes | per typed prefix |
//! | `search/d/N.json` | [`DOCS_PER_CHUNK`] papers: slug, title, authors, date, topics, venue, abstract | per shown result |
//! | `search/facets.bin` | papers of each topic and venue (lists as in [`postings`]) | for filters and counts |
//! | `search/search.js` | the reader and the interface (no dependencies) | when a reader comes to search |
//! | `search/box.js` | the search box's loader, which fetches `search.js` | on every page, deferred |
//!
//! The browser fetches everything but the manifest with `?v=<build id>`, so a cached manifest
//! never meets shards from another build.

pub mod postings;
pub mod shards;
pub mod terms;
pub mod text;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use crate::markdown::plain::{PlainOptions, plain_text, text_for_words};
use crate::model::Site;

/// Papers per file of paper records: a result list fetches one file per shown result at worst.
pub const DOCS_PER_CHUNK: usize = 8;
/// Longest list of prefixes the manifest carries (about 5 bytes each, gzipped less).
pub const PREFIX_LIST_MAX: usize = 3000;
/// Version of the file formats; `search.js` refuses others.
pub const FORMAT: u32 = 1;
/// The browser script, written to `search/search.js`.
pub const SCRIPT: &str = include_str!("search.js");
/// The search box's loader, written to `search/box.js`: it fetches [`SCRIPT`] when a reader comes
/// to search. A file of its own, so pages link it instead of each carrying it inline.
pub const BOX_SCRIPT: &str = include_str!("box.js");

/// Every file of the index: path relative to the output folder, bytes.
pub type SearchFiles = Vec<(String, Arc<[u8]>)>;

#[derive(Serialize)]
struct Manifest<'a> {
    format: u32,
    /// Changes whenever any index file does.
    build: String,
    papers: usize,
    chunk: usize,
    min_prefix: usize,
    /// Separators of `t/N.bin` and `p/N.bin`.
    terms: Vec<String>,
    prefixes: Vec<String>,
    /// Every prefix with a union in `p/`, when there are at most [`PREFIX_LIST_MAX`]: the browser
    /// then fetches a prefix shard only when it holds the typed prefix.
    prefix_list: Option<Vec<&'a str>>,
    /// `[name, slug]`, indexed by the topic numbers in records and facets.
    topics: Vec<[&'a str; 2]>,
    venues: Vec<&'a str>,
    /// `[year, first paper number]`, newest first.
    years: Vec<[i64; 2]>,
    stop_words: &'a [&'a str],
}

/// The date a paper is sorted and filtered by.
fn paper_date(site: &Site, paper: usize) -> Date {
    let paper = &site.papers[paper];
    paper.published.map_or_else(
        || site.digests[paper.appearances[0]].date,
        |date| date.first_day(),
    )
}

/// A title as results show it and words are found in it: math as readable text, so neither
/// shows raw TeX (`$\sigma$` is `σ`).
fn readable_title(title: &str) -> Cow<'_, str> {
    if title.contains('$') {
        Cow::Owned(crate::markdown::title::title_text(title))
    } else {
        Cow::Borrowed(title)
    }
}

/// Paper indices in search order: newest first, ties by the newest digest, then slug.
pub fn search_order(site: &Site) -> Vec<usize> {
    let mut order: Vec<usize> = (0..site.papers.len()).collect();
    // Slugs are unique: the order is total, and an unstable sort gives the same result.
    order.par_sort_unstable_by(|&a, &b| {
        let (pa, pb) = (&site.papers[a], &site.papers[b]);
        paper_date(site, b)
            .cmp(&paper_date(site, a))
            .then(pb.last_featured.cmp(&pa.last_featured))
            .then(pa.slug.cmp(&pb.slug))
    });
    order
}

/// Builds every file of the search index from the model.
pub fn build_index(site: &Site) -> SearchFiles {
    match update_index(site, &mut IndexCache::one_off()) {
        IndexUpdate::Files(files, _) => files,
        IndexUpdate::Unchanged => unreachable!("an empty cache never matches"),
    }
}

/// What the last index was made from, so that `serve` redoes only what a save changed:
/// tokenised blocks of papers and paper record files, each under a hash of its inputs. Holds the
/// last build's entries only.
#[derive(Default)]
pub struct IndexCache {
    /// A hash of every input of the index; `None` before the first build.
    inputs: Option<u64>,
    /// The files of the last index, by path.
    pub paths: Vec<String>,
    blocks: terms::BlockCache,
    /// The content hash ([`content_hash`]) of each `search/d/N.json` last time, by N: enough to
    /// compute the build id without keeping the files' bytes (tens of megabytes at 50,000
    /// papers, already kept by whatever the files were written to).
    chunk_hashes: Vec<u64>,
    /// The key of each `search/d/N.json` last time, by N.
    chunk_keys: Vec<u64>,
    /// A one-off build keeps no pieces for a next one.
    forget: bool,
}

impl IndexCache {
    /// A cache that keeps no pieces: for a build that has no next one.
    pub fn one_off() -> Self {
        IndexCache {
            forget: true,
            ..Self::default()
        }
    }

    /// Whether it holds a previous build's index.
    pub fn is_warm(&self) -> bool {
        self.inputs.is_some()
    }
}

pub enum IndexUpdate {
    /// Nothing the index is made of changed: its files are [`IndexCache::paths`].
    Unchanged,
    /// Every file, and the indices (into the files) of those made from the same inputs as the
    /// file at the same path last time: their bytes are left out (empty), the output keeps them.
    Files(SearchFiles, Vec<usize>),
}

/// Everything about one paper that its search record or its words are made of.
fn paper_search_key(site: &Site, index: usize) -> u64 {
    let paper = &site.papers[index];
    let mut h = crate::fingerprint::hasher();
    // `content` stands for every field read from the digest files.
    (paper.content, paper_date(site, index), paper.last_featured).hash(&mut h);
    paper.topics.hash(&mut h);
    for &topic in &paper.topics {
        site.topics[topic].name.hash(&mut h);
    }
    h.finish()
}

/// The search index for `site`, or [`IndexUpdate::Unchanged`] when nothing it is made of changed
/// since the build that filled `cache`.
pub fn update_index(site: &Site, cache: &mut IndexCache) -> IndexUpdate {
    let paper_keys: Vec<u64> = (0..site.papers.len())
        .into_par_iter()
        .map(|p| paper_search_key(site, p))
        .collect();
    let inputs = {
        let mut h = crate::fingerprint::hasher();
        paper_keys.hash(&mut h);
        for topic in &site.topics {
            (&topic.name, &topic.slug).hash(&mut h);
        }
        h.finish()
    };
    if cache.inputs == Some(inputs) {
        return IndexUpdate::Unchanged;
    }
    let papers = OrderedPapers::new(site, paper_keys);
    let mut files = SearchFiles::new();
    let (index, term_separators, prefix_separators) = term_files(&papers, cache, &mut files);
    let (same, record_hashes) = record_files(&papers, cache, &mut files);
    files.push((
        "search/facets.bin".into(),
        facets(site, &papers.order, &papers.venues, &|p| papers.venue_of(p)).into(),
    ));
    let manifest = Manifest {
        format: FORMAT,
        build: String::new(),
        papers: papers.order.len(),
        chunk: DOCS_PER_CHUNK,
        min_prefix: terms::MIN_PREFIX_CHARS,
        terms: term_separators,
        prefixes: prefix_separators,
        prefix_list: (index.prefixes.len() <= PREFIX_LIST_MAX)
            .then(|| index.prefixes.iter().map(|(p, _)| p.as_str()).collect()),
        topics: site
            .topics
            .iter()
            .map(|t| [t.name.as_str(), t.slug.as_str()])
            .collect(),
        venues: papers.venues.iter().map(|(v, _)| *v).collect(),
        years: year_starts(&papers),
        stop_words: text::STOP_WORDS,
    };
    let build = build_id(&files, &record_hashes, &manifest);
    let manifest = Manifest { build, ..manifest };
    files.push((
        "search/index.json".into(),
        serde_json::to_vec(&manifest)
            .expect("manifest serialises")
            .into(),
    ));
    files.push(("search/search.js".into(), SCRIPT.as_bytes().into()));
    files.push(("search/box.js".into(), BOX_SCRIPT.as_bytes().into()));
    cache.inputs = Some(inputs);
    cache.paths = files.iter().map(|(path, _)| path.clone()).collect();
    IndexUpdate::Files(files, same)
}

/// The papers in search order, with what the index files read about each.
struct OrderedPapers<'a> {
    site: &'a Site,
    /// Paper indices, newest first ([`search_order`]).
    order: Vec<usize>,
    /// [`paper_search_key`] of each paper, by paper index.
    keys: Vec<u64>,
    /// Venue names with their paper counts ([`venue_list`]).
    venues: Vec<(&'a str, usize)>,
    venue_numbers: HashMap<&'a str, usize>,
}

impl<'a> OrderedPapers<'a> {
    fn new(site: &'a Site, keys: Vec<u64>) -> Self {
        let order = search_order(site);
        let venues = venue_list(site, &order);
        let venue_numbers = venues
            .iter()
            .enumerate()
            .map(|(i, (v, _))| (*v, i))
            .collect();
        OrderedPapers {
            site,
            order,
            keys,
            venues,
            venue_numbers,
        }
    }

    /// Paper `p`'s abstract as plain text, made for each use: for the blocks and record files
    /// that are made again (on a save, one block and one file). Keeping them between the two
    /// would hold every abstract of a large site at once while its index is made (1.2 KB a
    /// paper) to save making it a second time.
    fn plain_abstract(&self, p: usize) -> String {
        self.site.papers[p]
            .abstract_md
            .as_deref()
            .map(|a| plain_text(a, &PlainOptions::SEARCH))
            .unwrap_or_default()
    }

    /// Paper `p`'s abstract as text to tokenise: the words of its plain text.
    fn abstract_to_tokenise(&self, p: usize) -> Cow<'a, str> {
        self.site.papers[p]
            .abstract_md
            .as_deref()
            .map_or(Cow::Borrowed(""), |text| {
                text_for_words(text, &PlainOptions::SEARCH)
            })
    }

    /// The number of paper `p`'s venue in the manifest's list.
    fn venue_of(&self, p: usize) -> Option<usize> {
        let venue = self.site.papers[p].venue.as_deref()?;
        self.venue_numbers.get(venue).copied()
    }
}

/// `search/t/N.bin` and `search/p/N.bin` into `files`; returns the term index (the manifest lists
/// its prefixes) and the separators of both kinds of shard.
fn term_files(
    papers: &OrderedPapers,
    cache: &mut IndexCache,
    files: &mut SearchFiles,
) -> (terms::TermIndex, Vec<String>, Vec<String>) {
    let site = papers.site;
    let ordered_keys: Vec<u64> = papers.order.iter().map(|&p| papers.keys[p]).collect();
    let make_block = |range: std::ops::Range<usize>| {
        let titles: Vec<Cow<str>> = papers.order[range.clone()]
            .iter()
            .map(|&p| readable_title(&site.papers[p].title))
            .collect();
        let abstracts: Vec<Cow<str>> = papers.order[range.clone()]
            .iter()
            .map(|&p| papers.abstract_to_tokenise(p))
            .collect();
        let fields: Vec<terms::DocFields> = papers.order[range]
            .iter()
            .zip(titles.iter().zip(&abstracts))
            .map(|(&p, (title, abstract_text))| {
                let paper = &site.papers[p];
                let mut body = vec![abstract_text.as_ref(), paper.id.as_str()];
                body.extend(paper.topics.iter().map(|&t| site.topics[t].name.as_str()));
                body.extend(paper.venue.as_deref());
                [
                    vec![&**title],
                    paper.authors.iter().map(String::as_str).collect(),
                    body,
                ]
            })
            .collect();
        terms::tokenise_block(&fields)
    };
    let index = terms::index_cached(&ordered_keys, &make_block, &mut cache.blocks, !cache.forget);
    let term_shards = shards::cut(merge_keys(&index));
    for (i, file) in term_shards.files.into_iter().enumerate() {
        files.push((format!("search/t/{i}.bin"), file.into()));
    }
    let prefix_shards = shards::cut(
        index
            .prefixes
            .iter()
            .map(|(p, lists)| (p.as_str(), shards::Value::Lists(lists))),
    );
    for (i, file) in prefix_shards.files.into_iter().enumerate() {
        files.push((format!("search/p/{i}.bin"), file.into()));
    }
    (index, term_shards.separators, prefix_shards.separators)
}

/// `search/d/N.json`, [`DOCS_PER_CHUNK`] paper records each, into `files`, taking unchanged ones
/// from the cache. Returns the indices (into `files`) of those made from the same inputs as the
/// file at the same path last time, which are left empty in `files`, and every record file's
/// index with its content hash, for the build id.
fn record_files(
    papers: &OrderedPapers,
    cache: &mut IndexCache,
    files: &mut SearchFiles,
) -> (Vec<usize>, Vec<(usize, u64)>) {
    let site = papers.site;
    let chunks: Vec<(u64, u64, bool, Arc<[u8]>)> = papers
        .order
        .par_chunks(DOCS_PER_CHUNK)
        .enumerate()
        .map(|(i, chunk)| {
            let mut h = crate::fingerprint::hasher();
            for &p in chunk {
                (papers.keys[p], papers.venue_of(p)).hash(&mut h);
            }
            let key = h.finish();
            if cache.chunk_keys.get(i) == Some(&key)
                && let Some(&hash) = cache.chunk_hashes.get(i)
            {
                return (key, hash, true, Arc::from(&[][..]));
            }
            let records: Vec<_> = chunk
                .iter()
                .map(|&p| {
                    let paper = &site.papers[p];
                    (
                        &paper.slug,
                        readable_title(&paper.title),
                        &paper.authors,
                        paper_date(site, p).to_string(),
                        &paper.topics,
                        papers.venue_of(p),
                        papers.plain_abstract(p),
                    )
                })
                .collect();
            let json = serde_json::to_vec(&records).expect("records serialise");
            (key, content_hash(&json), false, json.into())
        })
        .collect();
    let mut same = Vec::new();
    let mut hashes = Vec::with_capacity(chunks.len());
    for (i, (_, hash, is_same, json)) in chunks.iter().enumerate() {
        if *is_same {
            same.push(files.len());
        }
        hashes.push((files.len(), *hash));
        files.push((format!("search/d/{i}.json"), json.clone()));
    }
    cache.chunk_keys = chunks.iter().map(|(key, ..)| *key).collect();
    if !cache.forget {
        cache.chunk_hashes = chunks.iter().map(|(_, hash, ..)| *hash).collect();
    }
    (same, hashes)
}

/// `[year, number of its first paper]` for every year, newest first.
fn year_starts(papers: &OrderedPapers) -> Vec<[i64; 2]> {
    let mut years: Vec<[i64; 2]> = Vec::new();
    for (n, &p) in papers.order.iter().enumerate() {
        let year = i64::from(paper_date(papers.site, p).year());
        if years.last().is_none_or(|&[y, _]| y != year) {
            years.push([year, n as i64]);
        }
    }
    years
}

/// Terms and aliases in one sorted list of dictionary entries.
fn merge_keys(index: &terms::TermIndex) -> Vec<(&str, shards::Value<'_>)> {
    let mut keys: Vec<(&str, shards::Value)> = index
        .terms
        .iter()
        .zip(&index.lists)
        .map(|(t, l)| (t.as_str(), shards::Value::Lists(l)))
        .chain(index.aliases.iter().map(|(a, t)| {
            (
                a.as_str(),
                shards::Value::Alias(index.terms[*t as usize].as_str()),
            )
        }))
        .collect();
    keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
    keys
}

/// Venues by number of papers, then name.
fn venue_list<'a>(site: &'a Site, order: &[usize]) -> Vec<(&'a str, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for &p in order {
        if let Some(v) = site.papers[p].venue.as_deref() {
            *counts.entry(v).or_default() += 1;
        }
    }
    let mut venues: Vec<(&str, usize)> = counts.into_iter().collect();
    venues.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    venues
}

/// Varint topic count, each topic's papers; varint venue count, each venue's papers.
fn facets(
    site: &Site,
    order: &[usize],
    venues: &[(&str, usize)],
    venue_of: &dyn Fn(usize) -> Option<usize>,
) -> Vec<u8> {
    let mut by_topic = vec![Vec::new(); site.topics.len()];
    let mut by_venue = vec![Vec::new(); venues.len()];
    for (n, &p) in order.iter().enumerate() {
        for &t in &site.papers[p].topics {
            by_topic[t].push(n as u32);
        }
        if let Some(v) = venue_of(p) {
            by_venue[v].push(n as u32);
        }
    }
    let mut out = Vec::new();
    for lists in [by_topic, by_venue] {
        postings::push_varint(&mut out, lists.len() as u64);
        for list in lists {
            postings::encode(&list, &mut out);
        }
    }
    out
}

/// A 64-bit hash of `bytes`, eight bytes at a time.
fn content_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        h = (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A hash of every file and the manifest: the same site gives the same id, and a change to any
/// file gives another. Files are hashed in parallel, but for those whose content hash is `known`
/// (the record files: some are left empty because they are unchanged).
fn build_id(files: &SearchFiles, known: &[(usize, u64)], manifest: &Manifest) -> String {
    let hash = content_hash;
    let known: HashMap<usize, u64> = known.iter().copied().collect();
    let parts: Vec<u64> = files
        .par_iter()
        .enumerate()
        .map(|(i, (path, bytes))| {
            let content = known.get(&i).copied().unwrap_or_else(|| hash(bytes));
            hash(path.as_bytes()) ^ content.rotate_left(17)
        })
        .collect();
    let mut total = hash(&serde_json::to_vec(manifest).expect("manifest serialises"));
    for part in parts.into_iter().chain([hash(SCRIPT.as_bytes())]) {
        total = (total ^ part)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(31);
    }
    format!("{total:016x}")
}
