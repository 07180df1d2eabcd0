//! The pipeline as a value that remembers what it can reuse between builds.
//!
//! The stages are functions of other modules (content, model, markdown, render, search, cite);
//! [`Engine::build`] calls them in order and keeps, between builds, what each one made:
//! parsed files by their text's hash, Markdown by its text, the compiled theme, and for every
//! output file the fingerprint of what it was made from. A page's fingerprint is the hash of the
//! context its template receives ([`crate::render::page_context`]) with the theme's and the
//! site's, so only pages whose context changed are rendered and written. `build` runs it once
//! with nothing remembered; `serve` keeps one engine and calls it after every change. Both run
//! the same code, so an incremental rebuild produces the same files as a fresh build.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use rayon::prelude::*;

use crate::check;
use crate::config::{self, Config};
use crate::content::{self, FoundSource, ParsedFile, SiteTexts, SourceFile};
use crate::error::{Diagnostic, Error, Location, Result, sort_diagnostics};
use crate::fingerprint::hash_of;
use crate::images::{self, ImageCache, Images};
use crate::markdown::{self, MarkdownCache, MarkdownOptions, SiteHtml};
use crate::model;
use crate::render::context::SiteContext;
use crate::render::page_context::Hashed;
use crate::render::reads::{self, EntityHashes, Model, Read};
use crate::render::templates::{self, ThemeFiles};
use crate::render::{self, PlannedPage, Renderer};
use crate::report::BuildReport;
use crate::search::{IndexCache, IndexUpdate};
use crate::site_size::{self, Ledger, Tally};
use crate::write::{ChangedOnly, Hashes};
pub use crate::write::{Discard, Output};

type ParseResult = std::result::Result<(Source, Arc<ParsedFile>), Box<Diagnostic>>;

/// What a parsed file was parsed from: a hash of its text, the key of the parse cache, and its
/// stamp when it was read (no later than `read_at`, in seconds since the epoch), which spares
/// reading it again while it stays the same and was settled when read.
#[derive(Clone, Copy)]
struct Source {
    text_hash: u64,
    stamp: Option<content::Stamp>,
    read_at: i64,
}
type Lab = (model::people::Lab, Option<String>);

/// A compiled theme and the fingerprint of everything in it that pages can read.
struct Theme {
    files: ThemeFiles,
    tera: tera::Tera,
    syntax: markdown::highlight::SyntaxStyles,
    /// Every template's source, the `extra` values and the base path behind `url()`.
    fingerprint: u64,
}

/// What one build did, beyond the report: the output paths it wrote or removed.
#[derive(Debug, Default)]
pub struct Outcome {
    pub report: BuildReport,
    pub written: Vec<String>,
    pub removed: Vec<String>,
    /// How many images were resized (a source made into one shape), not taken from the cache.
    pub images_made: usize,
}

pub struct Engine {
    config: Config,
    /// Remember fingerprints and caches between builds (serve); a one-off build does not.
    is_incremental: bool,
    /// Parsed digest files by path, with what they were parsed from.
    sources: HashMap<PathBuf, (Source, Arc<ParsedFile>)>,
    markdown: MarkdownCache,
    theme: Option<Theme>,
    /// Output path → the fingerprint of the context the page there was rendered from, and what
    /// that context read of the model.
    pages: PageMemos,
    /// A hash of every entity of the model at the last build, to tell what a save changed.
    entities: EntityHashes,
    /// The theme's and the site-wide template values' fingerprint at the last build; `None`
    /// after a new configuration.
    globals: Option<u64>,
    /// Output path → hash of the static file written there last time.
    statics: Hashes,
    /// Output path → hash of the derived file (citations, JSON Feed) written there last time.
    derived: Hashes,
    /// What the citation files were made from last time, and the BibTeX and plain abstracts of
    /// every paper: a save remakes only those of the papers it changed.
    derived_inputs: render::derived::DerivedInputs,
    /// The citation files each paper's folder got at the last build (`[outputs] citation_files`).
    citation_names: &'static [&'static str],
    citations: crate::cite::CitationCache,
    search: crate::search::IndexCache,
    /// Each paper's terms, for related papers.
    related: crate::related::RelatedCache,
    /// A ranking still running, or left behind by a build that failed before it waited for it:
    /// the next build takes its cache back.
    related_job: Option<RelatedJob>,
    /// Card-sized images by their source's bytes and shape.
    images: ImageCache,
    /// The site's size as written so far; shared with the [`Tally`] each build writes through.
    sizes: Arc<Mutex<Ledger>>,
    /// A one-off build renders its pages in batches of this many ([`PAGES_PER_BATCH`]).
    pages_per_batch: usize,
}

/// One run through the stages: what it found so far and how it treats errors.
struct Pass<'a> {
    /// Set for `digestif check`: go on past errors and report them all.
    checking: Option<&'a check::Settings>,
    diagnostics: Vec<Diagnostic>,
    started: Instant,
    clock: Instant,
}

impl<'a> Pass<'a> {
    fn new(checking: Option<&'a check::Settings>) -> Self {
        let now = Instant::now();
        Pass {
            checking,
            diagnostics: Vec::new(),
            started: now,
            clock: now,
        }
    }

    /// The end of a stage: log its time, and stop a build (not a check) on errors.
    fn stage(&mut self, name: &str) -> Result<()> {
        stage(name, &mut self.clock);
        self.gate()
    }

    fn gate(&mut self) -> Result<()> {
        if self.checking.is_none() {
            fail_on_errors(&mut self.diagnostics)?;
        }
        Ok(())
    }
}

/// What the render stage produced.
struct Rendered {
    written: Vec<String>,
    /// What the next build compares with, when the engine remembers it.
    memory: Option<(PageMemos, EntityHashes, u64)>,
}

impl Engine {
    pub fn new(config: Config, is_incremental: bool) -> Self {
        Engine {
            config,
            is_incremental,
            sources: HashMap::new(),
            markdown: MarkdownCache::default(),
            theme: None,
            pages: PageMemos::default(),
            entities: EntityHashes::default(),
            globals: None,
            statics: Hashes::default(),
            derived: Hashes::default(),
            derived_inputs: Default::default(),
            citation_names: &[],
            citations: Default::default(),
            related: Default::default(),
            related_job: None,
            search: Default::default(),
            images: Default::default(),
            sizes: Arc::new(Mutex::new(if is_incremental {
                Ledger::remembering()
            } else {
                Ledger::default()
            })),
            pages_per_batch: PAGES_PER_BATCH,
        }
    }

    /// Renders a one-off build's pages in batches of `pages` (at least 1) rather than
    /// [`PAGES_PER_BATCH`]: for tests that a batched build writes what a single batch does.
    pub fn with_pages_per_batch(mut self, pages: usize) -> Self {
        self.pages_per_batch = pages.max(1);
        self
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
        self.pages
            .values_mut()
            .for_each(|memo| memo.fingerprint = 0);
        self.globals = None;
        self.statics.values_mut().for_each(|fp| *fp = 0);
        self.derived.values_mut().for_each(|fp| *fp = 0);
        // Zero never matches: every file is made again, and the folders stay known, so that
        // citation files this configuration no longer writes are removed.
        self.derived_inputs
            .values_mut()
            .for_each(|inputs| *inputs = 0);
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

    /// The stages in order; each helper below is one of them.
    fn run(
        &mut self,
        output: &dyn Output,
        show_progress: bool,
        checking: Option<&check::Settings>,
    ) -> Result<Outcome> {
        let mut pass = Pass::new(checking);
        self.start_ledger(output);
        let tally = Tally::new(output, Arc::clone(&self.sizes));
        let output: &dyn Output = &tally;
        let (texts, sources) = self.parse(&mut pass)?;
        let site = Arc::new(self.assemble(&mut pass)?);
        let (mut search_cache, search) = self.start_search(&site);
        self.start_related(&site);
        let html = self.markdown(&site, sources.as_ref(), &mut pass)?;
        let site_context = site_context(&self.config, &site);
        if let Err(error) = self.load_theme(&site_context) {
            return stop(pass, error, &site);
        }
        let (pages, lab) = match self.plan(&site, texts, &mut pass) {
            Ok(planned) => planned,
            Err(error) => return stop(pass, error, &site),
        };
        self.check_site(&site, &html, &pages, sources.as_ref(), &mut pass)?;
        let citations = self.citations(&site, lab.as_ref());
        pass.stage("citations")?;
        let images = self.images(&site, lab.as_ref(), &mut pass);
        let related = self.finish_related();
        let mut renderer = self.renderer(&site, &html, &pages, lab.as_ref(), &citations, &images);
        renderer.model = renderer.model.with_related(related.as_deref());
        let syntax_css = syntax_css(self.theme(), &html, lab.as_ref())?;
        let statics = static_files(self.theme(), &syntax_css, &self.statics, &images)?;
        let mut rendered = self.render(
            &mut renderer,
            &site_context,
            &statics,
            output,
            show_progress,
            &mut pass,
        )?;
        // Every page is rendered: the cards shared between them are not needed any more, and
        // on a large site they weigh as much as the search index built next.
        renderer.release_cards();
        pass.stage("pages")?;
        let derived_output = ChangedOnly::new(output, &self.derived);
        let citation_files =
            self.write_derived(&renderer, &rendered, output, &derived_output, &mut pass)?;
        // The search index reads the model only: what only pages and citation files needed is
        // freed first (in the background, as below), so that it is not held beside the index.
        drop(renderer);
        std::thread::spawn(move || drop((citations, html)));
        if self.config.has_search {
            write_search(&site, &derived_output, &mut search_cache, search)?;
            stage("search index", &mut pass.clock);
        }
        let derived = self.finish_derived(derived_output, citation_files);
        let removed = self.remove_vanished(&pages, &statics, &derived, output)?;
        stage("removals", &mut pass.clock);
        let images_made = images.made;
        drop(images);
        let (size, budget_note) = self.size_against_budgets(&mut pass.diagnostics);
        let report = BuildReport {
            digests: site.digests.len(),
            papers: site.papers.len(),
            topics: site.topics.len(),
            pages: pages.iter().filter(|p| p.kind.is_web_page()).count(),
            size,
            budget_note,
            warnings: sorted(std::mem::take(&mut pass.diagnostics)),
            duration: pass.started.elapsed(),
        };
        rendered.written.extend(derived.written);
        if let Some((pages, entities, globals)) = rendered.memory.take() {
            self.pages = pages;
            self.entities = entities;
            self.globals = Some(globals);
            self.statics = statics.hashes;
            self.derived = derived.hashes;
            self.derived_inputs = derived.inputs;
            self.citation_names = self.config.citation_files.names();
            self.search = search_cache;
        }
        // Freeing the model of a large site takes a while and nobody waits for it: a save's
        // reload goes out without it, and a one-off build exits without it.
        drop(lab);
        std::thread::spawn(move || drop((site, pages)));
        Ok(Outcome {
            report,
            written: rendered.written,
            removed,
            images_made,
        })
    }

    /// What the page at `output` read of the model when it was last rendered: empty unless the
    /// engine is incremental. For tests of what a save invalidates.
    pub fn page_reads(&self, output: &str) -> Option<&[render::reads::Read]> {
        self.pages.get(output).map(|memo| &memo.reads[..])
    }

    /// Every page's output path with the context its template receives, as JSON, after the
    /// site-wide `site` values: what a theme can read. The context snapshots are made from it.
    pub fn contexts(&mut self) -> Result<Vec<(String, serde_json::Value)>> {
        let mut pass = Pass::new(None);
        let (texts, _) = self.parse(&mut pass)?;
        let site = Arc::new(self.assemble(&mut pass)?);
        self.start_related(&site);
        let html = self.markdown(&site, None, &mut pass)?;
        let related = self.finish_related();
        let site_context = site_context(&self.config, &site);
        self.load_theme(&site_context)?;
        let (pages, lab) = self.plan(&site, texts, &mut pass)?;
        let citations = self.citations(&site, lab.as_ref());
        let images = self.images(&site, lab.as_ref(), &mut pass);
        let mut renderer = self.renderer(&site, &html, &pages, lab.as_ref(), &citations, &images);
        renderer.model = renderer.model.with_related(related.as_deref());
        let failed = |e: &dyn std::fmt::Display| Error::Template(e.to_string());
        let site_json = serde_json::to_value(&site_context).map_err(|e| failed(&e))?;
        let mut contexts = vec![("site".to_string(), site_json)];
        for page in &pages {
            let context = renderer.context(page).map_err(|e| failed(&e))?;
            let json = serde_json::to_value(context.finish().value()).map_err(|e| failed(&e))?;
            contexts.push((page.output.clone(), json));
        }
        Ok(contexts)
    }

    fn theme(&self) -> &Theme {
        self.theme
            .as_ref()
            .expect("the theme is loaded before pages are planned")
    }

    /// Discover and parse. The cache's key is the file's text: a file whose text is the same as
    /// last time is not parsed again, whatever its modification time says (a tool that restores
    /// it, `cp -p` or `rsync -t`, must not leave a stale page). A file whose stamp (times, length,
    /// inode) is the one it had when last read, and settled well before that, is not even read.
    /// A check keeps the files' text, to point findings at exact lines.
    fn parse(&mut self, pass: &mut Pass) -> Result<(SiteTexts, Option<check::Sources>)> {
        let boundary = self.config.boundary();
        let (found, diagnostics) = content::list_sources(&self.config.root, &boundary)?;
        pass.diagnostics.extend(diagnostics);
        let (site_texts, diagnostics) = content::read_site_texts(&self.config.root, &boundary);
        pass.diagnostics.extend(diagnostics);
        stage("discover", &mut pass.clock);
        let previous = std::mem::take(&mut self.sources);
        let root = &self.config.root;
        let keep_text = pass.checking.is_some();
        // A one-off build keeps no parsed files for a next one: it needs no key for them.
        let is_remembered = self.is_incremental;
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs() as i64);
        let parsed: Vec<(FoundSource, ParseResult, Option<SourceFile>)> = found
            .into_par_iter()
            .map(|source| {
                let known = previous.get(&source.relative);
                if !keep_text
                    && let Some((known, parsed)) = known
                    && let Some(stamp) = source.stamp
                    && known.stamp == Some(stamp)
                    && stamp.is_settled_before(known.read_at)
                {
                    return (source, Ok((*known, Arc::clone(parsed))), None);
                }
                match content::read_found(root, &source) {
                    Ok(file) => {
                        let text_hash = if is_remembered {
                            hash_of(&file.text)
                        } else {
                            0
                        };
                        let parsed = known
                            .filter(|(known, _)| known.text_hash == text_hash)
                            .map_or_else(
                                || Arc::new(content::parse_source(&file)),
                                |(_, parsed)| Arc::clone(parsed),
                            );
                        let read = Source {
                            text_hash,
                            stamp: source.stamp,
                            read_at: now,
                        };
                        (source, Ok((read, parsed)), keep_text.then_some(file))
                    }
                    Err(diagnostic) => (source, Err(diagnostic), None),
                }
            })
            .collect();
        drop(previous);
        let mut texts = Vec::new();
        for (source, parsed, text) in parsed {
            texts.extend(text);
            match parsed {
                Ok((read, file)) => {
                    pass.diagnostics.extend(file.diagnostics.iter().cloned());
                    self.sources.insert(source.relative, (read, file));
                }
                Err(diagnostic) => pass.diagnostics.push(*diagnostic),
            }
        }
        pass.stage("parse")?;
        Ok((site_texts, keep_text.then(|| check::Sources::new(texts))))
    }

    fn assemble(&mut self, pass: &mut Pass) -> Result<model::Site> {
        let mut sorted: Vec<&ParsedFile> = self.sources.values().map(|(_, file)| &**file).collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        let (site, diagnostics) = model::assemble(sorted, &self.config);
        if !self.is_incremental {
            // Nothing reads the parsed files again: free them (and the entries checked with
            // them) before the pages are rendered, when memory use peaks.
            self.sources.clear();
        }
        // Topics used by one paper are named by `check` only: on a young site most are, and a
        // first build should not greet its author with a warning about them.
        pass.diagnostics.extend(diagnostics);
        pass.stage("assemble")?;
        Ok(site)
    }

    /// The search index needs only the model: a rebuild makes it beside Markdown, templates and
    /// pages, which leaves fewer moments with a core idle. Its cache is taken out and put back
    /// only when the build succeeds: a cache that claims files a failed build did not write
    /// would keep stale ones. A first build makes it after the pages instead: holding the whole
    /// index while every page is rendered raises the peak by a quarter on a large site.
    fn start_search(&mut self, site: &Arc<model::Site>) -> (IndexCache, Option<SearchJob>) {
        let mut search_cache = if self.is_incremental {
            std::mem::take(&mut self.search)
        } else {
            IndexCache::one_off()
        };
        let job = (self.config.has_search && search_cache.is_warm()).then(|| {
            let site = Arc::clone(site);
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
        (search_cache, job)
    }

    fn markdown(
        &mut self,
        site: &model::Site,
        sources: Option<&check::Sources>,
        pass: &mut Pass,
    ) -> Result<SiteHtml> {
        let options = MarkdownOptions::from_config(&self.config);
        let cache = self.is_incremental.then_some(&mut self.markdown);
        let (html, diagnostics) = match sources {
            Some(sources) => markdown::render_site_located(site, options, cache, &|field| {
                sources.field_line(site, field)
            }),
            None => markdown::render_site(site, options, cache),
        };
        pass.diagnostics.extend(diagnostics);
        pass.stage("markdown")?;
        Ok(html)
    }

    /// Starts ranking each paper's related papers when `[related]` is on, on the rayon pool:
    /// it runs beside Markdown and every stage up to rendering, filling the cores those leave
    /// idle (ranking has sequential steps too: numbering terms, filling lists).
    fn start_related(&mut self, site: &Arc<model::Site>) {
        if let Some((_, cache)) = self.related_job.take().and_then(|job| job.recv().ok()) {
            self.related = cache;
        }
        let Some(count) = self.config.related_count else {
            return;
        };
        let site = Arc::clone(site);
        let mut cache = std::mem::take(&mut self.related);
        let is_incremental = self.is_incremental;
        let (sender, receiver) = std::sync::mpsc::channel();
        rayon::spawn(move || {
            let mut clock = Instant::now();
            let related =
                crate::related::related(&site, count, is_incremental.then_some(&mut cache));
            stage("related papers (in the background)", &mut clock);
            let _ = sender.send((related, cache));
        });
        self.related_job = Some(receiver);
    }

    /// Waits for the ranking [`Engine::start_related`] started, and keeps its cache.
    fn finish_related(&mut self) -> Option<Arc<crate::related::Related>> {
        let (related, cache) = self.related_job.take()?.recv().ok()?;
        self.related = cache;
        Some(related)
    }

    /// Compiles the theme unless it is compiled already, and gives templates the site's values.
    fn load_theme(&mut self, site_context: &SiteContext) -> Result<()> {
        if self.theme.is_none() {
            self.theme = Some(load_theme(&self.config, site_context)?);
        }
        let theme = self.theme.as_mut().expect("loaded above");
        theme.tera.global_context().insert("site", site_context);
        Ok(())
    }

    /// Every page of the site, and people and authors when the theme shows them.
    fn plan(
        &self,
        site: &model::Site,
        texts: SiteTexts,
        pass: &mut Pass,
    ) -> Result<(Vec<PlannedPage>, Option<Lab>)> {
        let theme = self.theme();
        let mut pages = render::plan(site, &self.config);
        let (_, option_warnings) = templates::theme_options(&self.config, &theme.files)?;
        pass.diagnostics.extend(option_warnings);
        let lab = if theme_has_lab_pages(&theme.files) {
            let options = MarkdownOptions::from_config(&self.config);
            let (lab, intro, diagnostics) = join_lab(site, texts, options);
            pass.diagnostics.extend(diagnostics);
            pass.gate()?;
            render::plan_lab(
                &lab,
                &|name| theme.files.templates.contains_key(name),
                &mut pages,
            );
            Some((lab, intro))
        } else {
            None
        };
        Ok((pages, lab))
    }

    /// Output collisions, and for a check the site-wide checks over the model and planned pages.
    fn check_site(
        &self,
        site: &model::Site,
        html: &SiteHtml,
        pages: &[PlannedPage],
        sources: Option<&check::Sources>,
        pass: &mut Pass,
    ) -> Result<()> {
        let theme = self.theme();
        pass.diagnostics.extend(check::output_collisions(
            &self.config,
            pages,
            &theme.files.static_files,
            &GENERATED,
        ));
        if let (Some(settings), Some(sources)) = (pass.checking, sources) {
            let input = check::Input {
                config: &self.config,
                site,
                html,
                pages,
                theme: &theme.files,
                generated: &GENERATED,
                sources,
            };
            pass.diagnostics
                .extend(check::site_checks(&input, settings));
        }
        pass.stage("templates and plan")
    }

    /// BibTeX keys and entries, remade only for papers whose citation inputs changed.
    fn citations(&mut self, site: &model::Site, lab: Option<&Lab>) -> crate::cite::Citations {
        let mut one_off = crate::cite::CitationCache::one_off();
        let cache = if self.is_incremental {
            &mut self.citations
        } else {
            &mut one_off
        };
        crate::cite::Citations::with_cache(site, lab.map(|(lab, _)| lab), cache)
    }

    /// Card-sized versions of every image the pages show, made again only for sources whose
    /// bytes changed.
    fn images(&mut self, site: &model::Site, lab: Option<&Lab>, pass: &mut Pass) -> Images {
        let requests = images::requests(site, lab.map(|(lab, _)| &lab.people));
        let statics = &self
            .theme
            .as_ref()
            .expect("the theme is loaded before images are made")
            .files
            .static_files;
        let (images, diagnostics) =
            images::make(&requests, statics, &mut self.images, self.is_incremental);
        pass.diagnostics.extend(diagnostics);
        stage("images", &mut pass.clock);
        images
    }

    fn renderer<'a>(
        &'a self,
        site: &'a model::Site,
        html: &'a SiteHtml,
        pages: &'a [PlannedPage],
        lab: Option<&'a Lab>,
        citations: &'a crate::cite::Citations,
        images: &'a Images,
    ) -> Renderer<'a> {
        let model = Model::new(site, html, citations, pages)
            .with_lab(
                lab.map(|(lab, _)| lab),
                lab.and_then(|(_, intro)| intro.as_deref()),
            )
            .with_images(images);
        Renderer::new(model, &self.config, &self.theme().tera)
    }

    /// Renders every page whose context changed (every page, when nothing is remembered) and
    /// writes it with the changed static files. On a live output every page is rendered before
    /// any is written: a template error must not leave half the pages new.
    fn render(
        &self,
        renderer: &mut Renderer,
        site_context: &SiteContext,
        statics: &Statics,
        output: &dyn Output,
        show_progress: bool,
        pass: &mut Pass,
    ) -> Result<Rendered> {
        let theme = self.theme();
        let pages = renderer.model.untracked_pages();
        let memory = match self.is_incremental {
            true => {
                let site_values =
                    Hashed::of(site_context).map_err(|e| Error::Template(e.to_string()))?;
                let globals = hash_of((theme.fingerprint, site_values.hash()));
                Some(Memory {
                    previous: &self.pages,
                    previous_entities: &self.entities,
                    entities: EntityHashes::new(&renderer.model),
                    is_same_globals: self.globals == Some(globals),
                    globals,
                })
            }
            false => None,
        };
        stage("entities", &mut pass.clock);
        let mut written = Vec::new();
        let done = if output.is_live() {
            let job = PageJob {
                renderer,
                theme,
                memory: memory.as_ref(),
            };
            let rendered = collect_failures(job.render_all(pages))?;
            written.extend(statics.write(output)?);
            pages
                .par_iter()
                .zip(&rendered)
                .try_for_each(|(page, (_, bytes))| match bytes {
                    Some(bytes) => output.write(&page.output, bytes),
                    None => Ok(()),
                })?;
            rendered.into_iter().map(|(done, _)| done).collect()
        } else {
            written.extend(statics.write(output)?);
            let results = render_and_write_in_batches(
                renderer,
                self.pages_per_batch,
                theme,
                memory.as_ref(),
                output,
                show_progress,
            );
            if pass.checking.is_some() {
                let (done, failures) = split_failures(results);
                pass.diagnostics
                    .extend(check::render_failures(&failures, &theme.files));
                done
            } else {
                collect_failures(results)?
            }
        };
        written.extend(
            pages
                .iter()
                .zip(&done)
                .filter(|(_, done)| done.is_written)
                .map(|(page, _)| page.output.clone()),
        );
        let memory = memory.map(|memory| {
            let memos = pages
                .iter()
                .zip(done)
                .filter_map(|(page, done)| Some((page.output.clone(), done.memo?)))
                .collect();
            (memos, memory.entities, memory.globals)
        });
        Ok(Rendered { written, memory })
    }

    /// Readies the ledger of the site's size for a run that writes to `output`.
    fn start_ledger(&self, output: &dyn Output) {
        let mut ledger = lock(&self.sizes);
        if !self.is_incremental {
            // A one-off engine run twice (tests) starts from an empty output each time.
            *ledger = Ledger::default();
        }
        ledger.max_file_size = self.config.budgets.max_file_size;
        if let Some((path, bytes)) = output.own_file() {
            ledger.wrote(path, bytes);
        }
    }

    /// The site's size, with a warning for each `[deploy]` budget it is over (added to
    /// `diagnostics`) and the summary's note when it is near one.
    fn size_against_budgets(
        &self,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (site_size::SiteSize, Option<String>) {
        let ledger = lock(&self.sizes);
        let (warnings, note) =
            site_size::against_budgets(&ledger.size, &ledger.oversized(), &self.config.budgets);
        diagnostics.extend(warnings);
        (ledger.size.clone(), note)
    }

    /// Citation files and the JSON Feed: made again only when their inputs changed, and written
    /// only where their bytes changed.
    fn write_derived(
        &self,
        renderer: &Renderer,
        rendered: &Rendered,
        output: &dyn Output,
        derived_output: &ChangedOnly,
        pass: &mut Pass,
    ) -> Result<CitationFiles> {
        // The JSON Feed shows what `feed.xml` shows: unchanged when that page's fingerprint is.
        let feed_unchanged = rendered.memory.as_ref().is_some_and(|(memos, _, _)| {
            let fingerprint = |memos: &PageMemos| memos.get("feed.xml").map(|m| m.fingerprint);
            fingerprint(&self.pages).is_some() && fingerprint(&self.pages) == fingerprint(memos)
        });
        let (inputs, written) = render::derived::write(
            renderer,
            output,
            derived_output,
            &self.derived_inputs,
            feed_unchanged,
        )?;
        let removed = render::derived::vanished_citation_files(
            &self.derived_inputs,
            self.citation_names,
            &inputs,
            self.config.citation_files.names(),
        );
        stage("citation files", &mut pass.clock);
        Ok(CitationFiles {
            inputs,
            written,
            removed,
        })
    }

    /// What the derived files of this build are, once the last of them is written.
    fn finish_derived(
        &self,
        derived_output: ChangedOnly,
        citation_files: CitationFiles,
    ) -> Derived {
        let CitationFiles {
            inputs,
            written: citation_written,
            mut removed,
        } = citation_files;
        let (hashes, mut written) = derived_output.finish();
        removed.extend(
            self.derived
                .keys()
                .filter(|k| !hashes.contains_key(*k))
                .cloned(),
        );
        written.extend(citation_written);
        Derived {
            written,
            removed,
            hashes,
            inputs,
        }
    }

    /// Removes what the last build wrote and this one did not.
    fn remove_vanished(
        &self,
        pages: &[PlannedPage],
        statics: &Statics,
        derived: &Derived,
        output: &dyn Output,
    ) -> Result<Vec<String>> {
        let planned: std::collections::HashSet<&str> =
            pages.iter().map(|p| p.output.as_str()).collect();
        let vanished_pages = self.pages.keys().filter(|k| !planned.contains(k.as_str()));
        let mut removed = Vec::new();
        for path in vanished_pages
            .chain(&statics.removed)
            .chain(&derived.removed)
        {
            output.remove(path)?;
            removed.push(path.clone());
        }
        Ok(removed)
    }
}

/// Output path → what the page there was made from.
type PageMemos = HashMap<String, PageMemo, ahash::RandomState>;

/// A page's fingerprint (the hash of its context with the theme's and site-wide values) and
/// what its context read of the model.
#[derive(Debug, Clone)]
struct PageMemo {
    fingerprint: u64,
    reads: Arc<[Read]>,
}

/// What the last build made each page from, and this build's entities, for a rebuild.
struct Memory<'a> {
    previous: &'a PageMemos,
    previous_entities: &'a EntityHashes,
    entities: EntityHashes,
    /// The theme's and the site-wide template values' fingerprint.
    globals: u64,
    is_same_globals: bool,
}

/// Renders pages, skipping those whose context is the one remembered for their path.
struct PageJob<'a> {
    renderer: &'a Renderer<'a>,
    theme: &'a Theme,
    memory: Option<&'a Memory<'a>>,
}

/// What became of one page: what it was made from (when the engine remembers it), and whether
/// it was rendered to be written.
struct PageDone {
    memo: Option<PageMemo>,
    is_written: bool,
}

type PageResult<T> = std::result::Result<T, String>;

impl PageJob<'_> {
    /// Renders the page into `buffer`, unless what it is made from is unchanged: first, whether
    /// anything its last context read changed; then, whether its new context hashes the same.
    fn render(&self, page: &PlannedPage, buffer: &mut Vec<u8>) -> PageResult<PageDone> {
        let failed = |e: tera::Error| {
            format!(
                "rendering {} with {}: {}",
                page.output,
                page.kind.template(),
                templates::template_error(&e, &self.theme.files)
            )
        };
        let Some(memory) = self.memory else {
            self.renderer.render_to(page, buffer).map_err(failed)?;
            return Ok(PageDone {
                memo: None,
                is_written: true,
            });
        };
        let previous = memory.previous.get(&page.output);
        if let Some(previous) = previous.filter(|previous| {
            memory.is_same_globals
                && memory
                    .entities
                    .unchanged_since(memory.previous_entities, &previous.reads)
        }) {
            return Ok(PageDone {
                memo: Some(previous.clone()),
                is_written: false,
            });
        }
        let (context, reads) = reads::recording(|| self.renderer.context(page));
        let context = context.map_err(failed)?;
        let memo = PageMemo {
            fingerprint: hash_of((memory.globals, &page.output, context.hash())),
            reads: reads.into(),
        };
        let is_written = previous.is_none_or(|previous| previous.fingerprint != memo.fingerprint);
        if is_written {
            self.renderer
                .render_context(page, context, buffer)
                .map_err(failed)?;
        }
        Ok(PageDone {
            memo: Some(memo),
            is_written,
        })
    }

    /// Every page's fingerprint and, for those to write, its bytes.
    fn render_all(&self, pages: &[PlannedPage]) -> Vec<PageResult<(PageDone, Option<Vec<u8>>)>> {
        pages
            .par_iter()
            .map(|page| {
                let mut buffer = Vec::with_capacity(1 << 14);
                let done = self.render(page, &mut buffer)?;
                let bytes = done.is_written.then_some(buffer);
                Ok((done, bytes))
            })
            .collect()
    }

    /// Renders `page` and writes it if its bytes are new, in this thread's buffer.
    fn render_and_write(&self, page: &PlannedPage, output: &dyn Output) -> PageResult<PageDone> {
        with_buffer(|buffer| {
            let done = self.render(page, buffer)?;
            if done.is_written {
                output
                    .write(&page.output, buffer)
                    .map_err(|e| e.to_string())?;
            }
            Ok(done)
        })
    }
}

/// Pages rendered between two releases of the shared paper cards. A card is about 6 KB, and a
/// large site's cards all at once weighed more than the rest of the pages' work (about 900 MB at
/// 140,000 papers, with the related entries). A site of up to this many pages renders in
/// one batch, as before.
pub const PAGES_PER_BATCH: usize = 8_192;

/// Renders and writes every page, in parallel, one buffer per thread: in batches in
/// [`render::render_order`], freeing the paper cards after each batch, so that the cards
/// alive at once are those of one stretch of time. Results come in plan order.
fn render_and_write_in_batches(
    renderer: &mut Renderer,
    pages_per_batch: usize,
    theme: &Theme,
    memory: Option<&Memory>,
    output: &dyn Output,
    show_progress: bool,
) -> Vec<PageResult<PageDone>> {
    let pages = renderer.model.untracked_pages();
    let (site, _) = renderer.model.untracked();
    let order = render::render_order(pages, site, renderer.config.papers_per_page);
    let progress = progress_bar(show_progress, pages.len());
    let mut results: Vec<Option<PageResult<PageDone>>> = (0..pages.len()).map(|_| None).collect();
    for batch in order.chunks(pages_per_batch) {
        let job = PageJob {
            renderer,
            theme,
            memory,
        };
        let done: Vec<PageResult<PageDone>> = batch
            .par_iter()
            .map(|&index| {
                let result = job.render_and_write(&pages[index], output);
                if let Some(bar) = &progress {
                    bar.inc(1);
                }
                result
            })
            .collect();
        for (&index, result) in batch.iter().zip(done) {
            results[index] = Some(result);
        }
        if batch.len() == pages_per_batch {
            renderer.release_paper_cards();
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    results
        .into_iter()
        .map(|result| result.unwrap_or_else(|| Err("a page was left out of rendering".into())))
        .collect()
}

/// The pages that rendered (a failed one counts as unwritten), and the failures.
fn split_failures(results: Vec<PageResult<PageDone>>) -> (Vec<PageDone>, Vec<String>) {
    let mut done = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(page) => done.push(page),
            Err(failure) => {
                done.push(PageDone {
                    memo: None,
                    is_written: false,
                });
                failures.push(failure);
            }
        }
    }
    (done, failures)
}

type SearchJob = std::sync::mpsc::Receiver<(IndexUpdate, IndexCache)>;
/// The ranking [`Engine::start_related`] started: its result, and the cache to keep.
type RelatedJob =
    std::sync::mpsc::Receiver<(Arc<crate::related::Related>, crate::related::RelatedCache)>;

/// What the derived stage wrote and what the next build compares with.
/// The per-paper citation files of a build: what they were made from, and which were written
/// and removed.
struct CitationFiles {
    inputs: render::derived::DerivedInputs,
    written: Vec<String>,
    removed: Vec<String>,
}

struct Derived {
    written: Vec<String>,
    /// Derived files of the last build that this one does not make.
    removed: Vec<String>,
    hashes: Hashes,
    inputs: render::derived::DerivedInputs,
}

/// Writes the search index files whose bytes changed.
fn write_search(
    site: &model::Site,
    derived_output: &ChangedOnly,
    search_cache: &mut IndexCache,
    search: Option<SearchJob>,
) -> Result<()> {
    let mut update = match search {
        Some(search) => {
            let (update, cache) = search.recv().map_err(|_| {
                Error::Usage("building the search index failed unexpectedly".into())
            })?;
            *search_cache = cache;
            update
        }
        None => crate::search::update_index(site, search_cache),
    };
    // Files the index did not make again are left to the output; if it no longer has one, the
    // whole index is made anew.
    let is_kept = match &update {
        IndexUpdate::Unchanged => search_cache
            .paths
            .iter()
            .all(|path| derived_output.keep(path)),
        IndexUpdate::Files(files, same) => same.iter().all(|&i| derived_output.keep(&files[i].0)),
    };
    if !is_kept {
        *search_cache = IndexCache::default();
        update = crate::search::update_index(site, search_cache);
    }
    match update {
        IndexUpdate::Unchanged => Ok(()),
        IndexUpdate::Files(files, same) => {
            let mut is_same = vec![false; files.len()];
            same.into_iter().for_each(|i| is_same[i] = true);
            files
                .par_iter()
                .zip(&is_same)
                .try_for_each(|((name, bytes), &is_same)| match is_same {
                    true => Ok(()),
                    false => derived_output.write(name, bytes),
                })
        }
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

/// Joins the people file with the site's authors, and renders the home page introduction.
/// (Photos are checked with the other images, see `crate::images`.)
fn join_lab(
    site: &model::Site,
    texts: SiteTexts,
    options: MarkdownOptions,
) -> (model::people::Lab, Option<String>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let intro = texts.home_intro.map(|text| {
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
    (
        model::people::Lab::new(site, texts.people),
        intro,
        diagnostics,
    )
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
        bib_url: config
            .has_site_bibtex
            .then(|| config.base.link("papers.bib")),
        search: config
            .has_search
            .then(|| crate::render::context::SearchLinks {
                url: config.base.link("search/"),
                index_url: config.base.link("search/index.json"),
                script_url: config.base.link("search/search.js"),
                box_script_url: config.base.link("search/box.js"),
            }),
        generator: format!("Digestif {}", env!("CARGO_PKG_VERSION")),
    }
}

fn load_theme(config: &Config, site_context: &SiteContext) -> Result<Theme> {
    let files = templates::load_theme_files(config)?;
    let tera = templates::compile(config, &files, site_context)?;
    let syntax = markdown::highlight::SyntaxStyles::load(
        &config.highlight_theme,
        &config.highlight_theme_dark,
    )
    .map_err(config_error)?;
    let (extra, _) = templates::theme_options(config, &files)?;
    // Everything a template reads besides its context. A page reads its partials and base too,
    // so any template's change re-renders every page whose output it changes.
    let fingerprint = hash_of((&files.templates, extra.to_string(), &config.base.path));
    Ok(Theme {
        files,
        tera,
        syntax,
        fingerprint,
    })
}

fn config_error(message: String) -> Error {
    Error::Invalid(vec![Diagnostic::error(
        Location::file(config::CONFIG_FILE),
        message,
    )])
}

/// `syntax.css` with the rules for the highlight classes in the site's Markdown: a function of
/// what this build rendered, so `serve` writes it again when a save brings code in a new
/// language, and it stays what a clean build writes.
fn syntax_css(theme: &Theme, html: &SiteHtml, lab: Option<&Lab>) -> Result<String> {
    let mut classes = html.highlight_classes.clone();
    if let Some((_, Some(intro))) = lab {
        markdown::highlight::classes_in(intro, &mut classes);
    }
    theme
        .syntax
        .stylesheet(Some(&classes))
        .map_err(config_error)
}

/// Files every build writes beside pages and static files.
const GENERATED: [&str; 2] = [".nojekyll", "syntax.css"];

struct Statics {
    /// Files to write: new or changed since the last build.
    changed: Vec<(String, Arc<[u8]>)>,
    removed: Vec<String>,
    hashes: Hashes,
}

/// The theme's and site's static files (but the sources of images), the generated ones and the
/// card-sized images, compared with what was written last time.
fn static_files(
    theme: &Theme,
    syntax_css: &str,
    previous: &Hashes,
    images: &Images,
) -> Result<Statics> {
    let [nojekyll, syntax] = GENERATED;
    let mut all: Vec<(String, Arc<[u8]>)> = vec![
        (nojekyll.into(), Arc::from(&[][..])),
        (syntax.into(), syntax_css.as_bytes().into()),
    ];
    for (name, source) in &theme.files.static_files {
        if images::is_source_only(name) {
            continue;
        }
        let bytes = source.read()?;
        let bytes = match name.ends_with(".css") {
            true => render::css::without_comments(&bytes).into(),
            false => bytes.into(),
        };
        all.push((name.clone(), bytes));
    }
    all.extend((images.files.iter()).map(|(name, bytes)| (name.clone(), Arc::clone(bytes))));
    let mut statics = Statics {
        changed: Vec::new(),
        removed: Vec::new(),
        hashes: Hashes::default(),
    };
    for (name, bytes) in all {
        let hash = hash_of(&bytes);
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

impl Statics {
    /// Writes the changed files; returns their names.
    fn write(&self, output: &dyn Output) -> Result<Vec<String>> {
        for (name, bytes) in &self.changed {
            output.write(name, bytes)?;
        }
        Ok(self.changed.iter().map(|(name, _)| name.clone()).collect())
    }
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
fn stop(mut pass: Pass, error: Error, site: &model::Site) -> Result<Outcome> {
    if pass.checking.is_none() {
        return Err(error);
    }
    pass.diagnostics.extend(error.diagnostics());
    Ok(Outcome {
        report: BuildReport {
            digests: site.digests.len(),
            papers: site.papers.len(),
            topics: site.topics.len(),
            warnings: sorted(pass.diagnostics),
            ..BuildReport::default()
        },
        ..Outcome::default()
    })
}

fn lock(ledger: &Mutex<Ledger>) -> std::sync::MutexGuard<'_, Ledger> {
    ledger
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    sort_diagnostics(&mut diagnostics);
    diagnostics
}

fn fail_on_errors(diagnostics: &mut Vec<Diagnostic>) -> Result<()> {
    if diagnostics.iter().any(Diagnostic::is_error) {
        sort_diagnostics(diagnostics);
        return Err(Error::Invalid(std::mem::take(diagnostics)));
    }
    Ok(())
}

/// Whether `DIGESTIF_LOG=debug` asks for stage timings and what each stage did.
pub(crate) fn is_debug() -> bool {
    std::env::var_os("DIGESTIF_LOG").is_some_and(|v| v == "debug")
}

pub(crate) fn stage(name: &str, started: &mut Instant) {
    if is_debug() {
        eprintln!(
            "debug: {name} took {:.1} ms{}{}",
            started.elapsed().as_secs_f64() * 1000.0,
            cpu_since_last_stage(),
            memory_in_use()
        );
    }
    *started = Instant::now();
}

/// `, CPU N ms` since the last stage where the kernel tells (Linux): a stage whose CPU time is
/// near its wall time ran on one core only. `bench/search.sh` reads it.
fn cpu_since_last_stage() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST_TICKS: AtomicU64 = AtomicU64::new(0);
    let Some(ticks) = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| cpu_ticks(&stat))
    else {
        return String::new();
    };
    let since = ticks.saturating_sub(LAST_TICKS.swap(ticks, Ordering::Relaxed));
    format!(", CPU {} ms", since * 10)
}

/// User plus system time, in clock ticks of 10 ms, from the text of `/proc/<pid>/stat`: its 14th
/// and 15th fields, counted after the command name, which is in parentheses and may hold spaces
/// and parentheses of its own.
fn cpu_ticks(stat: &str) -> Option<u64> {
    let (_, fields) = stat.rsplit_once(')')?;
    let mut fields = fields.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
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

#[cfg(test)]
mod tests {
    use super::cpu_ticks;

    #[test]
    fn cpu_ticks_are_user_and_system_time_after_the_command_name() {
        // A command name may hold spaces and a closing parenthesis of its own.
        let stat = "4242 (we ird) name) R 1 4242 4242 0 -1 4194304 900 0 0 0 137 25 0 0 20 0 3 0";
        assert_eq!(cpu_ticks(stat), Some(162));
        assert_eq!(cpu_ticks("4242 (digestif) R 1 4242"), None);
        assert_eq!(cpu_ticks("no parenthesis at all"), None);
    }
}
