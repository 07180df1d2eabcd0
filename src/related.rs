//! Related papers: for every paper, the few others of the site most like it.
//!
//! Likeness is the cosine of tf-idf vectors over stemmed title and abstract terms (a title term
//! counts twice), plus a bonus for each shared topic and each shared author. Stop words and the
//! usual filler of abstracts are not terms; idf discounts what is left in proportion to how
//! common it is.
//!
//! Comparing every pair would be quadratic. Instead each paper keeps only its [`QUERY_TERMS`]
//! heaviest terms, an inverted index maps each term to the papers that kept it (the
//! [`LIST_LIMIT`] heaviest of them), and a paper's candidates are the papers on its terms' lists
//! and its authors' lists: the cost grows with the papers times a bounded list length.
//!
//! Scores are integers (weights quantised to 16 bits), so sums do not depend on the order they
//! are made in, and ties go to the paper that sorts first: a rebuild in `serve` from cached
//! terms gives exactly what a clean build gives.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, LazyLock};

use rayon::prelude::*;

use crate::fingerprint::hash_of;
use crate::model::Site;
use crate::search::text;

/// Terms of a paper that look for others.
pub const QUERY_TERMS: usize = 32;
/// Terms of a paper that others can find it by; the rest still count in its vector's length.
pub const INDEX_TERMS: usize = 64;
/// Papers kept on one term's list: the ones where the term weighs most. A term kept by more
/// papers than this says little about any two of them.
pub const LIST_LIMIT: usize = 50;
/// An author with more papers than this (a consortium, a lab's head) links too many to mean much.
const AUTHOR_LIMIT: usize = 50;
/// The authors of one paper looked up, in byline order.
const AUTHORS_LOOKED_UP: usize = 20;

/// Quantised weights: a unit vector's components scaled to 16 bits.
const SCALE: u64 = 65_535;
/// A shared topic adds this much of a cosine (0.05), up to [`BONUS_CAP`] topics.
const TOPIC_BONUS: u64 = SCALE * SCALE / 20;
/// A shared author adds this much of a cosine (0.1), up to [`BONUS_CAP`] authors.
const AUTHOR_BONUS: u64 = SCALE * SCALE / 10;
const BONUS_CAP: u64 = 3;
/// Papers whose text shares less than this cosine (0.06) are not related by text alone.
const MIN_SCORE: u64 = SCALE * SCALE * 6 / 100;

/// Words every abstract uses whatever it is about, as stems.
const FILLER: &[&str] = &[
    "paper",
    "propos",
    "present",
    "show",
    "demonstr",
    "achiev",
    "novel",
    "new",
    "result",
    "approach",
    "method",
    "experi",
    "perform",
    "base",
    "well",
    "exist",
    "signific",
    "outperform",
    "state",
    "art",
    "work",
    "use",
    "studi",
    "code",
    "avail",
    "https",
    "http",
    "github",
    "com",
    "www",
    "org",
];

/// Stems of [`FILLER`], by hash.
static SKIPPED: LazyLock<std::collections::HashSet<u64>> =
    LazyLock::new(|| FILLER.iter().map(hash_of).collect());

/// A paper's terms as `(term hash, count)`, title terms counted twice, sorted by hash.
type HashedTerms = Vec<(u64, u32)>;

/// A paper's terms as `(term number, count)`, numbered by [`TermNumbers`].
pub type DocTerms = Arc<[(u32, u32)]>;

/// Every term met, numbered in the order met; a number stands for its term from then on.
#[derive(Default)]
struct TermNumbers {
    numbers: TermMap<u32>,
    /// Each number's term hash: ties between equally weighted terms go by it, so that results
    /// do not depend on the order terms were met in.
    hashes: Vec<u64>,
}

impl TermNumbers {
    fn number(&mut self, terms: HashedTerms) -> DocTerms {
        terms
            .into_iter()
            .map(|(hash, count)| {
                let next = u32::try_from(self.hashes.len()).unwrap_or(u32::MAX);
                let number = *self.numbers.entry(hash).or_insert(next);
                if number == next {
                    self.hashes.push(hash);
                }
                (number, count)
            })
            .collect()
    }
}

/// What related papers are made from, kept between builds by `serve`: each paper's terms by
/// its `content` hash (a save tokenises again only the papers it changed), and the last result
/// with a hash of its inputs (a save that changes no paper's words, authors or topics, such as
/// new notes or votes, ranks nothing again).
#[derive(Default)]
pub struct RelatedCache {
    numbers: TermNumbers,
    docs: HashMap<u64, DocTerms>,
    last: Option<(u64, Arc<Related>)>,
}

/// For every paper (by index), its related papers, most related first.
#[derive(Debug, Default)]
pub struct Related {
    pub lists: Vec<Box<[u32]>>,
}

impl Related {
    pub fn of(&self, paper: usize) -> &[u32] {
        self.lists.get(paper).map_or(&[], |list| list)
    }
}

/// Hashes that are already hashes: the term map needs no second hashing.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type TermMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// The `count` papers most related to each paper of `site`. `cache` keeps terms between builds.
pub fn related(site: &Site, count: usize, cache: Option<&mut RelatedCache>) -> Arc<Related> {
    if count == 0 {
        return Arc::new(Related {
            lists: vec![Box::default(); site.papers.len()],
        });
    }
    let mut one_off = RelatedCache::default();
    let is_one_off = cache.is_none();
    let cache = cache.unwrap_or(&mut one_off);
    let docs = terms_of_papers(site, cache, is_one_off);
    // A one-off build has no earlier result to compare with.
    let inputs = (!is_one_off).then(|| {
        hash_of((
            count,
            site.papers
                .par_iter()
                .zip(&docs)
                .map(|(paper, terms)| hash_of((&**terms, &paper.authors, &paper.topics)))
                .collect::<Vec<u64>>(),
        ))
    });
    if let (Some((hash, related)), Some(inputs)) = (&cache.last, inputs)
        && *hash == inputs
    {
        return Arc::clone(related);
    }
    let vectors = weigh(&docs, &cache.numbers);
    drop(docs);
    let lists = inverted_lists(&vectors, cache.numbers.hashes.len());
    let authors = author_lists(site);
    // On a site of at most 128 topics, each paper's topics as one bit set: counting shared
    // topics is then one instruction instead of a walk through two papers' lists.
    let topic_masks: Option<Vec<u128>> = (site.topics.len() <= 128).then(|| {
        site.papers
            .iter()
            .map(|paper| paper.topics.iter().fold(0u128, |mask, &t| mask | 1 << t))
            .collect()
    });
    let index = Index {
        vectors,
        lists,
        authors,
        topic_masks,
    };
    let indices: Vec<usize> = (0..site.papers.len()).collect();
    let lists = indices
        .par_chunks(256)
        .flat_map_iter(|chunk| {
            SCRATCH.with_borrow_mut(|scratch| {
                scratch.reset(site.papers.len());
                chunk
                    .iter()
                    .map(|&paper| scratch.rank(site, &index, paper, count))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let related = Arc::new(Related { lists });
    if let Some(inputs) = inputs {
        cache.last = Some((inputs, Arc::clone(&related)));
    }
    related
}

/// Papers per tokenising task, which shares one table of the words it met.
const TOKENISING_BLOCK: usize = 256;

fn terms_of_papers(site: &Site, cache: &mut RelatedCache, is_one_off: bool) -> Vec<DocTerms> {
    let known = &cache.docs;
    // Papers whose terms are not known yet are tokenised in parallel, then numbered in order.
    let found: Vec<Result<DocTerms, HashedTerms>> = site
        .papers
        .par_chunks(TOKENISING_BLOCK)
        .flat_map_iter(|papers| {
            let mut words = Words::default();
            papers
                .iter()
                .map(|paper| match known.get(&paper.content) {
                    Some(terms) => Ok(Arc::clone(terms)),
                    None => Err(words.doc_terms(paper)),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let docs: Vec<DocTerms> = found
        .into_iter()
        .map(|terms| terms.unwrap_or_else(|new| cache.numbers.number(new)))
        .collect();
    if !is_one_off {
        // Only this build's papers stay: the cache never outgrows the site.
        cache.docs = site
            .papers
            .iter()
            .zip(&docs)
            .map(|(paper, terms)| (paper.content, Arc::clone(terms)))
            .collect();
    }
    docs
}

/// Folded words met so far with their term (none for words that are not terms): stemming
/// each word once per block rather than at every use.
#[derive(Default)]
struct Words {
    terms: HashMap<Box<str>, Option<u64>, ahash::RandomState>,
    /// The current paper's terms, once per use, reused from paper to paper.
    found: Vec<u64>,
}

impl Words {
    fn term(&mut self, token: &str) -> Option<u64> {
        if let Some(&term) = self.terms.get(token) {
            return term;
        }
        let term = text::is_indexed(token)
            .then(|| hash_of(text::stem(token)))
            .filter(|term| !SKIPPED.contains(term));
        self.terms.insert(token.into(), term);
        term
    }

    fn doc_terms(&mut self, paper: &crate::model::Paper) -> HashedTerms {
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        let mut add = |text: &str, uses: usize| {
            let text = without_tex_commands(text);
            text::for_each_token(&text, |token| {
                if let Some(term) = self.term(token) {
                    found.extend(std::iter::repeat_n(term, uses));
                }
            });
        };
        add(&paper.title, 2);
        if let Some(abstract_md) = &paper.abstract_md {
            add(abstract_md, 1);
        }
        found.sort_unstable();
        let mut terms: HashedTerms = Vec::new();
        for term in found.chunk_by(|a, b| a == b) {
            terms.push((term[0], term.len() as u32));
        }
        self.found = found;
        terms
    }
}

/// `text` without TeX commands (`\mathcal`, `\left`): they are notation, not subject.
fn without_tex_commands(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\\') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            while chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A paper's heaviest terms, as `(term number, quantised weight)`: the [`QUERY_TERMS`] heaviest
/// first, in no order, then the rest of the [`INDEX_TERMS`] heaviest.
struct Vector {
    terms: Box<[(u32, u32)]>,
}

/// Counts the papers each term occurs in, and gives each paper its heaviest terms weighted by
/// `(1 + ln tf) · idf`, over the length of its whole vector.
fn weigh(docs: &[DocTerms], numbers: &TermNumbers) -> Vec<Vector> {
    let mut df = vec![0u32; numbers.hashes.len()];
    for terms in docs {
        for &(number, _) in terms.iter() {
            df[number as usize] += 1;
        }
    }
    let papers = docs.len() as f64;
    let idf: Vec<f64> = df
        .iter()
        .map(|&df| (1.0 + (papers - f64::from(df) + 0.5) / (f64::from(df) + 0.5)).ln())
        .collect();
    let heavier = |a: &(f64, u64, u32, u32), b: &(f64, u64, u32, u32)| {
        b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
    };
    docs.par_iter()
        .map(|terms| {
            // In term-hash order (as numbered), so the length is summed in the same order
            // whatever the numbering.
            let mut weighted: Vec<(f64, u64, u32, u32)> = terms
                .iter()
                .map(|&(number, count)| {
                    let weight = (1.0 + f64::from(count).ln()) * idf[number as usize];
                    let number_at = number as usize;
                    (weight, numbers.hashes[number_at], number, df[number_at])
                })
                .collect();
            let length = weighted.iter().map(|w| w.0 * w.0).sum::<f64>().sqrt();
            // A term no other paper has cannot find one.
            weighted.retain(|w| w.3 > 1);
            // The heaviest INDEX_TERMS, the heaviest QUERY_TERMS of them first: which terms,
            // not their order, is what counts.
            if weighted.len() > INDEX_TERMS {
                weighted.select_nth_unstable_by(INDEX_TERMS - 1, heavier);
                weighted.truncate(INDEX_TERMS);
            }
            if weighted.len() > QUERY_TERMS {
                weighted.select_nth_unstable_by(QUERY_TERMS - 1, heavier);
            }
            let terms = weighted
                .iter()
                .map(|&(weight, _, number, _)| {
                    let quantised = (weight / length * SCALE as f64).round() as u32;
                    (number, quantised.max(1))
                })
                .collect();
            Vector { terms }
        })
        .collect()
}

/// For each term number, the papers that kept it with their weight: the [`LIST_LIMIT`]
/// heaviest, in no order (scores are sums of integers).
fn inverted_lists(vectors: &[Vector], terms: usize) -> Vec<Vec<(u32, u32)>> {
    let mut lists: Vec<Vec<(u32, u32)>> = vec![Vec::new(); terms];
    for (paper, vector) in vectors.iter().enumerate() {
        for &(term, weight) in vector.terms.iter() {
            lists[term as usize].push((paper as u32, weight));
        }
    }
    lists.par_iter_mut().for_each(|list| {
        if list.len() > LIST_LIMIT {
            list.select_nth_unstable_by(LIST_LIMIT - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            list.truncate(LIST_LIMIT);
        }
    });
    lists
}

/// The papers of each author, by author number, and each paper's first authors' numbers. An
/// author with more than [`AUTHOR_LIMIT`] papers is left out.
struct Authors {
    papers: Vec<Vec<u32>>,
    of_paper: Vec<Vec<u32>>,
}

fn author_lists(site: &Site) -> Authors {
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    let mut papers: Vec<Vec<u32>> = Vec::new();
    let mut of_paper = Vec::with_capacity(site.papers.len());
    for (index, paper) in site.papers.iter().enumerate() {
        let mut mine: Vec<u32> = Vec::new();
        for author in paper.authors.iter().take(AUTHORS_LOOKED_UP) {
            let next = papers.len() as u32;
            let number = *numbers.entry(author).or_insert(next);
            if number == next {
                papers.push(Vec::new());
            }
            // A paper listing one author twice shares them once.
            if !mine.contains(&number) {
                mine.push(number);
                papers[number as usize].push(index as u32);
            }
        }
        of_paper.push(mine);
    }
    for list in &mut papers {
        if list.len() > AUTHOR_LIMIT {
            *list = Vec::new();
        }
    }
    Authors { papers, of_paper }
}

/// What ranking reads: every paper's vector, the inverted lists, the authors' papers, and the
/// topic bit sets when the site has few enough topics.
struct Index {
    vectors: Vec<Vector>,
    lists: Vec<Vec<(u32, u32)>>,
    authors: Authors,
    topic_masks: Option<Vec<u128>>,
}

thread_local! {
    /// Each worker's score table, made once: a table per task would be zeroed again for every
    /// few hundred papers, which grows with the square of the site.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::new(0));
}

/// One worker's score table, reused from paper to paper.
struct Scratch {
    scores: Vec<u64>,
    /// Authors shared with each candidate, up to [`BONUS_CAP`].
    shared_authors: Vec<u8>,
    touched: Vec<u32>,
    candidates: Vec<(u64, u32)>,
}

impl Scratch {
    fn new(papers: usize) -> Self {
        Scratch {
            scores: vec![0; papers],
            shared_authors: vec![0; papers],
            touched: Vec::new(),
            candidates: Vec::new(),
        }
    }

    /// Fits the table to a site of `papers`; scores are left at zero after every paper.
    fn reset(&mut self, papers: usize) {
        self.scores.resize(papers, 0);
        self.shared_authors.resize(papers, 0);
        self.touched.clear();
    }

    fn add(&mut self, paper: u32, score: u64) {
        let slot = &mut self.scores[paper as usize];
        if *slot == 0 {
            self.touched.push(paper);
        }
        *slot += score;
    }

    fn rank(&mut self, site: &Site, index: &Index, paper: usize, count: usize) -> Box<[u32]> {
        let Index {
            vectors,
            lists,
            authors,
            topic_masks,
        } = index;
        for &(term, weight) in vectors[paper].terms.iter().take(QUERY_TERMS) {
            for &(other, other_weight) in &lists[term as usize] {
                self.add(other, u64::from(weight) * u64::from(other_weight));
            }
        }
        // Authors bring candidates of their own.
        for &author in &authors.of_paper[paper] {
            for &other in &authors.papers[author as usize] {
                let shared = &mut self.shared_authors[other as usize];
                if u64::from(*shared) < BONUS_CAP {
                    *shared += 1;
                    self.add(other, AUTHOR_BONUS);
                }
            }
        }
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        for &other in &self.touched {
            let text_and_authors = std::mem::take(&mut self.scores[other as usize]);
            self.shared_authors[other as usize] = 0;
            if other as usize != paper {
                candidates.push((text_and_authors, other));
            }
        }
        // Topics only add: the count-th best score without them is a floor for the list, and
        // a candidate that shared topics cannot lift above it is not looked at again.
        let mut floor = MIN_SCORE;
        if candidates.len() > count {
            let (_, kth, _) = candidates.select_nth_unstable_by(count - 1, |a, b| b.0.cmp(&a.0));
            floor = floor.max(kth.0);
        }
        let topics = &site.papers[paper].topics;
        let most_topic_bonus = topics.len().min(BONUS_CAP as usize) as u64 * TOPIC_BONUS;
        let mut best: Vec<(u64, u32)> = Vec::with_capacity(count + 1);
        for &(text_and_authors, other) in &candidates {
            if text_and_authors + most_topic_bonus < floor {
                continue;
            }
            let shared_topics = match (most_topic_bonus, topic_masks) {
                (0, _) => 0,
                (_, Some(masks)) => u64::from((masks[paper] & masks[other as usize]).count_ones()),
                (_, None) => shared_count(topics, &site.papers[other as usize].topics),
            };
            let score = text_and_authors + shared_topics.min(BONUS_CAP) * TOPIC_BONUS;
            if score < MIN_SCORE {
                continue;
            }
            // Most related first; between equals, the paper that sorts first.
            let at = best.partition_point(|&(s, o)| s > score || (s == score && o < other));
            if at < count {
                best.insert(at, (score, other));
                best.truncate(count);
            }
        }
        self.candidates = candidates;
        self.touched.clear();
        best.into_iter().map(|(_, other)| other).collect()
    }
}

/// How many values two ascending lists share.
fn shared_count(a: &[usize], b: &[usize]) -> u64 {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared
}
