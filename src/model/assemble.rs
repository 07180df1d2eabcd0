//! Stage 4 of the pipeline: parsed files to the [`Site`] model.
//!
//! Papers are merged by id across digests (one page per paper, topics united), topics are matched
//! case-insensitively after aliasing, and the rules that need more than one file are checked here:
//! one id with two titles, two digests with one slug, two topics or papers with one URL.
//! Files are visited oldest digest first, so "the first spelling seen" of a topic is well defined
//! and the output does not depend on the order files were read in.

use std::collections::HashMap;

/// Maps keyed by the site's own ids and names, hashed for speed (they are not attacker-chosen
/// keys of a long-running service).
type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Digest, Entry, Paper, Site, Topic};
use crate::config::{Config, topic_key};
use crate::content::entry::{EntryFields, PaperEntry, too_long};
use crate::content::ids::{id_slug, slugify};
use crate::content::{ParsedFile, RawDigest, RawPaper};
use crate::error::{Diagnostic, Location};

/// Builds the model; errors are among the returned diagnostics, and when there are any the
/// model is incomplete and must not be rendered. Parsed files are borrowed so that a rebuild
/// can reuse the ones that did not change.
pub fn assemble<'f>(
    files: impl IntoIterator<Item = &'f ParsedFile>,
    config: &Config,
) -> (Site, Vec<Diagnostic>) {
    let mut builder = Builder {
        config,
        diagnostics: Vec::new(),
        digests: Vec::new(),
        papers: Vec::new(),
        paper_by_id: FastMap::default(),
        topics: Vec::new(),
        topic_by_key: HashMap::new(),
        topic_by_name: HashMap::default(),
        digest_slugs: HashMap::new(),
    };
    let mut sources: Vec<(&RawDigest, &ParsedFile)> = files
        .into_iter()
        .filter_map(|file| {
            let digest = file.digest.as_ref()?;
            (config.include_drafts || !digest.draft).then_some((digest, file))
        })
        .collect();
    sources.sort_by(|a, b| (a.0.date, &a.1.path).cmp(&(b.0.date, &b.1.path)));
    // Copied out of the parsed files in parallel, so that the merge in file order only moves
    // them; the parsed files stay as they are for a rebuild.
    let checked: Vec<Vec<PaperEntry>> = sources
        .par_iter()
        .map(|(_, file)| file.entries.clone())
        .collect();
    let entries = checked.iter().map(Vec::len).sum();
    builder.papers.reserve(entries);
    builder.paper_by_id.reserve(entries);
    for ((digest, file), checked) in sources.into_iter().zip(checked) {
        builder.add_digest(digest, file, checked);
    }
    builder.finish()
}

struct Builder<'a> {
    config: &'a Config,
    diagnostics: Vec<Diagnostic>,
    digests: Vec<Digest>,
    papers: Vec<Paper>,
    paper_by_id: FastMap<String, usize>,
    topics: Vec<Topic>,
    topic_by_key: HashMap<String, usize>,
    /// Topic names as written, once resolved: most papers repeat a few names.
    topic_by_name: FastMap<String, usize>,
    digest_slugs: HashMap<String, PathBuf>,
}

impl Builder<'_> {
    fn add_digest(&mut self, raw: &RawDigest, file: &ParsedFile, checked: Vec<PaperEntry>) {
        let path = file.path.clone();
        let at_line = |line| Location::at(&path, line, None);
        let slug = match &raw.slug {
            Some(slug) => id_slug(slug),
            None => id_slug(&file_slug(&path)),
        };
        if slug.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(
                    at_line(file.digest_lines.slug),
                    "this digest's URL slug is empty",
                )
                .with_hint("set slug = \"…\" with letters or digits, or rename the file"),
            );
            return;
        }
        if let Some(other) = self.digest_slugs.get(&slug) {
            self.diagnostics.push(
                Diagnostic::error(
                    Location::file(&path),
                    format!("digest slug `{slug}` is also used by {}: both would be written to /digests/{slug}/", other.display()),
                )
                .with_hint("set a different slug = \"…\" in one of them, or rename a file"),
            );
            return;
        }
        self.digest_slugs.insert(slug.clone(), path.clone());
        if raw.title.trim().is_empty() {
            self.diagnostics.push(Diagnostic::error(
                at_line(file.digest_lines.title),
                "the digest's title is empty",
            ));
        }
        let one_line_fields = [
            ("title", Some(&raw.title)),
            ("summary", raw.summary.as_ref()),
        ];
        for (field, value) in one_line_fields {
            if let Some(value) = value
                && let Some(d) = too_long(field, value, || at_line(file.digest_lines.title))
            {
                self.diagnostics.push(d);
                return;
            }
        }

        let digest_index = self.digests.len();
        // Registered only through papers, so a digest with no papers makes no empty topic page.
        let digest_topics: Vec<&str> = raw.topics.iter().map(String::as_str).collect();
        let mut entries = Vec::with_capacity(raw.papers.len());
        for ((position, paper), checked) in raw.papers.iter().enumerate().zip(checked) {
            let line = file.paper_lines.get(position).copied().unwrap_or(1);
            let notes = paper.notes_md.clone().filter(|n| !n.trim().is_empty());
            let digest = DigestRef {
                topics: &digest_topics,
                topics_line: file.digest_lines.topics,
                path: &path,
                index: digest_index,
                date: raw.date,
            };
            let hash = file.paper_hashes.get(position).copied().unwrap_or_default();
            if let Some(index) = self.add_paper(paper, hash, checked, line, &digest) {
                entries.push(Entry {
                    paper: index,
                    notes,
                    line,
                });
            }
        }
        self.digests.push(Digest {
            slug,
            title: raw.title.trim().to_string(),
            date: raw.date,
            summary: raw.summary.clone().filter(|s| !s.trim().is_empty()),
            source: path,
            intro: file.body.clone(),
            intro_line_offset: file.body_line_offset,
            entries,
            order: raw.sort.unwrap_or(self.config.paper_order),
            origin: raw.source.clone().filter(|s| !s.trim().is_empty()),
            topics: Vec::new(),
        });
    }

    /// The index of a topic, registering it on first sight; None for an empty name.
    fn topic(&mut self, name: &str, path: &Path, line: usize) -> Option<usize> {
        if let Some(&index) = self.topic_by_name.get(name) {
            return Some(index);
        }
        let index = self.resolve_topic(name, path, line)?;
        self.topic_by_name.insert(name.to_string(), index);
        Some(index)
    }

    fn resolve_topic(&mut self, name: &str, path: &Path, line: usize) -> Option<usize> {
        if let Some(d) = too_long("topic", name, || Location::at(path, line, None)) {
            self.diagnostics.push(d);
            return None;
        }
        let key = topic_key(name);
        if key.is_empty() {
            self.diagnostics.push(Diagnostic::error(
                Location::at(path, line, None),
                "a topic name is empty",
            ));
            return None;
        }
        let (key, display) = match self.config.topic_aliases.get(&key) {
            Some(canonical) => (topic_key(canonical), canonical.clone()),
            None => {
                // A spelling of an alias target shows as the target, whichever came first.
                let canonical = self
                    .config
                    .topic_aliases
                    .values()
                    .find(|c| topic_key(c) == key);
                let display = match canonical {
                    Some(canonical) => canonical.clone(),
                    None => name.split_whitespace().collect::<Vec<_>>().join(" "),
                };
                (key, display)
            }
        };
        if let Some(&index) = self.topic_by_key.get(&key) {
            return Some(index);
        }
        let slug = slugify(&display);
        if slug.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(Location::at(path, line, None), format!("topic `{display}` has no letters or digits for its URL"))
                    .with_hint("rename the topic, or map it to another name under [topics.aliases] in site.toml"),
            );
            return None;
        }
        let index = self.topics.len();
        self.topics.push(Topic {
            name: display,
            slug,
            papers: Vec::new(),
            trend: None,
        });
        self.topic_by_key.insert(key, index);
        Some(index)
    }

    /// Adds one paper entry of a digest: merged into the paper of the same id when there is one,
    /// a new paper otherwise. None when the entry does not make it into the digest.
    fn add_paper(
        &mut self,
        raw: &RawPaper,
        raw_hash: u64,
        checked: PaperEntry,
        line: usize,
        digest: &DigestRef,
    ) -> Option<usize> {
        self.diagnostics.extend(checked.diagnostics);
        let fields = checked.fields?;
        let topics = self.entry_topics(raw, checked.lines.topics, digest);
        let entry = EntrySource {
            raw,
            hash: raw_hash,
            line,
            title_line: checked.lines.title,
            thumbnail_line: checked.lines.thumbnail,
            digest,
        };
        match self.paper_by_id.get(&fields.id) {
            Some(&index) => self.merge_paper(index, &entry, fields, topics),
            None => {
                let id = fields.id.clone();
                let paper = new_paper(&entry, fields, topics);
                let index = self.papers.len();
                self.papers.push(paper);
                self.paper_by_id.insert(id, index);
                Some(index)
            }
        }
    }

    /// The topics of one entry, the digest's first, each registered on first sight; `line` is
    /// the line of the entry's `topics`.
    fn entry_topics(&mut self, raw: &RawPaper, line: usize, digest: &DigestRef) -> Vec<usize> {
        let mut topics: Vec<usize> = Vec::new();
        for &name in digest.topics {
            // Digest topics are reported against the digest's own front matter.
            if let Some(topic) = self.topic(name, digest.path, digest.topics_line) {
                topics.push(topic);
            }
        }
        for name in &raw.topics {
            if let Some(topic) = self.topic(name, digest.path, line) {
                topics.push(topic);
            }
        }
        topics
    }

    /// Merges an entry into paper `index`, which has the same id: the first value of a field
    /// wins, and a different later value is a warning. None when the entry is refused (another
    /// title, or a second entry for the paper in one digest).
    fn merge_paper(
        &mut self,
        index: usize,
        entry: &EntrySource,
        fields: EntryFields,
        topics: Vec<usize>,
    ) -> Option<usize> {
        let EntrySource {
            raw: _,
            hash: raw_hash,
            line,
            title_line,
            thumbnail_line: _,
            digest,
        } = *entry;
        let location = || Location::at(digest.path, line, None);
        let paper = &mut self.papers[index];
        if !paper.title.eq_ignore_ascii_case(&fields.title) {
            self.diagnostics.push(
                Diagnostic::error(
                    Location::at(digest.path, title_line, None),
                    format!(
                        "paper `{}` is titled \"{}\" here but \"{}\" in {}:{}",
                        fields.id,
                        fields.title,
                        paper.title,
                        paper.source.display(),
                        paper.line
                    ),
                )
                .with_hint("one id is one paper: fix the title, or give one of them another id"),
            );
            return None;
        }
        // Before any field is merged: even an entry ignored below may have filled one.
        paper.content = {
            use std::hash::{Hash, Hasher};
            let mut h = crate::fingerprint::hasher();
            (paper.content, raw_hash).hash(&mut h);
            h.finish()
        };
        let earlier = format!("{}:{}", paper.source.display(), paper.line);
        let conflicts = merge_fields(paper, fields, entry, topics);
        if paper.appearances.last() == Some(&digest.index) {
            self.diagnostics.push(
                Diagnostic::warning(
                    location(),
                    format!(
                        "paper `{}` is listed twice in this digest; the second entry is ignored",
                        paper.id
                    ),
                )
                .with_hint("remove one of the two entries"),
            );
            return None;
        }
        paper.appearances.push(digest.index);
        paper.last_featured = digest.date;
        if !conflicts.is_empty() {
            self.diagnostics.push(
                Diagnostic::warning(
                    location(),
                    format!(
                        "paper `{}` has a different {} than in {earlier}; keeping the first",
                        paper.id,
                        conflicts.join(", ")
                    ),
                )
                .with_hint("metadata of one paper should agree across digests"),
            );
        }
        Some(index)
    }

    fn finish(mut self) -> (Site, Vec<Diagnostic>) {
        self.apply_topic_rules();
        self.check_unique_slugs();

        // Final orders: digests newest first, papers by slug, topics by name.
        let digest_order = order(&self.digests, |a, b| {
            b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug))
        });
        let paper_order = order(&self.papers, |a, b| a.slug.cmp(&b.slug));
        let topic_order = order(&self.topics, |a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.name.cmp(&b.name))
        });
        let digest_new = inverse(&digest_order);
        let paper_new = inverse(&paper_order);
        let topic_new = inverse(&topic_order);

        let mut papers = permute(self.papers, &paper_order);
        papers.par_iter_mut().for_each(|paper| {
            for topic in &mut paper.topics {
                *topic = topic_new[*topic];
            }
            paper.topics.sort_unstable();
            for digest in &mut paper.appearances {
                *digest = digest_new[*digest];
            }
            // Oldest first: larger index means older.
            paper.appearances.sort_unstable_by(|a, b| b.cmp(a));
        });
        let mut digests = permute(self.digests, &digest_order);
        for digest in &mut digests {
            for entry in &mut digest.entries {
                entry.paper = paper_new[entry.paper];
            }
            if digest.order == crate::content::raw::PaperOrder::Upvotes {
                // Stable: equal votes, and papers without, keep the file's order.
                digest
                    .entries
                    .sort_by_key(|e| std::cmp::Reverse(papers[e.paper].upvotes.unwrap_or(0)));
            }
            let mut topics: Vec<usize> = digest
                .entries
                .iter()
                .flat_map(|e| papers[e.paper].topics.iter().copied())
                .collect();
            topics.sort_unstable();
            topics.dedup();
            digest.topics = topics;
        }
        let mut topics = permute(self.topics, &topic_order);
        for (index, paper) in papers.iter().enumerate() {
            for &topic in &paper.topics {
                topics[topic].papers.push(index);
            }
        }
        topics.par_iter_mut().for_each(|topic| {
            topic.papers.sort_by(|&a, &b| {
                let (a, b) = (&papers[a], &papers[b]);
                b.last_featured
                    .cmp(&a.last_featured)
                    .then_with(|| a.title.cmp(&b.title))
                    .then_with(|| a.slug.cmp(&b.slug))
            });
        });
        let tops = tops(&papers, &digests);
        let mut rising = Vec::new();
        if self.config.has_trends {
            let trends = super::trends::trends(&topics, &papers, &digests);
            for (topic, trend) in topics.iter_mut().zip(trends) {
                topic.trend = trend;
            }
            rising = super::trends::rising(&topics, &digests);
        }
        for paper in &papers {
            if paper.authors.is_empty() {
                self.diagnostics.push(Diagnostic::warning(
                    Location::at(&paper.source, paper.line, None),
                    format!("paper `{}` has no authors", paper.id),
                ));
            }
        }
        (
            Site {
                digests,
                papers,
                topics,
                tops,
                rising,
            },
            self.diagnostics,
        )
    }

    /// `[topics.rules]`: adds a rule's topic to every paper that mentions one of its phrases.
    fn apply_topic_rules(&mut self) {
        use rayon::prelude::*;
        let config = self.config;
        if config.topic_rules.is_empty() {
            return;
        }
        let matches: Vec<Vec<usize>> = self
            .papers
            .par_iter()
            .map(|p| {
                super::topic_rules::matching_rules(
                    &config.topic_rules,
                    &p.title,
                    p.abstract_md.as_deref(),
                )
            })
            .collect();
        let config_file = Path::new(crate::config::CONFIG_FILE);
        for (paper, rules) in matches.into_iter().enumerate() {
            for rule in rules {
                if let Some(topic) = self.topic(&config.topic_rules[rule].topic, config_file, 1)
                    && !self.papers[paper].topics.contains(&topic)
                {
                    self.papers[paper].topics.push(topic);
                }
            }
        }
    }

    fn check_unique_slugs(&mut self) {
        let mut seen: FastMap<&str, &Paper> = FastMap::default();
        for paper in &self.papers {
            if let Some(other) = seen.insert(&paper.slug, paper) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Location::at(&paper.source, paper.line, None),
                        format!(
                            "papers `{}` and `{}` ({}:{}) would share the page /papers/{}/",
                            paper.id,
                            other.id,
                            other.source.display(),
                            other.line,
                            paper.slug
                        ),
                    )
                    .with_hint(
                        "ids are compared ignoring case and punctuation: set a distinct id = \"…\"",
                    ),
                );
            }
        }
        let mut topic_slugs: HashMap<&str, &Topic> = HashMap::new();
        for topic in &self.topics {
            if let Some(other) = topic_slugs.insert(&topic.slug, topic) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Location::file(crate::config::CONFIG_FILE),
                        format!(
                            "topics `{}` and `{}` would share the page /topics/{}/",
                            topic.name, other.name, topic.slug
                        ),
                    )
                    .with_hint("map one to the other under [topics.aliases] in site.toml"),
                );
            }
        }
    }
}

/// The digest a paper entry is read from.
#[derive(Clone, Copy)]
struct DigestRef<'a> {
    topics: &'a [&'a str],
    /// The line of the digest's `topics`.
    topics_line: usize,
    path: &'a Path,
    index: usize,
    date: jiff::civil::Date,
}

/// One paper entry where it was read: the entry, its hash and its line in the digest.
#[derive(Clone, Copy)]
struct EntrySource<'a> {
    raw: &'a RawPaper,
    hash: u64,
    line: usize,
    /// The line of the entry's `title`.
    title_line: usize,
    /// The line of the entry's `thumbnail`.
    thumbnail_line: usize,
    digest: &'a DigestRef<'a>,
}

/// Fills the fields `paper` lacks from a later entry of it, unites the topics, and returns the
/// names of the fields where the entry says something else (the paper keeps its first value).
fn merge_fields(
    paper: &mut Paper,
    fields: EntryFields,
    entry: &EntrySource,
    topics: Vec<usize>,
) -> Vec<&'static str> {
    let raw = entry.raw;
    let mut conflicts = Vec::new();
    merge(&mut paper.arxiv, fields.arxiv, "arxiv", &mut conflicts);
    merge(
        &mut paper.arxiv_category,
        fields.arxiv_category,
        "arxiv_category",
        &mut conflicts,
    );
    merge(&mut paper.doi, fields.doi, "doi", &mut conflicts);
    merge(&mut paper.url, fields.url, "url", &mut conflicts);
    merge(&mut paper.pdf, fields.pdf, "pdf", &mut conflicts);
    merge(&mut paper.code, fields.code, "code", &mut conflicts);
    merge(
        &mut paper.project,
        fields.project,
        "project",
        &mut conflicts,
    );
    merge(&mut paper.venue, fields.venue, "venue", &mut conflicts);
    merge(
        &mut paper.published,
        raw.published,
        "published",
        &mut conflicts,
    );
    merge(
        &mut paper.abstract_md,
        fields.abstract_md,
        "abstract",
        &mut conflicts,
    );
    if paper.authors.is_empty() {
        paper.authors = fields.authors;
    } else if !fields.authors.is_empty() && fields.authors != paper.authors {
        conflicts.push("authors");
    }
    paper.ours |= raw.ours;
    paper.upvotes = match (paper.upvotes, raw.upvotes) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    paper.comments = match (paper.comments, raw.comments) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    if paper.thumbnail.is_none() {
        paper.thumbnail = thumbnail(entry, fields.thumbnail);
    }
    for topic in topics {
        if !paper.topics.contains(&topic) {
            paper.topics.push(topic);
        }
    }
    conflicts
}

/// The paper of an id seen for the first time, topics without repeats.
fn new_paper(entry: &EntrySource, fields: EntryFields, topics: Vec<usize>) -> Paper {
    let EntrySource {
        raw,
        hash,
        line,
        title_line: _,
        thumbnail_line: _,
        digest,
    } = *entry;
    let mut unique_topics = Vec::with_capacity(topics.len());
    for topic in topics {
        if !unique_topics.contains(&topic) {
            unique_topics.push(topic);
        }
    }
    Paper {
        id: fields.id,
        slug: fields.slug,
        title: fields.title,
        authors: fields.authors,
        arxiv: fields.arxiv,
        arxiv_category: fields.arxiv_category,
        doi: fields.doi,
        url: fields.url,
        pdf: fields.pdf,
        code: fields.code,
        project: fields.project,
        venue: fields.venue,
        published: raw.published,
        upvotes: raw.upvotes,
        comments: raw.comments,
        thumbnail: thumbnail(entry, fields.thumbnail),
        ours: raw.ours,
        abstract_md: fields.abstract_md,
        topics: unique_topics,
        appearances: vec![digest.index],
        last_featured: digest.date,
        content: hash,
        source: digest.path.to_path_buf(),
        line,
    }
}

/// An entry's thumbnail with where it is written.
fn thumbnail(entry: &EntrySource, path: Option<String>) -> Option<crate::model::Thumbnail> {
    Some(crate::model::Thumbnail {
        path: path?,
        source: entry.digest.path.to_path_buf(),
        line: entry.thumbnail_line,
    })
}

/// Keeps the first value; records a conflict when a later one differs.
fn merge<T: PartialEq>(
    current: &mut Option<T>,
    new: Option<T>,
    field: &'static str,
    conflicts: &mut Vec<&'static str>,
) {
    match (current.as_ref(), new) {
        (None, new) => *current = new,
        (Some(old), Some(new)) if *old != new => conflicts.push(field),
        _ => {}
    }
}

fn order<T: Sync>(
    items: &[T],
    compare: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.par_sort_by(|&a, &b| compare(&items[a], &items[b]));
    order
}

fn inverse(order: &[usize]) -> Vec<usize> {
    let mut inverse = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        inverse[old] = new;
    }
    inverse
}

fn permute<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&old| slots[old].take().expect("order is a permutation"))
        .collect()
}

/// The most voted papers of each ISO week and each month, by the date of the digest that
/// featured each paper first; newest period first, a week before the month it ends in.
fn tops(papers: &[Paper], digests: &[Digest]) -> Vec<super::Top> {
    use std::collections::BTreeMap;
    // (label, is_week) → (title, papers); labels sort by date within a kind.
    let mut periods: BTreeMap<(String, bool), (String, Vec<usize>)> = BTreeMap::new();
    for (index, paper) in papers.iter().enumerate() {
        if paper.upvotes.unwrap_or(0) == 0 {
            continue;
        }
        // `appearances` lists the oldest digest first: the one that featured the paper first.
        let Some(&first) = paper.appearances.first() else {
            continue;
        };
        let date = digests[first].date;
        let [week, month] = super::Top::labels_of(date);
        let week_title = {
            let iso = date.iso_week_date();
            format!("Week {}, {}", iso.week(), iso.year())
        };
        let month_title = date.strftime("%B %Y").to_string();
        periods
            .entry((week, true))
            .or_insert_with(|| (week_title, Vec::new()))
            .1
            .push(index);
        periods
            .entry((month, false))
            .or_insert_with(|| (month_title, Vec::new()))
            .1
            .push(index);
    }
    let mut tops: Vec<super::Top> = periods
        .into_iter()
        .map(|((label, is_week), (title, mut members))| {
            members.sort_by(|&a, &b| {
                let (a, b) = (&papers[a], &papers[b]);
                b.upvotes
                    .cmp(&a.upvotes)
                    .then_with(|| a.title.cmp(&b.title))
                    .then_with(|| a.slug.cmp(&b.slug))
            });
            members.truncate(super::TOP_PAPERS);
            super::Top {
                label,
                title,
                is_week,
                papers: members,
            }
        })
        .collect();
    // Newest year first; within a year its weeks, newest first, then its months.
    tops.sort_by(|a, b| b.label.cmp(&a.label).then(b.is_week.cmp(&a.is_week)));
    tops
}

/// A digest's slug when it sets none: its file name without `.md`, except that `MM-DD.md` in a
/// folder named `YYYY` is `YYYY-MM-DD`, so a digest that runs for years can keep a folder per
/// year (`content/2024/03-11.md` and `content/2025/03-11.md`) without two digests on one page.
fn file_slug(path: &Path) -> String {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let is_month_day = stem.len() == 5
        && stem.as_bytes()[2] == b'-'
        && stem
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 2 || b.is_ascii_digit());
    let year = path
        .parent()
        .and_then(Path::file_name)
        .map(|name| name.to_string_lossy())
        .filter(|name| name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit()));
    match year {
        Some(year) if is_month_day => format!("{year}-{stem}"),
        _ => stem.into_owned(),
    }
}

#[cfg(test)]
mod file_slug_tests {
    use super::*;

    #[test]
    fn month_and_day_in_a_year_folder_take_the_year() {
        assert_eq!(file_slug(Path::new("content/2024/03-11.md")), "2024-03-11");
        assert_eq!(file_slug(Path::new("content/2025/03-11.md")), "2025-03-11");
        assert_eq!(
            file_slug(Path::new("content/2024/2024-03-11.md")),
            "2024-03-11"
        );
        assert_eq!(
            file_slug(Path::new("content/reading-group/2024-04-02.md")),
            "2024-04-02"
        );
        assert_eq!(file_slug(Path::new("content/notes/03-11.md")), "03-11");
        assert_eq!(file_slug(Path::new("content/2024/week-11.md")), "week-11");
    }
}
