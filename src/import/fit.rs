//! What the build accepts, applied to imported papers before they are written: an importer must
//! never write a file that does not build (issue 23). A field the build would refuse is left out
//! with a warning naming the paper, and a paper the build could not give a page is skipped, so
//! the rest of the import still goes in.
//!
//! The limits are the build's own: [`MAX_ONE_LINE_CHARS`] for titles, names, venues and topics
//! (src/content/entry.rs), [`crate::markdown::errors`] for abstracts (size and script links), and
//! a page address with letters or digits, once per file (src/content/ids.rs).

use std::collections::{HashMap, HashSet};

use super::ImportedPaper;
use crate::config::topic_key;
use crate::content::RawPaper;
use crate::content::entry::MAX_ONE_LINE_CHARS;
use crate::content::ids::{id_slug, slugify};
use crate::error::Diagnostic;

/// Whether `text` has more characters than a one-line field may.
fn is_too_long(text: &str) -> bool {
    text.len() > MAX_ONE_LINE_CHARS && text.chars().count() > MAX_ONE_LINE_CHARS
}

fn shortened(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(50).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Makes a tidied paper fit the build's limits: false when it must be skipped (its title is too
/// long, or gives no page address), with the reason in `warnings`.
pub fn fit_paper(imported: &mut ImportedPaper, warnings: &mut Vec<Diagnostic>) -> bool {
    let origin = &imported.origin;
    let paper = &mut imported.paper;
    let title = shortened(&paper.title);
    let mut warn = |message: String, hint: &str| {
        warnings.push(Diagnostic::warning(origin.clone(), message).with_hint(hint));
    };
    if is_too_long(&paper.title) {
        warn(
            format!(
                "\"{title}\" is a title of {} characters, more than the {MAX_ONE_LINE_CHARS} a title may have; skipped",
                paper.title.chars().count()
            ),
            "shorten the title in the source",
        );
        return false;
    }
    drop_long_one_liners(paper, &title, &mut warn);
    if let Some(abstract_md) = &paper.abstract_md {
        // Written as a multi-line string, the text gains the line break before its closing quotes.
        let as_read = format!("{abstract_md}\n");
        if let Some(problem) = crate::markdown::errors(&as_read).into_iter().next() {
            warn(
                format!(
                    "the abstract of \"{title}\" was left out, since the build would refuse it: {}",
                    problem.message
                ),
                problem
                    .hint
                    .as_deref()
                    .unwrap_or("correct the abstract in the source"),
            );
            paper.abstract_md = None;
        }
    }
    if id_slug(&imported.derived_id()).is_empty() {
        warn(
            format!("\"{title}\" has no letters or digits to make its page address from; skipped"),
            "a title (or arXiv id, or DOI) needs letters or digits; a `+++` line pasted into a list is not a paper",
        );
        return false;
    }
    true
}

/// Leaves out authors, a venue and topics the build would refuse: longer than a one-line field
/// may be, or (a topic) with no letters or digits for its page address.
fn drop_long_one_liners(paper: &mut RawPaper, title: &str, warn: &mut impl FnMut(String, &str)) {
    let hint = "shorten it in the source";
    let long = |what: &str, text: &str| {
        format!(
            "{what} of {} characters in \"{title}\" was left out: the most is {MAX_ONE_LINE_CHARS}",
            text.chars().count()
        )
    };
    paper.authors.retain(|author| {
        let keep = !is_too_long(author);
        if !keep {
            warn(long("an author", author), hint);
        }
        keep
    });
    if let Some(venue) = paper.venue.take_if(|venue| is_too_long(venue)) {
        warn(long("a venue", &venue), hint);
    }
    paper.topics.retain(|topic| {
        if is_too_long(topic) {
            warn(long("a topic", topic), hint);
            return false;
        }
        if slugify(topic).is_empty() {
            warn(
                format!(
                    "the topic `{topic}` of \"{title}\" was left out: it has no letters or digits for its page address"
                ),
                "name the topic with letters or digits",
            );
            return false;
        }
        true
    });
}

/// Ids from here on are made from the slug when the id is long: the build cuts slugs at 120
/// characters, which would cut off a number added at the end.
const MAX_BASE_CHARS: usize = 100;

/// An `id` of its own for a paper whose page address another paper already takes (`taken` holds
/// the addresses so far, and gets this paper's), with the warning that says so. Ids that differ
/// can share an address (`10.1/a:b` and `10.1/a;b` are both /papers/10.1-a-b/), and the build
/// refuses that.
pub fn unique_id(
    imported: &ImportedPaper,
    taken: &mut HashSet<String>,
) -> Option<(String, Diagnostic)> {
    let id = imported.derived_id();
    let slug = id_slug(&id);
    if taken.insert(slug.clone()) {
        return None;
    }
    let base = if slug.len() > MAX_BASE_CHARS {
        slug[..MAX_BASE_CHARS]
            .trim_end_matches(['-', '.', '_'])
            .to_string()
    } else {
        id.clone()
    };
    let (unique, unique_slug) = (2..)
        .map(|n| {
            let candidate = format!("{base}-{n}");
            let candidate_slug = id_slug(&candidate);
            (candidate, candidate_slug)
        })
        .find(|(_, candidate_slug)| !taken.contains(candidate_slug))
        .expect("a number not yet taken");
    taken.insert(unique_slug);
    let warning = Diagnostic::warning(
        imported.origin.clone(),
        format!(
            "\"{}\" (id `{id}`) would share the page /papers/{slug}/ with another paper, so it was given id = \"{unique}\"",
            shortened(&imported.paper.title)
        ),
    )
    .with_hint("ids are compared ignoring case and punctuation; edit the id if you prefer another");
    Some((unique, warning))
}

/// Topics whose spellings differ but whose page addresses are one (`Ünïcödé` and `unicode`, `C`
/// and `C++`) would be two topics sharing a page, which the build refuses: each takes the first
/// spelling seen (`known` maps an address to it, and holds the file's own when merging), with a
/// warning. Returns the paper's new topics when they changed.
pub fn unify_topics(
    imported: &ImportedPaper,
    known: &mut HashMap<String, String>,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Vec<String>> {
    let mut changed = false;
    let mut topics = Vec::with_capacity(imported.paper.topics.len());
    for topic in &imported.paper.topics {
        let slug = slugify(topic);
        let first = known.entry(slug.clone()).or_insert_with(|| topic.clone());
        if topic_key(first) == topic_key(topic) {
            topics.push(topic.clone());
            continue;
        }
        warnings.push(Diagnostic::warning(
            imported.origin.clone(),
            format!(
                "the topic `{topic}` of \"{}\" is written `{first}`: the two would share the page /topics/{slug}/",
                shortened(&imported.paper.title)
            ),
        ));
        topics.push(first.clone());
        changed = true;
    }
    if !changed {
        return None;
    }
    let mut unique = Vec::with_capacity(topics.len());
    super::add_topics(&mut unique, topics);
    Some(unique)
}
