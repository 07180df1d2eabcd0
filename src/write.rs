//! Stage 8 of the pipeline, and the only code that writes into the output folder.
//!
//! A build writes into a fresh staging folder beside the output folder, then swaps it in: on Linux
//! with one atomic `renameat2(RENAME_EXCHANGE)`, elsewhere (or on file systems without it) with
//! two renames. A build that fails, or is killed at any moment (`kill -9` included), leaves the
//! previous output in place, and a good one leaves no stale file behind. The next build removes
//! leftover staging folders of a killed build, and puts the previous output back if a build was
//! killed between the two renames.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub struct Staging {
    output: PathBuf,
    temp: PathBuf,
    folders: Folders,
    is_committed: bool,
}

impl Staging {
    /// Prepares a staging folder for `output`, after checking that replacing `output` loses
    /// nothing Digestif did not write (see [`Replace`]).
    pub fn create(output: &Path, site_root: &Path, replace: Replace) -> Result<Staging> {
        check_output_location(output, site_root, replace)?;
        let parent = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = output
            .file_name()
            .ok_or_else(|| Error::Usage(format!("output folder {} has no name", output.display())))?
            .to_string_lossy()
            .into_owned();
        remove_leftovers(parent, &name);
        let temp = parent.join(format!(".{name}-building-{}", std::process::id()));
        if temp.exists() {
            std::fs::remove_dir_all(&temp).map_err(|e| Error::io(&temp, e))?;
        }
        std::fs::create_dir(&temp).map_err(|e| Error::io(&temp, e))?;
        let marker = temp.join(OUTPUT_MARKER);
        std::fs::write(&marker, OUTPUT_MARKER_TEXT).map_err(|e| Error::io(&marker, e))?;
        Ok(Staging {
            output: output.to_path_buf(),
            temp,
            folders: Folders::default(),
            is_committed: false,
        })
    }

    /// Writes a file, creating its folder on first use. Safe to call from many threads: most
    /// pages have a folder of their own, so creating folders here keeps that work parallel too.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        self.folders.write(&self.temp, relative, bytes)
    }

    /// Swaps the staging folder in place of the output folder.
    pub fn commit(mut self) -> Result<()> {
        if self.output.exists() && exchange(&self.temp, &self.output).is_ok() {
            // The staging folder's name now holds the previous site.
            self.is_committed = true;
            return std::fs::remove_dir_all(&self.temp).map_err(|e| Error::io(&self.temp, e));
        }
        let old = self.temp.with_file_name(format!(
            ".{}-old-{}",
            self.output
                .file_name()
                .unwrap_or_default()
                .to_string_lossy(),
            std::process::id()
        ));
        let had_output = self.output.exists();
        if had_output {
            std::fs::rename(&self.output, &old).map_err(|e| Error::io(&self.output, e))?;
        }
        if let Err(e) = std::fs::rename(&self.temp, &self.output) {
            if had_output {
                // Put the previous site back rather than leave no site at all.
                let _ = std::fs::rename(&old, &self.output);
            }
            return Err(Error::io(&self.output, e));
        }
        self.is_committed = true;
        if had_output {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }
}

impl Output for Staging {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        Staging::write(self, relative, bytes)
    }

    fn remove(&self, relative: &str) -> Result<()> {
        let path = self.temp.join(relative);
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))
    }

    fn own_file(&self) -> Option<(&'static str, u64)> {
        Some((OUTPUT_MARKER, OUTPUT_MARKER_TEXT.len() as u64))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.is_committed {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
    }
}

/// Atomically swaps two folders' names.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let output = parent.join(name);
    let mut entries: Vec<_> = entries.flatten().collect();
    // Old outputs first: one may have to go back in place before staging folders go.
    entries.sort_by_key(|e| !e.file_name().to_string_lossy().contains("-old-"));
    for entry in entries {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let is_ours = [format!(".{name}-building-"), format!(".{name}-old-")]
            .iter()
            .any(|prefix| {
                file_name
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
            });
        if !is_ours || is_running(&file_name) {
            continue;
        }
        // A build killed between its two renames left the previous site here and none in place.
        if file_name.contains("-old-")
            && !output.exists()
            && std::fs::rename(entry.path(), &output).is_ok()
        {
            continue;
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

/// Whether the build that owns a staging folder (named after its process id) still runs.
fn is_running(folder_name: &str) -> bool {
    let pid = folder_name.rsplit('-').next().unwrap_or("");
    pid != std::process::id().to_string() && Path::new("/proc").join(pid).exists()
}

/// The folders made so far in a folder that starts empty and that only this build writes to:
/// a file's folder is made before its first file instead of after a failed attempt to open it,
/// which on a fresh site would be one failed system call per page.
#[derive(Default)]
struct Folders {
    made: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Folders {
    fn write(&self, root: &Path, relative: &str, bytes: &[u8]) -> Result<()> {
        if let Some((folder, _)) = relative.rsplit_once('/') {
            let is_made = (self.made.lock())
                .expect("no writer panics holding the lock")
                .contains(folder);
            if !is_made {
                // Two threads may both make it: `create_dir_all` accepts a folder that exists.
                let path = root.join(folder);
                std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
                self.made
                    .lock()
                    .expect("no writer panics holding the lock")
                    .insert(folder.to_string());
            }
        }
        let path = root.join(relative);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }
}

/// The file every build writes at the top of its output. A later build replaces only a folder
/// that has it (or that an earlier build wrote before it existed, see [`is_digestif_output`]).
pub const OUTPUT_MARKER: &str = ".digestif-output";

pub const OUTPUT_MARKER_TEXT: &str = "This folder is written by Digestif, which replaces it as a whole on every build.\nKeep nothing else here: it would be deleted.\n";

/// Which existing output folders a build may replace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Replace {
    /// Only an absent or empty folder, or one an earlier build wrote.
    #[default]
    OwnOutput,
    /// Any folder but the site's sources, the home folder and other sites
    /// (`--replace-output-dir`).
    AnyFolder,
}

/// The path made absolute, with what exists of it resolved (symbolic links, `..`) and the rest
/// kept as written.
fn resolved(path: &Path) -> PathBuf {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut existing = path.clone();
    let mut rest = Vec::new();
    while existing.symlink_metadata().is_err() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// Refuses an output folder whose replacement would delete what Digestif did not write: the
/// site's sources, a folder above them, the home folder, another site, or (unless `replace` is
/// [`Replace::AnyFolder`]) any folder with files an earlier build did not write.
fn check_output_location(output: &Path, site_root: &Path, replace: Replace) -> Result<()> {
    let home = std::env::var_os("HOME")
        .filter(|home| !home.is_empty())
        .map(PathBuf::from);
    check_output_location_at(output, site_root, replace, home.as_deref())
}

fn check_output_location_at(
    output: &Path,
    site_root: &Path,
    replace: Replace,
    home: Option<&Path>,
) -> Result<()> {
    let shown = output.display();
    let output = resolved(output);
    let root = resolved(site_root);
    let never = |why: &str| {
        Err(Error::Usage(format!(
            "refusing to write the site into {shown}: {why}, and the output folder is replaced as a whole on every build. Choose another --output-dir, such as {}",
            root.join("public").display()
        )))
    };
    if let Ok(metadata) = std::fs::metadata(&output)
        && !metadata.is_dir()
    {
        return Err(Error::Usage(format!(
            "--output-dir {shown} is a file, not a folder: the site is a folder of pages. Choose a folder that does not exist yet, such as {}",
            root.join("public").display()
        )));
    }
    if root.starts_with(&output) {
        return never("it holds the site's sources");
    }
    let sources = ["content", "templates", "static", "themes"];
    if let Some(folder) = sources.iter().find(|f| output.starts_with(root.join(f))) {
        return never(&format!("it is inside the site's {folder}/ folder"));
    }
    let home = home.map(resolved);
    if output.parent().is_none() || home.is_some_and(|home| home.starts_with(&output)) {
        return never("it holds your home folder");
    }
    if output.join(crate::config::CONFIG_FILE).exists() {
        return never("it holds another site (its site.toml)");
    }
    if replace == Replace::OwnOutput
        && let Some(foreign) = foreign_entry(&output)
    {
        return Err(Error::Usage(format!(
            "refusing to replace {shown}: it holds files that Digestif did not write, such as `{foreign}`, and a build replaces its output folder as a whole. Choose a new or empty folder for --output-dir, or pass --replace-output-dir if everything in {shown} may be deleted"
        )));
    }
    Ok(())
}

/// An entry of `folder` that shows it is not a Digestif output folder: `None` when the folder is
/// absent, empty or an earlier build's output.
fn foreign_entry(folder: &Path) -> Option<String> {
    let mut entries = std::fs::read_dir(folder).ok()?.flatten().peekable();
    let first = entries.peek()?.file_name().to_string_lossy().into_owned();
    if is_digestif_output(folder) {
        return None;
    }
    // Name a file the user will recognise rather than whichever the folder lists first.
    let visible = entries
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| !name.starts_with('.'));
    Some(visible.unwrap_or(first))
}

/// Whether an earlier build wrote `folder`: it has the marker, or, from a build made before the
/// marker existed, a home page whose generator tag names Digestif, or the files only Digestif
/// writes together (`.nojekyll`, `syntax.css` and `sitemap.xml`).
fn is_digestif_output(folder: &Path) -> bool {
    if folder.join(OUTPUT_MARKER).is_file() {
        return true;
    }
    let generator = "<meta name=\"generator\" content=\"Digestif ";
    let home_page_says_so = std::fs::File::open(folder.join("index.html")).is_ok_and(|file| {
        use std::io::Read as _;
        let mut head = Vec::with_capacity(8192);
        file.take(8192).read_to_end(&mut head).is_ok()
            && String::from_utf8_lossy(&head).contains(generator)
    });
    home_page_says_so
        || [".nojekyll", "syntax.css", "sitemap.xml"]
            .iter()
            .all(|name| folder.join(name).is_file())
}

/// Output path → a hash of what was written there; looked up for every page of every build.
pub(crate) type Hashes = std::collections::HashMap<String, u64, ahash::RandomState>;

/// Where a build's files go.
pub trait Output: Sync {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<()>;
    /// Writes `bytes`, which an output that keeps files in memory may keep without a copy: a
    /// large file made only to be written (a site's `papers.bib`) then exists once, not twice.
    fn write_owned(&self, relative: &str, bytes: Vec<u8>) -> Result<()> {
        self.write(relative, &bytes)
    }
    fn remove(&self, relative: &str) -> Result<()>;
    /// Whether the destination is live (served while we write): then a build renders every
    /// changed page before writing any, so an error leaves the previous site whole.
    fn is_live(&self) -> bool {
        false
    }
    /// A file the destination writes of its own and publishes with the site (the output marker),
    /// with its size: the site's size counts it.
    fn own_file(&self) -> Option<(&'static str, u64)> {
        None
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
    /// The marker a build would write: `check` states the size `build` would.
    fn own_file(&self) -> Option<(&'static str, u64)> {
        Some((OUTPUT_MARKER, OUTPUT_MARKER_TEXT.len() as u64))
    }
}

/// Passes on only the files whose bytes differ from the last build, remembering every hash.
pub(crate) struct ChangedOnly<'a> {
    inner: &'a dyn Output,
    previous: &'a Hashes,
    seen: std::sync::Mutex<(Hashes, Vec<String>)>,
}

impl<'a> ChangedOnly<'a> {
    pub(crate) fn new(inner: &'a dyn Output, previous: &'a Hashes) -> Self {
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
    pub(crate) fn finish(self) -> (Hashes, Vec<String>) {
        self.seen
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Output for ChangedOnly<'_> {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        if self.is_new(relative, bytes) {
            self.inner.write(relative, bytes)?;
        }
        Ok(())
    }

    fn write_owned(&self, relative: &str, bytes: Vec<u8>) -> Result<()> {
        if self.is_new(relative, &bytes) {
            self.inner.write_owned(relative, bytes)?;
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

impl ChangedOnly<'_> {
    /// Whether `bytes` differ from what the last build wrote at `relative`, remembering them as
    /// written now.
    fn is_new(&self, relative: &str, bytes: &[u8]) -> bool {
        let hash = crate::fingerprint::hash_of(bytes);
        let is_new = self.previous.get(relative) != Some(&hash);
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.0.insert(relative.to_string(), hash);
        if is_new {
            seen.1.push(relative.to_string());
        }
        is_new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_folder_may_not_hold_sources() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        let check = |output: &Path| check_output_location(output, root, Replace::AnyFolder);
        assert!(check(root).is_err());
        assert!(check(root.parent().unwrap()).is_err());
        assert!(check(&root.join("content/out")).is_err());
        assert!(check(&root.join("public")).is_ok());
    }

    #[test]
    fn the_home_folder_and_the_file_system_root_are_never_replaced() {
        let home = tempfile::tempdir().unwrap();
        let site = tempfile::tempdir().unwrap();
        let check = |output: &Path| {
            check_output_location_at(output, site.path(), Replace::AnyFolder, Some(home.path()))
                .map_err(|e| e.to_string())
        };
        let refused = check(home.path()).unwrap_err();
        assert!(refused.contains("home folder"), "{refused}");
        assert!(check(Path::new("/")).is_err());
        assert!(check(&home.path().join("elsewhere")).is_ok());
    }

    #[test]
    fn only_an_earlier_builds_folder_is_replaced_without_the_flag() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        let output = root.join("out");
        let check = || check_output_location(&output, root, Replace::OwnOutput);
        assert!(check().is_ok(), "an absent folder");
        std::fs::create_dir(&output).unwrap();
        assert!(check().is_ok(), "an empty folder");
        std::fs::write(output.join("index.html"), "<p>mine</p>").unwrap();
        let refused = check().unwrap_err().to_string();
        assert!(refused.contains("`index.html`"), "{refused}");
        assert!(refused.contains("--replace-output-dir"), "{refused}");
        // A build made before the marker existed: its generator tag.
        std::fs::write(
            output.join("index.html"),
            "<head><meta name=\"generator\" content=\"Digestif 0.1.0\"></head>",
        )
        .unwrap();
        assert!(check().is_ok(), "an earlier build's home page");
        std::fs::write(output.join("index.html"), "<p>mine</p>").unwrap();
        for file in [".nojekyll", "syntax.css"] {
            std::fs::write(output.join(file), "").unwrap();
        }
        assert!(
            check().is_err(),
            "two of the three files only Digestif writes"
        );
        std::fs::write(output.join("sitemap.xml"), "").unwrap();
        assert!(check().is_ok(), "an earlier build's files");
        for file in [".nojekyll", "syntax.css", "sitemap.xml"] {
            std::fs::remove_file(output.join(file)).unwrap();
        }
        std::fs::write(output.join(OUTPUT_MARKER), "").unwrap();
        assert!(check().is_ok(), "the marker");
    }

    #[test]
    fn files_written_at_once_from_many_threads_share_and_make_folders() {
        use rayon::prelude::*;
        let site = tempfile::tempdir().unwrap();
        let output = site.path().join("public");
        let staging = Staging::create(&output, site.path(), Replace::OwnOutput).unwrap();
        // Many files per folder and many new folders, written in parallel: a thread must never
        // write into a folder another thread has noted but not yet made.
        let paths: Vec<String> = (0..400)
            .map(|i| format!("papers/{}/deep/{}.html", i % 37, i))
            .chain(["top.html".to_string()])
            .collect();
        paths
            .par_iter()
            .for_each(|path| staging.write(path, path.as_bytes()).unwrap());
        staging.commit().unwrap();
        for path in &paths {
            assert_eq!(std::fs::read_to_string(output.join(path)).unwrap(), *path);
        }
    }

    #[test]
    fn failed_build_keeps_previous_output() {
        let site = tempfile::tempdir().unwrap();
        let output = site.path().join("public");
        std::fs::create_dir(&output).unwrap();
        std::fs::write(output.join(OUTPUT_MARKER), "").unwrap();
        std::fs::write(output.join("old.html"), "old").unwrap();
        {
            let staging = Staging::create(&output, site.path(), Replace::OwnOutput).unwrap();
            staging.write("new.html", b"new").unwrap();
            // Dropped without commit, as when a build fails.
        }
        assert!(output.join("old.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(site.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folder was not removed");
    }

    #[test]
    fn previous_output_comes_back_after_a_kill_between_renames() {
        let site = tempfile::tempdir().unwrap();
        let output = site.path().join("public");
        // What a build killed after its first rename leaves: no output, the old one set aside,
        // and its staging folder.
        let old = site.path().join(".public-old-999999999");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("index.html"), "previous").unwrap();
        std::fs::create_dir(site.path().join(".public-building-999999999")).unwrap();
        let staging = Staging::create(&output, site.path(), Replace::OwnOutput).unwrap();
        assert_eq!(
            std::fs::read_to_string(output.join("index.html")).unwrap(),
            "previous"
        );
        drop(staging);
        let names: Vec<String> = std::fs::read_dir(site.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["public"]);
    }

    #[test]
    fn commit_replaces_output_without_stale_files() {
        let site = tempfile::tempdir().unwrap();
        let output = site.path().join("public");
        std::fs::create_dir(&output).unwrap();
        std::fs::write(output.join(OUTPUT_MARKER), "").unwrap();
        std::fs::write(output.join("stale.html"), "old").unwrap();
        let staging = Staging::create(&output, site.path(), Replace::OwnOutput).unwrap();
        staging.write("a/b/index.html", b"new").unwrap();
        staging.commit().unwrap();
        assert!(!output.join("stale.html").exists());
        assert_eq!(
            std::fs::read_to_string(output.join("a/b/index.html")).unwrap(),
            "new"
        );
        assert_eq!(std::fs::read_dir(site.path()).unwrap().count(), 1);
    }
}
