//! `serve`'s update of related papers against ranking from scratch, over random sites and
//! random saves.

use std::collections::HashMap;

use super::terms::{DocTerms, TermNumbers, terms_of_papers};
use super::update::{Previous, rank_all};
use crate::fingerprint::hash_of;
use crate::model::Paper;

const TOPICS: usize = 10;
const COUNT: usize = 5;

/// The same numbers for the same seed: a small linear congruential generator.
fn numbers(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    }
}

/// Word `n` of a made-up language: letters only, so every word is a term.
fn word(n: usize) -> String {
    let letters = b"bcdfghklmnprstvz";
    let vowels = b"aeiou";
    let mut word = String::new();
    let mut n = n + 17;
    while n > 0 {
        word.push(letters[n % letters.len()] as char);
        word.push(vowels[(n / 3) % vowels.len()] as char);
        n /= letters.len();
    }
    word.push('x');
    word
}

/// A word of a vocabulary of 400, the first ones far more common: common terms are on more than
/// 16 papers, where document frequencies are coarse.
fn common_word(next: &mut impl FnMut(usize) -> usize) -> String {
    let skewed = next(400) * next(400) / 400;
    word(skewed * next(400) / 400)
}

fn words(next: &mut impl FnMut(usize) -> usize, count: usize) -> String {
    (0..count)
        .map(|_| common_word(next))
        .collect::<Vec<_>>()
        .join(" ")
}

fn random_authors(next: &mut impl FnMut(usize) -> usize) -> Vec<String> {
    // A few authors have more than AUTHOR_LIMIT papers.
    (0..1 + next(4))
        .map(|_| format!("Author {}", next(40) * next(40) / 40))
        .collect()
}

fn random_topics(next: &mut impl FnMut(usize) -> usize) -> Vec<usize> {
    let mut topics: Vec<usize> = (0..next(4)).map(|_| next(TOPICS)).collect();
    topics.sort_unstable();
    topics.dedup();
    topics
}

fn paper(next: &mut impl FnMut(usize) -> usize, index: usize) -> Paper {
    let mut paper = Paper {
        id: format!("p{index}"),
        slug: format!("p{index}"),
        title: words(next, 6),
        authors: random_authors(next),
        arxiv: None,
        arxiv_category: None,
        doi: None,
        url: None,
        pdf: None,
        code: None,
        project: None,
        venue: None,
        published: None,
        upvotes: None,
        comments: None,
        thumbnail: None,
        ours: false,
        abstract_md: Some(words(next, 40).into()),
        topics: random_topics(next),
        appearances: vec![0],
        last_featured: jiff::civil::date(2024, 1, 1),
        content: 0,
        source: "content/x.md".into(),
        line: 1,
    };
    seal(&mut paper);
    paper
}

/// What a build sets: `content` changes with the paper's text.
fn seal(paper: &mut Paper) {
    paper.content = hash_of((
        &paper.title,
        &paper.abstract_md,
        &paper.authors,
        &paper.topics,
    ));
}

/// One save: what `serve` sees change in one to three papers.
fn edit(papers: &mut [Paper], next: &mut impl FnMut(usize) -> usize) {
    for _ in 0..1 + next(3) / 2 {
        let at = next(papers.len());
        let paper = &mut papers[at];
        match next(7) {
            0 => paper.title = format!("{} {}", paper.title, common_word(next)),
            1 => paper.title = words(next, 6),
            2 => paper.abstract_md = Some(words(next, 40).into()),
            3 => paper.abstract_md = None,
            4 => paper.authors = random_authors(next),
            5 => paper.topics = random_topics(next),
            // A word no other paper has.
            _ => paper.title = format!("{} {}", paper.title, word(100_000 + next(1000))),
        }
        seal(paper);
    }
}

fn from_scratch(papers: &[Paper]) -> super::Related {
    let mut numbers = TermNumbers::default();
    let docs = terms_of_papers(papers, &HashMap::new(), &mut numbers);
    let (related, _) = rank_all(papers, TOPICS, docs, &numbers, COUNT, false);
    std::sync::Arc::into_inner(related).unwrap()
}

#[test]
fn updates_after_random_saves_equal_ranking_from_scratch() {
    for seed in 0..4 {
        let mut next = numbers(seed);
        let mut papers: Vec<Paper> = (0..300).map(|i| paper(&mut next, i)).collect();
        let mut numbers = TermNumbers::default();
        let mut known: HashMap<u64, DocTerms> = HashMap::new();
        let mut docs = terms_of_papers(&papers, &known, &mut numbers);
        let (_, previous) = rank_all(&papers, TOPICS, docs.clone(), &numbers, COUNT, true);
        let mut previous: Previous = previous.unwrap();
        let mut updated = 0;
        for save in 0..60 {
            known = papers
                .iter()
                .zip(&docs)
                .map(|(paper, terms)| (paper.content, terms.clone()))
                .collect();
            edit(&mut papers, &mut next);
            docs = terms_of_papers(&papers, &known, &mut numbers);
            if previous.update(&papers, TOPICS, &docs, &numbers, COUNT) {
                updated += 1;
            } else {
                previous = rank_all(&papers, TOPICS, docs.clone(), &numbers, COUNT, true)
                    .1
                    .unwrap();
            }
            assert_eq!(
                *previous.related,
                from_scratch(&papers),
                "seed {seed}, save {save}"
            );
        }
        // Saves of at most three papers in 300 are updates, not rankings from scratch.
        assert_eq!(updated, 60, "seed {seed}");
    }
}

#[test]
fn another_count_or_another_paper_ranks_from_scratch() {
    let mut next = numbers(9);
    let mut papers: Vec<Paper> = (0..50).map(|i| paper(&mut next, i)).collect();
    let mut numbers = TermNumbers::default();
    let docs = terms_of_papers(&papers, &HashMap::new(), &mut numbers);
    let (_, previous) = rank_all(&papers, TOPICS, docs.clone(), &numbers, COUNT, true);
    let mut previous = previous.unwrap();
    assert!(!previous.update(&papers, TOPICS, &docs, &numbers, COUNT + 1));
    papers.push(paper(&mut next, 50));
    let docs = terms_of_papers(&papers, &HashMap::new(), &mut numbers);
    assert!(!previous.update(&papers, TOPICS, &docs, &numbers, COUNT));
}

#[test]
fn coarse_document_frequencies_keep_four_leading_bits() {
    use super::rank::coarse;
    assert_eq!(
        (0..=15).map(coarse).collect::<Vec<_>>(),
        (0..=15).collect::<Vec<_>>()
    );
    assert_eq!([coarse(16), coarse(17), coarse(18)], [16, 16, 18]);
    assert_eq!(
        [coarse(3000), coarse(3071), coarse(3072)],
        [2816, 2816, 3072]
    );
}

/// A paper that shares no word with any other is a candidate by its authors only: when its
/// topics change, its co-authors' lists must still be ranked again.
#[test]
fn a_topic_change_reaches_papers_that_share_only_an_author() {
    let mut next = numbers(3);
    let mut papers: Vec<Paper> = (0..8)
        .map(|i| {
            let mut paper = paper(&mut next, i);
            paper.title = word(50_000 + i);
            paper.abstract_md = None;
            paper.authors = vec!["Ada Lovelace".into()];
            paper.topics = vec![i % 4];
            seal(&mut paper);
            paper
        })
        .collect();
    let mut numbers = TermNumbers::default();
    let docs = terms_of_papers(&papers, &HashMap::new(), &mut numbers);
    let (before, previous) = rank_all(&papers, TOPICS, docs.clone(), &numbers, COUNT, true);
    let mut previous = previous.unwrap();
    assert!(!before.of(0).contains(&7), "{:?}", before.of(0));
    papers[7].topics = vec![0];
    seal(&mut papers[7]);
    assert!(previous.update(&papers, TOPICS, &docs, &numbers, COUNT));
    assert_eq!(previous.related.of(0)[..2], [4, 7]);
    assert_eq!(*previous.related, from_scratch(&papers));
}
