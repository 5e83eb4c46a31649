//! `downhill run` / `downhill minimize` with the optimisers, their validation and `[wrappers]`.

#![allow(clippy::unwrap_used)] // a test crate

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_downhill"))
}

/// Writes `body` to a fresh file in the temp dir and runs `downhill run FILE --json`.
fn run_config(tag: &str, body: &str) -> (Output, PathBuf) {
    let dir = std::env::temp_dir().join(format!("downhill-optim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{tag}.toml"));
    std::fs::write(&path, body).unwrap();
    let out = exe().arg("run").arg(&path).arg("--json").output().unwrap();
    (out, path)
}

const ROSENBROCK: &str = "[problem]\nfunction = \"rosenbrock\"\nx0 = [-1.2, 1.0]\n\n";

/// Adam, lr = 0.1, 20 steps from (−1.2, 1): the final point of the PyTorch reference run
/// (crates/downhill/tests/reference/optim_refs.rs).
#[test]
fn run_with_adam_matches_pytorch() {
    let body = format!("{ROSENBROCK}[optimizer]\nname = \"adam\"\nlr = 0.1\n\n[run]\nsteps = 20\n");
    let (out, _) = run_config("adam", &body);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "max_steps");
    assert_eq!(v["optimizer"]["name"], "adam");
    assert_eq!(v["optimizer"]["betas"], serde_json::json!([0.9, 0.999]));
    let x: Vec<f64> = serde_json::from_value(v["x"].clone()).unwrap();
    let want = [-0.9879860928000703, 1.0423367206217042];
    for (a, b) in x.iter().zip(want) {
        assert!((a - b).abs() <= 1e-9 * b.abs(), "{a} vs {b}");
    }
    assert_eq!(v["trajectory"].as_array().unwrap().len(), 21);
}

#[test]
fn unknown_optimizer_key_exits_2_naming_it() {
    let body = format!(
        "{ROSENBROCK}[optimizer]\nname = \"adam\"\nlr = 0.1\nmomentum = 0.9\n\n[run]\nsteps = 5\n"
    );
    let (out, path) = run_config("unknown-key", &body);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("momentum"), "{err}");
    assert!(err.contains(&format!("{}:8:1", path.display())), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn invalid_hyperparameter_exits_2_naming_it() {
    let body =
        format!("{ROSENBROCK}[optimizer]\nname = \"rmsprop\"\nalpha = -0.5\n\n[run]\nsteps = 5\n");
    let (out, _) = run_config("bad-alpha", &body);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(":7: [optimizer] key `alpha`"), "{err}");
}

/// Accumulating 2 steps halves the number of updates: 10 calls give 5 SGD steps, and the
/// trajectory is flat on the accumulating calls.
#[test]
fn wrappers_table_is_applied() {
    let body = "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n\n\
                [optimizer]\nname = \"sgd\"\nlr = 0.25\n\n[run]\nsteps = 4\n\n\
                [wrappers]\naccumulate_steps = 2\nclip_grad_value = 1.0\n";
    let (out, _) = run_config("wrappers", body);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let traj: Vec<Vec<f64>> = serde_json::from_value(v["trajectory"].clone()).unwrap();
    // g = 2x clipped to 1: x = 1 → 1 (accumulated) → 0.75 → 0.75 → 0.5.
    assert_eq!(
        traj,
        vec![vec![1.0], vec![1.0], vec![0.75], vec![0.75], vec![0.5]]
    );
    assert_eq!(v["wrappers"]["accumulate_steps"], 2);
}

/// `minimize --optimizer momentum --variant nesterov` equals the seed-003 reference run.
#[test]
fn minimize_with_momentum_variant() {
    let out = exe()
        .args([
            "minimize",
            "--function",
            "ill_conditioned",
            "--x0",
            "3,-2",
            "--optimizer",
            "momentum",
            "--variant",
            "nesterov",
            "--lr",
            "0.1",
            "--momentum",
            "0.9",
            "--steps",
            "20",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let x: Vec<f64> = serde_json::from_value(v["x"].clone()).unwrap();
    let want = [-0.5838214011716238, -0.002177570729870784];
    for (a, b) in x.iter().zip(want) {
        assert!((a - b).abs() <= 1e-9 * b.abs(), "{a} vs {b}");
    }
    let bad = exe()
        .args([
            "minimize",
            "--function",
            "sphere",
            "--x0",
            "1",
            "--optimizer",
            "adam",
        ])
        .args(["--variant", "nesterov"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("variant"));
}
