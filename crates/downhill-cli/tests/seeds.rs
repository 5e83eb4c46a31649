//! The seeds' printed numbers, reproduced through the CLI (issue 2, item 6).

mod common;

use common::{assert_rel, downhill, downhill_json, floats, temp_file};
use downhill::diff::{numerical_gradient, Difference};
use downhill::problems::Sphere;
use downhill::Objective;

/// Seed 004: `numerical_diff(func_temp1, 3.0)` and `numerical_diff(func_temp2, 4.0)`.
#[test]
fn seed004_partial_derivatives_digit_for_digit() {
    let mut x = [3.0];
    let mut g = [0.0];
    numerical_gradient(
        |p: &[f64]| p[0].powf(2.0) + 4.0f64.powf(2.0),
        &mut x,
        &mut g,
        1e-4,
        Difference::Central,
    );
    assert_eq!(g[0], 6.00000000000378);
    let mut x = [4.0];
    numerical_gradient(
        |p: &[f64]| 3.0f64.powf(2.0) + p[0].powf(2.0),
        &mut x,
        &mut g,
        1e-4,
        Difference::Central,
    );
    assert_eq!(g[0], 7.999999999999119);
}

/// Seed 004: `numerical_gradient(func, [3,4])`, `[0,2]`, `[3,0]` → (6, 8), (0, 4), (6, 0).
#[test]
fn seed004_numerical_gradients() {
    for (p, want) in [
        ([3.0, 4.0], [6.0, 8.0]),
        ([0.0, 2.0], [0.0, 4.0]),
        ([3.0, 0.0], [6.0, 0.0]),
    ] {
        let mut x = p;
        let mut g = [0.0; 2];
        numerical_gradient(
            |v: &[f64]| Sphere.value(v),
            &mut x,
            &mut g,
            1e-4,
            Difference::Central,
        );
        assert_eq!(x, p, "x is restored after perturbation");
        for i in 0..2 {
            assert!((g[i] - want[i]).abs() < 1e-9, "{p:?}: {g:?}");
        }
    }
}

fn seed004_gd(lr: &str) -> (i32, serde_json::Value) {
    downhill_json(&[
        "minimize",
        "--function",
        "sphere",
        "--x0=-3,4",
        "--optimizer",
        "sgd",
        "--lr",
        lr,
        "--steps",
        "100",
        "--gradient",
        "numeric",
        "--json",
    ])
}

/// Seed 004: `gradient_descent(func, [-3, 4], lr=0.1, step_num=100)` → (−6.11110793e−10, 8.14814391e−10).
#[test]
fn seed004_gd_lr_0_1() {
    let (code, v) = seed004_gd("0.1");
    assert_eq!(code, 0);
    let x = floats(&v["x"]);
    assert_rel(x[0], -6.11110793e-10, 1e-8);
    assert_rel(x[1], 8.14814391e-10, 1e-8);
    assert_eq!(v["steps"], 100);
    assert_eq!(v["status"], "max_steps");
    assert_eq!(v["trajectory"].as_array().map(Vec::len), Some(101));
    assert_eq!(v["f_history"].as_array().map(Vec::len), Some(101));
    assert_eq!(floats(&v["trajectory"][0]), vec![-3.0, 4.0]);
}

/// Seed 004: lr = 0.005 → (−1.09809702, 1.46412937): too small a step.
#[test]
fn seed004_gd_lr_0_005() {
    let (_, v) = seed004_gd("0.005");
    let x = floats(&v["x"]);
    assert_rel(x[0], -1.09809702, 1e-8);
    assert_rel(x[1], 1.46412937, 1e-8);
}

/// Seed 004: lr = 10 blows up to |x| ~ 1e12–1e13, where the central difference cancels to 0
/// (x ± 1e-4 rounds to x) and the descent stalls; the output says so.
#[test]
fn seed004_gd_lr_10_stalls_and_explains() {
    let (code, v) = seed004_gd("10");
    assert_eq!(code, 0, "the run stalls, it does not overflow");
    let x = floats(&v["x"]);
    let big = x.iter().map(|v| v.abs()).fold(0.0, f64::max);
    assert!((1e12..1e14).contains(&big), "|x| = {big:e}");
    let notes = v["notes"].as_array().expect("notes");
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap_or("").contains("cancels to 0")),
        "{notes:?}"
    );
    let human = downhill(&[
        "minimize",
        "--function",
        "sphere",
        "--x0=-3,4",
        "--lr",
        "10",
        "--steps",
        "100",
        "--gradient",
        "numeric",
    ]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("cancels to 0"));
}

/// Seed 001: x² from x = 10, 10 steps, η = 0.2 / 0.05 / 0.9 / 1.1.
#[test]
fn seed001_learning_rates() {
    for (eta, want) in [
        ("0.2", 0.0605),
        ("0.05", 3.487),
        ("0.9", 1.074),
        ("1.1", 61.9),
    ] {
        let (code, v) = downhill_json(&[
            "minimize",
            "--function",
            "sphere",
            "--x0",
            "10",
            "--lr",
            eta,
            "--steps",
            "10",
            "--json",
        ]);
        assert_eq!(code, 0);
        let x = floats(&v["x"])[0];
        let eta_f: f64 = eta.parse().unwrap();
        assert_rel(x, 10.0 * (1.0 - 2.0 * eta_f).powi(10), 1e-12);
        assert!(
            (x.abs() - want).abs() < 0.0006 * want.max(1.0),
            "η = {eta}: {x}"
        );
        if eta == "0.9" {
            let t: Vec<f64> = v["trajectory"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p[0].as_f64().unwrap())
                .collect();
            assert!(
                t.windows(2).all(|w| w[0] * w[1] < 0.0),
                "η = 0.9 overshoots: signs alternate"
            );
        }
    }
}

const RUN_TOML: &str = r#"
[problem]
function = "sphere"
x0 = [-3.0, 4.0]
gradient = "numeric"

[optimizer]
name = "sgd"
lr = 0.1

[run]
steps = 100
"#;

#[test]
fn run_config_equals_minimize_flags() {
    let p = temp_file("run_cfg", "run.toml", RUN_TOML);
    let (code, v) = downhill_json(&["run", p.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let (_, w) = seed004_gd("0.1");
    assert_eq!(v["x"], w["x"]);
    assert_eq!(v["trajectory"], w["trajectory"]);
}

#[test]
fn divergence_stops_with_step_and_last_finite_x() {
    let (code, v) = downhill_json(&[
        "minimize",
        "--function",
        "sphere",
        "--x0",
        "1e154",
        "--lr",
        "1.1",
        "--steps",
        "50",
        "--json",
    ]);
    assert_eq!(code, 3);
    assert_eq!(v["status"], "diverged");
    let k = v["diverged_at"].as_u64().expect("diverged_at") as usize;
    assert!(k >= 1);
    let x = floats(&v["x"]);
    assert!(x[0].is_finite());
    assert_eq!(v["trajectory"].as_array().map(Vec::len), Some(k));
    assert_eq!(v["steps"].as_u64(), Some(k as u64 - 1));
}

#[test]
fn tolerance_converges() {
    let (code, v) = downhill_json(&[
        "minimize",
        "--function",
        "sphere",
        "--x0=-3,4",
        "--lr",
        "0.1",
        "--steps",
        "1000",
        "--tolerance",
        "1e-6",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["status"], "converged");
    assert!(v["steps"].as_u64().unwrap() < 100);
}

#[test]
fn f32_runs_agree_with_f64() {
    let a = downhill_json(&[
        "minimize",
        "--function",
        "rosenbrock",
        "--x0=-1.2,1",
        "--lr",
        "1e-3",
        "--steps",
        "200",
        "--json",
    ])
    .1;
    let b = downhill_json(&[
        "minimize",
        "--function",
        "rosenbrock",
        "--x0=-1.2,1",
        "--lr",
        "1e-3",
        "--steps",
        "200",
        "--precision",
        "f32",
        "--json",
    ])
    .1;
    for (p, q) in floats(&a["x"]).iter().zip(floats(&b["x"])) {
        assert!((p - q).abs() < 1e-4, "{p} vs {q}");
    }
}

fn expect_input_error(test: &str, toml: &str, fragments: &[&str]) {
    let p = temp_file(test, "bad.toml", toml);
    let out = downhill(&["run", p.to_str().expect("utf-8 path"), "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    for f in fragments {
        assert!(err.contains(f), "`{f}` not in: {err}");
    }
}

#[test]
fn config_errors_name_file_line_and_key() {
    expect_input_error(
        "unknown_key",
        &RUN_TOML.replace("lr = 0.1", "lr = 0.1\nmomentun = 0.9"),
        &["bad.toml:10:", "momentun"],
    );
    expect_input_error(
        "wrong_type",
        &RUN_TOML.replace("lr = 0.1", "lr = \"fast\""),
        &["bad.toml:9:", "lr", "invalid type"],
    );
    expect_input_error(
        "unknown_table",
        &format!("{RUN_TOML}\n[extra]\na = 1\n"),
        &["bad.toml:14:", "extra"],
    );
    expect_input_error(
        "unknown_fn",
        &RUN_TOML.replace("\"sphere\"", "\"spere\""),
        &["spere", "sphere"],
    );
    expect_input_error(
        "bad_dim",
        &RUN_TOML
            .replace("\"sphere\"", "\"beale\"")
            .replace("[-3.0, 4.0]", "[1.0]"),
        &["x0", "2"],
    );
    expect_input_error(
        "negative_lr",
        &RUN_TOML.replace("lr = 0.1", "lr = -0.1"),
        &["lr", ">= 0"],
    );
    expect_input_error(
        "bad_toml",
        "[problem\nfunction = 1",
        &["bad.toml:1:", "invalid TOML"],
    );
    expect_input_error(
        "missing_run",
        &RUN_TOML.replace("[run]\nsteps = 100", ""),
        &["[run]"],
    );
    let out = downhill(&["run", "/nonexistent/file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/file.toml"));
}

/// Undoes `encodeURIComponent`.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// Issue 15 item 5: every tour preset's link carries a lab state whose lanes run through the
/// CLI's pipeline, and that state is the experiment's: seed 004's descents end where the
/// seed printed.
#[test]
fn tour_presets_open_valid_lab_states() {
    let all = downhill_cli::presets::all();
    assert!(!all.is_empty());
    for p in &all {
        let url = p.url();
        let (origin, fragment) = url.split_once('#').expect("a fragment");
        assert_eq!(origin, "http://127.0.0.1:8731/");
        let state: serde_json::Value =
            serde_json::from_str(&percent_decode(fragment)).expect("the fragment is JSON");
        assert_eq!(state, p.state, "{}", p.id);
        let tables = downhill_cli::presets::run_tables(&state);
        if state["view"] == "schedules" {
            assert!(tables.is_empty(), "{}: lanes on a Schedules preset", p.id);
            let mut t = downhill_cli::presets::schedule_tables(&state).expect("schedule tables");
            // `steps` sits beside the tables in the request, as `--steps` beside the file
            let steps = t.as_object_mut().and_then(|o| o.remove("steps"));
            let steps = steps.and_then(|s| s.as_u64()).map(|s| s as usize);
            let toml = downhill_cli::toml_from_json("preset", &t).expect("tables");
            let r = downhill_cli::schedule_json("preset", &toml, steps, None);
            assert!(
                r.as_ref().is_ok_and(|r| r["lr"].is_array()),
                "{}: {r:?}",
                p.id
            );
            continue;
        }
        if state["view"] == "training" {
            assert!(tables.is_empty(), "{}: lanes on a Training preset", p.id);
            let t = downhill_cli::presets::train_tables(&state).expect("train tables");
            let toml = downhill_cli::toml_from_json("preset", &t).expect("tables");
            let path = temp_file("presets", &format!("{}.toml", p.id), &toml);
            let (code, r) = downhill_json(&["train", path.to_str().expect("utf-8"), "--json"]);
            assert!(code == 0 || code == 3, "{}: exit {code}: {r}", p.id);
            continue;
        }
        assert!(!tables.is_empty(), "{}: no lanes", p.id);
        for t in tables {
            let toml = downhill_cli::toml_from_json("preset", &t).expect("tables");
            let r = downhill_cli::run_json("preset", &toml).expect("a valid run config");
            assert!(r["x"].is_array(), "{}: {r}", p.id);
        }
    }
    // a Schedules preset draws the experiment's schedule: β retuned to 1 − (1 − β)√0.1
    let retune = all.iter().find(|p| p.id == "seed003-beta-retuning");
    let mut t = downhill_cli::presets::schedule_tables(&retune.expect("seed 003's retuning").state)
        .expect("tables");
    t.as_object_mut().and_then(|o| o.remove("steps"));
    let toml = downhill_cli::toml_from_json("preset", &t).expect("tables");
    let r = downhill_cli::schedule_json("preset", &toml, Some(400), None).expect("a schedule");
    assert_rel(
        floats(&r["momentum"])[150],
        1.0 - 0.1 * 0.1f64.sqrt(),
        1e-12,
    );
    assert_rel(floats(&r["lr"])[150], 0.002, 1e-12);
    // a Training preset trains seed 001's regression as the tour does: w, b near the truth
    let mb = all.iter().find(|p| p.id == "seed001-minibatch-b10-lr0.2");
    let t = downhill_cli::presets::train_tables(&mb.expect("seed 001's mini-batch run").state);
    let toml = downhill_cli::toml_from_json("preset", &t.expect("tables")).expect("tables");
    let path = temp_file("presets", "b10.toml", &toml);
    let (code, r) = downhill_json(&["train", path.to_str().expect("utf-8"), "--json"]);
    assert_eq!(code, 0, "{r}");
    // the same numbers as the tour's experiment (and seed 001's truth within 0.01)
    let w = floats(&r["params"]["w"]);
    assert_eq!(w, [1.9999140541230715, -3.3995040190717942], "{r}");
    assert_eq!(r["params"]["b"].as_f64(), Some(4.200027091948221), "{r}");
    assert!(
        (w[0] - 2.0).abs() < 0.01 && (w[1] + 3.4).abs() < 0.01,
        "{r}"
    );
    let gd = all
        .iter()
        .find(|p| p.id == "seed004-gd-lr-0.1")
        .expect("seed 004's descent");
    let t = &downhill_cli::presets::run_tables(&gd.state)[0];
    let toml = downhill_cli::toml_from_json("preset", t).expect("tables");
    let r = downhill_cli::run_json("preset", &toml).expect("runs");
    let x = floats(&r["x"]);
    assert_rel(x[0], -6.11110793e-10, 1e-6);
    assert_rel(x[1], 8.14814391e-10, 1e-6);
}
