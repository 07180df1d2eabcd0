//! The themes compiled into the binary (every folder of `themes/`, embedded by build.rs), so a site
//! folder with only `site.toml` and `content/` builds anywhere, offline.
//!
//! Both config loading (does `theme = "lab"` name a bundled theme?) and template loading read
//! these files; keeping them in a module of their own lets config, the first stage, know about
//! themes without importing the render stage.

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));
}

/// The files of the default theme: (path relative to the theme, contents).
pub fn default_theme_files() -> &'static [(&'static str, &'static [u8])] {
    embedded::FILES
}

/// The files of a theme compiled into the binary, by name (`default`, `lab`).
pub fn bundled_theme(name: &str) -> Option<&'static [(&'static str, &'static [u8])]> {
    embedded::THEMES
        .iter()
        .find(|(theme, _)| *theme == name)
        .map(|(_, files)| *files)
}

/// The names of the themes compiled into the binary.
pub fn bundled_theme_names() -> Vec<&'static str> {
    embedded::THEMES.iter().map(|(name, _)| *name).collect()
}
