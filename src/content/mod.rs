//! Content input: finding digest files, splitting their front matter, parsing it.
//!
//! `discover` is the only code that reads `content/`; `front_matter` and `raw` are pure functions
//! from text to [`RawDigest`] values and diagnostics, run in parallel, one file per task.

pub mod discover;
pub mod front_matter;
pub mod raw;

pub use discover::{FoundSource, SourceFile, discover, list_sources, read_found};
pub use raw::{ParsedFile, RawDigest, RawPaper, parse_source};
