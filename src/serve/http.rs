//! The preview's HTTP side: the site's files (kept in memory, [`super::files`]) under its
//! sub-path, the live reload script and its Server-Sent Events endpoint.
//!
//! Every request path is checked before it is looked up ([`resolve`]): encoded slashes and
//! backslashes, NUL bytes and dot segments are refused. Nothing is read from disk: only files
//! the build made can be served.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast;

pub use super::files::SCRIPT_PATH;
use super::files::{Served, SiteFiles};

pub const EVENTS_PATH: &str = "/__digestif/events";

/// What the browser is told after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Pages changed: reload.
    Reload,
    /// Only stylesheets changed: swap them without reloading.
    Css,
    /// The build failed: show this text over the page until the next good build.
    BuildError(String),
}

pub struct ServerState {
    pub files: Arc<SiteFiles>,
    pub base_path: String,
    /// `http://127.0.0.1:1111`: the only origin allowed to listen for reloads.
    pub origin: String,
    pub notices: broadcast::Sender<Notice>,
    /// Host names answered besides localhost and IP addresses, lower-cased.
    pub allowed_hosts: Vec<String>,
    pub current_error: Mutex<Option<String>>,
    /// Set when the server begins to stop: event streams end so that open tabs do not keep
    /// a graceful shutdown waiting forever.
    pub stopping: tokio::sync::watch::Sender<bool>,
}

pub fn router(state: Arc<ServerState>) -> axum::Router {
    axum::Router::new()
        .route(EVENTS_PATH, axum::routing::get(events))
        .route(SCRIPT_PATH, axum::routing::get(script))
        .fallback(files)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            only_known_hosts,
        ))
        .with_state(state)
}

/// Refuses a request whose `Host` is a name other than `localhost` or an allowed one. A page of
/// another site can make its own name resolve to 127.0.0.1 (DNS rebinding) and then read the
/// preview, drafts included, as same-origin: its requests carry its own name as `Host`. IP
/// addresses are answered, since rebinding needs a name.
async fn only_known_hosts(
    State(state): State<Arc<ServerState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    match host {
        Some(host) if !is_known_host(host, &state.allowed_hosts) => (
            StatusCode::FORBIDDEN,
            format!(
                "this preview answers to localhost and IP addresses only, not to `{}`; start it with --allow-host NAME to allow a name\n",
                host.escape_default()
            ),
        )
            .into_response(),
        _ => next.run(request).await,
    }
}

/// Whether `host` (a `Host` header: a name or address, maybe with a port) may be answered.
pub fn is_known_host(host: &str, allowed: &[String]) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // `[::1]:1111`: an IPv6 address.
        return rest
            .split(']')
            .next()
            .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok());
    } else {
        host.rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host.as_str(), |(name, _)| name)
    };
    let name = name.trim_end_matches('.');
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::Ipv4Addr>().is_ok()
        || allowed.iter().any(|allowed| allowed == name)
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        RELOAD_SCRIPT,
    )
        .into_response()
}

/// Whether a request for the event stream comes from a page of this server.
pub fn is_same_origin(headers: &HeaderMap, origin: &str) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if value("origin").is_some_and(|request_origin| request_origin != origin) {
        return false;
    }
    !matches!(value("sec-fetch-site"), Some(site) if site != "same-origin" && site != "none")
}

async fn events(State(state): State<Arc<ServerState>>, headers: HeaderMap) -> Response {
    if !is_same_origin(&headers, &state.origin) {
        return (
            StatusCode::FORBIDDEN,
            "live reload is for pages of this server only\n",
        )
            .into_response();
    }
    let receiver = state.notices.subscribe();
    let pending = state
        .current_error
        .lock()
        .map(|e| e.clone())
        .unwrap_or_default()
        .map(Notice::BuildError);
    let stream = notice_stream(receiver, pending, state.stopping.subscribe());
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn notice_stream(
    receiver: broadcast::Receiver<Notice>,
    pending: Option<Notice>,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let hello = Event::default().event("hello").data("connected");
    stream::unfold(
        (receiver, Some(hello), pending, stopping),
        |(mut receiver, hello, pending, mut stopping)| async move {
            if let Some(hello) = hello {
                return Some((Ok(hello), (receiver, None, pending, stopping)));
            }
            if let Some(notice) = pending {
                return Some((Ok(to_event(&notice)), (receiver, None, None, stopping)));
            }
            let notice = tokio::select! {
                received = receiver.recv() => match received {
                    Ok(notice) => notice,
                    // A slow client missed notices: a reload covers whatever they were.
                    Err(broadcast::error::RecvError::Lagged(_)) => Notice::Reload,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = stopping.wait_for(|stopping| *stopping) => return None,
            };
            Some((Ok(to_event(&notice)), (receiver, None, None, stopping)))
        },
    )
}

fn to_event(notice: &Notice) -> Event {
    match notice {
        Notice::Reload => Event::default().event("reload").data("reload"),
        Notice::Css => Event::default().event("css").data("css"),
        Notice::BuildError(text) => Event::default().event("build-error").data(text),
    }
}

/// Why a request path is refused before any file is looked at.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file or folder path relative to the output folder (`""` is the root).
    Path(String),
    /// Send the browser here instead.
    Redirect(String),
    BadRequest,
    NotFound,
}

/// Maps a raw (still percent-encoded) request path to a path inside the output folder.
pub fn resolve(raw_path: &str, base_path: &str) -> Resolved {
    if raw_path == "/" && base_path != "/" {
        return Resolved::Redirect(base_path.to_string());
    }
    if format!("{raw_path}/") == base_path {
        return Resolved::Redirect(base_path.to_string());
    }
    let Some(rest) = raw_path.strip_prefix(base_path) else {
        return Resolved::NotFound;
    };
    let lower = rest.to_ascii_lowercase();
    if rest.contains(['\\', '\0']) || ["%2f", "%5c", "%00"].iter().any(|bad| lower.contains(bad)) {
        return Resolved::BadRequest;
    }
    let Some(decoded) = percent_decode(rest) else {
        return Resolved::BadRequest;
    };
    if decoded.contains(['\0', '\\']) || decoded.starts_with('/') {
        return Resolved::BadRequest;
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (index, segment) in segments.iter().enumerate() {
        if *segment == "." || *segment == ".." || (segment.is_empty() && index != last) {
            return Resolved::BadRequest;
        }
    }
    Resolved::Path(decoded)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn files(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    super::REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let relative = match resolve(uri.path(), &state.base_path) {
        Resolved::Path(path) => path,
        Resolved::Redirect(to) => return redirect(&to),
        Resolved::BadRequest => {
            return (StatusCode::BAD_REQUEST, "bad request path\n").into_response();
        }
        Resolved::NotFound => return not_found(&state, &headers, &method),
    };
    let is_folder = relative.is_empty() || relative.ends_with('/');
    let file = if is_folder {
        format!("{relative}index.html")
    } else {
        relative
    };
    match state.files.get(&file) {
        Some(served) => respond(&headers, &method, StatusCode::OK, &served),
        // A folder asked for without its slash: relative links on its page need the slash.
        None if !is_folder && state.files.get(&format!("{file}/index.html")).is_some() => {
            redirect(&format!("{}/", uri.path()))
        }
        None => not_found(&state, &headers, &method),
    }
}

fn not_found(state: &ServerState, headers: &HeaderMap, method: &Method) -> Response {
    let page = state.files.get("404.html").unwrap_or_else(|| {
        Arc::new(Served::new(
            "404.html",
            b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>",
            false,
        ))
    });
    respond(headers, method, StatusCode::NOT_FOUND, &page)
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

fn respond(headers: &HeaderMap, method: &Method, status: StatusCode, served: &Served) -> Response {
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|e| e.trim().split(';').next() == Some("gzip"))
        });
    let mut response_headers = HeaderMap::new();
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(served.content_type),
    );
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response_headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let (bytes, is_gzip) = served.body(accepts_gzip);
    if served.is_compressible() {
        response_headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    if is_gzip {
        response_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response_headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let body = if *method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    (status, response_headers, body).into_response()
}

/// Listens for rebuild notices. Reloads the page, swaps stylesheets, or shows a build error in
/// an overlay (as text: error messages quote user content).
const RELOAD_SCRIPT: &str = r#"(() => {
  const source = new EventSource("/__digestif/events");
  // Exposed so that tests (and curious users) can see whether the page is listening.
  window.digestifLiveReload = source;
  let overlay = null;
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("css", () => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("digestif-reload", Date.now().toString());
      link.href = url.toString();
    }
  });
  source.addEventListener("build-error", (event) => {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "digestif-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.94);color:#fff;padding:1.5rem;font:14px/1.5 ui-monospace,monospace";
      document.body.appendChild(overlay);
    }
    overlay.replaceChildren();
    // Styled here, not by the theme: a theme's `pre` and `strong` colours are for its own
    // background, and a light theme's light `pre` would hide white text.
    const title = document.createElement("strong");
    title.style.cssText = "display:block;color:#fff;background:none";
    title.textContent = "Build failed: the last good version is shown underneath. Fix the file and save.";
    const text = document.createElement("pre");
    text.style.cssText = "white-space:pre-wrap;color:#fff;background:none;border:0;" +
      "margin:1rem 0 0;padding:0;font:inherit;box-shadow:none";
    text.textContent = event.data;
    overlay.append(title, text);
  });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_under_the_sub_path() {
        assert_eq!(resolve("/", "/lab/"), Resolved::Redirect("/lab/".into()));
        assert_eq!(resolve("/lab", "/lab/"), Resolved::Redirect("/lab/".into()));
        assert_eq!(resolve("/lab/", "/lab/"), Resolved::Path(String::new()));
        assert_eq!(
            resolve("/lab/papers/x/", "/lab/"),
            Resolved::Path("papers/x/".into())
        );
        assert_eq!(
            resolve("/lab/a%20b.html", "/lab/"),
            Resolved::Path("a b.html".into())
        );
        assert_eq!(resolve("/other/", "/lab/"), Resolved::NotFound);
        assert_eq!(resolve("/", "/"), Resolved::Path(String::new()));
    }

    #[test]
    fn traversal_attempts_are_refused() {
        for bad in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/papers%2f..%2f..%2fetc",
            "/papers%5c..%5cetc",
            "/..\\etc",
            "/a%00.html",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/%ff.html",
            "/a/./b",
        ] {
            assert!(matches!(resolve(bad, "/"), Resolved::BadRequest), "{bad}");
        }
    }

    #[test]
    fn only_local_names_and_addresses_are_answered() {
        let allowed = vec!["lab-preview.example".to_string()];
        for known in [
            "localhost:1111",
            "LOCALHOST",
            "127.0.0.1:1111",
            "192.168.1.20:1111",
            "[::1]:1111",
            "lab-preview.example:8080",
            "app.localhost",
        ] {
            assert!(is_known_host(known, &allowed), "{known}");
        }
        for unknown in [
            "evil.example:1111",
            "localhost.evil.example",
            "[evil]",
            "127.0.0.1.evil",
        ] {
            assert!(!is_known_host(unknown, &allowed), "{unknown}");
        }
    }

    #[test]
    fn only_same_origin_pages_may_listen() {
        let origin = "http://127.0.0.1:1111";
        let mut headers = HeaderMap::new();
        assert!(
            is_same_origin(&headers, origin),
            "no Origin header: same-origin GET"
        );
        headers.insert("origin", HeaderValue::from_static("http://127.0.0.1:1111"));
        assert!(is_same_origin(&headers, origin));
        headers.insert("origin", HeaderValue::from_static("https://evil.example"));
        assert!(!is_same_origin(&headers, origin));
        let mut headers = HeaderMap::new();
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!is_same_origin(&headers, origin));
    }
}
