//! `downhill train` and `downhill predict` end to end: seed 001 through the CLI, exit codes,
//! CSV errors, checkpoint/resume (also after SIGKILL), saved models.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::downhill;
use serde_json::Value;

mod common;

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("downhill-train-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// Runs `downhill` expecting exit 0; returns its JSON.
fn ok_json(args: &[&str]) -> Value {
    let o = downhill(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    json_of(&o)
}

/// Runs `downhill` expecting exit 2 with every one of `needles` in the message.
fn bad_input(args: &[&str], needles: &[&str]) {
    let o = downhill(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        needles.iter().all(|n| err.contains(n)),
        "{needles:?}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

fn seed001(batch: usize, lr: f64, precision: &str) -> String {
    format!(
        "[data]\nsource = \"synthetic_linreg\"\nprecision = \"{precision}\"\n\n[model]\nkind = \"linear\"\n\n\
         [optimizer]\nname = \"sgd\"\nlr = {lr}\n\n[train]\nepochs = 3\nbatch_size = {batch}\n\
         log_interval = 10\nseed = 1\n"
    )
}

#[test]
fn seed_001_through_the_cli() {
    let dir = tmpdir("seed001");
    let f = write(&dir, "a.toml", &seed001(1000, 0.999, "f64"));
    let o = downhill(&["train", &f, "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json_of(&o);
    assert_eq!(v["status"], "completed");
    assert_eq!(v["epochs"], 3);
    let w = v["params"]["w"].as_array().unwrap();
    assert!((w[0].as_f64().unwrap() - 2.0).abs() < 0.01);
    assert!((w[1].as_f64().unwrap() + 3.4).abs() < 0.01);
    assert!((v["params"]["b"].as_f64().unwrap() - 4.2).abs() < 0.01);
    assert_eq!(v["train_loss"].as_array().unwrap().len(), 4);
    assert!(v["diverged_at"].is_null());

    let f = write(&dir, "b.toml", &seed001(10, 5.0, "f32"));
    let o = downhill(&["train", &f, "--json"]);
    assert_eq!(o.status.code(), Some(3), "divergence exits 3");
    let v = json_of(&o);
    assert_eq!(v["status"], "diverged");
    assert!(v["diverged_at"]["step"].as_u64().unwrap() >= 1);
    assert_eq!(v["diverged_at"]["epoch"], 1);
    let o = downhill(&["train", &f]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("DIVERGED") && text.contains("step"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue 14, defect b: seed 001's `batch_size = 10, lr = 5` run with the decay at epoch 2
/// stops as diverged (exit 3) in f64 as in f32, at the same step and with finite parameters;
/// `divergence_threshold = false` restores the old f64 run (completed, loss near 1e187).
#[test]
fn seed_001_lr_5_diverges_in_f64_and_f32_alike() {
    let dir = tmpdir("divergence-threshold");
    let decay =
        "\n[schedule]\nname = \"multi_step_lr\"\nmilestones = [2]\ngamma = 0.1\nunit = \"epoch\"\n";
    let mut steps = Vec::new();
    for precision in ["f64", "f32"] {
        let f = write(&dir, "d.toml", &(seed001(10, 5.0, precision) + decay));
        let o = downhill(&["train", &f, "--json"]);
        assert_eq!(o.status.code(), Some(3), "{precision}: divergence exits 3");
        let v = json_of(&o);
        assert_eq!(v["status"], "diverged", "{precision}");
        assert_eq!(v["diverged_at"]["epoch"], 1);
        steps.push(v["diverged_at"]["step"].as_u64().unwrap());
        let w = v["params"]["w"].as_array().unwrap();
        assert!(w.iter().all(|x| x.as_f64().unwrap().is_finite()), "{v}");
    }
    assert_eq!(steps[0], steps[1], "f64 and f32 stop at the same step");
    let off =
        seed001(10, 5.0, "f64").replace("[train]\n", "[train]\ndivergence_threshold = false\n");
    let f = write(&dir, "off.toml", &(off + decay));
    let v = ok_json(&["train", &f, "--json"]);
    assert_eq!(v["status"], "completed");
    assert!(v["train_loss"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l.as_f64().unwrap() > 1e100));
    std::fs::remove_dir_all(&dir).ok();
}

fn csv_config(dir: &Path, csv: &str) -> String {
    let data = write(dir, "d.csv", csv);
    write(
        dir,
        "c.toml",
        &format!(
            "[data]\nsource = \"csv\"\npath = \"{data}\"\ntarget = \"y\"\n\n[model]\nkind = \"linear\"\n\n\
             [optimizer]\nname = \"sgd\"\nlr = 0.1\n"
        ),
    )
}

#[test]
fn bad_csv_files_exit_2_naming_file_line_and_column() {
    let dir = tmpdir("csv");
    let cases = [
        ("a,y\n1,2\n3,x\n", ":3: column 2 (`y`): `x` is not a number"),
        ("a,y\n1,2\n3,4,5\n", ":3: column 3: ragged row"),
        ("a,b\n1,2\n", ":1: column `y`: no target column `y`"),
        ("", ":1: file: the file is empty"),
        ("a,y\n1,2\nnan,4\n", ":3: column 1 (`a`): NaN value"),
    ];
    for (csv, want) in cases {
        let cfg = csv_config(&dir, csv);
        let o = downhill(&["train", &cfg]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{csv:?}: {err}");
        assert!(
            err.contains("d.csv") && err.contains(want),
            "{csv:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let cfg = csv_config(&dir, "\u{feff}a,\"y\"\r\n1e0,2\r\n2,4.5E0\r\n3,7\r\n");
    assert_eq!(downhill(&["train", &cfg]).status.code(), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn config_errors_name_the_line_and_key() {
    let dir = tmpdir("cfg");
    let f = write(
        &dir,
        "c.toml",
        "[data]\nsource = \"iris\"\n[model]\nkind = \"softmax\"\n[optimizer]\nname = \"sgd\"\n[train]\nepoch = 3\n",
    );
    let o = downhill(&["train", &f]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("c.toml:8:") && err.contains("epoch"), "{err}");
    let f = write(
        &dir,
        "d.toml",
        "[data]\nsource = \"nope\"\n[model]\nkind = \"softmax\"\n[optimizer]\nname = \"sgd\"\n",
    );
    let o = downhill(&["train", &f]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown dataset `nope`"));
    std::fs::remove_dir_all(&dir).ok();
}

fn mlp_config(dir: &Path, epochs: usize, every: usize) -> String {
    mlp_config_with(
        dir,
        epochs,
        every,
        "name = \"sgd\"\nlr = 0.05\nmomentum = 0.9",
    )
}

fn mlp_config_with(dir: &Path, epochs: usize, every: usize, optimizer: &str) -> String {
    let ck = dir.join("ck.json").display().to_string();
    write(
        dir,
        &format!("mlp{epochs}.toml"),
        &format!(
            "[data]\nsource = \"digits\"\nstandardize = true\nvalidation_fraction = 0.2\n\n\
             [model]\nkind = \"mlp\"\nhidden = [32]\nactivation = \"tanh\"\n\n\
             [optimizer]\n{optimizer}\n\n\
             [train]\nepochs = {epochs}\nbatch_size = 16\nsampling = \"with_replacement\"\nseed = 3\n\
             checkpoint_every = {every}\ncheckpoint_path = \"{ck}\"\n\
             early_stopping = {{ patience = 100, restore_best = false }}\n"
        ),
    )
}

#[test]
fn resume_from_a_checkpoint_is_bit_identical() {
    let dir = tmpdir("resume-adam");
    // Adam's state (step count, both moments) goes through the checkpoint too.
    let cfg = mlp_config_with(&dir, 4, 2, "name = \"adam\"\nlr = 0.001");
    let full = json_of(&downhill(&["train", &cfg, "--json"]));
    let ck = dir.join("ck.json");
    let resumed = json_of(&downhill(&[
        "train",
        &cfg,
        "--json",
        "--resume",
        ck.to_str().unwrap(),
    ]));
    assert_eq!(full["params"], resumed["params"]);
    std::fs::remove_dir_all(&dir).ok();

    let dir = tmpdir("resume");
    let cfg = mlp_config(&dir, 5, 3);
    let full = downhill(&["train", &cfg, "--json"]);
    assert_eq!(full.status.code(), Some(0));
    let full = json_of(&full);
    // The checkpoint after epoch 3 is the last one written (none after the final epoch).
    let ck = dir.join("ck.json");
    let resumed = downhill(&["train", &cfg, "--json", "--resume", ck.to_str().unwrap()]);
    assert_eq!(resumed.status.code(), Some(0));
    let resumed = json_of(&resumed);
    assert_eq!(full["params"], resumed["params"]);
    assert_eq!(full["train_loss"], resumed["train_loss"]);
    assert_eq!(full["val_metrics"], resumed["val_metrics"]);
    // Another config is refused.
    let other = mlp_config(&dir, 6, 3);
    let o = downhill(&["train", &other, "--resume", ck.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    // A truncated or corrupted checkpoint is refused with its name, never a panic.
    let bytes = std::fs::read(&ck).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    bad_input(
        &["train", &cfg, "--resume", bad.to_str().unwrap()],
        &["bad.json", "truncated"],
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sigkill_then_resume_reaches_the_same_parameters() {
    let dir = tmpdir("kill");
    let cfg = mlp_config(&dir, 40, 1);
    let ck = dir.join("ck.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(["train", &cfg, "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !ck.exists() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(30));
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "the run was killed before it finished");
    assert!(ck.exists(), "a checkpoint was written before the kill");
    let resumed = downhill(&["train", &cfg, "--json", "--resume", ck.to_str().unwrap()]);
    assert_eq!(
        resumed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    std::fs::remove_file(&ck).unwrap();
    let full = downhill(&["train", &cfg, "--json"]);
    assert_eq!(json_of(&full)["params"], json_of(&resumed)["params"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn save_then_predict() {
    let dir = tmpdir("predict");
    let cfg = write(
        &dir,
        "iris.toml",
        "[data]\nsource = \"iris\"\nstandardize = true\n[model]\nkind = \"softmax\"\n\
         [optimizer]\nname = \"sgd\"\nlr = 0.1\n[train]\nepochs = 50\nbatch_size = 16\n",
    );
    let model = dir.join("m.json").display().to_string();
    let o = downhill(&["train", &cfg, "--save", &model]);
    assert_eq!(o.status.code(), Some(0));
    let data = write(
        &dir,
        "x.csv",
        "x0,x1,x2,x3\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n",
    );
    let out = dir.join("p.csv").display().to_string();
    let o = downhill(&["predict", "--model", &model, "--data", &data, "--out", &out]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "label,p_0,p_1,p_2");
    assert!(
        lines[1].starts_with("0,") && lines[2].starts_with("2,"),
        "{text}"
    );
    let bad = write(&dir, "bad.csv", "x0,x1\n1,2\n");
    let o = downhill(&["predict", "--model", &model, "--data", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("x2"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn npy_source_and_logistic_model() {
    let dir = tmpdir("npy");
    let (x, y) = (dir.join("x.npy"), dir.join("y.npy"));
    // Two separable clusters on the first feature.
    let xs: Vec<f64> = (0..40)
        .flat_map(|i| {
            [
                if i < 20 { -2.0 } else { 2.0 } + (i % 5) as f64 * 0.1,
                (i % 7) as f64,
            ]
        })
        .collect();
    let ys: Vec<f64> = (0..40).map(|i| f64::from(u8::from(i >= 20))).collect();
    downhill::data::npy::write_npy_f64(&x, &[40, 2], &xs).unwrap();
    downhill::data::npy::write_npy_f64(&y, &[40], &ys).unwrap();
    let cfg = write(
        &dir,
        "n.toml",
        &format!(
            "[data]\nsource = \"npy\"\npath = \"{}\"\ntarget_path = \"{}\"\nstandardize = true\n\
             validation_fraction = 0.25\n[model]\nkind = \"logistic\"\n\
             [optimizer]\nname = \"sgd\"\nlr = 0.5\n[train]\nepochs = 20\nbatch_size = 4\n",
            x.display(),
            y.display()
        ),
    );
    let v = ok_json(&["train", &cfg, "--json"]);
    assert_eq!(v["params"]["w"].as_array().unwrap().len(), 2);
    assert!(v["params"]["b"].is_number());
    assert_eq!(v["val_metrics"][19]["accuracy"], 1.0);
    // A target file of the wrong length is bad input.
    downhill::data::npy::write_npy_f64(&y, &[3], &[0.0, 1.0, 0.0]).unwrap();
    let o = downhill(&["train", &cfg]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("y.npy"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn regression_datasets_report_r2() {
    let dir = tmpdir("wine");
    let cfg = write(
        &dir,
        "w.toml",
        "[data]\nsource = \"wine_quality\"\nstandardize = true\nvalidation_fraction = 0.2\n\
         [model]\nkind = \"linear\"\n[optimizer]\nname = \"sgd\"\nlr = 0.1\n\
         [train]\nepochs = 20\nbatch_size = 64\n",
    );
    let v = json_of(&downhill(&["train", &cfg, "--json"]));
    let r2 = v["val_metrics"][19]["r2"].as_f64().unwrap();
    assert!(r2 > 0.2 && r2 < 0.5, "wine quality linear R² {r2}");
    assert!(v["val_metrics"][19].get("accuracy").is_none());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn seed_001_decay_is_multi_step_lr_per_epoch() {
    let dir = tmpdir("decay");
    let text = seed001(1, 0.2, "f64")
        + "\n[schedule]\nname = \"multi_step_lr\"\nmilestones = [2]\ngamma = 0.1\nunit = \"epoch\"\n";
    let f = write(&dir, "s.toml", &text);
    let v = ok_json(&["train", &f, "--json"]);
    let w = v["params"]["w"].as_array().unwrap();
    assert!((w[0].as_f64().unwrap() - 2.0).abs() < 0.01);
    assert!((w[1].as_f64().unwrap() + 3.4).abs() < 0.01);
    assert!((v["params"]["b"].as_f64().unwrap() - 4.2).abs() < 0.01);
    assert!(v["final_train_loss"].as_f64().unwrap() < 1e-4);
    assert_eq!(v["train_loss"].as_array().unwrap().len(), 301);
    // A bad schedule value is reported at its line.
    let f = write(
        &dir,
        "bad.toml",
        &(seed001(1, 0.2, "f64") + "\n[schedule]\nname = \"step_lr\"\nstep_size = 0\n"),
    );
    bad_input(&["train", &f], &["bad.toml", "step_size"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn reduce_lr_on_plateau_and_batch_size_schedule_through_the_cli() {
    let dir = tmpdir("plateau");
    let ck = dir.join("ck.json");
    let base = format!(
        "[data]\nsource = \"synthetic_classification\"\ncluster_std = 4.0\nvalidation_fraction = 0.3\n\
         standardize = true\n[model]\nkind = \"softmax\"\n[optimizer]\nname = \"sgd\"\nlr = 1.0\n\
         momentum = 0.9\n[train]\nepochs = 8\nbatch_size = 8\ncheckpoint_every = 4\n\
         checkpoint_path = \"{}\"\n",
        ck.display()
    );
    let plateau = base.clone()
        + "[schedule]\nname = \"reduce_lr_on_plateau\"\npatience = 0\nfactor = 0.5\nthreshold = 0.0\n";
    let f = write(&dir, "p.toml", &plateau);
    let full = json_of(&downhill(&["train", &f, "--json"]));
    let resumed = json_of(&downhill(&[
        "train",
        &f,
        "--json",
        "--resume",
        ck.to_str().unwrap(),
    ]));
    assert_eq!(
        full["params"], resumed["params"],
        "plateau state survives the checkpoint"
    );
    assert_eq!(full["val_metrics"], resumed["val_metrics"]);
    let lrs = full["lr"].as_array().unwrap();
    assert_eq!(lrs.len(), 8);
    assert!(
        lrs.iter().any(|l| l.as_f64().unwrap() < 1.0),
        "the rule reduced the lr: {lrs:?}"
    );
    assert!(
        lrs[4..] == resumed["lr"].as_array().unwrap()[..],
        "{lrs:?} vs {}",
        resumed["lr"]
    );
    let batches = base.replace("checkpoint_every = 4\n", "")
        + "[schedule]\nname = \"batch_size_schedule\"\nfactor = 2.0\nmilestones = [1, 2]\nunit = \"epoch\"\n";
    let f = write(&dir, "b.toml", &batches);
    let v = json_of(&downhill(&["train", &f, "--json"]));
    // 210 training rows: batches of 8, then 16, then 32 for the remaining 6 epochs.
    assert_eq!(v["steps"], 27 + 14 + 6 * 7);
    std::fs::remove_dir_all(&dir).ok();
}

/// Muon on the digits MLP through `[[optimizer.param_groups]]` (examples/muon_digits.toml:
/// Muon for the weight matrices, AdamW for the biases) trains it, and the group is really
/// Muon's: the run differs from the same config with AdamW everywhere.
#[test]
fn muon_trains_the_digits_mlp_through_a_param_group() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/muon_digits.toml"
    );
    let text = std::fs::read_to_string(example).unwrap();
    let grouped = ok_json(&["train", example, "--json"]);
    let acc = grouped["final_val_metrics"]["accuracy"].as_f64().unwrap();
    assert!(acc >= 0.95, "validation accuracy {acc}");
    let start = text.find("\n[[optimizer.param_groups]]").unwrap();
    let end = text.find("\n[train]").unwrap();
    let plain = format!("{}{}", &text[..start], &text[end..]);
    let dir = tmpdir("muon");
    let plain = ok_json(&["train", &write(&dir, "adamw.toml", &plain), "--json"]);
    assert_ne!(grouped["params"], plain["params"]);
}
