//! The pipeline as a value that remembers what it can reuse between builds.
//!
//! `build` runs it once with nothing remembered and writes every file into a staging folder.
//! `serve` keeps one [`Engine`] alive and calls [`Engine::build`] after every change: files whose
//! text did not change are not parsed again, Markdown already rendered is reused, templates are
//! compiled only when they change, and only pages whose fingerprint changed are rendered and
//! written ([`crate::render::fingerprint`]). Both paths run the same code, so an incremental
//! rebuild produces the same files as a fresh build.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use rayon::prelude::*;

use crate::check;
use crate::config::{self, Config};
use crate::content::{self, FoundSource, ParsedFile, SourceFile};
use crate::error::{Diagnostic, Error, Location, Result, sort_diagnostics};
use crate::markdown::{self, MarkdownCache, MarkdownOptions};
use crate::render::context::SiteContext;
use crate::render::templates::{self, ThemeFiles};
use crate::render::{self, PlannedPage, Renderer, fingerprint};
use crate::search::{IndexCache, IndexUpdate};
use crate::{BuildReport, model};

type SourceStamp = (Option<SystemTime>, u64);
/// Output path → a hash of what was written there; looked up for every page of every build.
type Hashes = HashMap<String, u64, ahash::RandomState>;
type ParseResult = std::result::Result<Arc<ParsedFile>, Box<Diagnostic>>;

/// Where a build's files go.
pub trait Output: Sync {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<()>;
    fn remove(&self, relative: &str) -> Result<()>;
    /// Whether the destination is live (served while we write): then a build renders every
    /// changed page before writing any, so an error leaves the previous site whole.
    fn is_live(&self) -> bool {
        false
    }
}

/// Renders everything and writes nothing, for `check`.
pub struct Discard;

impl Output for Discard {
    fn write(&self, _: &str, _: &[u8]) -> Result<()> {
        Ok(())
    }
    fn remove(&self, _: &str) -> Result<()> {
        Ok(())
    }
}

/// A compiled theme and what depends on it.
struct Theme {
    files: ThemeFiles,
    tera: tera::Tera,
    syntax_css: String,
    template_fingerprints: HashMap<String, u64>,
    uses_counts: bool,
}

/// What one build did, beyond the report: the output paths it wrote or removed.
#[derive(Debug, Default)]
pub struct Outcome {
    pub report: BuildReport,
    pub written: Vec<String>,
    pub removed: Vec<String>,
}

pub struct Engine {
    config: Config,
    /// Remember fingerprints and caches between builds (serve); a one-off build does not.
    is_incremental: bool,
    /// Parsed digest files by path, with the modification stamp they were read at.
    sources: HashMap<PathBuf, (SourceStamp, Arc<ParsedFile>)>,
    markdown: MarkdownCache,
    theme: Option<Theme>,
    /// Output path → fingerprint of what was written there last time.
    pages: Hashes,
    /// Output path → hash of the static file written there last time.
    statics: Hashes,
    /// Output path → hash of the derived file (citations, JSON Feed) written there last time.
    derived: Hashes,
    /// What the citation files were made from last time, and the BibTeX and plain abstracts of
    /// every paper: a save remakes only those of the papers it changed.
    derived_inputs: render::derived::DerivedInputs,
    citations: crate::cite::CitationCache,
    search: crate::search::IndexCache,
}

impl Engine {
    pub fn new(config: Config, is_incremental: bool) -> Self {
        Engine {
            config,
            is_incremental,
            sources: HashMap::new(),
            markdown: MarkdownCache::default(),
            theme: None,
            pages: Hashes::default(),
            statics: Hashes::default(),
            derived: Hashes::default(),
            derived_inputs: Default::default(),
            citations: Default::default(),
            search: Default::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// `site.toml` changed: start over with the new configuration, but remember which files the
    /// last build wrote so that the next one removes those it no longer plans.
    pub fn set_config(&mut self, config: Config) {
        self.config = config;
        self.theme = None;
        // Fingerprint 0 never matches, so every file is written again.
        self.pages.values_mut().for_each(|fp| *fp = 0);
        self.statics.values_mut().for_each(|fp| *fp = 0);
        self.derived.values_mut().for_each(|fp| *fp = 0);
        self.derived_inputs.clear();
        self.search = Default::default();
    }

    /// Templates or static files changed: load the theme again on the next build.
    pub fn reload_theme(&mut self) {
        self.theme = None;
    }

    pub fn build(&mut self, output: &dyn Output, show_progress: bool) -> Result<Outcome> {
        self.run(output, show_progress, None)
    }

    /// For `digestif check` (check.rs): a run that writes nothing, goes on past errors so one
    /// run reports everything, adds the site-wide checks over the model and planned pages, and
    /// returns every finding, errors included, in the report's `warnings`.
    pub fn check(&mut self, settings: &check::Settings) -> Result<Outcome> {
        self.run(&Discard, false, Some(settings))
    }

    fn run(
        &mut self,
        output: &dyn Output,
        show_progress: bool,
        checking: Option<&check::Settings>,
    ) -> Result<Outcome> {
        let started = Instant::now();
        let mut clock = Instant::now();
        let (found, mut diagnostics) = content::list_sources(&self.config.root)?;
        stage("discover", &mut clock);

        // Files whose modification time and length are unchanged are not read or parsed again.
        let previous = std::mem::take(&mut self.sources);
        let root = &self.config.root;
        // A check keeps the files' text, to point findings at exact lines.
        let keep_text = checking.is_some();
        let parsed: Vec<(FoundSource, ParseResult, Option<SourceFile>)> = found
            .into_par_iter()
            .map(|source| {
                let cached = previous
                    .get(&source.relative)
                    .filter(|(stamp, _)| *stamp == source.stamp && stamp.0.is_some())
                    .map(|(_, parsed)| parsed.clone());
                match cached {
                    Some(parsed) => (source, Ok(parsed), None),
                    None => match content::read_found(root, &source) {
                        Ok(file) => {
                            let parsed = Arc::new(content::parse_source(&file));
                            (source, Ok(parsed), keep_text.then_some(file))
                        }
                        Err(diagnostic) => (source, Err(diagnostic), None),
                    },
                }
            })
            .collect();
        drop(previous);
        let mut texts = Vec::new();
        for (source, parsed, text) in parsed {
            texts.extend(text);
            match parsed {
                Ok(file) => {
                    diagnostics.extend(file.diagnostics.iter().cloned());
                    self.sources.insert(source.relative, (source.stamp, file));
                }
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        }
        stage("parse", &mut clock);
        let sources = checking.map(|_| check::Sources::new(texts));
        if checking.is_none() {
            fail_on_errors(&mut diagnostics)?;
        }

        let mut sorted: Vec<&ParsedFile> = self.sources.values().map(|(_, file)| &**file).collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        let (site, assembly_diagnostics) = model::assemble(sorted, &self.config);
        if !self.is_incremental {
            // Nothing reads the parsed files again: free them (and the entries checked with
            // them) before the pages are rendered, when memory use peaks.
            self.sources.clear();
        }
        let site = Arc::new(site);
        diagnostics.extend(assembly_diagnostics);
        stage("assemble", &mut clock);
        if checking.is_none() {
            diagnostics.extend(model::assemble::single_use_topics(&site));
            fail_on_errors(&mut diagnostics)?;
        }
        // The search index needs only the model: it is built beside Markdown, templates and
        // pages, which leaves fewer moments with a core idle. Its cache is taken out and put
        // back only when the build succeeds: a cache that claims files a failed build did not
        // write would keep stale ones.
        // Only a rebuild overlaps it, though: a first build would hold the whole index in memory
        // while every page is rendered, which on a large site raises the peak by a quarter.
        let mut search_cache = if self.is_incremental {
            std::mem::take(&mut self.search)
        } else {
            IndexCache::one_off()
        };
        let search = (self.config.has_search && search_cache.is_warm()).then(|| {
            let site = Arc::clone(&site);
            let mut cache = std::mem::take(&mut search_cache);
            // On the rayon pool, not a thread of its own: a worker with nothing else to do takes
            // it up instead of spinning, and the cores are not oversubscribed.
            let (sender, receiver) = std::sync::mpsc::channel();
            rayon::spawn(move || {
                let update = crate::search::update_index(&site, &mut cache);
                let _ = sender.send((update, cache));
            });
            receiver
        });

        let options = MarkdownOptions::from_config(&self.config);
        let cache = self.is_incremental.then_some(&mut self.markdown);
        let (html, markdown_diagnostics) = match &sources {
            Some(sources) => markdown::render_site_located(&site, options, cache, &|field| {
                sources.field_line(&site, field)
            }),
            None => markdown::render_site(&site, options, cache),
        };
        diagnostics.extend(markdown_diagnostics);
        stage("markdown", &mut clock);
        if checking.is_none() {
            fail_on_errors(&mut diagnostics)?;
        }

        let site_context = site_context(&self.config, &site);
        if self.theme.is_none() {
            match load_theme(&self.config, &site_context) {
                Ok(theme) => self.theme = Some(theme),
                Err(error) => return stop(checking, diagnostics, error, &site),
            }
        }
        let theme = self.theme.as_mut().expect("loaded above");
        theme.tera.global_context().insert("site", &site_context);
        let theme = &*theme;
        let mut pages = render::plan(&site, &self.config);
        let option_warnings = match templates::theme_options(&self.config, &theme.files) {
            Ok((_, warnings)) => warnings,
            Err(error) => return stop(checking, diagnostics, error, &site),
        };
        diagnostics.extend(option_warnings);
        let lab = if theme_has_lab_pages(&theme.files) {
            let (lab, intro, lab_diagnostics) =
                load_lab(&self.config, &site, &theme.files, options);
            diagnostics.extend(lab_diagnostics);
            if checking.is_none() {
                fail_on_errors(&mut diagnostics)?;
            }
            render::plan_lab(
                &lab,
                &|name| theme.files.templates.contains_key(name),
                &mut pages,
            );
            Some((lab, intro))
        } else {
            None
        };
        diagnostics.extend(check::output_collisions(
            &self.config,
            &pages,
            &theme.files.static_files,
            &GENERATED,
        ));
        if let (Some(settings), Some(sources)) = (checking, &sources) {
            let input = check::Input {
                config: &self.config,
                site: &site,
                html: &html,
                pages: &pages,
                theme: &theme.files,
                generated: &GENERATED,
                sources,
            };
            diagnostics.extend(check::site_checks(&input, settings));
        } else {
            fail_on_errors(&mut diagnostics)?;
        }
        stage("templates and plan", &mut clock);

        // Which pages to render: all of them, or those whose inputs changed.
        let mut one_off = crate::cite::CitationCache::one_off();
        let citation_cache = if self.is_incremental {
            &mut self.citations
        } else {
            &mut one_off
        };
        let citations = crate::cite::Citations::with_cache(
            &site,
            lab.as_ref().map(|(lab, _)| lab),
            citation_cache,
        );
        let mut renderer =
            Renderer::with_citations(&site, &html, &self.config, &theme.tera, &pages, citations)
                .with_lab(
                    lab.as_ref().map(|(lab, _)| lab),
                    lab.as_ref().and_then(|(_, intro)| intro.as_deref()),
                );
        stage("citations", &mut clock);
        let fingerprints = self.is_incremental.then(|| {
            let mut site_fp =
                fingerprint::site_fingerprint(&self.config, &site_context, theme.uses_counts);
            if let Some((_, options)) = &theme.files.theme_toml {
                // The theme's option defaults reach every template through `extra`.
                let mut h = crate::fingerprint::hasher();
                (site_fp, options).hash(&mut h);
                site_fp = h.finish();
            }
            fingerprint::page_fingerprints_with_lab(
                &site,
                &self.config,
                &pages,
                site_fp,
                &theme.template_fingerprints,
                lab.as_ref()
                    .map(|(lab, intro)| (lab, fingerprint::lab_fingerprint(lab, intro.as_deref()))),
                &renderer.citations.keys,
            )
        });
        let selected: Vec<&PlannedPage> = match &fingerprints {
            Some(fps) => pages
                .iter()
                .zip(fps)
                .filter(|(page, fp)| self.pages.get(&page.output) != Some(fp))
                .map(|(page, _)| page)
                .collect(),
            None => pages.iter().collect(),
        };
        stage("fingerprints", &mut clock);
        let removed_pages: Vec<String> = {
            let planned: std::collections::HashSet<&str> =
                pages.iter().map(|p| p.output.as_str()).collect();
            self.pages
                .keys()
                .filter(|k| !planned.contains(k.as_str()))
                .cloned()
                .collect()
        };

        let statics = static_files(theme, &self.statics)?;
        let progress = progress_bar(show_progress, selected.len());
        let render_page =
            |page: &&PlannedPage, buffer: &mut Vec<u8>| -> std::result::Result<(), String> {
                renderer.render_to(page, buffer).map_err(|e| {
                    format!(
                        "rendering {} with {}: {}",
                        page.output,
                        page.kind.template(),
                        templates::template_error(&e, &theme.files)
                    )
                })
            };

        let mut written = Vec::new();
        if output.is_live() {
            // Render everything first: a template error must not leave half the pages new.
            let rendered: Vec<std::result::Result<(String, Vec<u8>), String>> = selected
                .par_iter()
                .map(|page| {
                    let mut buffer = Vec::with_capacity(1 << 14);
                    render_page(page, &mut buffer).map(|()| (page.output.clone(), buffer))
                })
                .collect();
            let rendered = collect_failures(rendered)?;
            for (name, bytes) in &statics.changed {
                output.write(name, bytes)?;
                written.push(name.clone());
            }
            rendered
                .par_iter()
                .try_for_each(|(path, bytes)| output.write(path, bytes))?;
            written.extend(rendered.into_iter().map(|(path, _)| path));
        } else {
            for (name, bytes) in &statics.changed {
                output.write(name, bytes)?;
                written.push(name.clone());
            }
            let results: Vec<std::result::Result<(), String>> = selected
                .par_iter()
                .map(|page| {
                    let result = with_buffer(|buffer| {
                        render_page(page, buffer)?;
                        output
                            .write(&page.output, buffer)
                            .map_err(|e| e.to_string())
                    });
                    if let Some(bar) = &progress {
                        bar.inc(1);
                    }
                    result
                })
                .collect();
            if checking.is_some() {
                let failures: Vec<String> = results.into_iter().filter_map(|r| r.err()).collect();
                diagnostics.extend(check::render_failures(&failures, &theme.files));
            } else {
                collect_failures(results)?;
            }
            written.extend(selected.iter().map(|p| p.output.clone()));
        }
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        // Every page is rendered: the cards shared between them are not needed any more, and
        // on a large site they weigh as much as the search index built next.
        renderer.release_cards();
        stage("pages", &mut clock);
        // Citation files and the JSON Feed come from Rust writers, not templates: each is made
        // again only when its inputs changed, and written only where its bytes changed.
        let derived_output = ChangedOnly::new(output, &self.derived);
        // The JSON Feed shows what `feed.xml` shows: unchanged when that page's fingerprint is.
        let feed_unchanged = fingerprints.as_ref().is_some_and(|fps| {
            pages.iter().zip(fps).any(|(page, fp)| {
                page.kind == render::PageKind::Feed && self.pages.get(&page.output) == Some(fp)
            })
        });
        let (mut derived_count, derived_inputs, citation_files) = crate::render::derived::write(
            &renderer,
            output,
            &derived_output,
            &self.derived_inputs,
            feed_unchanged,
        )?;
        let vanished_citations =
            crate::render::derived::vanished_citation_files(&self.derived_inputs, &derived_inputs);
        stage("citation files", &mut clock);
        if self.config.has_search {
            let mut update = match search {
                Some(search) => {
                    let (update, cache) = search.recv().map_err(|_| {
                        Error::Usage("building the search index failed unexpectedly".into())
                    })?;
                    search_cache = cache;
                    update
                }
                None => crate::search::update_index(&site, &mut search_cache),
            };
            if matches!(update, IndexUpdate::Unchanged)
                && !search_cache
                    .paths
                    .iter()
                    .all(|path| derived_output.keep(path))
            {
                search_cache = IndexCache::default();
                update = crate::search::update_index(&site, &mut search_cache);
            }
            match update {
                IndexUpdate::Unchanged => derived_count += search_cache.paths.len(),
                IndexUpdate::Files(files, same) => {
                    let mut is_same = vec![false; files.len()];
                    same.into_iter().for_each(|i| is_same[i] = true);
                    files
                        .par_iter()
                        .zip(&is_same)
                        .try_for_each(|((name, bytes), &is_same)| {
                            if is_same && derived_output.keep(name) {
                                Ok(())
                            } else {
                                derived_output.write(name, bytes)
                            }
                        })?;
                    derived_count += files.len();
                }
            }
            stage("search index", &mut clock);
        }
        let (derived_hashes, derived_written) = derived_output.finish();
        let removed_derived: Vec<String> = self
            .derived
            .keys()
            .filter(|k| !derived_hashes.contains_key(*k))
            .cloned()
            .collect();
        written.extend(derived_written);
        written.extend(citation_files);
        let mut removed = Vec::new();
        for path in removed_pages
            .iter()
            .chain(&statics.removed)
            .chain(&removed_derived)
            .chain(&vanished_citations)
        {
            output.remove(path)?;
            removed.push(path.clone());
        }
        stage("removals", &mut clock);

        if let Some(fps) = fingerprints {
            self.pages = pages
                .iter()
                .zip(fps)
                .map(|(p, fp)| (p.output.clone(), fp))
                .collect();
            self.statics = statics.hashes;
            self.derived = derived_hashes;
            self.derived_inputs = derived_inputs;
            self.search = search_cache;
        }
        stage("bookkeeping", &mut clock);
        sort_diagnostics(&mut diagnostics);
        let html_pages = pages.iter().filter(|p| p.kind.is_web_page()).count();
        let report = BuildReport {
            digests: site.digests.len(),
            papers: site.papers.len(),
            topics: site.topics.len(),
            pages: html_pages,
            files: pages.len() + statics.count + derived_count,
            warnings: diagnostics,
            duration: started.elapsed(),
        };
        // Freeing the model of a large site takes a while and nobody waits for it: a save's
        // reload goes out without it, and a one-off build exits without it.
        drop(renderer);
        drop(lab);
        std::thread::spawn(move || drop((site, html, pages)));
        Ok(Outcome {
            report,
            written,
            removed,
        })
    }
}

/// Templates whose presence makes a theme one with people and authors.
const LAB_TEMPLATES: &[&str] = &[
    "author.html",
    "people.html",
    "person.html",
    "publications.html",
];

fn theme_has_lab_pages(files: &ThemeFiles) -> bool {
    LAB_TEMPLATES
        .iter()
        .any(|name| files.templates.contains_key(*name))
}

/// Reads `content/people.toml` and `content/_index.md` (both optional) and joins the people with
/// the site's authors. A photo that is no static file is a warning.
fn load_lab(
    config: &Config,
    site: &model::Site,
    files: &ThemeFiles,
    options: MarkdownOptions,
) -> (model::people::Lab, Option<String>, Vec<Diagnostic>) {
    use model::people::{PEOPLE_FILE, People};
    let mut diagnostics = Vec::new();
    let people_path = config.root.join(PEOPLE_FILE);
    let people = match std::fs::read_to_string(&people_path) {
        Ok(text) => People::parse(&text).unwrap_or_else(|problems| {
            diagnostics.extend(problems);
            People::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => People::default(),
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Location::file(PEOPLE_FILE),
                format!("cannot read the people file: {e}"),
            ));
            People::default()
        }
    };
    for person in &people.persons {
        if let Some(photo) = person
            .photo
            .as_ref()
            .filter(|photo| !files.static_files.contains_key(*photo))
        {
            diagnostics.push(
                Diagnostic::warning(
                    Location::file(PEOPLE_FILE),
                    format!("photo `{photo}` of {} is not a static file", person.name),
                )
                .with_hint(format!("put the picture at static/{photo}")),
            );
        }
    }
    let intro_path = config.content_dir().join("_index.md");
    let intro = std::fs::read_to_string(&intro_path).ok().map(|text| {
        let rendered = markdown::render(&text, options);
        for problem in rendered.problems {
            let location = Location::file("content/_index.md");
            let diagnostic = if problem.is_error {
                Diagnostic::error(location, problem.message)
            } else {
                Diagnostic::warning(location, problem.message)
            };
            diagnostics.push(match problem.hint {
                Some(hint) => diagnostic.with_hint(hint),
                None => diagnostic,
            });
        }
        rendered.html
    });
    (model::people::Lab::new(site, people), intro, diagnostics)
}

/// Passes on only the files whose bytes differ from the last build, remembering every hash.
pub(crate) struct ChangedOnly<'a> {
    inner: &'a dyn Output,
    previous: &'a Hashes,
    seen: std::sync::Mutex<(Hashes, Vec<String>)>,
}

impl<'a> ChangedOnly<'a> {
    fn new(inner: &'a dyn Output, previous: &'a Hashes) -> Self {
        ChangedOnly {
            inner,
            previous,
            seen: std::sync::Mutex::new((Hashes::default(), Vec::new())),
        }
    }

    /// Keeps the file written at `relative` by the last build, without its bytes: true when
    /// there was one (the caller then need not make it again).
    pub(crate) fn keep(&self, relative: &str) -> bool {
        // Zero marks a file to write again (`Engine::set_config`).
        let Some(&hash) = self.previous.get(relative).filter(|&&hash| hash != 0) else {
            return false;
        };
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.0.insert(relative.to_string(), hash);
        true
    }

    /// Every path written this build with its hash, and the paths actually written out.
    fn finish(self) -> (Hashes, Vec<String>) {
        self.seen
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Output for ChangedOnly<'_> {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        let hash = hash_bytes(bytes);
        let is_new = self.previous.get(relative) != Some(&hash);
        if is_new {
            self.inner.write(relative, bytes)?;
        }
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.0.insert(relative.to_string(), hash);
        if is_new {
            seen.1.push(relative.to_string());
        }
        Ok(())
    }

    fn remove(&self, relative: &str) -> Result<()> {
        self.inner.remove(relative)
    }

    fn is_live(&self) -> bool {
        self.inner.is_live()
    }
}

fn site_context(config: &Config, site: &model::Site) -> SiteContext {
    SiteContext {
        title: config.title.clone(),
        description: config.description.clone(),
        language: config.language.clone(),
        base_url: config.base.full(),
        base_path: config.base.path.clone(),
        digest_count: site.digests.len(),
        paper_count: site.papers.len(),
        topic_count: site.topics.len(),
        feed_url: config.base.link("feed.xml"),
        topics_url: config.base.link("topics/"),
        json_feed_url: config.base.link("feed.json"),
        opml_url: config.base.link("feeds.opml"),
        bib_url: config.base.link("papers.bib"),
        search: config
            .has_search
            .then(|| crate::render::context::SearchLinks {
                url: config.base.link("search/"),
                index_url: config.base.link("search/index.json"),
                script_url: config.base.link("search/search.js"),
            }),
        generator: format!("Digestif {}", env!("CARGO_PKG_VERSION")),
    }
}

fn load_theme(config: &Config, site_context: &SiteContext) -> Result<Theme> {
    let files = templates::load_theme_files(config)?;
    let tera = templates::compile(config, &files, site_context)?;
    let syntax_css =
        markdown::highlight::stylesheet(&config.highlight_theme, &config.highlight_theme_dark)
            .map_err(|message| {
                Error::Invalid(vec![Diagnostic::error(
                    Location::file(config::CONFIG_FILE),
                    message,
                )])
            })?;
    let sources: HashMap<&str, &str> = files
        .templates
        .iter()
        .map(|(name, (_, text))| (name.as_str(), text.as_str()))
        .collect();
    let template_fingerprints = fingerprint::template_fingerprints(&sources);
    let uses_counts = fingerprint::templates_use_counts(sources.values().copied());
    Ok(Theme {
        files,
        tera,
        syntax_css,
        template_fingerprints,
        uses_counts,
    })
}

/// Files every build writes beside pages and static files.
const GENERATED: [&str; 2] = [".nojekyll", "syntax.css"];

struct Statics {
    /// Files to write: new or changed since the last build.
    changed: Vec<(String, Vec<u8>)>,
    removed: Vec<String>,
    hashes: Hashes,
    count: usize,
}

/// The theme's and site's static files plus the generated ones, compared with what was written
/// last time.
fn static_files(theme: &Theme, previous: &Hashes) -> Result<Statics> {
    let [nojekyll, syntax] = GENERATED;
    let mut all: Vec<(String, Vec<u8>)> = vec![
        (nojekyll.into(), Vec::new()),
        (syntax.into(), theme.syntax_css.as_bytes().to_vec()),
    ];
    for (name, source) in &theme.files.static_files {
        all.push((name.clone(), source.read()?));
    }
    let mut statics = Statics {
        changed: Vec::new(),
        removed: Vec::new(),
        hashes: Hashes::default(),
        count: all.len(),
    };
    for (name, bytes) in all {
        let hash = hash_bytes(&bytes);
        if previous.get(&name) != Some(&hash) {
            statics.changed.push((name.clone(), bytes));
        }
        statics.hashes.insert(name, hash);
    }
    statics.removed = previous
        .keys()
        .filter(|k| !statics.hashes.contains_key(*k))
        .cloned()
        .collect();
    Ok(statics)
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = crate::fingerprint::hasher();
    bytes.hash(&mut h);
    h.finish()
}

fn with_buffer<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    thread_local! {
        // One growing buffer per thread instead of a fresh one per page.
        static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(1 << 16));
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        f(buffer)
    })
}

fn collect_failures<T>(results: Vec<std::result::Result<T, String>>) -> Result<Vec<T>> {
    let mut ok = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(value) => ok.push(value),
            Err(message) => failures.push(message),
        }
    }
    if failures.is_empty() {
        return Ok(ok);
    }
    failures.sort();
    failures.dedup();
    let shown = failures.len().min(5);
    let mut message = failures[..shown].join("\n");
    if failures.len() > shown {
        message.push_str(&format!(
            "\n… and {} more pages failed the same way",
            failures.len() - shown
        ));
    }
    Err(Error::Template(message))
}

/// A stage failed: a build stops with the error; a check adds it to what it found and reports.
fn stop(
    checking: Option<&check::Settings>,
    mut diagnostics: Vec<Diagnostic>,
    error: Error,
    site: &model::Site,
) -> Result<Outcome> {
    if checking.is_none() {
        return Err(error);
    }
    diagnostics.extend(error.diagnostics());
    sort_diagnostics(&mut diagnostics);
    Ok(Outcome {
        report: BuildReport {
            digests: site.digests.len(),
            papers: site.papers.len(),
            topics: site.topics.len(),
            warnings: diagnostics,
            ..BuildReport::default()
        },
        ..Outcome::default()
    })
}

fn fail_on_errors(diagnostics: &mut Vec<Diagnostic>) -> Result<()> {
    if diagnostics.iter().any(Diagnostic::is_error) {
        sort_diagnostics(diagnostics);
        return Err(Error::Invalid(std::mem::take(diagnostics)));
    }
    Ok(())
}

fn stage(name: &str, started: &mut Instant) {
    if std::env::var_os("DIGESTIF_LOG").is_some_and(|v| v == "debug") {
        eprintln!(
            "debug: {name} took {:.1} ms{}",
            started.elapsed().as_secs_f64() * 1000.0,
            memory_in_use()
        );
    }
    *started = Instant::now();
}

/// `, resident N MB, peak N MB` where the kernel tells (Linux), for the stage timings.
fn memory_in_use() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let megabytes = |key: &str| {
        let line = status.lines().find(|line| line.starts_with(key))?;
        let kilobytes: u64 = line[key.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kilobytes / 1024)
    };
    match (megabytes("VmRSS:"), megabytes("VmHWM:")) {
        (Some(now), Some(peak)) => format!(", resident {now} MB, peak {peak} MB"),
        _ => String::new(),
    }
}

fn progress_bar(show: bool, total: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !show || !std::io::stderr().is_terminal() || total < 2000 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} rendering {pos}/{len} pages {wide_bar}")
    {
        bar.set_style(style);
    }
    Some(bar)
}
