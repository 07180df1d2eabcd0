//! Stage 2 of the pipeline: find every digest file under `content/` and read it.
//!
//! Every `*.md` file is a digest, except hidden files and folders (a leading `.`) and files whose
//! name starts with `_`, which are reserved for pages that are not digests. Files are read in
//! parallel; a file that is not UTF-8 is an error naming the first bad line.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::boundary::Boundary;
use crate::error::{Diagnostic, Error, Location, Result};

/// A digest file's text and where it lives.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, e.g. `content/2024-03-11.md`; used in every message.
    pub path: PathBuf,
    pub text: String,
}

/// Finds and reads every digest file, sorted by path. Unreadable files become diagnostics.
pub fn discover(root: &Path, boundary: &Boundary) -> Result<(Vec<SourceFile>, Vec<Diagnostic>)> {
    let (found, mut diagnostics) = list_sources(root, boundary)?;
    let read: Vec<std::result::Result<SourceFile, Box<Diagnostic>>> = found
        .par_iter()
        .map(|source| read_source(root, &source.path))
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for result in read {
        match result {
            Ok(file) => files.push(file),
            Err(d) => diagnostics.push(*d),
        }
    }
    Ok((files, diagnostics))
}

/// A digest file found on disk, not read yet.
#[derive(Debug, Clone)]
pub struct FoundSource {
    /// Absolute (or as joined to the root).
    pub path: PathBuf,
    /// Relative to the site root, as in messages.
    pub relative: PathBuf,
    /// What the file system says of the file, when it says it.
    pub stamp: Option<Stamp>,
}

/// A file's modification and change times, length and inode. Writing a file changes its change
/// time, which no tool can set back (`cp -p` and `rsync -t` restore only the modification time),
/// so an equal stamp means an equal file, except for a write within the file system's time
/// granularity of the moment the file was read: see [`Stamp::is_settled_before`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    modified: std::time::SystemTime,
    changed: (i64, i64),
    len: u64,
    inode: u64,
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Option<Stamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            Some(Stamp {
                modified: metadata.modified().ok()?,
                changed: (metadata.ctime(), metadata.ctime_nsec()),
                len: metadata.len(),
                inode: metadata.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            None
        }
    }

    /// Whether the file had last changed at least two seconds before `moment` (in seconds since
    /// the epoch), when it was read: a write soon after a read could leave the same stamp on a
    /// file system with coarse times, so a file read sooner after a change is read again.
    pub fn is_settled_before(&self, moment: i64) -> bool {
        self.changed.0 + 2 <= moment
    }
}

/// Reads one found file.
pub fn read_found(
    root: &Path,
    source: &FoundSource,
) -> std::result::Result<SourceFile, Box<Diagnostic>> {
    read_source(root, &source.path)
}

/// Lists every digest file, sorted by path. A symbolic link that leads out of the site is an
/// error, and what it points at is not read.
pub fn list_sources(
    root: &Path,
    boundary: &Boundary,
) -> Result<(Vec<FoundSource>, Vec<Diagnostic>)> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Error::Usage(format!(
            "no content/ folder in {}: create it and add a digest file such as content/{}.md",
            root.display(),
            "2024-03-11"
        )));
    }
    let mut diagnostics = Vec::new();
    let mut paths = Vec::new();
    let mut escapes = Vec::new();
    let walker = walkdir::WalkDir::new(&content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() > 0 && is_hidden(entry.file_name()) {
                return false;
            }
            let escape = if entry.depth() == 0 {
                boundary.check_path(entry.path())
            } else if entry.path_is_symlink() {
                boundary.check_link(entry.path())
            } else {
                None
            };
            escapes.extend(escape.clone());
            escape.is_none()
        });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() && is_digest_file(entry.path()) => {
                paths.push(entry.into_path());
            }
            // Reading a FIFO would block the build until something writes to it.
            Ok(entry) if !entry.file_type().is_dir() && is_digest_file(entry.path()) => {
                diagnostics.push(
                    Diagnostic::warning(
                        Location::file(relative(root, entry.path())),
                        "not a regular file (a named pipe, socket or device): skipped",
                    )
                    .with_hint("digest files are ordinary text files; remove it or rename it"),
                );
            }
            Ok(_) => {}
            Err(err) => {
                let path = err.path().map(|p| relative(root, p)).unwrap_or_default();
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop: this link points at a folder that contains it".to_string()
                } else {
                    err.io_error()
                        .map_or_else(|| err.to_string(), |e| e.to_string())
                };
                diagnostics.push(
                    Diagnostic::error(Location::file(path), message)
                        .with_hint("remove the link or point it elsewhere"),
                );
            }
        }
    }

    diagnostics.append(&mut escapes);
    let found = paths
        .into_iter()
        .map(|path| FoundSource {
            relative: relative(root, &path),
            stamp: std::fs::metadata(&path).ok().as_ref().and_then(Stamp::of),
            path,
        })
        .collect();
    Ok((found, diagnostics))
}

/// Larger files are refused unread: no digest is this big, and a build would spend minutes and
/// gigabytes on one (a 50 MB abstract took five minutes in a debug build).
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// The site's inputs beside the digests, both optional: the people file, parsed, and the home
/// page introduction (`content/_index.md`) as Markdown.
#[derive(Debug, Default)]
pub struct SiteTexts {
    pub people: super::people::People,
    pub home_intro: Option<String>,
}

/// Reads `content/people.toml` and `content/_index.md`; a problem in either is a diagnostic
/// naming the file, and leaves that input empty.
pub fn read_site_texts(root: &Path, boundary: &Boundary) -> (SiteTexts, Vec<Diagnostic>) {
    use super::people::{PEOPLE_FILE, People};
    let mut diagnostics = Vec::new();
    // A link out of the site is refused and read as an absent file.
    let mut read = |relative: &str| {
        let path = root.join(relative);
        match boundary.check_path(&path) {
            Some(escape) => {
                diagnostics.push(escape);
                Err(std::io::ErrorKind::NotFound.into())
            }
            None => std::fs::read_to_string(path),
        }
    };
    let people_text = read(PEOPLE_FILE);
    let intro = "content/_index.md";
    let intro_text = read(intro);
    let people = match people_text {
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
    let home_intro = match intro_text {
        // Pages and feeds cannot hold control characters; the file is prose, so they go quietly.
        Ok(text) => Some(super::clean::clean(&text, false).map_or(text, |(cleaned, _)| cleaned)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Location::file(intro),
                format!("cannot read the home page introduction: {e}"),
            ));
            None
        }
    };
    (SiteTexts { people, home_intro }, diagnostics)
}

fn read_source(root: &Path, path: &Path) -> std::result::Result<SourceFile, Box<Diagnostic>> {
    let relative_path = relative(root, path);
    let cannot_read = |e: std::io::Error| {
        Box::new(Diagnostic::error(
            Location::file(&relative_path),
            format!("cannot read: {e}"),
        ))
    };
    let size = std::fs::metadata(path).map_err(cannot_read)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Box::new(
            Diagnostic::error(
                Location::file(&relative_path),
                format!(
                    "the file is {:.1} MB, more than the {} MB a digest file may hold",
                    size as f64 / 1e6,
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            )
            .with_hint("is it a digest? keep large files out of content/, or split the digest"),
        ));
    }
    let bytes = std::fs::read(path).map_err(cannot_read)?;
    if let Some(encoding) = wide_encoding(&bytes) {
        return Err(Box::new(wide_encoding_error(
            Location::file(relative_path),
            encoding,
        )));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = line_and_column(&bytes[..nul]);
        return Err(Box::new(
            Diagnostic::error(
                Location::at(relative_path, line, Some(column)),
                "the file holds a NUL byte, so it is not a text file",
            )
            .with_hint("remove the NUL character; if the file is binary, keep it out of content/"),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile {
            path: relative_path,
            text,
        }),
        Err(err) => {
            let (line, column) = line_and_column(&err.as_bytes()[..err.utf8_error().valid_up_to()]);
            Err(Box::new(
                Diagnostic::error(
                    Location::at(relative_path, line, Some(column)),
                    "the file is not valid UTF-8 text",
                )
                .with_hint("save the file as UTF-8 in your editor"),
            ))
        }
    }
}

/// The encoding of text saved as UTF-16 or UTF-32, by its byte-order mark, or by the zero bytes
/// that ASCII text has between its letters in UTF-16 without one.
pub(crate) fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] | [0, 0, 0xFE, 0xFF, ..] => return Some("UTF-32"),
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => return Some("UTF-16"),
        _ => {}
    }
    let head = &bytes[..bytes.len().min(64)];
    let zeros_at = |parity: usize| {
        head.iter()
            .enumerate()
            .filter(|&(i, &b)| i % 2 == parity && b == 0)
            .count()
    };
    let pairs = head.len() / 2;
    let looks_wide = pairs >= 4 && (zeros_at(0) * 4 >= pairs * 3 || zeros_at(1) * 4 >= pairs * 3);
    looks_wide.then_some("UTF-16")
}

/// "This file is UTF-16; save it as UTF-8."
pub(crate) fn wide_encoding_error(location: Location, encoding: &str) -> Diagnostic {
    Diagnostic::error(
        location,
        format!("this file is {encoding}; save it as UTF-8"),
    )
    .with_hint(
        "in your editor, choose Save with Encoding → UTF-8 (Notepad: Save As → Encoding: UTF-8)",
    )
}

/// The 1-based line and column of the byte after `before`, columns counted in characters.
pub(crate) fn line_and_column(before: &[u8]) -> (usize, usize) {
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn is_digest_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.ends_with(".md") && !name.starts_with('_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_encodings_are_told_apart_from_utf8() {
        let utf16le: Vec<u8> = "+++\ntitle"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let utf16be: Vec<u8> = "+++\ntitle"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(
            wide_encoding(&[&[0xFF, 0xFE][..], &utf16le].concat()),
            Some("UTF-16")
        );
        assert_eq!(
            wide_encoding(&[&[0xFE, 0xFF][..], &utf16be].concat()),
            Some("UTF-16")
        );
        assert_eq!(wide_encoding(&utf16le), Some("UTF-16"));
        assert_eq!(wide_encoding(&utf16be), Some("UTF-16"));
        assert_eq!(
            wide_encoding(&[0xFF, 0xFE, 0, 0, b'+', 0, 0, 0]),
            Some("UTF-32")
        );
        assert_eq!(
            wide_encoding(&[0, 0, 0xFE, 0xFF, 0, 0, 0, b'+']),
            Some("UTF-32")
        );
        assert_eq!(wide_encoding("+++\ntitle = \"ü\"\n".as_bytes()), None);
        assert_eq!(
            wide_encoding(b"+++\ntitle\0 = 1\n"),
            None,
            "one NUL is not UTF-16"
        );
    }

    #[test]
    fn digest_files_are_markdown_not_reserved() {
        assert!(is_digest_file(Path::new("content/2024-03-11.md")));
        assert!(!is_digest_file(Path::new("content/_index.md")));
        assert!(!is_digest_file(Path::new("content/notes.txt")));
    }
}
