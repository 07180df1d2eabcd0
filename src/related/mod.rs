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
//!
//! `serve` keeps the whole index between saves and ranks again only the papers a save can
//! reach ([`update`]): the papers it edited, the papers whose terms it re-weighed, and the papers
//! that look up a term list, an author or a topic that changed.

mod rank;
mod terms;
mod update;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::Site;
pub use rank::{INDEX_TERMS, LIST_LIMIT, QUERY_TERMS};
use terms::{DocTerms, TermNumbers};

/// What related papers are made from, kept between builds by `serve`: each paper's terms by
/// its `content` hash (a save tokenises again only the papers it changed), and the last
/// ranking with the index it was made from (a save ranks again only what it reaches).
#[derive(Default)]
pub struct RelatedCache {
    numbers: TermNumbers,
    docs: HashMap<u64, DocTerms>,
    last: Option<update::Previous>,
}

/// For every paper (by index), its related papers, most related first.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Related {
    pub lists: Vec<Box<[u32]>>,
}

impl Related {
    pub fn of(&self, paper: usize) -> &[u32] {
        self.lists.get(paper).map_or(&[], |list| list)
    }
}

/// The `count` papers most related to each paper of `site`. `cache` keeps terms and the last
/// ranking between builds.
pub fn related(site: &Site, count: usize, cache: Option<&mut RelatedCache>) -> Arc<Related> {
    if count == 0 {
        return Arc::new(Related {
            lists: vec![Box::default(); site.papers.len()],
        });
    }
    let mut clock = std::time::Instant::now();
    let Some(cache) = cache else {
        let mut numbers = TermNumbers::default();
        let docs = terms::terms_of_papers(&site.papers, &HashMap::new(), &mut numbers);
        crate::engine::stage("related papers: terms", &mut clock);
        return update::rank_all(
            &site.papers,
            site.topics.len(),
            docs,
            &numbers,
            count,
            false,
        )
        .0;
    };
    let docs = terms::terms_of_papers(&site.papers, &cache.docs, &mut cache.numbers);
    crate::engine::stage("related papers: terms", &mut clock);
    // Only this build's papers stay: the cache never outgrows the site.
    cache.docs = site
        .papers
        .iter()
        .zip(&docs)
        .map(|(paper, terms)| (paper.content, Arc::clone(terms)))
        .collect();
    if let Some(last) = &mut cache.last
        && last.update(
            &site.papers,
            site.topics.len(),
            &docs,
            &cache.numbers,
            count,
        )
    {
        return Arc::clone(&last.related);
    }
    // Free the last index before making the next one.
    cache.last = None;
    let (related, last) = update::rank_all(
        &site.papers,
        site.topics.len(),
        docs,
        &cache.numbers,
        count,
        true,
    );
    cache.last = last;
    related
}
