//! A paper's terms: stemmed words of its title (counted twice) and abstract, without filler,
//! numbered once per site and kept by `serve` between builds.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, LazyLock};

use rayon::prelude::*;

use crate::fingerprint::hash_of;
use crate::model::Paper;
use crate::search::text;

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

/// A paper's terms as `(term number, count)`, numbered by [`TermNumbers`], in term-hash order.
pub type DocTerms = Arc<[(u32, u32)]>;

/// Every term met, numbered in the order met; a number stands for its term from then on.
#[derive(Default)]
pub struct TermNumbers {
    numbers: TermMap<u32>,
    /// Each number's term hash: ties between equally weighted terms go by it, so that results
    /// do not depend on the order terms were met in.
    pub hashes: Vec<u64>,
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

    pub fn len(&self) -> usize {
        self.hashes.len()
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

/// Papers per tokenising task, which shares one table of the words it met.
const TOKENISING_BLOCK: usize = 1024;

/// Papers tokenised before their terms are numbered: hashed terms take about three times the
/// room of numbered ones, so a large site numbers them a window at a time (at 140,000 papers,
/// all at once would hold about 280 MB more).
const NUMBERING_WINDOW: usize = 16 * TOKENISING_BLOCK;

/// Every paper's terms. `known` holds terms by the papers' `content` hash: only papers not in it
/// are tokenised (in parallel), then numbered in order.
pub fn terms_of_papers(
    papers: &[Paper],
    known: &HashMap<u64, DocTerms>,
    numbers: &mut TermNumbers,
) -> Vec<DocTerms> {
    let mut terms = Vec::with_capacity(papers.len());
    for window in papers.chunks(NUMBERING_WINDOW) {
        let found: Vec<Result<DocTerms, HashedTerms>> = window
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
        terms.extend(
            found
                .into_iter()
                .map(|found| found.unwrap_or_else(|new| numbers.number(new))),
        );
    }
    terms
}

/// Folded words met so far, by their hash, with their term (none for words that are not
/// terms): stemming each word once per block rather than at every use. Keyed by hash, as terms
/// are: a lookup compares no stored word (tokenising took 10–20 % less at 47,453 papers).
#[derive(Default)]
struct Words {
    terms: TermMap<Option<u64>>,
    /// The current paper's terms, once per use, reused from paper to paper.
    found: Vec<u64>,
}

impl Words {
    fn term(&mut self, token: &str) -> Option<u64> {
        *self.terms.entry(hash_of(token)).or_insert_with(|| {
            text::is_indexed(token)
                .then(|| hash_of(text::stem(token)))
                .filter(|term| !SKIPPED.contains(term))
        })
    }

    fn doc_terms(&mut self, paper: &Paper) -> HashedTerms {
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
