//! Feeds, read by a real feed parser (feed-rs): the site's Atom feed and JSON Feed, topic
//! feeds, the OPML list, the sitemap and robots.txt.

use feed_rs::model::Feed;
use quick_xml::events::Event;

use crate::support::{Built, TestSite};

fn scholarly() -> (TestSite, Built) {
    let site = TestSite::fixture("scholarly");
    let built = site.build().expect("the scholarly fixture builds");
    (site, built)
}

fn parse_feed(built: &Built, file: &str) -> Feed {
    let text = built.read(file);
    feed_rs::parser::parse(text.as_bytes())
        .unwrap_or_else(|e| panic!("{file} does not parse as a feed: {e}\n{text}"))
}

/// `YYYY-MM-DD` of a feed-rs date (which prints as `2023-11-15 00:00:00 UTC`).
fn date(feed_date: Option<impl std::fmt::Display>) -> String {
    feed_date.expect("dated").to_string()[..10].to_string()
}

#[test]
fn site_feed_has_one_entry_per_digest_up_to_the_limit() {
    let (_site, built) = scholarly();
    let feed = parse_feed(&built, "feed.xml");
    assert_eq!(feed.id, "https://example.org/lab/");
    assert_eq!(date(feed.updated), "2023-11-15");
    // feed_limit = 2: the two newest of three digests.
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "https://example.org/lab/digests/2023-11-15/",
            "https://example.org/lab/digests/2023-11-08/"
        ]
    );
    let entry = &feed.entries[0];
    assert_eq!(date(entry.updated), "2023-11-15");
    assert_eq!(
        entry.links[0].href,
        "https://example.org/lab/digests/2023-11-15/"
    );
    assert_eq!(
        entry.summary.as_ref().unwrap().content,
        "The consistency paper again."
    );
    let content = entry.content.as_ref().unwrap().body.as_deref().unwrap();
    assert!(
        content.contains("https://arxiv.org/abs/2310.14189"),
        "{content}"
    );
    assert!(content.contains("Still the best paper"), "notes: {content}");
    assert_eq!(feed.authors[0].name.as_deref(), Some("The lab"));
}

#[test]
fn topic_feeds_have_one_entry_per_paper_with_authors_links_and_mathml() {
    let (_site, built) = scholarly();
    let feed = parse_feed(&built, "topics/diffusion/feed.xml");
    assert_eq!(feed.id, "https://example.org/lab/topics/diffusion/feed.xml");
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "https://example.org/lab/papers/2310.14189/",
            "https://example.org/lab/papers/2305.00001/"
        ],
        "most recently featured first"
    );
    let entry = &feed.entries[0];
    assert_eq!(date(entry.published), "2023-11-01", "first featured");
    assert_eq!(date(entry.updated), "2023-11-15", "last featured");
    let authors: Vec<&str> = entry
        .authors
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect();
    assert_eq!(authors, ["Yang Song", "Prafulla Dhariwal"]);
    let hrefs: Vec<&str> = entry.links.iter().map(|l| l.href.as_str()).collect();
    assert!(hrefs.contains(&"https://example.org/lab/papers/2310.14189/"));
    assert!(
        hrefs.contains(&"https://arxiv.org/abs/2310.14189"),
        "{hrefs:?}"
    );
    let content = entry.content.as_ref().unwrap().body.as_deref().unwrap();
    assert!(content.contains("<math"), "math as MathML: {content}");
    assert!(
        content.contains("href=\"https://example.org/lab/topics/diffusion/\""),
        "links absolute: {content}"
    );
    let topics: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(topics, ["Consistency models", "Diffusion"]);
    let journal = parse_feed(&built, "topics/theory/feed.xml");
    let doi_links: Vec<&str> = journal.entries[1]
        .links
        .iter()
        .map(|l| l.href.as_str())
        .collect();
    assert!(
        doi_links.contains(&"https://doi.org/10.1000/jmlr.2023.1"),
        "{doi_links:?}"
    );
}

#[test]
fn topic_feeds_respect_feed_limit() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\nfeed_limit = 3\n",
    );
    let papers: Vec<String> = (1..=5)
        .map(|i| format!("title = \"Paper {i}\"\narxiv = \"2401.0000{i}\"\ntopics = [\"Big\"]"))
        .collect();
    let papers: Vec<&str> = papers.iter().map(String::as_str).collect();
    site.write(
        "content/d.md",
        &crate::support::digest("D", "2024-01-05", &papers),
    );
    let built = site.build().unwrap();
    assert_eq!(parse_feed(&built, "topics/big/feed.xml").entries.len(), 3);
}

#[test]
fn json_feed_mirrors_the_atom_feed() {
    let (_site, built) = scholarly();
    let text = built.read("feed.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["title"], "Scholarly test site");
    assert_eq!(json["home_page_url"], "https://example.org/lab/");
    assert_eq!(json["feed_url"], "https://example.org/lab/feed.json");
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert!(
            item["id"].is_string() && item["content_html"].is_string(),
            "{item}"
        );
    }
    assert_eq!(
        items[0]["id"],
        "https://example.org/lab/digests/2023-11-15/"
    );
    assert_eq!(items[0]["date_published"], "2023-11-15T00:00:00Z");
    // feed-rs reads JSON Feed too.
    let feed = parse_feed(&built, "feed.json");
    assert_eq!(feed.entries.len(), 2);
    assert_eq!(date(feed.entries[1].published), "2023-11-08");
}

/// Every element of an XML document, with its attributes, in order.
fn elements(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut found = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("well-formed attribute");
                        (
                            a.key.as_ref().to_string(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .expect("escaped value")
                                .into_owned(),
                        )
                    })
                    .collect();
                found.push((e.name().as_ref().to_string(), attributes));
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{text}"),
        }
    }
    found
}

#[test]
fn opml_lists_the_site_feed_and_every_topic_feed() {
    let (_site, built) = scholarly();
    let opml = elements(&built.read("feeds.opml"));
    assert_eq!(opml[0].0, "opml");
    let feeds: Vec<String> = opml
        .iter()
        .filter(|(name, _)| name == "outline")
        .filter_map(|(_, attributes)| {
            attributes
                .iter()
                .find(|(k, _)| k == "xmlUrl")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(feeds.len(), 1 + 3, "site feed and three topics: {feeds:?}");
    for url in &feeds {
        let path = url
            .strip_prefix("https://example.org/lab/")
            .expect("absolute");
        assert!(built.exists(path), "{url} is not written");
    }
}

#[test]
fn pages_link_to_their_feeds() {
    let (_site, built) = scholarly();
    let index = built.read("index.html");
    assert!(index.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Scholarly test site\" href=\"/lab/feed.xml\">"
    ));
    assert!(index.contains("type=\"application/feed+json\""));
    let topic = built.read("topics/diffusion/index.html");
    assert!(topic.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Diffusion — Scholarly test site\" href=\"/lab/topics/diffusion/feed.xml\">"
    ));
}

#[test]
fn sitemap_lists_pages_with_lastmod_and_robots_points_at_it() {
    let (_site, built) = scholarly();
    let sitemap = elements(&built.read("sitemap.xml"));
    assert_eq!(sitemap[0].0, "urlset");
    let text = built.read("sitemap.xml");
    let locs: Vec<&str> = text
        .split("<loc>")
        .skip(1)
        .map(|s| &s[..s.find("</loc>").unwrap()])
        .collect();
    assert_eq!(
        locs.len(),
        sitemap.iter().filter(|(n, _)| n == "url").count()
    );
    assert_eq!(locs.len(), built.report.pages - 1, "every page but the 404");
    for loc in &locs {
        let path = loc.strip_prefix("https://example.org/lab/").unwrap();
        assert!(built.exists(&format!("{path}index.html")), "{loc}");
    }
    assert!(text.contains(
        "<url><loc>https://example.org/lab/papers/2310.14189/</loc><lastmod>2023-11-15</lastmod></url>"
    ));
    assert!(!text.contains("feed.xml") && !text.contains("email"));
    assert!(
        built
            .read("robots.txt")
            .contains("Sitemap: https://example.org/lab/sitemap.xml")
    );
}

#[test]
fn sitemap_splits_into_an_index_above_the_limit() {
    use digestif::render::{PageKind, Renderer, context::SiteContext, plan_with_sitemap_limit};
    let site_dir = TestSite::fixture("scholarly");
    let config = digestif::Config::load(site_dir.root(), &Default::default()).unwrap();
    let (files, _) = digestif::content::discover(&config.root, &config.boundary()).unwrap();
    let parsed: Vec<_> = files.iter().map(digestif::content::parse_source).collect();
    let (site, _) = digestif::model::assemble(&parsed, &config);
    let (html, _) = digestif::markdown::render_site(
        &site,
        digestif::markdown::MarkdownOptions::from_config(&config),
        None,
    );
    let theme = digestif::render::templates::load_theme_files(&config).unwrap();
    let globals = SiteContext {
        title: config.title.clone(),
        description: String::new(),
        language: "en".into(),
        base_url: config.base.full(),
        base_path: config.base.path.clone(),
        digest_count: 0,
        paper_count: 0,
        topic_count: 0,
        feed_url: String::new(),
        topics_url: String::new(),
        generator: String::new(),
        json_feed_url: String::new(),
        opml_url: String::new(),
        search: None,
        bib_url: None,
    };
    let tera = digestif::render::templates::compile(&config, &theme, &globals).unwrap();
    // 12 pages with an index.html (all but the 404 page), 5 a file: three parts.
    let pages = plan_with_sitemap_limit(&site, &config, 5);
    let citations = digestif::cite::Citations::new(&site);
    let model = digestif::render::reads::Model::new(&site, &html, &citations, &pages);
    let renderer = Renderer::new(model, &config, &tera);
    let render = |output: &str| {
        let page = pages.iter().find(|p| p.output == output).expect(output);
        let mut out = Vec::new();
        renderer.render_to(page, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let parts: Vec<&str> = pages
        .iter()
        .filter(|p| matches!(p.kind, PageKind::SitemapPart(..)))
        .map(|p| p.output.as_str())
        .collect();
    assert_eq!(parts, ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]);
    let index = elements(&render("sitemap.xml"));
    assert_eq!(index[0].0, "sitemapindex");
    assert_eq!(index.iter().filter(|(n, _)| n == "sitemap").count(), 3);
    assert!(render("sitemap.xml").contains("<loc>https://example.org/lab/sitemap-2.xml</loc>"));
    let mut urls = 0;
    for part in &parts {
        let part = elements(&render(part));
        assert_eq!(part[0].0, "urlset");
        urls += part.iter().filter(|(n, _)| n == "url").count();
    }
    assert_eq!(urls, 13, "every page in exactly one part");
    // Below the limit there is one sitemap and no parts.
    assert!(
        !digestif::render::plan(&site, &config)
            .iter()
            .any(|p| matches!(p.kind, PageKind::SitemapPart(..)))
    );
}

#[test]
fn a_theme_folder_without_the_new_templates_still_builds_them() {
    let site = TestSite::fixture("scholarly");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write("site.toml", &format!("theme = \"old\"\n{toml}"));
    let new = ["topic_feed.xml", "opml.xml", "email.html", "email.txt"];
    for (path, bytes) in digestif::render::templates::embedded_theme_files() {
        if !new.iter().any(|n| path.ends_with(n)) {
            site.write_bytes(&format!("themes/old/{path}"), bytes);
        }
    }
    let built = site.build().expect("older themes keep building");
    assert!(built.exists("topics/diffusion/feed.xml"));
    assert!(built.exists("feeds.opml"));
    assert!(built.exists("digests/2023-11-01/email.html"));
}

#[test]
fn every_feed_of_the_example_site_parses_with_unique_ids_and_dates() {
    let out = tempfile::tempdir().unwrap();
    let mut options = digestif::BuildOptions::new(env!("CARGO_MANIFEST_DIR"));
    options.output_dir = Some(out.path().join("public"));
    let report = digestif::build(&options).expect("the example site builds");
    let built = Built {
        out: out.path().join("public"),
        report,
    };
    let feeds: Vec<String> = built
        .files()
        .into_iter()
        .filter(|f| f.ends_with("feed.xml") || f.ends_with("feed.json"))
        .collect();
    assert_eq!(feeds.len(), built.report.topics + 2, "{feeds:?}");
    for file in &feeds {
        let feed = parse_feed(&built, file);
        assert!(!feed.entries.is_empty(), "{file} has no entries");
        let mut ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
        assert!(
            ids.iter()
                .all(|id| id.starts_with("https://example.github.io/digestif/")),
            "{file}: {ids:?}"
        );
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), feed.entries.len(), "{file}: duplicate ids");
        for entry in &feed.entries {
            assert!(
                entry.updated.is_some() || entry.published.is_some(),
                "{file}: undated entry"
            );
            assert!(entry.title.is_some(), "{file}: untitled entry");
        }
    }
}
