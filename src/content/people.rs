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
    /// The line of `photo` in the people file (the person's `name` when there is none).
    pub photo_line: usize,
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
        let (_, tables) =
            super::key_lines::find_tables(super::front_matter::Format::Toml, text, 0, "person");
        for (index, mut person) in raw.person.into_iter().enumerate() {
            let table = tables.get(index).cloned().unwrap_or_default();
            clean_texts(&mut person);
            let name = person.name.split_whitespace().collect::<Vec<_>>().join(" ");
            let location = Location::at(PEOPLE_FILE, table.of("name"), None);
            let links = match PersonLinks::check(&person, &name, &table) {
                Ok(links) => links,
                Err(problem) => {
                    problems.push(*problem);
                    continue;
                }
            };
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
            let PersonLinks {
                photo,
                homepage,
                email,
                orcid,
                scholar,
                github,
            } = links;
            persons.push(Person {
                name,
                slug,
                role: person.role,
                photo,
                photo_line: table.of("photo"),
                homepage,
                email,
                orcid,
                scholar,
                github,
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

/// Control characters out of the texts a page shows, and names in NFC (they are matched).
fn clean_texts(person: &mut RawPerson) {
    let clean = |text: &mut String, normalize: bool| {
        if let Some((cleaned, _)) = super::clean::clean(text, normalize) {
            *text = cleaned;
        }
    };
    clean(&mut person.name, true);
    person
        .aliases
        .iter_mut()
        .for_each(|alias| clean(alias, true));
    for text in [&mut person.role, &mut person.bio].into_iter().flatten() {
        clean(text, false);
    }
}

/// A person's links, each checked: a web address, or an id or handle in the form its site gives
/// it (a full profile URL is accepted and reduced to the id). Themes build the profile URLs from
/// the ids, so an id that could change a URL's path or query (`../evil`, `x&hl=evil`) is refused.
struct PersonLinks {
    photo: Option<String>,
    homepage: Option<String>,
    email: Option<String>,
    orcid: Option<String>,
    scholar: Option<String>,
    github: Option<String>,
}

impl PersonLinks {
    fn check(
        person: &RawPerson,
        name: &str,
        table: &super::key_lines::KeyLines,
    ) -> std::result::Result<PersonLinks, Box<Diagnostic>> {
        let refuse = |key: &str, value: &str, expected: &str| {
            Box::new(
                Diagnostic::error(
                    Location::at(PEOPLE_FILE, table.of(key), None),
                    format!("`{key}` of {name} is not {expected}: `{value}`"),
                )
                .with_hint(hint_for(key)),
            )
        };
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let checked = |key: &str,
                       value: &Option<String>,
                       expected: &str,
                       check: fn(&str) -> Option<String>| {
            given(value)
                .map(|value| check(&value).ok_or_else(|| refuse(key, &value, expected)))
                .transpose()
        };
        Ok(PersonLinks {
            photo: checked("photo", &person.photo, "a path under static/", photo_path)?,
            homepage: checked("homepage", &person.homepage, "a web address", |v| {
                super::entry::is_safe_link(v).then(|| v.to_string())
            })?,
            email: checked("email", &person.email, "an email address", email_address)?,
            orcid: checked("orcid", &person.orcid, "an ORCID iD", orcid_id)?,
            scholar: checked(
                "scholar",
                &person.scholar,
                "a Google Scholar user id",
                scholar_id,
            )?,
            github: checked(
                "github",
                &person.github,
                "a GitHub user name",
                github_handle,
            )?,
        })
    }
}

fn hint_for(key: &str) -> &'static str {
    match key {
        "photo" => "write the path of an image under static/, such as people/yang.jpg",
        "homepage" => "links must start with https:// or http://",
        "email" => "write the address alone, such as yang@example.org",
        "orcid" => "an ORCID iD looks like 0000-0002-1825-0097",
        "scholar" => "the id is the `user=` value of the profile URL, such as qc6CJjYAAAAJ",
        _ => "the user name alone, such as octocat",
    }
}

/// A path under `static/`, without a leading `/`: no scheme, no `..`, no backslash.
fn photo_path(value: &str) -> Option<String> {
    let path = value.trim_start_matches('/');
    let is_safe = !path.is_empty()
        && !path.contains([':', '\\', '"', '<', '>', '?', '#'])
        && path
            .split('/')
            .all(|segment| segment != ".." && segment != ".");
    is_safe.then(|| path.to_string())
}

fn email_address(value: &str) -> Option<String> {
    let address = value.strip_prefix("mailto:").unwrap_or(value);
    let (local, domain) = address.split_once('@')?;
    let is_plain = |part: &str| {
        !part.is_empty()
            && !part.contains(|c: char| {
                c.is_whitespace() || c.is_control() || "@<>\"'?&/\\,;:()[]".contains(c)
            })
    };
    (is_plain(local) && is_plain(domain) && domain.contains('.')).then(|| address.to_string())
}

fn orcid_id(value: &str) -> Option<String> {
    let id = value
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(value)
        .to_ascii_uppercase();
    let groups: Vec<&str> = id.split('-').collect();
    let is_id = groups.len() == 4
        && groups.iter().all(|g| g.len() == 4)
        && id
            .bytes()
            .enumerate()
            .all(|(i, b)| b == b'-' || b.is_ascii_digit() || (i == id.len() - 1 && b == b'X'));
    (is_id && value.bytes().all(|b| b.is_ascii_graphic())).then_some(id)
}

fn scholar_id(value: &str) -> Option<String> {
    let id = match value.split_once("user=") {
        Some((_, rest)) => rest.split(['&', '#']).next().unwrap_or(""),
        None => value,
    };
    let is_id = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    is_id.then(|| id.to_string())
}

fn github_handle(value: &str) -> Option<String> {
    let handle = value
        .strip_prefix("https://github.com/")
        .or_else(|| value.strip_prefix("http://github.com/"))
        .unwrap_or(value)
        .trim_start_matches('@')
        .trim_end_matches('/');
    let is_handle = (1..=39).contains(&handle.len())
        && handle
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !handle.starts_with('-');
    is_handle.then(|| handle.to_string())
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn ids_and_handles_are_taken_in_their_site_form_or_refused() {
        assert_eq!(
            github_handle("https://github.com/octocat/").as_deref(),
            Some("octocat")
        );
        assert_eq!(github_handle("../../evil"), None);
        assert_eq!(
            scholar_id("https://scholar.google.com/citations?user=qc6CJjYAAAAJ&hl=en").as_deref(),
            Some("qc6CJjYAAAAJ")
        );
        assert_eq!(scholar_id("x&hl=evil"), None);
        assert_eq!(
            orcid_id("https://orcid.org/0000-0002-1825-009x").as_deref(),
            Some("0000-0002-1825-009X")
        );
        assert_eq!(orcid_id("0000-0002-1825"), None);
        assert_eq!(
            email_address("mailto:yang@example.org").as_deref(),
            Some("yang@example.org")
        );
        assert_eq!(email_address("a@b.org?subject=x"), None);
        assert_eq!(
            photo_path("/people/yang.jpg").as_deref(),
            Some("people/yang.jpg")
        );
        assert_eq!(photo_path("javascript:alert(1)"), None);
        assert_eq!(photo_path("../../etc/passwd"), None);
    }
}
