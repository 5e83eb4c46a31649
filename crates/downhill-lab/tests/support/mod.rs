//! What the lab's tests share (also included by `downhill-cli`'s lab tests through
//! `#[path]`): whether chromium, node and playwright-core are there (a test without them says
//! so and passes, except under CI), running a node script to success, and a minimal HTTP/1.1
//! client over a `TcpStream` (raw request lines, so paths reach the server exactly as written).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `crates/downhill-lab/tests/browser`: the browser scripts and their `node_modules`.
pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../downhill-lab/tests/browser")
}

/// What the browser tests lack (chromium, node or playwright-core), if anything.
pub fn browser_missing() -> Option<String> {
    if !Path::new("/usr/bin/chromium").exists() {
        return Some("no /usr/bin/chromium (apt-get install chromium)".into());
    }
    node_missing().or_else(|| {
        (!browser_dir().join("node_modules/playwright-core").exists()).then(|| {
            format!(
                "no playwright-core (npm ci --prefix {})",
                browser_dir().display()
            )
        })
    })
}

/// Whether node is missing.
pub fn node_missing() -> Option<String> {
    Command::new("node")
        .arg("--version")
        .output()
        .is_err()
        .then(|| "no node (apt-get install nodejs npm)".to_string())
}

/// True when the test should be skipped for `why`; under CI (`CI` set) it fails instead.
pub fn skip(why: Option<String>) -> bool {
    let Some(why) = why else { return false };
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run this test: {why}"
    );
    eprintln!("skipped: {why}");
    true
}

/// Runs `cmd`, asserts that it succeeds, and returns its stdout.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the command runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs the browser script `script` against the lab at `url`, screenshots to `out`; its
/// stdout, which must report `"ok":true`.
pub fn run_browser_script(script: &str, url: &str, out: &Path) -> String {
    let stdout = run_ok(
        Command::new("node")
            .arg(browser_dir().join(script))
            .arg(url)
            .arg(out),
    );
    assert!(stdout.contains("\"ok\":true"), "{stdout}");
    stdout
}

/// A connection to `127.0.0.1:port` with a generous read timeout.
pub fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    s
}

/// Sends a request to `127.0.0.1:port` with `Connection: close`; (status, lower-cased head,
/// body).
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    host: &str,
    body: Option<&[u8]>,
) -> (u16, String, String) {
    let mut s = connect(port);
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
