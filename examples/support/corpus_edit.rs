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

/// Appends a run number to the title of the digest's first paper.
pub fn edit_first_title(text: &str, run: usize) -> String {
    let papers = text.find("[[papers]]").expect("a paper");
    let title =
        papers + text[papers..].find("\ntitle = \"").expect("a title") + "\ntitle = \"".len();
    let end = title + text[title..].find('"').unwrap();
    let base = text[title..end].split(" (rev ").next().unwrap();
    format!("{}{base} (rev {run}){}", &text[..title], &text[end..])
}
