//! The index related papers are ranked from (weighted vectors, inverted lists, authors' papers,
//! topic bit sets), and the ranking of one paper against it.

use std::collections::{BinaryHeap, HashMap};

use rayon::prelude::*;

use super::terms::DocTerms;
use crate::fingerprint::hash_of;
use crate::model::Paper;

/// Terms of a paper that look for others.
pub const QUERY_TERMS: usize = 32;
/// Terms of a paper that others can find it by; the rest still count in its vector's length.
pub const INDEX_TERMS: usize = 64;
/// Papers kept on one term's list: the ones where the term weighs most. A term kept by more
/// papers than this says little about any two of them.
pub const LIST_LIMIT: usize = 50;
/// An author with more papers than this (a consortium, a lab's head) links too many to mean much.
pub const AUTHOR_LIMIT: usize = 50;
/// The authors of one paper looked up, in byline order.
pub const AUTHORS_LOOKED_UP: usize = 20;

/// Quantised weights: a unit vector's components scaled to 16 bits.
const SCALE: u64 = 65_535;
/// A shared topic adds this much of a cosine (0.05), up to [`BONUS_CAP`] topics.
const TOPIC_BONUS: u64 = SCALE * SCALE / 20;
/// A shared author adds this much of a cosine (0.1), up to [`BONUS_CAP`] authors.
const AUTHOR_BONUS: u64 = SCALE * SCALE / 10;
const BONUS_CAP: u64 = 3;
/// Papers whose text shares less than this cosine (0.06) are not related by text alone.
const MIN_SCORE: u64 = SCALE * SCALE * 6 / 100;

/// A paper's heaviest terms, as `(term number, quantised weight)`: the [`QUERY_TERMS`] heaviest
/// first, in no order, then the rest of the [`INDEX_TERMS`] heaviest.
#[derive(PartialEq, Eq)]
pub struct Vector {
    pub terms: Box<[(u32, u32)]>,
}

impl Vector {
    /// The terms this paper looks for others by.
    pub fn query(&self) -> &[(u32, u32)] {
        &self.terms[..self.terms.len().min(QUERY_TERMS)]
    }
}

/// How many papers each term occurs in, by term number.
pub fn document_frequencies(docs: &[DocTerms], terms: usize) -> Vec<u32> {
    let mut df = vec![0u32; terms];
    for terms in docs {
        for &(number, _) in terms.iter() {
            df[number as usize] += 1;
        }
    }
    df
}

/// `df` with only its four leading bits: steps of about 6 to 12 per cent above 16 papers. One
/// paper more or less with a common term then seldom changes its weight, so that a save in
/// `serve` weighs again only the papers it edited, not every paper that shares a word with them.
pub fn coarse(df: u32) -> u32 {
    let shift = (u32::BITS - df.leading_zeros()).saturating_sub(4);
    (df >> shift) << shift
}

/// Inverse document frequency of a term in `df` of `papers` papers (BM25's, never negative).
/// Both counts are coarse: a paper added or removed in `serve` seldom changes any weight but
/// those of its own terms.
pub fn idf(df: u32, papers: usize) -> f64 {
    let papers = u32::try_from(papers).unwrap_or(u32::MAX);
    let (df, papers) = (f64::from(coarse(df)), f64::from(coarse(papers)));
    (1.0 + (papers - df + 0.5) / (df + 0.5)).ln()
}

/// What weighing a paper's terms reads, by term number.
pub struct Weights<'a> {
    pub df: &'a [u32],
    pub idf: &'a [f64],
    pub hashes: &'a [u64],
}

/// A paper's heaviest terms weighted by `(1 + ln tf) · idf`, over the length of its whole
/// vector.
pub fn vector(terms: &[(u32, u32)], weights: &Weights) -> Vector {
    let heavier = |a: &(f64, u64, u32, u32), b: &(f64, u64, u32, u32)| {
        b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
    };
    // In term-hash order (as numbered), so the length is summed in the same order whatever the
    // numbering.
    let mut weighted: Vec<(f64, u64, u32, u32)> = terms
        .iter()
        .map(|&(number, count)| {
            let at = number as usize;
            let weight = (1.0 + f64::from(count).ln()) * weights.idf[at];
            (weight, weights.hashes[at], number, weights.df[at])
        })
        .collect();
    let length = weighted.iter().map(|w| w.0 * w.0).sum::<f64>().sqrt();
    // A term no other paper has cannot find one.
    weighted.retain(|w| w.3 > 1);
    // The heaviest INDEX_TERMS, the heaviest QUERY_TERMS of them first: which terms, not their
    // order, is what counts.
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
}

/// One term's list while it is filled, paper by paper in paper order: the [`LIST_LIMIT`]
/// heaviest papers so far, the lightest on top. Filling a list of every paper that kept the term
/// and cutting it afterwards would hold all of them at once (at 142,419 papers, 9 million
/// entries) and took longer than ranking.
#[derive(Default)]
pub struct Heaviest(BinaryHeap<Lighter>);

/// A list entry `(paper, weight)`, ordered so that the greatest is the one to drop first: the
/// lightest, and of equal weights the paper that sorts last.
#[derive(PartialEq, Eq)]
struct Lighter(u32, u32);

impl Ord for Lighter {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.1.cmp(&self.1).then(self.0.cmp(&other.0))
    }
}

impl PartialOrd for Lighter {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Heaviest {
    /// `count` empty lists.
    pub fn lists(count: usize) -> Vec<Heaviest> {
        std::iter::repeat_with(Heaviest::default)
            .take(count)
            .collect()
    }

    /// Adds `paper` with `weight`; papers come in ascending order, so a paper never displaces
    /// an earlier one of the same weight.
    pub fn add(&mut self, paper: u32, weight: u32) {
        if self.0.len() < LIST_LIMIT {
            self.0.push(Lighter(paper, weight));
        } else if let Some(mut lightest) = self.0.peek_mut()
            && weight > lightest.1
        {
            *lightest = Lighter(paper, weight);
        }
    }

    /// The list, in no order (scores are sums of integers); the same papers added in the same
    /// order always come out in the same order.
    pub fn into_list(self) -> Vec<(u32, u32)> {
        self.0
            .into_vec()
            .into_iter()
            .map(|Lighter(paper, weight)| (paper, weight))
            .collect()
    }
}

/// For each term number, the papers that kept it with their weight (see [`Heaviest`]).
pub fn inverted_lists(vectors: &[Vector], terms: usize) -> Vec<Vec<(u32, u32)>> {
    let mut lists = Heaviest::lists(terms);
    for (paper, vector) in vectors.iter().enumerate() {
        for &(term, weight) in vector.terms.iter() {
            lists[term as usize].add(paper as u32, weight);
        }
    }
    lists.into_iter().map(Heaviest::into_list).collect()
}

/// The papers of each author, by author number, and each paper's first authors' numbers. An
/// author with more than [`AUTHOR_LIMIT`] papers brings no candidates and no bonus.
pub struct Authors {
    pub papers: Vec<Vec<u32>>,
    pub of_paper: Vec<Vec<u32>>,
    /// Each author's number by a hash of their name, and each number's name hash.
    pub numbers: HashMap<u64, u32>,
    pub names: Vec<u64>,
}

impl Authors {
    pub fn of(papers: &[Paper]) -> Authors {
        let mut numbers: HashMap<u64, u32> = HashMap::new();
        let mut names: Vec<u64> = Vec::new();
        let mut lists: Vec<Vec<u32>> = Vec::new();
        let mut of_paper = Vec::with_capacity(papers.len());
        for (index, paper) in papers.iter().enumerate() {
            let mut mine: Vec<u32> = Vec::new();
            for author in paper.authors.iter().take(AUTHORS_LOOKED_UP) {
                let next = lists.len() as u32;
                let name = hash_of(author);
                let number = *numbers.entry(name).or_insert(next);
                if number == next {
                    lists.push(Vec::new());
                    names.push(name);
                }
                // A paper listing one author twice shares them once.
                if !mine.contains(&number) {
                    mine.push(number);
                    lists[number as usize].push(index as u32);
                }
            }
            of_paper.push(mine);
        }
        Authors {
            papers: lists,
            of_paper,
            numbers,
            names,
        }
    }

    /// The papers of the author whose name hashes to `name` (none for an author not here).
    pub fn papers_of(&self, name: u64) -> &[u32] {
        self.numbers
            .get(&name)
            .map_or(&[], |&number| &self.papers[number as usize])
    }

    /// Every paper sharing with `paper` an author who has at most [`AUTHOR_LIMIT`] papers: the
    /// papers that can have `paper` as a candidate by its authors.
    pub fn co_papers(&self, paper: usize) -> impl Iterator<Item = u32> + '_ {
        self.of_paper[paper]
            .iter()
            .map(|&author| &self.papers[author as usize])
            .filter(|papers| papers.len() <= AUTHOR_LIMIT)
            .flat_map(|papers| papers.iter().copied())
    }

    /// The name hashes of `paper`'s authors.
    pub fn names_of(&self, paper: usize) -> impl Iterator<Item = u64> + '_ {
        self.of_paper[paper]
            .iter()
            .map(|&author| self.names[author as usize])
    }
}

/// On a site of at most 128 topics, each paper's topics as one bit set: counting shared topics
/// is then one instruction instead of a walk through two papers' lists.
pub fn topic_masks(papers: &[Paper], topics: usize) -> Option<Vec<u128>> {
    (topics <= 128).then(|| {
        papers
            .iter()
            .map(|paper| paper.topics.iter().fold(0u128, |mask, &t| mask | 1 << t))
            .collect()
    })
}

/// What ranking reads: every paper's vector, the inverted lists, the authors' papers, and the
/// topic bit sets when the site has few enough topics.
pub struct Index {
    pub vectors: Vec<Vector>,
    pub lists: Vec<Vec<(u32, u32)>>,
    pub authors: Authors,
    pub topic_masks: Option<Vec<u128>>,
}

/// A paper's related papers, most related first, and the score of the last of them (its
/// floor: a paper must beat it to enter the list).
pub struct Ranked {
    pub list: Box<[u32]>,
    pub floor: u64,
}

/// Whether `other`, scoring `score` (`None`: not a candidate), would enter `list`, a ranked
/// list of at most `count` papers whose last scores `floor`.
pub fn would_enter(list: &[u32], floor: u64, count: usize, other: u32, score: Option<u64>) -> bool {
    let Some(score) = score.filter(|&score| score >= MIN_SCORE) else {
        return false;
    };
    let last = list.last().copied().unwrap_or(u32::MAX);
    list.len() < count || score > floor || (score == floor && other < last)
}

impl Index {
    /// How `paper` scores `other`, as ranking `paper` would: `None` when `other` is no
    /// candidate (no term list of `paper` holds it, and no author of `paper` wrote it).
    pub fn score(&self, papers: &[Paper], paper: usize, other: u32) -> Option<u64> {
        let mut text = 0;
        for &(term, weight) in self.vectors[paper].query() {
            if let Some(&(_, other_weight)) =
                self.lists[term as usize].iter().find(|e| e.0 == other)
            {
                text += u64::from(weight) * u64::from(other_weight);
            }
        }
        let theirs = &self.authors.of_paper[other as usize];
        let shared_authors = self.authors.of_paper[paper]
            .iter()
            .filter(|&&author| {
                self.authors.papers[author as usize].len() <= AUTHOR_LIMIT
                    && theirs.contains(&author)
            })
            .count() as u64;
        if text == 0 && shared_authors == 0 {
            return None;
        }
        Some(
            text + shared_authors.min(BONUS_CAP) * AUTHOR_BONUS
                + self.topic_bonus(papers, paper, other),
        )
    }

    /// What the topics `paper` shares with `other` add to its score.
    fn topic_bonus(&self, papers: &[Paper], paper: usize, other: u32) -> u64 {
        let topics = &papers[paper].topics;
        let shared = match &self.topic_masks {
            _ if topics.is_empty() => 0,
            Some(masks) => u64::from((masks[paper] & masks[other as usize]).count_ones()),
            None => shared_count(topics, &papers[other as usize].topics),
        };
        shared.min(BONUS_CAP) * TOPIC_BONUS
    }

    /// The `count` papers most related to each of `which`, in that order.
    pub fn rank(&self, papers: &[Paper], which: &[u32], count: usize) -> Vec<Ranked> {
        which
            .par_chunks(256)
            .flat_map_iter(|chunk| {
                SCRATCH.with_borrow_mut(|scratch| {
                    scratch.reset(papers.len());
                    chunk
                        .iter()
                        .map(|&paper| scratch.rank(papers, self, paper as usize, count))
                        .collect::<Vec<_>>()
                })
            })
            .collect()
    }
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
    /// The candidates of the paper being ranked, in the order they were met: room for every
    /// entry of its lists and its authors' lists, so that recording one takes no branch.
    candidates: Vec<u32>,
}

/// The most additions to the score table one paper can make: every entry of its query terms'
/// lists ([`Vector::query`], each list cut by [`Heaviest`]) and of its looked-up authors' lists
/// ([`Authors::of`] keeps [`AUTHORS_LOOKED_UP`]). Before the n-th addition at most n - 1
/// candidates are recorded, so the slot written is always in the table.
const MAX_CANDIDATES: usize = QUERY_TERMS * LIST_LIMIT + AUTHORS_LOOKED_UP * AUTHOR_LIMIT;

impl Scratch {
    fn new(papers: usize) -> Self {
        Scratch {
            scores: vec![0; papers],
            shared_authors: vec![0; papers],
            candidates: vec![0; MAX_CANDIDATES],
        }
    }

    /// Fits the table to a site of `papers`; scores are left at zero after every paper.
    fn reset(&mut self, papers: usize) {
        self.scores.resize(papers, 0);
        self.shared_authors.resize(papers, 0);
        self.candidates.resize(MAX_CANDIDATES, 0);
    }

    fn rank(&mut self, papers: &[Paper], index: &Index, paper: usize, count: usize) -> Ranked {
        let Index {
            vectors,
            lists,
            authors,
            ..
        } = index;
        let Scratch {
            scores,
            shared_authors,
            candidates,
        } = self;
        // A score is never zero once added to (weights are at least 1), so a zero slot is a
        // candidate met for the first time. Written without a branch: the slot after the last
        // candidate is overwritten until a new one is met.
        let mut met = 0;
        let mut add = |other: u32, score: u64| {
            let slot = &mut scores[other as usize];
            candidates[met] = other;
            met += usize::from(*slot == 0);
            *slot += score;
        };
        for &(term, weight) in vectors[paper].query() {
            for &(other, other_weight) in &lists[term as usize] {
                add(other, u64::from(weight) * u64::from(other_weight));
            }
        }
        // Authors bring candidates of their own.
        let looked_up = || {
            authors.of_paper[paper]
                .iter()
                .map(|&author| &authors.papers[author as usize])
                .filter(|list| list.len() <= AUTHOR_LIMIT)
        };
        for list in looked_up() {
            for &other in list {
                let shared = &mut shared_authors[other as usize];
                if u64::from(*shared) < BONUS_CAP {
                    *shared += 1;
                    add(other, AUTHOR_BONUS);
                }
            }
        }
        for &other in looked_up().flatten() {
            shared_authors[other as usize] = 0;
        }
        // One pass over the candidates, keeping the best `count` as it goes: the list's last
        // score is the floor a candidate must beat, and a shared topic costs one instruction.
        let topics = &papers[paper].topics;
        let most_topic_bonus = topics.len().min(BONUS_CAP as usize) as u64 * TOPIC_BONUS;
        let mut best: Vec<(u64, u32)> = Vec::with_capacity(count + 1);
        for &other in &candidates[..met] {
            let text_and_authors = std::mem::take(&mut scores[other as usize]);
            if other as usize == paper {
                continue;
            }
            // Topics only add: a candidate they cannot lift to the list's last is not scored.
            let floor = match best.last() {
                Some(&(last, _)) if best.len() == count => last,
                _ => 0,
            };
            if text_and_authors + most_topic_bonus < floor {
                continue;
            }
            let score = text_and_authors + index.topic_bonus(papers, paper, other);
            if score < MIN_SCORE {
                continue;
            }
            if best.len() == count
                && best
                    .last()
                    .is_some_and(|&(s, o)| s > score || (s == score && o < other))
            {
                continue;
            }
            // Most related first; between equals, the paper that sorts first.
            let at = best.partition_point(|&(s, o)| s > score || (s == score && o < other));
            best.insert(at, (score, other));
            best.truncate(count);
        }
        Ranked {
            floor: best.last().map_or(0, |&(score, _)| score),
            list: best.into_iter().map(|(_, other)| other).collect(),
        }
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
