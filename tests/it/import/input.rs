//! What an import reads: at most 64 MB, only text, and at least one entry (issue 23, "No input
//! size limit").

use super::{TestSite, import, rng};

/// Bytes from a fixed-seed generator: binary noise, the same on every run.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut next = rng(seed);
    (0..len).map(|_| next(256) as u8).collect()
}

fn import_error(site: &TestSite, args: &[&str]) -> String {
    import(site, args).unwrap_err().to_string()
}

// `import bibtex /dev/zero` once read until it held 9.4 GB.
#[cfg(unix)]
#[test]
fn an_endless_input_stops_at_the_size_limit() {
    let site = TestSite::new();
    let error = import_error(&site, &["bibtex", "/dev/zero"]);
    assert!(
        error.contains("/dev/zero: error: the input is larger than the 64 MB an import reads"),
        "{error}"
    );
    assert!(error.contains("split it into smaller files"), "{error}");
}

// Random bytes once imported as papers, with exit 0.
#[test]
fn random_bytes_are_refused_by_every_importer() {
    let site = TestSite::new();
    for (seed, len) in [(1, 4000), (2, 300), (3, 100_000)] {
        site.write_bytes("noise.bin", &noise(len, seed));
        let path = site.root().join("noise.bin");
        let path = path.to_str().unwrap();
        for importer in ["bibtex", "csl-json", "text"] {
            let error = import_error(&site, &[importer, path]);
            assert!(
                error.contains("noise.bin:") && error.contains("not a text file")
                    || error.contains("does not look like text"),
                "{importer}, {len} bytes: {error}"
            );
        }
        let error = import_error(&site, &["arxiv", "--file", path]);
        assert!(error.contains("noise.bin:"), "{error}");
    }
    let written = std::fs::read_dir(site.root().join("content"))
        .unwrap()
        .count();
    assert_eq!(written, 0, "nothing was written");
}

#[test]
fn a_file_with_no_entry_is_refused_with_what_to_do() {
    let site = TestSite::new();
    let cases = [
        (
            "bibtex",
            "notes.bib",
            "% only a comment\nSome words, no entry.\n",
            "notes.bib: error: no BibTeX entry",
        ),
        (
            "csl-json",
            "empty.json",
            "[]\n",
            "empty.json: error: the list holds no CSL-JSON item",
        ),
        (
            "text",
            "furniture.txt",
            "Daily Papers\nSubscribe\n\n42\n",
            "furniture.txt: error: no paper in the text",
        ),
        (
            "arxiv",
            "empty.xml",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>",
            "empty.xml: error: the response holds no <entry>",
        ),
    ];
    for (importer, name, text, expected) in cases {
        site.write(name, text);
        let path = site.root().join(name);
        let path = path.to_str().unwrap();
        let args: Vec<&str> = if importer == "arxiv" {
            vec![importer, "--file", path]
        } else {
            vec![importer, path]
        };
        let error = import_error(&site, &args);
        assert!(error.contains(expected), "{importer}: {error}");
        assert!(
            error.contains("help: "),
            "{importer} says what to do: {error}"
        );
    }
}
