//! A `downhill lab --port 0` server for the tests, and a minimal HTTP/1.1 client over a
//! `TcpStream` (raw request lines, so paths reach the server exactly as written).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(120)))
            .expect("timeout");
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        if let Some(b) = body {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).expect("send head");
        if let Some(b) = body {
            // a server may answer (413) and close before reading it all
            let _ = s.write_all(b);
        }
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let head = head.to_ascii_lowercase();
        let body = if head.contains("transfer-encoding: chunked") {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        (status, head, body)
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

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].strip_prefix("\r\n").unwrap_or(&tail[n..]);
    }
    out
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
