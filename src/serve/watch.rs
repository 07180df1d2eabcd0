//! Watches the site's sources and sorts changes into what they invalidate.
//!
//! Watched: `site.toml` (through the site folder itself, not recursively, so editors that save
//! by renaming are seen), `content/`, `templates/`, `static/` and the active theme folder.
//! Events are debounced briefly and batches that queue up during a rebuild are merged, so a
//! burst of saves costs one rebuild.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::config::Config;
use crate::error::{Error, Result};

/// Short enough to feel instant, long enough to see an editor's write-and-rename as one save.
/// A save caught halfway anyway fails to build, and `serve` then waits [`SETTLE`] for the rest
/// of it before reporting an error.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// How long a failed build waits for more changes before it shows its error.
pub const SETTLE: Duration = Duration::from_millis(150);

const WATCHED_FOLDERS: &[&str] = &["content", "templates", "static"];

pub struct Watcher {
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    events: mpsc::Receiver<DebounceEventResult>,
    root: PathBuf,
}

/// What a batch of file events touched.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    pub config: bool,
    pub theme: bool,
    pub content: bool,
}

impl Changes {
    fn any(self) -> bool {
        self.config || self.theme || self.content
    }
}

pub fn start(root: &Path, config: &Config) -> Result<Watcher> {
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let (sender, events) = mpsc::channel();
    let mut debouncer = new_debouncer(DEBOUNCE, None, sender)
        .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", root.display())))?;
    let watch = |debouncer: &mut Debouncer<_, _>, path: &Path, mode| {
        debouncer
            .watch(path, mode)
            .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", path.display())))
    };
    watch(&mut debouncer, &root, RecursiveMode::NonRecursive)?;
    for folder in WATCHED_FOLDERS {
        let path = root.join(folder);
        if path.is_dir() {
            watch(&mut debouncer, &path, RecursiveMode::Recursive)?;
        }
    }
    if let crate::config::ThemeSource::Folder { path, .. } = &config.theme {
        watch(&mut debouncer, path, RecursiveMode::Recursive)?;
    }
    Ok(Watcher {
        debouncer,
        events,
        root,
    })
}

impl Watcher {
    /// Blocks until sources change; None when the watcher has stopped.
    pub fn next_changes(&mut self, theme: Option<&str>) -> Option<Changes> {
        loop {
            let first = self.events.recv().ok()?;
            if let Some(changes) = self.changes_from(first, theme) {
                return Some(changes);
            }
        }
    }

    /// The next relevant changes if they come within `within`; None otherwise.
    pub fn changes_within(&mut self, within: Duration, theme: Option<&str>) -> Option<Changes> {
        let deadline = std::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let first = self.events.recv_timeout(left).ok()?;
            if let Some(changes) = self.changes_from(first, theme) {
                return Some(changes);
            }
        }
    }

    /// The changes in `first` and any batches already waiting behind it, if any matter.
    fn changes_from(&mut self, first: DebounceEventResult, theme: Option<&str>) -> Option<Changes> {
        let mut changes = Changes::default();
        let mut paths = Vec::new();
        collect(first, &mut paths);
        while let Ok(more) = self.events.try_recv() {
            collect(more, &mut paths);
        }
        for path in &paths {
            let kind = classify(&self.root, path, theme);
            changes.config |= kind.config;
            changes.theme |= kind.theme;
            changes.content |= kind.content;
            self.watch_new_folder(path);
        }
        changes.any().then_some(changes)
    }

    /// A `templates/` or `static/` folder created after start-up is watched from then on.
    fn watch_new_folder(&mut self, path: &Path) {
        let Ok(relative) = path.strip_prefix(&self.root) else {
            return;
        };
        let is_top_folder = relative.components().count() == 1
            && WATCHED_FOLDERS.iter().any(|f| relative == Path::new(f))
            && path.is_dir();
        if is_top_folder && let Err(error) = self.debouncer.watch(path, RecursiveMode::Recursive) {
            eprintln!("warning: cannot watch {}: {error}", path.display());
        }
    }
}

fn collect(result: DebounceEventResult, paths: &mut Vec<PathBuf>) {
    match result {
        Ok(events) => {
            for event in events {
                if matches!(event.kind, EventKind::Access(_) | EventKind::Other) {
                    continue;
                }
                paths.extend(event.event.paths.iter().cloned());
            }
        }
        Err(errors) => {
            for error in errors {
                eprintln!("warning: file watching: {error}");
            }
        }
    }
}

/// What a changed path invalidates.
pub fn classify(root: &Path, path: &Path, theme: Option<&str>) -> Changes {
    let mut changes = Changes::default();
    let Ok(relative) = path.strip_prefix(root) else {
        return changes;
    };
    let parts: Vec<&str> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        ["site.toml"] => changes.config = true,
        ["content", ..] => changes.content = true,
        ["templates", ..] | ["static", ..] => changes.theme = true,
        ["themes", name, ..] if Some(*name) == theme => changes.theme = true,
        // A folder appearing or disappearing at the top changes what the site is made of.
        [folder] if WATCHED_FOLDERS.contains(folder) => {
            changes.content = true;
            changes.theme = true;
        }
        _ => {}
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_sorted_by_what_they_invalidate() {
        let root = Path::new("/site");
        let kind = |p: &str| classify(root, Path::new(p), Some("lab"));
        assert!(kind("/site/site.toml").config);
        assert!(kind("/site/content/2024/a.md").content);
        assert!(kind("/site/templates/paper.html").theme);
        assert!(kind("/site/static/style.css").theme);
        assert!(kind("/site/themes/lab/templates/base.html").theme);
        assert!(!kind("/site/themes/other/templates/base.html").any());
        assert!(!kind("/site/public/index.html").any());
        assert!(!kind("/site/target/debug/x").any());
        assert!(!kind("/elsewhere/site.toml").any());
    }
}
