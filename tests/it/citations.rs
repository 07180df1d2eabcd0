//! Citation exports and the paper page's citation metadata: BibTeX that a real parser reads
//! back, RIS, CSL-JSON, Highwire tags, JSON-LD, COinS, and escaping of hostile titles.

use biblatex::{Bibliography, ChunksExt, EntryType};

use crate::support::{Built, TestSite, digest, links};

fn scholarly() -> (TestSite, Built) {
    let site = TestSite::fixture("scholarly");
    let built = site.build().expect("the scholarly fixture builds");
    (site, built)
}

const TRICKY_TITLE: &str =
    "R&D at 100%: $\\mathcal{O}(n^2)$ bounds for {sets} of naïve Schrödinger_ops -- and ~ more";

fn parse_bib(text: &str) -> Bibliography {
    Bibliography::parse(text).unwrap_or_else(|e| panic!("BibTeX does not parse: {e:?}\n{text}"))
}

#[test]
fn bibtex_parses_back_and_round_trips_tricky_titles() {
    let (_site, built) = scholarly();
    let bib = parse_bib(&built.read("papers.bib"));
    assert_eq!(bib.len(), 4, "one entry per paper");
    let tricky = bib
        .get("oord2023rd")
        .expect("key from family name, year, first word");
    assert_eq!(tricky.entry_type, EntryType::Article, "journal venue");
    assert_eq!(tricky.title().unwrap().format_verbatim(), TRICKY_TITLE);
    let authors = tricky.author().unwrap();
    assert_eq!(authors[0].name, "Oord");
    assert_eq!(authors[0].prefix, "van den");
    assert_eq!(authors[0].given_name, "Aäron");
    assert_eq!(authors[1].name, "Martínez-García");
    assert_eq!(
        tricky.get("journal").unwrap().format_verbatim(),
        "Journal of Machine Learning Research"
    );
    assert_eq!(
        tricky.doi().unwrap(),
        "10.1000/jmlr.2023.1",
        "DOI kept verbatim"
    );

    let conference = bib
        .get("song2023improved")
        .expect("first seen keeps the bare key");
    assert_eq!(conference.entry_type, EntryType::InProceedings);
    assert_eq!(
        conference.get("booktitle").unwrap().format_verbatim(),
        "ICLR 2024"
    );
    assert_eq!(
        conference.get("eprint").unwrap().format_verbatim(),
        "2310.14189"
    );
    assert_eq!(
        conference.get("primaryclass").unwrap().format_verbatim(),
        "cs.LG"
    );
    let preprint = bib
        .get("song2023improveda")
        .expect("collision gets suffix a");
    assert_eq!(preprint.entry_type, EntryType::Misc);
    assert_eq!(
        preprint.get("archiveprefix").unwrap().format_verbatim(),
        "arXiv"
    );
    assert_eq!(
        preprint.get("eprint").unwrap().format_verbatim(),
        "2305.00001"
    );
    assert!(
        bib.get("openaiblog").is_some(),
        "no year, no arXiv: {bib:?}"
    );
}

#[test]
fn every_bibliography_file_parses_and_keys_agree_across_files() {
    let (_site, built) = scholarly();
    let site_keys: Vec<String> = parse_bib(&built.read("papers.bib"))
        .iter()
        .map(|e| e.key.clone())
        .collect();
    let mut files = 0;
    for file in built.files() {
        if !file.ends_with(".bib") {
            continue;
        }
        files += 1;
        let bib = parse_bib(&built.read(&file));
        assert!(!bib.is_empty(), "{file} is empty");
        for entry in bib.iter() {
            assert!(site_keys.contains(&entry.key), "{file}: {}", entry.key);
        }
    }
    // 4 papers, 3 digests, 3 topics, the site.
    assert_eq!(files, 4 + 3 + 3 + 1);
    let digest = parse_bib(&built.read("digests/2023-11-01/papers.bib"));
    let keys: Vec<&str> = digest.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["song2023improved", "oord2023rd"], "file order");
    let paper = built.read("papers/2310.14189/cite.bib");
    assert!(
        paper.starts_with("@inproceedings{song2023improved,"),
        "{paper}"
    );
}

/// A paper entry by Yang Song published in 2023: its citation key starts `song2023`.
fn paper(title: &str, id: &str) -> String {
    format!(
        "title = \"{title}\"\nauthors = [\"Yang Song\"]\narxiv = \"{id}\"\npublished = 2023-01-02"
    )
}

#[test]
fn keys_are_stable_when_a_newer_colliding_paper_arrives() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        &digest("A", "2024-01-01", &[&paper("Improved One", "2301.00009")]),
    );
    let first = site.build().unwrap().read("papers/2301.00009/cite.bib");
    assert!(first.contains("{song2023improved,"), "{first}");
    // A paper with a smaller id (sorted first) appears in a newer digest.
    site.write(
        "content/b.md",
        &digest("B", "2024-02-01", &[&paper("Improved Two", "2301.00001")]),
    );
    let built = site.build().unwrap();
    assert_eq!(built.read("papers/2301.00009/cite.bib"), first);
    assert!(
        built
            .read("papers/2301.00001/cite.bib")
            .contains("{song2023improveda,")
    );
}

#[test]
fn ris_and_csl_json_hold_the_required_fields() {
    let (_site, built) = scholarly();
    let ris = built.read("papers/2310.14189/cite.ris");
    let lines: Vec<&str> = ris.split("\r\n").collect();
    assert_eq!(lines[0], "TY  - CPAPER");
    for expected in [
        "TI  - Improved Techniques for Training Consistency Models",
        "AU  - Song, Yang",
        "AU  - Dhariwal, Prafulla",
        "PY  - 2023",
        "DA  - 2023/10/22/",
        "T2  - ICLR 2024",
        "UR  - https://arxiv.org/abs/2310.14189",
        "KW  - Diffusion",
        "ER  - ",
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in\n{ris}");
    }
    assert!(
        lines
            .iter()
            .all(|l| l.is_empty() || l.as_bytes()[2..6] == *b"  - "),
        "every line is TAG  - value: {ris}"
    );

    for (file, kind) in [
        ("papers/2310.14189/cite.json", "paper-conference"),
        ("papers/10.1000-jmlr.2023.1/cite.json", "article-journal"),
        ("papers/2305.00001/cite.json", "article"),
    ] {
        let json: serde_json::Value = serde_json::from_str(&built.read(file)).unwrap();
        let item = &json.as_array().expect("CSL-JSON is an array")[0];
        for field in ["id", "type", "title", "author", "issued"] {
            assert!(item.get(field).is_some(), "{file}: no {field}");
        }
        assert_eq!(item["type"], kind, "{file}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&built.read("papers/10.1000-jmlr.2023.1/cite.json")).unwrap();
    assert_eq!(json[0]["title"], TRICKY_TITLE);
    assert_eq!(json[0]["author"][0]["family"], "Oord");
    assert_eq!(json[0]["author"][0]["non-dropping-particle"], "van den");
    assert_eq!(json[0]["issued"]["date-parts"][0][1], 3);
    let preprint: serde_json::Value =
        serde_json::from_str(&built.read("papers/2305.00001/cite.json")).unwrap();
    assert_eq!(preprint[0]["number"], "arXiv:2305.00001");
}

#[test]
fn paper_page_has_scholar_tags_json_ld_coins_and_cite_block() {
    let (_site, built) = scholarly();
    let page = built.read("papers/2310.14189/index.html");
    let expected = [
        "<meta name=\"citation_title\" content=\"Improved Techniques for Training Consistency Models\">",
        "<meta name=\"citation_author\" content=\"Yang Song\">\n<meta name=\"citation_author\" content=\"Prafulla Dhariwal\">",
        "<meta name=\"citation_publication_date\" content=\"2023/10/22\">",
        "<meta name=\"citation_online_date\" content=\"2023/10/22\">",
        "<meta name=\"citation_conference_title\" content=\"ICLR 2024\">",
        "<meta name=\"citation_pdf_url\" content=\"https://arxiv.org/pdf/2310.14189\">",
        "<meta name=\"citation_arxiv_id\" content=\"2310.14189\">",
        "<meta name=\"citation_abstract_html_url\" content=\"https://example.org/lab/papers/2310.14189/\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<meta name=\"twitter:card\" content=\"summary\">",
        "<link rel=\"canonical\" href=\"https://example.org/lab/papers/2310.14189/\">",
        "<span class=\"Z3988\" title=\"ctx_ver=Z39.88-2004&amp;rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Abook&amp;rft.genre=proceeding&amp;rft.atitle=Improved%20Techniques",
        "<pre class=\"bibtex\" id=\"bibtex\"><code>@inproceedings{song2023improved,",
        "href=\"/lab/papers/2310.14189/cite.bib\"",
        "href=\"/lab/papers/2310.14189/cite.ris\"",
        "href=\"/lab/papers/2310.14189/cite.json\"",
    ];
    for tag in expected {
        assert!(page.contains(tag), "missing {tag}");
    }
    let journal = built.read("papers/10.1000-jmlr.2023.1/index.html");
    assert!(journal.contains(
        "<meta name=\"citation_journal_title\" content=\"Journal of Machine Learning Research\">"
    ));
    assert!(journal.contains("<meta name=\"citation_doi\" content=\"10.1000/jmlr.2023.1\">"));

    let ld = json_ld(&page);
    assert_eq!(ld["@type"], "ScholarlyArticle");
    assert_eq!(
        ld["name"],
        "Improved Techniques for Training Consistency Models"
    );
    assert_eq!(ld["author"][1]["name"], "Prafulla Dhariwal");
    assert_eq!(ld["datePublished"], "2023-10-22");
    assert_eq!(ld["identifier"][0]["propertyID"], "arXiv");
    assert_eq!(ld["sameAs"][0], "https://arxiv.org/abs/2310.14189");
    assert_eq!(ld["url"], "https://example.org/lab/papers/2310.14189/");
    assert_eq!(
        ld["abstract"],
        "We train with $\\mathcal{L}(\\theta) = \\|x\\|_2^2$ and see the topic."
    );
    assert_eq!(ld["about"][0]["name"], "Consistency models");
    // Every root-relative link of the page (citation files, feeds, topics) resolves.
    for link in links(&page).iter().filter(|l| l.starts_with("/lab/")) {
        let path = link.strip_prefix("/lab/").unwrap();
        let file = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        assert!(built.exists(&file), "{link} does not resolve");
    }
}

/// The JSON-LD of a page, parsed.
fn json_ld(page: &str) -> serde_json::Value {
    let start = page
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD present")
        + "<script type=\"application/ld+json\">".len();
    let end = page[start..].find("</script>").unwrap() + start;
    serde_json::from_str(&page[start..end]).expect("JSON-LD is valid JSON")
}

#[test]
fn hostile_titles_and_authors_leave_json_ld_valid_and_inert() {
    let evil = "</script><script>alert(1)</script> \"quoted\" 'single' --> <!-- & </SCRIPT >";
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &format!(
            "+++\ntitle = \"D\"\ndate = 2024-01-01\n\n[[papers]]\nid = \"evil\"\ntitle = '''T {evil}'''\nauthors = ['''{evil}''']\nvenue = '''{evil}'''\ntopics = ['''{evil}''']\nabstract = '''A {evil}'''\n+++\n"
        ),
    );
    let built = site.build().unwrap();
    let page = built.read("papers/evil/index.html");
    let lower = page
        .to_lowercase()
        .replace("<script src=\"/search/search.js\" defer></script>", "")
        .replace("<script src=\"/search/box.js\" defer></script>", "");
    // Besides search, exactly our two script elements open, and exactly they close.
    assert_eq!(lower.matches("<script").count(), 2, "{page}");
    assert_eq!(lower.matches("</script").count(), 2, "{page}");
    let ld = json_ld(&page);
    assert_eq!(ld["name"], format!("T {evil}"));
    assert_eq!(ld["author"][0]["name"], evil);
    assert_eq!(ld["about"][0]["name"], evil);
    let script = &page[page.find("application/ld+json").unwrap()..];
    let script = &script[..script.find("</script>").unwrap()];
    for breakout in ["<!--", "-->", "</", "<script"] {
        assert!(!script[2..].contains(breakout), "{breakout} in JSON-LD");
    }
    assert!(
        page.contains(
            "<meta name=\"citation_title\" content=\"T &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &#39;single&#39; --&gt; &lt;!-- &amp; &lt;/SCRIPT &gt;\">"
        ),
        "citation_title escaped: {page}"
    );
    assert!(page.contains("<meta name=\"citation_author\" content=\"&lt;"));
    // The BibTeX and COinS of the same paper stay parseable.
    let bib = parse_bib(&built.read("papers/evil/cite.bib"));
    let entry = bib.iter().next().unwrap();
    assert_eq!(
        entry.title().unwrap().format_verbatim(),
        format!("T {evil}")
    );
}

#[test]
fn large_sites_can_turn_off_per_paper_files_and_emails() {
    let site = TestSite::fixture("scholarly");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &toml.replace(
            "citation_files = \"all\"",
            "citation_files = false\nemails = false",
        ),
    );
    let built = site.build().unwrap();
    let files = built.files();
    assert!(
        !files
            .iter()
            .any(|f| f.contains("/cite.") || f.contains("/email.")),
        "{files:?}"
    );
    assert!(built.exists("papers.bib") && built.exists("digests/2023-11-01/papers.bib"));
    let page = built.read("papers/2310.14189/index.html");
    assert!(
        page.contains("<pre class=\"bibtex\""),
        "BibTeX still on the page"
    );
    assert!(!page.contains("cite.bib"));
    assert!(
        !built
            .read("digests/2023-11-01/index.html")
            .contains("email.html")
    );
    site.write(
        "site.toml",
        &toml.replace("citation_files = \"all\"", "email = false"),
    );
    let error = site.build_error();
    assert!(error.contains("did you mean `emails`?"), "{error}");
}

#[test]
fn a_suffixed_key_skips_keys_other_papers_have_as_their_own() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        &digest(
            "A",
            "2024-01-01",
            &[
                &paper("Improved One", "2301.00009"),
                &paper("Improved Two", "2301.00001"),
                // Its own key is what the second paper above would get as a suffixed one.
                &paper("Improveda Three", "2301.00005"),
            ],
        ),
    );
    let built = site.build().unwrap();
    let key = |id: &str| {
        let bib = built.read(&format!("papers/{id}/cite.bib"));
        bib[bib.find('{').unwrap() + 1..bib.find(',').unwrap()].to_string()
    };
    assert_eq!(key("2301.00009"), "song2023improved");
    assert_eq!(key("2301.00005"), "song2023improveda");
    assert_eq!(key("2301.00001"), "song2023improvedb");
}

#[test]
fn by_default_papers_get_cite_bib_only_and_the_page_links_only_that() {
    let site = TestSite::fixture("scholarly");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write("site.toml", &toml.replace("citation_files = \"all\"", ""));
    let built = site.build().unwrap();
    assert!(built.exists("papers/2310.14189/cite.bib"));
    let files = built.files();
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with("/cite.ris") || f.ends_with("/cite.json")),
        "{files:?}"
    );
    let page = built.read("papers/2310.14189/index.html");
    assert!(page.contains("href=\"/lab/papers/2310.14189/cite.bib\""));
    assert!(
        !page.contains("cite.ris") && !page.contains("cite.json"),
        "{page}"
    );
    assert!(built.exists("papers.bib"));
    assert!(built.exists("digests/2023-11-01/papers.bib"));
}

#[test]
fn by_default_pages_leave_out_coins_the_json_ld_abstract_and_topic_bibliographies() {
    let site = TestSite::fixture("scholarly");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &toml
            .replace("topic_bibtex = true", "")
            .replace("rich_metadata = true", ""),
    );
    let built = site.build().unwrap();
    let page = built.read("papers/2310.14189/index.html");
    assert!(!page.contains("Z3988"), "{page}");
    let ld = json_ld(&page);
    assert_eq!(ld["@type"], "ScholarlyArticle");
    assert!(ld.get("abstract").is_none(), "{ld}");
    // The abstract is on the page, and the citation tags reference managers read are all there.
    assert!(page.contains("<section class=\"abstract\""));
    assert!(page.contains("<meta name=\"citation_title\""));
    let files = built.files();
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("topics/") && f.ends_with("papers.bib")),
        "{files:?}"
    );
    assert!(built.exists("papers.bib"));
    for topic in files
        .iter()
        .filter(|f| f.starts_with("topics/") && f.ends_with("/index.html"))
    {
        assert!(
            !built.read(topic).contains("papers.bib"),
            "{topic} links a bibliography it does not have"
        );
    }
}

#[test]
fn emails_are_written_for_the_newest_digests_only() {
    let site = TestSite::fixture("scholarly");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &toml.replace("citation_files = \"all\"", "emails = 2"),
    );
    let built = site.build().unwrap();
    let mut digests: Vec<String> = built
        .files()
        .into_iter()
        .filter_map(|f| {
            f.strip_prefix("digests/")?
                .strip_suffix("/index.html")
                .map(str::to_string)
        })
        .filter(|slug| !slug.contains('/'))
        .collect();
    digests.sort();
    assert_eq!(digests.len(), 3, "{digests:?}");
    let oldest = &digests[0];
    for slug in &digests {
        let page = built.read(&format!("digests/{slug}/index.html"));
        let has_email = slug != oldest;
        assert_eq!(
            built.exists(&format!("digests/{slug}/email.html")),
            has_email,
            "{slug}"
        );
        assert_eq!(
            built.exists(&format!("digests/{slug}/email.txt")),
            has_email,
            "{slug}"
        );
        assert_eq!(page.contains("email.html"), has_email, "{slug}");
    }
}

#[test]
fn older_digests_list_short_cards_and_every_abstract_stays_on_its_paper_page() {
    let site = TestSite::fixture("scholarly");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &toml.replace("citation_files = \"all\"", "digest_abstracts = 2"),
    );
    let built = site.build().unwrap();
    let full = ["2023-11-15", "2023-11-08"];
    for slug in ["2023-11-15", "2023-11-08", "2023-11-01"] {
        let page = built.read(&format!("digests/{slug}/index.html"));
        let cards = page.matches("<article class=\"card\">").count();
        assert!(cards > 0, "{slug}");
        let abstracts = page.matches("<details class=\"abstract\">").count();
        let chips_in_cards = page
            .split("<article class=\"card\">")
            .skip(1)
            .filter(|card| card[..card.find("</article>").unwrap()].contains("class=\"chips\""));
        if full.contains(&slug) {
            assert!(abstracts > 0, "{slug} lists abstracts");
            assert!(chips_in_cards.count() > 0, "{slug} lists topic chips");
        } else {
            assert_eq!(abstracts, 0, "{slug} is an archive of short cards");
            assert_eq!(chips_in_cards.count(), 0, "{slug}");
            // A short card still names the paper, its authors and its links.
            assert!(page.contains("<p class=\"authors\">"), "{slug}");
            assert!(page.contains("<ul class=\"links\""), "{slug}");
        }
    }
    // The oldest digest's papers keep their abstract on their own page.
    let oldest = built.read("digests/2023-11-01/index.html");
    let first_paper = &oldest[oldest.find("<h2><a href=\"/lab/papers/").unwrap() + 13..];
    let url = &first_paper[..first_paper.find('"').unwrap()];
    let page = built.read(&format!("{}index.html", url.strip_prefix("/lab/").unwrap()));
    assert!(page.contains("<section class=\"abstract\""), "{url}");

    site.write(
        "site.toml",
        &toml.replace("citation_files = \"all\"", "digest_abstracts = \"all\""),
    );
    let built = site.build().unwrap();
    assert!(
        built
            .read("digests/2023-11-01/index.html")
            .contains("<details class=\"abstract\">")
    );
}

#[test]
fn a_wrong_outputs_value_is_an_error_at_its_line() {
    for (line, says) in [
        (
            "citation_files = \"ris\"",
            "citation_files `ris` is not one of",
        ),
        ("citation_files = 3", "found an integer"),
        ("emails = \"latest\"", "found `latest`"),
        ("emails = -1", "it must be 0 or more"),
        (
            "digest_abstracts = \"newest\"",
            "digest_abstracts: expected a number of digests",
        ),
        (
            "digest_abstracts = -3",
            "digest_abstracts is -3; it must be 0 or more",
        ),
    ] {
        let site = TestSite::new();
        site.write(
            "site.toml",
            &format!("{}\n[outputs]\n{line}\n", crate::support::SITE_TOML),
        );
        let error = site.build_error();
        assert!(error.contains("site.toml:5: error: [outputs]"), "{error}");
        assert!(error.contains(says), "{line}: {error}");
    }
}

#[test]
fn a_switch_of_outputs_that_is_not_a_boolean_is_an_error_at_its_column() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!(
            "{}\n[outputs]\ntopic_bibtex = \"yes\"\n",
            crate::support::SITE_TOML
        ),
    );
    let error = site.build_error();
    assert!(error.contains("site.toml:5:16: error"), "{error}");
    assert!(error.contains("expected a boolean"), "{error}");
}
