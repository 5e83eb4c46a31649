//! Helpers shared by the CLI integration tests: run the `downhill` binary, parse its JSON.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `downhill` with `args`; returns the raw output.
pub fn downhill(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(args)
        .output()
        .expect("the downhill binary runs")
}

/// Runs `downhill` and parses stdout as one JSON object; returns (exit code, json).
pub fn downhill_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = downhill(args);
    let text = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// Writes `contents` to a fresh file named `name` in a per-test temp dir.
pub fn temp_file(test: &str, name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("downhill-test-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, contents).expect("write temp file");
    p
}

/// `x` as a `Vec<f64>` from a JSON array.
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// Asserts `|a − b| ≤ tol·max(|b|, tiny)`.
pub fn assert_rel(a: f64, b: f64, tol: f64) {
    let scale = b.abs().max(1e-300);
    assert!(
        (a - b).abs() <= tol * scale,
        "{a} vs {b}: relative error {}",
        (a - b).abs() / scale
    );
}
