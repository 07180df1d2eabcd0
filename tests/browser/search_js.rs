//! Runs tests/js/search.test.js with node's built-in test runner, after writing what the Rust
//! side computes (stems, tokens, shard routing, a built fixture site) for it to compare with.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use digestif::search::{shards, text};
use serde_json::json;

use crate::support::TestSite;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Words to stem: a list made to reach every rule, and every word of the repository's prose.
fn words() -> Vec<String> {
    let mut words = BTreeSet::new();
    let listed = std::fs::read_to_string(repo().join("tests/js/stem_words.txt")).unwrap();
    for line in listed.lines().filter(|l| !l.starts_with('#')) {
        words.insert(line.trim().to_string());
    }
    let mut sources = vec![
        repo().join("README.md"),
        repo().join("examples/gen_corpus.rs"),
    ];
    for dir in ["content", "docs", "tests/fixtures"] {
        for entry in walkdir::WalkDir::new(repo().join(dir))
            .into_iter()
            .flatten()
        {
            if entry.path().extension().is_some_and(|e| e == "md") {
                sources.push(entry.into_path());
            }
        }
    }
    for source in sources {
        let prose = std::fs::read_to_string(&source).unwrap();
        for token in text::tokens(&prose) {
            if token.bytes().all(|b| b.is_ascii_lowercase()) {
                words.insert(token);
            }
        }
    }
    words.into_iter().filter(|w| !w.is_empty()).collect()
}

fn routing() -> serde_json::Value {
    let lists: Vec<Vec<u8>> = (0..60u32)
        .map(|i| {
            let mut bytes = Vec::new();
            digestif::search::postings::encode(&[], &mut bytes);
            digestif::search::postings::encode(&[], &mut bytes);
            let docs: Vec<u32> = (0..6000).map(|d| d * 5 + i % 5).collect();
            digestif::search::postings::encode(&docs, &mut bytes);
            bytes
        })
        .collect();
    let stems = ["ma", "mo", "mod", "modal", "mu", "école", "über", "北京"];
    let mut keys: Vec<String> = (0..60)
        .map(|i| format!("{}{}", stems[i % stems.len()], i / stems.len()))
        .collect();
    keys.sort();
    let cut = shards::cut(
        keys.iter()
            .zip(&lists)
            .map(|(k, l)| (k.as_str(), shards::Value::Lists(l))),
    );
    assert!(cut.files.len() > 5, "enough shards to route between");
    let probes = [
        "", "a", "m", "ma", "mo", "mod", "moda", "modal", "modal3", "mu", "z", "é", "éc", "ü",
        "北", "北京1", "zzz",
    ];
    json!({
        "separators": cut.separators,
        "keys": keys.iter().chain(probes.iter().map(|p| p.to_string()).collect::<Vec<_>>().iter())
            .map(|k| json!([k, shards::shard_of(&cut.separators, k)]))
            .collect::<Vec<_>>(),
        "prefixes": probes.iter().filter(|p| !p.is_empty())
            .map(|p| json!([p, shards::shards_of_prefix(&cut.separators, p).collect::<Vec<_>>()]))
            .collect::<Vec<_>>(),
    })
}

/// Lists in every encoding (empty, deltas, bitset, Rice), as hex, with their paper numbers.
fn lists() -> serde_json::Value {
    let cases: Vec<Vec<u32>> = vec![
        vec![],
        vec![7],
        vec![3, 900, 100_000],
        (1000..3000).step_by(3).collect(),
        (0..5000u32).map(|i| i * 20 + (i * 7919) % 13).collect(),
        (0..300u32).map(|i| i * i).collect(),
        vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 31, 32, 33, 63, 64, 65],
    ];
    json!(
        cases
            .into_iter()
            .map(|docs| {
                let mut bytes = Vec::new();
                digestif::search::postings::encode(&docs, &mut bytes);
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                json!([hex, docs])
            })
            .collect::<Vec<_>>()
    )
}

pub(crate) fn search_js_agrees_with_the_index_and_ranks_as_documented() {
    let fixtures = tempfile::tempdir().unwrap();
    let site = TestSite::fixture("search");
    let mut options = site.options();
    options.output_dir = Some(fixtures.path().join("site"));
    digestif::build(&options).expect("the search fixture builds");

    let stems: Vec<(String, String)> = words()
        .into_iter()
        .map(|w| {
            let s = text::stem(&w);
            (w, s)
        })
        .collect();
    let samples = [
        "Schrödinger's GPT-4: ALR² ﬁne-tuning",
        "Straße Ærø Łódź Þór İstanbul ΣΊΣΥΦΟΣ",
        "e\u{301}cole, naïve coöperation; x½y ＡＢＣ１２",
        "北京大学 and 한국어 text",
        "\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})",
    ];
    let tokens: Vec<(&str, Vec<String>)> = samples.iter().map(|s| (*s, text::tokens(s))).collect();
    let write = |name: &str, value: serde_json::Value| {
        std::fs::write(fixtures.path().join(name), value.to_string()).unwrap();
    };
    write("stems.json", json!(stems));
    write("tokens.json", json!(tokens));
    write("routing.json", routing());
    write("lists.json", lists());

    let output = Command::new(crate::tools::path(crate::tools::Tool::Node))
        .arg("--test")
        .arg(repo().join("tests/js/search.test.js"))
        .env("DIGESTIF_JS_FIXTURES", fixtures.path())
        .output()
        .expect("node runs (install Node.js 20 or newer)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node --test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
    assert!(
        stdout.contains("# skipped 0"),
        "no test may be skipped:\n{stdout}"
    );
}
