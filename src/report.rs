//! What a build reports: counts, warnings and time, and the one-line summary the binary prints.

use std::time::Duration;

use crate::error::Diagnostic;

/// What a successful build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    pub digests: usize,
    pub papers: usize,
    pub topics: usize,
    /// HTML pages rendered.
    pub pages: usize,
    /// Every file written, pages included.
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub duration: Duration,
}

impl BuildReport {
    pub fn summary(&self, verb: &str) -> String {
        format!(
            "{verb} {} digests, {} papers, {} topics: {} pages ({} files) in {:.2} s",
            self.digests,
            self.papers,
            self.topics,
            self.pages,
            self.files,
            self.duration.as_secs_f64()
        )
    }
}
