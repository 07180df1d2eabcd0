//! The lab's people (`content/people.toml`) and the site's authors.
//!
//! The people file is TOML, not a digest: `content/*.md` are digests, and `content/people.toml` is
//! read on its own. Each `[[person]]` has a name and optionally a role, photo, links, ids and
//! `aliases`, the other spellings of the name found in author lists ("Y. Song" = "Yang Song").
//! [`Lab::new`] normalises every paper's authors through those aliases and indexes the authors:
//! each author with a paper gets a page listing their papers newest first.

use std::collections::HashMap;

use serde::Deserialize;

use super::Site;
use crate::content::ids::slugify;
use crate::error::{Diagnostic, Location};

/// Where the people file lives, relative to the site root.
pub const PEOPLE_FILE: &str = "content/people.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeople {
    #[serde(default)]
    person: Vec<RawPerson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: String,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    photo: Option<String>,
    #[serde(default)]
    homepage: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    orcid: Option<String>,
    #[serde(default)]
    scholar: Option<String>,
    #[serde(default)]
    github: Option<String>,
    #[serde(default)]
    bio: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default = "yes")]
    member: bool,
    #[serde(default)]
    alumni: bool,
}

fn yes() -> bool {
    true
}

/// One person of the people file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub slug: String,
    pub role: Option<String>,
    /// A path under the site's `static/` (or a theme's), e.g. `people/yang.jpg`.
    pub photo: Option<String>,
    pub homepage: Option<String>,
    pub email: Option<String>,
    pub orcid: Option<String>,
    /// Google Scholar user id.
    pub scholar: Option<String>,
    pub github: Option<String>,
    /// Plain text.
    pub bio: Option<String>,
    pub aliases: Vec<String>,
    /// A current member of the lab.
    pub member: bool,
    /// A former member.
    pub alumni: bool,
}

impl Person {
    /// Current members and alumni have a person page; other people only merge spellings.
    pub fn has_page(&self) -> bool {
        self.member || self.alumni
    }
}

/// The people file, validated: people in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    pub persons: Vec<Person>,
}

/// How names are compared: case, dots, commas and spacing do not matter.
pub fn name_key(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '.' || c == ',')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl People {
    /// Parses the people file's text; problems name `content/people.toml` and a line.
    pub fn parse(text: &str) -> std::result::Result<People, Vec<Diagnostic>> {
        let raw: RawPeople = toml::from_str(text).map_err(|e| {
            vec![crate::toml_error::toml_diagnostic(
                std::path::Path::new(PEOPLE_FILE),
                text,
                0,
                &e,
            )]
        })?;
        let mut problems = Vec::new();
        let mut persons = Vec::with_capacity(raw.person.len());
        let mut keys: HashMap<String, String> = HashMap::new();
        let mut slugs: HashMap<String, String> = HashMap::new();
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.contains(needle))
                .map_or(1, |i| i + 1)
        };
        for person in raw.person {
            let name = person.name.split_whitespace().collect::<Vec<_>>().join(" ");
            let location = Location::at(PEOPLE_FILE, line_of(&person.name), None);
            if name.is_empty() {
                problems.push(Diagnostic::error(location, "a person has an empty name"));
                continue;
            }
            let slug = person
                .slug
                .clone()
                .filter(|s| !s.trim().is_empty())
                .map_or_else(|| slugify(&name), |s| slugify(&s));
            if let Some(other) = slugs.insert(slug.clone(), name.clone()) {
                problems.push(
                    Diagnostic::error(
                        location.clone(),
                        format!("`{name}` and `{other}` have the same slug `{slug}`"),
                    )
                    .with_hint("give one of them `slug = \"…\"`"),
                );
            }
            for spelling in std::iter::once(&name).chain(&person.aliases) {
                if let Some(other) = keys
                    .insert(name_key(spelling), name.clone())
                    .filter(|other| *other != name)
                {
                    problems.push(Diagnostic::error(
                        location.clone(),
                        format!("`{spelling}` names both `{other}` and `{name}`"),
                    ));
                }
            }
            let photo = person
                .photo
                .map(|p| p.trim_start_matches('/').to_string())
                .filter(|p| !p.is_empty());
            persons.push(Person {
                name,
                slug,
                role: person.role,
                photo,
                homepage: person.homepage,
                email: person.email,
                orcid: person.orcid,
                scholar: person.scholar,
                github: person.github,
                bio: person.bio,
                aliases: person.aliases,
                member: person.member && !person.alumni,
                alumni: person.alumni,
            });
        }
        if problems.is_empty() {
            Ok(People { persons })
        } else {
            Err(problems)
        }
    }
}

/// One author name, after aliases, with every paper that lists it.
#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub slug: String,
    /// Index into `People::persons` when the name is a person of the people file.
    pub person: Option<usize>,
    /// Newest first: by publication date, else by when the paper was last featured.
    pub papers: Vec<usize>,
}

/// The people file joined with the site's papers: what the `lab` theme's pages are built from.
#[derive(Debug, Default)]
pub struct Lab {
    pub people: People,
    /// Sorted by slug; a slug shared by two names gets `-2` on the second.
    pub authors: Vec<Author>,
    /// Per paper (same index as `Site::papers`), its authors' indices into `authors`, in order.
    pub paper_authors: Vec<Vec<usize>>,
    /// Per paper: marked `ours = true`, or written by a member or alumnus.
    pub ours: Vec<bool>,
    /// Per person: their index into `authors`, when they wrote a paper.
    pub person_author: Vec<Option<usize>>,
    /// The lab's papers, newest first.
    pub publications: Vec<usize>,
}

/// A paper's year for grouping: publication year, else the year it was last featured.
pub fn paper_year(paper: &super::Paper) -> i16 {
    paper.published.unwrap_or(paper.last_featured).year()
}

impl Lab {
    pub fn new(site: &Site, people: People) -> Lab {
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for (index, person) in people.persons.iter().enumerate() {
            by_key.insert(name_key(&person.name), index);
            for alias in &person.aliases {
                by_key.insert(name_key(alias), index);
            }
        }
        // Canonical name → author index, built in first-seen order, then sorted by slug.
        let mut authors: Vec<Author> = Vec::new();
        let mut author_of_key: HashMap<String, usize> = HashMap::new();
        let mut paper_authors = Vec::with_capacity(site.papers.len());
        for (paper_index, paper) in site.papers.iter().enumerate() {
            let mut list = Vec::with_capacity(paper.authors.len());
            for name in &paper.authors {
                let key = name_key(name);
                if key.is_empty() {
                    continue;
                }
                let person = by_key.get(&key).copied();
                let canonical_key = match person {
                    Some(p) => name_key(&people.persons[p].name),
                    None => key,
                };
                let author = *author_of_key.entry(canonical_key).or_insert_with(|| {
                    authors.push(Author {
                        name: person.map_or_else(
                            || name.split_whitespace().collect::<Vec<_>>().join(" "),
                            |p| people.persons[p].name.clone(),
                        ),
                        slug: person
                            .map_or_else(|| slugify(name), |p| people.persons[p].slug.clone()),
                        person,
                        papers: Vec::new(),
                    });
                    authors.len() - 1
                });
                if !list.contains(&author) {
                    list.push(author);
                    authors[author].papers.push(paper_index);
                }
            }
            paper_authors.push(list);
        }
        // Sort authors by slug (a person first on a tie) and make slugs unique.
        let mut order: Vec<usize> = (0..authors.len()).collect();
        order.sort_by(|&a, &b| {
            (
                &authors[a].slug,
                authors[a].person.is_none(),
                &authors[a].name,
            )
                .cmp(&(
                    &authors[b].slug,
                    authors[b].person.is_none(),
                    &authors[b].name,
                ))
        });
        let newest = |&p: &usize| {
            let paper = &site.papers[p];
            (
                std::cmp::Reverse(paper.published.unwrap_or(paper.last_featured)),
                paper.title.clone(),
            )
        };
        let mut final_index = vec![0; authors.len()];
        let mut sorted = Vec::with_capacity(authors.len());
        let mut used: HashMap<String, usize> = HashMap::new();
        for (position, &old) in order.iter().enumerate() {
            final_index[old] = position;
            let mut author = std::mem::replace(
                &mut authors[old],
                Author {
                    name: String::new(),
                    slug: String::new(),
                    person: None,
                    papers: Vec::new(),
                },
            );
            if author.slug.is_empty() {
                author.slug = "author".into();
            }
            let count = used.entry(author.slug.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                author.slug = format!("{}-{}", author.slug, count);
            }
            author.papers.sort_by_cached_key(newest);
            sorted.push(author);
        }
        for list in &mut paper_authors {
            for author in list.iter_mut() {
                *author = final_index[*author];
            }
        }
        let mut person_author = vec![None; people.persons.len()];
        for (index, author) in sorted.iter().enumerate() {
            if let Some(person) = author.person {
                person_author[person] = Some(index);
            }
        }
        let ours: Vec<bool> = site
            .papers
            .iter()
            .zip(&paper_authors)
            .map(|(paper, list)| {
                paper.ours
                    || list.iter().any(|&a| {
                        sorted[a]
                            .person
                            .is_some_and(|p| people.persons[p].has_page())
                    })
            })
            .collect();
        let mut publications: Vec<usize> = (0..site.papers.len()).filter(|&p| ours[p]).collect();
        publications.sort_by_cached_key(|&p| {
            let paper = &site.papers[p];
            (
                std::cmp::Reverse(paper.published.unwrap_or(paper.last_featured)),
                paper.title.clone(),
            )
        });
        Lab {
            people,
            authors: sorted,
            paper_authors,
            ours,
            person_author,
            publications,
        }
    }

    /// Whether an author is a current member or an alumnus of the lab.
    pub fn is_member(&self, author: usize) -> bool {
        self.authors[author]
            .person
            .is_some_and(|p| self.people.persons[p].has_page())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_dots_or_spacing() {
        assert_eq!(name_key("Y.  Song"), name_key("y song"));
        assert_ne!(name_key("Yang Song"), name_key("Y. Song"));
    }

    #[test]
    fn people_file_is_checked() {
        let people = People::parse(
            "[[person]]\nname = \"Yang Song\"\naliases = [\"Y. Song\"]\n\n[[person]]\nname = \"Ada Old\"\nalumni = true\n",
        )
        .unwrap();
        assert_eq!(people.persons.len(), 2);
        assert!(people.persons[0].member);
        assert!(!people.persons[1].member && people.persons[1].alumni);
        let errors = People::parse(
            "[[person]]\nname = \"A B\"\n[[person]]\nname = \"C D\"\naliases = [\"a b\"]\n",
        )
        .unwrap_err();
        assert!(
            errors[0].to_string().contains("names both"),
            "{}",
            errors[0]
        );
        let errors = People::parse("[[person]]\nnmae = \"x\"\n").unwrap_err();
        assert!(errors[0].to_string().contains("content/people.toml"));
    }
}
