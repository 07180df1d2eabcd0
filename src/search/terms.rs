//! Inverted lists: for every term, the papers whose title, authors or body contain it, plus the
//! surface words that led to each term and the prefixes worth answering from a ready-made union.
//!
//! Input is one [`DocFields`] per paper in search order (papers are numbered newest first, so a
//! list sorted by paper number is sorted by recency too). Tokenising runs in parallel over blocks
//! of papers, each with its own word and stem tables and its papers' entries deduplicated by
//! stem (kept between builds: a save tokenises again only its block); the stem tables are merged
//! into the site's terms, and the lists are filled with a counting sort, so the cost is linear in
//! the text.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use super::postings::{self, Bits};
use super::text;

/// Fields in ranking order: a word in the title outranks one in the authors, which outranks one
/// in the body (abstract, topics, venue, identifier).
pub const FIELDS: usize = 3;
pub const TITLE: usize = 0;
pub const AUTHORS: usize = 1;
pub const BODY: usize = 2;

/// The text of one paper, field by field, each field in pieces.
pub type DocFields<'a> = [Vec<&'a str>; FIELDS];

/// A prefix gets a ready-made union when expanding it would fetch more than this many bytes of
/// lists (and the union is clearly smaller): short prefixes of common words, typed on the way
/// to a longer word, would otherwise pull in dozens of lists.
pub const PREFIX_MIN_COST: usize = 16 * 1024;
/// Prefixes shorter than this are never expanded (`search.js` waits for a second letter).
pub const MIN_PREFIX_CHARS: usize = 2;

pub struct TermIndex {
    /// Every term, sorted.
    pub terms: Vec<String>,
    /// For each term, its three lists (title, authors, body) encoded one after the other.
    pub lists: Vec<Vec<u8>>,
    /// Words seen in the text whose term differs from them (`models` → `model`), sorted, with the
    /// term's index: `search.js` expands a typed prefix through them.
    pub aliases: Vec<(String, u32)>,
    /// Prefixes with their ready-made union lists (three, like a term's), sorted.
    pub prefixes: Vec<(String, Vec<u8>)>,
}

/// Papers per tokenising task: enough tasks (four per thread) to share out evenly, few enough
/// that the words each task copies into its own table stay few, and that a save in `serve`
/// tokenises again only a small block.
pub fn block_size(papers: usize) -> usize {
    (papers / (rayon::current_num_threads() * 4)).clamp(256, 512)
}

/// Tokenised blocks of the last build by a hash of their papers ([`index_cached`]).
pub type BlockCache = HashMap<u64, Arc<Block>>;

pub struct Block {
    /// The block's indexed words, each once, with the index of its stem in `stems`.
    words: Vec<(Box<str>, u32)>,
    /// The stems of those words, each once, sorted: numbering them in the site's sorted list of
    /// terms keeps their order, so a paper's entries stay sorted without sorting them again.
    stems: Vec<Box<str>>,
    /// Per paper of the block, `stem << 2 | field`, each once, ascending.
    entries: Vec<u32>,
    /// `entries[ends[i - 1]..ends[i]]` belong to the block's paper `i`.
    ends: Vec<usize>,
}

/// A multiply-rotate hash taking eight bytes at a time (like rustc's FxHash): word tables hash
/// millions of short strings, where SipHash's setup dominates. Not for untrusted keys: the keys
/// are the site's own words.
#[derive(Default)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            h = (h ^ word).wrapping_mul(K).rotate_left(26);
        }
        let mut tail = 0u64;
        for (i, &b) in chunks.remainder().iter().enumerate() {
            tail |= u64::from(b) << (8 * i);
        }
        self.0 = (h ^ tail ^ bytes.len() as u64)
            .wrapping_mul(K)
            .rotate_left(26);
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<WordHasher>>;

/// Marks a token that is not indexed (stop word, one character) in a block's table.
const SKIP: u32 = u32::MAX;

/// Tokenises the papers of one block ([`index_cached`] asks for the blocks it has not cached).
pub fn tokenise_block(docs: &[DocFields]) -> Block {
    let mut ids: FastMap<Box<str>, u32> = FastMap::default();
    let mut words = Vec::new();
    let mut entries = Vec::new();
    let mut ends = Vec::with_capacity(docs.len());
    let mut seen: Vec<u32> = Vec::new();
    for (paper, doc) in docs.iter().enumerate() {
        let paper = paper as u32;
        for (field, pieces) in doc.iter().enumerate() {
            for piece in pieces {
                text::for_each_token(piece, |token| {
                    let id = match ids.get(token) {
                        Some(&id) => id,
                        None => {
                            let id = if text::is_indexed(token) {
                                words.push(Box::from(token));
                                words.len() as u32 - 1
                            } else {
                                SKIP
                            };
                            ids.insert(Box::from(token), id);
                            id
                        }
                    };
                    if id != SKIP {
                        // Each (word, field) once per paper, without sorting: mark it seen.
                        let entry = (id << 2) | field as u32;
                        if seen.len() <= entry as usize {
                            seen.resize(entry as usize + 64, u32::MAX);
                        }
                        if seen[entry as usize] != paper {
                            seen[entry as usize] = paper;
                            entries.push(entry);
                        }
                    }
                });
            }
        }
        ends.push(entries.len());
    }

    // Words of one stem (`model`, `models`) meet here: each stem and field once per paper. A paper
    // has a few hundred entries: sorting them beats a table the size of the vocabulary.
    let word_stems: Vec<String> = words.iter().map(|w| text::stem(w)).collect();
    let mut stems: Vec<&str> = word_stems.iter().map(String::as_str).collect();
    stems.sort_unstable();
    stems.dedup();
    let stem_of_word: Vec<u32> = word_stems
        .iter()
        .map(|s| {
            stems
                .binary_search(&s.as_str())
                .expect("every stem is listed") as u32
        })
        .collect();
    let mut start = 0;
    let mut kept_end = 0;
    for paper_end in ends.iter_mut() {
        let paper = &mut entries[start..*paper_end];
        for entry in paper.iter_mut() {
            *entry = (stem_of_word[(*entry >> 2) as usize] << 2) | (*entry & 3);
        }
        paper.sort_unstable();
        let mut kept = start;
        for i in start..*paper_end {
            if i == start || entries[i] != entries[kept - 1] {
                entries[kept] = entries[i];
                kept += 1;
            }
        }
        // Move this paper's kept entries down behind the previous paper's.
        entries.copy_within(start..kept, kept_end);
        kept_end += kept - start;
        start = *paper_end;
        *paper_end = kept_end;
    }
    entries.truncate(kept_end);
    Block {
        stems: stems.iter().map(|&s| Box::from(s)).collect(),
        words: words.into_iter().zip(stem_of_word).collect(),
        entries,
        ends,
    }
}

/// Builds every list from the papers' fields, numbered by position in `docs`.
pub fn index(docs: &[DocFields]) -> TermIndex {
    let keys: Vec<u64> = (0..docs.len() as u64).collect();
    index_cached(
        &keys,
        &|range| tokenise_block(&docs[range]),
        &mut BlockCache::default(),
        false,
    )
}

/// [`index`], taking the tokenised blocks whose papers are unchanged from `cache`: `doc_keys`
/// holds a hash of each paper's fields, and `make_block` tokenises the papers of a range (only
/// for the blocks not in the cache: their fields need not even be gathered). With `remember`,
/// the cache is left holding this build's blocks.
pub fn index_cached(
    doc_keys: &[u64],
    make_block: &(dyn Fn(std::ops::Range<usize>) -> Block + Sync),
    cache: &mut BlockCache,
    remember: bool,
) -> TermIndex {
    let papers = doc_keys.len();
    let blocks = cached_blocks(doc_keys, make_block, cache, remember);
    let SiteTerms {
        terms,
        term_ids,
        term_of_stem,
    } = site_terms(&blocks);
    let aliases = aliases(&blocks, &term_of_stem, &term_ids);
    let slots = paper_slots(&blocks, &term_of_stem);
    let terms: Vec<String> = terms.into_iter().map(String::from).collect();
    let postings = Postings::sorted(&slots, terms.len());
    let list = |term: usize, field: usize| postings.list(term, field);
    let lists: Vec<Vec<u8>> = (0..terms.len())
        .into_par_iter()
        .map(|term| {
            let mut bytes = Vec::new();
            for field in 0..FIELDS {
                postings::encode(list(term, field), &mut bytes);
            }
            bytes
        })
        .collect();
    let prefixes = prefix_unions(&terms, &aliases, &lists, papers, &list);
    TermIndex {
        terms,
        lists,
        aliases,
        prefixes,
    }
}

/// The tokenised blocks of the papers keyed by `doc_keys`: from `cache` where a block's papers
/// are unchanged, made by `make_block` otherwise. With `remember`, `cache` is left holding them.
fn cached_blocks(
    doc_keys: &[u64],
    make_block: &(dyn Fn(std::ops::Range<usize>) -> Block + Sync),
    cache: &mut BlockCache,
    remember: bool,
) -> Vec<Arc<Block>> {
    let papers = doc_keys.len();
    let size = block_size(papers);
    let block_keys: Vec<u64> = doc_keys
        .chunks(size)
        .map(|keys| {
            let mut h = crate::fingerprint::hasher();
            keys.hash(&mut h);
            h.finish()
        })
        .collect();
    let blocks: Vec<Arc<Block>> = block_keys
        .par_iter()
        .enumerate()
        .map(|(index, key)| match cache.get(key) {
            Some(block) => block.clone(),
            None => Arc::new(make_block(index * size..((index + 1) * size).min(papers))),
        })
        .collect();
    if remember {
        *cache = block_keys
            .iter()
            .copied()
            .zip(blocks.iter().cloned())
            .collect();
    }
    blocks
}

/// The site's terms: every block's stems, once, sorted, with their numbers, and each block's
/// stems numbered in it.
struct SiteTerms<'a> {
    terms: Vec<&'a str>,
    term_ids: FastMap<&'a str, u32>,
    term_of_stem: Vec<Vec<u32>>,
}

fn site_terms(blocks: &[Arc<Block>]) -> SiteTerms<'_> {
    let mut terms: Vec<&str> = {
        let mut seen: FastMap<&str, ()> = FastMap::default();
        blocks
            .iter()
            .flat_map(|block| block.stems.iter())
            .filter(|stem| seen.insert(stem, ()).is_none())
            .map(|stem| &**stem)
            .collect()
    };
    terms.par_sort_unstable();
    let term_ids: FastMap<&str, u32> = terms
        .iter()
        .enumerate()
        .map(|(id, &term)| (term, id as u32))
        .collect();
    let term_of_stem: Vec<Vec<u32>> = blocks
        .par_iter()
        .map(|block| block.stems.iter().map(|stem| term_ids[&**stem]).collect())
        .collect();
    SiteTerms {
        terms,
        term_ids,
        term_of_stem,
    }
}

/// Words whose term differs from them (`models` → `model`), once each, sorted.
fn aliases(
    blocks: &[Arc<Block>],
    term_of_stem: &[Vec<u32>],
    term_ids: &FastMap<&str, u32>,
) -> Vec<(String, u32)> {
    let mut seen: FastMap<&str, ()> = FastMap::default();
    let mut aliases = Vec::new();
    for (block, term_of_stem) in blocks.iter().zip(term_of_stem) {
        for (word, stem) in &block.words {
            if seen.insert(word, ()).is_none()
                && **word != *block.stems[*stem as usize]
                // A word that is also some other word's term is found as that term.
                && !term_ids.contains_key(&**word)
            {
                aliases.push((word.to_string(), term_of_stem[*stem as usize]));
            }
        }
    }
    aliases.sort_unstable();
    aliases
}

/// Per block: per paper, each `term * 3 + field` once and ascending, then `u32::MAX`.
fn paper_slots(blocks: &[Arc<Block>], term_of_stem: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let slot = |term_of_stem: &[u32], entry: u32| {
        term_of_stem[(entry >> 2) as usize] * FIELDS as u32 + (entry & 3)
    };
    blocks
        .par_iter()
        .zip(term_of_stem)
        .map(|(block, term_of_stem)| {
            let mut out = Vec::with_capacity(block.entries.len() + block.ends.len());
            let mut start = 0;
            for &end in &block.ends {
                out.extend(
                    block.entries[start..end]
                        .iter()
                        .map(|&e| slot(term_of_stem, e)),
                );
                out.push(u32::MAX);
                start = end;
            }
            out
        })
        .collect()
}

/// The papers of every (term, field) slot, in paper order, in one array.
struct Postings {
    /// `papers[starts[slot]..starts[slot + 1]]` are the slot's papers.
    starts: Vec<usize>,
    papers: Vec<u32>,
}

impl Postings {
    /// A counting sort of [`paper_slots`]'s output over `terms` terms.
    fn sorted(slots: &[Vec<u32>], terms: usize) -> Postings {
        let mut starts = vec![0usize; terms * FIELDS + 1];
        for entries in slots {
            for &slot in entries.iter().filter(|&&s| s != u32::MAX) {
                starts[slot as usize + 1] += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut papers = vec![0u32; *starts.last().unwrap_or(&0)];
        let mut doc = 0u32;
        for entries in slots {
            for &slot in entries {
                if slot == u32::MAX {
                    doc += 1;
                } else {
                    papers[fill[slot as usize]] = doc;
                    fill[slot as usize] += 1;
                }
            }
        }
        Postings { starts, papers }
    }

    fn list(&self, term: usize, field: usize) -> &[u32] {
        let slot = term * FIELDS + field;
        &self.papers[self.starts[slot]..self.starts[slot + 1]]
    }
}

/// Byte offset of the end of the first `chars` characters of `s`, if it has that many.
fn char_prefix(s: &str, chars: usize) -> Option<usize> {
    if chars == 0 {
        return Some(0);
    }
    s.char_indices().nth(chars).map(|(i, _)| i).or_else(|| {
        // Exactly `chars` characters long.
        (s.chars().count() == chars).then_some(s.len())
    })
}

/// The prefixes whose expansion (every term starting with it, and the term of every word
/// starting with it) costs more than [`PREFIX_MIN_COST`] bytes, with their union lists when
/// the union is clearly smaller. Prefixes nest, so a cheap prefix ends the descent.
fn prefix_unions<'a>(
    terms: &'a [String],
    aliases: &'a [(String, u32)],
    lists: &[Vec<u8>],
    papers: usize,
    list: &(dyn Fn(usize, usize) -> &'a [u32] + Sync),
) -> Vec<(String, Vec<u8>)> {
    let mut keys: Vec<(&str, u32)> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i as u32))
        .chain(aliases.iter().map(|(a, t)| (a.as_str(), *t)))
        .collect();
    keys.sort_unstable();

    // Groups of keys sharing their first `length` characters, within `range`.
    fn groups<'k>(
        keys: &'k [(&'k str, u32)],
        length: usize,
    ) -> Vec<(&'k str, &'k [(&'k str, u32)])> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            let Some(end) = char_prefix(keys[i].0, length) else {
                i += 1;
                continue;
            };
            let prefix = &keys[i].0[..end];
            let mut j = i + 1;
            while j < keys.len() && keys[j].0.starts_with(prefix) {
                j += 1;
            }
            out.push((prefix, &keys[i..j]));
            i = j;
        }
        out
    }

    #[allow(clippy::too_many_arguments)] // a recursive helper: its arguments are its state
    fn descend<'k, 'l>(
        prefix: &'k str,
        group: &'k [(&'k str, u32)],
        length: usize,
        lists: &[Vec<u8>],
        papers: usize,
        list: &(dyn Fn(usize, usize) -> &'l [u32] + Sync),
        out: &mut Vec<(String, Vec<u8>)>,
    ) {
        let mut members: Vec<u32> = group.iter().map(|&(_, t)| t).collect();
        members.sort_unstable();
        members.dedup();
        let cost: usize = members.iter().map(|&t| lists[t as usize].len()).sum();
        if cost <= PREFIX_MIN_COST || members.len() < 2 {
            return;
        }
        let mut union = Vec::new();
        for field in 0..FIELDS {
            let mut bits = Bits::new(papers);
            for &t in &members {
                bits.insert_all(list(t as usize, field));
            }
            postings::encode(&bits.to_docs(), &mut union);
        }
        if union.len() * 3 < cost * 2 {
            out.push((prefix.to_string(), union));
        }
        for (child, members) in groups(group, length + 1) {
            descend(child, members, length + 1, lists, papers, list, out);
        }
    }

    let mut out: Vec<(String, Vec<u8>)> = groups(&keys, MIN_PREFIX_CHARS)
        .into_par_iter()
        .map(|(prefix, group)| {
            let mut out = Vec::new();
            descend(
                prefix,
                group,
                MIN_PREFIX_CHARS,
                lists,
                papers,
                list,
                &mut out,
            );
            out
        })
        .flatten()
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_lists(bytes: &[u8]) -> [Vec<u32>; 3] {
        let mut at = 0;
        let mut next = || postings::decode(bytes, &mut at).unwrap();
        [next(), next(), next()]
    }

    fn lists_of(index: &TermIndex, term: &str) -> [Vec<u32>; 3] {
        let i = index.terms.binary_search(&term.to_string()).expect(term);
        decode_lists(&index.lists[i])
    }

    #[test]
    fn lists_record_paper_numbers_per_field() {
        let docs: Vec<DocFields> = vec![
            [
                vec!["Diffusion Models"],
                vec!["Yang Song"],
                vec!["We model noise."],
            ],
            [
                vec!["Attention"],
                vec!["Ashish Vaswani"],
                vec!["Diffusion of attention"],
            ],
            [vec!["Modeling"], vec!["Song Han"], vec![]],
        ];
        let index = index(&docs);
        assert_eq!(lists_of(&index, "model"), [vec![0, 2], vec![], vec![0]]);
        assert_eq!(lists_of(&index, "song"), [vec![], vec![0, 2], vec![]]);
        assert_eq!(lists_of(&index, "diffus"), [vec![0], vec![], vec![1]]);
        assert!(
            index.terms.binary_search(&"we".to_string()).is_err(),
            "stop word"
        );
        let alias_targets: Vec<(&str, &str)> = index
            .aliases
            .iter()
            .map(|(a, t)| (a.as_str(), index.terms[*t as usize].as_str()))
            .collect();
        assert!(alias_targets.contains(&("models", "model")));
        assert!(alias_targets.contains(&("modeling", "model")));
        assert!(alias_targets.contains(&("diffusion", "diffus")));
        assert!(
            !alias_targets.iter().any(|(a, _)| *a == "model"),
            "a term is no alias"
        );
    }

    #[test]
    fn expensive_prefixes_get_unions_that_match_their_expansion() {
        // Many distinct words starting with "co", each in many papers.
        let words: Vec<String> = (0..40)
            .map(|i| format!("co{}{}x", (b'a' + i / 8) as char, (b'a' + i % 8) as char))
            .collect();
        let bodies: Vec<String> = (0..8000)
            .map(|d| {
                words
                    .iter()
                    .enumerate()
                    .filter(|(w, _)| (d * 7 + w * 13) % 5 < 2)
                    .map(|(_, w)| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let docs: Vec<DocFields> = bodies
            .iter()
            .map(|b| [vec![], vec![], vec![b.as_str()]])
            .collect();
        let index = index(&docs);
        let (prefix, union) = index
            .prefixes
            .iter()
            .find(|(p, _)| p == "co")
            .expect("`co` is expensive to expand");
        let expected: Vec<u32> = (0..8000u32)
            .filter(|d| {
                bodies[*d as usize]
                    .split(' ')
                    .any(|w| w.starts_with(prefix.as_str()))
            })
            .collect();
        assert_eq!(decode_lists(union)[BODY], expected);
        assert!(
            index
                .prefixes
                .iter()
                .all(|(p, _)| p.chars().count() >= MIN_PREFIX_CHARS)
        );
    }

    #[test]
    fn char_prefixes_count_characters_not_bytes() {
        assert_eq!(char_prefix("école", 2), Some(3));
        assert_eq!(char_prefix("ab", 2), Some(2));
        assert_eq!(char_prefix("a", 2), None);
    }
}
