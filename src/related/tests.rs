//! `serve`'s update of related papers against ranking from scratch, over random sites and
//! random saves.

use std::collections::HashMap;

use super::rank::coarse;
use super::terms::{DocTerms, TermNumbers, terms_of_papers};
use super::update::{Previous, rank_all};
use crate::fingerprint::hash_of;
use crate::model::Paper;
use crate::test_rng as numbers;

const TOPICS: usize = 10;
const COUNT: usize = 5;

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

/// A word of a vocabulary of 1,000, the first ones far more common: most terms are on more than
/// 16 papers, where document frequencies are coarse, so that most saves re-weigh few papers.
fn common_word(next: &mut impl FnMut(usize) -> usize) -> String {
    const WORDS: usize = 1000;
    let skewed = next(WORDS) * next(WORDS) / WORDS;
    word(skewed * next(WORDS) / WORDS)
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
        authors: random_authors(next),
        abstract_md: Some(words(next, 40).into()),
        topics: random_topics(next),
        ..Paper::for_tests(&words(next, 6))
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

/// One save: what `serve` sees change in one to three papers, or a paper that comes or goes.
fn edit(papers: &mut Vec<Paper>, next: &mut impl FnMut(usize) -> usize, fresh_ids: &mut usize) {
    match next(8) {
        0 => {
            papers.remove(next(papers.len()));
            return;
        }
        1 => {
            *fresh_ids += 1;
            let paper = paper(next, *fresh_ids);
            papers.insert(next(papers.len() + 1), paper);
            return;
        }
        _ => {}
    }
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
    for seed in 0..2 {
        let mut next = numbers(seed);
        let mut papers: Vec<Paper> = (0..1000).map(|i| paper(&mut next, i)).collect();
        let mut numbers = TermNumbers::default();
        let mut known: HashMap<u64, DocTerms> = HashMap::new();
        let mut docs = terms_of_papers(&papers, &known, &mut numbers);
        let (_, previous) = rank_all(&papers, TOPICS, docs.clone(), &numbers, COUNT, true);
        let mut previous: Previous = previous.unwrap();
        let mut fresh_ids = 1_000_000;
        for save in 0..30 {
            known = papers
                .iter()
                .zip(&docs)
                .map(|(paper, terms)| (paper.content, terms.clone()))
                .collect();
            let before = papers.len();
            edit(&mut papers, &mut next, &mut fresh_ids);
            docs = terms_of_papers(&papers, &known, &mut numbers);
            let updated = previous.update(&papers, TOPICS, &docs, &numbers, COUNT);
            // Saves of at most three papers in 300 are updates, not rankings from scratch,
            // unless the site's size moved every idf.
            let moved_idf = coarse(before as u32) != coarse(papers.len() as u32);
            assert_eq!(updated, !moved_idf, "seed {seed}, save {save}");
            if !updated {
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
    }
}

#[test]
fn another_count_or_a_site_of_another_size_ranks_from_scratch() {
    let mut next = numbers(9);
    let mut papers: Vec<Paper> = (0..50).map(|i| paper(&mut next, i)).collect();
    let mut numbers = TermNumbers::default();
    let docs = terms_of_papers(&papers, &HashMap::new(), &mut numbers);
    let (_, previous) = rank_all(&papers, TOPICS, docs.clone(), &numbers, COUNT, true);
    let mut previous = previous.unwrap();
    assert!(!previous.update(&papers, TOPICS, &docs, &numbers, COUNT + 1));
    // 50 papers to 60: the coarse count goes from 48 to 60.
    papers.extend((50..60).map(|i| paper(&mut next, i)));
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

/// `count` papers with the same three words and nothing else in common: every pair scores the
/// same, so each list is the papers that sort first, until authors or topics tell them apart.
fn uniform_site(count: usize) -> Vec<Paper> {
    let mut next = numbers(5);
    (0..count)
        .map(|i| {
            let mut paper = paper(&mut next, i);
            paper.title = "alpha beta gamma".into();
            paper.abstract_md = None;
            paper.authors = vec![format!("Author {i}")];
            paper.topics = Vec::new();
            seal(&mut paper);
            paper
        })
        .collect()
}

/// Updates the ranking of `before` to `after`, and checks that it was an update and that it
/// equals ranking `after` from scratch.
fn assert_update_is_exact(before: &[Paper], after: &[Paper]) {
    let mut numbers = TermNumbers::default();
    let docs = terms_of_papers(before, &HashMap::new(), &mut numbers);
    let (_, previous) = rank_all(before, TOPICS, docs, &numbers, COUNT, true);
    let mut previous = previous.unwrap();
    let docs = terms_of_papers(after, &HashMap::new(), &mut numbers);
    assert!(previous.update(after, TOPICS, &docs, &numbers, COUNT));
    assert_eq!(*previous.related, from_scratch(after));
}

/// Paper 2 is on every list; when it goes, every list takes the next paper in.
#[test]
fn a_paper_that_goes_leaves_every_list_that_held_it() {
    // 41 papers and 40: the same coarse count, and the same coarse document frequencies.
    let before = uniform_site(41);
    let mut after = uniform_site(41);
    after.remove(2);
    assert!(from_scratch(&before).of(20).contains(&2));
    assert_update_is_exact(&before, &after);
}

/// An author with 51 papers is past the limit and links none of them; when one goes, the other
/// 50 share a bonus, although the paper that went (of other words) was on no list.
#[test]
fn a_paper_that_goes_can_bring_its_author_under_the_limit() {
    let site = || {
        let mut papers = uniform_site(57);
        for paper in &mut papers[6..] {
            paper.authors = vec!["Ada Lovelace".into()];
            seal(paper);
        }
        papers[30].title = "delta epsilon zeta".into();
        seal(&mut papers[30]);
        papers
    };
    let (before, mut after) = (site(), site());
    after.remove(30);
    assert_eq!(from_scratch(&before).of(40)[..], [0, 1, 2, 3, 4]);
    assert_update_is_exact(&before, &after);
    assert_eq!(from_scratch(&after).of(39)[..], [6, 7, 8, 9, 10]);
}

/// Paper 40 sorts last and is on no list; when it takes paper 10's topic, paper 10 lists it.
#[test]
fn a_topic_change_reaches_the_papers_that_look_its_paper_up() {
    let site = || {
        let mut papers = uniform_site(41);
        papers[10].topics = vec![3];
        seal(&mut papers[10]);
        papers
    };
    let (before, mut after) = (site(), site());
    after[40].topics = vec![3];
    seal(&mut after[40]);
    assert_update_is_exact(&before, &after);
    assert_eq!(from_scratch(&after).of(10)[0], 40);
}

/// A term's list as it is filled keeps exactly the papers that sorting every entry by weight
/// (heaviest first, then the paper that sorts first) and cutting at the limit keeps.
#[test]
fn bounded_lists_keep_the_heaviest_papers() {
    use super::LIST_LIMIT;
    use super::rank::Heaviest;
    let mut next = numbers(7);
    for round in 0..300 {
        let papers = next(4 * LIST_LIMIT);
        // Few distinct weights in some rounds, so that ties decide which papers stay.
        let weights = if round % 2 == 0 { 4 } else { 1_000 };
        let mut entries: Vec<(u32, u32)> = Vec::new();
        for paper in 0..papers as u32 {
            if next(3) > 0 {
                entries.push((paper, 1 + next(weights) as u32));
            }
        }
        let mut list = Heaviest::default();
        for &(paper, weight) in &entries {
            list.add(paper, weight);
        }
        let mut kept = list.into_list();
        kept.sort_unstable();
        let mut expected = entries.clone();
        expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        expected.truncate(LIST_LIMIT);
        expected.sort_unstable();
        assert_eq!(kept, expected, "round {round}");
    }
}

/// A paper with the most candidates a paper can have: each of its query terms on a full list
/// of papers no other list holds, and the most authors looked up, each with a full list.
#[test]
fn a_paper_with_every_list_full_is_ranked() {
    use super::rank::{AUTHOR_LIMIT, AUTHORS_LOOKED_UP};
    use super::{LIST_LIMIT, QUERY_TERMS};
    let vocabulary: Vec<String> = (0..2 * QUERY_TERMS).map(word).collect();
    let authors: Vec<String> = (0..AUTHORS_LOOKED_UP)
        .map(|a| format!("Author {a}"))
        .collect();
    let mut papers = vec![Paper {
        id: "busy".into(),
        slug: "busy".into(),
        authors: authors.clone(),
        abstract_md: Some(vocabulary.join(" ").into()),
        ..Paper::for_tests(&vocabulary[..4].join(" "))
    }];
    // Papers of one word each, more of them than a list keeps.
    for (w, term) in vocabulary.iter().enumerate() {
        for n in 0..=LIST_LIMIT {
            papers.push(Paper {
                id: format!("w{w}-{n}"),
                slug: format!("w{w}-{n}"),
                authors: vec![format!("Writer {w}-{n}")],
                ..Paper::for_tests(term)
            });
        }
    }
    // Each author's full list, of papers with words of their own.
    for (a, author) in authors.iter().enumerate() {
        for n in 1..AUTHOR_LIMIT {
            papers.push(Paper {
                id: format!("a{a}-{n}"),
                slug: format!("a{a}-{n}"),
                authors: vec![author.clone()],
                ..Paper::for_tests(&word(10_000 + a * AUTHOR_LIMIT + n))
            });
        }
    }
    papers.iter_mut().for_each(seal);
    let related = from_scratch(&papers);
    assert_eq!(related.of(0).len(), COUNT);
    assert!(!related.of(0).contains(&0));
}
