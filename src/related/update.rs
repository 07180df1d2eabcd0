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

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::Related;
use super::rank::{
    AUTHOR_LIMIT, Authors, Heaviest, Index, Vector, Weights, coarse, document_frequencies, idf,
    inverted_lists, topic_masks, vector, would_enter,
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
    /// A hash of each paper's id: how a save that adds or removes papers finds where each
    /// paper went.
    ids: Vec<u64>,
    pub docs: Vec<DocTerms>,
    /// A hash of each paper's authors, and of its topics.
    authors: Vec<u64>,
    topics: Vec<u64>,
    pub df: Vec<u32>,
    pub idf: Vec<f64>,
    pub index: Index,
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
    let mut clock = std::time::Instant::now();
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
    crate::engine::stage("related papers: index", &mut clock);
    let everyone: Vec<u32> = (0..papers.len() as u32).collect();
    let (lists, floors): (Vec<_>, Vec<_>) = index
        .rank(papers, &everyone, count)
        .into_iter()
        .map(|ranked| (ranked.list, ranked.floor))
        .unzip();
    crate::engine::stage("related papers: ranking", &mut clock);
    let related = Arc::new(Related { lists });
    let previous = docs.map(|docs| Previous {
        floors,
        ids: hashes(papers, |paper| hash_of(&paper.id)),
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

/// What papers coming and going did: the terms of the papers that went (left out of the
/// document frequencies), the terms whose list held them, their authors, and papers to rank
/// again: those that came, and those whose list held a paper that went.
#[derive(Default)]
struct Moves {
    gone: Vec<DocTerms>,
    terms: Vec<u32>,
    reached: Vec<u32>,
    /// Name hashes of the authors of the papers that went.
    authors: Vec<u64>,
}

/// `old`, one value per paper, rearranged to the papers' new places: `from[place]` is where the
/// paper now at `place` was, `None` for a paper that came, which gets `new()`.
fn rearranged<T>(old: Vec<T>, from: &[Option<usize>], new: impl Fn() -> T) -> Vec<T> {
    let mut old: Vec<Option<T>> = old.into_iter().map(Some).collect();
    from.iter()
        .map(|from| from.and_then(|at| old[at].take()).unwrap_or_else(&new))
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
        if count != self.count {
            return false;
        }
        let ids = hashes(papers, |paper| hash_of(&paper.id));
        let Some(moves) = self.follow(ids) else {
            return false;
        };
        let worded = differing(&self.docs, docs);
        let authors = hashes(papers, |paper| hash_of(&paper.authors));
        let topics = hashes(papers, |paper| hash_of(&paper.topics));
        let authored = differing(&self.authors, &authors);
        let topical = differing(&self.topics, &topics);
        let edited = worded.len() + authored.len() + topical.len() + moves.gone.len();
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
        for &paper in &moves.reached {
            reached.add(paper);
        }
        // Terms whose list changed, with the papers whose place on it changed.
        let mut moved: Vec<(u32, Vec<u32>)> = Vec::new();
        let reweighed = self.reweigh(&worded, docs, numbers, &moves.gone);
        if !reweighed.is_empty() || !moves.terms.is_empty() {
            let mut terms = moves.terms;
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
        if !authored.is_empty() || !moves.authors.is_empty() {
            self.reach_authors(papers, &authored, moves.authors, &mut reached);
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
                "debug: related papers updated: edited {}, weighed again {}, ranked again {}",
                edited,
                reweighed.len(),
                reached.papers.len()
            );
        }
        self.rank_again(papers, reached.papers);
        true
    }

    /// Moves every paper's state to its place among `ids`, the papers' ids now, when papers came
    /// or went. A paper that came has no terms, authors or topics yet, so the update takes them
    /// in as edits. `None` when the number of papers moved every idf (its coarse count changed).
    fn follow(&mut self, ids: Vec<u64>) -> Option<Moves> {
        let mut moves = Moves::default();
        if ids == self.ids {
            return Some(moves);
        }
        if coarse(ids.len() as u32) != coarse(self.ids.len() as u32) {
            return None;
        }
        let places: HashMap<u64, u32> = ids
            .iter()
            .enumerate()
            .map(|(place, &id)| (id, place as u32))
            .collect();
        let place_of: Vec<Option<u32>> =
            self.ids.iter().map(|id| places.get(id).copied()).collect();
        let mut from: Vec<Option<usize>> = vec![None; ids.len()];
        for (old, place) in place_of.iter().enumerate() {
            match place {
                Some(place) => from[*place as usize] = Some(old),
                None => {
                    moves.gone.push(Arc::clone(&self.docs[old]));
                    // Their lists lose it; its authors lose a paper.
                    let terms = self.index.vectors[old].terms.iter();
                    moves.terms.extend(terms.map(|&(term, _)| term));
                    moves.authors.extend(self.index.authors.names_of(old));
                }
            }
        }
        let added = from.iter().enumerate().filter(|(_, from)| from.is_none());
        moves.reached.extend(added.map(|(place, _)| place as u32));
        let new_place = |paper: &mut u32| match place_of[*paper as usize] {
            Some(place) => {
                *paper = place;
                true
            }
            None => false,
        };
        let mut lists = rearranged(self.related.lists.clone(), &from, Box::default);
        for (place, list) in lists.iter_mut().enumerate() {
            let mut kept: Vec<u32> = list.to_vec();
            kept.retain_mut(new_place);
            if kept.len() < list.len() {
                moves.reached.push(place as u32);
            }
            *list = kept.into();
        }
        self.related = Arc::new(Related { lists });
        for list in &mut self.index.lists {
            list.retain_mut(|(paper, _)| new_place(paper));
        }
        let authors = &mut self.index.authors;
        for list in &mut authors.papers {
            list.retain_mut(new_place);
        }
        authors.of_paper = rearranged(std::mem::take(&mut authors.of_paper), &from, Vec::new);
        if let Some(masks) = self.index.topic_masks.take() {
            self.index.topic_masks = Some(rearranged(masks, &from, || 0));
        }
        let vectors = std::mem::take(&mut self.index.vectors);
        self.index.vectors = rearranged(vectors, &from, || Vector {
            terms: Box::default(),
        });
        self.docs = rearranged(std::mem::take(&mut self.docs), &from, || Arc::from([]));
        // No paper's hash: a paper that came differs from it, and is taken in as edited.
        self.authors = rearranged(std::mem::take(&mut self.authors), &from, || u64::MAX);
        self.topics = rearranged(std::mem::take(&mut self.topics), &from, || u64::MAX);
        self.floors = rearranged(std::mem::take(&mut self.floors), &from, || 0);
        self.ids = ids;
        Some(moves)
    }

    /// Takes in the new authors of the `authored` papers, and the loss of `gone_authors`'
    /// papers that went. Each such author gains or loses a paper: a candidate and a bonus to
    /// their other papers, or, past the limit, their papers' candidates altogether. An author
    /// over the limit before and after changes nothing.
    fn reach_authors(
        &mut self,
        papers: &[Paper],
        authored: &[usize],
        gone_authors: Vec<u64>,
        reached: &mut Reached,
    ) {
        let new = Authors::of(papers);
        let old = &self.index.authors;
        let mut names = gone_authors;
        for &paper in authored {
            reached.add(paper as u32);
            names.extend(old.names_of(paper).chain(new.names_of(paper)));
        }
        names.sort_unstable();
        names.dedup();
        for name in names {
            let (before, after) = (old.papers_of(name), new.papers_of(name));
            if before.len().min(after.len()) <= AUTHOR_LIMIT {
                for &other in before.iter().chain(after) {
                    reached.add(other);
                }
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
        gone: &[DocTerms],
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
        for &(term, _) in gone.iter().flat_map(|terms| terms.iter()) {
            before.push((term, self.df[term as usize]));
        }
        for &(term, _) in gone.iter().flat_map(|terms| terms.iter()) {
            self.df[term as usize] -= 1;
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
        let mut fresh = Heaviest::lists(terms.len());
        // In paper order, as a full build fills them.
        for (paper, vector) in self.index.vectors.iter().enumerate() {
            for &(term, weight) in vector.terms.iter() {
                if let Some(list) = fresh.get_mut(slot_of[term as usize] as usize) {
                    list.add(paper as u32, weight);
                }
            }
        }
        let mut changed = Vec::new();
        for (term, list) in terms.into_iter().zip(fresh) {
            let list = list.into_list();
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
