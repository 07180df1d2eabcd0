//! Shared by the live-preview benchmarks: their flags, which digest file they edit, and how.

use std::path::{Path, PathBuf};

/// The value after `name` on the command line: `--runs 15`.
pub fn flag(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

/// The digest file in the middle of the site, by path.
pub fn middle_digest(root: &Path) -> PathBuf {
    let mut files = Vec::new();
    let mut stack = vec![root.join("content")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files[files.len() / 2].clone()
}

/// Words the edits put in a title, one per run: each save changes the paper's terms, so that
/// related papers are ranked again rather than reused.
const EDIT_WORDS: [&str; 8] = [
    "tensor", "spectral", "kernel", "causal", "sparse", "robust", "bayesian", "graph",
];

/// Appends a run number and a word that changes with it to the title of the digest's first
/// paper.
pub fn edit_first_title(text: &str, run: usize) -> String {
    let papers = text.find("[[papers]]").expect("a paper");
    let title =
        papers + text[papers..].find("\ntitle = \"").expect("a title") + "\ntitle = \"".len();
    let end = title + text[title..].find('"').unwrap();
    let base = text[title..end].split(" (rev ").next().unwrap();
    let word = EDIT_WORDS[run % EDIT_WORDS.len()];
    format!(
        "{}{base} (rev {run} {word}){}",
        &text[..title],
        &text[end..]
    )
}
