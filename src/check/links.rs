//! Links between the pages of the site, for `digestif check`: `@/…` links and links to the
//! site's own URL must name a page the site has; root-absolute links must not skip a sub-path
//! base URL (in content, templates and static CSS); relative links in content are ambiguous.

use std::collections::HashSet;
use std::path::Path;

use super::Input;
use crate::config::Config;
use crate::error::{Diagnostic, Location};
use crate::markdown::{FoundLink, MarkdownField};
use crate::render::templates::StaticSource;
use crate::toml_error::nearest;

pub(super) enum LinkKind {
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

pub(super) fn classify(url: &str, config: &Config) -> LinkKind {
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
pub(super) struct OutputSet {
    files: HashSet<String>,
}

impl OutputSet {
    pub(super) fn new(input: &Input) -> Self {
        let files = input
            .pages
            .iter()
            .map(|p| p.output.clone())
            .chain(
                (input.theme.static_files.keys())
                    .filter(|name| !crate::images::is_source_only(name))
                    .cloned(),
            )
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

pub(super) fn missing_page(
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

pub(super) fn ignores_sub_path(url: &str, config: &Config, location: Location) -> Diagnostic {
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

pub(super) fn relative_link(url: &str, field: MarkdownField, location: Location) -> Diagnostic {
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
pub(super) fn template_links(input: &Input) -> Vec<Diagnostic> {
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

pub(super) fn relative_to(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;

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
