//! The lab: the people of `content/people.toml` ([`crate::content::people`]) joined with the
//! site's authors. [`Lab::new`] normalises every paper's authors through the people's aliases
//! ("Y. Song" = "Yang Song") and indexes the authors: each author with a paper gets a page
//! listing their papers newest first.

use std::collections::HashMap;

use super::Site;
use crate::content::ids::slugify;
pub use crate::content::people::{PEOPLE_FILE, People, Person, name_key};

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
    paper_date(paper).year()
}

/// A paper's date for ordering: its publication date (the first day of its month or year when
/// that is all it gives), else when it was last featured.
fn paper_date(paper: &super::Paper) -> jiff::civil::Date {
    paper
        .published
        .map_or(paper.last_featured, |date| date.first_day())
}

/// The sort key of a list of papers newest first, by title on the same date.
fn newest_first(paper: &super::Paper) -> (std::cmp::Reverse<jiff::civil::Date>, String) {
    (std::cmp::Reverse(paper_date(paper)), paper.title.clone())
}

impl Lab {
    pub fn new(site: &Site, people: People) -> Lab {
        let (authors, mut paper_authors) = authors_of(site, &people);
        let (authors, new_index) = sorted_by_slug(authors, site);
        for list in &mut paper_authors {
            for author in list.iter_mut() {
                *author = new_index[*author];
            }
        }
        let mut person_author = vec![None; people.persons.len()];
        for (index, author) in authors.iter().enumerate() {
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
                        authors[a]
                            .person
                            .is_some_and(|p| people.persons[p].has_page())
                    })
            })
            .collect();
        let mut publications: Vec<usize> = (0..site.papers.len()).filter(|&p| ours[p]).collect();
        publications.sort_by_cached_key(|&p| newest_first(&site.papers[p]));
        Lab {
            people,
            authors,
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

/// Every author name of the site's papers after the people's aliases, in first-seen order, with
/// their papers; and each paper's authors' indices into that list, in byline order.
fn authors_of(site: &Site, people: &People) -> (Vec<Author>, Vec<Vec<usize>>) {
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (index, person) in people.persons.iter().enumerate() {
        by_key.insert(name_key(&person.name), index);
        for alias in &person.aliases {
            by_key.insert(name_key(alias), index);
        }
    }
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
                    slug: person.map_or_else(|| slugify(name), |p| people.persons[p].slug.clone()),
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
    (authors, paper_authors)
}

/// `authors` sorted by slug (a person first on a tie), each slug made unique and each author's
/// papers put newest first; with each author's new index by its old one.
fn sorted_by_slug(mut authors: Vec<Author>, site: &Site) -> (Vec<Author>, Vec<usize>) {
    let mut order: Vec<usize> = (0..authors.len()).collect();
    order.sort_by(|&a, &b| slug_order(&authors[a]).cmp(&slug_order(&authors[b])));
    let mut new_index = vec![0; authors.len()];
    let mut sorted = Vec::with_capacity(authors.len());
    let mut used: HashMap<String, usize> = HashMap::new();
    for (position, &old) in order.iter().enumerate() {
        new_index[old] = position;
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
        author
            .papers
            .sort_by_cached_key(|&p| newest_first(&site.papers[p]));
        sorted.push(author);
    }
    (sorted, new_index)
}

/// Authors' order: by slug, a person before a name of the same slug, then by name.
fn slug_order(author: &Author) -> (&str, bool, &str) {
    (&author.slug, author.person.is_none(), &author.name)
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
