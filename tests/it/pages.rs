//! What a build writes: page counts, merged papers, topics, pagination, sub-paths, feeds.

use std::io::Write as _;
use std::path::Path;

use crate::support::{TestSite, broken_links, digest};
use digestif::BuildOptions;

fn example_site(base_url: Option<&str>) -> (tempfile::TempDir, crate::support::Built) {
    let out = tempfile::tempdir().unwrap();
    let mut options = BuildOptions::new(env!("CARGO_MANIFEST_DIR"));
    options.output_dir = Some(out.path().join("public"));
    options.overrides.base_url = base_url.map(String::from);
    let report = digestif::build(&options).expect("the example site builds");
    let built = crate::support::Built {
        out: out.path().join("public"),
        report,
    };
    (out, built)
}

#[test]
fn example_site_builds_every_page_kind_and_skips_the_draft() {
    let (_tmp, built) = example_site(None);
    assert_eq!(built.report.digests, 4);
    for page in [
        "index.html",
        "topics/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        ".nojekyll",
        "syntax.css",
        "style.css",
    ] {
        assert!(built.exists(page), "{page} missing");
    }
    assert!(
        built.exists("digests/training-classics/index.html"),
        "slug from front matter"
    );
    assert!(
        built.exists("digests/2024-04-02/index.html"),
        "digest in a subfolder"
    );
    assert!(
        !built.exists("digests/2024-04-08/index.html"),
        "drafts are skipped"
    );
    assert!(
        built.exists("papers/hep-th-9711200/index.html"),
        "old-style arXiv id made safe"
    );
    let papers = built
        .files()
        .iter()
        .filter(|f| f.starts_with("papers/") && f.ends_with("/index.html"))
        .count();
    assert_eq!(papers, built.report.papers);
}

#[test]
fn every_internal_link_resolves_at_a_domain_root_and_under_a_sub_path() {
    let (_tmp, built) = example_site(None);
    assert_eq!(broken_links(&built, "/digestif/"), Vec::<String>::new());
    let (_tmp, built) = example_site(Some("https://lab.github.io/lab-digest/"));
    assert_eq!(broken_links(&built, "/lab-digest/"), Vec::<String>::new());
    let index = built.read("index.html");
    assert!(
        index.contains("href=\"/lab-digest/style.css\""),
        "assets under the sub-path"
    );
    assert!(
        built
            .read("sitemap.xml")
            .contains("<loc>https://lab.github.io/lab-digest/papers/1706.03762/</loc>")
    );
    let (_tmp, built) = example_site(Some("https://example.org"));
    assert_eq!(broken_links(&built, "/"), Vec::<String>::new());
}

#[test]
fn paper_in_two_digests_gets_one_page_listing_both() {
    let site = TestSite::fixture("merge");
    let built = site.build().unwrap();
    let page = built.read("papers/1706.03762/index.html");
    assert!(page.contains("First digest"), "first digest listed");
    assert!(page.contains("Second digest"), "second digest listed");
    assert!(
        page.contains("First digest&#x27;s notes") || page.contains("First digest's notes"),
        "notes of the first digest"
    );
    assert!(
        page.contains("Second digest&#x27;s notes") || page.contains("Second digest's notes"),
        "notes of the second digest"
    );
    for topic in [
        "Transformers",
        "Large language models",
        "Architectures",
        "Reading group",
    ] {
        assert!(page.contains(topic), "topic {topic} in the union");
    }
    // The title's first spelling wins.
    assert!(page.contains("Attention Is All You Need"));
    assert_eq!(built.report.papers, 4);
}

#[test]
fn topics_merge_by_case_and_alias() {
    let site = TestSite::fixture("merge");
    let built = site.build().unwrap();
    let topics = built.read("topics/index.html");
    assert!(built.exists("topics/large-language-models/index.html"));
    assert!(
        !built.exists("topics/llm/index.html"),
        "alias has no page of its own"
    );
    assert!(!built.exists("topics/llms/index.html"));
    // "Transformers" and "transformers" are one topic, shown in the first spelling seen.
    assert!(built.exists("topics/transformers/index.html"));
    assert!(topics.contains(">Transformers<"), "{topics}");
    assert!(!topics.contains(">transformers<"));
    // Both papers with "diffusion"/"Diffusion" are on one topic page.
    let diffusion = built.read("topics/diffusion/index.html");
    assert!(diffusion.contains("Consistency Models") && diffusion.contains("Old style"));
}

#[test]
fn drafts_are_built_only_when_asked() {
    let site = TestSite::fixture("merge");
    assert!(
        !site
            .build()
            .unwrap()
            .exists("digests/2024-03-25-draft/index.html")
    );
    let mut options = site.options();
    options.overrides.include_drafts = true;
    let built = site.build_with(options).unwrap();
    assert!(built.exists("digests/2024-03-25-draft/index.html"));
    assert!(built.exists("papers/2401.00001/index.html"));
}

#[test]
fn topic_pages_paginate() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/sub/\"\npapers_per_page = 10\n",
    );
    let papers: Vec<String> = (1..=23)
        .map(|i| format!("title = \"Paper {i:02}\"\nauthors = [\"A\"]\narxiv = \"2401.{i:05}\"\ntopics = [\"Big topic\"]"))
        .collect();
    let papers: Vec<&str> = papers.iter().map(String::as_str).collect();
    site.write("content/d.md", &digest("D", "2024-01-05", &papers));
    let built = site.build().unwrap();
    assert!(built.exists("topics/big-topic/index.html"));
    assert!(built.exists("topics/big-topic/page/2/index.html"));
    assert!(built.exists("topics/big-topic/page/3/index.html"));
    assert!(!built.exists("topics/big-topic/page/4/index.html"));
    let last = built.read("topics/big-topic/page/3/index.html");
    assert_eq!(
        last.matches("<article class=\"card\">").count(),
        3,
        "23 papers, 10 a page"
    );
    assert!(
        last.contains("/sub/topics/big-topic/page/2/"),
        "link back to page 2"
    );
    assert_eq!(broken_links(&built, "/sub/"), Vec::<String>::new());
}

#[test]
fn a_theme_without_a_partial_gets_the_default_themes() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\ntheme = \"mine\"\npapers_per_page = 1\n",
    );
    let papers = [
        "title = \"One\"\nauthors = [\"A\"]\ntopics = [\"Big topic\"]",
        "title = \"Two\"\nauthors = [\"A\"]\ntopics = [\"Big topic\"]",
    ];
    site.write("content/d.md", &digest("D", "2024-01-05", &papers));
    for (path, bytes) in digestif::render::templates::embedded_theme_files() {
        if !path.ends_with("partials/paginator.html") {
            site.write_bytes(&format!("themes/mine/{path}"), bytes);
        }
    }
    let built = site
        .build()
        .expect("the missing partial comes from the default theme");
    assert!(
        built
            .read("topics/big-topic/index.html")
            .contains("<nav class=\"pager\" aria-label=\"Pagination\">")
    );
    // A template the theme lacks is still an error: only partials fall back.
    std::fs::remove_file(site.root().join("themes/mine/templates/topics.html")).unwrap();
    let error = site.build_error();
    assert!(error.contains("topics.html"), "{error}");
}

#[test]
fn index_paginates_digests() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\ndigests_per_page = 2\n",
    );
    for day in 1..=5 {
        site.write(
            &format!("content/2024-01-0{day}.md"),
            &digest(&format!("Day {day}"), &format!("2024-01-0{day}"), &[]),
        );
    }
    let built = site.build().unwrap();
    assert!(built.exists("page/2/index.html") && built.exists("page/3/index.html"));
    assert!(!built.exists("page/4/index.html"));
    let first = built.read("index.html");
    let (day5, day4) = (first.find("Day 5").unwrap(), first.find("Day 4").unwrap());
    assert!(day5 < day4, "newest first");
    assert!(!first.contains("Day 3"));
}

#[test]
fn empty_content_folder_builds_an_empty_site() {
    let site = TestSite::new();
    let built = site.build().unwrap();
    assert_eq!(built.report.digests, 0);
    assert!(
        built.exists("index.html") && built.exists("topics/index.html") && built.exists("feed.xml")
    );
}

#[test]
fn builds_are_deterministic() {
    let site = TestSite::fixture("merge");
    let read_all = |out: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = walkdir::WalkDir::new(out)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(out).unwrap().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let first = read_all(&site.build().unwrap().out);
    let second = read_all(&site.build().unwrap().out);
    assert!(first == second, "two builds of the same files differ");
}

#[test]
fn failed_build_leaves_previous_output_and_success_removes_stale_pages() {
    let site = TestSite::fixture("merge");
    let built = site.build().unwrap();
    assert!(built.exists("digests/2024-03-18/index.html"));
    site.write("content/2024-03-18.md", "+++\ntitle = \"Broken\"\n");
    assert!(site.build().is_err());
    assert!(
        built.exists("digests/2024-03-18/index.html"),
        "previous output kept"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
    std::fs::remove_file(site.root().join("content/2024-03-18.md")).unwrap();
    let built = site.build().unwrap();
    assert!(
        !built.exists("digests/2024-03-18/index.html"),
        "stale page removed"
    );
    assert!(
        !built.exists("papers/hep-th-9711200/index.html"),
        "stale paper removed"
    );
}

#[test]
fn math_is_mathml_dollars_are_money_and_code_is_highlighted() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        &digest("D", "2024-01-05", &["title = \"P\"\nauthors = [\"A\"]\nabstract = '''Loss $\\|x\\|_2^2$ and $$\\int_0^1 f$$ costs $5 and $10, or \\$3.'''\nnotes = '''\n```python\ndef f(): return 1\n```\n'''"]),
    );
    let built = site.build().unwrap();
    let page = built.read("papers/p/index.html");
    assert!(page.contains("<math display=\"inline\">"), "inline math");
    assert!(page.contains("<math display=\"block\">"), "display math");
    assert!(
        page.contains("costs $5 and $10, or $3."),
        "dollars stay text: {page}"
    );
    assert!(page.contains("class=\"hl-"), "highlighted code");
    assert!(
        built
            .read("syntax.css")
            .contains("prefers-color-scheme: dark")
    );
}

#[test]
fn feed_and_sitemap_are_well_formed_xml() {
    let site = TestSite::fixture("merge");
    site.write(
        "content/2024-03-11.md",
        &std::fs::read_to_string(site.root().join("content/2024-03-11.md"))
            .unwrap()
            .replace(
                "The first digest's introduction.",
                "Intro with <b>tags</b> & ampersands, $x^2$.",
            ),
    );
    let built = site.build().unwrap();
    for file in ["feed.xml", "sitemap.xml"] {
        let text = built.read(file);
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut elements = 0;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(_)) => elements += 1,
                Ok(_) => {}
                Err(e) => panic!("{file} is not well-formed XML: {e}\n{text}"),
            }
        }
        assert!(elements > 3, "{file}");
    }
    let feed = built.read("feed.xml");
    assert_eq!(feed.matches("<entry>").count(), 2);
    assert!(feed.contains("https://example.org/digests/2024-03-18/"));
    let sitemap = built.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/papers/hep-th-9711200/</loc>"));
    assert!(!sitemap.contains("404"));
}

#[test]
fn paper_page_stays_under_30_kb_gzipped_with_css() {
    let (_tmp, built) = example_site(None);
    let css: Vec<u8> = ["style.css", "syntax.css"]
        .iter()
        .flat_map(|f| std::fs::read(built.out.join(f)).unwrap())
        .collect();
    let gzip = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap().len()
    };
    let mut largest = (0, String::new());
    for page in built
        .html_files()
        .into_iter()
        .filter(|p| p.starts_with("papers/"))
    {
        let size = gzip(built.read(&page).as_bytes()) + gzip(&css);
        largest = largest.max((size, page));
    }
    assert!(largest.0 > 1000, "pages were measured");
    assert!(
        largest.0 < 30 * 1024,
        "{} is {} bytes gzipped with CSS",
        largest.1,
        largest.0
    );
}

#[test]
fn digest_topics_without_papers_make_no_empty_topic_page() {
    let site = TestSite::new();
    site.write(
        "content/d.md",
        "+++\ntitle = \"D\"\ndate = 2024-01-01\ntopics = [\"Lonely\"]\n+++\n",
    );
    let built = site.build().unwrap();
    assert!(!built.exists("topics/lonely/index.html"));
}

#[test]
fn alias_target_names_the_topic_whichever_spelling_comes_first() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!(
            "{}[topics.aliases]\n\"LLM\" = \"Large language models\"\n",
            crate::support::SITE_TOML
        ),
    );
    site.write(
        "content/a.md",
        &digest(
            "A",
            "2024-01-01",
            &["title = \"P\"\nauthors = [\"A\"]\ntopics = [\"large language models\"]"],
        ),
    );
    site.write(
        "content/b.md",
        &digest(
            "B",
            "2024-01-02",
            &["title = \"Q\"\nauthors = [\"A\"]\ntopics = [\"LLM\"]"],
        ),
    );
    let built = site.build().unwrap();
    let topics = built.read("topics/index.html");
    assert!(topics.contains(">Large language models<"), "{topics}");
    assert!(!topics.contains(">large language models<"));
}

/// The default theme's paper card and related-papers section are written by native functions
/// while their partials are the theme's own. A site whose partials differ (here by a comment
/// only) gets them from Tera; both must write the same bytes on every site, in every file.
#[test]
fn the_native_card_and_related_section_write_what_their_templates_write() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let partial = |name: &str| {
        std::fs::read_to_string(
            manifest
                .join("themes/default/templates/partials")
                .join(name),
        )
        .unwrap()
    };
    let (card, related) = (partial("paper_card.html"), partial("related.html"));
    let mut related_sections = 0;
    let example = |site: &TestSite| {
        site.write(
            "site.toml",
            &std::fs::read_to_string(manifest.join("site.toml")).unwrap(),
        );
        crate::support::copy_tree(&manifest.join("content"), &site.root().join("content"));
    };
    let sites: [(&str, &dyn Fn() -> TestSite); 6] = [
        ("example", &|| {
            let site = TestSite::new();
            example(&site);
            site
        }),
        ("merge", &|| TestSite::fixture("merge")),
        ("scholarly", &|| TestSite::fixture("scholarly")),
        ("search", &|| TestSite::fixture("search")),
        ("injection", &|| TestSite::fixture("injection")),
        ("thumbnails", &|| TestSite::fixture("thumbnails")),
    ];
    for (name, make) in sites {
        let native = make();
        let template = make();
        template.write(
            "templates/partials/paper_card.html",
            &format!("{{# the card as a template #}}{card}"),
        );
        template.write(
            "templates/partials/related.html",
            &format!("{{# related papers as a template #}}{related}"),
        );
        let files = |site: &TestSite| {
            let built = site.build().unwrap_or_else(|e| panic!("{name}: {e}"));
            built
                .files()
                .into_iter()
                .map(|file| {
                    let bytes = std::fs::read(built.out.join(&file)).unwrap();
                    (file, bytes)
                })
                .collect::<Vec<_>>()
        };
        let (native, template) = (files(&native), files(&template));
        let count = |opening: &str| {
            native
                .iter()
                .map(|(_, bytes)| String::from_utf8_lossy(bytes).matches(opening).count())
                .sum::<usize>()
        };
        assert!(
            count("<article class=\"card\">") > 0,
            "{name}: no cards to compare"
        );
        related_sections += count("<section class=\"related\"");
        assert_eq!(native.len(), template.len(), "{name}");
        for ((file, a), (other, b)) in native.iter().zip(&template) {
            assert_eq!(file, other, "{name}");
            assert!(
                a == b,
                "{name}: {file} differs:\n{}\n---\n{}",
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b)
            );
        }
    }
    assert!(
        related_sections > 10,
        "only {related_sections} related sections compared"
    );
}

#[test]
fn year_folders_keep_days_of_different_years_apart() {
    let site = TestSite::new();
    for year in ["2024", "2025"] {
        site.write(
            &format!("content/{year}/03-11.md"),
            &digest(
                &format!("Day of {year}"),
                &format!("{year}-03-11"),
                &[&format!("title = \"Paper of {year}\"\nauthors = [\"A\"]")],
            ),
        );
    }
    let built = site.build().unwrap();
    assert!(
        built
            .read("digests/2024-03-11/index.html")
            .contains("Day of 2024")
    );
    assert!(
        built
            .read("digests/2025-03-11/index.html")
            .contains("Day of 2025")
    );
    // Two files that do mean one page are still an error naming both.
    site.write(
        "content/archive/2024-03-11.md",
        &digest("Again", "2024-03-11", &["title = \"P\"\nauthors = [\"A\"]"]),
    );
    let error = site.build_error();
    assert!(
        error.contains("content/2024/03-11.md") && error.contains("content/archive/2024-03-11.md"),
        "{error}"
    );
}

#[test]
fn a_digest_may_list_its_papers_most_voted_first() {
    let site = TestSite::new();
    let papers = [
        "title = \"Few votes\"\nauthors = [\"A\"]\nupvotes = 3",
        "title = \"No votes\"\nauthors = [\"A\"]",
        "title = \"Many votes\"\nauthors = [\"A\"]\nupvotes = 40",
    ];
    site.write("content/a.md", &digest("File order", "2024-03-11", &papers));
    site.write(
        "content/b.md",
        &digest("By votes", "2024-03-12", &papers).replacen(
            "date = ",
            "sort = \"upvotes\"\ndate = ",
            1,
        ),
    );
    let built = site.build().unwrap();
    let order = |page: &str| {
        let html = built.read(page);
        let mut found: Vec<(usize, &str)> = ["Few votes", "No votes", "Many votes"]
            .into_iter()
            .map(|t| (html.find(t).unwrap(), t))
            .collect();
        found.sort();
        found.into_iter().map(|(_, t)| t).collect::<Vec<_>>()
    };
    assert_eq!(
        order("digests/a/index.html"),
        ["Few votes", "No votes", "Many votes"]
    );
    assert_eq!(
        order("digests/b/index.html"),
        ["Many votes", "Few votes", "No votes"]
    );
    // Site-wide.
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &format!("{config}\n[digests]\nsort = \"upvotes\"\n"),
    );
    let built = site.build().unwrap();
    let html = built.read("digests/a/index.html");
    assert!(html.find("Many votes").unwrap() < html.find("Few votes").unwrap());
}

#[test]
fn the_archive_lists_every_digest_by_year_and_month_and_days_link_each_other() {
    let site = TestSite::new();
    for (file, date) in [
        ("content/2024/03-11.md", "2024-03-11"),
        ("content/2024/03-12.md", "2024-03-12"),
        ("content/2024/04-02.md", "2024-04-02"),
        ("content/2025/03-11.md", "2025-03-11"),
    ] {
        site.write(
            file,
            &digest(
                &format!("Day {date}"),
                date,
                &[&format!("title = \"Paper {date}\"\nauthors = [\"A\"]")],
            ),
        );
    }
    let built = site.build().unwrap();
    let archive = built.read("digests/index.html");
    let position = |text: &str| {
        archive
            .find(text)
            .unwrap_or_else(|| panic!("{text} in {archive}"))
    };
    // Newest first: 2025, then April 2024, then March 2024.
    assert!(position("id=\"y2025\"") < position("id=\"y2024\""));
    assert!(position("id=\"2024-04\"") < position("id=\"2024-03\""));
    for slug in ["2024-03-11", "2024-03-12", "2024-04-02", "2025-03-11"] {
        assert!(
            archive.contains(&format!("href=\"/digests/{slug}/\"")),
            "{slug}"
        );
    }
    assert!(
        built.read("index.html").contains("href=\"/digests/\""),
        "the home page links the archive"
    );
    // Each day links the one before and after it.
    let day = built.read("digests/2024-03-12/index.html");
    assert!(
        day.contains("href=\"/digests/2024-03-11/\"")
            && day.contains("href=\"/digests/2024-04-02/\"")
    );
    let last_year = built.read("digests/2024-04-02/index.html");
    assert!(last_year.contains("href=\"/digests/2025-03-11/\""));
}

#[test]
fn weeks_and_months_have_pages_of_their_most_voted_papers() {
    let site = TestSite::new();
    // 2024-03-11 is a Monday of ISO week 11; 2024-03-18 is in week 12.
    site.write(
        "content/2024/03-11.md",
        &digest(
            "Monday",
            "2024-03-11",
            &[
                "title = \"Ten votes\"\nauthors = [\"A\"]\nupvotes = 10",
                "title = \"No votes\"\nauthors = [\"A\"]",
                "title = \"Thirty votes\"\nauthors = [\"A\"]\nupvotes = 30",
            ],
        ),
    );
    site.write(
        "content/2024/03-18.md",
        &digest(
            "Next Monday",
            "2024-03-18",
            &[
                "title = \"Twenty votes\"\nauthors = [\"A\"]\nupvotes = 20\nabstract = \"Votes counted twice.\"",
                // Featured again a week later with more votes: it still counts in week 11.
                "title = \"Ten votes\"\nauthors = [\"A\"]\nupvotes = 50",
            ],
        ),
    );
    let built = site.build().unwrap();
    let order = |page: &str, titles: &[&str]| {
        let html = built.read(page);
        let mut found: Vec<(usize, String)> = titles
            .iter()
            .filter_map(|t| {
                html.find(&format!(">{t}</a></h2>"))
                    .map(|at| (at, t.to_string()))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, t)| t).collect::<Vec<_>>()
    };
    let all = ["Ten votes", "No votes", "Thirty votes", "Twenty votes"];
    assert_eq!(
        order("top/2024-w11/index.html", &all),
        ["Ten votes", "Thirty votes"]
    );
    assert_eq!(order("top/2024-w12/index.html", &all), ["Twenty votes"]);
    assert_eq!(
        order("top/2024-03/index.html", &all),
        ["Ten votes", "Thirty votes", "Twenty votes"]
    );
    assert!(
        built
            .read("digests/2024-03-11/index.html")
            .contains("href=\"/top/2024-w11/\"")
    );
    assert!(
        built
            .read("digests/2024-03-18/index.html")
            .contains("href=\"/top/2024-03/\"")
    );
    assert!(
        built
            .read("digests/index.html")
            .contains("href=\"/top/2024-03/\"")
    );
    // A period whose papers have no votes has no page.
    assert!(!built.exists("top/2024-w10/index.html"));
    // Up to 50 compact cards: the abstract is on the paper's page and the digest's, not here
    // (issue 21, page weight).
    assert!(
        built
            .read("digests/2024-03-18/index.html")
            .contains("Votes counted twice.")
    );
    assert!(
        !built
            .read("top/2024-03/index.html")
            .contains("Votes counted twice.")
    );
}

/// A large site renders its pages in batches, freeing the paper cards and related entries
/// between them; every batch size must write the same files as one batch.
#[test]
fn pages_rendered_in_small_batches_are_the_pages_of_one_batch() {
    use digestif::engine::Engine;
    use digestif::{Config, Overrides};

    for fixture in ["merge", "scholarly", "lab", "search"] {
        let site = crate::support::TestSite::fixture(fixture);
        let config = || Config::load(site.root(), &Overrides::default()).unwrap();
        let whole = crate::support::Memory::default();
        let whole_outcome = Engine::new(config(), false).build(&whole, false).unwrap();
        let whole = whole.into_files();
        for pages_per_batch in [1, 3, 7] {
            let batched = crate::support::Memory::default();
            let outcome = Engine::new(config(), false)
                .with_pages_per_batch(pages_per_batch)
                .build(&batched, false)
                .unwrap();
            let sorted = |mut paths: Vec<String>| {
                paths.sort();
                paths
            };
            assert_eq!(
                sorted(outcome.written),
                sorted(whole_outcome.written.clone()),
                "{fixture}"
            );
            crate::support::assert_same_files(
                &batched.into_files(),
                &whole,
                &format!("in {fixture}, in batches of {pages_per_batch}"),
            );
        }
    }
}
