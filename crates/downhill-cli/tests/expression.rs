//! `[problem] expression` / `downhill minimize --expr`: runs with AD gradients, and the
//! exit-2 errors (syntax with a column, unknown variable, undefined at x0, bad combinations).

mod common;

use std::process::Output;

use common::{downhill, floats, temp_file};
use serde_json::Value;

fn run_config(name: &str, body: &str) -> Output {
    let p = temp_file("expression", &format!("{name}.toml"), body);
    downhill(&["run", p.to_str().expect("UTF-8 temp path"), "--json"])
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const ROSENBROCK: &str = r#"
[problem]
expression = "(1 - x)^2 + 100*(y - x^2)^2"
vars = ["x", "y"]
x0 = [-1.2, 1.0]

[optimizer]
name = "sgd"
lr = 1e-3
momentum = 0.9

[run]
steps = 6000
tolerance = 1e-8
"#;

#[test]
fn rosenbrock_expression_converges_with_sgd_momentum_and_counts_evaluations() {
    let v = json(&run_config("rosen", ROSENBROCK));
    assert_eq!(v["status"], "converged");
    assert!(v["f"].as_f64().unwrap() < 1e-12, "{}", v["f"]);
    for xi in v["x"].as_array().unwrap() {
        assert!((xi.as_f64().unwrap() - 1.0).abs() < 1e-5);
    }
    assert_eq!(v["expression"], "(1 - x)^2 + 100*(y - x^2)^2");
    assert_eq!(v["vars"], serde_json::json!(["x", "y"]));
    let steps = v["steps"].as_u64().unwrap();
    // One value at x0 and after each step; one gradient per step plus the converging check.
    assert_eq!(v["evaluations"]["function"].as_u64().unwrap(), steps + 1);
    assert_eq!(v["evaluations"]["gradient"].as_u64().unwrap(), steps + 1);
}

#[test]
fn expression_and_builtin_agree_step_by_step_and_numeric_gradient_still_works() {
    let builtin = ROSENBROCK
        .replace(
            "expression = \"(1 - x)^2 + 100*(y - x^2)^2\"",
            "function = \"rosenbrock\"",
        )
        .replace("vars = [\"x\", \"y\"]\n", "")
        .replace("steps = 6000", "steps = 50");
    let short = ROSENBROCK.replace("steps = 6000", "steps = 50");
    let a = json(&run_config("builtin", &builtin));
    let b = json(&run_config("short", &short));
    let (ta, tb) = (
        a["trajectory"].as_array().unwrap(),
        b["trajectory"].as_array().unwrap(),
    );
    assert_eq!(ta.len(), 51);
    for (p, q) in ta.iter().zip(tb) {
        for (u, w) in p.as_array().unwrap().iter().zip(q.as_array().unwrap()) {
            let (u, w) = (u.as_f64().unwrap(), w.as_f64().unwrap());
            assert!((u - w).abs() <= 1e-12 * u.abs().max(1.0), "{u} vs {w}");
        }
    }
    let numeric = short.replace(
        "x0 = [-1.2, 1.0]",
        "x0 = [-1.2, 1.0]\ngradient = \"numeric\"",
    );
    let c = json(&run_config("numeric", &numeric));
    let (xb, xc) = (b["x"][0].as_f64().unwrap(), c["x"][0].as_f64().unwrap());
    assert!((xb - xc).abs() < 1e-5, "{xb} vs {xc}");
}

#[test]
fn minimize_with_expr_flags_converges() {
    let out = downhill(&[
        "minimize",
        "--expr",
        "(x - 3)^2 + 2*(y + 1)^2 + exp(z) - z",
        "--vars",
        "x,y,z",
        "--x0=0,0,1",
        "--lr",
        "0.1",
        "--steps",
        "500",
        "--tolerance",
        "1e-10",
        "--json",
    ]);
    let v = json(&out);
    assert_eq!(v["status"], "converged");
    let x = floats(&v["x"]);
    assert!((x[0] - 3.0).abs() < 1e-9 && (x[1] + 1.0).abs() < 1e-9 && x[2].abs() < 1e-9);
}

#[test]
fn syntax_error_exits_2_with_column_and_caret() {
    let body = ROSENBROCK.replace("100*(y - x^2)^2\"", "100*(y - x^2))^2\"");
    let out = run_config("syntax", &body);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("[problem]: expression: column 26: unmatched `)`"),
        "{e}"
    );
    let caret = format!("\n  (1 - x)^2 + 100*(y - x^2))^2\n  {}^", " ".repeat(25));
    assert!(e.contains(&caret), "{e}");
    let out = downhill(&["minimize", "--expr", "x * / 2", "--vars", "x", "--x0", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("column 5"), "{}", stderr(&out));
}

#[test]
fn unknown_variable_exits_2_naming_it() {
    let body = ROSENBROCK.replace("(y - x^2)", "(w - x^2)");
    let out = run_config("unknown", &body);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("unknown variable `w` (variables: x, y)"), "{e}");
}

#[test]
fn undefined_at_x0_exits_2_saying_which_operation() {
    let out = downhill(&[
        "minimize",
        "--expr",
        "ln(x) + x^2",
        "--vars",
        "x",
        "--x0=-1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("undefined at x0 = [-1.0]: `ln` at column 1 of -1 gives NaN"),
        "{e}"
    );
    let out = downhill(&["minimize", "--expr", "1/x", "--vars", "x", "--x0=0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`/` at column 2 on 1 and 0 gives inf"));
    let out = downhill(&["minimize", "--expr", "sqrt(x)", "--vars", "x", "--x0=-4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`sqrt` at column 1 of -4 gives NaN"));
}

#[test]
fn function_xor_expression_is_required() {
    let both = ROSENBROCK.replace("[problem]\n", "[problem]\nfunction = \"sphere\"\n");
    let out = run_config("both", &both);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("exclude each other"),
        "{}",
        stderr(&out)
    );
    let neither = ROSENBROCK
        .replace("expression = \"(1 - x)^2 + 100*(y - x^2)^2\"\n", "")
        .replace("vars = [\"x\", \"y\"]\n", "");
    let out = run_config("neither", &neither);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("one of `function`"),
        "{}",
        stderr(&out)
    );
    let no_vars = ROSENBROCK.replace("vars = [\"x\", \"y\"]\n", "");
    let out = run_config("novars", &no_vars);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("needs `vars`"), "{}", stderr(&out));
    let wrong_len = ROSENBROCK.replace("x0 = [-1.2, 1.0]", "x0 = [-1.2]");
    let out = run_config("len", &wrong_len);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains(
            "key `x0`: x0 has 1 value, but 2 variables (x, y) (did you mean x0 = [-1.2, 0.0]?)"
        ),
        "{e}"
    );
}

#[test]
fn deeply_nested_expression_in_a_config_works() {
    let n = 100_000;
    let body = ROSENBROCK
        .replace(
            "(1 - x)^2 + 100*(y - x^2)^2",
            &format!("{}x^2 + y^2{}", "(".repeat(n), ")".repeat(n)),
        )
        .replace("steps = 6000", "steps = 100")
        .replace("lr = 1e-3", "lr = 0.1")
        .replace("momentum = 0.9", "momentum = 0.0");
    let v = json(&run_config("deep", &body));
    assert_eq!(v["status"], "converged");
    let unclosed = body.replacen(')', "", 1);
    let out = run_config("deep-unclosed", &unclosed);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unclosed `(`"), "{}", stderr(&out));
}

#[test]
fn newton_on_an_expression_uses_the_ad_hessian() {
    let out = downhill(&[
        "minimize",
        "--expr",
        "(1 - x)^2 + 100*(y - x^2)^2",
        "--vars",
        "x,y",
        "--x0=-1.2,1",
        "--optimizer",
        "newton",
        "--steps",
        "30",
        "--tolerance",
        "1e-8",
        "--json",
    ]);
    let v = json(&out);
    assert_eq!(v["status"], "converged");
    assert!(v["f"].as_f64().unwrap() < 1e-10);
    let steps = v["steps"].as_u64().unwrap();
    assert!(steps <= 30);
    // one AD Hessian per accepted trust-region step (a rejected step keeps it), none numeric
    let hessians = v["evaluations"]["hessian"].as_u64().unwrap();
    assert!(
        hessians >= 1 && hessians <= steps,
        "{hessians} Hessians in {steps} steps"
    );
}

#[test]
fn compare_accepts_an_expression() {
    let body = r#"
[problem]
expression = "(x - 1)^2 + (y + 2)^2"
vars = ["x", "y"]
x0 = [0.0, 0.0]

[run]
steps = 20

[[optimizers]]
name = "sgd"
lr = 0.1

[[optimizers]]
name = "newton"
"#;
    let p = temp_file("expression", "compare.toml", body);
    let v = json(&downhill(&[
        "compare",
        p.to_str().expect("UTF-8"),
        "--json",
    ]));
    assert_eq!(v["expression"], "(x - 1)^2 + (y + 2)^2");
    let newton = &v["runs"][1];
    assert_eq!(floats(&newton["x"]), vec![1.0, -2.0]);
    let bad = body.replace("(y + 2)", "(z + 2)");
    let p = temp_file("expression", "compare-bad.toml", &bad);
    let out = downhill(&["compare", p.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown variable `z`"));
}
