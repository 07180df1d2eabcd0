//! Content input: finding digest files, splitting their front matter, parsing it.
//!
//! `discover` is the only code that reads `content/`; `front_matter`, `raw` and `entry` are pure
//! functions from text to [`RawDigest`] values, checked paper entries and diagnostics, run in
//! parallel, one file per task. `ids` says how paper ids, arXiv ids, DOIs and slugs are written,
//! for every later stage and the importers. Besides the digests, the content stage reads the
//! site's other inputs: `content/people.toml` ([`people`]) and `content/_index.md`.

pub mod boundary;
pub mod clean;
pub mod discover;
pub mod entry;
pub mod front_matter;
pub mod ids;
pub mod key_lines;
pub mod people;
pub mod published;
pub mod raw;

pub use discover::{
    FoundSource, SiteTexts, SourceFile, Stamp, discover, list_sources, read_found, read_site_texts,
};
pub use raw::{ParsedFile, RawDigest, RawPaper, parse_source};
