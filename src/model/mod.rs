//! The site model: digests, papers and topics, merged and sorted, with their Markdown sources.
//!
//! Built once by [`assemble`] from parsed files (stage 4), then only borrowed: the Markdown stage,
//! the planner and the renderer read it and never change it. Cross-references are indices into the
//! three vectors, which are sorted so that every output is deterministic.

pub mod assemble;
pub mod people;
pub mod topic_rules;
pub mod trends;

use std::path::PathBuf;
use std::sync::Arc;

use jiff::civil::Date;

pub use assemble::assemble;

#[derive(Debug, Default)]
pub struct Site {
    /// Newest first; ties by slug.
    pub digests: Vec<Digest>,
    /// Sorted by slug.
    pub papers: Vec<Paper>,
    /// Sorted by display name, case-insensitively.
    pub topics: Vec<Topic>,
    /// The most voted papers of each ISO week and each month that has votes, newest first.
    pub tops: Vec<Top>,
    /// Topics rising over the last 30 days, most rising first (see [`trends::rising`]); empty
    /// when `[trends] enabled = false`.
    pub rising: Vec<usize>,
}

/// The most voted papers of one period. A paper counts in the week and month of the digest that
/// featured it first; papers without votes are not in any.
#[derive(Debug, Hash)]
pub struct Top {
    /// `2024-w11` or `2024-03`: the page is `/top/<label>/`.
    pub label: String,
    /// `Week 11, 2024` or `March 2024`.
    pub title: String,
    pub is_week: bool,
    /// Most voted first (ties by title), at most [`TOP_PAPERS`].
    pub papers: Vec<usize>,
}

/// Papers a period's page lists.
pub const TOP_PAPERS: usize = 50;

impl Top {
    /// The labels of the week and month of `date`: where a digest of that day links.
    pub fn labels_of(date: Date) -> [String; 2] {
        let week = date.iso_week_date();
        [
            format!("{:04}-w{:02}", week.year(), week.week()),
            format!("{:04}-{:02}", date.year(), date.month()),
        ]
    }
}

// Hash: serve tells changed entities by it (render/reads.rs), so every field counts.
#[derive(Debug, Hash)]
pub struct Digest {
    pub slug: String,
    pub title: String,
    pub date: Date,
    pub summary: Option<String>,
    /// Relative to the site root.
    pub source: PathBuf,
    /// The Markdown body after the front matter.
    pub intro: Arc<str>,
    /// Lines of the file before the body.
    pub intro_line_offset: usize,
    /// The digest's papers in its order (file order, or most voted first), each with this
    /// digest's notes on it.
    pub entries: Vec<Entry>,
    pub order: crate::content::raw::PaperOrder,
    /// Where the papers came from, when a program wrote the digest (`hf-daily`).
    pub origin: Option<String>,
    /// Every topic of this digest's papers, sorted like `Site::topics`.
    pub topics: Vec<usize>,
}

// Hash: serve tells changed entities by it (render/reads.rs), so every field counts.
#[derive(Debug, Hash)]
pub struct Entry {
    pub paper: usize,
    /// The curator's Markdown notes on the paper in this digest.
    pub notes: Option<Arc<str>>,
    /// Line of the paper's entry in the digest file.
    pub line: usize,
}

// Hash: serve tells changed entities by it (render/reads.rs), so every field counts.
#[derive(Debug, Hash)]
pub struct Paper {
    pub id: String,
    /// The id made safe for a URL and a file name: `/papers/<slug>/`.
    pub slug: String,
    pub title: String,
    pub authors: Vec<String>,
    pub arxiv: Option<String>,
    /// arXiv's primary category (`cs.LG`); for old-style ids it is the id's archive.
    pub arxiv_category: Option<String>,
    pub doi: Option<String>,
    pub url: Option<String>,
    pub pdf: Option<String>,
    pub code: Option<String>,
    pub project: Option<String>,
    pub venue: Option<String>,
    pub published: Option<crate::content::published::Published>,
    pub upvotes: Option<u64>,
    /// Comments where the paper was found; the largest count given.
    pub comments: Option<u64>,
    pub thumbnail: Option<Thumbnail>,
    /// Marked `ours = true` in a digest: the lab's own paper. Themes also count a paper with a
    /// lab member among its authors as the lab's (see [`people::Lab`]).
    pub ours: bool,
    /// Markdown.
    pub abstract_md: Option<Arc<str>>,
    /// Union over every digest that lists the paper, sorted like `Site::topics`.
    pub topics: Vec<usize>,
    /// Digests that list the paper, oldest first.
    pub appearances: Vec<usize>,
    /// The date of the newest digest that lists the paper; topic pages sort by it.
    pub last_featured: Date,
    /// Stands for every entry the paper was merged from (a hash of their hashes, in order): two
    /// builds with equal `content` made the paper from the same text. Caches key on it instead
    /// of hashing titles and abstracts again.
    pub content: u64,
    /// Where the paper's metadata was first read.
    pub source: PathBuf,
    pub line: usize,
}

#[cfg(test)]
impl Paper {
    /// A paper with `title` and every other field empty or plain, for unit tests to adjust.
    pub(crate) fn for_tests(title: &str) -> Paper {
        Paper {
            id: "x".into(),
            slug: "x".into(),
            title: title.into(),
            authors: Vec::new(),
            arxiv: None,
            arxiv_category: None,
            doi: None,
            url: None,
            pdf: None,
            code: None,
            project: None,
            venue: None,
            published: None,
            upvotes: None,
            comments: None,
            thumbnail: None,
            ours: false,
            abstract_md: None,
            topics: Vec::new(),
            appearances: vec![0],
            last_featured: jiff::civil::date(2024, 1, 1),
            content: 0,
            source: "content/x.md".into(),
            line: 1,
        }
    }
}

/// A paper's image: a path under `static/`, and where it is written (the first entry that gives
/// one), for warnings about the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Thumbnail {
    pub path: String,
    pub source: PathBuf,
    pub line: usize,
}

// Hash: serve tells changed entities by it (render/reads.rs), so every field counts.
#[derive(Debug, Hash)]
pub struct Topic {
    pub name: String,
    pub slug: String,
    /// Newest featured first; ties by title.
    pub papers: Vec<usize>,
    /// Papers per period; None when `[trends] enabled = false`.
    pub trend: Option<trends::Trend>,
}

impl Site {
    pub fn paper_count(&self) -> usize {
        self.papers.len()
    }
}
