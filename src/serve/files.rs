//! The preview's files, kept in memory: `serve` writes nothing to disk.
//!
//! Each file is kept once, as it will be sent: text compressed with gzip when it is worth it
//! (most clients accept it, and a 50,000-paper site then fits in a few hundred megabytes), HTML
//! with the reload script already in it. A client that does not accept gzip gets the text
//! decompressed on the way out. The engine writes here through [`Output`] like any build; a
//! request reads a shared handle to the body, so a rebuild never waits for a slow download.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use axum::body::Bytes;

use crate::error::Result;
use crate::write::Output;

/// One spelling of the script's path for the constants below (`concat!` takes literals only).
macro_rules! reload_script_path {
    () => {
        "/__digestif/reload.js"
    };
}

/// Where pages load the reload script from; the HTTP side answers it.
pub const SCRIPT_PATH: &str = reload_script_path!();

/// What a page gets before `</body>`: a constant, as the serve start-up adds it to every page.
const RELOAD_SCRIPT_TAG: &str = concat!(
    "<script src=\"",
    reload_script_path!(),
    "\" defer></script>"
);

/// Below this size gzip saves too little to pay for its header and the client's work.
const GZIP_FROM: usize = 512;

/// One file as it is served.
#[derive(Debug)]
pub struct Served {
    pub content_type: &'static str,
    body: Bytes,
    is_gzip: bool,
    /// For text kept as it is: its gzip form, made on the first request that accepts it.
    gzipped: OnceLock<Option<Bytes>>,
}

impl Served {
    /// The file at `relative`; text is compressed now when `compress_now`, else on the first
    /// request that accepts gzip (a save rewrites a few files, some of them megabytes of
    /// bibliography, and the reload should not wait for their compression).
    pub fn new(relative: &str, bytes: &[u8], compress_now: bool) -> Served {
        let content_type = content_type(Path::new(relative));
        // A page goes out with the script: its parts are joined in a per-thread buffer on the way
        // into the compressor, never in an allocation of their own.
        let page_parts: [&[u8]; 3];
        let parts: &[&[u8]] = if content_type.starts_with("text/html") {
            let (head, tail) = bytes.split_at(reload_script_position(bytes));
            page_parts = [head, RELOAD_SCRIPT_TAG.as_bytes(), tail];
            &page_parts
        } else {
            std::slice::from_ref(&bytes)
        };
        let len: usize = parts.iter().map(|part| part.len()).sum();
        if compress_now
            && is_compressible(content_type)
            && len >= GZIP_FROM
            && let Some(compressed) = gzip(parts)
        {
            return Served::kept(content_type, compressed, true);
        }
        Served::kept(content_type, Bytes::from(parts.concat()), false)
    }

    /// `body` as it will be kept: gzip-encoded or not.
    fn kept(content_type: &'static str, body: Bytes, is_gzip: bool) -> Served {
        Served {
            content_type,
            body,
            is_gzip,
            gzipped: OnceLock::new(),
        }
    }

    /// The body for a client, and whether it is gzip-encoded: as kept when the client accepts
    /// gzip (or it is not compressed), else decompressed.
    pub fn body(&self, accepts_gzip: bool) -> (Bytes, bool) {
        if !self.is_gzip && accepts_gzip {
            let gzipped = self.gzipped.get_or_init(|| {
                is_worth_gzip(self.content_type, &self.body)
                    .then(|| gzip(&[&self.body]))
                    .flatten()
            });
            if let Some(gzipped) = gzipped {
                return (gzipped.clone(), true);
            }
        }
        if !self.is_gzip || accepts_gzip {
            return (self.body.clone(), self.is_gzip);
        }
        let mut plain = Vec::with_capacity(self.body.len() * 3);
        match flate2::read::GzDecoder::new(&self.body[..]).read_to_end(&mut plain) {
            Ok(_) => (Bytes::from(plain), false),
            // Compressed by us a moment ago: it cannot fail to decompress; if it did, the
            // compressed bytes are still a truthful answer.
            Err(_) => (self.body.clone(), true),
        }
    }

    /// Whether the file may differ by `Accept-Encoding`.
    pub fn is_compressible(&self) -> bool {
        is_compressible(self.content_type)
    }
}

fn is_worth_gzip(content_type: &str, bytes: &[u8]) -> bool {
    is_compressible(content_type) && bytes.len() >= GZIP_FROM
}

/// The concatenation of `parts` as a gzip member, at libdeflate's fastest level, in an
/// allocation of exactly its size. libdeflate's level 1 makes bodies a quarter smaller than
/// zlib's level 1 for an eighth more time (measured on a 10,000-paper site: 66 against 87 MB).
/// Each thread keeps its compressor and two scratch buffers: a fresh compressor per file
/// allocates (and the kernel zeroes) its tables every time, which cost more than compressing a
/// page, and bodies cut to size from a scratch buffer leave no half-used allocations among the
/// long-lived ones (at 50,000 papers that slack was a few hundred megabytes).
fn gzip(parts: &[&[u8]]) -> Option<Bytes> {
    struct Scratch {
        compressor: libdeflater::Compressor,
        joined: Vec<u8>,
        out: Vec<u8>,
    }
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch {
            // Level 1: `fastest()` is libdeflate's level 0, which stores without compressing.
            compressor: libdeflater::Compressor::new(
                libdeflater::CompressionLvl::new(1).unwrap_or_default(),
            ),
            joined: Vec::new(),
            out: Vec::new(),
        });
    }
    SCRATCH.with_borrow_mut(|scratch| {
        let input: &[u8] = match parts {
            [only] => only,
            _ => {
                scratch.joined.clear();
                parts
                    .iter()
                    .for_each(|part| scratch.joined.extend_from_slice(part));
                &scratch.joined
            }
        };
        let bound = scratch.compressor.gzip_compress_bound(input.len());
        if scratch.out.len() < bound {
            scratch.out.resize(bound, 0);
        }
        let written = scratch
            .compressor
            .gzip_compress(input, &mut scratch.out)
            .ok()?;
        Some(Bytes::copy_from_slice(&scratch.out[..written]))
    })
}

/// Output path (relative, with `/`) → the file served there.
#[derive(Default)]
pub struct SiteFiles {
    files: RwLock<HashMap<String, Arc<Served>>>,
    is_serving: AtomicBool,
}

impl SiteFiles {
    /// The file at `relative`, if the site has one.
    pub fn get(&self, relative: &str) -> Option<Arc<Served>> {
        self.files
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(relative)
            .cloned()
    }

    /// From now on the site is served while rebuilds write: a rebuild renders every page before
    /// it stores any, so a failed one changes nothing.
    pub fn start_serving(&self) {
        self.is_serving.store(true, Ordering::SeqCst);
    }

    /// Keeps `paths` compressed from now on, where a rebuild wrote them as they are. Meant for a
    /// background thread once a save's reload has gone out: until then a large file (the whole
    /// site's `papers.bib`, megabytes at 50,000 papers) would sit uncompressed, and each save
    /// would leave more of them. A file written again meanwhile is left to the newer build.
    pub fn compress_written(&self, paths: &[String]) {
        for path in paths {
            let Some(kept) = self.get(path) else {
                continue;
            };
            if kept.is_gzip || !is_worth_gzip(kept.content_type, &kept.body) {
                continue;
            }
            let compressed = match kept.gzipped.get() {
                Some(done) => done.clone(),
                None => gzip(&[&kept.body]),
            };
            let Some(body) = compressed else {
                continue;
            };
            let served = Arc::new(Served::kept(kept.content_type, body, true));
            let mut files = self
                .files
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(current) = files.get_mut(path)
                && Arc::ptr_eq(current, &kept)
            {
                *current = served;
            }
        }
    }

    /// How many files, and how many bytes they take as kept.
    pub fn size(&self) -> (usize, usize) {
        let files = self
            .files
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (files.len(), files.values().map(|f| f.body.len()).sum())
    }
}

impl Output for SiteFiles {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        // Compressed before the lock is taken: writers run on every core.
        let served = Arc::new(Served::new(relative, bytes, !self.is_live()));
        self.files
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(relative.to_string(), served);
        Ok(())
    }

    fn write_owned(&self, relative: &str, bytes: Vec<u8>) -> Result<()> {
        let content_type = content_type(Path::new(relative));
        let served = if self.is_live() && !content_type.starts_with("text/html") {
            // Kept as written, without a copy; compressed after the reload (`compress_written`).
            Served::kept(content_type, Bytes::from(bytes), false)
        } else {
            Served::new(relative, &bytes, !self.is_live())
        };
        self.files
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(relative.to_string(), Arc::new(served));
        Ok(())
    }

    fn remove(&self, relative: &str) -> Result<()> {
        self.files
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(relative);
        Ok(())
    }

    fn is_live(&self) -> bool {
        self.is_serving.load(Ordering::SeqCst)
    }
}

/// Before the last `</body>`, or at the end when there is none.
fn reload_script_position(html: &[u8]) -> usize {
    html.windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len())
}

pub fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "bib" => "application/x-bibtex; charset=utf-8",
        "ris" => "application/x-research-info-systems",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

pub fn is_compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || [
            "application/json",
            "application/xml",
            "image/svg+xml",
            "application/x-bibtex",
            "application/x-research-info-systems",
        ]
        .iter()
        .any(|t| content_type.starts_with(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_compressed_and_given_back_whole() {
        let files = SiteFiles::default();
        let page = format!("<html><body>{}</body></html>", "paper ".repeat(500));
        files.write("papers/a/index.html", page.as_bytes()).unwrap();
        let served = files.get("papers/a/index.html").unwrap();
        assert!(served.is_gzip && served.body.len() < page.len() / 4);
        let (gzip, is_gzip) = served.body(true);
        assert!(is_gzip);
        assert_eq!(gzip, served.body);
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert!(decoded.contains("/__digestif/reload.js"));
        let (plain, is_gzip) = served.body(false);
        assert!(!is_gzip);
        let plain = String::from_utf8(plain.to_vec()).unwrap();
        assert!(plain.starts_with("<html><body>paper paper"));
        assert!(
            plain.contains("/__digestif/reload.js"),
            "the reload script is in"
        );
    }

    #[test]
    fn a_file_written_while_serving_is_compressed_when_first_asked_for() {
        let files = SiteFiles::default();
        files.start_serving();
        let bib = "@article{a, title = {A}}\n".repeat(200);
        files.write("papers.bib", bib.as_bytes()).unwrap();
        let served = files.get("papers.bib").unwrap();
        assert!(!served.is_gzip, "kept as it is at first");
        let (plain, is_gzip) = served.body(false);
        assert!(!is_gzip && plain == bib.as_bytes());
        let (gzipped, is_gzip) = served.body(true);
        assert!(is_gzip && gzipped.len() < bib.len() / 4);
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gzipped[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, bib);
    }

    #[test]
    fn files_written_while_serving_are_compressed_afterwards() {
        let files = SiteFiles::default();
        files.start_serving();
        let bib = "@article{a, title = {A}}\n".repeat(200);
        files.write("papers.bib", bib.as_bytes()).unwrap();
        files.write("topics/a/papers.bib", bib.as_bytes()).unwrap();
        files.write("robots.txt", b"User-agent: *").unwrap();
        // A newer build writes one of them again before the compression gets to it.
        let newer = "@misc{b, title = {B}}\n".repeat(300);
        files
            .write("topics/a/papers.bib", newer.as_bytes())
            .unwrap();
        let paths = [
            "papers.bib",
            "topics/a/papers.bib",
            "robots.txt",
            "gone.bib",
        ];
        files.compress_written(&paths.map(String::from));
        for (path, text) in [("papers.bib", &bib), ("topics/a/papers.bib", &newer)] {
            let served = files.get(path).unwrap();
            assert!(
                served.is_gzip && served.body.len() < text.len() / 4,
                "{path}"
            );
            assert_eq!(served.body(false).0, text.as_bytes(), "{path}");
            assert_eq!(served.body(true), (served.body.clone(), true), "{path}");
        }
        assert!(
            !files.get("robots.txt").unwrap().is_gzip,
            "too small to be worth it"
        );
    }

    #[test]
    fn small_and_binary_files_are_kept_as_they_are() {
        let files = SiteFiles::default();
        files.write("robots.txt", b"User-agent: *").unwrap();
        files.write("photo.png", &[0x89; 4096]).unwrap();
        for path in ["robots.txt", "photo.png"] {
            let (body, is_gzip) = files.get(path).unwrap().body(true);
            assert!(!is_gzip, "{path}");
            assert!(body.len() == 13 || body.len() == 4096);
        }
        files.remove("robots.txt").unwrap();
        assert!(files.get("robots.txt").is_none());
    }

    #[test]
    fn script_goes_before_the_closing_body_tag() {
        let page = b"<html><body><p>x</p></BODY></html>";
        let (html, _) = Served::new("index.html", page, false).body(false);
        assert_eq!(
            String::from_utf8(html.to_vec()).unwrap(),
            "<html><body><p>x</p><script src=\"/__digestif/reload.js\" defer></script></BODY></html>"
        );
        let (html, _) = Served::new("index.html", b"<p>no body tag</p>", false).body(false);
        assert!(html.ends_with(b"</p><script src=\"/__digestif/reload.js\" defer></script>"));
    }

    #[test]
    fn a_page_compressed_from_its_parts_decompresses_to_the_page_with_its_script() {
        // Text that barely compresses, so the output outgrows its first reservation in every part.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut noise = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        };
        let head: String = (0..300_000).map(|_| noise()).collect();
        let tail: String = (0..200_000).map(|_| noise()).collect();
        let page = format!("<html><body>{head}</body>{tail}</html>");
        let served = Served::new("big/index.html", page.as_bytes(), true);
        assert!(served.is_gzip);
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&served.body[..])
            .read_to_string(&mut decoded)
            .unwrap();
        let expected = page.replacen(
            "</body>",
            "<script src=\"/__digestif/reload.js\" defer></script></body>",
            1,
        );
        assert!(
            decoded == expected,
            "the page comes back whole, script in place"
        );
        assert_eq!(served.body(false).0, expected.as_bytes());
    }
}
