//! Files written by Rust writers rather than templates, beside the rendered pages: citation
//! exports and the JSON Feed.
//!
//! - `papers/<slug>/cite.bib`, `cite.ris`, `cite.json` (CSL-JSON) for every paper, unless
//!   `[outputs] citation_files = false`;
//! - `papers.bib` for the whole site, each digest (`digests/<slug>/papers.bib`, file order) and
//!   each topic (`topics/<slug>/papers.bib`, most recently featured first);
//! - `feed.json`, the JSON Feed twin of `feed.xml`.
//!
//! These are formats where escaping is the whole difficulty (LaTeX, RIS lines, JSON strings),
//! so they are written by code with unit tests rather than by overridable templates. Each
//! paper's BibTeX entry is written once and reused by every `papers.bib` that lists it.

use rayon::prelude::*;

use super::Renderer;
use crate::cite::{csl, ris};
use crate::engine::Output;
use crate::error::Result;

/// Writes every derived file, in parallel; returns how many were written.
pub fn write(renderer: &Renderer, staging: &dyn Output) -> Result<usize> {
    let site = renderer.site;
    let citations = &renderer.citations;
    let base = &renderer.config.base;
    let entries = &citations.bibtex;
    let has_files = renderer.config.has_citation_files;
    if has_files {
        site.papers
            .par_iter()
            .enumerate()
            .try_for_each(|(index, paper)| -> Result<()> {
                let record = citations.record(site, base, index);
                let folder = format!("papers/{}/", paper.slug);
                staging.write(&format!("{folder}cite.bib"), entries[index].as_bytes())?;
                let mut text = String::with_capacity(2048);
                ris::write_record(&mut text, &record);
                staging.write(&format!("{folder}cite.ris"), text.as_bytes())?;
                let json = csl::document(&[csl::item(&record)]);
                staging.write(&format!("{folder}cite.json"), json.as_bytes())
            })?;
    }

    let bibliography = |papers: &[usize]| -> String {
        // A paper listed twice in one digest is cited once.
        let mut seen = std::collections::HashSet::with_capacity(papers.len());
        let mut out = String::with_capacity(papers.iter().map(|&p| entries[p].len()).sum());
        for &index in papers {
            if seen.insert(index) {
                out.push_str(&entries[index]);
            }
        }
        out
    };
    let mut lists: Vec<(String, Vec<usize>)> = Vec::new();
    lists.push(("papers.bib".into(), (0..site.papers.len()).collect()));
    for digest in &site.digests {
        lists.push((
            format!("digests/{}/papers.bib", digest.slug),
            digest.entries.iter().map(|e| e.paper).collect(),
        ));
    }
    for topic in &site.topics {
        lists.push((
            format!("topics/{}/papers.bib", topic.slug),
            topic.papers.clone(),
        ));
    }
    lists
        .par_iter()
        .try_for_each(|(path, papers)| staging.write(path, bibliography(papers).as_bytes()))?;
    staging.write("feed.json", renderer.json_feed().as_bytes())?;
    let per_paper = if has_files { 3 } else { 0 };
    Ok(site.papers.len() * per_paper + lists.len() + 1)
}
