//! The HTTP client the arXiv and DOI importers share: one request at a time, a pause between
//! requests, retries with backoff on 5xx, 429 and timeouts, and errors that say what happened
//! (offline, not found, too slow) instead of a transport error chain.
//!
//! ureq with rustls: blocking, no async runtime, HTTPS with bundled root certificates. Redirects
//! are followed here rather than by ureq, so that one to an address that is not HTTP (`file:`) is
//! named as such instead of ending as "too many redirects" (issue 23).

use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Redirects followed for one request; doi.org takes one or two.
const MAX_REDIRECTS: usize = 10;

/// The most an import waits between attempts in all, whatever `--timeout` and `--retries` say
/// (the waiting otherwise adds up to `--timeout` × `--retries`, see [`HttpOptions::max_wait`]).
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(120);

/// How to talk to one service. Tests point `endpoint` at 127.0.0.1 and set the delays to zero.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Base URL of the service, without a trailing slash.
    pub endpoint: String,
    /// Least time between the start of two requests.
    pub delay: Duration,
    /// Limit for one request, from connecting to the last byte.
    pub timeout: Duration,
    /// Further attempts after a failed one (5xx, 429, timeout).
    pub retries: u32,
    /// Wait before the first retry; doubles on each further one.
    pub backoff: Duration,
    /// The most all the waits between attempts of one import add up to, `Retry-After` included:
    /// a wait that would pass it is not made, and the request fails saying so.
    pub max_wait: Duration,
}

/// A failed request, classified for the message and for whether to retry.
#[derive(Debug)]
enum Failure {
    /// No answer: DNS, connection refused, no route. Not retried: the user is offline.
    Unreachable(String),
    /// Too slow; retried.
    Timeout,
    /// An HTTP status; 5xx and 429 are retried. Carries `Retry-After` in seconds when given.
    Status(u16, Option<u64>),
    /// A redirect that is not followed: to an address that is not HTTP, or one too many. Not
    /// retried.
    Redirect(String),
    /// Anything else (TLS, protocol); not retried.
    Other(String),
}

/// What is told about a wait: "arXiv answered HTTP 503; waiting 6 s before attempt 3 of 4".
type WaitNotice = Box<dyn Fn(&str) + Send>;

pub struct Client {
    agent: ureq::Agent,
    pub options: HttpOptions,
    last_request: Option<Instant>,
    /// Time spent waiting between attempts so far, against [`HttpOptions::max_wait`].
    waited: Duration,
    /// Told before each wait, so that a stalled import says why.
    on_wait: Option<WaitNotice>,
}

impl Client {
    pub fn new(options: HttpOptions) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(options.timeout))
            .user_agent(concat!(
                "digestif/",
                env!("CARGO_PKG_VERSION"),
                " (paper digest importer)"
            ))
            .build();
        Client {
            agent: config.new_agent(),
            options,
            last_request: None,
            waited: Duration::ZERO,
            on_wait: None,
        }
    }

    /// Has `notice` told, before each wait between attempts, what is waited for and how long.
    pub fn on_wait(&mut self, notice: impl Fn(&str) + Send + 'static) {
        self.on_wait = Some(Box::new(notice));
    }

    /// GETs `endpoint` + `path` with `query` parameters and returns the body. `what` names the
    /// request in messages ("arXiv", "doi.org"). A 404 is `Ok(None)`.
    pub fn get(
        &mut self,
        what: &str,
        path: &str,
        query: &[(&str, &str)],
        accept: &str,
    ) -> Result<Option<String>> {
        let url = format!("{}{path}", self.options.endpoint);
        let mut attempt = 0;
        loop {
            self.wait_turn();
            let failure = match self.try_get(&url, query, accept) {
                Ok(body) => return Ok(Some(body)),
                Err(Failure::Status(404 | 410, _)) => return Ok(None),
                Err(failure) => failure,
            };
            let retry_after = match &failure {
                Failure::Timeout => None,
                Failure::Status(code, after) if *code >= 500 || *code == 429 => *after,
                _ => return Err(self.error(what, &url, &failure, attempt, None)),
            };
            if attempt >= self.options.retries {
                return Err(self.error(what, &url, &failure, attempt, None));
            }
            let wait = match self.next_wait(attempt, retry_after.map(Duration::from_secs)) {
                Ok(wait) => wait,
                Err(reason) => return Err(self.error(what, &url, &failure, attempt, Some(reason))),
            };
            if let Some(notice) = &self.on_wait {
                notice(&format!(
                    "{what} {}; waiting {} before attempt {} of {}",
                    failure.describe(self.options.timeout),
                    seconds(wait),
                    attempt + 2,
                    self.options.retries + 1
                ));
            }
            std::thread::sleep(wait);
            self.waited += wait;
            attempt += 1;
        }
    }

    /// How long to wait before the retry after `attempt`: the backoff, or the server's
    /// `Retry-After` when longer, within what is left of [`HttpOptions::max_wait`]. An error
    /// saying why when no wait is left, or the server asks for more than is left: waiting less
    /// than it asks would only be refused again.
    fn next_wait(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
    ) -> std::result::Result<Duration, String> {
        let max = self.options.max_wait;
        let left = max.saturating_sub(self.waited);
        let limit = format!(
            "an import waits at most {} between attempts in all (--timeout × --retries, {} at most)",
            seconds(max),
            seconds(MAX_RETRY_WAIT)
        );
        if let Some(after) = retry_after.filter(|after| *after > left) {
            return Err(format!(
                "it asked to wait {} before trying again (Retry-After), and {limit}, of which {} is left",
                seconds(after),
                seconds(left)
            ));
        }
        if left.is_zero() {
            return Err(format!("{limit}, and that is spent"));
        }
        let backoff = self
            .options
            .backoff
            .saturating_mul(2u32.saturating_pow(attempt));
        Ok(backoff.max(retry_after.unwrap_or_default()).min(left))
    }

    fn wait_turn(&mut self) {
        if let Some(last) = self.last_request {
            let since = last.elapsed();
            if since < self.options.delay {
                std::thread::sleep(self.options.delay - since);
            }
        }
        self.last_request = Some(Instant::now());
    }

    /// One attempt: the request, and the redirects it leads to, each asked with the same
    /// `Accept` (doi.org's content negotiation needs it at the registration agency too).
    fn try_get(
        &self,
        url: &str,
        query: &[(&str, &str)],
        accept: &str,
    ) -> std::result::Result<String, Failure> {
        let mut request = self.agent.get(url).header("Accept", accept);
        for (key, value) in query {
            request = request.query(*key, *value);
        }
        let mut current = url.to_string();
        let mut redirects = 0;
        let mut response = loop {
            let response = request.call().map_err(classify)?;
            let location = response
                .status()
                .is_redirection()
                .then(|| response.headers().get("location"))
                .flatten();
            let Some(location) = location else {
                break response;
            };
            let location = String::from_utf8_lossy(location.as_bytes())
                .trim()
                .to_string();
            let next = resolve_location(&current, &location);
            if !is_http(&next) {
                return Err(Failure::Redirect(format!(
                    "refused to follow a redirect to a non-HTTP address: `{location}`"
                )));
            }
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(Failure::Redirect(format!(
                    "more than {MAX_REDIRECTS} redirects, the last to `{location}`; not followed"
                )));
            }
            request = self.agent.get(&next).header("Accept", accept);
            current = next;
        };
        let status = response.status().as_u16();
        if status >= 400 {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok());
            return Err(Failure::Status(status, retry_after));
        }
        response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(classify)
    }

    /// The error for a request given up after `retries` retries, with why it was not retried
    /// again when that was the limit on waiting.
    fn error(
        &self,
        what: &str,
        url: &str,
        failure: &Failure,
        retries: u32,
        gave_up: Option<String>,
    ) -> Error {
        let host = host_of(url);
        let tried = match (retries, self.waited.is_zero()) {
            (0, _) => String::new(),
            (_, true) => format!(" (tried {} times)", retries + 1),
            (_, false) => format!(
                " (tried {} times, waiting {} between them)",
                retries + 1,
                seconds(self.waited)
            ),
        };
        if let Some(reason) = gave_up {
            return Error::Fetch(format!(
                "{what} {} for {url}{tried}; it was not tried again: {reason}. Try again later, or raise --timeout or --retries",
                failure.describe(self.options.timeout)
            ));
        }
        Error::Fetch(match failure {
            Failure::Unreachable(detail) => format!(
                "cannot reach {what} at {host}: {detail}. Are you offline? Nothing was imported; try again when connected{}",
                offline_hint(what)
            ),
            Failure::Timeout => format!(
                "{what} at {host} did not answer within {} s{tried}; try again later or raise --timeout",
                self.options.timeout.as_secs_f64()
            ),
            Failure::Status(code, _) => format!(
                "{what} answered HTTP {code} for {url}{tried}{}",
                if *code >= 500 || *code == 429 {
                    "; the service is busy or down, try again later"
                } else {
                    ""
                }
            ),
            Failure::Redirect(detail) => format!("{what} at {host} sent a redirect: {detail}"),
            Failure::Other(detail) => format!("request to {what} at {host} failed: {detail}"),
        })
    }
}

impl Failure {
    /// What happened, after the service's name: "answered HTTP 503".
    fn describe(&self, timeout: Duration) -> String {
        match self {
            Failure::Timeout => format!("did not answer within {}", seconds(timeout)),
            Failure::Status(code, _) => format!("answered HTTP {code}"),
            Failure::Unreachable(detail) | Failure::Redirect(detail) | Failure::Other(detail) => {
                format!("failed: {detail}")
            }
        }
    }
}

/// `30 s`, `0.5 s`.
fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

fn offline_hint(what: &str) -> &'static str {
    if what == "arXiv" {
        ", or import a saved API response with --file"
    } else {
        ""
    }
}

/// Whether a URL is an `http:` or `https:` address.
fn is_http(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The address a `Location` header names, from the address that sent it (RFC 3986, 5.2, for the
/// forms servers send: absolute, `//host/…`, `/path`, and a path relative to the folder).
fn resolve_location(base: &str, location: &str) -> String {
    let has_scheme = location.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if has_scheme {
        return location.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    if let Some(authority_and_path) = location.strip_prefix("//") {
        return format!("{scheme}://{authority_and_path}");
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = format!("{scheme}://{}", &rest[..authority_end]);
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    let path = &rest[authority_end..];
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let folder = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    let folder = if folder.is_empty() { "/" } else { folder };
    format!("{origin}{folder}{location}")
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

fn classify(error: ureq::Error) -> Failure {
    use std::io::ErrorKind;
    match error {
        ureq::Error::Timeout(_) => Failure::Timeout,
        ureq::Error::HostNotFound => Failure::Unreachable("the host name does not resolve".into()),
        ureq::Error::ConnectionFailed => Failure::Unreachable("the connection failed".into()),
        ureq::Error::Io(e) => match e.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => Failure::Timeout,
            ErrorKind::ConnectionRefused => Failure::Unreachable("connection refused".into()),
            ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable => {
                Failure::Unreachable(e.to_string())
            }
            // A connection dropped mid-answer is worth another try, like a timeout.
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::UnexpectedEof
            | ErrorKind::BrokenPipe => Failure::Timeout,
            _ => Failure::Other(e.to_string()),
        },
        other => Failure::Other(other.to_string()),
    }
}

/// Percent-encodes a DOI for a URL path, keeping `/` and the characters DOIs usually hold.
pub fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/:()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois_are_encoded_for_paths() {
        assert_eq!(
            encode_path("10.1002/(SICI)1097<1661::AID>3.0.CO;2-2"),
            "10.1002/(SICI)1097%3C1661::AID%3E3.0.CO%3B2-2"
        );
    }

    #[test]
    fn redirect_locations_resolve_against_the_address_that_sent_them() {
        let base = "https://doi.org/10.1/x?a=b";
        for (location, expected) in [
            ("https://api.crossref.org/w", "https://api.crossref.org/w"),
            ("//data.crossref.org/x", "https://data.crossref.org/x"),
            ("/works/1", "https://doi.org/works/1"),
            ("transform", "https://doi.org/10.1/transform"),
            ("file:///etc/passwd", "file:///etc/passwd"),
        ] {
            assert_eq!(resolve_location(base, location), expected, "{location}");
        }
        assert_eq!(
            resolve_location("http://127.0.0.1:9", "x"),
            "http://127.0.0.1:9/x"
        );
        assert!(!is_http("file:///etc/passwd"));
        assert!(!is_http("ftp://x"));
        assert!(is_http("HTTPS://x"));
    }

    #[test]
    fn hosts_are_named_in_messages() {
        assert_eq!(
            host_of("https://export.arxiv.org/api/query?x"),
            "export.arxiv.org"
        );
        assert_eq!(host_of("http://127.0.0.1:9/x"), "127.0.0.1:9");
    }

    #[test]
    fn refused_connections_read_as_offline() {
        // A port that was just free: the connection is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut client = Client::new(HttpOptions {
            endpoint: format!("http://127.0.0.1:{port}"),
            delay: Duration::ZERO,
            timeout: Duration::from_secs(5),
            retries: 3,
            backoff: Duration::ZERO,
            max_wait: MAX_RETRY_WAIT,
        });
        let error = client.get("arXiv", "/api/query", &[], "*/*").unwrap_err();
        assert!(error.to_string().contains("Are you offline?"), "{error}");
        assert!(error.to_string().contains("--file"), "{error}");
    }
}
