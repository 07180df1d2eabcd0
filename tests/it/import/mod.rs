//! Importers: saved responses served from 127.0.0.1, local .bib, CSL-JSON and pasted lists; each
//! import is followed by a build of the result through the library. No test reaches the internet.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use digestif::cli::{Cli, Command, ImportArgs};
use digestif::commands::import::{ImportReport, run};
use jiff::civil::date;

use crate::support::TestSite;

mod bounds;
mod builds;
mod dates;
mod hf;
mod input;
mod network;
mod update;
mod written;

/// A small generator of numbers below `n`, the same sequence for the same seed.
fn rng(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn import_args(site: &TestSite, args: &[&str]) -> ImportArgs {
    let root = site.root().to_str().unwrap();
    let mut all = vec!["digestif", "import"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--root", root]);
    match Cli::try_parse_from(all)
        .unwrap_or_else(|e| panic!("{e}"))
        .command
    {
        Command::Import(args) => args,
        other => panic!("not an import: {other:?}"),
    }
}

/// Runs `digestif import …` in the site through the library, on 11 March 2024.
fn import(site: &TestSite, args: &[&str]) -> digestif::Result<ImportReport> {
    run(&import_args(site, args), date(2024, 3, 11), false)
}

fn warnings(report: &ImportReport) -> String {
    report
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the scripted server does with one connection.
#[derive(Clone)]
enum Reply {
    Ok(&'static str, String),
    Status(u16),
    /// A status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// A 303 to another path of the same server, as doi.org sends to the registration agency.
    Redirect(&'static str),
    /// Accept the request and answer nothing for this long.
    Silence(Duration),
}

/// A one-shot HTTP server on 127.0.0.1: connection `i` gets `replies[i]`. It records request
/// lines, and stops by itself after the last reply or ten seconds.
struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut replies = replies.into_iter();
            while Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let Some(reply) = replies.next() else { return };
                        let seen = Arc::clone(&seen);
                        std::thread::spawn(move || answer(stream, reply, &seen));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server { url, requests }
    }

    /// Request lines, in order.
    fn requests(&self) -> Vec<String> {
        self.heads()
            .iter()
            .map(|head| head.lines().next().unwrap_or("").to_string())
            .collect()
    }

    /// Whole request heads, in order.
    fn heads(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn answer(mut stream: TcpStream, reply: Reply, seen: &Mutex<Vec<String>>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    seen.lock().unwrap().push(head.trim_end().to_string());
    let mut extra = String::new();
    let (status, content_type, body) = match reply {
        Reply::Ok(content_type, body) => (200, content_type, body),
        Reply::Status(code) => (code, "text/plain", format!("status {code}")),
        Reply::RetryAfter(code, seconds) => {
            extra = format!("Retry-After: {seconds}\r\n");
            (code, "text/plain", format!("status {code}"))
        }
        Reply::Redirect(path) => {
            let response = format!(
                "HTTP/1.1 303 See Other\r\nLocation: {path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(response.as_bytes());
            return;
        }
        Reply::Silence(duration) => {
            std::thread::sleep(duration);
            return;
        }
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

fn atom(name: &str) -> Reply {
    Reply::Ok("application/atom+xml", fixture_text(name))
}

#[test]
fn arxiv_ids_import_and_build_with_versions_old_ids_and_topics() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\n[topics.arxiv_categories]\n\"hep-th\" = \"string theory\"\n",
    );
    let server = Server::start(vec![atom("arxiv-ids.xml")]);
    let api = format!("{}/api/query", server.url);
    let report = import(
        &site,
        &[
            "arxiv",
            "2310.14189",
            "arXiv:hep-th/9901001",
            "https://arxiv.org/abs/2403.01234v2",
            "--api",
            &api,
            "--delay",
            "0",
        ],
    )
    .unwrap();
    assert_eq!(report.papers, 3, "{}", warnings(&report));
    assert_eq!(
        report.out.as_deref(),
        Some(Path::new("content/2024-03-11.md"))
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one request for the batch");
    assert!(
        requests[0].contains("id_list=2310.14189%2Chep-th%2F9901001%2C2403.01234v2"),
        "{requests:?}"
    );
    assert!(
        warnings(&report).contains("categories without a topic: q-alg"),
        "{}",
        warnings(&report)
    );

    let text = std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap();
    assert!(text.starts_with("+++\ntitle = \"Papers, 11 March 2024\"\ndate = 2024-03-11\n\n[[papers]]\ntitle = \"Improved Techniques for Training Consistency Models\"\nauthors = [\"Yang Song\", \"Prafulla Dhariwal\"]\narxiv = \"2310.14189\"\npdf = \"https://arxiv.org/pdf/2310.14189\"\ncode = \"https://github.com/openai/consistency_models\"\npublished = 2023-10-22\ntopics = [\"machine learning\", \"computer vision\"]\nabstract = '''\n"), "{text}");
    assert!(text.contains("arxiv = \"hep-th/9901001\"\ndoi = \"10.1016/S0550-3213(99)00001-X\"\npdf = \"https://arxiv.org/pdf/hep-th/9901001\"\nvenue = \"Nucl.Phys. B550 (1999) 1-20\"\npublished = 1999-01-04  # first version; v3 of 1999-03-15\ntopics = [\"string theory\"]\n"), "{text}");
    assert!(
        text.contains(
            "pdf = \"https://arxiv.org/pdf/2403.01234v2\"\npublished = 2024-03-02  # arXiv v2\n"
        ),
        "{text}"
    );

    let built = site.build().unwrap();
    let page = built.read("papers/2310.14189/index.html");
    assert!(page.contains("Improved Techniques for Training Consistency Models"));
    assert!(page.contains("Prafulla Dhariwal"));
    assert!(page.contains("<math"), "the abstract's math renders");
    let old = built.read("papers/hep-th-9901001/index.html");
    assert!(old.contains("Jürgen Müller"));
    assert!(old.contains("three quotes"), "text with ''' survives");
    assert!(built.exists("topics/string-theory/index.html"));
    assert!(built.exists("papers/2403.01234/index.html"));
}

#[test]
fn arxiv_retries_after_a_503_and_reports_unknown_ids() {
    let site = TestSite::new();
    let server = Server::start(vec![Reply::Status(503), atom("arxiv-query.xml")]);
    let report = import(
        &site,
        &[
            "arxiv",
            "2303.01469",
            "9999.99999",
            "not-an-id",
            "--api",
            &server.url,
            "--delay",
            "0",
        ],
    )
    .unwrap();
    assert_eq!(server.requests().len(), 2, "{:?}", server.requests());
    assert_eq!(report.papers, 1);
    let warnings = warnings(&report);
    assert!(
        warnings.contains("`not-an-id` is not an arXiv id"),
        "{warnings}"
    );
    assert!(
        warnings.contains("arXiv 9999.99999: warning: no such paper on arXiv"),
        "{warnings}"
    );
    site.build().unwrap();
}

#[test]
fn arxiv_gives_up_after_timeouts_with_a_clear_error() {
    let site = TestSite::new();
    let silence = Reply::Silence(Duration::from_millis(1500));
    let server = Server::start(vec![silence.clone(), silence]);
    let error = import(
        &site,
        &[
            "arxiv",
            "2303.01469",
            "--api",
            &server.url,
            "--delay",
            "0",
            "--timeout",
            "0.2",
            "--retries",
            "1",
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("did not answer within 0.2 s (tried 2 times)"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 2);
    assert!(!site.root().join("content/2024-03-11.md").exists());
}

#[test]
fn a_timeout_then_an_answer_imports() {
    let site = TestSite::new();
    let server = Server::start(vec![
        Reply::Silence(Duration::from_millis(1500)),
        atom("arxiv-query.xml"),
    ]);
    let report = import(
        &site,
        &[
            "arxiv",
            "2303.01469",
            "--api",
            &server.url,
            "--delay",
            "0",
            "--timeout",
            "0.3",
        ],
    )
    .unwrap();
    assert_eq!(report.papers, 1);
    site.build().unwrap();
}

#[test]
fn arxiv_offline_is_explained() {
    // Bind and drop a listener: the port is then closed, so the connection is refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let site = TestSite::new();
    let api = format!("http://127.0.0.1:{port}/api/query");
    let error = import(&site, &["arxiv", "2303.01469", "--api", &api])
        .unwrap_err()
        .to_string();
    assert!(error.contains("Are you offline?"), "{error}");
    assert!(error.contains("--file"), "{error}");
}

#[test]
fn arxiv_query_pages_through_results_and_names_the_digest() {
    let site = TestSite::new();
    let server = Server::start(vec![atom("arxiv-query.xml")]);
    let report = import(
        &site,
        &[
            "arxiv",
            "--query",
            "cat:cs.LG AND ti:consistency",
            "--max",
            "5",
            "--sort",
            "submitted",
            "--api",
            &server.url,
            "--delay",
            "0",
        ],
    )
    .unwrap();
    assert_eq!(report.papers, 1);
    let request = &server.requests()[0];
    assert!(
        request.contains("search_query=cat%3Acs.LG+AND+ti%3Aconsistency")
            || request.contains("search_query=cat%3Acs.LG%20AND%20ti%3Aconsistency"),
        "{request}"
    );
    assert!(request.contains("max_results=5") && request.contains("sortBy=submittedDate"));
    let text = std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap();
    assert!(
        text.contains("title = \"arXiv: cat:cs.LG AND ti:consistency\""),
        "{text}"
    );
    site.build().unwrap();
}

#[test]
fn arxiv_errors_in_the_response_are_reported() {
    let site = TestSite::new();
    let server = Server::start(vec![atom("arxiv-error.xml")]);
    let error = import(
        &site,
        &["arxiv", "1234.5678", "--api", &server.url, "--delay", "0"],
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("arXiv rejected the request: incorrect id format for 1234.5678"),
        "{error}"
    );
    assert!(
        error.contains("no papers found, so nothing was written"),
        "{error}"
    );
}

#[test]
fn arxiv_saved_response_imports_without_network() {
    let site = TestSite::new();
    let file = fixture("arxiv-ids.xml");
    let report = import(
        &site,
        &[
            "arxiv",
            "--file",
            file.to_str().unwrap(),
            "--out",
            "content/saved.md",
            "--title",
            "Saved",
            "--date",
            "2024-01-02",
        ],
    )
    .unwrap();
    assert_eq!(report.papers, 3);
    let built = site.build().unwrap();
    assert!(built.read("digests/saved/index.html").contains("Saved"));
}

#[test]
fn doi_content_negotiation_asks_for_csl_json_and_retries() {
    let site = TestSite::new();
    let server = Server::start(vec![
        Reply::Status(502),
        Reply::Redirect("/works/10.1145/3292500.3330701/transform"),
        Reply::Ok(
            "application/vnd.citationstyles.csl+json",
            fixture_text("doi-optuna.json"),
        ),
        Reply::Ok(
            "application/vnd.citationstyles.csl+json",
            fixture_text("doi-datacite-arxiv.json"),
        ),
        Reply::Status(404),
    ]);
    let report = import(
        &site,
        &[
            "doi",
            "10.1145/3292500.3330701",
            "https://doi.org/10.48550/arXiv.2006.11239",
            "10.9999/missing",
            "--api",
            &server.url,
            "--delay",
            "0",
        ],
    )
    .unwrap();
    assert_eq!(report.papers, 2, "{}", warnings(&report));
    assert!(
        warnings(&report).contains("doi:10.9999/missing: warning: doi.org does not know this DOI")
    );
    let requests = server.requests();
    assert_eq!(requests[1], "GET /10.1145/3292500.3330701 HTTP/1.1");
    assert_eq!(
        requests[2],
        "GET /works/10.1145/3292500.3330701/transform HTTP/1.1"
    );
    let redirected = server.heads()[2].to_ascii_lowercase();
    assert!(
        redirected.contains("accept: application/vnd.citationstyles.csl+json"),
        "the redirect keeps the content negotiation: {redirected}"
    );
    assert_eq!(requests[3], "GET /10.48550/arXiv.2006.11239 HTTP/1.1");

    let text = std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap();
    assert!(text.contains("venue = \"Proceedings of the 25th ACM SIGKDD International Conference on Knowledge Discovery & Data Mining\"\npublished = 2019-07-25\n"), "{text}");
    assert!(
        text.contains("abstract = '''\nThe purpose of this study"),
        "{text}"
    );
    assert!(text.contains("arxiv = \"2006.11239\"\ndoi = \"10.48550/arXiv.2006.11239\"\npublished = 2020\ntopics = [\"machine learning\"]\n"), "{text}");

    let built = site.build().unwrap();
    let page = built.read("papers/10.1145-3292500.3330701/index.html");
    assert!(page.contains("Optuna: A Next-generation Hyperparameter Optimization Framework"));
    assert!(page.contains("Takuya Akiba"));
    assert!(built.exists("papers/2006.11239/index.html"));
}

#[test]
fn bibtex_file_imports_every_readable_entry_and_reports_the_rest() {
    let site = TestSite::new();
    let bib = fixture("refs.bib");
    let report = import(&site, &["bibtex", bib.to_str().unwrap()]).unwrap();
    let warnings = warnings(&report);
    assert_eq!(report.papers, 4, "{warnings}");
    assert!(warnings.contains("refs.bib:27: warning: entry `broken`, field `title`: the `{` on line 28 is never closed"), "{warnings}");
    assert!(
        warnings
            .contains("refs.bib:40: warning: entry `nocomma`: expected `,` after field `title`"),
        "{warnings}"
    );
    assert!(
        warnings.contains(
            "`pdf` of \"Über Rényi entropies & the $\\alpha$-divergence\" is not a web address"
        ),
        "{warnings}"
    );

    let text = std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap();
    assert!(
        text.contains("authors = [\n  \"Ashish Vaswani\",\n"),
        "{text}"
    );
    assert!(text.contains("  \"Łukasz Kaiser\",\n"), "{text}");
    assert!(text.contains("arxiv = \"1706.03762\"\ncode = \"https://github.com/tensorflow/tensor2tensor\"\nvenue = \"Advances in Neural Information Processing Systems 30\"\npublished = \"2017-12\"\ntopics = [\"transformers\", \"attention\", \"natural language processing\"]\n"), "{text}");
    assert!(
        text.contains(r"$\mathrm{softmax}(QK^\top/\sqrt{d_k})V$ – no recurrence."),
        "{text}"
    );
    assert!(text.contains("title = 'Über Rényi entropies & the $\\alpha$-divergence'\nauthors = [\"Erwin Schrödinger\", \"Kurt Gödel\", \"Google DeepMind\"]\ndoi = \"10.1007/BF01399000\"\nvenue = \"Zeitschrift für Physik\"\npublished = 1926-12-18\n"), "{text}");
    assert!(text.contains("arxiv = \"2310.14189\"\npublished = 2023\ntopics = [\"consistency models\", \"diffusion\"]\n"), "{text}");

    let built = site.build().unwrap();
    let page = built.read("papers/1706.03762/index.html");
    assert!(page.contains("Łukasz Kaiser"));
    assert!(page.contains("<math"));
    assert!(
        built
            .read("papers/10.1007-bf01399000/index.html")
            .contains("Schrödinger")
    );
    assert!(built.exists("papers/introduction-to-algorithms/index.html"));
}

#[test]
fn csl_json_export_imports_with_arxiv_ids_and_particles() {
    let site = TestSite::new();
    let library = fixture("library.json");
    let report = import(&site, &["csl-json", library.to_str().unwrap()]).unwrap();
    let warnings = warnings(&report);
    assert_eq!(report.papers, 3, "{warnings}");
    assert!(
        warnings.contains("library.json:20: warning: item 2 has no title"),
        "{warnings}"
    );
    let text = std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap();
    assert!(text.contains("arxiv = \"2303.01469\"\ndoi = \"10.48550/arXiv.2303.01469\"\npublished = 2023-05-31\ntopics = [\"Machine Learning\"]\n"), "{text}");
    assert!(
        text.contains("venue = \"Neural Computation\"\npublished = \"1997-11\"\n"),
        "{text}"
    );
    assert!(text.contains("title = \"On Particles in Names\"\nauthors = [\"Anna van der Berg\", \"The ABC Consortium\"]\nurl = \"https://example.org/names\"\nvenue = \"Workshop on Names\"\npublished = 2021-06-01\n"), "{text}");
    let built = site.build().unwrap();
    assert!(
        built
            .read("papers/2303.01469/index.html")
            .contains("Ilya Sutskever")
    );
    assert!(built.exists("papers/10.1162-neco.1997.9.8.1735/index.html"));
}

#[test]
fn pasted_list_skips_page_furniture_and_takes_the_day() {
    let site = TestSite::new();
    let list = fixture("daily.txt");
    let report = import(&site, &["text", list.to_str().unwrap(), "--year", "2024"]).unwrap();
    let warnings = warnings(&report);
    assert_eq!(report.papers, 3, "{warnings}");
    assert!(
        warnings.contains("daily.txt:19: warning: skipped 1 line that is not a paper (no abstract after them): \"A Title Without Any Abstract\" (line 19)"),
        "{warnings}"
    );
    assert!(warnings.contains("daily.txt:24: warning: a paragraph without a title line; added to the abstract of \"Another Paper on Continual Learning\""), "{warnings}");
    assert_eq!(
        report.out.as_deref(),
        Some(Path::new("content/2024-03-11.md"))
    );
    let summary = report.summary();
    assert!(
        summary.contains(
            "dated 2024-03-11 (the date the source gives; --date YYYY-MM-DD sets another)"
        ),
        "{summary}"
    );

    let text = std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap();
    assert!(
        text.starts_with("+++\ntitle = \"Daily papers, 11 March 2024\"\ndate = 2024-03-11\n"),
        "{text}"
    );
    assert!(
        text.contains("title = \"Ψ-Learning: A Paper Whose Title Has ''' Quotes\""),
        "{text}"
    );
    assert!(
        text.contains("64times 64") && text.contains(r"10.1\%"),
        "{text}"
    );
    for furniture in [
        "Subscribe",
        "research community",
        "inbox",
        "akhaliq",
        "5 authors",
    ] {
        assert!(!text.contains(furniture), "{furniture} in {text}");
    }

    let built = site.build().unwrap();
    let page = built.read("papers/improved-techniques-for-training-consistency-models/index.html");
    assert!(page.contains("64times 64"));
    assert!(page.contains("10.1%"));
    assert!(
        !built.exists("papers/a-title-without-any-abstract/index.html"),
        "page furniture made a paper"
    );
}

#[test]
fn second_import_into_the_same_file_merges_by_id() {
    let site = TestSite::new();
    let file = fixture("arxiv-ids.xml");
    let file = file.to_str().unwrap();
    import(&site, &["arxiv", "--file", file]).unwrap();
    let path = site.root().join("content/2024-03-11.md");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text = text.replace(
        "[[papers]]\ntitle = \"Improved",
        "[[papers]]\n# my comment\ntitle = \"Improved",
    );
    text.push_str("My own introduction.\n");
    std::fs::write(&path, &text).unwrap();

    let report = import(&site, &["arxiv", "--file", file]).unwrap();
    assert_eq!(report.counts.added, 0);
    assert_eq!(report.counts.kept, 3);
    assert!(
        report
            .summary()
            .contains("3 already there (--force updates them)"),
        "{}",
        report.summary()
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "nothing changed"
    );

    let bib = fixture("refs.bib");
    let report = import(&site, &["bibtex", bib.to_str().unwrap()]).unwrap();
    assert_eq!(
        (report.counts.added, report.counts.kept),
        (3, 1),
        "the consistency paper is there"
    );
    let merged = std::fs::read_to_string(&path).unwrap();
    assert!(merged.contains("# my comment\n") && merged.ends_with("+++\nMy own introduction.\n"));
    assert_eq!(merged.matches("[[papers]]").count(), 6);

    let report = import(&site, &["bibtex", bib.to_str().unwrap(), "--force"]).unwrap();
    assert_eq!(report.counts.updated, 1, "{}", report.summary());
    let forced = std::fs::read_to_string(&path).unwrap();
    assert!(forced.contains("topics = [\"machine learning\", \"computer vision\", \"consistency models\", \"diffusion\"]"), "{forced}");
    let built = site.build().unwrap();
    assert_eq!(built.report.papers, 6);
}

#[test]
fn unreadable_existing_file_is_not_overwritten_without_force() {
    let site = TestSite::new();
    site.write("content/2024-03-11.md", "just some notes\n");
    let list = fixture("daily.txt");
    let error = import(&site, &["text", list.to_str().unwrap()])
        .unwrap_err()
        .to_string();
    assert!(error.contains("pass --force to replace it"), "{error}");
    assert_eq!(
        std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap(),
        "just some notes\n"
    );
    import(&site, &["text", list.to_str().unwrap(), "--force"]).unwrap();
    site.build().unwrap();
}

#[test]
fn topic_rules_tag_papers_at_build_time() {
    let site = TestSite::new();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\n[topics.rules]\n\"Continual learning\" = [\"continual learning\", \"catastrophic forgetting\"]\n",
    );
    let list = fixture("daily.txt");
    import(&site, &["text", list.to_str().unwrap()]).unwrap();
    let text = std::fs::read_to_string(site.root().join("content/2024-03-11.md")).unwrap();
    assert!(!text.contains("topics"), "rules do not change files");
    let built = site.build().unwrap();
    let topic = built.read("topics/continual-learning/index.html");
    assert!(topic.contains("Another Paper on Continual Learning"));
    assert!(topic.contains("Ψ-Learning"), "matched in the abstract");
    assert!(!topic.contains("A Title Without Any Abstract"));
}

#[test]
fn import_prints_to_standard_output_with_out_dash() {
    let site = TestSite::new();
    let bib = fixture("refs.bib");
    let report = import(&site, &["bibtex", bib.to_str().unwrap(), "--out", "-"]).unwrap();
    let printed = report.printed.unwrap();
    assert!(printed.starts_with("+++\ntitle = \"Papers, 11 March 2024\"\n"));
    assert!(!site.root().join("content/2024-03-11.md").exists());
}
