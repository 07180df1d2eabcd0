//! Fingerprints of what each planned page is made from, so a rebuild renders only the pages
//! whose inputs changed.
//!
//! A page's fingerprint hashes the template it is rendered with (and every template that one
//! names), the site-wide values, and the model data its context is built from. References
//! between entities are hashed by slug, never by index, so adding a paper does not disturb the
//! fingerprints of pages that do not show it. When in doubt a page depends on more, not less:
//! a needless re-render costs microseconds, a stale page is a bug.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::{PageKind, PlannedPage, page_count};
use crate::config::Config;
use crate::model::people::Lab;
use crate::model::{Digest, Paper, Site};

pub use crate::fingerprint::{Hasher64, hasher};

/// What every page depends on: configuration and the globals templates see.
pub fn site_fingerprint(
    config: &Config,
    site_context: &super::context::SiteContext,
    include_counts: bool,
) -> u64 {
    let mut h = hasher();
    (
        &config.title,
        &config.description,
        &config.language,
        &config.base.origin,
        &config.base.path,
    )
        .hash(&mut h);
    (
        config.papers_per_page,
        config.digests_per_page,
        config.feed_limit,
    )
        .hash(&mut h);
    (
        config.math == crate::config::MathMode::Mathml,
        config.raw_html as u8,
    )
        .hash(&mut h);
    (&config.highlight_theme, &config.highlight_theme_dark).hash(&mut h);
    config.extra.to_string().hash(&mut h);
    (
        &site_context.feed_url,
        &site_context.topics_url,
        &site_context.generator,
    )
        .hash(&mut h);
    if include_counts {
        (
            site_context.digest_count,
            site_context.paper_count,
            site_context.topic_count,
        )
            .hash(&mut h);
    }
    h.finish()
}

/// Whether any template reads the site-wide counts, which change with every added paper.
pub fn templates_use_counts<'a>(sources: impl IntoIterator<Item = &'a str>) -> bool {
    sources.into_iter().any(|text| {
        text.contains("site[")
            || ["digest_count", "paper_count", "topic_count"]
                .iter()
                .any(|name| text.contains(&format!("site.{name}")))
    })
}

/// A hash per template name of its source and of every template its source names, so that a
/// change to a partial re-renders exactly the pages whose templates include it.
pub fn template_fingerprints(templates: &HashMap<&str, &str>) -> HashMap<String, u64> {
    templates
        .keys()
        .map(|&name| {
            let mut seen = vec![name];
            let mut index = 0;
            while index < seen.len() {
                let source = templates[seen[index]];
                for other in templates.keys() {
                    if !seen.contains(other) && source.contains(&format!("\"{other}\"")) {
                        seen.push(other);
                    }
                }
                index += 1;
            }
            seen.sort_unstable();
            let mut h = hasher();
            for template in seen {
                (template, templates[template]).hash(&mut h);
            }
            (name.to_string(), h.finish())
        })
        .collect()
}

fn hash_paper(paper: &Paper, site: &Site, h: &mut Hasher64) {
    // `content` stands for every field read from the digest files.
    (paper.content, paper.last_featured).hash(h);
    for &topic in &paper.topics {
        (&site.topics[topic].name, &site.topics[topic].slug).hash(h);
    }
    for &digest in &paper.appearances {
        hash_digest_link(&site.digests[digest], h);
    }
}

/// What the site feed shows of a paper (`feeds.rs`, `digest_feed_html`): not its abstract, so
/// an abstract edit leaves the feed alone.
fn hash_feed_paper(paper: &Paper, h: &mut Hasher64) {
    (&paper.slug, &paper.title, &paper.authors).hash(h);
    super::link_sources(paper).hash(h);
}

fn hash_digest_link(digest: &Digest, h: &mut Hasher64) {
    (&digest.slug, &digest.title, digest.date).hash(h);
}

fn hash_digest(digest: &Digest, site: &Site, h: &mut Hasher64) {
    hash_digest_link(digest, h);
    (&digest.summary, &digest.intro).hash(h);
    for entry in &digest.entries {
        (
            &site.papers[entry.paper].slug,
            &site.papers[entry.paper].title,
            &entry.notes,
        )
            .hash(h);
    }
    for &topic in &digest.topics {
        (&site.topics[topic].name, &site.topics[topic].slug).hash(h);
    }
}

/// One fingerprint per planned page, in plan order.
pub fn page_fingerprints(
    site: &Site,
    config: &Config,
    pages: &[PlannedPage],
    site_fingerprint: u64,
    templates: &HashMap<String, u64>,
) -> Vec<u64> {
    page_fingerprints_with_lab(site, config, pages, site_fingerprint, templates, None, &[])
}

/// What every page of a theme with people and authors depends on besides the model: the people
/// file and the home page introduction.
pub fn lab_fingerprint(lab: &Lab, intro: Option<&str>) -> u64 {
    let mut h = hasher();
    format!("{:?}", lab.people).hash(&mut h);
    intro.hash(&mut h);
    h.finish()
}

/// [`page_fingerprints`], with people and authors when the theme shows them (`lab` is the
/// joined model and its [`lab_fingerprint`]).
pub fn page_fingerprints_with_lab(
    site: &Site,
    config: &Config,
    pages: &[PlannedPage],
    site_fingerprint: u64,
    templates: &HashMap<String, u64>,
    lab: Option<(&Lab, u64)>,
    citation_keys: &[String],
) -> Vec<u64> {
    let papers: Vec<u64> = site
        .papers
        .par_iter()
        .enumerate()
        .map(|(index, paper)| {
            let mut h = hasher();
            hash_paper(paper, site, &mut h);
            // A key changes when another paper comes to share its author, year and word.
            citation_keys.get(index).hash(&mut h);
            if let Some((lab, _)) = lab {
                // The card's author links and `ours` flag.
                lab.ours[index].hash(&mut h);
                for &author in &lab.paper_authors[index] {
                    let person = lab.authors[author]
                        .person
                        .map(|p| &lab.people.persons[p])
                        .filter(|p| p.has_page());
                    (
                        &lab.authors[author].name,
                        &lab.authors[author].slug,
                        person.map(|p| &p.slug),
                    )
                        .hash(&mut h);
                }
            }
            h.finish()
        })
        .collect();
    let digests: Vec<u64> = site
        .digests
        .par_iter()
        .map(|digest| {
            let mut h = hasher();
            hash_digest(digest, site, &mut h);
            h.finish()
        })
        .collect();

    pages
        .par_iter()
        .map(|page| {
            let mut h = hasher();
            (
                site_fingerprint,
                templates.get(page.kind.template()),
                &page.output,
            )
                .hash(&mut h);
            // Pages that show people or the home page introduction depend on the people file;
            // cards depend only on their own authors (hashed into `papers` above).
            let shows_people = matches!(
                page.kind,
                PageKind::Index(_)
                    | PageKind::People
                    | PageKind::Person(_)
                    | PageKind::Author(_)
                    | PageKind::Publications
            );
            if let Some((_, lab_fp)) = lab.filter(|_| shows_people) {
                lab_fp.hash(&mut h);
            }
            match page.kind {
                PageKind::TopicFeed(index) => {
                    let topic = &site.topics[index];
                    (&topic.name, &topic.slug).hash(&mut h);
                    for &paper in topic.papers.iter().take(config.feed_limit) {
                        papers[paper].hash(&mut h);
                        for &digest in &site.papers[paper].appearances {
                            digests[digest].hash(&mut h);
                        }
                    }
                }
                PageKind::Opml => {
                    for topic in &site.topics {
                        (&topic.name, &topic.slug, topic.papers.len()).hash(&mut h);
                    }
                    if let Some((lab, lab_fp)) = lab {
                        lab_fp.hash(&mut h);
                        for author in lab.person_author.iter().flatten() {
                            let author = &lab.authors[*author];
                            (&author.slug, author.papers.len()).hash(&mut h);
                        }
                    }
                }
                PageKind::Email(index) | PageKind::EmailText(index) => {
                    digests[index].hash(&mut h);
                    for entry in &site.digests[index].entries {
                        papers[entry.paper].hash(&mut h);
                    }
                }
                PageKind::Paper(index) => {
                    papers[index].hash(&mut h);
                    // Notes, neighbours and digest titles come from the digests listing it.
                    for &digest in &site.papers[index].appearances {
                        digests[digest].hash(&mut h);
                    }
                }
                PageKind::Digest(index) => {
                    digests[index].hash(&mut h);
                    for entry in &site.digests[index].entries {
                        papers[entry.paper].hash(&mut h);
                    }
                    for neighbour in [index.wrapping_sub(1), index + 1] {
                        if let Some(digest) = site.digests.get(neighbour) {
                            hash_digest_link(digest, &mut h);
                        }
                    }
                }
                PageKind::Topic(index, number) => {
                    let topic = &site.topics[index];
                    (&topic.name, &topic.slug, topic.papers.len(), number).hash(&mut h);
                    let per_page = config.papers_per_page;
                    for &paper in topic
                        .papers
                        .iter()
                        .skip((number - 1) * per_page)
                        .take(per_page)
                    {
                        papers[paper].hash(&mut h);
                    }
                }
                PageKind::Index(number) => {
                    let per_page = config.digests_per_page;
                    (site.digests.len(), number).hash(&mut h);
                    for digest in (0..site.digests.len())
                        .skip((number - 1) * per_page)
                        .take(per_page)
                    {
                        digests[digest].hash(&mut h);
                    }
                    if let Some((lab, _)) = lab {
                        // Selected publications on a lab home page.
                        for &paper in &lab.publications {
                            papers[paper].hash(&mut h);
                        }
                    }
                }
                PageKind::Topics => {
                    for topic in &site.topics {
                        (&topic.name, &topic.slug, topic.papers.len()).hash(&mut h);
                    }
                }
                PageKind::Feed => {
                    for (index, digest) in digests.iter().enumerate().take(config.feed_limit) {
                        digest.hash(&mut h);
                        for entry in &site.digests[index].entries {
                            hash_feed_paper(&site.papers[entry.paper], &mut h);
                        }
                    }
                }
                PageKind::Sitemap | PageKind::SitemapPart(..) => {
                    for page in pages {
                        page.output.hash(&mut h);
                    }
                    site.digests
                        .iter()
                        .map(|d| d.date)
                        .for_each(|d| d.hash(&mut h));
                    site.papers
                        .iter()
                        .map(|p| p.last_featured)
                        .for_each(|d| d.hash(&mut h));
                    (
                        page_count(site.digests.len(), config.digests_per_page),
                        site.topics.len(),
                    )
                        .hash(&mut h);
                    for topic in &site.topics {
                        topic
                            .papers
                            .first()
                            .map(|&p| site.papers[p].last_featured)
                            .hash(&mut h);
                    }
                }
                PageKind::NotFound | PageKind::Robots | PageKind::Search => {}
                PageKind::Author(index) => {
                    if let Some((lab, _)) = lab {
                        for &paper in &lab.authors[index].papers {
                            papers[paper].hash(&mut h);
                        }
                    }
                }
                PageKind::AuthorFeed(index) => {
                    if let Some((lab, _)) = lab {
                        let author = &lab.authors[index];
                        (&author.name, &author.slug, author.papers.len()).hash(&mut h);
                        for &paper in author.papers.iter().take(config.feed_limit) {
                            papers[paper].hash(&mut h);
                            for &digest in &site.papers[paper].appearances {
                                digests[digest].hash(&mut h);
                            }
                        }
                    }
                }
                PageKind::Person(index) => {
                    if let Some((lab, Some(author))) =
                        lab.map(|(lab, _)| (lab, lab.person_author[index]))
                    {
                        (&lab.authors[author].slug, lab.authors[author].papers.len()).hash(&mut h);
                        for &paper in &lab.authors[author].papers {
                            papers[paper].hash(&mut h);
                        }
                    }
                }
                PageKind::People => {
                    if let Some((lab, _)) = lab {
                        for author in lab.person_author.iter().flatten() {
                            (
                                &lab.authors[*author].slug,
                                lab.authors[*author].papers.len(),
                            )
                                .hash(&mut h);
                        }
                    }
                }
                PageKind::Publications | PageKind::Research => {
                    papers.hash(&mut h);
                    for topic in &site.topics {
                        (&topic.name, &topic.slug, topic.papers.len()).hash(&mut h);
                    }
                    config
                        .topic_descriptions
                        .iter()
                        .for_each(|d| d.hash(&mut h));
                }
                PageKind::News => {
                    for digest in &site.digests {
                        hash_digest_link(digest, &mut h);
                    }
                }
            }
            h.finish()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_change_reaches_the_templates_that_include_it() {
        let templates: HashMap<&str, &str> = [
            (
                "base.html",
                "<html>{% block content %}{% endblock content %}</html>",
            ),
            ("paper.html", "{% extends \"base.html\" %}"),
            (
                "digest.html",
                "{% extends \"base.html\" %}{% include \"partials/card.html\" %}",
            ),
            ("partials/card.html", "card v1"),
        ]
        .into_iter()
        .collect();
        let before = template_fingerprints(&templates);
        let mut changed = templates.clone();
        changed.insert("partials/card.html", "card v2");
        let after = template_fingerprints(&changed);
        assert_ne!(before["digest.html"], after["digest.html"]);
        assert_eq!(before["paper.html"], after["paper.html"]);
        assert_eq!(before["base.html"], after["base.html"]);
    }

    #[test]
    fn counts_matter_only_when_templates_show_them() {
        assert!(templates_use_counts(["{{ site.paper_count }}"]));
        assert!(!templates_use_counts(["{{ topic.paper_count }}"]));
    }
}
