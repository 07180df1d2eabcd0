//! Citations: BibTeX keys for the whole site, and what every citation format shares (entry kind
//! from the venue, author names split into parts, years, plain-text abstracts).
//!
//! [`Citations::new`] runs once per build, after the Markdown stage, and is borrowed by the
//! renderer (the paper page's Cite block, JSON-LD, COinS) and by the writers of citation files
//! (`bibtex`, `ris`, `csl`). Keys are computed here and only here, so a paper has the same key in
//! `cite.bib`, on its page and in every `papers.bib`.

pub mod bibtex;
pub mod csl;
pub mod meta;
pub mod ris;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::BaseUrl;

use crate::markdown::plain::{PlainOptions, plain_text};
use crate::model::{Paper, Site};

/// Citation data computed once per build, indexed like `Site::papers`.
#[derive(Debug, Default)]
pub struct Citations {
    /// BibTeX keys, unique across the site: `song2023improved`, `song2023improveda`, …
    pub keys: Vec<String>,
    /// Each paper's BibTeX entry, ending with a blank line: written once, used by the paper's
    /// page, its `cite.bib` and every `papers.bib` that lists it.
    pub bibtex: Vec<Arc<str>>,
    /// Per paper, a hash of everything its citation files are made of (fields, key, topics).
    pub fingerprints: Vec<u64>,
}

/// BibTeX entries of the last build, by the hash of what they were made from: `serve` rebuilds
/// only those of papers that changed. Holds the last build's papers only.
#[derive(Debug, Default)]
pub struct CitationCache {
    entries: HashMap<u64, Arc<str>>,
    /// Keys before they are made unique, by a hash of what they are made of.
    bases: HashMap<u64, String, ahash::RandomState>,
    /// A one-off build keeps nothing for a next one.
    forget: bool,
}

impl CitationCache {
    /// A cache that is not filled: for a build that has no next one.
    pub fn one_off() -> Self {
        CitationCache {
            forget: true,
            ..Self::default()
        }
    }
}

/// The abstract of `paper` as plain text, made on each use: few outputs read it by default (RIS
/// and CSL-JSON files, the newest digests' plain-text emails), and a large site's held for the
/// whole build would weigh 1.3 KB a paper.
pub fn plain_abstract(paper: &Paper) -> Option<Arc<str>> {
    paper
        .abstract_md
        .as_deref()
        .map(|text| plain_text(text, &PlainOptions::CITATION).into())
}

impl Citations {
    pub fn new(site: &Site) -> Self {
        Self::with_cache(site, None, &mut CitationCache::one_off())
    }

    /// With `lab`, BibTeX entries name authors as the people file does (aliases resolved).
    pub fn with_cache(
        site: &Site,
        lab: Option<&crate::model::people::Lab>,
        cache: &mut CitationCache,
    ) -> Self {
        let names = |index: usize| -> Vec<&str> {
            match lab {
                Some(lab) => lab.paper_authors[index]
                    .iter()
                    .map(|&a| lab.authors[a].name.as_str())
                    .collect(),
                None => site.papers[index]
                    .authors
                    .iter()
                    .map(String::as_str)
                    .collect(),
            }
        };
        let base_inputs: Vec<u64> = site.papers.par_iter().map(base_key_inputs).collect();
        let bases: Vec<String> = site
            .papers
            .par_iter()
            .zip(&base_inputs)
            .map(|(paper, inputs)| match cache.bases.get(inputs) {
                Some(base) => base.clone(),
                None => base_key(paper),
            })
            .collect();
        if !cache.forget {
            cache.bases = base_inputs.into_iter().zip(bases.iter().cloned()).collect();
        }
        let keys = unique_keys(site, bases);
        let fingerprints: Vec<u64> = site
            .papers
            .par_iter()
            .enumerate()
            .zip(&keys)
            .map(|((index, paper), key)| citation_fingerprint(site, paper, key, &names(index)))
            .collect();
        let bibtex: Vec<Arc<str>> = site
            .papers
            .par_iter()
            .enumerate()
            .zip(&keys)
            .zip(&fingerprints)
            .map(
                |(((index, paper), key), fingerprint)| match cache.entries.get(fingerprint) {
                    Some(known) => known.clone(),
                    None => {
                        let mut entry = String::with_capacity(512);
                        bibtex::write_entry_with_authors(&mut entry, paper, key, &names(index));
                        entry.into()
                    }
                },
            )
            .collect();
        if !cache.forget {
            cache.entries = fingerprints
                .iter()
                .copied()
                .zip(bibtex.iter().cloned())
                .collect();
        }
        Citations {
            keys,
            bibtex,
            fingerprints,
        }
    }
}

/// Stands for what [`base_key`] reads: all of it comes from the digest files.
fn base_key_inputs(paper: &Paper) -> u64 {
    paper.content
}

/// What a paper's citations are made of: its own fields, its key, and its topics' names.
fn citation_fingerprint(site: &Site, paper: &Paper, key: &str, names: &[&str]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprint::hasher();
    (key, paper.content, names).hash(&mut h);
    for &topic in &paper.topics {
        site.topics[topic].name.hash(&mut h);
    }
    h.finish()
}

/// One paper with what every citation writer needs besides the paper itself.
pub struct Record<'a> {
    pub paper: &'a Paper,
    pub key: &'a str,
    /// The abstract as plain text, math kept as `$…$` TeX, paragraphs separated by a blank
    /// line; only in a record made [`Citations::record_with_abstract`].
    pub abstract_text: Option<Arc<str>>,
    /// Topic names, sorted like `Site::topics`.
    pub topics: Vec<&'a str>,
    /// Absolute URL of the paper's page.
    pub permalink: String,
}

impl Citations {
    /// The record of the paper at `index`, without its abstract: COinS, BibTeX and JSON-LD (by
    /// default) have none.
    pub fn record<'a>(&'a self, site: &'a Site, base: &BaseUrl, index: usize) -> Record<'a> {
        let paper = &site.papers[index];
        Record {
            paper,
            key: &self.keys[index],
            abstract_text: None,
            topics: paper
                .topics
                .iter()
                .map(|&t| site.topics[t].name.as_str())
                .collect(),
            permalink: base.permalink(&format!("papers/{}/", paper.slug)),
        }
    }

    /// [`Citations::record`] with the plain-text abstract, for RIS, CSL-JSON and the JSON-LD of
    /// `[outputs] rich_metadata`.
    pub fn record_with_abstract<'a>(
        &'a self,
        site: &'a Site,
        base: &BaseUrl,
        index: usize,
    ) -> Record<'a> {
        Record {
            abstract_text: plain_abstract(&site.papers[index]),
            ..self.record(site, base, index)
        }
    }
}

/// What a paper is, as far as citation formats care; decided from `venue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A conference or workshop paper: `@inproceedings`, `booktitle`.
    Conference,
    /// A journal article: `@article`, `journal`.
    Journal,
    /// A preprint or anything else: `@misc`, with `eprint` for arXiv.
    Other,
}

const JOURNAL_WORDS: &[&str] = &[
    "journal",
    "transactions",
    "letters",
    "review",
    "magazine",
    "annals",
    "nature",
    "science",
    "jmlr",
    "tmlr",
    "pami",
    "tacl",
    "pnas",
    "cell",
    "bulletin",
    "quarterly",
    // Abbreviated journal names: "Phys. Rev. Lett.", "J. Mach. Learn. Res.", "Adv. Theor. Math. Phys."
    "j",
    "phys",
    "lett",
    "rev",
    "adv",
    "acta",
    "ann",
    "commun",
    "natl",
];

const CONFERENCE_WORDS: &[&str] = &[
    "conference",
    "proceedings",
    "workshop",
    "symposium",
    "neurips",
    "nips",
    "icml",
    "iclr",
    "cvpr",
    "iccv",
    "eccv",
    "acl",
    "emnlp",
    "naacl",
    "eacl",
    "coling",
    "aaai",
    "ijcai",
    "kdd",
    "sigir",
    "sigmod",
    "siggraph",
    "www",
    "colt",
    "aistats",
    "uai",
    "corl",
    "rss",
    "icra",
    "iros",
    "interspeech",
    "icassp",
    "chi",
    "wacv",
    "bmvc",
    "miccai",
    "osdi",
    "sosp",
    "nsdi",
    "usenix",
    "focs",
    "stoc",
    "soda",
    "popl",
    "pldi",
    "wsdm",
    "recsys",
    "cikm",
    "icde",
    "vldb",
    "mlsys",
    "colm",
];

/// The kind of a venue, from its words: "NeurIPS 2020" is a conference, "Nature" and
/// "Transactions on Machine Learning Research" are journals, "arXiv preprint" is neither.
pub fn venue_kind(venue: Option<&str>) -> Kind {
    let Some(venue) = venue else {
        return Kind::Other;
    };
    let lower = venue.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if words
        .iter()
        .any(|w| ["arxiv", "preprint", "corr", "biorxiv", "medrxiv"].contains(w))
    {
        Kind::Other
    } else if has(CONFERENCE_WORDS) {
        Kind::Conference
    } else if has(JOURNAL_WORDS) {
        Kind::Journal
    } else {
        Kind::Other
    }
}

/// An author's name in the parts citation formats want. `literal` names (one word, or an
/// organisation) have only `family`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Name {
    pub given: String,
    /// Lower-case words before the family name: `van den`.
    pub particle: String,
    pub family: String,
    /// `Jr.`, `III`.
    pub suffix: String,
    pub is_literal: bool,
}

const SUFFIXES: &[&str] = &["jr", "jr.", "sr", "sr.", "ii", "iii", "iv"];

/// Splits `Aäron van den Oord`, `Oord, Aäron van den`, `Martin Luther King Jr.` into parts.
pub fn split_name(name: &str) -> Name {
    let name = name.trim();
    if let Some((family, given)) = name.split_once(',') {
        let (particle, family) = split_particle(family.trim());
        return Name {
            given: given.trim().to_string(),
            particle,
            family,
            ..Name::default()
        };
    }
    let mut words: Vec<&str> = name.split_whitespace().collect();
    let mut suffix = String::new();
    if words.len() > 2
        && words
            .last()
            .is_some_and(|w| SUFFIXES.contains(&w.to_lowercase().as_str()))
    {
        suffix = words.pop().unwrap_or_default().to_string();
    }
    if words.len() < 2 {
        return Name {
            family: name.to_string(),
            is_literal: true,
            ..Name::default()
        };
    }
    // The family name starts at the first lower-case word after the first (`van`, `de`), else
    // it is the last word.
    let start = (1..words.len() - 1)
        .find(|&i| words[i].starts_with(char::is_lowercase))
        .unwrap_or(words.len() - 1);
    let (particle, family) = split_particle(&words[start..].join(" "));
    Name {
        given: words[..start].join(" "),
        particle,
        family,
        suffix,
        is_literal: false,
    }
}

fn split_particle(family: &str) -> (String, String) {
    let words: Vec<&str> = family.split_whitespace().collect();
    let lower = words
        .iter()
        .take_while(|w| w.starts_with(char::is_lowercase))
        .count()
        .min(words.len().saturating_sub(1));
    (words[..lower].join(" "), words[lower..].join(" "))
}

/// The publication year: `published`, else the year in a new- or old-style arXiv id.
pub fn year(paper: &Paper) -> Option<i16> {
    if let Some(date) = paper.published {
        return Some(date.year());
    }
    let arxiv = paper.arxiv.as_deref()?;
    let digits = match arxiv.split_once('/') {
        Some((_, number)) => number.get(..2)?,
        None => arxiv.get(..2)?,
    };
    let yy: i16 = digits.parse().ok()?;
    Some(if yy >= 91 { 1900 + yy } else { 2000 + yy })
}

const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "via", "from", "towards",
    "toward", "is", "are", "do", "does", "at", "by", "as", "we", "our", "how", "what", "why",
    "when", "can", "your", "all", "you",
];

fn ascii_word(text: &str) -> String {
    deunicode::deunicode(text)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// `song2023improved`: the first author's family name, the year, the title's first word that
/// is not a stop word. No author gives `anon`; no year leaves it out.
pub fn base_key(paper: &Paper) -> String {
    let family = paper
        .authors
        .first()
        .map(|a| ascii_word(&split_name(a).family))
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "anon".into());
    let mut words = paper
        .title
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .map(ascii_word)
        .filter(|w| !w.is_empty());
    let first = words.next().unwrap_or_default();
    let word = if STOP_WORDS.contains(&first.as_str()) {
        words
            .find(|w| !STOP_WORDS.contains(&w.as_str()))
            .unwrap_or(first)
    } else {
        first
    };
    let year = year(paper).map(|y| y.to_string()).unwrap_or_default();
    format!("{family}{year}{word}")
}

/// Keys for every paper, unique across the site. Papers that share a base key are ordered by
/// when the site first featured them (oldest digest first, then position in it, then id): the
/// first keeps the bare key, the others get `a`, `b`, …, `z`, `aa`, … So adding a newer digest
/// never changes the key of a paper already published.
pub fn keys(site: &Site) -> Vec<String> {
    let bases: Vec<String> = site.papers.par_iter().map(base_key).collect();
    unique_keys(site, bases)
}

/// Makes `bases` (one per paper) unique, in the order papers were first featured.
fn unique_keys(site: &Site, mut bases: Vec<String>) -> Vec<String> {
    // First appearance: (date, digest slug, position in the digest).
    let first_seen = |index: usize| {
        let paper = &site.papers[index];
        let digest_index = paper.appearances[0];
        let digest = &site.digests[digest_index];
        let position = digest.entries.iter().position(|e| e.paper == index);
        (
            digest.date,
            digest.slug.as_str(),
            position,
            paper.id.as_str(),
        )
    };
    // Papers in order of their base key: papers sharing one are neighbours, and whether a
    // candidate key is some paper's base is a binary search (no table of every key).
    let mut sorted: Vec<usize> = (0..bases.len()).collect();
    sorted.par_sort_unstable_by(|&a, &b| bases[a].cmp(&bases[b]));
    let mut renames: Vec<(usize, String)> = Vec::new();
    {
        let is_base = |candidate: &str| {
            sorted
                .binary_search_by(|&i| bases[i].as_str().cmp(candidate))
                .is_ok()
        };
        let mut added: HashSet<String, ahash::RandomState> = HashSet::default();
        let mut start = 0;
        while start < sorted.len() {
            let base = bases[sorted[start]].as_str();
            let end = start
                + sorted[start..]
                    .iter()
                    .take_while(|&&i| bases[i] == base)
                    .count();
            if end - start > 1 {
                let mut members = sorted[start..end].to_vec();
                members.sort_by_cached_key(|&i| first_seen(i));
                let mut n = 0;
                for &index in &members[1..] {
                    let key = loop {
                        n += 1;
                        let candidate = format!("{base}{}", letters(n));
                        if !is_base(&candidate) && !added.contains(&candidate) {
                            break candidate;
                        }
                    };
                    added.insert(key.clone());
                    renames.push((index, key));
                }
            }
            start = end;
        }
    }
    for (index, key) in renames {
        bases[index] = key;
    }
    bases
}

/// 1 → `a`, 26 → `z`, 27 → `aa`.
fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_parts() {
        let n = split_name("Aäron van den Oord");
        assert_eq!(
            (n.given.as_str(), n.particle.as_str(), n.family.as_str()),
            ("Aäron", "van den", "Oord")
        );
        let n = split_name("Oord, Aäron van den");
        assert_eq!(
            (n.given.as_str(), n.family.as_str()),
            ("Aäron van den", "Oord")
        );
        let n = split_name("van den Oord, Aäron");
        assert_eq!(
            (n.given.as_str(), n.particle.as_str(), n.family.as_str()),
            ("Aäron", "van den", "Oord")
        );
        let n = split_name("Diederik P. Kingma");
        assert_eq!(
            (n.given.as_str(), n.family.as_str()),
            ("Diederik P.", "Kingma")
        );
        let n = split_name("Martin Luther King Jr.");
        assert_eq!((n.family.as_str(), n.suffix.as_str()), ("King", "Jr."));
        assert!(split_name("OpenAI").is_literal);
    }

    #[test]
    fn venues_decide_the_kind() {
        assert_eq!(venue_kind(Some("NeurIPS 2020")), Kind::Conference);
        assert_eq!(venue_kind(Some("ICLR 2021 Workshop")), Kind::Conference);
        assert_eq!(
            venue_kind(Some("Transactions on Machine Learning Research")),
            Kind::Journal
        );
        assert_eq!(venue_kind(Some("Nature")), Kind::Journal);
        assert_eq!(
            venue_kind(Some("Adv. Theor. Math. Phys. 2 (1998)")),
            Kind::Journal
        );
        assert_eq!(venue_kind(Some("J. Mach. Learn. Res.")), Kind::Journal);
        assert_eq!(venue_kind(Some("arXiv preprint")), Kind::Other);
        assert_eq!(venue_kind(Some("Blog post")), Kind::Other);
        assert_eq!(venue_kind(None), Kind::Other);
    }

    #[test]
    fn suffix_letters_count_like_columns() {
        assert_eq!(letters(1), "a");
        assert_eq!(letters(26), "z");
        assert_eq!(letters(27), "aa");
    }
}
