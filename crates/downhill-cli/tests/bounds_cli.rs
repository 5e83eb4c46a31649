//! Box constraints through the CLI (issue 17): `minimize --bounds` and `compare` accept a box,
//! every method stays inside it, L-BFGS-B reports iterations and evaluations in the JSON, and
//! the genetic algorithm gives the same bits at 1 and 2 rayon threads. (Bad boxes: the corpus.)

#![allow(clippy::unwrap_used)] // helpers of this test crate

mod common;

use std::process::Command;

use common::floats;
use serde_json::Value;

/// `x0 ≤ 0.5` on Rosenbrock: the constrained minimiser is (0.5, 0.25).
const BOX: &str = "--bounds=-inf:0.5,-inf:inf";

fn inside(trajectory: &Value) -> bool {
    trajectory
        .as_array()
        .unwrap()
        .iter()
        .all(|x| floats(x)[0] <= 0.5)
}

/// `minimize` on Rosenbrock from (−1.2, 1) inside [`BOX`] with `flags`; the JSON of a run
/// that exits 0.
fn rosenbrock_in_the_box(flags: &[&str]) -> Value {
    let mut args = vec![
        "minimize",
        "--function",
        "rosenbrock",
        "--x0=-1.2,1",
        BOX,
        "--json",
    ];
    args.extend_from_slice(flags);
    let (code, v) = common::downhill_json(&args);
    assert_eq!(code, 0, "{v}");
    v
}

#[test]
fn minimize_bounds_lbfgsb_reports_iterations_and_evaluations() {
    let v = rosenbrock_in_the_box(&["--optimizer", "lbfgsb", "--steps", "200"]);
    assert_eq!(v["status"], "converged", "{v}");
    let x = floats(&v["x"]);
    assert_eq!(x[0], 0.5);
    assert!((x[1] - 0.25).abs() < 1e-6, "{x:?}");
    assert!(inside(&v["trajectory"]));
    let nit = v["iterations"].as_u64().unwrap();
    let ngrad = v["evaluations"]["gradient"].as_u64().unwrap();
    // SciPy 1.17.1 needs 20 iterations and 29 evaluations (tests/reference/lbfgsb_refs.json)
    assert!(nit > 0 && nit <= 20, "{v}");
    assert!(ngrad >= nit && ngrad <= 29, "{v}");
    assert_eq!(v["steps"].as_u64(), Some(nit));
}

#[test]
fn minimize_bounds_projects_adam_onto_the_box() {
    let v = rosenbrock_in_the_box(&["--optimizer", "adam", "--lr", "0.01", "--steps", "20000"]);
    assert!(inside(&v["trajectory"]));
    let x = floats(&v["x"]);
    assert_eq!(x[0], 0.5);
    assert!((x[1] - 0.25).abs() < 1e-6, "{x:?}");
}

#[test]
fn compare_accepts_bounds_and_every_method_stays_inside() {
    let path = common::temp_file(
        "bounds_cli",
        "compare.toml",
        r#"
[problem]
function = "rosenbrock"
x0 = [-1.2, 1.0]
bounds = [[-inf, 0.5], [-inf, inf]]
[run]
steps = 2000
[[optimizers]]
name = "adam"
lr = 0.01
[[optimizers]]
name = "lbfgsb"
[[optimizers]]
name = "nelder_mead"
[[optimizers]]
name = "cmaes"
seed = 3
[[optimizers]]
name = "pso"
seed = 3
[[optimizers]]
name = "ga"
seed = 3
"#,
    );
    let (code, v) = common::downhill_json(&["compare", path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{v}");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 6);
    for r in runs {
        let name = &r["optimizer"]["name"];
        assert!(inside(&r["trajectory"]), "{name} leaves the box");
        let x = floats(&r["x"]);
        assert!(x[0] <= 0.5, "{name}: {x:?}");
        let f = r["f"].as_f64().unwrap();
        assert!((f - 0.25).abs() < 1e-3, "{name}: f = {f}");
    }
}

fn ga_run(threads: &str) -> Value {
    let path = common::temp_file(
        "bounds_cli",
        "ga.toml",
        r#"
[problem]
function = "rastrigin"
x0 = [3.0, -2.5, 1.0]
bounds = [[-5.12, 5.12], [-5.12, 5.12], [-5.12, 5.12]]
[optimizer]
name = "ga"
seed = 11
population = 64
[run]
steps = 150
"#,
    );
    let out = Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(["run", path.to_str().unwrap(), "--json"])
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn ga_gives_the_same_bits_at_1_and_2_threads() {
    let one = ga_run("1");
    let two = ga_run("2");
    assert_eq!(one["trajectory"], two["trajectory"]);
    assert_eq!(one["f_history"], two["f_history"]);
    assert_eq!(one["x"], two["x"]);
    assert_eq!(one["evaluations"], two["evaluations"]);
    // elitism: the best value never rises
    let f = floats(&one["f_history"]);
    assert!(f.windows(2).all(|w| w[1] <= w[0]), "{f:?}");
}
