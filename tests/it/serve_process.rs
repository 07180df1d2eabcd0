//! `digestif serve` as a process of its own, for the tests that talk to it over HTTP (this
//! binary's and the browser tests').

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::http_client::get;
use crate::support::TestSite;

/// How long a test waits for the server to say something.
pub const WAIT: Duration = Duration::from_secs(20);

/// Whether the server's output is echoed: the built-in test runner shows it only for a failed
/// test; a runner that does not capture output turns it off unless asked.
pub static ECHO: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

fn echo(line: &str) {
    if ECHO.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("{line}");
    }
}

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    /// The site's sub-path, `/` or `/sub/`.
    pub base: String,
}

impl Server {
    pub fn start(site: &TestSite) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_digestif"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start digestif serve");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        // Shown only when a test fails: the server's own account of what it did.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                echo(&format!("serve (stderr): {line}"));
            }
        });
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                echo(&format!("serve: {line}"));
                let _ = sender.send(line);
            }
        });
        let url = loop {
            let line = receiver.recv_timeout(WAIT).expect("serve printed its URL");
            if let Some(rest) = line.strip_prefix("Serving ") {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        let after_scheme = url.trim_start_matches("http://");
        let slash = after_scheme.find('/').unwrap();
        Server {
            child,
            origin: format!("http://{}", &after_scheme[..slash]),
            base: after_scheme[slash..].to_string(),
        }
    }

    pub fn get(&self, path: &str) -> crate::http_client::Response {
        get(&self.origin, &format!("{}{}", self.base, path))
    }

    /// Asks the server to stop the way Ctrl-C does, and waits for it.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
