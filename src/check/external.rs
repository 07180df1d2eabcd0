//! `digestif check --external`: asks other sites whether the pages we link to still exist.
//!
//! Each distinct URL is requested once (HEAD, then GET when a server refuses HEAD), by at most
//! `jobs` threads at a time, each request bounded by `timeout`. Answers that were fine are kept in
//! a small JSON cache (`.digestif/link-cache.json` in the site) for a day, so a second run only
//! asks about new links and ones that failed. Off by default: a build never touches the network.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Diagnostic, Location};

/// How long an answer that was fine is trusted.
pub const CACHE_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// For each request, connecting and reading included.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub jobs: usize,
    /// Requests in flight at once to one host, so that a site with thousands of links to one
    /// host (arXiv) does not get its owner rate-limited there.
    pub per_host: usize,
    /// The least time between two requests to one host.
    pub host_interval: Duration,
    /// Where answers are cached; None for no cache.
    pub cache: Option<PathBuf>,
}

/// Requests in flight to one host, by default.
pub const DEFAULT_PER_HOST: usize = 2;
/// The least time between two requests to one host, by default: at most ten a second.
pub const DEFAULT_HOST_INTERVAL: Duration = Duration::from_millis(100);

impl ExternalOptions {
    pub fn new(cache: Option<PathBuf>) -> Self {
        ExternalOptions {
            timeout: Duration::from_secs(10),
            jobs: 8,
            per_host: DEFAULT_PER_HOST,
            host_interval: DEFAULT_HOST_INTERVAL,
            cache,
        }
    }
}

/// What a server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    /// 2xx after redirects.
    Fine(u16),
    /// Any other status.
    Status(u16),
    /// No answer: the host is unknown, refused, or took longer than the timeout.
    Unreachable(String),
}

/// Asks about every URL once; answers by URL.
pub fn check_urls(urls: &[String], options: &ExternalOptions) -> HashMap<String, LinkStatus> {
    let mut unique: Vec<&String> = urls.iter().collect();
    unique.sort();
    unique.dedup();
    let now = unix_now();
    let mut cache = options.cache.as_ref().map(Cache::load).unwrap_or_default();
    let mut answers = HashMap::new();
    let mut to_ask = Vec::new();
    for url in unique {
        match cache.fresh(url, now) {
            Some(status) => {
                answers.insert(url.clone(), LinkStatus::Fine(status));
            }
            None => to_ask.push(url.clone()),
        }
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(format!("digestif-link-check/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let queue = HostQueue::new(&to_ask, options);
    let results = Mutex::new(Vec::with_capacity(to_ask.len()));
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, 64).min(to_ask.len()) {
            scope.spawn(|| {
                while let Some((host, url)) = queue.next() {
                    let status = ask(&agent, url);
                    queue.done(host);
                    results
                        .lock()
                        .expect("no thread panics holding the lock")
                        .push((url.clone(), status));
                }
            });
        }
    });
    for (url, status) in results.into_inner().expect("threads have ended") {
        if let LinkStatus::Fine(code) = status {
            cache.links.insert(
                url.clone(),
                CacheEntry {
                    status: code,
                    checked: now,
                },
            );
        }
        answers.insert(url, status);
    }
    if let Some(path) = &options.cache {
        cache.save(path, now);
    }
    answers
}

/// The URLs still to ask, by host, handed out so that no host has more than `per_host` requests
/// in flight or two starts closer than `host_interval`.
struct HostQueue<'a> {
    state: Mutex<QueueState<'a>>,
    /// Signalled when a request ends, so a waiting worker looks again.
    changed: std::sync::Condvar,
    per_host: usize,
    interval: Duration,
}

struct QueueState<'a> {
    /// Each host's URLs still to ask, in order, its requests in flight and its last start.
    hosts: Vec<HostState<'a>>,
    /// URLs not handed out yet.
    remaining: usize,
}

struct HostState<'a> {
    urls: std::collections::VecDeque<&'a String>,
    in_flight: usize,
    last_start: Option<std::time::Instant>,
}

impl<'a> HostQueue<'a> {
    fn new(urls: &'a [String], options: &ExternalOptions) -> Self {
        let mut by_host: BTreeMap<String, std::collections::VecDeque<&'a String>> = BTreeMap::new();
        for url in urls {
            by_host.entry(host_of(url)).or_default().push_back(url);
        }
        let hosts: Vec<HostState> = by_host
            .into_values()
            .map(|urls| HostState {
                urls,
                in_flight: 0,
                last_start: None,
            })
            .collect();
        HostQueue {
            state: Mutex::new(QueueState {
                remaining: urls.len(),
                hosts,
            }),
            changed: std::sync::Condvar::new(),
            per_host: options.per_host.max(1),
            interval: options.host_interval,
        }
    }

    /// The next URL a worker may ask now, with its host's index, waiting as long as every host
    /// with URLs left is busy; None when none are left.
    fn next(&self) -> Option<(usize, &'a String)> {
        let mut state = self
            .state
            .lock()
            .expect("no thread panics holding the lock");
        loop {
            if state.remaining == 0 {
                return None;
            }
            let now = std::time::Instant::now();
            let mut soonest: Option<Duration> = None;
            for (index, host) in state.hosts.iter_mut().enumerate() {
                if host.urls.is_empty() || host.in_flight >= self.per_host {
                    continue;
                }
                let ready_in = host.last_start.map_or(Duration::ZERO, |last| {
                    (last + self.interval).saturating_duration_since(now)
                });
                if ready_in.is_zero() {
                    let url = host.urls.pop_front().expect("not empty");
                    host.in_flight += 1;
                    host.last_start = Some(now);
                    state.remaining -= 1;
                    return Some((index, url));
                }
                soonest = Some(soonest.map_or(ready_in, |s| s.min(ready_in)));
            }
            // Every host with URLs left is busy: wait for a request to end or a host's turn.
            let wait = soonest.unwrap_or(Duration::from_secs(1));
            state = self
                .changed
                .wait_timeout(state, wait)
                .expect("no thread panics holding the lock")
                .0;
        }
    }

    fn done(&self, host: usize) {
        let mut state = self
            .state
            .lock()
            .expect("no thread panics holding the lock");
        state.hosts[host].in_flight -= 1;
        self.changed.notify_all();
    }
}

/// The host (and port) of a URL, lower-cased; the whole URL when it has none.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    host.to_ascii_lowercase()
}

fn ask(agent: &ureq::Agent, url: &str) -> LinkStatus {
    let status = match agent.head(url).call() {
        Ok(response) => response.status().as_u16(),
        Err(error) => return unreachable(error),
    };
    // Some servers refuse or mishandle HEAD; ask again the way a browser would.
    if (200..300).contains(&status) {
        return LinkStatus::Fine(status);
    }
    match agent.get(url).call() {
        Ok(response) if response.status().is_success() => {
            LinkStatus::Fine(response.status().as_u16())
        }
        Ok(response) => LinkStatus::Status(response.status().as_u16()),
        Err(error) => unreachable(error),
    }
}

fn unreachable(error: ureq::Error) -> LinkStatus {
    LinkStatus::Unreachable(match error {
        ureq::Error::Timeout(_) => "no answer within the timeout".to_string(),
        ureq::Error::HostNotFound => "host not found".to_string(),
        other => other.to_string(),
    })
}

/// One finding per broken link and place it is written: gone (404, 410) is an error, anything
/// else (5xx, 403, 429, timeouts) a warning, since other sites have bad days.
pub fn findings(links: &[(String, Location)], options: &ExternalOptions) -> Vec<Diagnostic> {
    let urls: Vec<String> = links.iter().map(|(url, _)| url.clone()).collect();
    let answers = check_urls(&urls, options);
    let mut findings = Vec::new();
    for (url, location) in links {
        let finding = match answers.get(url) {
            None | Some(LinkStatus::Fine(_)) => continue,
            Some(LinkStatus::Status(code @ (404 | 410))) => Diagnostic::error(
                location.clone(),
                format!(
                    "link `{url}` is broken: the server answers {code} {}",
                    reason(*code)
                ),
            )
            .with_hint("update or remove the link"),
            Some(LinkStatus::Status(code)) => Diagnostic::warning(
                location.clone(),
                format!("link `{url}`: the server answers {code} {}", reason(*code)),
            ),
            Some(LinkStatus::Unreachable(why)) => Diagnostic::warning(
                location.clone(),
                format!("link `{url}` could not be checked: {why}"),
            ),
        };
        findings.push(finding);
    }
    findings
}

fn reason(code: u16) -> &'static str {
    match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Cache {
    links: BTreeMap<String, CacheEntry>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct CacheEntry {
    status: u16,
    /// Seconds since 1970.
    checked: u64,
}

impl CacheEntry {
    /// Checked within the last day. An entry dated in the future (a clock set wrong, a copied
    /// cache) is not fresh: it would otherwise never expire.
    fn is_fresh(&self, now: u64) -> bool {
        self.checked <= now && now - self.checked < CACHE_MAX_AGE.as_secs()
    }
}

impl Cache {
    /// A missing or unreadable cache is an empty one: it only saves time.
    fn load(path: &PathBuf) -> Cache {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    fn fresh(&self, url: &str, now: u64) -> Option<u16> {
        let entry = self.links.get(url)?;
        entry.is_fresh(now).then_some(entry.status)
    }

    fn save(&mut self, path: &PathBuf, now: u64) {
        self.links.retain(|_, entry| entry.is_fresh(now));
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Ok(text) = serde_json::to_string_pretty(self) {
            // Written beside and renamed, so a killed check never leaves half a cache.
            let temp = path.with_extension("json.tmp");
            if std::fs::write(&temp, text).is_ok() {
                let _ = std::fs::rename(&temp, path);
            }
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_entries_expire_after_a_day_and_never_live_in_the_future() {
        let now = 1_700_000_000;
        let entry = |checked| CacheEntry {
            status: 200,
            checked,
        };
        assert!(entry(now - 60).is_fresh(now));
        assert!(!entry(now - CACHE_MAX_AGE.as_secs()).is_fresh(now));
        assert!(!entry(now + 10 * 24 * 3600).is_fresh(now));
    }

    #[test]
    fn hosts_are_told_apart_by_name_and_port() {
        assert_eq!(host_of("https://arXiv.org/abs/1"), "arxiv.org");
        assert_eq!(host_of("http://127.0.0.1:8080/x?y"), "127.0.0.1:8080");
        assert_eq!(host_of("https://user@example.org#x"), "example.org");
    }
}
