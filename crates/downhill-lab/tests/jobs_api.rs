//! `GET /api/train` lists the running jobs, and a job whose only reader disconnects before it
//! ends is stopped (the page was closed). Served in-process by [`downhill_lab::spawn`].

mod support;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A long job: thousands of one-sample steps per epoch.
const LONG_TRAIN: &str = r#"{"data":{"source":"synthetic_linreg","n":20000},"model":{"kind":"linear"},"optimizer":{"name":"sgd","lr":0.001},"train":{"epochs":5000,"batch_size":1}}"#;

fn port(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port")
}

/// (status, body) of a request with `Connection: close`.
fn call(url: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let host = url.trim_start_matches("http://");
    let (status, _, body) =
        support::request(port(url), method, path, host, body.map(str::as_bytes));
    (status, body)
}

fn running(url: &str) -> Vec<serde_json::Value> {
    let (status, body) = call(url, "GET", "/api/train", None);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_else(|| panic!("not a list: {body}"))
}

#[test]
fn running_jobs_are_listed_and_a_job_stops_when_its_reader_leaves() {
    let opts = downhill_lab::LabOptions {
        port: 0,
        ..Default::default()
    };
    let lab = downhill_lab::spawn(Arc::new(downhill_lab::Library::default()), &opts)
        .expect("the lab serves");
    let url = lab.url.clone();
    assert!(running(&url).is_empty());
    let (status, body) = call(&url, "POST", "/api/train", Some(LONG_TRAIN));
    assert_eq!(status, 200, "{body}");
    let id: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(running(&url), vec![serde_json::json!({ "id": id["id"] })]);
    // a reader attaches, reads the start of the stream, and goes away
    {
        let mut s = support::connect(port(&url));
        let host = url.trim_start_matches("http://");
        let req = format!(
            "GET /api/train/{}/events HTTP/1.1\r\nHost: {host}\r\n\r\n",
            id["id"]
        );
        s.write_all(req.as_bytes()).expect("send");
        let mut buf = [0u8; 256];
        let n = s.read(&mut buf).expect("the stream starts");
        assert!(String::from_utf8_lossy(&buf[..n]).contains("200"));
    }
    let t = Instant::now();
    while !running(&url).is_empty() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the job runs on after its reader left"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
