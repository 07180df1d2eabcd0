//! Paper ids and URL slugs.
//!
//! A paper's id is its `id` field, else its arXiv id (without version), else its DOI, else a slug
//! of its title. Every id, topic and digest name becomes a slug that is safe as one path segment:
//! lower-case (so no two pages differ only by case on a case-insensitive disk), only
//! `a-z 0-9 . _ -`, never `.` or `..`.

/// Longest slug we write as a folder name; file systems cap names at 255 bytes.
const MAX_SLUG_LEN: usize = 120;

/// An arXiv id without `arXiv:` and without its version: `2310.14189`, `hep-th/9901001`.
pub fn normalize_arxiv(input: &str) -> String {
    let mut id = input.trim();
    for prefix in [
        "https://arxiv.org/abs/",
        "http://arxiv.org/abs/",
        "arXiv:",
        "arxiv:",
    ] {
        if let Some(rest) = id.strip_prefix(prefix) {
            id = rest;
        }
    }
    if let Some(v) = id.rfind('v') {
        let version = &id[v + 1..];
        if v > 0
            && !version.is_empty()
            && version.bytes().all(|b| b.is_ascii_digit())
            && id[..v].ends_with(|c: char| c.is_ascii_digit())
        {
            id = &id[..v];
        }
    }
    id.to_string()
}

/// Whether an arXiv id (normalized) has one of the two shapes arXiv uses.
pub fn is_valid_arxiv(id: &str) -> bool {
    let new_style = |s: &str| {
        let Some((yymm, number)) = s.split_once('.') else {
            return false;
        };
        yymm.len() == 4
            && yymm.bytes().all(|b| b.is_ascii_digit())
            && (4..=5).contains(&number.len())
            && number.bytes().all(|b| b.is_ascii_digit())
    };
    let old_style = |s: &str| {
        let Some((archive, number)) = s.split_once('/') else {
            return false;
        };
        !archive.is_empty()
            && archive
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'.')
            && number.len() == 7
            && number.bytes().all(|b| b.is_ascii_digit())
    };
    new_style(id) || old_style(id)
}

/// A DOI without resolver prefix, lower-cased (DOIs are case-insensitive).
pub fn normalize_doi(input: &str) -> String {
    let mut doi = input.trim();
    for prefix in [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "doi:",
        "DOI:",
    ] {
        if let Some(rest) = doi.strip_prefix(prefix) {
            doi = rest;
        }
    }
    doi.to_lowercase()
}

pub fn is_valid_doi(doi: &str) -> bool {
    doi.starts_with("10.")
        && doi
            .split_once('/')
            .is_some_and(|(_, suffix)| !suffix.is_empty())
}

/// The id the format derives for a paper (docs/format.md): its `id`, else its arXiv id without
/// version, else its DOI (lower-cased), else a slug of its title.
pub fn paper_id(id: Option<&str>, arxiv: Option<&str>, doi: Option<&str>, title: &str) -> String {
    if let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) {
        return id.to_string();
    }
    arxiv
        .map(normalize_arxiv)
        .filter(|a| !a.is_empty())
        .or_else(|| doi.map(normalize_doi).filter(|d| !d.is_empty()))
        .unwrap_or_else(|| slugify(&title.split_whitespace().collect::<Vec<_>>().join(" ")))
}

/// A readable slug of free text, Unicode transliterated: `ALR²: Retrieve` → `alr2-retrieve`.
pub fn slugify(text: &str) -> String {
    truncate(slug::slugify(text))
}

/// A slug of an id, keeping the dots that arXiv ids and DOIs carry: `hep-th/9901001` →
/// `hep-th-9901001`, `10.1145/3292500.3330701` → `10.1145-3292500.3330701`.
pub fn id_slug(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in deunicode::deunicode(id).chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.' || c == '_');
    truncate(trimmed.to_string())
}

fn truncate(mut slug: String) -> String {
    if slug.len() > MAX_SLUG_LEN {
        let mut cut = MAX_SLUG_LEN;
        while !slug.is_char_boundary(cut) {
            cut -= 1;
        }
        slug.truncate(cut);
        // Trim what `id_slug` trims, so a slug's slug is itself (found by fuzzing).
        while slug.ends_with(['-', '.', '_']) {
            slug.pop();
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_ids_lose_prefix_and_version() {
        assert_eq!(normalize_arxiv("arXiv:2310.14189v2"), "2310.14189");
        assert_eq!(normalize_arxiv("hep-th/9901001v1"), "hep-th/9901001");
        assert_eq!(
            normalize_arxiv("https://arxiv.org/abs/1706.03762"),
            "1706.03762"
        );
        assert!(is_valid_arxiv("2310.14189"));
        assert!(is_valid_arxiv("0704.0001"));
        assert!(is_valid_arxiv("hep-th/9901001"));
        assert!(is_valid_arxiv("math.GT/0309136"));
        assert!(!is_valid_arxiv("1706.3762x"));
        assert!(!is_valid_arxiv("hello"));
    }

    #[test]
    fn id_slugs_are_single_safe_segments() {
        assert_eq!(id_slug("hep-th/9901001"), "hep-th-9901001");
        assert_eq!(
            id_slug("10.1145/3292500.3330701"),
            "10.1145-3292500.3330701"
        );
        assert_eq!(id_slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(id_slug(".."), "");
        assert_eq!(id_slug("Mixed Case"), "mixed-case");
        assert_eq!(id_slug("Ünïcode"), "unicode");
    }

    #[test]
    fn title_slugs_transliterate() {
        assert_eq!(
            slugify("ALR²: Retrieve-then-Reason"),
            "alr2-retrieve-then-reason"
        );
        assert_eq!(slugify("!!!"), "");
        assert!(slugify(&"word ".repeat(100)).len() <= MAX_SLUG_LEN);
    }

    #[test]
    fn dois_are_normalized() {
        assert_eq!(
            normalize_doi("https://doi.org/10.48550/arXiv.2310.14189"),
            "10.48550/arxiv.2310.14189"
        );
        assert!(is_valid_doi("10.1145/3292500.3330701"));
        assert!(!is_valid_doi("3292500"));
    }
}
