//! `examples/curve_fit.toml` (NIST StRD Misra1a fitted by `lm` from a CSV file) through the
//! built `downhill run --json`: the parameters equal NIST's certified values to 1e-6 relative
//! and the standard errors NIST's certified standard deviations to 1e-4 relative; the human
//! output prints the parameters ± their standard errors.
#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (this crate is `crates/downhill-cli`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// NIST StRD Misra1a: certified b1, b2 and their certified standard deviations
/// (tests/reference/nist/Misra1a.dat of the `downhill` crate).
const CERTIFIED: [f64; 2] = [2.389_421_291_8e2, 5.501_564_318_1e-4];
const CERTIFIED_STD: [f64; 2] = [2.707_007_524_1, 7.266_868_843_6e-6];

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn downhill(args: &[&str], cwd: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn curve_fit_example_reproduces_the_nist_certified_values() {
    // Run from another directory: the CSV is found relative to the config file.
    let cfg = root().join("examples/curve_fit.toml");
    let cfg = cfg.to_string_lossy();
    let (code, out) = downhill(&["run", &cfg, "--json"], &root().join("crates"));
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["status"], "converged");
    assert_eq!(v["rows"], 14);
    assert_eq!(v["params"], serde_json::json!(["b1", "b2"]));
    for i in 0..2 {
        let x = v["x"][i].as_f64().unwrap();
        let se = v["std_errors"][i].as_f64().unwrap();
        assert!(rel(x, CERTIFIED[i]) <= 1e-6, "b{}: {x}", i + 1);
        assert!(rel(se, CERTIFIED_STD[i]) <= 1e-4, "σ(b{}): {se}", i + 1);
    }
    let (code, human) = downhill(&["run", "examples/curve_fit.toml"], &root());
    assert_eq!(code, 0, "{human}");
    assert!(human.contains("b1 = 2.389421291"), "{human}");
    assert!(human.contains("b2 = 5.50156431"), "{human}");
    assert!(human.contains(" ± 2.7070e0"), "{human}");
}
