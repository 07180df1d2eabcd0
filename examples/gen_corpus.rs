//! Deterministic benchmark corpus generator for Digestif.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --papers N --out DIR [--seed S] [--force]
//! ```
//!
//! Writes a complete site into `DIR`: `DIR/site.toml` and one daily digest per
//! day under `DIR/content/YYYY/YYYY-MM-DD.md`, 75 papers per digest (the last
//! digest may hold fewer), starting on 2020-01-01. The same arguments always
//! produce byte-identical files.
//!
//! `N` counts paper *entries* across all digests. Around 5% of the entries are
//! re-appearances of a paper from an earlier digest (same id, title, authors,
//! abstract and topics, possibly a newer upvote count), so the number of
//! distinct papers is slightly below `N`.
//!
//! Uses only the standard library.

use std::collections::{HashSet, VecDeque};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const PAPERS_PER_DIGEST: usize = 75;
/// Keeps two-digit arXiv years unique (about 73 years of daily digests).
const MAX_PAPERS: u64 = 2_000_000;
const DEFAULT_SEED: u64 = 42;
const START: Date = Date {
    year: 2020,
    month: 1,
    day: 1,
};
/// Re-appearances are drawn from papers of this many previous digests.
const REAPPEAR_WINDOW_DAYS: usize = 30;

const USAGE: &str = "\
Usage: gen_corpus --papers N --out DIR [--seed S] [--force]

Generate a deterministic Digestif benchmark site in DIR
(DIR/site.toml and DIR/content/YYYY/YYYY-MM-DD.md, 75 papers per daily digest).

Options:
  --papers N   number of paper entries to generate (1..=2000000)
  --out DIR    output directory; must be empty or absent unless --force
  --seed S     PRNG seed, unsigned 64-bit integer (default: 42)
  --force      write into a non-empty DIR, removing DIR/content first
  -h, --help   print this help";

// ---------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------

const TOPICS: [&str; 40] = [
    "diffusion models",
    "reinforcement learning",
    "graph neural networks",
    "large language models",
    "computer vision",
    "natural language processing",
    "optimization",
    "federated learning",
    "generative adversarial networks",
    "self-supervised learning",
    "representation learning",
    "meta-learning",
    "causal inference",
    "Bayesian deep learning",
    "adversarial robustness",
    "interpretability",
    "fairness",
    "speech recognition",
    "time series forecasting",
    "recommender systems",
    "robotics",
    "multimodal learning",
    "continual learning",
    "knowledge distillation",
    "neural architecture search",
    "model compression",
    "transformers",
    "variational inference",
    "contrastive learning",
    "few-shot learning",
    "transfer learning",
    "anomaly detection",
    "point clouds",
    "3D reconstruction",
    "medical imaging",
    "probabilistic programming",
    "learning theory",
    "efficient inference",
    "retrieval-augmented generation",
    "scientific machine learning",
];

#[rustfmt::skip]
const MODIFIERS: &[&str] = &[
    "scalable", "robust", "efficient", "sparse", "contrastive", "self-supervised",
    "multimodal", "neural", "latent", "hierarchical", "adaptive", "probabilistic",
    "differentiable", "causal", "federated", "equivariant", "zero-shot", "few-shot",
    "long-context", "low-rank", "Bayesian", "implicit", "generative", "discrete",
    "continuous", "geometric", "temporal", "spectral", "stochastic", "variational",
    "large-scale", "distributed", "compositional", "interpretable", "quantized",
    "lightweight", "structured", "masked", "autoregressive", "unsupervised",
    "offline", "online", "private", "calibrated", "provable", "dense",
];

#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "representations", "transformers", "policies", "embeddings", "graphs",
    "attention", "retrieval", "alignment", "optimization", "inference", "priors",
    "distillation", "segmentation", "generation", "planning", "reasoning",
    "benchmarks", "agents", "models", "networks", "learning", "training",
    "estimation", "detection", "tokenization", "adaptation", "regularization",
    "sampling", "calibration", "control", "forecasting", "compression",
    "pretraining", "fine-tuning", "objectives", "kernels", "features", "dynamics",
    "manifolds", "tokens", "memory", "search", "rewards", "robustness",
    "uncertainty", "generalization", "scaling", "world models", "score matching",
];

#[rustfmt::skip]
const FIRST_CONNECTORS: &[&str] = &["for", "in", "with", "from", "towards"];
#[rustfmt::skip]
const SECOND_CONNECTORS: &[&str] = &["via", "with", "under", "using", "beyond", "without"];
#[rustfmt::skip]
const LOWERCASE_TITLE_WORDS: &[&str] = &[
    "for", "in", "with", "from", "towards", "via", "under", "using", "beyond", "without",
    "and", "of", "the", "a",
];

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Alice", "Bob", "Carlos", "Dana", "Elena", "Farid", "Grace", "Hiroshi", "Ines",
    "Jun", "Kavya", "Liam", "Mei", "Nikolai", "Olga", "Pablo", "Qing", "Rahul",
    "Sofia", "Tomás", "Uma", "Viktor", "Wei", "Xin", "Yusuf", "Zoë", "Amara",
    "Björn", "Chloé", "Dmitri", "Emeka", "Fatima", "Gustavo", "Hana", "Ilya",
    "Jakob", "Kenji", "Lucía", "Mateo", "Nadia", "Oscar", "Priya", "Rafael",
    "Sven", "Tariq", "Valentina", "Yuki", "Łukasz", "Søren", "François", "Ana",
    "Ben", "Chen", "David", "Emma", "Felix", "Hannah", "Ivan", "Julia", "Kai",
];

#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Smith", "Zhang", "Garcia", "Müller", "Nguyễn", "Kim", "Patel", "Rossi",
    "Kowalski", "Ivanova", "Tanaka", "Silva", "Okafor", "Johansson", "Dubois",
    "Hernández", "Chen", "Wang", "Li", "Liu", "Yang", "Huang", "Zhao", "Wu",
    "Sato", "Suzuki", "Park", "Lee", "Choi", "Singh", "Kumar", "Sharma", "Gupta",
    "Schmidt", "Schneider", "Fischer", "Weber", "Novak", "Horvat", "Petrov",
    "Santos", "Oliveira", "Costa", "Martin", "Bernard", "Lefebvre", "Moreau",
    "O'Neil", "Andersen", "Nielsen", "Virtanen", "Korhonen", "Şahin", "Yılmaz",
    "Haddad", "Mensah", "Adeyemi", "Cohen", "Levi", "Murphy", "Kelly", "Walsh",
    "Brown", "Taylor", "Wilson", "Thompson", "Clark", "Lewis", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
];

#[rustfmt::skip]
const DATASETS: &[&str] = &[
    "ImageNet", "CIFAR-10", "CIFAR-100", "COCO", "GLUE", "SuperGLUE", "MMLU",
    "GSM8K", "HumanEval", "Atari-57", "MuJoCo", "D4RL", "OGB", "ShapeNet",
    "ScanNet", "LibriSpeech", "WikiText-103", "CelebA", "Kinetics-400", "nuScenes",
    "MIMIC-III", "ETTh1", "MovieLens", "BEIR",
];

const METRICS: &[&str] = &[
    "accuracy",
    "FID",
    "mean average precision",
    "F1 score",
    "sample efficiency",
    "perplexity",
    "calibration error",
    "return",
    "recall",
    "throughput",
    "BLEU",
    "word error rate",
];

const LIMITATIONS: &[&str] = &[
    "computationally expensive",
    "brittle under distribution shift",
    "difficult to scale",
    "poorly understood",
    "sensitive to hyperparameters",
    "limited to small datasets",
    "hard to interpret",
    "data hungry",
];

const VERB_PHRASES: &[&str] = &[
    "jointly learns the encoder and the decoder",
    "decouples exploration from exploitation",
    "reuses intermediate activations across layers",
    "exploits the low-rank structure of the problem",
    "amortizes inference over related tasks",
    "enforces consistency between views",
    "adapts the step size on the fly",
    "replaces quadratic attention with a linear-time approximation",
    "leverages unlabeled data at scale",
    "propagates uncertainty through the whole pipeline",
];

const CLAIMS: &[&str] = &[
    "consistent gains over prior work",
    "state-of-the-art results at a fraction of the cost",
    "improved robustness to noisy labels",
    "better calibrated predictions",
    "strong zero-shot transfer",
    "favorable scaling with model size",
    "a substantial reduction in memory usage",
];

const INLINE_MATH: &[&str] = &[
    r"$\mathcal{L}(\theta) = \|x - \hat{x}\|_2^2$",
    r"$O(n \log n)$",
    r"$p_\theta(x_{t-1} \mid x_t)$",
    r"$\mathbb{E}_{x \sim p}[f(x)]$",
    r"$\alpha \in (0, 1)$",
    r"$\tilde{O}(\sqrt{T})$",
    r"$k \ll d$",
    r"$\nabla_\theta \log \pi_\theta(a \mid s)$",
    r"$W = U \Sigma V^\top$",
    r"$\epsilon > 0$",
];

const DISPLAY_MATH: &[&str] = &[
    r"$$\int_0^1 f(x)\,dx$$",
    r"$$\min_\theta \mathbb{E}_{(x,y) \sim \mathcal{D}} \left[ \ell(f_\theta(x), y) \right] + \lambda \|\theta\|_1$$",
    r"$$\mathrm{Attn}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d}}\right) V$$",
    r"$$\sum_{i=1}^{n} \alpha_i = 1, \quad \alpha_i \ge 0$$",
    r"$$q(x_t \mid x_0) = \mathcal{N}\left(x_t; \sqrt{\bar\alpha_t}\, x_0, (1 - \bar\alpha_t) I\right)$$",
];

const CODE_SNIPPETS: &[&str] = &[
    "import torch\n\n\
     def loss_fn(model, x, t):\n    \
         noise = torch.randn_like(x)\n    \
         x_t = model.q_sample(x, t, noise)\n    \
         return ((model(x_t, t) - noise) ** 2).mean()",
    "import numpy as np\n\n\
     def softmax(z, axis=-1):\n    \
         z = z - z.max(axis=axis, keepdims=True)\n    \
         e = np.exp(z)\n    \
         return e / e.sum(axis=axis, keepdims=True)",
    "from dataclasses import dataclass\n\n\
     @dataclass\n\
     class Config:\n    \
         lr: float = 3e-4\n    \
         batch_size: int = 256\n    \
         warmup_steps: int = 1000\n\n\
     print(Config())",
    "def evaluate(model, loader):\n    \
         correct = total = 0\n    \
         for x, y in loader:\n        \
             pred = model(x).argmax(dim=-1)\n        \
             correct += (pred == y).sum().item()\n        \
             total += y.numel()\n    \
         return correct / total",
];

// ---------------------------------------------------------------------------
// PRNG (SplitMix64)
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `0..n` (`n > 0`), via 128-bit multiply.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform integer in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent / 100`.
    fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
struct Date {
    year: u32,
    month: u32,
    day: u32,
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => unreachable!("month out of range"),
    }
}

impl Date {
    fn next(self) -> Date {
        if self.day < days_in_month(self.year, self.month) {
            Date {
                day: self.day + 1,
                ..self
            }
        } else if self.month < 12 {
            Date {
                month: self.month + 1,
                day: 1,
                ..self
            }
        } else {
            Date {
                year: self.year + 1,
                month: 1,
                day: 1,
            }
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

struct Args {
    papers: u64,
    out: PathBuf,
    seed: u64,
    force: bool,
}

enum ArgsOutcome {
    Run(Args),
    Help,
}

fn parse_args(raw: Vec<String>) -> Result<ArgsOutcome, String> {
    let mut papers = None;
    let mut out = None;
    let mut seed = DEFAULT_SEED;
    let mut force = false;
    let mut it = raw.into_iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |flag: &str| -> Result<String, String> {
            match inline.clone().or_else(|| it.next()) {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err(format!("{flag} requires a value")),
            }
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(ArgsOutcome::Help),
            "--papers" => {
                let v = value("--papers")?;
                let n: u64 = v
                    .parse()
                    .map_err(|_| format!("--papers: invalid number '{v}'"))?;
                if n == 0 || n > MAX_PAPERS {
                    return Err(format!(
                        "--papers must be between 1 and {MAX_PAPERS}, got {n}"
                    ));
                }
                papers = Some(n);
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("--seed: invalid unsigned integer '{v}'"))?;
            }
            "--force" if inline.is_none() => force = true,
            _ => return Err(format!("unexpected argument '{arg}'")),
        }
    }
    let papers = papers.ok_or("missing required option --papers")?;
    let out = out.ok_or("missing required option --out")?;
    Ok(ArgsOutcome::Run(Args {
        papers,
        out,
        seed,
        force,
    }))
}

// ---------------------------------------------------------------------------
// Text generation
// ---------------------------------------------------------------------------

struct Paper {
    id: String,
    title: String,
    authors: Vec<String>,
    published: Date,
    topics: Vec<&'static str>,
    upvotes: Option<u32>,
    venue: Option<String>,
    code: Option<String>,
    abstract_: String,
    notes: Option<String>,
    reappeared: bool,
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn acronym(rng: &mut Rng) -> String {
    const SYLLABLES: &[&str] = &[
        "Flo", "Net", "Mix", "Gen", "Ra", "Vi", "Dif", "Tok", "Graph", "Mo", "Lu", "Zen", "Ka",
        "Sim", "Aug", "Tra", "Lo", "Quo", "Sy", "Pi",
    ];
    if rng.percent(50) {
        let n = rng.range(3, 6);
        (0..n)
            .map(|_| (b'A' + rng.below(26) as u8) as char)
            .collect()
    } else {
        let n = rng.range(2, 3);
        (0..n).map(|_| rng.pick(SYLLABLES)).collect()
    }
}

/// A noun phrase of exactly `words` whitespace-separated words.
fn noun_phrase(rng: &mut Rng, words: usize) -> Vec<String> {
    // Multi-word nouns ("world models") are only used where they fit.
    let mut out: Vec<String> = Vec::with_capacity(words);
    let noun = loop {
        let n = rng.pick(NOUNS);
        if n.split(' ').count() <= words {
            break n;
        }
    };
    let noun_words = noun.split(' ').count();
    let mut used = HashSet::new();
    while out.len() < words - noun_words {
        let m = rng.pick(MODIFIERS);
        if used.insert(m) {
            out.push(m.to_string());
        }
    }
    out.extend(noun.split(' ').map(str::to_string));
    out
}

fn gen_title(rng: &mut Rng) -> String {
    let total = rng.range(6, 12);
    let mut words: Vec<String> = Vec::with_capacity(total);
    let mut rest = total;
    if rng.percent(30) {
        words.push(format!("{}:", acronym(rng)));
        rest -= 1;
    }
    // Phrases joined by connectors: P1 conn P2 [conn P3].
    let phrases = if rest >= 7 { 3 } else { 2 };
    let mut sizes = vec![1usize; phrases];
    let mut budget = rest - (phrases - 1) - phrases;
    while budget > 0 {
        let i = rng.below(phrases);
        if sizes[i] < 4 {
            sizes[i] += 1;
            budget -= 1;
        }
    }
    for (i, &size) in sizes.iter().enumerate() {
        if i == 1 {
            words.push(rng.pick(FIRST_CONNECTORS).to_string());
        } else if i == 2 {
            words.push(rng.pick(SECOND_CONNECTORS).to_string());
        }
        words.extend(noun_phrase(rng, size));
    }
    debug_assert_eq!(words.len(), total);
    let mut title = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            title.push(' ');
        }
        if i > 0 && LOWERCASE_TITLE_WORDS.contains(&w.as_str()) {
            title.push_str(w);
        } else {
            title.push_str(&capitalize(w));
        }
    }
    title
}

fn gen_authors(rng: &mut Rng) -> Vec<String> {
    // Skewed towards small author lists.
    let n = match rng.below(100) {
        0..=9 => 1,
        10..=29 => 2,
        30..=54 => 3,
        55..=72 => 4,
        73..=84 => 5,
        85..=91 => 6,
        92..=96 => 7,
        _ => 8,
    };
    let mut authors: Vec<String> = Vec::with_capacity(n);
    while authors.len() < n {
        let name = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
        if !authors.contains(&name) {
            authors.push(name);
        }
    }
    authors
}

fn gen_topics(rng: &mut Rng) -> Vec<&'static str> {
    let n = rng.range(1, 3);
    let mut topics: Vec<&'static str> = Vec::with_capacity(n);
    while topics.len() < n {
        // Mildly skewed: lower indices are more popular.
        let a = rng.below(TOPICS.len());
        let b = rng.below(TOPICS.len());
        let t = TOPICS[a.min(b)];
        if !topics.contains(&t) {
            topics.push(t);
        }
    }
    topics
}

/// One abstract sentence. The first sentence motivates, the second introduces
/// the method, later ones describe it or report results; `last` avoids using
/// the same template twice in a row.
fn gen_sentence(
    rng: &mut Rng,
    index: usize,
    last: &mut usize,
    topic: &str,
    name: Option<&str>,
) -> String {
    let subject = name.unwrap_or("our method");
    let np = |rng: &mut Rng| {
        let k = rng.range(1, 3);
        noun_phrase(rng, k).join(" ")
    };
    let template = match index {
        0 => [0, 9][rng.below(2)],
        1 => 1,
        _ => loop {
            let t = [2, 3, 4, 5, 6, 7, 8][rng.below(7)];
            if t != *last {
                break t;
            }
        },
    };
    *last = template;
    match template {
        0 => format!(
            "Despite rapid progress in {topic}, existing approaches to {} remain {}.",
            np(rng),
            rng.pick(LIMITATIONS)
        ),
        1 => {
            let name = name.map(|n| format!("{n}, ")).unwrap_or_default();
            format!(
                "We propose {name}a {} framework for {} that {}.",
                rng.pick(MODIFIERS),
                np(rng),
                rng.pick(VERB_PHRASES)
            )
        }
        2 => format!(
            "Our method combines {} with {} and requires no additional supervision.",
            np(rng),
            np(rng)
        ),
        3 => {
            let first = rng.below(DATASETS.len());
            let second = (first + rng.range(1, DATASETS.len() - 1)) % DATASETS.len();
            format!(
                "On {} and {}, {subject} improves {} by {}.{}% over strong baselines.",
                DATASETS[first],
                DATASETS[second],
                rng.pick(METRICS),
                rng.range(1, 19),
                rng.below(10)
            )
        }
        4 => format!(
            "We further show that {} can be learned from as few as {} examples.",
            np(rng),
            rng.range(2, 500) * 10
        ),
        5 => format!(
            "Extensive experiments across {} benchmarks demonstrate {}.",
            rng.range(3, 24),
            rng.pick(CLAIMS)
        ),
        6 => format!(
            "Theoretically, we prove that the resulting estimator is consistent under mild assumptions on the {}.",
            np(rng)
        ),
        7 => format!(
            "A key insight is that {} and {} are two views of the same underlying {}.",
            np(rng),
            np(rng),
            rng.pick(NOUNS)
        ),
        8 => format!(
            "Ablations reveal that the choice of {} matters more than model size, while {} has little effect.",
            np(rng),
            np(rng)
        ),
        _ => format!(
            "In contrast to prior work on {topic}, our analysis covers {} and {} in a single framework.",
            np(rng),
            np(rng)
        ),
    }
}

/// Greedy word wrap at ~78 columns; keeps `$...$` spans on one line.
fn wrap(paragraph: &str, out: &mut String) {
    let mut col = 0;
    let mut in_math = false;
    for word in paragraph.split(' ') {
        let can_break = !in_math;
        if col > 0 {
            if can_break && col + 1 + word.chars().count() > 78 {
                out.push('\n');
                col = 0;
            } else {
                out.push(' ');
                col += 1;
            }
        }
        out.push_str(word);
        col += word.chars().count();
        if word.matches('$').count() % 2 == 1 {
            in_math = !in_math;
        }
    }
}

fn gen_abstract(rng: &mut Rng, topics: &[&str], title: &str) -> String {
    let target = rng.range(120, 200);
    let name = title.split_once(':').map(|(acro, _)| acro);
    let with_math = rng.percent(10);
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut words = 0;
    let mut math_done = !with_math;
    let mut display: Option<&str> = None;
    let mut index = 0;
    let mut last = usize::MAX;
    loop {
        let topic = topics[rng.below(topics.len())];
        let sentence = if !math_done && index >= 2 {
            math_done = true;
            if rng.percent(40) {
                display = Some(rng.pick(DISPLAY_MATH));
            }
            format!(
                "Concretely, we minimize {} and show that the bound on {} holds for any {}.",
                rng.pick(INLINE_MATH),
                rng.pick(INLINE_MATH),
                rng.pick(INLINE_MATH)
            )
        } else {
            gen_sentence(rng, index, &mut last, topic, name)
        };
        index += 1;
        let n = sentence.split(' ').count() + display.map_or(0, |d| d.split(' ').count());
        if words >= 120 && words + n > 200 {
            break;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&sentence);
        words += n;
        if let Some(d) = display.take() {
            paragraphs.push(std::mem::take(&mut current));
            paragraphs.push(d.to_string());
        }
        if words >= target && math_done {
            break;
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    let mut out = String::new();
    for (i, p) in paragraphs.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        if p.starts_with("$$") {
            out.push_str(p);
        } else {
            wrap(p, &mut out);
        }
    }
    out
}

fn gen_notes(rng: &mut Rng) -> String {
    let code = rng.pick(CODE_SNIPPETS);
    format!(
        "Reproduction notes: the official implementation trains in about {} GPU-hours \
         on {} GPUs. A minimal sketch:\n\n```python\n{code}\n```\n\nResults match the \
         paper within {}.{} points.",
        rng.range(2, 400),
        1 << rng.below(4),
        rng.below(2),
        rng.range(1, 9)
    )
}

/// Escapes a value for a TOML basic (double-quoted) string.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_str_array(items: &[impl AsRef<str>]) -> String {
    let parts: Vec<String> = items.iter().map(|s| toml_str(s.as_ref())).collect();
    format!("[{}]", parts.join(", "))
}

/// Writes a multi-line TOML literal string. The text never contains `'''`.
fn push_literal(out: &mut String, key: &str, text: &str) {
    assert!(!text.contains("'''"), "literal string contains '''");
    let _ = write!(out, "{key} = '''\n{text}\n'''\n");
}

fn write_paper(out: &mut String, p: &Paper, upvotes: Option<u32>, with_notes: bool) {
    out.push_str("\n[[papers]]\n");
    let _ = writeln!(out, "id = {}", toml_str(&p.id));
    let _ = writeln!(out, "title = {}", toml_str(&p.title));
    let _ = writeln!(out, "authors = {}", toml_str_array(&p.authors));
    let _ = writeln!(out, "arxiv = {}", toml_str(&p.id));
    let _ = writeln!(out, "published = {}", p.published);
    let _ = writeln!(out, "topics = {}", toml_str_array(&p.topics));
    if let Some(u) = upvotes {
        let _ = writeln!(out, "upvotes = {u}");
    }
    if let Some(v) = &p.venue {
        let _ = writeln!(out, "venue = {}", toml_str(v));
    }
    if let Some(c) = &p.code {
        let _ = writeln!(out, "code = {}", toml_str(c));
    }
    push_literal(out, "abstract", &p.abstract_);
    if with_notes && let Some(n) = &p.notes {
        push_literal(out, "notes", n);
    }
}

/// A new paper announced in the digest of `date`, with arXiv sequence `seq`.
fn gen_paper(rng: &mut Rng, date: Date, seq: usize) -> Paper {
    let id = format!("{:02}{:02}.{:05}", date.year % 100, date.month, seq);
    // Submitted up to two days before the digest, but within the same month
    // so that the id's YYMM matches the published date.
    let back = rng.below(3) as u32;
    let published = Date {
        day: date.day.saturating_sub(back).max(1),
        ..date
    };
    let title = gen_title(rng);
    let authors = gen_authors(rng);
    let topics = gen_topics(rng);
    let upvotes = if rng.percent(55) {
        let u = (rng.below(1000) as f64) / 1000.0;
        Some(1 + (u * u * u * 400.0) as u32)
    } else {
        None
    };
    let venue = if rng.percent(10) {
        const VENUES: &[&str] = &["NeurIPS", "ICML", "ICLR", "CVPR", "ACL", "AAAI"];
        Some(format!(
            "{} {}",
            rng.pick(VENUES),
            date.year + rng.below(2) as u32
        ))
    } else {
        None
    };
    let code = if rng.percent(20) {
        let user = authors[0].split(' ').next_back().unwrap_or("lab");
        let user: String = user
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>();
        let repo = title
            .split(' ')
            .take(3)
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase()
            })
            .collect::<Vec<_>>()
            .join("-");
        let user = if user.is_empty() {
            "lab".to_string()
        } else {
            user.to_ascii_lowercase()
        };
        Some(format!("https://github.com/{user}/{repo}"))
    } else {
        None
    };
    let abstract_ = gen_abstract(rng, &topics, &title);
    let notes = if rng.percent(5) {
        Some(gen_notes(rng))
    } else {
        None
    };
    Paper {
        id,
        title,
        authors,
        published,
        topics,
        upvotes,
        venue,
        code,
        abstract_,
        notes,
        reappeared: false,
    }
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

struct Stats {
    files: u64,
    bytes: u64,
    entries: u64,
    unique: u64,
    repeats: u64,
    digests: u64,
}

fn create_dir(path: &Path) -> io::Result<()> {
    fs::create_dir_all(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

fn write_file(path: &Path, contents: &str, stats: &mut Stats) -> io::Result<()> {
    fs::write(path, contents)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    stats.files += 1;
    stats.bytes += contents.len() as u64;
    Ok(())
}

fn generate(args: &Args) -> io::Result<Stats> {
    let mut rng = Rng(args.seed);
    let mut stats = Stats {
        files: 0,
        bytes: 0,
        entries: 0,
        unique: 0,
        repeats: 0,
        digests: 0,
    };

    create_dir(&args.out)?;
    let site = "title = \"Generated corpus\"\n\
                base_url = \"https://example.org/corpus/\"\n\
                papers_per_page = 25\n";
    write_file(&args.out.join("site.toml"), site, &mut stats)?;

    let content = args.out.join("content");
    let mut date = START;
    let mut month_key = (0, 0);
    let mut seq = 0usize;
    // Papers of the previous REAPPEAR_WINDOW_DAYS digests (bounded memory).
    let mut window: VecDeque<Vec<Paper>> = VecDeque::new();
    let mut remaining = args.papers as usize;
    let mut created_year = 0;

    while remaining > 0 {
        let count = remaining.min(PAPERS_PER_DIGEST);
        remaining -= count;
        if (date.year, date.month) != month_key {
            month_key = (date.year, date.month);
            seq = 0;
        }

        let mut today: Vec<Paper> = Vec::with_capacity(count);
        let mut body = String::with_capacity(count * 1600);
        let mut ids_today: HashSet<String> = HashSet::new();
        let mut topic_counts = [0usize; TOPICS.len()];
        let mut papers_text = String::with_capacity(count * 1600);

        for _ in 0..count {
            let reappear = !window.is_empty() && rng.percent(5);
            let mut written = false;
            if reappear {
                // Try a few random earlier papers that have not re-appeared yet.
                for _ in 0..8 {
                    let day = rng.below(window.len());
                    let list = &mut window[day];
                    let idx = rng.below(list.len());
                    let p = &mut list[idx];
                    if p.reappeared || ids_today.contains(&p.id) {
                        continue;
                    }
                    p.reappeared = true;
                    // Upvotes keep growing; notes are not repeated.
                    let upvotes = p.upvotes.map(|u| u + rng.range(0, 20) as u32);
                    write_paper(&mut papers_text, p, upvotes, false);
                    ids_today.insert(p.id.clone());
                    for t in &p.topics {
                        topic_counts[TOPICS.iter().position(|x| x == t).unwrap_or(0)] += 1;
                    }
                    stats.repeats += 1;
                    written = true;
                    break;
                }
            }
            if written {
                continue;
            }

            seq += 1 + rng.below(4);
            let paper = gen_paper(&mut rng, date, seq);
            write_paper(&mut papers_text, &paper, paper.upvotes, true);
            ids_today.insert(paper.id.clone());
            for t in &paper.topics {
                topic_counts[TOPICS.iter().position(|x| x == t).unwrap_or(0)] += 1;
            }
            stats.unique += 1;
            today.push(paper);
        }
        stats.entries += count as u64;

        // Top three topics of the day (ties broken by list order).
        let mut order: Vec<usize> = (0..TOPICS.len()).collect();
        order.sort_by(|&a, &b| topic_counts[b].cmp(&topic_counts[a]).then(a.cmp(&b)));
        let top: Vec<&str> = order.iter().take(3).map(|&i| TOPICS[i]).collect();

        let _ = writeln!(body, "+++");
        let _ = writeln!(
            body,
            "title = {}",
            toml_str(&format!("Daily papers, {date}"))
        );
        let _ = writeln!(body, "date = {date}");
        let summary = format!(
            "{count} papers, with the most activity in {}, {} and {}.",
            top[0], top[1], top[2]
        );
        let _ = writeln!(body, "summary = {}", toml_str(&summary));
        body.push_str(&papers_text);
        body.push_str("+++\n");
        let _ = writeln!(
            body,
            "Today's digest collects **{count} papers**. The most active topic is *{}*, \
             followed by *{}* and *{}*; {} New submissions are listed on \
             [arXiv](https://arxiv.org/list/cs.LG/recent).",
            top[0],
            top[1],
            top[2],
            match rng.below(4) {
                0 => "several papers revisit classic baselines with careful ablations.",
                1 => "a few re-appear from earlier digests after community discussion.",
                2 => "theory and large-scale empirical work are evenly represented.",
                _ => "many papers come with code and reproducible evaluation setups.",
            }
        );

        if created_year != date.year {
            create_dir(&content.join(format!("{:04}", date.year)))?;
            created_year = date.year;
        }
        let path = content
            .join(format!("{:04}", date.year))
            .join(format!("{date}.md"));
        write_file(&path, &body, &mut stats)?;
        stats.digests += 1;

        window.push_back(today);
        if window.len() > REAPPEAR_WINDOW_DAYS {
            window.pop_front();
        }
        date = date.next();
    }
    Ok(stats)
}

fn prepare_out_dir(args: &Args) -> Result<(), String> {
    let out = &args.out;
    match fs::metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", out.display())),
        Ok(m) if !m.is_dir() => {
            return Err(format!("{} exists and is not a directory", out.display()));
        }
        Ok(_) => {}
    }
    let non_empty = fs::read_dir(out)
        .map_err(|e| format!("{}: {e}", out.display()))?
        .next()
        .is_some();
    if !non_empty {
        return Ok(());
    }
    if !args.force {
        return Err(format!(
            "{} is not empty; pass --force to overwrite (removes {}/content)",
            out.display(),
            out.display()
        ));
    }
    let content = out.join("content");
    match fs::symlink_metadata(&content) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(&content),
        Ok(_) => fs::remove_file(&content),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
    .map_err(|e| format!("cannot remove {}: {e}", content.display()))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1).collect()) {
        Ok(ArgsOutcome::Run(a)) => a,
        Ok(ArgsOutcome::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("gen_corpus: error: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Err(msg) = prepare_out_dir(&args) {
        eprintln!("gen_corpus: error: {msg}");
        return ExitCode::from(2);
    }
    let started = Instant::now();
    match generate(&args) {
        Ok(s) => {
            println!(
                "gen_corpus: wrote {} files, {} papers ({} unique + {} re-appearances), \
                 {} digests, {} bytes to {} in {:.2}s (seed {})",
                s.files,
                s.entries,
                s.unique,
                s.repeats,
                s.digests,
                s.bytes,
                args.out.display(),
                started.elapsed().as_secs_f64(),
                args.seed
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_corpus: error: {e}");
            ExitCode::FAILURE
        }
    }
}
