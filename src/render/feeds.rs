//! Feed contexts: the site's Atom feed (one entry per digest), one Atom feed per topic (one
//! entry per paper), the OPML list of feeds, and the JSON Feed written beside `feed.xml`.
//!
//! Atom feeds and OPML are theme templates (`atom.xml`, `topic_feed.xml`, `opml.xml`), which
//! autoescape XML; the JSON Feed is serialised here with serde_json, because a template cannot
//! escape JSON strings correctly. Every feed holds at most `feed_limit` entries, and every URL in
//! a feed is absolute.

use jiff::civil::Date;
use serde_json::{Value, json};

use super::context::*;
use super::email::absolutize;
use super::{Renderer, escape, external_links, rfc3339};
use crate::model::people::Lab;

impl Renderer<'_> {
    pub(super) fn permalink(&self, path: &str) -> String {
        self.config.base.permalink(path)
    }

    /// The site feed: the newest `feed_limit` digests.
    pub(super) fn feed(&self) -> FeedContext {
        let entries = self
            .model
            .digests()
            .iter()
            .enumerate()
            .take(self.config.feed_limit)
            .map(|(index, digest)| {
                let permalink = self.permalink(&format!("digests/{}/", digest.slug));
                FeedEntry {
                    title: digest.title.clone(),
                    updated: rfc3339(digest.date),
                    topics: digest
                        .topics
                        .iter()
                        .map(|&t| self.model.topic_label(t).name.to_string())
                        .collect(),
                    summary: digest.summary.clone(),
                    content_html: absolutize(&self.digest_feed_html(index), &permalink),
                    permalink,
                }
            })
            .collect();
        FeedContext {
            updated: self
                .model
                .digests()
                .first()
                .map_or_else(|| rfc3339(Date::constant(1970, 1, 1)), |d| rfc3339(d.date)),
            feed_permalink: self.permalink("feed.xml"),
            entries,
        }
    }

    /// A digest in a feed: its introduction, then each paper with its authors, links and this
    /// digest's notes (abstracts are left to the topic feeds, to keep the feed small).
    fn digest_feed_html(&self, index: usize) -> String {
        let digest = self.model.digest(index);
        let mut content = self.model.intro_html(index).to_string();
        for (entry, notes) in digest.entries.iter().zip(self.model.notes(index)) {
            let paper = self.model.paper(entry.paper);
            let url = self.permalink(&format!("papers/{}/", paper.slug));
            content.push_str(&format!(
                "<h3><a href=\"{}\">{}</a></h3>",
                escape(&url),
                self.model.title_html(entry.paper)
            ));
            if !paper.authors.is_empty() {
                content.push_str(&format!("<p>{}</p>", escape(&paper.authors.join(", "))));
            }
            push_links(&mut content, &external_links(paper));
            if let Some(notes) = notes {
                content.push_str(notes);
            }
        }
        content
    }

    /// One topic's feed: its most recently featured `feed_limit` papers.
    pub(super) fn topic_feed(&self, index: usize) -> TopicFeedContext {
        let topic = self.model.topic(index);
        let entries: Vec<PaperFeedEntry> = topic
            .papers
            .iter()
            .take(self.config.feed_limit)
            .map(|&p| self.paper_feed_entry(p))
            .collect();
        TopicFeedContext {
            topic: self.topic_summary(index),
            updated: entries.first().map_or_else(
                || rfc3339(Date::constant(1970, 1, 1)),
                |e| e.updated.clone(),
            ),
            feed_permalink: self.permalink(&format!("topics/{}/feed.xml", topic.slug)),
            page_permalink: self.permalink(&format!("topics/{}/", topic.slug)),
            entries,
        }
    }

    /// One author's feed: their newest `feed_limit` papers, in the order of their page (by
    /// publication date), so the feed shows what the page shows first.
    pub(super) fn author_feed(&self, lab: &Lab, index: usize) -> AuthorFeedContext {
        let author = &lab.authors[index];
        let shown = &author.papers[..author.papers.len().min(self.config.feed_limit)];
        let updated = shown
            .iter()
            .map(|&p| self.model.paper(p).last_featured)
            .max()
            .unwrap_or(Date::constant(1970, 1, 1));
        AuthorFeedContext {
            author: self.author_summary(lab, index),
            updated: rfc3339(updated),
            feed_permalink: self.permalink(&format!("authors/{}/feed.xml", author.slug)),
            page_permalink: self.permalink(&format!("authors/{}/", author.slug)),
            entries: shown.iter().map(|&p| self.paper_feed_entry(p)).collect(),
        }
    }

    fn paper_feed_entry(&self, index: usize) -> PaperFeedEntry {
        let paper = self.model.paper(index);
        let permalink = self.permalink(&format!("papers/{}/", paper.slug));
        let links = external_links(paper);
        let mut content = String::new();
        if let Some(html) = &self.model.abstract_html(index) {
            content.push_str(html);
        }
        push_links(&mut content, &links);
        PaperFeedEntry {
            title: self.model.title_text(index).to_string(),
            published: rfc3339(self.model.digest_label(paper.appearances[0]).date),
            updated: rfc3339(paper.last_featured),
            // With people and aliases, the names the author pages use.
            authors: match self.model.lab() {
                Some(lab) => lab.paper_authors[index]
                    .iter()
                    .map(|&a| lab.authors[a].name.clone())
                    .collect(),
                None => paper.authors.clone(),
            },
            summary: paper
                .abstract_md
                .as_deref()
                .map(|a| crate::markdown::plain_excerpt(a, 300)),
            topics: paper
                .topics
                .iter()
                .map(|&t| self.model.topic_label(t).name.to_string())
                .collect(),
            content_html: absolutize(&content, &permalink),
            links,
            permalink,
        }
    }

    pub(super) fn opml(&self) -> OpmlContext {
        let newest = self
            .model
            .digests()
            .first()
            .map_or(Date::constant(1970, 1, 1), |d| d.date);
        OpmlContext {
            date_created: newest.strftime("%a, %d %b %Y 00:00:00 GMT").to_string(),
            site_feed_permalink: self.permalink("feed.xml"),
            topics: self
                .model
                .topics()
                .iter()
                .map(|topic| TopicFeedLink {
                    name: topic.name.clone(),
                    paper_count: topic.papers.len(),
                    feed_permalink: self.permalink(&format!("topics/{}/feed.xml", topic.slug)),
                    page_permalink: self.permalink(&format!("topics/{}/", topic.slug)),
                })
                .collect(),
            people: self.people_feed_links(),
        }
    }

    /// Author feeds of people with a page, in the people file's order.
    fn people_feed_links(&self) -> Vec<TopicFeedLink> {
        let Some(lab) = self.model.lab() else {
            return Vec::new();
        };
        if !self.tera.get_template_names().any(|n| n == "author.html") {
            return Vec::new();
        }
        lab.people
            .persons
            .iter()
            .zip(&lab.person_author)
            .filter(|(person, _)| person.has_page())
            .filter_map(|(person, author)| {
                let author = &lab.authors[(*author)?];
                Some(TopicFeedLink {
                    name: person.name.clone(),
                    paper_count: author.papers.len(),
                    feed_permalink: self.permalink(&format!("authors/{}/feed.xml", author.slug)),
                    page_permalink: self.permalink(&format!("authors/{}/", author.slug)),
                })
            })
            .collect()
    }

    /// JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>) with the same entries as `feed.xml`.
    pub fn json_feed(&self) -> String {
        let feed = self.feed();
        let author = self
            .config
            .extra
            .get("author")
            .and_then(|a| a.as_str())
            .unwrap_or(&self.config.title);
        let items: Vec<Value> = feed
            .entries
            .into_iter()
            .map(|entry| {
                let mut item = json!({
                    "id": entry.permalink,
                    "url": entry.permalink,
                    "title": entry.title,
                    "content_html": entry.content_html,
                    "date_published": entry.updated,
                    "date_modified": entry.updated,
                    "tags": entry.topics,
                });
                if let Some(summary) = entry.summary {
                    item["summary"] = summary.into();
                }
                item
            })
            .collect();
        let mut document = json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.config.title,
            "home_page_url": self.config.base.full(),
            "feed_url": self.permalink("feed.json"),
            "language": self.config.language,
            "authors": [{ "name": author }],
            "items": items,
        });
        if !self.config.description.is_empty() {
            document["description"] = self.config.description.clone().into();
        }
        let mut text =
            serde_json::to_string_pretty(&document).expect("a JSON value always serialises");
        text.push('\n');
        text
    }
}

fn push_links(content: &mut String, links: &[ExternalLink]) {
    if links.is_empty() {
        return;
    }
    content.push_str("<p>");
    for (i, link) in links.iter().enumerate() {
        if i > 0 {
            content.push_str(" · ");
        }
        content.push_str(&format!(
            "<a href=\"{}\">{}</a>",
            escape(&link.url),
            link.label
        ));
    }
    content.push_str("</p>");
}
