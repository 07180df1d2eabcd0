//! Embeds the bundled themes (every folder of `themes/`) in the binary, so a site folder with only
//! `site.toml` and `content/` builds anywhere, offline, with `theme = "default"` or `theme = "lab"`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let themes = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    println!("cargo::rerun-if-changed={}", themes.display());
    let mut names: Vec<String> = std::fs::read_dir(&themes)
        .expect("themes/ exists")
        .flatten()
        .filter(|e| e.path().is_dir() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut out = String::new();
    let mut index = String::from(
        "/// A theme's files: (path relative to the theme, contents).\npub type ThemeFileList = &'static [(&'static str, &'static [u8])];\n/// Every bundled theme: (name, its files).\npub static THEMES: &[(&str, ThemeFileList)] = &[\n",
    );
    for name in &names {
        let root = themes.join(name);
        let constant = if name == "default" {
            "FILES".to_string()
        } else {
            format!("{}_FILES", name.to_uppercase().replace('-', "_"))
        };
        write_theme(&root, name, &constant, &mut out);
        writeln!(index, "    ({name:?}, {constant}),").expect("string write");
    }
    index.push_str("];\n");
    out.push_str(&index);
    let target = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("default_theme.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}

fn write_theme(root: &Path, name: &str, constant: &str, out: &mut String) {
    println!("cargo::rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(root, &mut files);
    files.sort();
    writeln!(
        out,
        "/// Every file of themes/{name}: (path relative to the theme, contents).\npub static {constant}: &[(&str, &[u8])] = &["
    )
    .expect("string write");
    for path in &files {
        println!("cargo::rerun-if-changed={}", path.display());
        let relative = path.strip_prefix(root).expect("walked below root");
        let name = relative.to_string_lossy().replace('\\', "/");
        writeln!(
            out,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .expect("string write");
    }
    out.push_str("];\n");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        if path.is_dir() {
            println!("cargo::rerun-if-changed={}", path.display());
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
