//! Ranking every paper, and bringing the last ranking up to date after a save by ranking again
//! only the papers the save can reach. Both give the same lists for the same site.
//!
//! A paper's list reads its own vector; the inverted lists of its query terms (the papers on
//! them and their weights); the papers of its authors; and the topics of every candidate. So a
//! save reaches:
//! - a paper whose terms changed, and every paper with a term whose idf changed (document
//!   frequencies are coarse, so one paper more with a common term seldom changes it): their
//!   vectors are weighed again;
//! - every paper whose vector changed, and every paper querying a term whose list changed;
//! - for a paper whose authors changed, every paper of its old and new authors;
//! - for a paper whose topics changed, every paper that can have it as a candidate: the
//!   papers querying any of its terms, and the papers of its authors.

use std::sync::Arc;

use rayon::prelude::*;

use super::Related;
use super::rank::{
    Authors, Index, Vector, Weights, coarse, document_frequencies, idf, inverted_lists,
    keep_heaviest, topic_masks, vector, would_enter,
};
use super::terms::{DocTerms, TermNumbers};
use crate::fingerprint::hash_of;
use crate::model::Paper;

/// A save that edits more than one paper in this many ranks everything again: past that,
/// finding what it reaches costs about what ranking does.
const EDITED_SHARE: usize = 16;
/// When a save reaches more than one paper in this many, every paper is ranked again: cheaper
/// than picking the lists out one by one.
const REACHED_SHARE: usize = 4;

/// The last ranking and everything it was made from, by paper index.
pub struct Previous {
    count: usize,
    docs: Vec<DocTerms>,
    /// A hash of each paper's authors, and of its topics.
    authors: Vec<u64>,
    topics: Vec<u64>,
    df: Vec<u32>,
    idf: Vec<f64>,
    index: Index,
    pub related: Arc<Related>,
    /// The score of the last paper of each list.
    floors: Vec<u64>,
}

/// Ranks every paper of `site` from its terms. With `keep`, also gives what [`Previous::update`]
/// needs; without, the terms are freed as soon as they are weighed.
pub fn rank_all(
    papers: &[Paper],
    topics: usize,
    docs: Vec<DocTerms>,
    numbers: &TermNumbers,
    count: usize,
    keep: bool,
) -> (Arc<Related>, Option<Previous>) {
    let df = document_frequencies(&docs, numbers.len());
    let idf: Vec<f64> = df.iter().map(|&df| idf(df, papers.len())).collect();
    let weights = Weights {
        df: &df,
        idf: &idf,
        hashes: &numbers.hashes,
    };
    let vectors: Vec<Vector> = docs
        .par_iter()
        .map(|terms| vector(terms, &weights))
        .collect();
    let docs = keep.then_some(docs);
    let lists = inverted_lists(&vectors, numbers.len());
    let index = Index {
        vectors,
        lists,
        authors: Authors::of(papers),
        topic_masks: topic_masks(papers, topics),
    };
    let everyone: Vec<u32> = (0..papers.len() as u32).collect();
    let (lists, floors): (Vec<_>, Vec<_>) = index
        .rank(papers, &everyone, count)
        .into_iter()
        .map(|ranked| (ranked.list, ranked.floor))
        .unzip();
    let related = Arc::new(Related { lists });
    let previous = docs.map(|docs| Previous {
        floors,
        count,
        docs,
        authors: hashes(papers, |paper| hash_of(&paper.authors)),
        topics: hashes(papers, |paper| hash_of(&paper.topics)),
        df,
        idf,
        index,
        related: Arc::clone(&related),
    });
    (related, previous)
}

fn hashes(papers: &[Paper], hash: impl Fn(&Paper) -> u64 + Sync + Send) -> Vec<u64> {
    papers.par_iter().map(hash).collect()
}

/// Indices where `old` and `new` differ.
fn differing<T: PartialEq + Sync>(old: &[T], new: &[T]) -> Vec<usize> {
    (0..old.len())
        .into_par_iter()
        .filter(|&i| old[i] != new[i])
        .collect()
}

/// Papers to rank again, each once.
struct Reached {
    is_reached: Vec<bool>,
    papers: Vec<u32>,
}

impl Reached {
    fn add(&mut self, paper: u32) {
        if !std::mem::replace(&mut self.is_reached[paper as usize], true) {
            self.papers.push(paper);
        }
    }
}

/// A set of term numbers, as flags.
fn term_set(terms: usize, members: impl IntoIterator<Item = u32>) -> Vec<bool> {
    let mut set = vec![false; terms];
    for term in members {
        set[term as usize] = true;
    }
    set
}

impl Previous {
    /// Brings the ranking up to date with `papers` (of a site of `topic_count` topics), which
    /// have `docs` as terms. False when it cannot (another count, papers added or removed) or
    /// it would cost what ranking every paper does: the caller then ranks everything.
    pub fn update(
        &mut self,
        papers: &[Paper],
        topic_count: usize,
        docs: &[DocTerms],
        numbers: &TermNumbers,
        count: usize,
    ) -> bool {
        if count != self.count || papers.len() != self.docs.len() {
            return false;
        }
        let worded = differing(&self.docs, docs);
        let authors = hashes(papers, |paper| hash_of(&paper.authors));
        let topics = hashes(papers, |paper| hash_of(&paper.topics));
        let authored = differing(&self.authors, &authors);
        let topical = differing(&self.topics, &topics);
        let edited = worded.len() + authored.len() + topical.len();
        if edited == 0 {
            return true;
        }
        if edited > papers.len() / EDITED_SHARE + 1 {
            return false;
        }
        let mut reached = Reached {
            is_reached: vec![false; papers.len()],
            papers: Vec::new(),
        };
        // Terms whose list changed, with the papers whose place on it changed.
        let mut moved: Vec<(u32, Vec<u32>)> = Vec::new();
        let reweighed = self.reweigh(&worded, docs, numbers);
        if !reweighed.is_empty() {
            let mut terms = Vec::new();
            for (paper, old) in &reweighed {
                reached.add(*paper as u32);
                let new = &self.index.vectors[*paper];
                terms.extend(
                    old.terms
                        .iter()
                        .chain(new.terms.iter())
                        .map(|&(term, _)| term),
                );
            }
            moved.extend(self.relist(terms));
        }
        if !authored.is_empty() {
            self.reach_authors(papers, &authored, &mut reached);
            self.authors = authors;
        }
        if !topical.is_empty() {
            self.index.topic_masks = topic_masks(papers, topic_count);
            moved.extend(self.reach_topics(&topical, &mut reached));
            self.topics = topics;
        }
        for paper in self.changed_for_lookers(papers, &moved, &reached.is_reached) {
            reached.add(paper);
        }
        if crate::engine::is_debug() {
            eprintln!(
                "debug: related papers: {} papers edited, {} weighed again, {} ranked again",
                edited,
                reweighed.len(),
                reached.papers.len()
            );
        }
        self.rank_again(papers, reached.papers);
        true
    }

    /// Takes in the new authors of the `authored` papers. Every paper of their old and new
    /// authors gains or loses a candidate and a bonus, or an author's papers pass the limit.
    fn reach_authors(&mut self, papers: &[Paper], authored: &[usize], reached: &mut Reached) {
        let new = Authors::of(papers);
        for &paper in authored {
            reached.add(paper as u32);
            let old = self.index.authors.co_papers(paper);
            for other in old.chain(new.co_papers(paper)) {
                reached.add(other);
            }
        }
        self.index.authors = new;
    }

    /// Reaches the `topical` papers and their co-authors' papers, and gives the term lists the
    /// topical papers are on: each is a candidate with another score to the papers looking
    /// them up.
    fn reach_topics(&self, topical: &[usize], reached: &mut Reached) -> Vec<(u32, Vec<u32>)> {
        let mut moved = Vec::new();
        for &paper in topical {
            reached.add(paper as u32);
            for other in self.index.authors.co_papers(paper) {
                reached.add(other);
            }
            for &(term, _) in self.index.vectors[paper].terms.iter() {
                let list = &self.index.lists[term as usize];
                if list.iter().any(|&(on, _)| on == paper as u32) {
                    moved.push((term, vec![paper as u32]));
                }
            }
        }
        moved
    }

    /// Takes the new terms of the `worded` papers into the document frequencies, and weighs
    /// again every paper whose terms or whose terms' idf changed. Gives the papers whose vector
    /// changed, with their old vector.
    fn reweigh(
        &mut self,
        worded: &[usize],
        docs: &[DocTerms],
        numbers: &TermNumbers,
    ) -> Vec<(usize, Vector)> {
        let papers = self.docs.len();
        let terms = numbers.len();
        self.df.resize(terms, 0);
        self.idf.resize(terms, 0.0);
        self.index.lists.resize(terms, Vec::new());
        let mut before: Vec<(u32, u32)> = Vec::new();
        for &paper in worded {
            for &(term, _) in self.docs[paper].iter().chain(docs[paper].iter()) {
                before.push((term, self.df[term as usize]));
            }
        }
        for &paper in worded {
            for &(term, _) in self.docs[paper].iter() {
                self.df[term as usize] -= 1;
            }
            for &(term, _) in docs[paper].iter() {
                self.df[term as usize] += 1;
            }
            self.docs[paper] = Arc::clone(&docs[paper]);
        }
        let mut reidf: Vec<u32> = before
            .into_iter()
            .filter(|&(term, df)| coarse(df) != coarse(self.df[term as usize]))
            .map(|(term, _)| term)
            .collect();
        reidf.sort_unstable();
        reidf.dedup();
        for &term in &reidf {
            self.idf[term as usize] = idf(self.df[term as usize], papers);
        }
        let mut weighed: Vec<usize> = worded.to_vec();
        if !reidf.is_empty() {
            let reidf = term_set(terms, reidf);
            weighed.par_extend((0..papers).into_par_iter().filter(|&paper| {
                self.docs[paper]
                    .iter()
                    .any(|&(term, _)| reidf[term as usize])
            }));
            weighed.sort_unstable();
            weighed.dedup();
        }
        let weights = Weights {
            df: &self.df,
            idf: &self.idf,
            hashes: &numbers.hashes,
        };
        let fresh: Vec<(usize, Vector)> = weighed
            .par_iter()
            .map(|&paper| (paper, vector(&self.docs[paper], &weights)))
            .filter(|(paper, fresh)| *fresh != self.index.vectors[*paper])
            .collect();
        fresh
            .into_iter()
            .map(|(paper, fresh)| {
                let old = std::mem::replace(&mut self.index.vectors[paper], fresh);
                (paper, old)
            })
            .collect()
    }

    /// Fills again the lists of `terms`. Gives the terms whose list changed, each with the
    /// papers that came, went or changed weight on it.
    fn relist(&mut self, mut terms: Vec<u32>) -> Vec<(u32, Vec<u32>)> {
        terms.sort_unstable();
        terms.dedup();
        let mut slot_of = vec![u32::MAX; self.index.lists.len()];
        for (slot, &term) in terms.iter().enumerate() {
            slot_of[term as usize] = slot as u32;
        }
        let mut fresh: Vec<Vec<(u32, u32)>> = vec![Vec::new(); terms.len()];
        // In paper order, as a full build fills them.
        for (paper, vector) in self.index.vectors.iter().enumerate() {
            for &(term, weight) in vector.terms.iter() {
                if let Some(list) = fresh.get_mut(slot_of[term as usize] as usize) {
                    list.push((paper as u32, weight));
                }
            }
        }
        let mut changed = Vec::new();
        for (term, mut list) in terms.into_iter().zip(fresh) {
            keep_heaviest(&mut list);
            let kept = &mut self.index.lists[term as usize];
            // The same papers in another order change no score.
            if *kept != list {
                let mut moved: Vec<u32> = kept
                    .iter()
                    .filter(|entry| !list.contains(entry))
                    .chain(list.iter().filter(|entry| !kept.contains(entry)))
                    .map(|&(paper, _)| paper)
                    .collect();
                moved.sort_unstable();
                moved.dedup();
                *kept = list;
                if !moved.is_empty() {
                    changed.push((term, moved));
                }
            }
        }
        changed
    }

    /// Of the papers not `reached` yet, those whose list changes because of `moved`: a paper
    /// that looks up a changed term list, and had one of the papers that moved on it in its
    /// list, or would now take one in.
    fn changed_for_lookers(
        &self,
        papers: &[Paper],
        moved: &[(u32, Vec<u32>)],
        reached: &[bool],
    ) -> Vec<u32> {
        if moved.is_empty() {
            return Vec::new();
        }
        let mut moved_on: Vec<Vec<u32>> = vec![Vec::new(); self.index.lists.len()];
        for (term, movers) in moved {
            moved_on[*term as usize].extend(movers);
        }
        (0..papers.len() as u32)
            .into_par_iter()
            .filter(|&paper| !reached[paper as usize])
            .filter(|&paper| {
                let list = self.related.of(paper as usize);
                let floor = self.floors[paper as usize];
                self.index.vectors[paper as usize]
                    .query()
                    .iter()
                    .flat_map(|&(term, _)| &moved_on[term as usize])
                    .any(|&other| {
                        other != paper
                            && (list.contains(&other)
                                || would_enter(
                                    list,
                                    floor,
                                    self.count,
                                    other,
                                    self.index.score(papers, paper as usize, other),
                                ))
                    })
            })
            .collect()
    }

    fn rank_again(&mut self, papers: &[Paper], mut reached: Vec<u32>) {
        if reached.len() > papers.len() / REACHED_SHARE {
            reached = (0..papers.len() as u32).collect();
        }
        reached.sort_unstable();
        let ranked = self.index.rank(papers, &reached, self.count);
        let mut lists = self.related.lists.clone();
        for (paper, ranked) in reached.into_iter().zip(ranked) {
            lists[paper as usize] = ranked.list;
            self.floors[paper as usize] = ranked.floor;
        }
        self.related = Arc::new(Related { lists });
    }
}
