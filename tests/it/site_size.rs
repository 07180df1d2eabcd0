//! The site's size in the build summary and against `[deploy] max_size` (issue 22).

use digestif::check::CheckOptions;
use digestif::site_size::{Kind, SiteSize};

use crate::support::{Built, TestSite};

/// What is on disk, walked after the build, by kind.
fn size_on_disk(built: &Built) -> SiteSize {
    let mut size = SiteSize::default();
    for file in built.files() {
        let bytes = std::fs::metadata(built.out.join(&file)).unwrap().len();
        size.add(&file, bytes);
    }
    size
}

/// Builds `site` with `settings` added to its own site.toml (which ends in a table of its own).
fn build_with(site: &TestSite, original_toml: &str, settings: &str) -> Built {
    site.write("site.toml", &format!("{original_toml}\n{settings}\n"));
    site.build().unwrap()
}

/// The build's warning that mentions `setting`.
fn warning_about<'b>(built: &'b Built, setting: &str) -> Option<&'b digestif::error::Diagnostic> {
    let mut warnings = built.report.warnings.iter();
    warnings.find(|w| w.message.contains(setting))
}

/// The error a minimal site gets for `key = value` under `[deploy]` (line 5 of its site.toml).
fn deploy_error(key: &str, value: &str) -> String {
    let site = TestSite::new();
    let toml = crate::support::SITE_TOML;
    site.write("site.toml", &format!("{toml}\n[deploy]\n{key} = {value}\n"));
    site.build_error()
}

/// A budget warning is about site.toml as a whole, and `check` finds it word for word.
fn assert_check_finds_too(site: &TestSite, warning: &digestif::error::Diagnostic) {
    assert!(
        warning.to_string().starts_with("site.toml: warning:"),
        "{warning}"
    );
    let report = digestif::check_site(&CheckOptions::new(site.root()));
    assert!(
        report.findings.iter().any(|f| f.message == warning.message),
        "{:?}",
        report.findings
    );
}

#[test]
fn the_summary_states_what_is_on_disk() {
    for fixture in ["scholarly", "thumbnails", "search"] {
        let site = TestSite::fixture(fixture);
        let built = site.build().unwrap();
        let on_disk = size_on_disk(&built);
        assert_eq!(built.report.size, on_disk, "{fixture}");
        let total = on_disk.total();
        let summary = built.report.summary("built");
        assert!(
            summary.contains(&format!(
                "({} files, {})",
                total.files,
                digestif::site_size::bytes_text(total.bytes)
            )),
            "{fixture}: {summary}"
        );
    }
}

#[test]
fn images_are_stated_on_their_own_line() {
    let site = TestSite::fixture("thumbnails");
    let built = site.build().unwrap();
    let images = built.report.size.of(Kind::Images);
    assert!(images.files > 1, "{images:?}");
    let summary = built.report.summary("built");
    let second = summary.lines().nth(1).expect("an images line");
    assert!(second.contains("of which images:"), "{summary}");
}

#[test]
fn a_site_over_max_size_warns_and_names_its_largest_kinds() {
    let site = TestSite::fixture("scholarly");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    let built = build_with(&site, &toml, "[deploy]\nmax_size = \"2 KB\"");
    let warning = warning_about(&built, "over [deploy] max_size")
        .unwrap_or_else(|| panic!("no size warning in {:?}", built.report.warnings));
    assert!(
        warning.message.contains("max_size of 2 KB"),
        "{}",
        warning.message
    );
    let named = warning.message.split("largest: ").nth(1).unwrap();
    assert_eq!(named.split(", ").count(), 5, "{named}");
    assert!(
        named.starts_with("paper pages") || named.contains("paper pages"),
        "{named}"
    );
    // `check` finds the same, and states the size.
    assert_check_finds_too(&site, warning);
    let report = digestif::check_site(&CheckOptions::new(site.root()));
    assert_eq!(
        report.size, built.report.size,
        "check states the size build wrote, the output marker included"
    );
    assert!(
        report.summary().contains(" files, "),
        "{}",
        report.summary()
    );
}

#[test]
fn a_site_within_max_size_does_not_warn() {
    let built = TestSite::fixture("scholarly").build().unwrap();
    assert!(
        !built
            .report
            .warnings
            .iter()
            .any(|w| w.message.contains("max_size")),
        "{:?}",
        built.report.warnings
    );
}

#[test]
fn a_malformed_max_size_is_an_error_at_its_line() {
    for (value, says) in [
        ("\"1 XB\"", "`XB` is not a unit"),
        ("\"lots\"", "does not start with a number"),
        ("0", "not a size above zero"),
        ("true", "found a boolean"),
    ] {
        let error = deploy_error("max_size", value);
        assert!(
            error.contains("site.toml:5: error: [deploy] max_size"),
            "{error}"
        );
        assert!(error.contains(says), "{value}: {error}");
    }
}

#[test]
fn a_site_near_max_size_says_how_near_without_a_warning() {
    let site = TestSite::fixture("scholarly");
    let bytes = site.build().unwrap().report.size.total().bytes;
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    // A budget the site fills to 90 %, give or take the rounding of a percent.
    site.write(
        "site.toml",
        &format!("{toml}\n[deploy]\nmax_size = {}\n", bytes * 10 / 9),
    );
    let built = site.build().unwrap();
    let summary = built.report.summary("built");
    let note = summary.lines().last().unwrap();
    assert!(
        note.starts_with("  89 % of [deploy] max_size") || note.starts_with("  90 % of"),
        "{summary}"
    );
    assert!(
        !built
            .report
            .warnings
            .iter()
            .any(|w| w.message.contains("max_size")),
        "a note, not a warning (`check --deny-warnings` would fail on it): {:?}",
        built.report.warnings
    );
    let report = digestif::check_site(&CheckOptions::new(site.root()));
    assert!(
        report.summary().contains("% of [deploy] max_size"),
        "{}",
        report.summary()
    );
}

#[test]
fn a_site_of_more_files_than_max_files_warns_and_names_the_kinds_with_most() {
    let site = TestSite::fixture("scholarly");
    let files = site.build().unwrap().report.size.total().files;
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    let with_limit =
        |max_files: u64| build_with(&site, &toml, &format!("[deploy]\nmax_files = {max_files}"));

    let at_limit = with_limit(files);
    assert!(
        warning_about(&at_limit, "max_files").is_none(),
        "{:?}",
        at_limit.report.warnings
    );
    assert!(
        at_limit
            .report
            .summary("built")
            .contains("  100 % of [deploy] max_files of"),
        "{}",
        at_limit.report.summary("built")
    );

    let over = with_limit(files - 1);
    let warning = warning_about(&over, "max_files")
        .unwrap_or_else(|| panic!("no files warning in {:?}", over.report.warnings));
    assert!(
        warning.message.starts_with(&format!(
            "the site has {files} files, over [deploy] max_files of {}; most: ",
            files - 1
        )),
        "{}",
        warning.message
    );
    // The kinds are named with their counts, most first, adding up to no more than the site's.
    let most = warning.message.split("most: ").nth(1).unwrap();
    let counts: Vec<u64> = most
        .split(", ")
        .map(|kind| kind.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert!(counts.windows(2).all(|pair| pair[0] >= pair[1]), "{most}");
    assert!(counts.iter().sum::<u64>() <= files, "{most}");
    assert_check_finds_too(&site, warning);
}

#[test]
fn a_malformed_max_files_is_an_error_at_its_line() {
    for (value, says) in [
        ("0", "must be a number of files above zero"),
        ("-20", "must be a number of files above zero"),
        ("\"many\"", "invalid type: string"),
    ] {
        let error = deploy_error("max_files", value);
        assert!(error.contains("site.toml:5:"), "{value}: {error}");
        assert!(error.contains(says), "{value}: {error}");
    }
}

#[test]
fn files_over_max_file_size_are_named_and_site_bibtex_leaves_out_the_site_wide_file() {
    let site = TestSite::fixture("scholarly");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    let built = site.build().unwrap();
    let site_bib = std::fs::metadata(built.out.join("papers.bib"))
        .unwrap()
        .len();
    // The largest files on disk, to set a limit that only some are over.
    let mut sizes: Vec<(u64, String)> = built
        .files()
        .into_iter()
        .map(|file| {
            (
                std::fs::metadata(built.out.join(&file)).unwrap().len(),
                file,
            )
        })
        .collect();
    sizes.sort_by(|a, b| b.cmp(a));
    let limit = sizes[2].0;
    let over: Vec<&str> = sizes
        .iter()
        .filter(|(bytes, _)| *bytes > limit)
        .map(|(_, file)| file.as_str())
        .collect();
    assert!(!over.is_empty());

    let built = build_with(&site, &toml, &format!("[deploy]\nmax_file_size = {limit}"));
    let warning = warning_about(&built, "max_file_size")
        .unwrap_or_else(|| panic!("no file size warning in {:?}", built.report.warnings));
    let count = if over.len() == 1 {
        "1 file is".to_string()
    } else {
        format!("{} files are", over.len())
    };
    assert!(
        warning
            .message
            .starts_with(&format!("{count} over [deploy] max_file_size")),
        "{}",
        warning.message
    );
    let named = warning.message.split(": ").nth(1).unwrap();
    assert!(
        named.starts_with(&format!("{} ", over[0])),
        "largest first, {over:?}: {named}"
    );

    // Without the site's papers.bib: not written, no warning, and digests keep theirs.
    site.write(
        "site.toml",
        &format!("{toml}\nsite_bibtex = false\n[deploy]\nmax_file_size = {site_bib}\n"),
    );
    let built = site.build().unwrap();
    assert!(!built.out.join("papers.bib").exists());
    assert!(
        built
            .files()
            .iter()
            .any(|file| file.starts_with("digests/") && file.ends_with("/papers.bib"))
    );
    assert!(
        !built
            .report
            .warnings
            .iter()
            .any(|w| w.message.contains("papers.bib"))
    );
}
