//! `downhill landscape` end to end: the JSON contract, the values at α = 0, α = 1 and (0, 0)
//! against the run's own (bit for bit, and against `downhill train --json` of the same
//! config), `--model` and `--between`, and bad input.

#![allow(clippy::unwrap_used)]

use common::{downhill, downhill_json, floats, temp_file};
use serde_json::Value;

mod common;

const CONFIG: &str = r#"
[data]
source = "synthetic_classification"
standardize = true
validation_fraction = 0.25
seed = 2

[model]
kind = "mlp"
hidden = [6]
activation = "tanh"

[optimizer]
name = "sgd"
lr = 0.1
momentum = 0.9

[train]
epochs = 5
batch_size = 16
seed = 4
"#;

const SMALL: &str = r#"
[landscape]
alpha_resolution = 4
surface_points = 7
surface_range = 0.5
power_iterations = 60
epsilon_steps = 5
"#;

fn index_of(v: &[f64], x: f64) -> usize {
    v.iter()
        .position(|&a| a == x)
        .unwrap_or_else(|| panic!("{x} not in {v:?}"))
}

fn check_contract(v: &Value) {
    let i = &v["interpolation"];
    let alpha = floats(&i["alpha"]);
    assert!(alpha.contains(&0.0) && alpha.contains(&1.0), "{alpha:?}");
    assert_eq!(floats(&i["train_loss"]).len(), alpha.len());
    let s = &v["surface"];
    let (a, b) = (floats(&s["a"]), floats(&s["b"]));
    assert!(a.contains(&0.0) && b.contains(&0.0));
    let rows = s["train_loss"].as_array().unwrap();
    assert_eq!(rows.len(), b.len());
    assert!(rows.iter().all(|r| floats(r).len() == a.len()));
    assert!(v["sharpness"]["hessian_max_eigenvalue"].as_f64().is_some());
    assert!(v["sharpness"]["epsilon_sharpness"].as_f64().is_some());
}

#[test]
fn json_contract_and_bit_equality_with_the_training_run() {
    for directions in ["random", "pca"] {
        let text = format!("{CONFIG}{SMALL}directions = \"{directions}\"\n");
        let cfg = temp_file("landscape-contract", &format!("{directions}.toml"), &text);
        let (code, v) = downhill_json(&["landscape", cfg.to_str().unwrap(), "--json"]);
        assert_eq!(code, 0, "{v}");
        check_contract(&v);
        let alpha = floats(&v["interpolation"]["alpha"]);
        let tl = floats(&v["interpolation"]["train_loss"]);
        let vl = floats(&v["interpolation"]["val_loss"]);
        let train = &v["train"];
        let first = floats(&train["train_loss"])[0];
        let last = train["final_train_loss"].as_f64().unwrap();
        assert_eq!(tl[index_of(&alpha, 0.0)].to_bits(), first.to_bits());
        assert_eq!(tl[index_of(&alpha, 1.0)].to_bits(), last.to_bits());
        let final_val = train["final_val_metrics"]["loss"].as_f64().unwrap();
        assert_eq!(vl[index_of(&alpha, 1.0)].to_bits(), final_val.to_bits());
        let s = &v["surface"];
        let (a, b) = (floats(&s["a"]), floats(&s["b"]));
        let centre = floats(&s["train_loss"][index_of(&b, 0.0)])[index_of(&a, 0.0)];
        assert_eq!(centre.to_bits(), last.to_bits());
        assert_eq!(s["directions"], directions);
        assert_eq!(s["trajectory"].is_array(), directions == "pca");
        // `train` is what `downhill train --json` prints for the same config.
        let plain = temp_file("landscape-contract", "plain.toml", CONFIG);
        let (code, t) = downhill_json(&["train", plain.to_str().unwrap(), "--json"]);
        assert_eq!(code, 0);
        assert_eq!(&t, train);
    }
}

#[test]
fn model_and_between_take_saved_solutions() {
    let dir = std::env::temp_dir().join(format!("downhill-landscape-saved-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut saved = Vec::new();
    for (name, batch) in [("small", 4), ("large", 64)] {
        let cfg = CONFIG.replace("batch_size = 16", &format!("batch_size = {batch}"));
        let p = dir.join(format!("{name}.toml"));
        std::fs::write(&p, cfg).unwrap();
        let m = dir.join(format!("{name}.json"));
        let (code, t) = downhill_json(&[
            "train",
            p.to_str().unwrap(),
            "--json",
            "--save",
            m.to_str().unwrap(),
        ]);
        assert_eq!(code, 0);
        saved.push((m, t["final_train_loss"].as_f64().unwrap()));
    }
    let cfg = temp_file("landscape-saved", "l.toml", &format!("{CONFIG}{SMALL}"));
    let (cfg, a, b) = (
        cfg.to_str().unwrap(),
        saved[0].0.to_str().unwrap(),
        saved[1].0.to_str().unwrap(),
    );
    let (code, v) = downhill_json(&["landscape", cfg, "--json", "--between", a, b]);
    assert_eq!(code, 0, "{v}");
    check_contract(&v);
    assert!(v["train"].is_null());
    let alpha = floats(&v["interpolation"]["alpha"]);
    let tl = floats(&v["interpolation"]["train_loss"]);
    assert_eq!(tl[index_of(&alpha, 0.0)].to_bits(), saved[0].1.to_bits());
    assert_eq!(tl[index_of(&alpha, 1.0)].to_bits(), saved[1].1.to_bits());
    let (code, v) = downhill_json(&["landscape", cfg, "--json", "--model", b]);
    assert_eq!(code, 0);
    let tl = floats(&v["interpolation"]["train_loss"]);
    assert_eq!(tl[index_of(&alpha, 1.0)].to_bits(), saved[1].1.to_bits());
    // A model of another shape is refused, naming the file.
    let other = temp_file(
        "landscape-saved",
        "other.toml",
        &format!("{}{SMALL}", CONFIG.replace("hidden = [6]", "hidden = [5]")),
    );
    let out = downhill(&["landscape", other.to_str().unwrap(), "--model", b]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("large.json"));
    // PCA needs a trajectory.
    let pca = temp_file(
        "landscape-saved",
        "pca.toml",
        &format!("{CONFIG}{SMALL}directions = \"pca\"\n"),
    );
    let out = downhill(&["landscape", pca.to_str().unwrap(), "--model", b]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`directions`"));
}

#[test]
fn plot_writes_a_figure() {
    let cfg = temp_file(
        "landscape-plot",
        "l.toml",
        &format!("{CONFIG}{SMALL}directions = \"pca\"\n"),
    );
    let out_svg = cfg.with_file_name("landscape.svg");
    let out = downhill(&[
        "landscape",
        cfg.to_str().unwrap(),
        "--plot",
        out_svg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&out_svg).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("training trajectory"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("largest Hessian eigenvalue"));
}
