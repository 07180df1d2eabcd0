//! `serve`'s engine under random sequences of edits: after every save, every file it has
//! written equals a clean build of the same site. The edits cover what users change: titles,
//! authors, topics, notes, abstracts, votes, digests added, renamed, redated and deleted, a
//! template, and `site.toml`.

use std::time::{Duration, SystemTime};

use digestif::engine::Engine;
use digestif::render::reads::Read;
use digestif::site_size::SiteSize;
use digestif::{Config, Overrides};

use crate::support::{Memory, TestSite};

const TOPICS: [&str; 5] = ["Diffusion", "Transformers", "RL", "Graphs", "Vision"];
/// Subjects of abstracts.
const SUBJECTS: [&str; 4] = [
    "forgetting rehearsal",
    "sampling distillation",
    "forecasting horizons",
    "adapters ranks",
];
/// How many paper ids the digests draw from.
const PAPERS: usize = 12;
const AUTHORS: [&str; 6] = [
    "Ada One", "Ben Two", "Cy Three", "Di Four", "Ed Five", "Flo Six",
];

/// Deterministic numbers below `n` for a seed.
fn numbers(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    }
}

/// One paper entry of a digest, as its fields.
#[derive(Clone)]
struct Entry {
    paper: usize,
    authors: Vec<usize>,
    topics: Vec<usize>,
    notes: Option<String>,
    upvotes: Option<u64>,
    has_abstract: bool,
    /// Topics spelled in lower case: the same topics, possibly another display name.
    is_lower_case: bool,
}

struct Digest {
    file: String,
    title: String,
    day: usize,
    entries: Vec<Entry>,
}

impl Digest {
    /// The digest file; `titles` are the papers' titles by id (one id is one paper, with one
    /// title in every digest).
    fn text(&self, titles: &[String]) -> String {
        let mut text = format!(
            "+++\ntitle = \"{}\"\ndate = 2024-03-{:02}\n",
            self.title, self.day
        );
        for entry in &self.entries {
            let quoted = |names: Vec<String>| names.join(", ");
            text.push_str(&format!(
                "\n[[papers]]\ntitle = \"{}\"\narxiv = \"2401.{:05}\"\nauthors = [{}]\ntopics = [{}]\n",
                titles[entry.paper],
                entry.paper,
                quoted(entry.authors.iter().map(|&a| format!("\"{}\"", AUTHORS[a])).collect()),
                quoted(entry.topics.iter().map(|&t| spelled(t, entry.is_lower_case)).collect()),
            ));
            if let Some(notes) = &entry.notes {
                text.push_str(&format!("notes = \"{notes}\"\n"));
            }
            if let Some(votes) = entry.upvotes {
                text.push_str(&format!("upvotes = {votes}\n"));
            }
            if entry.has_abstract {
                // Words shared by papers of one residue make related papers follow abstracts.
                text.push_str(&format!(
                    "abstract = '''We study $x_{}$ in paper {}: {} with {}.'''\n",
                    entry.paper,
                    entry.paper,
                    SUBJECTS[entry.paper % SUBJECTS.len()],
                    SUBJECTS[(entry.paper / 2 + entry.notes.is_some() as usize) % SUBJECTS.len()],
                ));
            }
        }
        text.push_str(&format!("+++\nIntroduction of {}.\n", self.title));
        text
    }
}

struct Sequence {
    site: TestSite,
    digests: Vec<Digest>,
    titles: Vec<String>,
    /// Every write gets a newer modification time, so no edit hides behind an unchanged stamp.
    clock: SystemTime,
    edits: usize,
}

impl Sequence {
    fn new(next: &mut impl FnMut(usize) -> usize) -> Self {
        let site = TestSite::new();
        let mut sequence = Sequence {
            site,
            digests: Vec::new(),
            titles: (0..PAPERS).map(|p| format!("Paper {p}")).collect(),
            clock: SystemTime::now() - Duration::from_secs(100_000),
            edits: 0,
        };
        for day in 1..=4 {
            let entries = (0..3 + next(3)).map(|_| random_entry(next)).collect();
            sequence.digests.push(Digest {
                file: format!("content/2024-03-{day:02}.md"),
                title: format!("Digest {day}"),
                day,
                entries,
            });
        }
        for index in 0..sequence.digests.len() {
            sequence.save(index);
        }
        sequence
    }

    fn write(&mut self, relative: &str, text: &str) {
        self.site.write(relative, text);
        self.clock += Duration::from_secs(2);
        let file = std::fs::File::options()
            .append(true)
            .open(self.site.root().join(relative))
            .unwrap();
        file.set_modified(self.clock).unwrap();
    }

    fn save(&mut self, index: usize) {
        let digest = &self.digests[index];
        let (file, text) = (digest.file.clone(), digest.text(&self.titles));
        self.write(&file, &text);
    }

    /// Makes one random edit on disk; returns what it was, and whether `site.toml` changed.
    fn edit(&mut self, next: &mut impl FnMut(usize) -> usize) -> (String, bool) {
        self.edits += 1;
        let n = self.edits;
        let d = next(self.digests.len());
        let e = next(self.digests[d].entries.len().max(1));
        let kind = next(14);
        let has_entry = !self.digests[d].entries.is_empty();
        let said = match kind {
            0 if has_entry => {
                let paper = self.digests[d].entries[e].paper;
                self.titles[paper] = format!("Paper title {n}");
                for index in 0..self.digests.len() {
                    if self.digests[index].entries.iter().any(|e| e.paper == paper) {
                        self.save(index);
                    }
                }
                return ("title".into(), false);
            }
            1 if has_entry => {
                let entry = &mut self.digests[d].entries[e];
                entry.authors = vec![next(AUTHORS.len()), next(AUTHORS.len())];
                entry.authors.dedup();
                "authors"
            }
            2 if has_entry => {
                self.digests[d].entries[e].topics = vec![next(TOPICS.len())];
                "topics"
            }
            3 if has_entry => {
                let notes = &mut self.digests[d].entries[e].notes;
                *notes = notes.is_none().then(|| format!("Notes {n}"));
                "notes"
            }
            4 if has_entry => {
                self.digests[d].entries[e].upvotes = Some(next(500) as u64);
                "upvotes"
            }
            5 if has_entry => {
                let entry = &mut self.digests[d].entries[e];
                entry.has_abstract = !entry.has_abstract;
                "abstract"
            }
            6 => {
                self.digests[d].title = format!("Digest retitled {n}");
                "digest title"
            }
            7 => {
                self.digests[d].entries.push(random_entry(next));
                "paper added"
            }
            8 if has_entry => {
                self.digests[d].entries.remove(e);
                "paper removed"
            }
            9 => return (self.add_or_delete_digest(next), false),
            11 => {
                // In the oldest digest, where a topic's first spelling (its name) is seen.
                let oldest = (0..self.digests.len())
                    .min_by_key(|&i| self.digests[i].day)
                    .expect("a digest is left");
                for entry in &mut self.digests[oldest].entries {
                    entry.is_lower_case = !entry.is_lower_case;
                }
                self.save(oldest);
                return ("topic spelling".into(), false);
            }
            12 => {
                // Moves the digest's papers to another week of the topic charts (issue 20).
                self.digests[d].day = 1 + next(28);
                "digest date"
            }
            10 => {
                let color = ["red", "blue", "green"][next(3)];
                self.write(
                    "templates/partials/paper_meta.html",
                    &format!(
                        "<p class=\"meta {color}\">{{% if paper.upvotes %}}{{{{ paper.upvotes }}}} votes{{% endif %}} {{{{ paper.venue | default(value=\"\") }}}}</p>"
                    ),
                );
                return ("template".into(), false);
            }
            _ => {
                self.write(
                    "site.toml",
                    &format!("title = \"Edited site {n}\"\nbase_url = \"https://example.org/\"\n"),
                );
                return ("site.toml".into(), true);
            }
        };
        self.save(d);
        (said.into(), false)
    }

    fn add_or_delete_digest(&mut self, next: &mut impl FnMut(usize) -> usize) -> String {
        if self.digests.len() > 2 && next(2) == 0 {
            let gone = self.digests.remove(next(self.digests.len()));
            std::fs::remove_file(self.site.root().join(&gone.file)).unwrap();
            return "digest deleted".into();
        }
        let day = 5 + self.edits % 20;
        if self.digests.iter().any(|d| d.day == day) {
            return "nothing".into();
        }
        let entries = (0..1 + next(3)).map(|_| random_entry(next)).collect();
        self.digests.push(Digest {
            file: format!("content/2024-03-{day:02}-{}.md", self.edits),
            title: format!("Digest {day}"),
            day,
            entries,
        });
        self.save(self.digests.len() - 1);
        "digest added".into()
    }
}

fn spelled(topic: usize, is_lower_case: bool) -> String {
    let name = TOPICS[topic];
    match is_lower_case {
        true => format!("\"{}\"", name.to_lowercase()),
        false => format!("\"{name}\""),
    }
}

fn random_entry(next: &mut impl FnMut(usize) -> usize) -> Entry {
    // Few paper ids, so the same paper comes back in several digests and is merged.
    let paper = next(PAPERS);
    Entry {
        paper,
        authors: vec![next(AUTHORS.len())],
        topics: vec![next(TOPICS.len()), next(TOPICS.len())],
        notes: (next(3) == 0).then(|| format!("On paper {paper}")),
        upvotes: (next(2) == 0).then(|| next(100) as u64),
        has_abstract: next(2) == 0,
        is_lower_case: false,
    }
}

fn load(site: &TestSite) -> Config {
    Config::load(site.root(), &Overrides::default()).unwrap()
}

fn assert_equals_clean_build(site: &TestSite, live: &Memory, after: &[String]) {
    let clean = Memory::default();
    Engine::new(load(site), false).build(&clean, false).unwrap();
    crate::support::assert_same_files(
        &live.files(),
        &clean.into_files(),
        &format!("from a clean build after {after:?}"),
    );
}

#[test]
fn random_edit_sequences_always_equal_a_clean_build() {
    for seed in 1..=6 {
        let mut next = numbers(seed);
        let mut sequence = Sequence::new(&mut next);
        let mut engine = Engine::new(load(&sequence.site), true);
        let live = Memory::default();
        engine.build(&live, false).unwrap();
        let mut done = Vec::new();
        for _ in 0..20 {
            let (edit, is_config) = sequence.edit(&mut next);
            done.push(edit.clone());
            if is_config {
                engine.set_config(load(&sequence.site));
            } else if edit == "template" {
                engine.reload_theme();
            }
            let outcome = engine.build(&live, false).unwrap();
            assert_equals_clean_build(&sequence.site, &live, &done);
            // Serve's running tally of the site's size is what its output holds.
            let mut size = SiteSize::default();
            for (path, bytes) in live.files() {
                size.add(&path, bytes.len() as u64);
            }
            assert_eq!(outcome.report.size, size, "the size after {done:?}");
        }
    }
}

#[test]
fn a_field_a_template_starts_to_show_is_tracked_under_serve() {
    // A theme that shows a paper's votes, which the default card shows only when set: the
    // votes reach the page through the card's context, and a change to them must reach it too.
    let mut next = numbers(99);
    let mut sequence = Sequence::new(&mut next);
    sequence.write(
        "templates/partials/paper_meta.html",
        "<p class=\"meta\">votes: {{ paper.upvotes | default(value=0) }}</p>",
    );
    let mut engine = Engine::new(load(&sequence.site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    let paper = sequence.digests[0].entries[0].paper;
    sequence.digests[0].entries[0].upvotes = Some(4242);
    sequence.save(0);
    let outcome = engine.build(&live, false).unwrap();
    let page = format!("papers/2401.{paper:05}/index.html");
    assert!(
        outcome.written.contains(&page),
        "{page} was not rendered again"
    );
    assert!(live.read(&page).unwrap().contains("votes: 4242"));
    assert_equals_clean_build(&sequence.site, &live, &["upvotes".into()]);
}

#[test]
fn a_paper_moved_to_a_digest_of_another_date_redraws_its_topic_chart() {
    // Issue 20: a topic's chart counts each paper in the week of its first digest, so a new date
    // for that digest changes the chart, though the topic keeps the same papers.
    let mut next = numbers(5);
    let mut sequence = Sequence::new(&mut next);
    let mut engine = Engine::new(load(&sequence.site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    let oldest = (0..sequence.digests.len())
        .min_by_key(|&i| sequence.digests[i].day)
        .unwrap();
    let topic = sequence.digests[oldest].entries[0].topics[0];
    let page = format!("topics/{}/index.html", TOPICS[topic].to_lowercase());
    let before = live.read(&page).unwrap();
    sequence.digests[oldest].day = 28;
    sequence.save(oldest);
    let outcome = engine.build(&live, false).unwrap();
    assert!(
        outcome.written.contains(&page),
        "{page} was not rendered again"
    );
    let after = live.read(&page).unwrap();
    let chart = |html: &str| html[html.find("<figure class=\"trend\">").unwrap()..].to_string();
    assert_ne!(
        chart(&before),
        chart(&after),
        "the chart of {page} did not change"
    );
    assert_equals_clean_build(&sequence.site, &live, &["digest date".into()]);
}

#[test]
fn a_digest_page_depends_on_its_own_digest_and_neighbours_only() {
    // Counting digests (for the link to the next older one) must not make every digest page
    // read every digest: then a save that retitles one digest would redo all of their contexts
    // and, at 50,000 papers, build every paper card again.
    let mut next = numbers(7);
    let sequence = Sequence::new(&mut next);
    let mut engine = Engine::new(load(&sequence.site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    let digest_pages: Vec<String> = live
        .files()
        .into_keys()
        .filter(|path| path.starts_with("digests/") && path.ends_with("/index.html"))
        .filter(|path| path.matches('/').count() == 2)
        .collect();
    assert!(digest_pages.len() >= 3, "{digest_pages:?}");
    for page in &digest_pages {
        let reads = engine
            .page_reads(page)
            .expect("a digest page is remembered");
        for whole in [Read::Digests, Read::Papers, Read::Topics] {
            assert!(!reads.contains(&whole), "{page} reads {whole:?}: {reads:?}");
        }
        let digests = reads
            .iter()
            .filter(|r| matches!(r, Read::Digest(_)))
            .count();
        assert_eq!(
            digests, 1,
            "{page} reads one whole digest, its own: {reads:?}"
        );
    }
}

#[test]
fn a_file_rewritten_with_its_length_and_time_kept_is_parsed_again() {
    // `cp -p`, `rsync -t` or two saves within the file system's time granularity: the time and
    // length say nothing changed, the text says otherwise, and the text wins.
    let mut next = numbers(11);
    let sequence = Sequence::new(&mut next);
    let mut engine = Engine::new(load(&sequence.site), true);
    let live = Memory::default();
    engine.build(&live, false).unwrap();
    // Files read soon after they were written are read again on the next build; read once more
    // when settled, they are trusted by their stamp from then on, which is what is tested here.
    std::thread::sleep(Duration::from_millis(2100));
    engine.build(&live, false).unwrap();
    let path = sequence.site.root().join(&sequence.digests[0].file);
    let time = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    // The digest's own title: a paper's would disagree with its other digests.
    let at = text.find("title = \"").unwrap() + "title = \"".len();
    let was = text[at..].chars().next().unwrap();
    let now = if was == 'Q' { 'Z' } else { 'Q' };
    let edited = format!("{}{now}{}", &text[..at], &text[at + was.len_utf8()..]);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&path, &edited).unwrap();
    let file = std::fs::File::options().append(true).open(&path).unwrap();
    file.set_modified(time).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), time);
    let outcome = engine.build(&live, false).unwrap();
    assert!(!outcome.written.is_empty(), "the edit was not seen");
    assert_equals_clean_build(&sequence.site, &live, &["a title, time kept".into()]);
}
