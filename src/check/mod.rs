//! `digestif check`: every problem a site owner should fix, located by file and line, without
//! writing anything.
//!
//! [`run`] loads the configuration and runs the whole pipeline in checking mode
//! (`crate::run_pipeline`): stages go on past errors, so one run reports all of them, and after
//! planning, [`site_checks`] looks at the assembled model and planned pages for what a build does
//! not check because it costs time or is only advice: links between pages, root-absolute links
//! that ignore a sub-path, topics that look like typos of each other, topics used once, and
//! (with `--external`) links to other sites. [`output_collisions`] is cheap and runs in builds too.

mod external;
pub mod output;
mod sources;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use external::{ExternalOptions, LinkStatus, check_urls};
pub use sources::Sources;

use crate::config::{CONFIG_FILE, Config, ThemeSource};
use crate::error::{Diagnostic, Location, sort_diagnostics};
use crate::markdown::{FoundLink, MarkdownField, SiteHtml};
use crate::model::Site;
use crate::render::templates::{StaticSource, ThemeFiles};
use crate::render::{PageKind, PlannedPage};
use crate::toml_error::nearest;
use crate::{BuildOptions, Overrides};

/// What `digestif check` is asked to do.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub root: PathBuf,
    pub overrides: Overrides,
    pub settings: Settings,
}

impl CheckOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        CheckOptions {
            root: root.into(),
            overrides: Overrides::default(),
            settings: Settings::default(),
        }
    }
}

/// What the checking mode of the pipeline needs beyond the configuration.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Check links to other sites too (network; off by default).
    pub external: Option<ExternalOptions>,
}

/// Everything a check found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Errors and warnings, sorted by file and line.
    pub findings: Vec<Diagnostic>,
    pub digests: usize,
    pub papers: usize,
    pub topics: usize,
    pub pages: usize,
    pub duration: Duration,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    pub fn summary(&self) -> String {
        let count = |n: usize, what: &str| match n {
            1 => format!("1 {what}"),
            n => format!("{n} {what}s"),
        };
        format!(
            "checked {}, {}, {}, {} in {:.2} s: {}, {}",
            count(self.digests, "digest"),
            count(self.papers, "paper"),
            count(self.topics, "topic"),
            count(self.pages, "page"),
            self.duration.as_secs_f64(),
            count(self.errors(), "error"),
            count(self.warnings(), "warning"),
        )
    }
}

/// Checks a site. Never fails: a problem that stops the pipeline (no site.toml, a template that
/// does not compile) is one more finding.
pub fn run(options: &CheckOptions) -> CheckReport {
    let started = Instant::now();
    let build = BuildOptions {
        root: options.root.clone(),
        output_dir: None,
        overrides: options.overrides.clone(),
        show_progress: false,
    };
    let result = Config::load(&build.root, &build.overrides)
        .and_then(|config| crate::run_pipeline(&config, None, false, Some(&options.settings)));
    let mut report = match result {
        Ok(report) => CheckReport {
            findings: report.warnings,
            digests: report.digests,
            papers: report.papers,
            topics: report.topics,
            pages: report.pages,
            duration: Duration::ZERO,
        },
        Err(error) => CheckReport {
            findings: error.diagnostics(),
            digests: 0,
            papers: 0,
            topics: 0,
            pages: 0,
            duration: Duration::ZERO,
        },
    };
    for finding in &mut report.findings {
        if finding.location.path.as_os_str().is_empty() {
            finding.location = template_location(&finding.message).unwrap_or_default();
        }
    }
    sort_diagnostics(&mut report.findings);
    report.findings.dedup();
    report.duration = started.elapsed();
    report
}

/// What the site-wide checks look at.
pub struct Input<'a> {
    pub config: &'a Config,
    pub site: &'a Site,
    pub html: &'a SiteHtml,
    pub pages: &'a [PlannedPage],
    pub theme: &'a ThemeFiles,
    /// Files written beside pages and static files: `.nojekyll`, `syntax.css`.
    pub generated: &'a [&'a str],
    pub sources: &'a Sources,
}

/// The checks only `digestif check` runs.
pub fn site_checks(input: &Input, settings: &Settings) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    let outputs = OutputSet::new(input);
    let mut external = Vec::new();
    for (field, link) in &input.html.links {
        let location = crate::markdown::locate(input.site, *field, Some(link.offset), &|f| {
            input.sources.field_line(input.site, f)
        });
        match classify(&link.url, input.config) {
            LinkKind::Site(path) => {
                if let Some(finding) = missing_page(input, &outputs, link, &path, &location) {
                    findings.push(finding);
                }
            }
            LinkKind::IgnoresSubPath => {
                findings.push(ignores_sub_path(&link.url, input.config, location))
            }
            LinkKind::Relative => findings.push(relative_link(&link.url, *field, location)),
            LinkKind::External => external.push((link.url.clone(), location)),
            LinkKind::Other => {}
        }
    }
    findings.extend(template_links(input));
    findings.extend(topic_typos(input));
    findings.extend(single_use_topics(input));
    if let Some(options) = &settings.external {
        external.extend(front_matter_links(input));
        findings.extend(external::findings(&external, options));
    }
    findings
}

enum LinkKind {
    /// A page or file of this site, by its path under the base path: `papers/x/`.
    Site(String),
    /// `/x` on a site whose base path is `/sub/`.
    IgnoresSubPath,
    /// `../x`, `x.pdf`: resolves differently on each page that shows the text.
    Relative,
    External,
    /// `mailto:`, `tel:` and other schemes we do not follow.
    Other,
}

fn classify(url: &str, config: &Config) -> LinkKind {
    if let Some(rest) = url.strip_prefix("@/") {
        return LinkKind::Site(crate::markdown::links::site_path(rest));
    }
    let base = &config.base;
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let own = base.full();
        return match url.strip_prefix(own.as_str()) {
            Some(path) => LinkKind::Site(path.to_string()),
            None => LinkKind::External,
        };
    }
    if url.starts_with("//") {
        return LinkKind::External;
    }
    if let Some(path) = url.strip_prefix(base.path.as_str()) {
        return LinkKind::Site(path.to_string());
    }
    if url.starts_with('/') {
        return LinkKind::IgnoresSubPath;
    }
    let scheme_end = url.find(':');
    let is_scheme = scheme_end.is_some_and(|end| {
        url[..end]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
            && !url[..end].contains('/')
    });
    if is_scheme {
        LinkKind::Other
    } else {
        LinkKind::Relative
    }
}

/// Every file the output will hold, lower-cased, to look links up in.
struct OutputSet {
    files: HashSet<String>,
}

impl OutputSet {
    fn new(input: &Input) -> Self {
        let files = input
            .pages
            .iter()
            .map(|p| p.output.clone())
            .chain(input.theme.static_files.keys().cloned())
            .chain(input.generated.iter().map(|g| g.to_string()))
            .collect();
        OutputSet { files }
    }

    /// Whether a site path (`papers/x/`, `feed.xml`, ``) names a file or a folder's index.
    fn has(&self, path: &str) -> bool {
        let path = path.split(['#', '?']).next().unwrap_or("");
        if path.is_empty() || path.ends_with('/') {
            return self.files.contains(&format!("{path}index.html"));
        }
        self.files.contains(path) || self.files.contains(&format!("{path}/index.html"))
    }
}

fn missing_page(
    input: &Input,
    outputs: &OutputSet,
    link: &FoundLink,
    path: &str,
    location: &Location,
) -> Option<Diagnostic> {
    if outputs.has(path) {
        return None;
    }
    let site = input.site;
    let hint = if let Some(rest) = link.url.strip_prefix("@/papers/") {
        let ids: Vec<&str> = site.papers.iter().map(|p| p.id.as_str()).collect();
        let id = rest.split('#').next().unwrap_or("").trim_end_matches('/');
        match nearest(id, &ids) {
            Some(id) => format!("did you mean @/papers/{id}?"),
            None => "papers are linked by id: @/papers/<arxiv id, DOI or id>".into(),
        }
    } else if let Some(rest) = link.url.strip_prefix("@/topics/") {
        let names: Vec<&str> = site.topics.iter().map(|t| t.name.as_str()).collect();
        match nearest(rest.trim_end_matches('/'), &names) {
            Some(name) => format!("did you mean the topic `{name}`?"),
            None => "topics are linked by name: @/topics/<name>".into(),
        }
    } else if link.url.starts_with("@/digests/") {
        let slugs: Vec<&str> = site.digests.iter().map(|d| d.slug.as_str()).collect();
        let slug = path.trim_start_matches("digests/").trim_end_matches('/');
        match nearest(slug, &slugs) {
            Some(slug) => format!("did you mean @/digests/{slug}?"),
            None => "digests are linked by slug: @/digests/<file name or slug>".into(),
        }
    } else {
        "link to a page the site has: @/papers/<id>, @/topics/<name>, @/digests/<slug>".into()
    };
    Some(
        Diagnostic::error(
            location.clone(),
            format!(
                "link to `{}`: the site has no page {}",
                link.url,
                input.config.base.link(path)
            ),
        )
        .with_hint(hint),
    )
}

fn ignores_sub_path(url: &str, config: &Config, location: Location) -> Diagnostic {
    let inside = url.trim_start_matches('/');
    Diagnostic::warning(
        location,
        format!(
            "link `{url}` starts at the domain root and ignores the site's sub-path {}",
            config.base.path
        ),
    )
    .with_hint(format!(
        "write @/{inside} to link a page of this site (it resolves to {})",
        config.base.link(inside)
    ))
}

fn relative_link(url: &str, field: MarkdownField, location: Location) -> Diagnostic {
    let shown_on = match field {
        MarkdownField::Intro { .. } => "on the home page and the digest's page",
        _ => "on the paper's, digest's and topic pages",
    };
    Diagnostic::warning(
        location,
        format!("relative link `{url}` points somewhere different on each page that shows this text ({shown_on})"),
    )
    .with_hint("write @/papers/<id> (or @/<path>) for a page of this site, or a full https:// address")
}

/// Root-absolute `href="/…"`, `src="/…"` and CSS `url(/…)` in templates and static CSS, which
/// break when the site is served under a sub-path.
fn template_links(input: &Input) -> Vec<Diagnostic> {
    let base = &input.config.base.path;
    if base == "/" {
        return Vec::new();
    }
    let mut findings = Vec::new();
    let mut scan = |shown: &str, text: &str, patterns: &[&str]| {
        for (index, line) in text.lines().enumerate() {
            let lower = line.to_ascii_lowercase();
            for pattern in patterns {
                let mut from = 0;
                while let Some(found) = lower[from..].find(pattern) {
                    let at = from + found + pattern.len();
                    from = at;
                    let rest = &line[at..];
                    if !rest.starts_with('/')
                        || rest.starts_with("//")
                        || rest.starts_with(base.as_str())
                    {
                        continue;
                    }
                    let column = line[..at].chars().count() + 1;
                    findings.push(
                        Diagnostic::warning(
                            Location::at(shown, index + 1, Some(column)),
                            format!("root-absolute URL ignores the site's sub-path {base}"),
                        )
                        .with_source_line(line)
                        .with_hint("write {{ url(path=\"…\") }} in templates (it adds the base path), and relative url(…) in CSS"),
                    );
                }
            }
        }
    };
    for (shown, text) in input.theme.templates.values() {
        scan(
            shown,
            text,
            &[
                "href=\"",
                "src=\"",
                "action=\"",
                "href='",
                "src='",
                "action='",
            ],
        );
    }
    for (name, source) in &input.theme.static_files {
        if let (true, StaticSource::File(path)) = (name.ends_with(".css"), source)
            && let Ok(text) = std::fs::read_to_string(path)
        {
            let shown = relative_to(path, &input.config.root);
            scan(&shown, &text, &["url(", "url(\"", "url('"]);
        }
    }
    findings
}

fn relative_to(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Where a topic is first written: the line naming it in its first paper's entry.
fn topic_location(input: &Input, topic: usize) -> Location {
    let site = input.site;
    let topic = &site.topics[topic];
    let Some(&paper) = topic.papers.first() else {
        return Location::file(CONFIG_FILE);
    };
    let paper = &site.papers[paper];
    let line = input
        .sources
        .topic_line(&paper.source, paper.line, &topic.name)
        .or_else(|| input.sources.topic_line(&paper.source, 1, &topic.name))
        .unwrap_or(paper.line);
    Location::at(&paper.source, line, None)
}

/// Pairs of topics one or two edits apart (`difusion` and `diffusion`), found through shared
/// deletion variants instead of comparing every pair.
fn topic_typos(input: &Input) -> Vec<Diagnostic> {
    let topics = &input.site.topics;
    let keys: Vec<String> = topics.iter().map(|t| t.name.to_lowercase()).collect();
    let mut variants: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, key) in keys.iter().enumerate() {
        if key.chars().count() < 5 {
            continue;
        }
        for variant in deletions(key, allowed_distance(key)) {
            variants.entry(variant).or_default().push(index);
        }
    }
    let mut pairs = BTreeMap::new();
    for indices in variants.values() {
        for (i, &a) in indices.iter().enumerate() {
            for &b in &indices[i + 1..] {
                if a != b {
                    pairs.insert((a.min(b), a.max(b)), ());
                }
            }
        }
    }
    let mut findings = Vec::new();
    for &(a, b) in pairs.keys() {
        let distance = strsim::damerau_levenshtein(&keys[a], &keys[b]);
        let allowed = allowed_distance(&keys[a]).min(allowed_distance(&keys[b]));
        let digits = |s: &str| {
            s.chars()
                .filter(|c| !c.is_ascii_digit())
                .collect::<String>()
        };
        if distance == 0 || distance > allowed || digits(&keys[a]) == digits(&keys[b]) {
            continue;
        }
        // Report the rarer spelling, pointing at the common one; between equals, the shorter
        // (a letter left out is the commonest slip).
        let rank = |t: usize| (topics[t].papers.len(), keys[t].chars().count());
        let (rare, common) = if rank(a) <= rank(b) { (a, b) } else { (b, a) };
        let count = |t: usize| match topics[t].papers.len() {
            1 => "1 paper".to_string(),
            n => format!("{n} papers"),
        };
        findings.push(
            Diagnostic::warning(
                topic_location(input, rare),
                format!(
                    "topic `{}` ({}) looks like a typo of `{}` ({})",
                    topics[rare].name,
                    count(rare),
                    topics[common].name,
                    count(common)
                ),
            )
            .with_hint(format!(
                "fix the spelling, or map it under [topics.aliases] in site.toml: \"{}\" = \"{}\"",
                topics[rare].name, topics[common].name
            )),
        );
    }
    findings
}

fn allowed_distance(key: &str) -> usize {
    if key.chars().count() >= 10 { 2 } else { 1 }
}

/// The key and every string made by deleting up to `depth` characters from it.
fn deletions(key: &str, depth: usize) -> HashSet<String> {
    let mut all = HashSet::from([key.to_string()]);
    let mut frontier = vec![key.to_string()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for word in &frontier {
            let chars: Vec<char> = word.chars().collect();
            for skip in 0..chars.len() {
                let variant: String = chars
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != skip)
                    .map(|(_, c)| c)
                    .collect();
                if all.insert(variant.clone()) {
                    next.push(variant);
                }
            }
        }
        frontier = next;
    }
    all
}

/// Each topic used by one paper, at the line that names it.
fn single_use_topics(input: &Input) -> Vec<Diagnostic> {
    input
        .site
        .topics
        .iter()
        .enumerate()
        .filter(|(_, t)| t.papers.len() == 1)
        .map(|(index, topic)| {
            Diagnostic::warning(
                topic_location(input, index),
                format!("topic `{}` is used by one paper only", topic.name),
            )
            .with_hint("if it is a variant spelling, map it under [topics.aliases] in site.toml")
        })
        .collect()
}

/// `url`, `pdf`, `code` and `project` of every paper, at their lines, for `--external`.
fn front_matter_links(input: &Input) -> Vec<(String, Location)> {
    let mut links = Vec::new();
    for paper in &input.site.papers {
        for (key, value) in [
            ("url", &paper.url),
            ("pdf", &paper.pdf),
            ("code", &paper.code),
            ("project", &paper.project),
        ] {
            if let Some(url) = value {
                let line = input
                    .sources
                    .value_line(&paper.source, paper.line, key)
                    .unwrap_or(paper.line);
                links.push((url.clone(), Location::at(&paper.source, line, None)));
            }
        }
    }
    links
}

/// Output files that would overwrite each other: a static file named like a page (`feed.xml`,
/// `papers/x/index.html`) or a generated file, a file where a page needs a folder, or two paths
/// that differ only by case, which are one file on macOS and Windows disks. Cheap: builds run it.
pub fn output_collisions(
    config: &Config,
    pages: &[PlannedPage],
    static_files: &BTreeMap<String, StaticSource>,
    generated: &[&str],
) -> Vec<Diagnostic> {
    let mut owners: HashMap<String, String> = HashMap::with_capacity(pages.len() + 16);
    let mut findings = Vec::new();
    let describe_static = |name: &str, source: &StaticSource| match (source, &config.theme) {
        (StaticSource::File(path), _) => relative_to(path, &config.root),
        (StaticSource::Embedded(_), ThemeSource::Embedded) => {
            format!("static/{name} of the default theme")
        }
        (StaticSource::Embedded(_), _) => format!("static/{name}"),
    };
    let generated_owner = |output: &str| format!("the generated {output}");
    let page_owner = |page: &PlannedPage| match page.kind {
        PageKind::Digest(_) | PageKind::Paper(_) | PageKind::Topic(..) | PageKind::Index(_) => {
            format!(
                "the page {}",
                config.base.link(page.output.trim_end_matches("index.html"))
            )
        }
        _ => generated_owner(&page.output),
    };
    for page in pages {
        // Two pages on one path are two papers, digests or topics with one slug: assemble
        // reports those with both sources named.
        owners
            .entry(page.output.to_lowercase())
            .or_insert_with(|| page_owner(page));
    }
    let mut claim = |output: &str, owner: String, location: Location| {
        let key = output.to_lowercase();
        if let Some(previous) = owners.get(&key) {
            findings.push(
                Diagnostic::error(location, format!("{owner} would overwrite {previous} ({output})"))
                    .with_hint("rename or remove the static file; to change a generated page, override its template in templates/"),
            );
        } else {
            owners.insert(key, owner);
        }
    };
    for name in generated {
        claim(name, generated_owner(name), Location::file(CONFIG_FILE));
    }
    for (name, source) in static_files {
        let shown = describe_static(name, source);
        claim(name, format!("static file {shown}"), Location::file(&shown));
    }
    // A file where a folder must be: static `papers` beside pages under `papers/`.
    let folders: HashSet<String> = owners
        .keys()
        .flat_map(|path| {
            let mut prefixes = Vec::new();
            let mut end = 0;
            while let Some(slash) = path[end..].find('/') {
                end += slash + 1;
                prefixes.push(path[..end - 1].to_string());
            }
            prefixes
        })
        .collect();
    for (name, source) in static_files {
        if folders.contains(&name.to_lowercase()) {
            let shown = describe_static(name, source);
            findings.push(
                Diagnostic::error(
                    Location::file(&shown),
                    format!("static file {shown} is named like the folder {name}/ that pages are written into"),
                )
                .with_hint("rename or remove the static file"),
            );
        }
    }
    findings
}

/// Template failures from rendering every page, one finding per template and message.
pub fn render_failures(failures: &[String], theme: &ThemeFiles) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for failure in failures {
        // "rendering <output> with <template>: <error>"
        let after = failure.split_once(" with ").map_or("", |(_, rest)| rest);
        let (template, error) = after.split_once(": ").unwrap_or(("", failure.as_str()));
        *seen
            .entry((template.to_string(), error.to_string()))
            .or_default() += 1;
    }
    seen.into_iter()
        .map(|((template, error), pages)| {
            let shown = theme
                .templates
                .get(&template)
                .map_or_else(|| template.clone(), |(shown, _)| shown.clone());
            let pages = if pages == 1 {
                "1 page".to_string()
            } else {
                format!("{pages} pages")
            };
            let mut location = template_location(&error).unwrap_or_default();
            location.path = shown.into();
            Diagnostic::error(
                location,
                format!("template `{template}` failed on {pages}: {error}"),
            )
        })
        .collect()
}

/// Where a Tera error points: ` --> name:line:column`, in the file named by our
/// `(template `name` is path)` note when there is one.
fn template_location(message: &str) -> Option<Location> {
    let (_, after) = message.split_once(" --> ")?;
    let spot = after.lines().next()?.trim();
    let mut parts = spot.rsplitn(3, ':');
    let column = parts.next()?.parse().ok();
    let line = parts.next()?.parse().ok()?;
    let name = parts.next()?;
    let shown = message
        .split_once(&format!("(template `{name}` is "))
        .and_then(|(_, rest)| rest.split_once(')'))
        .map_or(name, |(shown, _)| shown);
    Some(Location::at(shown, line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tera_errors_point_at_the_template_line() {
        let message = "error: Variable `nope` is not defined\n --> 404.html:3:4\n  |\n  (template `404.html` is templates/404.html)";
        assert_eq!(
            template_location(message),
            Some(Location::at("templates/404.html", 3, Some(4)))
        );
        assert_eq!(template_location("no position"), None);
    }

    #[test]
    fn deletion_variants_meet_for_one_edit() {
        let a = deletions("diffusion", 1);
        let b = deletions("difusion", 1);
        assert!(a.intersection(&b).next().is_some());
        let c = deletions("robotics", 1);
        assert!(a.intersection(&c).next().is_none());
    }

    #[test]
    fn links_are_classified_against_the_base() {
        let config = Config::parse(
            Path::new("/nonexistent"),
            "title = \"t\"\nbase_url = \"https://lab.github.io/sub/\"\n",
            &Overrides::default(),
        )
        .unwrap();
        let kind = |url| match classify(url, &config) {
            LinkKind::Site(path) => format!("site {path}"),
            LinkKind::IgnoresSubPath => "root".into(),
            LinkKind::Relative => "relative".into(),
            LinkKind::External => "external".into(),
            LinkKind::Other => "other".into(),
        };
        assert_eq!(kind("@/papers/x"), "site papers/x/");
        assert_eq!(kind("/sub/topics/"), "site topics/");
        assert_eq!(kind("https://lab.github.io/sub/feed.xml"), "site feed.xml");
        assert_eq!(kind("/topics/"), "root");
        assert_eq!(kind("../x"), "relative");
        assert_eq!(kind("paper.pdf"), "relative");
        assert_eq!(kind("https://arxiv.org/abs/1"), "external");
        assert_eq!(kind("//cdn.example.org/x"), "external");
        assert_eq!(kind("mailto:a@b.org"), "other");
    }
}
