//! The site's edge: symbolic links under `content/`, `static/`, `templates/` and `themes/` whose
//! target lies outside the site root are refused, so a link to a file elsewhere (a private note,
//! `/etc/passwd`) is never published in pages, feeds, the search index or citation files. A site
//! that shares folders with another on purpose sets `[build] follow_external_links = true`.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Location};

/// Where the site ends, and whether links may cross it.
#[derive(Debug, Clone)]
pub struct Boundary {
    root: PathBuf,
    real_root: PathBuf,
    follows_external_links: bool,
}

impl Boundary {
    pub fn new(root: &Path, follows_external_links: bool) -> Self {
        Boundary {
            root: root.to_path_buf(),
            real_root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            follows_external_links,
        }
    }

    /// An error for `link`, a symbolic link met while walking a site folder, when its target
    /// lies outside the site and that is not allowed. A link that resolves nowhere is left to
    /// whoever reads it.
    pub fn check_link(&self, link: &Path) -> Option<Diagnostic> {
        if self.follows_external_links {
            return None;
        }
        let target = link.canonicalize().ok()?;
        if target.starts_with(&self.real_root) {
            return None;
        }
        let shown = link.strip_prefix(&self.root).unwrap_or(link);
        Some(
            Diagnostic::error(
                Location::file(shown),
                format!(
                    "a symbolic link to {}, outside the site: its contents would be published",
                    target.display()
                ),
            )
            .with_hint(
                "copy what you need into the site, or set `follow_external_links = true` under [build] in site.toml if sharing it is intended",
            ),
        )
    }

    /// [`Self::check_link`] for a path that may be a link itself or lie below one: every
    /// component from the site root down is looked at.
    pub fn check_path(&self, path: &Path) -> Option<Diagnostic> {
        if self.follows_external_links {
            return None;
        }
        let relative = path.strip_prefix(&self.root).ok()?;
        let mut walked = self.root.clone();
        for component in relative.components() {
            walked.push(component);
            if walked
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink())
            {
                return self.check_link(&walked);
            }
        }
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_refused_only_when_its_target_leaves_the_site() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "secret").unwrap();
        let site = tempfile::tempdir().unwrap();
        let content = site.path().join("content");
        std::fs::create_dir(&content).unwrap();
        std::fs::write(content.join("mine.md"), "mine").unwrap();
        let out_link = content.join("shared.md");
        let in_link = content.join("alias.md");
        std::os::unix::fs::symlink(outside.path().join("secret.md"), &out_link).unwrap();
        std::os::unix::fs::symlink(content.join("mine.md"), &in_link).unwrap();
        let boundary = Boundary::new(site.path(), false);
        let refused = boundary.check_link(&out_link).expect("refused");
        assert_eq!(refused.location.path, Path::new("content/shared.md"));
        assert!(refused.message.contains("secret.md"), "{}", refused.message);
        assert!(boundary.check_link(&in_link).is_none());
        assert!(boundary.check_path(&out_link).is_some());
        assert!(boundary.check_path(&content.join("mine.md")).is_none());
        assert!(
            Boundary::new(site.path(), true)
                .check_link(&out_link)
                .is_none()
        );
    }
}
