//! Contexts of the site's own pages: home page, digests, papers, topics and the sitemap.
//!
//! Each function builds the value one page kind's template receives, from the model through
//! [`super::reads::Model`]; [`super::Renderer::context`] picks the function for a page.

use jiff::civil::Date;

use super::context::*;
use super::page_context::{Hashed, HashedMap};
use super::{PageKind, PlannedPage, Renderer, display_date, shared_with};

impl Renderer<'_> {
    pub(super) fn index_context(
        &self,
        number: usize,
        page: &PlannedPage,
    ) -> Result<HashedMap, tera::Error> {
        let mut context = HashedMap::of(&self.index(number, page))?;
        if let Some(lab) = self.model.lab() {
            let count = self
                .config
                .extra
                .get("selected_count")
                .and_then(toml::Value::as_integer)
                .map_or(5, |n| usize::try_from(n).unwrap_or(0));
            let selected: Vec<usize> = lab.publications.iter().copied().take(count).collect();
            context.insert("selected", self.cards_of(&selected));
            context.insert("intro_html", Hashed::of(&self.model.home_intro())?);
        }
        Ok(context)
    }

    pub(super) fn digest_context(
        &self,
        index: usize,
        page: &PlannedPage,
    ) -> Result<HashedMap, tera::Error> {
        let mut context = HashedMap::of(&self.digest(index, page))?;
        let entries: Vec<Hashed> = self
            .model
            .digest(index)
            .entries
            .iter()
            .zip(self.model.notes(index))
            .map(|(entry, notes)| {
                let mut map = HashedMap::default();
                map.insert("paper", self.card_value(entry.paper));
                map.insert(
                    "notes_html",
                    Hashed::new(tera::Value::from(notes.as_deref())),
                );
                map.finish()
            })
            .collect();
        let digest = context.remove("digest").expect("digest was inserted");
        let mut digest = HashedMap::from_value(digest.value().clone());
        digest.insert("entries", Hashed::list(entries));
        context.insert("digest", digest.finish());
        Ok(context)
    }

    pub(super) fn index(&self, number: usize, page: &PlannedPage) -> IndexContext {
        let per_page = self.config.digests_per_page;
        let digests = self
            .model
            .digests()
            .iter()
            .enumerate()
            .skip((number - 1) * per_page)
            .take(per_page)
            .map(|(index, digest)| DigestSummary {
                title: digest.title.clone(),
                url: self.link(&format!("digests/{}/", digest.slug)),
                date: digest.date.to_string(),
                date_display: display_date(digest.date),
                summary: digest.summary.clone(),
                paper_count: digest.entries.len(),
                papers: digest
                    .entries
                    .iter()
                    .map(|e| self.paper_link(e.paper))
                    .collect(),
                topics: self
                    .model
                    .digest(index)
                    .topics
                    .iter()
                    .map(|&t| self.topic_ref(t))
                    .collect(),
            })
            .collect();
        let title = if number == 1 {
            self.config.title.clone()
        } else {
            format!("Latest digests, page {number}")
        };
        let rising = if number == 1 {
            self.rising()
        } else {
            Vec::new()
        };
        IndexContext {
            page: self.meta("index", title, self.config.description.clone(), page),
            digests,
            paginator: self.paginator("", number, self.model.digest_count(), per_page),
            rising,
        }
    }

    fn rising(&self) -> Vec<RisingTopic> {
        self.model
            .rising()
            .iter()
            .filter_map(|&index| {
                let topic = self.model.topic(index);
                let trend = topic.trend.as_ref()?;
                Some(RisingTopic {
                    name: topic.name.clone(),
                    slug: topic.slug.clone(),
                    url: self.link(&format!("topics/{}/", topic.slug)),
                    recent: trend.recent,
                    previous: trend.previous,
                })
            })
            .collect()
    }

    /// Links to the period pages of `date`'s week and month that exist.
    fn top_links(&self, date: jiff::civil::Date) -> Vec<Link> {
        crate::model::Top::labels_of(date)
            .into_iter()
            .filter_map(|label| {
                let title = self.model.top_title(&label)?;
                Some(Link {
                    title: format!("Most voted, {title}"),
                    url: self.link(&format!("top/{label}/")),
                })
            })
            .collect()
    }

    pub(super) fn top(&self, index: usize, page: &PlannedPage) -> TopContext {
        let top = &self.model.tops()[index];
        TopContext {
            page: self.meta(
                "top",
                format!("Most voted, {}", top.title),
                format!("The most voted papers of {}", top.title),
                page,
            ),
            label: top.label.clone(),
            title: top.title.clone(),
            period: if top.is_week { "week" } else { "month" },
            archive_url: self.link("digests/"),
        }
    }

    pub(super) fn digest(&self, index: usize, page: &PlannedPage) -> DigestContext {
        let digest = self.model.digest(index);
        let link = self.digest_link(index);
        DigestContext {
            page: self.meta(
                "digest",
                digest.title.clone(),
                digest.summary.clone().unwrap_or_default(),
                page,
            ),
            digest: DigestPage {
                title: link.title,
                url: link.url,
                date: link.date,
                date_display: link.date_display,
                summary: digest.summary.clone(),
                paper_count: digest.entries.len(),
                intro_html: self.model.intro_html(index).to_string(),
                topics: digest.topics.iter().map(|&t| self.topic_ref(t)).collect(),
                abstracts: self.config.has_abstracts(index),
            },
            // Digests are sorted newest first.
            newer: index.checked_sub(1).map(|i| self.digest_link(i)),
            older: (index + 1 < self.model.digest_count()).then(|| self.digest_link(index + 1)),
            bib_url: self.link(&format!("digests/{}/papers.bib", digest.slug)),
            email_url: (self.config.has_email(index))
                .then(|| self.link(&format!("digests/{}/email.html", digest.slug))),
            email_text_url: (self.config.has_email(index))
                .then(|| self.link(&format!("digests/{}/email.txt", digest.slug))),
            tops: self.top_links(digest.date),
        }
    }

    pub(super) fn paper(&self, index: usize, page: &PlannedPage) -> PaperContext<'_> {
        let paper = self.model.paper(index);
        let first_digest = self.model.digest(paper.appearances[0]);
        let position = first_digest.entries.iter().position(|e| e.paper == index);
        let neighbour = |offset: isize| {
            let at = position?.checked_add_signed(offset)?;
            first_digest
                .entries
                .get(at)
                .map(|e| self.paper_link(e.paper))
        };
        let description = match &self.model.excerpt(index) {
            Some(excerpt) => excerpt.to_string(),
            None => paper.authors.join(", "),
        };
        PaperContext {
            page: self.meta(
                "paper",
                self.model.title_text(index).to_string(),
                description,
                page,
            ),
            previous: neighbour(-1),
            next: neighbour(1),
            cite: self.paper_cite(index),
        }
    }

    /// What [`PaperContext`] leaves to the renderer: `digests`, `in_digest` and `notes`.
    pub(super) fn insert_paper_digests(&self, index: usize, context: &mut HashedMap) {
        let paper = self.model.paper(index);
        let mut notes = Vec::new();
        for &digest_index in &paper.appearances {
            let digest = self.model.digest(digest_index);
            for (entry, html) in digest.entries.iter().zip(self.model.notes(digest_index)) {
                if let (true, Some(html)) = (entry.paper == index, html) {
                    let mut note = HashedMap::default();
                    note.insert("digest", self.digest_value(digest_index));
                    note.insert("notes_html", Hashed::new(tera::Value::from(&**html)));
                    notes.push(note.finish());
                }
            }
        }
        let digests = paper
            .appearances
            .iter()
            .map(|&d| self.digest_value(d))
            .collect();
        context.insert("notes", Hashed::list(notes));
        context.insert("digests", Hashed::list(digests));
        context.insert("in_digest", self.digest_value(paper.appearances[0]));
    }

    /// The papers related to paper `index`: `[RelatedPaper + digests]`, most related first.
    pub(super) fn related_papers(&self, index: usize) -> Hashed {
        let entries = self.model.related(index);
        Hashed::list(
            entries
                .iter()
                .map(|&other| self.related_entry(other as usize))
                .collect(),
        )
    }

    /// Paper `index` as an entry of a related list.
    fn related_entry(&self, index: usize) -> Hashed {
        shared_with(&self.related_entries[index], || {
            let paper = self.model.paper(index);
            let shown = paper.authors.len().min(RELATED_AUTHORS);
            let digests = paper
                .appearances
                .iter()
                .map(|&d| self.digest_value(d).value().clone())
                .collect();
            let entry = RelatedPaper {
                title: self.model.title_text(index),
                title_html: self.model.title_html(index),
                url: self.link(&format!("papers/{}/", paper.slug)),
                authors: &paper.authors[..shown],
                more_authors: paper.authors.len() - shown,
            };
            Hashed::new(entry.into_value(digests))
        })
    }

    pub(super) fn topic_summary(&self, index: usize) -> TopicSummary {
        let topic = self.model.topic(index);
        TopicSummary {
            name: topic.name.clone(),
            slug: topic.slug.clone(),
            url: self.link(&format!("topics/{}/", topic.slug)),
            paper_count: topic.papers.len(),
        }
    }

    pub(super) fn archive(&self, page: &PlannedPage) -> ArchiveContext {
        let digests = self.model.digests();
        let mut years: Vec<ArchiveYear> = Vec::new();
        // The model lists digests newest first.
        for digest in digests {
            let (year, month) = (digest.date.year(), digest.date.month());
            if years.last().is_none_or(|y| y.year != year) {
                years.push(ArchiveYear {
                    year,
                    digest_count: 0,
                    months: Vec::new(),
                });
            }
            let current = years.last_mut().expect("pushed above");
            let id = format!("{year:04}-{month:02}");
            if current.months.last().is_none_or(|m| m.id != id) {
                current.months.push(ArchiveMonth {
                    top: self.model.top_title(&id).map(|title| Link {
                        title: format!("Most voted, {title}"),
                        url: self.link(&format!("top/{id}/")),
                    }),
                    name: digest.date.strftime("%B %Y").to_string(),
                    id,
                    digests: Vec::new(),
                });
            }
            current.digest_count += 1;
            let month = current.months.last_mut().expect("pushed above");
            month.digests.push(ArchiveDigest {
                title: digest.title.clone(),
                url: self.link(&format!("digests/{}/", digest.slug)),
                date: digest.date.to_string(),
                day: digest.date.strftime("%-d %b").to_string(),
                paper_count: digest.entries.len(),
            });
        }
        ArchiveContext {
            page: self.meta(
                "archive",
                "All digests".into(),
                "Every digest of the site, by month".into(),
                page,
            ),
            digest_count: digests.len(),
            paper_count: digests.iter().map(|d| d.entries.len()).sum(),
            years,
        }
    }

    pub(super) fn topics(&self, page: &PlannedPage) -> TopicsContext {
        TopicsContext {
            page: self.meta("topics", "Topics".into(), String::new(), page),
            topics: (0..self.model.topics().len())
                .map(|i| TopicListEntry {
                    topic: self.topic_summary(i),
                    sparkline: self
                        .model
                        .topic(i)
                        .trend
                        .as_ref()
                        .map(super::trends::sparkline),
                })
                .collect(),
        }
    }

    pub(super) fn topic(&self, index: usize, number: usize, page: &PlannedPage) -> TopicContext {
        let topic = self.model.topic(index);
        let per_page = self.config.papers_per_page;
        let title = if number == 1 {
            topic.name.clone()
        } else {
            format!("{}, page {number}", topic.name)
        };
        TopicContext {
            page: self.meta("topic", title, format!("Papers on {}", topic.name), page),
            topic: self.topic_summary(index),
            paginator: self.paginator(
                &format!("topics/{}/", topic.slug),
                number,
                topic.papers.len(),
                per_page,
            ),
            feed_url: self.link(&format!("topics/{}/feed.xml", topic.slug)),
            bib_url: self
                .config
                .has_topic_bibtex
                .then(|| self.link(&format!("topics/{}/papers.bib", topic.slug))),
            trend: topic
                .trend
                .as_ref()
                .filter(|_| number == 1)
                .map(super::trends::chart),
        }
    }

    pub(super) fn paper_cite(&self, index: usize) -> PaperCite<'_> {
        use crate::cite::{Kind, meta, venue_kind, year};
        let paper = self.model.paper(index);
        let record = match self.config.has_rich_metadata {
            true => self
                .model
                .citation_record_with_abstract(&self.config.base, index),
            false => self.model.citation_record(&self.config.base, index),
        };
        let slash_date = |d: Date| d.strftime("%Y/%m/%d").to_string();
        let folder = format!("papers/{}/", paper.slug);
        let names = self.config.citation_files.names();
        let file = |name: &str| {
            names
                .contains(&name)
                .then(|| self.link(&format!("{folder}{name}")))
        };
        PaperCite {
            key: self.model.citation_key(index),
            bibtex: self.model.bibtex(index).trim_end(),
            bib_url: file("cite.bib"),
            ris_url: file("cite.ris"),
            csl_url: file("cite.json"),
            coins: self.config.has_rich_metadata.then(|| meta::coins(&record)),
            json_ld_html: meta::json_ld_html(&record, self.config.has_rich_metadata),
            venue_kind: match venue_kind(paper.venue.as_deref()) {
                Kind::Conference => Some("conference"),
                Kind::Journal => Some("journal"),
                Kind::Other => None,
            },
            // `2019`, `2019/05` or `2019/05/14`: only what is known.
            publication_date: paper.published.map(|date| date.iso().replace('-', "/")),
            online_date: slash_date(paper.published.map_or_else(
                || self.model.digest_label(paper.appearances[0]).date,
                |date| date.first_day(),
            )),
            pdf_url: paper.pdf.clone().or_else(|| {
                paper
                    .arxiv
                    .as_ref()
                    .map(|a| format!("https://arxiv.org/pdf/{a}"))
            }),
            year: year(paper),
        }
    }

    /// The whole sitemap, or the sitemap index when the plan split it (then `range` picks the
    /// URLs of one part).
    pub(super) fn sitemap(&self, range: Option<(usize, usize)>) -> SitemapContext {
        let parts: Vec<SitemapEntry> = self
            .model
            .pages()
            .iter()
            .filter(|p| matches!(p.kind, PageKind::SitemapPart(..)))
            .map(|p| SitemapEntry {
                permalink: self.config.base.permalink(&p.output),
                lastmod: self.model.digests().first().map(|d| d.date.to_string()),
            })
            .collect();
        let (skip, take) = match range {
            Some((start, end)) => (start, end - start),
            None if parts.is_empty() => (0, usize::MAX),
            None => (0, 0),
        };
        let entries = self
            .model
            .pages()
            .iter()
            .filter(|page| page.output.ends_with("index.html"))
            .skip(skip)
            .take(take)
            .filter_map(|page| {
                if page.kind == PageKind::Search {
                    return None;
                }
                let path = page.output.strip_suffix("index.html")?;
                let lastmod = match page.kind {
                    PageKind::Digest(i) => Some(self.model.digest_label(i).date),
                    PageKind::Paper(i) => Some(self.model.paper(i).last_featured),
                    PageKind::Topic(i, _) => self
                        .model
                        .topic(i)
                        .papers
                        .first()
                        .map(|&p| self.model.paper(p).last_featured),
                    PageKind::Index(_) | PageKind::Topics | PageKind::Archive => {
                        self.model.digests().first().map(|d| d.date)
                    }
                    _ => None,
                };
                Some(SitemapEntry {
                    permalink: self.config.base.permalink(path),
                    lastmod: lastmod.map(|d| d.to_string()),
                })
            })
            .collect();
        SitemapContext {
            entries,
            parts: if range.is_some() { Vec::new() } else { parts },
        }
    }
}
