//! `downhill sweep` and `downhill lr-find`: every sweep point equals the same config run alone,
//! the output does not depend on the thread count, the stability edge on a quadratic is the
//! theory's (GD 2/L, heavy ball 2(1+β)/L), and the range test's suggestion trains seed 001's data.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use common::{downhill, downhill_json, floats, temp_file};
use serde_json::Value;

/// A run config on `2x² + y²/2` (Hessian diag(4, 1): L = 4) with heavy-ball SGD.
fn quadratic(lr: &str, momentum: &str, sweep: &str) -> String {
    format!(
        "[problem]\nexpression = \"2*x^2 + 0.5*y^2\"\nvars = [\"x\", \"y\"]\nx0 = [1.0, 1.0]\n\n\
         [optimizer]\nname = \"sgd\"\nlr = {lr}\nmomentum = {momentum}\n\n[run]\nsteps = 300\n\n{sweep}"
    )
}

fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
        .install(f)
}

/// Diverged, non-finite, or ended above where it started (the sweep plots' rule).
fn unstable(r: &Value) -> bool {
    let f = r["f"].as_f64().unwrap_or(f64::NAN);
    let f0 = r["f_history"][0].as_f64().unwrap_or(f64::NAN);
    r["status"] == "diverged" || !f.is_finite() || f > f0
}

#[test]
fn every_point_equals_the_config_run_alone() {
    let sweep = "[sweep]\n\"optimizer.lr\" = { log_range = [0.01, 0.4], num = 3 }\n\
                 optimizer.momentum = [0.0, 0.5]\n";
    let v = downhill_cli::sweep_json("q.toml", &quadratic("0.1", "0.9", sweep)).unwrap();
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 6);
    let lrs = [
        0.01,
        (0.01f64.ln() + (0.4f64.ln() - 0.01f64.ln()) * 0.5).exp(),
        0.4,
    ];
    for (p, pt) in points.iter().enumerate() {
        let (lr, m) = (lrs[p / 2], [0.0, 0.5][p % 2]);
        assert_eq!(pt["values"]["optimizer.lr"].as_f64(), Some(lr), "{p}");
        assert_eq!(pt["values"]["optimizer.momentum"].as_f64(), Some(m), "{p}");
        let alone = downhill_cli::run_json(
            "q.toml",
            &quadratic(&format!("{lr:?}"), &format!("{m:?}"), ""),
        );
        assert_eq!(pt["result"], alone.unwrap(), "point {p}");
    }
}

#[test]
fn a_missing_key_is_added_to_its_table() {
    // `momentum` is not in this [optimizer]: the sweep adds it.
    let raw = quadratic(
        "0.1",
        "0.0",
        "[sweep]\n\"optimizer.dampening\" = [0.0, 0.5]\n",
    );
    let v = downhill_cli::sweep_json("q.toml", &raw).unwrap();
    let alone = downhill_cli::run_json("q.toml", &quadratic("0.1", "0.0\ndampening = 0.5", ""));
    assert_eq!(v["points"][1]["result"], alone.unwrap());
    assert_eq!(v["points"][1]["result"]["optimizer"]["dampening"], 0.5);
}

#[test]
fn the_output_does_not_depend_on_the_thread_count() {
    let run = quadratic(
        "0.1",
        "0.0",
        "[sweep]\n\"optimizer.lr\" = { range = [0.05, 0.6], num = 12 }\n",
    );
    let train = "[data]\nsource = \"synthetic_linreg\"\n[model]\nkind = \"linear\"\n\
                 [optimizer]\nname = \"sgd\"\nlr = 0.1\n[train]\nepochs = 2\nbatch_size = 4\n\
                 [sweep]\n\"train.batch_size\" = [1, 5, 20]\n\"optimizer.lr\" = [0.05, 0.2]\n";
    for cfg in [run.as_str(), train] {
        let one = in_pool(1, || downhill_cli::sweep_json("t.toml", cfg).unwrap());
        let two = in_pool(2, || downhill_cli::sweep_json("t.toml", cfg).unwrap());
        assert_eq!(one, two);
    }
    // The binary too, under RAYON_NUM_THREADS.
    let path = temp_file("sweep_threads", "t.toml", train);
    let out = |n: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_downhill"))
            .args(["sweep", path.to_str().unwrap(), "--json"])
            .env("RAYON_NUM_THREADS", n)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    assert_eq!(out("1"), out("2"));
    // And each training point is what `downhill train --json` prints for it.
    let (_, v) = downhill_json(&["sweep", path.to_str().unwrap(), "--json"]);
    let alone = temp_file(
        "sweep_threads",
        "alone.toml",
        &train
            .split("[sweep]")
            .next()
            .unwrap_or("")
            .replace("lr = 0.1", "lr = 0.2")
            .replace("batch_size = 4", "batch_size = 5"),
    );
    let (code, a) = downhill_json(&["train", alone.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v["points"][3]["values"]["train.batch_size"], 5);
    assert_eq!(v["points"][3]["result"], a);
}

/// The largest stable lr of a column and the next one on the grid.
fn edge(points: &[&Value]) -> (f64, f64) {
    let lr = |p: &Value| p["values"]["optimizer.lr"].as_f64().unwrap();
    let first_bad = points
        .iter()
        .position(|p| unstable(&p["result"]))
        .expect("some lr diverges");
    assert!(first_bad > 0, "the smallest lr diverged");
    assert!(
        points[first_bad..].iter().all(|p| unstable(&p["result"])),
        "stable again above the edge"
    );
    (lr(points[first_bad - 1]), lr(points[first_bad]))
}

#[test]
fn the_stability_edge_on_a_quadratic_is_the_theory_s() {
    let l = 4.0;
    let betas = [0.0, 0.3, 0.6, 0.9];
    let sweep = "[sweep]\n\"optimizer.lr\" = { range = [0.005, 1.195], num = 120 }\n\
                 \"optimizer.momentum\" = [0.0, 0.3, 0.6, 0.9]\n";
    let v = downhill_cli::sweep_json("q.toml", &quadratic("0.1", "0.0", sweep)).unwrap();
    let points: Vec<&Value> = v["points"].as_array().unwrap().iter().collect();
    assert_eq!(points.len(), 480);
    for (j, beta) in betas.iter().enumerate() {
        let column: Vec<&Value> = points.iter().skip(j).step_by(4).copied().collect();
        let (ok, bad) = edge(&column);
        let theory = 2.0 * (1.0 + beta) / l;
        assert!(
            ok < theory && theory < bad,
            "β = {beta}: stable up to {ok}, unstable from {bad}; theory {theory}"
        );
    }
}

#[test]
fn bad_sweep_keys_and_values_exit_2_naming_the_key() {
    let cases = [
        (
            "\"optimzer.lr\" = [0.1]",
            "q.toml:15:1: [sweep] key `optimzer.lr`: no table `optimzer`",
        ),
        (
            "\"optimizer.lr\" = [0.1, -1.0]",
            "[sweep] at `optimizer.lr` = -1.0",
        ),
        ("\"optimizer.lrr\" = [0.1]", "lrr"),
        ("\"run.steps\" = [1.5]", "steps"),
    ];
    for (sweep, want) in cases {
        let raw = quadratic("0.1", "0.0", &format!("[sweep]\n{sweep}\n"));
        let e = downhill_cli::sweep_json("q.toml", &raw).expect_err(sweep);
        assert_eq!(e.code, 2, "{sweep}");
        assert!(e.message.contains(want), "{sweep}: {}", e.message);
    }
}

#[test]
fn sweep_plots_are_drawn_for_one_and_two_keys() {
    for (name, sweep) in [
        ("one", "[sweep]\n\"optimizer.lr\" = { log_range = [0.01, 1.0], num = 8 }\n"),
        ("two", "[sweep]\n\"optimizer.lr\" = { range = [0.05, 1.0], num = 8 }\n\"optimizer.momentum\" = [0.0, 0.5]\n"),
    ] {
        let cfg = temp_file("sweep_plot", &format!("{name}.toml"), &quadratic("0.1", "0.0", sweep));
        let svg = cfg.with_extension("svg");
        let out = downhill(&["sweep", cfg.to_str().unwrap(), "--plot", svg.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("<svg") && text.contains("theory"), "{name}");
        assert!(text.contains("diverged"), "{name}");
    }
}

const SEED001: &str = "[data]\nsource = \"synthetic_linreg\"\n[model]\nkind = \"linear\"\n\
                       [optimizer]\nname = \"sgd\"\nlr = 0.01\n[train]\nepochs = 5\nbatch_size = 50\n";

#[test]
fn lr_find_follows_fastai_and_its_suggestion_trains_seed_001() {
    let raw = format!("{SEED001}[lr_find]\nstart_lr = 1e-4\nend_lr = 10.0\nnum_it = 100\n");
    let v = downhill_cli::lr_find_json("l.toml", &raw).unwrap();
    let (lr, loss, batch) = (
        floats(&v["lr"]),
        floats(&v["loss"]),
        floats(&v["batch_loss"]),
    );
    assert!(lr.len() >= 20 && lr.len() == loss.len() && lr.len() == batch.len());
    // The exponential ramp.
    for (k, &x) in lr.iter().enumerate() {
        let want = 1e-4 * (10.0f64 / 1e-4).powf(k as f64 / 99.0);
        assert!((x - want).abs() <= 1e-12 * want, "{k}: {x} vs {want}");
    }
    // fastai's AvgSmoothLoss with bias correction, and the 4× stop.
    let mut avg = 0.0;
    let mut best = f64::INFINITY;
    for k in 0..lr.len() {
        avg = 0.98 * avg + 0.02 * batch[k];
        let s = avg / (1.0 - 0.98f64.powi(k as i32 + 1));
        assert!((loss[k] - s).abs() <= 1e-12 * s.abs(), "{k}");
        best = best.min(s);
        if k + 1 < lr.len() {
            assert!(s <= 4.0 * best, "{k}: should have stopped");
        }
    }
    assert!(lr.len() == 100 || loss[lr.len() - 1] > 4.0 * best || v["stopped"] == "diverged");
    let s = v["suggested_lr"].as_f64().unwrap();
    assert!(lr.contains(&s));
    assert_eq!(v["cyclic"]["max_lr"].as_f64(), Some(s));
    assert_eq!(v["cyclic"]["base_lr"].as_f64(), Some(s / 4.0));
    // Training with the suggestion does not diverge, and learns.
    let cfg = temp_file(
        "lr_find",
        "t.toml",
        &SEED001.replace("lr = 0.01", &format!("lr = {s:?}")),
    );
    let (code, t) = downhill_json(&["train", cfg.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    assert_eq!(t["status"], "completed");
    let curve = floats(&t["train_loss"]);
    assert!(
        t["final_train_loss"].as_f64().unwrap() < 0.1 * curve[0],
        "{curve:?}"
    );
    // The CLI prints the same object.
    let path = temp_file("lr_find", "l.toml", &raw);
    let (code, c) = downhill_json(&["lr-find", path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    assert_eq!(c, v);
}
