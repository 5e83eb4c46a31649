//! A `downhill lab --port 0` server for the tests, asked through the lab's own test client
//! (`crates/downhill-lab/tests/support`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

#[path = "../../../downhill-lab/tests/support/mod.rs"]
pub mod support;

/// A running lab server, killed when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// Its port.
    pub port: u16,
}

impl Server {
    /// Starts `downhill lab --port 0` and reads the port from its first stdout line.
    pub fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_downhill"))
            .args(["lab", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("downhill lab starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("first line");
        let prefix = "listening on http://127.0.0.1:";
        assert!(line.starts_with(prefix), "first line: {line:?}");
        let port = line[prefix.len()..].trim().parse().expect("port");
        Server { child, port }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sends a request; (status, lower-cased head, body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        host: &str,
        body: Option<&[u8]>,
    ) -> (u16, String, String) {
        support::request(self.port, method, path, host, body)
    }

    /// A request with the right Host.
    pub fn call(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String, String) {
        let host = format!("127.0.0.1:{}", self.port);
        self.request(method, path, &host, body.map(str::as_bytes))
    }

    /// POSTs JSON; (status, body).
    pub fn post(&self, path: &str, body: &str) -> (u16, String) {
        let (s, _, b) = self.call("POST", path, Some(body));
        (s, b)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The (event, data) pairs of a `text/event-stream` body.
pub fn sse_events(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in body.split("\n\n") {
        let mut event = String::from("message");
        let mut data = String::new();
        for line in block.lines() {
            if let Some(e) = line.strip_prefix("event:") {
                event = e.trim().to_string();
            } else if let Some(d) = line.strip_prefix("data:") {
                data.push_str(d.strip_prefix(' ').unwrap_or(d));
            }
        }
        if !data.is_empty() {
            out.push((event, data));
        }
    }
    out
}
