//! Which records are the same paper: same derived id, arXiv id or DOI, or the same title with no
//! arXiv id or DOI that tells them apart. [`PaperIndex`] finds the first such record among many
//! through maps instead of comparing a record with every other, which made every import
//! quadratic (issue 23: 38 s for 10,000 BibTeX entries).

use std::collections::{BTreeSet, HashMap};

use super::ImportedPaper;
use crate::content::ids::{normalize_arxiv, normalize_doi, slugify};

/// What two records are compared by, each in its normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperKeys {
    id: String,
    arxiv: Option<String>,
    doi: Option<String>,
    /// A slug of the title; empty when it has no letters or digits.
    title: String,
}

impl PaperKeys {
    pub fn of(imported: &ImportedPaper) -> Self {
        let paper = &imported.paper;
        PaperKeys {
            id: imported.derived_id(),
            arxiv: paper.arxiv.as_deref().map(normalize_arxiv),
            doi: paper.doi.as_deref().map(normalize_doi),
            title: slugify(&paper.title),
        }
    }

    /// Whether the two are one paper.
    pub fn is_same(&self, other: &PaperKeys) -> bool {
        if self.id == other.id {
            return true;
        }
        if let (Some(a), Some(b)) = (&self.arxiv, &other.arxiv) {
            return a == b;
        }
        if let (Some(a), Some(b)) = (&self.doi, &other.doi) {
            return a == b;
        }
        !self.title.is_empty() && self.title == other.title
    }
}

/// Records by the keys they can be found by, for "the first record that is the same paper as
/// this one" in a few map lookups. Each map holds, per key, the records with it in order; a
/// record whose keys change (a merge fills in its arXiv id) is added under its new keys, and its
/// old entries are dropped when a lookup meets them.
#[derive(Debug, Default)]
pub struct PaperIndex {
    keys: Vec<PaperKeys>,
    by_id: HashMap<String, BTreeSet<usize>>,
    by_arxiv: HashMap<String, BTreeSet<usize>>,
    /// By DOI and whether the record has an arXiv id: a record with one is not the same paper as
    /// another with a different one, whatever their DOIs.
    by_doi: HashMap<(String, bool), BTreeSet<usize>>,
    /// By title and whether the record has an arXiv id and a DOI, for the same reason.
    by_title: HashMap<(String, bool, bool), BTreeSet<usize>>,
}

impl PaperIndex {
    /// Sets the keys of record `index`: the next one, or one already there whose keys changed.
    pub fn set(&mut self, index: usize, keys: PaperKeys) {
        let add = |map: &mut HashMap<_, BTreeSet<usize>>, key| {
            map.entry(key).or_default().insert(index);
        };
        add(&mut self.by_id, keys.id.clone());
        if let Some(arxiv) = &keys.arxiv {
            add(&mut self.by_arxiv, arxiv.clone());
        }
        if let Some(doi) = &keys.doi {
            self.by_doi
                .entry((doi.clone(), keys.arxiv.is_some()))
                .or_default()
                .insert(index);
        }
        if !keys.title.is_empty() {
            self.by_title
                .entry((keys.title.clone(), keys.arxiv.is_some(), keys.doi.is_some()))
                .or_default()
                .insert(index);
        }
        if index == self.keys.len() {
            self.keys.push(keys);
        } else {
            self.keys[index] = keys;
        }
    }

    /// The first record that is the same paper as one with `keys`.
    pub fn find(&mut self, keys: &PaperKeys) -> Option<usize> {
        let PaperIndex {
            keys: current,
            by_id,
            by_arxiv,
            by_doi,
            by_title,
        } = self;
        let mut found: Option<usize> = None;
        let mut consider = |index: Option<usize>| {
            if let Some(index) = index {
                found = Some(found.map_or(index, |f| f.min(index)));
            }
        };
        consider(first(by_id, &keys.id, |k| k.id == keys.id, current));
        if let Some(arxiv) = &keys.arxiv {
            consider(first(
                by_arxiv,
                arxiv,
                |k| k.arxiv.as_ref() == Some(arxiv),
                current,
            ));
        }
        // A record found by DOI or title below may not have an arXiv id (or DOI) other than ours.
        let has_arxiv: &[bool] = if keys.arxiv.is_some() {
            &[false]
        } else {
            &[false, true]
        };
        let has_doi: &[bool] = if keys.doi.is_some() {
            &[false]
        } else {
            &[false, true]
        };
        if let Some(doi) = &keys.doi {
            for &with_arxiv in has_arxiv {
                let key = (doi.clone(), with_arxiv);
                let belongs =
                    |k: &PaperKeys| k.doi.as_ref() == Some(doi) && k.arxiv.is_some() == with_arxiv;
                consider(first(by_doi, &key, belongs, current));
            }
        }
        if !keys.title.is_empty() {
            for &with_arxiv in has_arxiv {
                for &with_doi in has_doi {
                    let key = (keys.title.clone(), with_arxiv, with_doi);
                    let belongs = |k: &PaperKeys| {
                        k.title == keys.title
                            && k.arxiv.is_some() == with_arxiv
                            && k.doi.is_some() == with_doi
                    };
                    consider(first(by_title, &key, belongs, current));
                }
            }
        }
        debug_assert!(found.is_none_or(|f| current[f].is_same(keys)));
        found
    }
}

/// The first record under `key` that still `belongs` there, dropping those whose keys changed.
fn first<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, BTreeSet<usize>>,
    key: &K,
    belongs: impl Fn(&PaperKeys) -> bool,
    current: &[PaperKeys],
) -> Option<usize> {
    let set = map.get_mut(key)?;
    while let Some(&index) = set.first() {
        if belongs(&current[index]) {
            return Some(index);
        }
        set.pop_first();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::RawPaper;

    /// A paper drawn from few titles, arXiv ids and DOIs, so that many are the same.
    fn random_paper(rng: &mut impl FnMut(usize) -> usize) -> ImportedPaper {
        let pick = |rng: &mut dyn FnMut(usize) -> usize, values: &[&str]| {
            let i = rng(values.len() + 1);
            values.get(i).map(|v| (*v).to_string())
        };
        let paper = RawPaper {
            title: pick(rng, &["Attention", "attention!", "Diffusion", "Other"])
                .unwrap_or_default(),
            arxiv: pick(rng, &["1706.03762", "1706.03762v2", "2006.11239"]),
            doi: pick(rng, &["10.1/A", "10.1/a", "10.2/b"]),
            ..RawPaper::default()
        };
        ImportedPaper::new(paper, Default::default())
    }

    #[test]
    fn the_index_finds_what_comparing_with_every_record_finds() {
        for seed in 0..300 {
            let mut rng = crate::test_rng(seed);
            let mut kept: Vec<ImportedPaper> = Vec::new();
            let mut index = PaperIndex::default();
            for _ in 0..40 {
                let paper = random_paper(&mut rng);
                let keys = PaperKeys::of(&paper);
                let expected = kept.iter().position(|k| PaperKeys::of(k).is_same(&keys));
                let found = index.find(&keys);
                assert_eq!(
                    found, expected,
                    "seed {seed}: {:?} in {kept:?}",
                    paper.paper
                );
                match found {
                    Some(i) => {
                        kept[i].fill_from(paper);
                        index.set(i, PaperKeys::of(&kept[i]));
                    }
                    None => {
                        index.set(kept.len(), keys);
                        kept.push(paper);
                    }
                }
            }
        }
    }
}
