//! Files written by Rust writers rather than templates, beside the rendered pages: citation
//! exports and the JSON Feed.
//!
//! - `papers/<slug>/cite.bib` for every paper, and `cite.ris` and `cite.json` (CSL-JSON) too
//!   with `[outputs] citation_files = "all"` (see [`crate::config::CitationFiles`]);
//! - `papers.bib` for the whole site, each digest (`digests/<slug>/papers.bib`, file order) and
//!   each topic (`topics/<slug>/papers.bib`, most recently featured first, with
//!   `[outputs] topic_bibtex = true`);
//! - `feed.json`, the JSON Feed twin of `feed.xml`.
//!
//! These are formats where escaping is the whole difficulty (LaTeX, RIS lines, JSON strings),
//! so they are written by code with unit tests rather than by overridable templates. Each
//! paper's BibTeX entry is written once and reused by every `papers.bib` that lists it.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::Renderer;
use crate::cite::{csl, ris};
use crate::error::Result;
use crate::fingerprint::hasher;
use crate::write::{ChangedOnly, Output};

/// What each derived file was made from last time: a file whose inputs are unchanged is kept as
/// it is, not made again. A paper's citation files are one entry, under its folder
/// (`papers/<slug>/`); which files those are is part of the entry's value.
pub type DerivedInputs = HashMap<String, u64, ahash::RandomState>;

/// Writes every derived file, in parallel, remaking only those whose inputs changed since
/// `previous`; returns the inputs for the next build and the papers' citation files it wrote.
///
/// Papers' citation files go straight to `output` (up to three per paper, and a save changes
/// few papers: comparing their bytes would cost more than it saves); the few shared files go
/// through `shared`, which writes only those whose bytes changed.
pub(crate) fn write(
    renderer: &Renderer,
    output: &dyn Output,
    shared: &ChangedOnly,
    previous: &DerivedInputs,
    feed_unchanged: bool,
) -> Result<(DerivedInputs, Vec<String>)> {
    let (site, citations) = renderer.model.untracked();
    let base = &renderer.config.base;
    let entries = &citations.bibtex;
    let names = renderer.config.citation_files.names();
    // A paper's files are made again when the address or the set of files changes.
    let base_hash = {
        let mut h = hasher();
        base.full().hash(&mut h);
        names.hash(&mut h);
        h.finish()
    };
    let mut inputs =
        DerivedInputs::with_capacity_and_hasher(previous.len(), ahash::RandomState::default());
    let mut written = Vec::new();
    if !names.is_empty() {
        let papers: Vec<(String, u64, bool)> = site
            .papers
            .par_iter()
            .enumerate()
            .map(|(index, paper)| -> Result<(String, u64, bool)> {
                let folder = format!("papers/{}/", paper.slug);
                let paper_inputs = citations.fingerprints[index] ^ base_hash;
                let changed = previous.get(&folder) != Some(&paper_inputs);
                if changed {
                    output.write(&format!("{folder}cite.bib"), entries[index].as_bytes())?;
                }
                if changed && names.contains(&"cite.ris") {
                    let record = citations.record_with_abstract(site, base, index);
                    let mut text = String::with_capacity(2048);
                    ris::write_record(&mut text, &record);
                    output.write(&format!("{folder}cite.ris"), text.as_bytes())?;
                    let json = csl::document(&[csl::item(&record)]);
                    output.write(&format!("{folder}cite.json"), json.as_bytes())?;
                }
                Ok((folder, paper_inputs, changed))
            })
            .collect::<Result<_>>()?;
        for (folder, paper_inputs, changed) in papers {
            if changed {
                written.extend(names.iter().map(|name| format!("{folder}{name}")));
            }
            inputs.insert(folder, paper_inputs);
        }
    }

    let mut lists: Vec<(String, Vec<usize>)> = Vec::new();
    if renderer.config.has_site_bibtex {
        lists.push(("papers.bib".into(), (0..site.papers.len()).collect()));
    }
    for digest in &site.digests {
        lists.push((
            format!("digests/{}/papers.bib", digest.slug),
            digest.entries.iter().map(|e| e.paper).collect(),
        ));
    }
    for topic in site
        .topics
        .iter()
        .filter(|_| renderer.config.has_topic_bibtex)
    {
        lists.push((
            format!("topics/{}/papers.bib", topic.slug),
            topic.papers.clone(),
        ));
    }
    let bibliographies: Vec<(String, u64)> = lists
        .into_par_iter()
        .map(|(path, mut papers)| -> Result<(String, u64)> {
            // A paper listed twice in one digest is cited once.
            let mut seen = std::collections::HashSet::with_capacity(papers.len());
            papers.retain(|&index| seen.insert(index));
            let mut h = hasher();
            for &index in &papers {
                citations.fingerprints[index].hash(&mut h);
            }
            let list_inputs = h.finish();
            let unchanged = previous.get(&path) == Some(&list_inputs) && shared.keep(&path);
            if !unchanged {
                let mut text =
                    String::with_capacity(papers.iter().map(|&p| entries[p].len()).sum());
                for &index in &papers {
                    text.push_str(&entries[index]);
                }
                shared.write_owned(&path, text.into_bytes())?;
            }
            Ok((path, list_inputs))
        })
        .collect::<Result<_>>()?;
    inputs.extend(bibliographies);
    if !(feed_unchanged && shared.keep("feed.json")) {
        shared.write("feed.json", renderer.json_feed().as_bytes())?;
    }
    Ok((inputs, written))
}

/// The citation files the last build wrote (`previous`, each folder holding `previous_names`)
/// and this one does not: all of a paper's that is gone, and those of a kind no longer written.
pub fn vanished_citation_files(
    previous: &DerivedInputs,
    previous_names: &[&str],
    current: &DerivedInputs,
    current_names: &[&str],
) -> Vec<String> {
    let mut files: Vec<String> = previous
        .keys()
        .filter(|key| key.ends_with('/'))
        .flat_map(|folder| {
            let is_kept = current.contains_key(folder);
            previous_names
                .iter()
                .filter(move |name| !(is_kept && current_names.contains(name)))
                .map(move |name| format!("{folder}{name}"))
        })
        .collect();
    files.sort_unstable();
    files
}
