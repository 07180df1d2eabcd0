//! The lab's people file, `content/people.toml`: read and checked by the content stage.
//!
//! The people file is TOML, not a digest: `content/*.md` are digests, and `content/people.toml` is
//! read on its own. Each `[[person]]` has a name and optionally a role, photo, links, ids and
//! `aliases`, the other spellings of the name found in author lists ("Y. Song" = "Yang Song").
//! The model joins them with the papers' authors (`model::people::Lab`).

use std::collections::HashMap;

use serde::Deserialize;

use super::ids::slugify;
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
