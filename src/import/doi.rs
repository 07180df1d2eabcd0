//! DOIs: metadata from doi.org content negotiation.
//!
//! `GET https://doi.org/<doi>` with `Accept: application/vnd.citationstyles.csl+json` is
//! redirected to the registration agency (Crossref, DataCite…), which answers CSL-JSON; the item
//! then goes through the CSL-JSON mapping (`csl.rs`). The endpoint can be changed
//! (`DIGESTIF_DOI_API`, `--api`) so tests talk to a local server.

use std::collections::BTreeMap;

use indicatif::ProgressBar;
use serde_json::Value;

use super::http::{Client, encode_path};
use super::{Import, csl, strip_doi_resolver};
use crate::content::ids::is_valid_doi;
use crate::error::{Diagnostic, Location, Result};

pub const DEFAULT_ENDPOINT: &str = "https://doi.org";
const CSL_JSON: &str = "application/vnd.citationstyles.csl+json";

/// Fetches each DOI in turn; unknown DOIs and unreadable answers are warnings.
pub fn fetch(
    client: &mut Client,
    inputs: &[String],
    categories: &BTreeMap<String, String>,
    progress: &ProgressBar,
) -> Result<Import> {
    let mut import = Import::default();
    progress.set_length(inputs.len() as u64);
    for input in inputs {
        let doi = strip_doi_resolver(input);
        let location = Location::file(format!("doi:{doi}"));
        if !is_valid_doi(&doi.to_lowercase()) {
            import.warnings.push(
                Diagnostic::warning(location, format!("`{input}` is not a DOI; skipped"))
                    .with_hint("DOIs look like 10.1145/3292500.3330701"),
            );
            progress.inc(1);
            continue;
        }
        let path = format!("/{}", encode_path(&doi));
        let body = client.get("doi.org", &path, &[], CSL_JSON)?;
        progress.inc(1);
        let Some(body) = body else {
            import.warnings.push(Diagnostic::warning(
                location,
                "doi.org does not know this DOI; skipped",
            ));
            continue;
        };
        let item = serde_json::from_str::<Value>(&body).ok().and_then(|item| {
            csl::item_to_paper(&item, location.clone(), categories, &mut import.warnings)
        });
        match item {
            Some(mut imported) => {
                // Keep the DOI as the user wrote it: DOIs ignore case, and registries
                // upper-case them.
                let same = imported
                    .paper
                    .doi
                    .as_deref()
                    .is_none_or(|answer| answer.eq_ignore_ascii_case(&doi));
                if same {
                    imported.paper.doi = Some(doi.clone());
                }
                import.papers.push(imported);
            }
            None => import.warnings.push(
                Diagnostic::warning(
                    location,
                    "the answer for this DOI is not CSL-JSON with a title; skipped",
                )
                .with_hint("some registration agencies offer no metadata; add the paper by hand"),
            ),
        }
    }
    Ok(import)
}
