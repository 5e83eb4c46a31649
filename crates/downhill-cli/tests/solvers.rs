//! `downhill run` / `minimize` with the solvers: lbfgs, newton, pso, sgd + Armijo.

#![allow(clippy::unwrap_used)] // helpers of this test crate

mod common;

use serde_json::Value;

fn downhill(args: &[&str]) -> (i32, String, String) {
    let out = common::downhill(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_toml(name: &str, toml: &str) -> (i32, String, String) {
    let path = common::temp_file("solvers", &format!("{name}.toml"), toml);
    downhill(&["run", path.to_str().unwrap(), "--json"])
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn newton_on_rosenbrock_converges_within_30_steps() {
    let (code, out, err) = run_toml(
        "newton_rosenbrock",
        r#"
[problem]
function = "rosenbrock"
x0 = [-1.2, 1.0]
[optimizer]
name = "newton"
[run]
steps = 30
tolerance = 1e-8
"#,
    );
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["status"], "converged");
    assert!(v["steps"].as_u64().unwrap() <= 30);
    assert!(v["f"].as_f64().unwrap() < 1e-10, "{}", v["f"]);
    // one analytic Hessian per accepted trust-region step (a rejected step keeps it)
    let hessians = v["evaluations"]["hessian"].as_u64().unwrap();
    assert!(hessians >= 1 && hessians <= v["steps"].as_u64().unwrap());
}

#[test]
fn newton_on_ill_conditioned_lands_on_the_minimum_in_one_step() {
    // the full Newton step: the line-search globalisation tries t = 1 first; the trust region
    // (the default) starts at radius 1 and doubles it until it holds the step of length 5
    for (globalization, steps) in [("line_search", 1), ("trust_region", 4)] {
        let (code, out, err) = run_toml(
            "newton_quadratic",
            &format!(
                r#"
[problem]
function = "ill_conditioned"
x0 = [-3.0, 4.0]
[optimizer]
name = "newton"
globalization = "{globalization}"
[run]
steps = {steps}
"#
            ),
        );
        assert_eq!(code, 0, "{err}");
        let v = json(&out);
        let x = common::floats(&v["x"]);
        assert!(x.iter().all(|c| c.abs() < 1e-12), "{globalization}: {x:?}");
        assert!(v["f"].as_f64().unwrap() < 1e-24);
    }
}

#[test]
fn lbfgs_strong_wolfe_reports_pytorchs_iterations_and_evaluations() {
    // torch 2.15.0 (tests/reference/make_lbfgs_refs.py in the library crate):
    // 2 step() calls, 35 iterations, 44 closure evaluations, f ≈ 4.2215e-10.
    let (code, out, err) = run_toml(
        "lbfgs_wolfe",
        r#"
[problem]
function = "rosenbrock"
x0 = [-1.2, 1.0]
[optimizer]
name = "lbfgs"
line_search_fn = "strong_wolfe"
[run]
steps = 2
"#,
    );
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["iterations"], 35);
    // 44 closure calls (value and gradient) by L-BFGS, 1 value of f(x0) by the run loop
    assert_eq!(v["evaluations"]["gradient"], 44);
    assert_eq!(v["evaluations"]["function"], 1);
    let f = v["f"].as_f64().unwrap();
    assert!((f - 4.221457511263308e-10).abs() < 1e-5 * 4.22e-10, "{f}");
}

#[test]
fn lbfgs_from_flags_and_parameter_errors() {
    let (code, out, err) = downhill(&[
        "minimize",
        "--function",
        "rosenbrock",
        "--x0=-1.2,1",
        "--optimizer",
        "lbfgs",
        "--steps",
        "3",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let x = common::floats(&json(&out)["x"]);
    // PyTorch after 3 calls: [0.99980332591276, 0.9996078455480785]
    assert!((x[0] - 0.99980332591276).abs() < 1e-5 && (x[1] - 0.9996078455480785).abs() < 1e-5);

    let (code, _, err) = run_toml(
        "lbfgs_bad",
        "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[optimizer]\nname = \"lbfgs\"\n\
         history_size = 0\n[run]\nsteps = 1\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("history_size"), "{err}");
    let (code, _, err) = run_toml(
        "lbfgs_unknown",
        "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[optimizer]\nname = \"lbfgs\"\n\
         line_search = \"armijo\"\n[run]\nsteps = 1\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains(":6:") && err.contains("line_search"), "{err}");
}

#[test]
fn sgd_with_armijo_line_search() {
    // lr = 1 diverges with fixed steps on ill_conditioned; the search makes it descend.
    let cfg = |extra: &str| {
        format!(
            "[problem]\nfunction = \"ill_conditioned\"\nx0 = [-3.0, 4.0]\n[optimizer]\n\
             name = \"sgd\"\nlr = 1.0\nline_search = \"armijo\"\n{extra}[run]\nsteps = 300\n"
        )
    };
    let (code, out, err) = run_toml("armijo", &cfg(""));
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["status"], "max_steps");
    assert!(v["f"].as_f64().unwrap() < 1e-12, "{}", v["f"]);
    let fh = common::floats(&v["f_history"]);
    assert!(fh.windows(2).all(|w| w[1] <= w[0]));

    let (code, _, err) = run_toml("armijo_momentum", &cfg("momentum = 0.9\n"));
    assert_eq!(code, 2);
    assert!(err.contains("line_search"), "{err}");
}

#[test]
fn pso_reports_the_swarms_best_and_its_evaluations() {
    let (code, out, err) = run_toml(
        "pso",
        r#"
[problem]
function = "rastrigin"
x0 = [3.0, -2.5]
[optimizer]
name = "pso"
seed = 3
particles = 20
[run]
steps = 100
"#,
    );
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    // 20 initial + 20 per step, plus the run loop's f(x0)
    assert_eq!(v["evaluations"]["function"], 20 + 100 * 20 + 1);
    let fh = common::floats(&v["f_history"]);
    assert!(fh[1..].windows(2).all(|w| w[1] <= w[0]));
    let (code2, out2, _) = run_toml(
        "pso",
        "[problem]\nfunction = \"rastrigin\"\nx0 = [3.0, -2.5]\n[optimizer]\nname = \"pso\"\n\
         seed = 3\nparticles = 20\n[run]\nsteps = 100\n",
    );
    assert_eq!((code2, json(&out2)["x"].clone()), (0, v["x"].clone()));
}
