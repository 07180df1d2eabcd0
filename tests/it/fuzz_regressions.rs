//! Every input a fuzz target once failed on (fuzz/regressions/<target>/), and the seeds, replayed
//! through the same target functions on stable Rust. See fuzz/README.md.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for folder in ["regressions", "seeds"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(folder).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{} fails again", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn front_matter_regressions_pass() {
    assert!(replay("front_matter", digestif::fuzzing::front_matter) >= 2);
}

#[test]
fn markdown_regressions_pass() {
    assert!(replay("markdown", digestif::fuzzing::markdown) >= 2);
}

#[test]
fn slug_regressions_pass() {
    assert!(replay("slug", digestif::fuzzing::slug) >= 2);
}
