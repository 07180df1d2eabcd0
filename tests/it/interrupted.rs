//! A build killed with SIGKILL half-way leaves the previous site as it was, and the next build
//! cleans up what the killed one left. Runs the real binary on a generated corpus big enough to
//! be caught mid-build.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::process::Command;

use crate::support::TestSite;

const DIGESTS: usize = 25;
const PAPERS_PER_DIGEST: usize = 60;

fn write_corpus(site: &TestSite, version: usize) {
    let topics = [
        "diffusion",
        "transformers",
        "reinforcement learning",
        "graphs",
        "optimisation",
        "robotics",
        "vision",
        "speech",
    ];
    for d in 0..DIGESTS {
        let mut text = format!(
            "+++\ntitle = \"Digest {d}, version {version}\"\ndate = 2024-01-{:02}\n",
            d % 28 + 1
        );
        text.push_str(&format!("slug = \"digest-{d}\"\n"));
        for p in 0..PAPERS_PER_DIGEST {
            let topic = topics[(d + p) % topics.len()];
            text.push_str(&format!(
                "\n[[papers]]\ntitle = \"Paper {d}-{p}, version {version}\"\nauthors = [\"Ada Lovelace\", \"Alan Turing\"]\narxiv = \"{:04}.{:05}\"\ntopics = [\"{topic}\", \"topic {}\"]\nabstract = '''We bound $\\|x_{{{p}}}\\|_2^2 \\le \\frac{{1}}{{{d}}}$ for *every* input, and show\n$$\\int_0^1 f(x)\\,dx = \\sum_{{k=1}}^{{n}} a_k.$$\nThe rest of the abstract is plain text about {topic}.'''\n",
                2001 + d,
                p + 1,
                p % 40
            ));
        }
        text.push_str(&format!(
            "+++\nIntroduction of digest {d}, version {version}.\n"
        ));
        site.write(&format!("content/digest-{d}.md"), &text);
    }
}

/// Every file under `dir` with a hash of its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, u64> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(e.path()).unwrap().hash(&mut hasher);
            let name = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, hasher.finish())
        })
        .collect()
}

fn build(root: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_digestif"))
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}

#[cfg(unix)]
#[test]
fn kill_9_mid_build_keeps_the_previous_site_and_the_next_build_cleans_up() {
    let site = TestSite::new();
    write_corpus(&site, 1);
    build(site.root());
    let output = site.root().join("public");
    let before = snapshot(&output);
    assert!(before.len() > DIGESTS * PAPERS_PER_DIGEST);

    write_corpus(&site, 2);
    let mut child = Command::new(env!("CARGO_BIN_EXE_digestif"))
        .args(["build", "--quiet", "--root"])
        .arg(site.root())
        .spawn()
        .unwrap();
    let staging = site.root().join(format!(".public-building-{}", child.id()));
    // Wait until the build is writing pages, then kill it without warning.
    while count_files(&staging.join("papers")) < 100 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it could be killed: make the corpus bigger"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    assert!(
        staging.exists(),
        "the killed build leaves its staging folder"
    );
    assert_eq!(snapshot(&output), before, "the previous site is untouched");

    build(site.root());
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let page = std::fs::read_to_string(output.join("digests/digest-0/index.html")).unwrap();
    assert!(page.contains("Digest 0, version 2"));
}
