//! Contexts of the pages of themes with people and authors: author pages and feeds, people,
//! a person, publications, research and news.
//!
//! Planned only when the theme has the template ([`super::plan_lab`]); every one reads the lab
//! model (people joined with the site's authors).

use super::context::*;
use super::page_context::{Hashed, HashedMap};
use super::{PageKind, PlannedPage, Renderer};
use crate::images::Shape;
use crate::model::people::{Lab, paper_year};

impl Renderer<'_> {
    /// The contexts of the pages of themes with people and authors.
    pub(super) fn lab_context(&self, page: &PlannedPage) -> Result<HashedMap, tera::Error> {
        let lab = self.model.lab().expect("lab pages are planned with a lab");
        match page.kind {
            PageKind::Author(index) => {
                let mut context = HashedMap::of(&self.author(lab, index, page))?;
                context.insert("papers", self.cards_of(&lab.authors[index].papers));
                Ok(context)
            }
            PageKind::AuthorFeed(index) => HashedMap::of(&self.author_feed(lab, index)),
            PageKind::People => HashedMap::of(&self.people(lab, page)),
            PageKind::Person(index) => {
                let person = self.person(lab, index);
                let papers = lab.person_author[index]
                    .map(|a| self.cards_of(&lab.authors[a].papers))
                    .unwrap_or_else(|| Hashed::list(Vec::new()));
                let mut context = HashedMap::of(&PersonPageContext {
                    page: self.meta(
                        "person",
                        person.name.clone(),
                        person.role.clone().unwrap_or_default(),
                        page,
                    ),
                    person,
                })?;
                context.insert("papers", papers);
                Ok(context)
            }
            PageKind::Publications => {
                let mut context = HashedMap::of(&self.publications(lab, page))?;
                context.insert("years", self.publication_years(lab));
                Ok(context)
            }
            PageKind::Research => HashedMap::of(&self.research(page)),
            PageKind::News => HashedMap::of(&NewsContext {
                page: self.meta("news", "News".into(), String::new(), page),
                digests: (0..self.model.digest_count())
                    .map(|i| self.digest_link(i))
                    .collect(),
            }),
            _ => unreachable!("lab_context is called for lab pages only"),
        }
    }

    /// The lab's publications grouped by year, newest first, each with its cards.
    pub(super) fn publication_years(&self, lab: &Lab) -> Hashed {
        let mut groups: Vec<(i16, Vec<usize>)> = Vec::new();
        for &paper in &lab.publications {
            let year = paper_year(self.model.paper(paper));
            match groups.last_mut() {
                Some((y, list)) if *y == year => list.push(paper),
                _ => groups.push((year, vec![paper])),
            }
        }
        let years = groups
            .into_iter()
            .map(|(year, papers)| {
                let mut map = HashedMap::default();
                map.insert("year", Hashed::new(tera::Value::from(year)));
                map.insert("papers", self.cards_of(&papers));
                map.finish()
            })
            .collect();
        Hashed::list(years)
    }

    pub(super) fn author_ref(&self, lab: &Lab, index: usize) -> AuthorRef {
        let author = &lab.authors[index];
        let person = author
            .person
            .map(|p| &lab.people.persons[p])
            .filter(|p| p.has_page());
        AuthorRef {
            name: author.name.clone(),
            url: self.link(&format!("authors/{}/", author.slug)),
            is_member: person.is_some(),
            person_url: person.map(|p| self.link(&format!("people/{}/", p.slug))),
        }
    }

    pub(super) fn person(&self, lab: &Lab, index: usize) -> PersonContext {
        let person = &lab.people.persons[index];
        let author = lab.person_author[index];
        PersonContext {
            name: person.name.clone(),
            slug: person.slug.clone(),
            url: self.link(&format!("people/{}/", person.slug)),
            role: person.role.clone(),
            photo_url: (person.photo.as_deref())
                .filter(|photo| !crate::images::is_source_only(photo))
                .map(|photo| self.link(photo)),
            photo: (self.model.photo(person, Shape::Photo)).map(|shown| self.image(shown)),
            photo_small: (self.model.photo(person, Shape::PhotoSmall))
                .map(|shown| self.image(shown)),
            homepage: person.homepage.clone(),
            email: person.email.clone(),
            orcid: person.orcid.clone(),
            scholar: person.scholar.clone(),
            github: person.github.clone(),
            email_url: person.email.as_ref().map(|e| format!("mailto:{e}")),
            orcid_url: (person.orcid.as_ref()).map(|id| format!("https://orcid.org/{id}")),
            scholar_url: (person.scholar.as_ref())
                .map(|id| format!("https://scholar.google.com/citations?user={id}")),
            github_url: (person.github.as_ref()).map(|name| format!("https://github.com/{name}")),
            bio: person.bio.clone(),
            member: person.member,
            alumni: person.alumni,
            author_url: author.map(|a| self.link(&format!("authors/{}/", lab.authors[a].slug))),
            paper_count: author.map_or(0, |a| lab.authors[a].papers.len()),
        }
    }

    pub(super) fn people(&self, lab: &Lab, page: &PlannedPage) -> PeopleContext {
        let persons = &lab.people.persons;
        let pick = |alumni: bool| {
            (0..persons.len())
                .filter(|&i| persons[i].has_page() && persons[i].alumni == alumni)
                .map(|i| self.person(lab, i))
                .collect()
        };
        PeopleContext {
            page: self.meta("people", "People".into(), String::new(), page),
            members: pick(false),
            alumni: pick(true),
        }
    }

    pub(super) fn author(&self, lab: &Lab, index: usize, page: &PlannedPage) -> AuthorContext {
        let author = &lab.authors[index];
        let person = author
            .person
            .filter(|&p| lab.people.persons[p].has_page())
            .map(|p| self.person(lab, p));
        AuthorContext {
            page: self.meta(
                "author",
                author.name.clone(),
                format!("Papers by {}", author.name),
                page,
            ),
            author: self.author_summary(lab, index),
            feed_url: self.link(&format!("authors/{}/feed.xml", author.slug)),
            person,
        }
    }

    pub(super) fn author_summary(&self, lab: &Lab, index: usize) -> AuthorSummary {
        let author = &lab.authors[index];
        AuthorSummary {
            name: author.name.clone(),
            slug: author.slug.clone(),
            url: self.link(&format!("authors/{}/", author.slug)),
            paper_count: author.papers.len(),
        }
    }

    pub(super) fn publications(&self, lab: &Lab, page: &PlannedPage) -> PublicationsContext {
        let mut topics: Vec<usize> = lab
            .publications
            .iter()
            .flat_map(|&p| self.model.paper(p).topics.iter().copied())
            .collect();
        topics.sort_unstable();
        topics.dedup();
        PublicationsContext {
            page: self.meta("publications", "Publications".into(), String::new(), page),
            topics: topics.into_iter().map(|t| self.topic_summary(t)).collect(),
        }
    }

    pub(super) fn research(&self, page: &PlannedPage) -> ResearchContext {
        let descriptions: std::collections::HashMap<String, &String> = self
            .config
            .topic_descriptions
            .iter()
            .map(|(name, text)| (crate::config::topic_key(name), text))
            .collect();
        ResearchContext {
            page: self.meta("research", "Research".into(), String::new(), page),
            topics: self
                .model
                .topics()
                .iter()
                .map(|topic| ResearchTopic {
                    name: topic.name.clone(),
                    slug: topic.slug.clone(),
                    url: self.link(&format!("topics/{}/", topic.slug)),
                    description: descriptions
                        .get(&crate::config::topic_key(&topic.name))
                        .map(|d| d.to_string()),
                    paper_count: topic.papers.len(),
                    our_count: self.model.lab().map_or(0, |lab| {
                        topic.papers.iter().filter(|&&p| lab.ours[p]).count()
                    }),
                })
                .collect(),
        }
    }
}
