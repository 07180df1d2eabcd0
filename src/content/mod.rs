//! Content input: finding digest files, splitting their front matter, parsing it.
//!
//! `discover` is the only code that reads `content/`; `front_matter`, `raw` and `entry` are pure
//! functions from text to [`RawDigest`] values, checked paper entries and diagnostics, run in
//! parallel, one file per task. `ids` says how paper ids, arXiv ids, DOIs and slugs are written,
//! for every later stage and the importers.

pub mod discover;
pub mod entry;
pub mod front_matter;
pub mod ids;
pub mod raw;

pub use discover::{FoundSource, SourceFile, discover, list_sources, read_found};
pub use raw::{ParsedFile, RawDigest, RawPaper, parse_source};
