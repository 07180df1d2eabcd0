//! Topics, for `digestif check`: spellings one or two edits apart (`difusion` and
//! `diffusion`), and topics used by one paper only, each at the line that names it.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::Input;
use crate::config::CONFIG_FILE;
use crate::error::{Diagnostic, Location};

/// Where a topic is first written: the line naming it in its first paper's entry.
fn topic_location(input: &Input, topic: usize) -> Location {
    let site = input.site;
    let topic = &site.topics[topic];
    let Some(&paper) = topic.papers.first() else {
        return Location::file(CONFIG_FILE);
    };
    let paper = &site.papers[paper];
    let line = input
        .sources
        .topic_line(&paper.source, paper.line, &topic.name)
        .or_else(|| input.sources.topic_line(&paper.source, 1, &topic.name))
        .unwrap_or(paper.line);
    Location::at(&paper.source, line, None)
}

/// Pairs of topics one or two edits apart (`difusion` and `diffusion`), found through shared
/// deletion variants instead of comparing every pair.
pub(super) fn topic_typos(input: &Input) -> Vec<Diagnostic> {
    let topics = &input.site.topics;
    let keys: Vec<String> = topics.iter().map(|t| t.name.to_lowercase()).collect();
    let mut variants: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, key) in keys.iter().enumerate() {
        // Short names differ by design (`RL`, `ML`); long ones would cost too many variants.
        if !(5..=MAX_TYPO_CHARS).contains(&key.chars().count()) {
            continue;
        }
        for variant in deletions(key, allowed_distance(key)) {
            variants.entry(variant).or_default().push(index);
        }
    }
    let mut pairs = BTreeMap::new();
    for indices in variants.values() {
        for (i, &a) in indices.iter().enumerate() {
            for &b in &indices[i + 1..] {
                if a != b {
                    pairs.insert((a.min(b), a.max(b)), ());
                }
            }
        }
    }
    let mut findings = Vec::new();
    for &(a, b) in pairs.keys() {
        let distance = strsim::damerau_levenshtein(&keys[a], &keys[b]);
        let allowed = allowed_distance(&keys[a]).min(allowed_distance(&keys[b]));
        let digits = |s: &str| {
            s.chars()
                .filter(|c| !c.is_ascii_digit())
                .collect::<String>()
        };
        if distance == 0 || distance > allowed || digits(&keys[a]) == digits(&keys[b]) {
            continue;
        }
        // Report the rarer spelling, pointing at the common one; between equals, the shorter
        // (a letter left out is the commonest slip).
        let rank = |t: usize| (topics[t].papers.len(), keys[t].chars().count());
        let (rare, common) = if rank(a) <= rank(b) { (a, b) } else { (b, a) };
        let count = |t: usize| match topics[t].papers.len() {
            1 => "1 paper".to_string(),
            n => format!("{n} papers"),
        };
        findings.push(
            Diagnostic::warning(
                topic_location(input, rare),
                format!(
                    "topic `{}` ({}) looks like a typo of `{}` ({})",
                    topics[rare].name,
                    count(rare),
                    topics[common].name,
                    count(common)
                ),
            )
            .with_hint(format!(
                "fix the spelling, or map it under [topics.aliases] in site.toml: \"{}\" = \"{}\"",
                topics[rare].name, topics[common].name
            )),
        );
    }
    findings
}

/// Longer topic names are not compared: a name of n characters has about n²/2 variants.
const MAX_TYPO_CHARS: usize = 48;

fn allowed_distance(key: &str) -> usize {
    if key.chars().count() >= 10 { 2 } else { 1 }
}

/// The key and every string made by deleting up to `depth` characters from it.
fn deletions(key: &str, depth: usize) -> HashSet<String> {
    let mut all = HashSet::from([key.to_string()]);
    let mut frontier = vec![key.to_string()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for word in &frontier {
            let chars: Vec<char> = word.chars().collect();
            for skip in 0..chars.len() {
                let variant: String = chars
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != skip)
                    .map(|(_, c)| c)
                    .collect();
                if all.insert(variant.clone()) {
                    next.push(variant);
                }
            }
        }
        frontier = next;
    }
    all
}

/// Each topic used by one paper, at the line that names it.
pub(super) fn single_use_topics(input: &Input) -> Vec<Diagnostic> {
    input
        .site
        .topics
        .iter()
        .enumerate()
        .filter(|(_, t)| t.papers.len() == 1)
        .map(|(index, topic)| {
            Diagnostic::warning(
                topic_location(input, index),
                format!("topic `{}` is used by one paper only", topic.name),
            )
            .with_hint("if it is a variant spelling, map it under [topics.aliases] in site.toml")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_variants_meet_for_one_edit() {
        let a = deletions("diffusion", 1);
        let b = deletions("difusion", 1);
        assert!(a.intersection(&b).next().is_some());
        let c = deletions("robotics", 1);
        assert!(a.intersection(&c).next().is_none());
    }
}
