//! `downhill run` / `downhill minimize` with the optimisers, their validation and `[wrappers]`.

mod common;

use common::{assert_rel, downhill, downhill_json, floats, temp_file};

const ROSENBROCK: &str = "[problem]\nfunction = \"rosenbrock\"\nx0 = [-1.2, 1.0]\n\n";

/// Adam, lr = 0.1, 20 steps from (−1.2, 1): the final point of the PyTorch reference run
/// (crates/downhill/tests/reference/optim_refs.json).
#[test]
fn run_with_adam_matches_pytorch() {
    let body = format!("{ROSENBROCK}[optimizer]\nname = \"adam\"\nlr = 0.1\n\n[run]\nsteps = 20\n");
    let path = temp_file("optim-adam", "adam.toml", &body);
    let (code, v) = downhill_json(&["run", path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v["status"], "max_steps");
    assert_eq!(v["optimizer"]["name"], "adam");
    assert_eq!(v["optimizer"]["betas"], serde_json::json!([0.9, 0.999]));
    let x = floats(&v["x"]);
    assert_rel(x[0], -0.9879860928000703, 1e-9);
    assert_rel(x[1], 1.0423367206217042, 1e-9);
    assert_eq!(v["trajectory"].as_array().unwrap().len(), 21);
}

#[test]
fn unknown_optimizer_key_exits_2_naming_it() {
    let body = format!(
        "{ROSENBROCK}[optimizer]\nname = \"adam\"\nlr = 0.1\nmomentum = 0.9\n\n[run]\nsteps = 5\n"
    );
    let path = temp_file("optim-unknown-key", "c.toml", &body);
    let out = downhill(&["run", path.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`momentum`"), "{err}");
    assert!(err.contains(&format!("{}:8:1", path.display())), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn invalid_hyperparameter_exits_2_naming_it() {
    let body =
        format!("{ROSENBROCK}[optimizer]\nname = \"rmsprop\"\nalpha = -0.5\n\n[run]\nsteps = 5\n");
    let path = temp_file("optim-bad-alpha", "c.toml", &body);
    let out = downhill(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(":7:1: [optimizer] key `alpha`"), "{err}");
}

/// Accumulating 2 gradients halves the number of updates, and the trajectory is flat on the
/// accumulating calls.
#[test]
fn wrappers_table_is_applied() {
    let body = "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n\n\
                [optimizer]\nname = \"sgd\"\nlr = 0.25\n\n[run]\nsteps = 4\n\n\
                [wrappers]\naccumulate_steps = 2\nclip_grad_value = 1.0\n";
    let path = temp_file("optim-wrappers", "c.toml", body);
    let (code, v) = downhill_json(&["run", path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let traj: Vec<Vec<f64>> = v["trajectory"]
        .as_array()
        .unwrap()
        .iter()
        .map(floats)
        .collect();
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
    let (code, v) = downhill_json(&[
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
    ]);
    assert_eq!(code, 0);
    let x = floats(&v["x"]);
    assert_rel(x[0], -0.5838214011716238, 1e-9);
    assert_rel(x[1], -0.002177570729870784, 1e-9);
    let bad = downhill(&[
        "minimize",
        "--function",
        "sphere",
        "--x0",
        "1",
        "--optimizer",
        "adam",
        "--variant",
        "nesterov",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("variant"));
}
