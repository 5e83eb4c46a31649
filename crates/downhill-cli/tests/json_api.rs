//! The library functions the lab calls (`run_json`, `compare_json`, `schedule_json`,
//! `toml_from_json`) give exactly what `downhill … --json` prints, and the same error message
//! and exit code.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use common::{downhill, downhill_json, temp_file};
use downhill_cli::{compare_json, run_json, schedule_json, toml_from_json, Metrics};
use serde_json::{json, Value};

const RUN: &str = "[problem]\nfunction = \"rosenbrock\"\nx0 = [-1.5, 2.0]\n\n\
[optimizer]\nname = \"adam\"\nlr = 0.05\n\n[run]\nsteps = 30\n\n\
[wrappers]\nclip_grad_norm = 1.0\n\n\
[schedule]\nname = \"sequential_lr\"\nmilestones = [5]\n\n\
[[schedule.schedulers]]\nname = \"linear_lr\"\nstart_factor = 0.1\ntotal_iters = 5\n\n\
[[schedule.schedulers]]\nname = \"cosine_annealing_lr\"\nt_max = 25\n";

const COMPARE: &str = "[problem]\nfunction = \"sphere\"\nx0 = [1.0, 2.0]\n\n[run]\nsteps = 10\n\n\
[[optimizers]]\nname = \"sgd\"\nlr = 0.1\n\n[[optimizers]]\nname = \"rmsprop\"\nlabel = \"rms\"\n";

/// The CLI's `--json` output for `toml` given as a file.
fn cli_json(test: &str, command: &str, toml: &str, extra: &[&str]) -> Value {
    let path = temp_file(test, "c.toml", toml);
    let mut args = vec![command, path.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let (code, v) = downhill_json(&args);
    assert_eq!(code, 0, "{v}");
    v
}

/// The CLI's error message (after `error: `) and exit code for `toml` given as `origin`.
fn cli_error(test: &str, command: &str, toml: &str) -> (String, u8) {
    let path = temp_file(test, "c.toml", toml);
    let out = downhill(&[command, path.to_str().unwrap(), "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    let message = err.trim().strip_prefix("error: ").unwrap().to_string();
    let message = message.replace(path.to_str().unwrap(), "c.toml");
    (message, out.status.code().unwrap() as u8)
}

/// Drops the wall times, the only part of a comparison that differs between two runs.
fn without_wall_time(mut v: Value) -> Value {
    for r in v["runs"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("wall_time_s");
    }
    v
}

#[test]
fn run_json_is_what_run_prints() {
    assert_eq!(
        run_json("c.toml", RUN).unwrap(),
        cli_json("api-run", "run", RUN, &[])
    );
}

#[test]
fn schedule_json_is_what_schedule_prints() {
    let lib = schedule_json("c.toml", RUN, Some(12), None).unwrap();
    assert_eq!(
        lib,
        cli_json("api-schedule", "schedule", RUN, &["--steps", "12"])
    );
    let plateau = "[optimizer]\nname = \"sgd\"\nlr = 0.1\n\n[schedule]\n\
                   name = \"reduce_lr_on_plateau\"\npatience = 0\n";
    let values = [3.0, 2.0, 2.5, 2.5];
    let metrics = Metrics::Values {
        origin: "metrics",
        values: &values,
    };
    let lib = schedule_json("c.toml", plateau, Some(5), Some(metrics)).unwrap();
    let file = temp_file("api-metrics", "m.txt", "3\n2\n2.5\n2.5\n");
    let cli = cli_json(
        "api-plateau",
        "schedule",
        plateau,
        &["--steps", "5", "--metrics", file.to_str().unwrap()],
    );
    assert_eq!(lib, cli);
}

#[test]
fn compare_json_is_what_compare_prints() {
    let lib = without_wall_time(compare_json("c.toml", COMPARE).unwrap());
    let cli = without_wall_time(cli_json("api-compare", "compare", COMPARE, &[]));
    assert_eq!(lib, cli);
}

#[test]
fn errors_are_the_commands_errors() {
    let bad = RUN.replace("lr = 0.05", "lr = -0.05");
    let e = run_json("c.toml", &bad).unwrap_err();
    assert_eq!((e.message, e.code), cli_error("api-bad-run", "run", &bad));
    let bad = COMPARE.replace("label = \"rms\"", "momentun = 0.9");
    let e = compare_json("c.toml", &bad).unwrap_err();
    assert_eq!(
        (e.message, e.code),
        cli_error("api-bad-compare", "compare", &bad)
    );
    let bad = RUN.replace("t_max = 25", "T_max = 25");
    let e = schedule_json("c.toml", &bad, Some(3), None).unwrap_err();
    assert_eq!(e.code, 2);
    assert!(e.message.contains("[schedule.schedulers]") && e.message.contains("`T_max`"));
}

#[test]
fn a_json_body_goes_through_the_same_parser() {
    let body = json!({
        "problem": { "function": "sphere", "x0": [1.0, 2.0] },
        "run": { "steps": 10 },
        "optimizers": [{ "name": "sgd", "lr": 0.1 }, { "name": "rmsprop", "label": "rms" }],
    });
    let toml = toml_from_json("body", &body).unwrap();
    let lib = without_wall_time(compare_json("body", &toml).unwrap());
    let cli = without_wall_time(cli_json("api-body", "compare", COMPARE, &[]));
    assert_eq!(lib, cli);
    let body = json!({
        "problem": { "function": "sphere", "x0": [1.0] },
        "optimizer": { "name": "adam", "betas": [0.9, 1.5] },
        "run": { "steps": 3 },
    });
    let e = run_json("body", &toml_from_json("body", &body).unwrap()).unwrap_err();
    assert_eq!(e.code, 2);
    assert!(
        e.message.starts_with("body:") && e.message.contains("[optimizer] key `betas`"),
        "{}",
        e.message
    );
}
