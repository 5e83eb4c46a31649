//! `downhill train` with parameter groups and with EMA against the same full-batch training
//! replayed in PyTorch (float64) from Downhill's own initial parameters: `replay/make_replay.py`
//! wrote `replay/refs.json` (torch version inside) from `replay/init.json`, which is what
//! `replay/init.toml` prints (checked here), on `replay/data.csv`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::PathBuf;

use common::{downhill_json, temp_file};
use serde_json::Value;

mod common;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/replay")
}

fn refs() -> Value {
    let text = std::fs::read_to_string(dir().join("refs.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The replay model and data with `optimizer` (TOML, tables included) and `[train]` extras.
fn config(optimizer: &str, train: &str) -> String {
    let data = dir().join("data.csv");
    format!(
        "[data]\nsource = \"csv\"\npath = {:?}\ntarget = \"y\"\n\n[model]\nkind = \"mlp\"\n\
         hidden = [4]\nactivation = \"tanh\"\nhead = \"linear\"\n\n{optimizer}\n\n[train]\n\
         epochs = 25\nbatch_size = 40\nsampling = \"sequential\"\nseed = 3\n{train}\n",
        data.display().to_string()
    )
}

fn train(test: &str, toml: &str) -> Value {
    let f = temp_file(test, "c.toml", toml);
    let (code, v) = downhill_json(&["train", &f.display().to_string(), "--json"]);
    assert_eq!(code, 0, "{v}");
    v
}

/// The named parameters of `--json` in Downhill's layout (per layer W row-major, then b).
fn flat(named: &Value) -> Vec<f64> {
    let mut out = Vec::new();
    for layer in named["layers"].as_array().unwrap() {
        for row in layer["W"].as_array().unwrap() {
            out.extend(row.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()));
        }
        out.extend(
            layer["b"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap()),
        );
    }
    out
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-6 * w.abs().max(1e-6),
            "{what}[{i}]: downhill {g} vs torch {w}"
        );
    }
}

/// Compares a run with a case of `refs.json`: the final `params`, the losses before training
/// and after every epoch, and group 0's lr at each epoch.
fn check(case: &str, v: &Value) {
    let r = &refs()[case];
    assert_close(
        &format!("{case} params"),
        &flat(&v["params"]),
        &floats(&r["params"]),
    );
    assert_close(
        &format!("{case} train_loss"),
        &floats(&v["train_loss"]),
        &floats(&r["train_loss"]),
    );
    let lr0: Vec<f64> = r["lr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g[0].as_f64().unwrap())
        .collect();
    assert_close(&format!("{case} lr"), &floats(&v["lr"]), &lr0);
}

#[test]
fn the_initial_parameters_are_downhills_own() {
    let init: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("init.json")).unwrap()).unwrap();
    let v = train(
        "init",
        &config("[optimizer]\nname = \"sgd\"\nlr = 0.0", "").replace("epochs = 25", "epochs = 1"),
    );
    assert_eq!(flat(&v["params"]), flat(&init["params"]));
    assert!(refs()["torch"].as_str().unwrap().starts_with('2'));
}

#[test]
fn adamw_with_a_no_decay_bias_group_equals_torch() {
    let opt = "[optimizer]\nname = \"adamw\"\nlr = 0.01\nweight_decay = 0.1\n\n\
               [[optimizer.param_groups]]\nparams = [\"*.b\"]\nlr = 0.05\nweight_decay = 0.0";
    check("adamw_bias_group", &train("adamw", &config(opt, "")));
}

#[test]
fn sgd_momentum_with_step_lr_and_a_group_lr_equals_torch() {
    let opt = "[optimizer]\nname = \"sgd\"\nlr = 0.1\nmomentum = 0.9\n\n\
               [[optimizer.param_groups]]\nparams = [\"layers.0.*\"]\nlr = 0.05\n\n\
               [schedule]\nname = \"step_lr\"\nstep_size = 5\ngamma = 0.5";
    check("sgd_step_lr_groups", &train("sgd-groups", &config(opt, "")));
}

#[test]
fn ema_equals_torch_averaged_model() {
    let v = train(
        "ema",
        &config(
            "[optimizer]\nname = \"sgd\"\nlr = 0.2",
            "ema = { decay = 0.8 }",
        ),
    );
    check("sgd_ema", &v);
    let r = &refs()["sgd_ema"];
    assert_close(
        "sgd_ema last_params",
        &flat(&v["last_params"]),
        &floats(&r["last_params"]),
    );
    // The average differs from the trained weights (the test would not see a missing EMA).
    assert!(flat(&v["params"]) != flat(&v["last_params"]));
}

/// Checkpoints carry every group's optimiser state (and the EMA): resuming after epoch 10
/// ends bit-identical to the uninterrupted run.
#[test]
fn a_grouped_run_with_ema_resumes_bit_identically() {
    let opt = "[optimizer]\nname = \"adam\"\nlr = 0.01\n\n\
               [[optimizer.param_groups]]\nparams = [\"layers.1.*\"]\nname = \"sgd\"\nlr = 0.1\nmomentum = 0.9\n\n\
               [schedule]\nname = \"step_lr\"\nstep_size = 5\ngamma = 0.5";
    let full = train("resume-full", &config(opt, "ema = { decay = 0.9 }"));
    let ckpt = temp_file("resume", "ckpt.json", "");
    let extra = format!(
        "ema = {{ decay = 0.9 }}\ncheckpoint_every = 10\ncheckpoint_path = {:?}",
        ckpt.display().to_string()
    );
    let f = temp_file("resume", "c.toml", &config(opt, &extra));
    let (code, _) = downhill_json(&["train", &f.display().to_string(), "--json"]);
    assert_eq!(code, 0);
    let c = ckpt.display().to_string();
    let (code, resumed) =
        downhill_json(&["train", &f.display().to_string(), "--json", "--resume", &c]);
    assert_eq!(code, 0, "{resumed}");
    assert_eq!(resumed["params"], full["params"]);
    assert_eq!(resumed["last_params"], full["last_params"]);
}

#[test]
fn one_cycle_with_momentum_cycling_over_two_groups_equals_torch() {
    let opt = "[optimizer]\nname = \"sgd\"\nlr = 0.1\nmomentum = 0.9\n\n\
               [[optimizer.param_groups]]\nparams = [\"layers.0.*\"]\nlr = 0.05\n\n\
               [schedule]\nname = \"one_cycle_lr\"\nmax_lr = 0.2\ntotal_steps = 30";
    check(
        "sgd_one_cycle_groups",
        &train("one-cycle", &config(opt, "")),
    );
}
