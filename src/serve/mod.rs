//! `digestif serve`: build the site into memory, serve it over HTTP under the site's own
//! sub-path, rebuild what a change affects, and tell open pages to reload once the new files
//! are in.
//!
//! Three parts: the HTTP server ([`http`], on tokio), the watcher ([`watch`], notify with a short
//! debounce) and the rebuild loop, which owns the incremental [`Engine`] on a plain thread so a
//! rebuild never blocks a request.

mod connections;
pub mod files;
pub mod http;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::config::{Config, Overrides};
use crate::engine::{Engine, Outcome};
use crate::error::{Error, Result};
use files::SiteFiles;
use http::{Notice, ServerState};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub include_drafts: bool,
    pub open_browser: bool,
    /// Host names answered besides localhost and IP addresses (`--allow-host`).
    pub allowed_hosts: Vec<String>,
}

/// Serves until Ctrl-C (or SIGTERM), then returns.
pub fn serve(options: ServeOptions) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .on_thread_park(return_memory_freed_by_requests)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the server runtime: {e}")))?;
    runtime.block_on(run(options))
}

async fn run(options: ServeOptions) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(options.bind, options.port))
        .await
        .map_err(|e| {
            Error::Usage(format!(
                "cannot listen on {}:{}: {e}; pick another --port",
                options.bind, options.port
            ))
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Usage(e.to_string()))?;
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: serving on {} makes the preview reachable from other machines; the default, 127.0.0.1, keeps it on this one",
            options.bind
        );
    }
    let host = match address.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let origin = format!("http://{host}:{}", address.port());
    let overrides = local_overrides(&options, &origin)?;
    let config = Config::load(&options.root, &overrides)?;
    let base_path = config.base.path.clone();

    let files = Arc::new(SiteFiles::default());
    let (notices, _) = broadcast::channel(64);
    let state = Arc::new(ServerState {
        files: files.clone(),
        base_path: base_path.clone(),
        origin: origin.clone(),
        notices: notices.clone(),
        allowed_hosts: options
            .allowed_hosts
            .iter()
            .map(|host| host.trim().to_ascii_lowercase())
            .collect(),
        current_error: Mutex::new(None),
        stopping: tokio::sync::watch::Sender::new(false),
    });

    let mut engine = Engine::new(config, true);
    match engine.build(&*files, false) {
        Ok(outcome) => {
            let (count, bytes) = files.size();
            let summary = outcome.report.summary("built");
            // The images line, if any, goes after what memory holds, which is about the first.
            let (first, images) = summary.split_once('\n').unwrap_or((&summary, ""));
            println!(
                "{first} (kept in memory: {count} files, {:.1} MB)",
                bytes as f64 / 1e6
            );
            if !images.is_empty() {
                println!("{images}");
            }
        }
        Err(error) => {
            eprintln!("{error}");
            *state.current_error.lock().expect("not poisoned") = Some(error.to_string());
        }
    }
    files.start_serving();
    std::thread::spawn(return_freed_memory);
    let url = format!("{origin}{base_path}");
    println!("Serving {url} (Ctrl-C to stop)");
    if options.open_browser {
        open_browser(&url);
    }

    let watcher = watch::start(&options.root, engine.config())?;
    let rebuild_state = state.clone();
    let root = options.root.clone();
    std::thread::spawn(move || {
        rebuild_loop(engine, watcher, root, overrides, files, rebuild_state)
    });

    let stopping = state.stopping.clone();
    let mut stop_seen = state.stopping.subscribe();
    let listener = connections::Guarded::new(
        listener,
        connections::MAX_CONNECTIONS,
        connections::IDLE_TIMEOUT,
    );
    let server = axum::serve(listener, http::router(state)).with_graceful_shutdown(async move {
        shutdown_signal().await;
        stopping.send_replace(true);
    });
    // A connection that is not an event stream and not done a moment after Ctrl-C (a stalled
    // download) does not hold the terminal hostage.
    let deadline = async move {
        let _ = stop_seen.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    tokio::select! {
        result = server => result.map_err(|e| Error::Usage(format!("the server stopped: {e}")))?,
        () = deadline => {}
    }
    Ok(())
}

/// The site's base_url with the local origin in front of its own sub-path, so that links and
/// sub-path mistakes behave as they will on the real host.
fn local_overrides(options: &ServeOptions, origin: &str) -> Result<Overrides> {
    let configured = Config::load(&options.root, &Overrides::default())?;
    Ok(Overrides {
        base_url: Some(format!("{origin}{}", configured.base.path)),
        include_drafts: options.include_drafts,
    })
}

fn rebuild_loop(
    mut engine: Engine,
    mut watcher: watch::Watcher,
    root: PathBuf,
    overrides: Overrides,
    files: Arc<SiteFiles>,
    state: Arc<ServerState>,
) {
    let theme_name = theme_folder_name(engine.config());
    let mut pending = None;
    loop {
        let changes = match pending.take() {
            Some(changes) => changes,
            None => match watcher.next_changes(theme_name.as_deref()) {
                Some(changes) => changes,
                None => return,
            },
        };
        let started = Instant::now();
        if changes.config {
            match Config::load(&root, &overrides) {
                Ok(config) => engine.set_config(config),
                Err(error) => {
                    report_failure(&state, &error);
                    continue;
                }
            }
        } else if changes.theme {
            engine.reload_theme();
        }
        match engine.build(&*files, false) {
            Ok(outcome) => {
                report_success(&state, &outcome, started);
                // After the reload notice: the browser's requests come first.
                let files = Arc::clone(&files);
                std::thread::spawn(move || {
                    files.compress_written(&outcome.written);
                    return_freed_memory();
                });
            }
            Err(error) => {
                // An editor that writes a file in steps can be caught halfway: give it a moment
                // to finish before showing an error it would fix at once.
                pending = watcher.changes_within(watch::SETTLE, theme_name.as_deref());
                if pending.is_none() {
                    report_failure(&state, &error);
                }
            }
        }
    }
}

/// Gives the memory a build freed back to the system. The allocator keeps freed pages to reuse
/// them, and those freed on a worker thread that then sleeps stay with it until it wakes: without
/// this, `serve` holds on to the garbage of its largest build between saves (at 50,000 papers,
/// about 150 MB that every save's own garbage then comes on top of).
fn return_freed_memory() {
    // SAFETY: `mi_collect` only returns the calling thread's free memory to the system; it
    // touches no live allocation and is safe to call from any thread at any time.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    // SAFETY: as above.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// Requests answered so far: a worker that goes idle after some gives back what they freed.
pub(crate) static REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Run by a server worker about to wait for work. The allocator keeps memory freed on a thread
/// for that thread to reuse, so a burst of requests (each file decompressed for a client without
/// gzip is a copy of its own) would otherwise leave the workers holding their peak for good.
/// At most every two seconds per worker, and only when it answered requests since last time.
fn return_memory_freed_by_requests() {
    use std::cell::Cell;
    use std::sync::atomic::Ordering;
    thread_local! {
        static LAST: Cell<(u64, Option<Instant>)> = const { Cell::new((0, None)) };
    }
    let requests = REQUESTS.load(Ordering::Relaxed);
    LAST.with(|last| {
        let (seen, at) = last.get();
        let is_due = at.is_none_or(|at| at.elapsed() >= Duration::from_secs(2));
        if requests != seen && is_due {
            // SAFETY: `mi_collect` only returns this thread's free memory to the system.
            unsafe { libmimalloc_sys::mi_collect(true) };
            last.set((requests, Some(Instant::now())));
        }
    });
}

fn report_success(state: &ServerState, outcome: &Outcome, started: Instant) {
    let was_failing = state
        .current_error
        .lock()
        .map(|mut e| e.take().is_some())
        .unwrap_or(false);
    for warning in &outcome.report.warnings {
        if warning.message.contains("used by one paper only") {
            continue;
        }
        eprintln!("{warning}");
    }
    let changed = outcome.written.len() + outcome.removed.len();
    println!(
        "rebuilt in {:.0} ms: {} files written, {} removed",
        started.elapsed().as_secs_f64() * 1000.0,
        outcome.written.len(),
        outcome.removed.len()
    );
    let css_only = outcome.removed.is_empty()
        && !outcome.written.is_empty()
        && outcome.written.iter().all(|p| p.ends_with(".css"));
    let notice = if css_only && !was_failing {
        Some(Notice::Css)
    } else if changed > 0 || was_failing {
        Some(Notice::Reload)
    } else {
        None
    };
    if let Some(notice) = notice {
        let _ = state.notices.send(notice);
    }
}

fn report_failure(state: &ServerState, error: &Error) {
    let text = error.to_string();
    eprintln!("{text}");
    if let Ok(mut current) = state.current_error.lock() {
        *current = Some(text.clone());
    }
    let _ = state.notices.send(Notice::BuildError(text));
}

fn theme_folder_name(config: &Config) -> Option<String> {
    match &config.theme {
        crate::config::ThemeSource::Folder { name, .. } => Some(name.clone()),
        crate::config::ThemeSource::Embedded | crate::config::ThemeSource::Bundled { .. } => None,
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    // SIGHUP too: closing the terminal stops the preview as Ctrl-C does.
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        let wait = |kind| async move {
            match signal(kind) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = wait(SignalKind::terminate()) => {},
            () = wait(SignalKind::hangup()) => {},
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    println!("stopping");
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("warning: could not open a browser; visit {url}");
    }
}
