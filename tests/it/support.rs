//! Helpers: make a site in a temporary folder, build it, read and scan the output.

use std::path::{Path, PathBuf};

use digestif::{BuildOptions, BuildReport, Error};

pub const SITE_TOML: &str = "title = \"Test site\"\nbase_url = \"https://example.org/\"\n";

pub struct TestSite {
    pub dir: tempfile::TempDir,
}

impl TestSite {
    /// An empty site with a minimal site.toml and an empty content folder.
    pub fn new() -> Self {
        let site = TestSite {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        site.write("site.toml", SITE_TOML);
        std::fs::create_dir_all(site.root().join("content")).expect("content dir");
        site
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Self {
        let site = TestSite {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_tree(&from, site.root());
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, relative: &str, text: &str) -> &Self {
        self.write_bytes(relative, text.as_bytes())
    }

    pub fn write_bytes(&self, relative: &str, bytes: &[u8]) -> &Self {
        let path = self.root().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    pub fn options(&self) -> BuildOptions {
        BuildOptions::new(self.root())
    }

    pub fn build(&self) -> Result<Built, Error> {
        self.build_with(self.options())
    }

    /// Builds, and checks that every XML and JSON file of the output parses.
    pub fn build_with(&self, options: BuildOptions) -> Result<Built, Error> {
        let out = options.output_dir();
        let report = digestif::build(&options)?;
        let built = Built { out, report };
        built.assert_well_formed();
        Ok(built)
    }

    /// The build's error text; panics if the build succeeds.
    pub fn build_error(&self) -> String {
        match self.build() {
            Ok(_) => panic!("the build succeeded but should have failed"),
            Err(e) => e.to_string(),
        }
    }
}

pub struct Built {
    pub out: PathBuf,
    pub report: BuildReport,
}

impl Built {
    pub fn read(&self, relative: &str) -> String {
        let path = self.out.join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn exists(&self, relative: &str) -> bool {
        self.out.join(relative).exists()
    }

    /// Every file of the output, relative, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(&self.out)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&self.out)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        files.sort();
        files
    }

    /// Every XML file parses with a strict XML 1.0 parser (which refuses control characters),
    /// every JSON file with a JSON parser, and no page holds a control character.
    pub fn assert_well_formed(&self) {
        for file in self.files() {
            let path = self.out.join(&file);
            if file.ends_with(".xml") {
                let text = std::fs::read_to_string(&path).unwrap();
                if let Err(e) = roxmltree::Document::parse(&text) {
                    panic!("{file} is not well-formed XML: {e}");
                }
            } else if file.ends_with(".json") {
                let bytes = std::fs::read(&path).unwrap();
                if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    panic!("{file} is not valid JSON: {e}");
                }
            } else if file.ends_with(".html") || file.ends_with(".txt") {
                let bytes = std::fs::read(&path).unwrap();
                let control = bytes
                    .iter()
                    .position(|&b| (b < b' ' && !b"\t\n\r".contains(&b)) || b == 0x7f);
                assert!(control.is_none(), "{file} holds a control character");
            }
        }
    }

    pub fn html_files(&self) -> Vec<String> {
        self.files()
            .into_iter()
            .filter(|f| f.ends_with(".html"))
            .collect()
    }
}

/// A minimal digest file with the given papers (TOML tables without the `[[papers]]` line).
pub fn digest(title: &str, date: &str, papers: &[&str]) -> String {
    let mut text = format!("+++\ntitle = \"{title}\"\ndate = {date}\n");
    for paper in papers {
        text.push_str("\n[[papers]]\n");
        text.push_str(paper);
        text.push('\n');
    }
    text.push_str("+++\nIntro.\n");
    text
}

/// Every `href="…"` and `src="…"` value in an HTML text.
pub fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            found.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    found
}

/// Internal links (root-relative, under `base_path`) that do not resolve to an output file.
pub fn broken_links(built: &Built, base_path: &str) -> Vec<String> {
    let mut broken = Vec::new();
    for page in built.html_files() {
        for link in links(&built.read(&page)) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
                || link.starts_with('#')
            {
                continue;
            }
            let Some(path) = link.strip_prefix(base_path) else {
                broken.push(format!("{page}: {link} is not under {base_path}"));
                continue;
            };
            let path = path.split(['#', '?']).next().unwrap_or("");
            let file = if path.is_empty() || path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.to_string()
            };
            if !built.exists(&file) {
                broken.push(format!("{page}: {link}"));
            }
        }
    }
    broken
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Output files in memory, for incremental builds.
#[derive(Default)]
pub struct Memory(pub std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>);

impl Memory {
    pub fn read(&self, relative: &str) -> Option<String> {
        let files = self.0.lock().unwrap();
        files
            .get(relative)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }

    pub fn into_files(self) -> std::collections::BTreeMap<String, Vec<u8>> {
        self.0.into_inner().unwrap()
    }

    /// A copy of every file, for a comparison in the middle of a sequence of builds.
    pub fn files(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        self.0.lock().unwrap().clone()
    }
}

/// Asserts that `got` holds the same files as `expected`, byte for byte; `what` names the
/// comparison in the message (`"after [edits]"`, `"in batches of 3"`).
pub fn assert_same_files(
    got: &std::collections::BTreeMap<String, Vec<u8>>,
    expected: &std::collections::BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "the files differ {what}"
    );
    for (path, bytes) in expected {
        assert!(got[path] == *bytes, "{path} differs {what}");
    }
}

impl digestif::engine::Output for Memory {
    fn write(&self, relative: &str, bytes: &[u8]) -> digestif::Result<()> {
        self.0
            .lock()
            .unwrap()
            .insert(relative.to_string(), bytes.to_vec());
        Ok(())
    }
    fn remove(&self, relative: &str) -> digestif::Result<()> {
        self.0.lock().unwrap().remove(relative);
        Ok(())
    }
}
