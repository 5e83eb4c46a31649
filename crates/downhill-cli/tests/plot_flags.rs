//! `--plot` on `downhill schedule` and `downhill train` (issue 6, item 2).

mod common;

use common::{downhill, temp_file};

fn assert_svg(path: &std::path::Path) {
    let text = std::fs::read_to_string(path).expect("the figure was written");
    assert!(
        text.contains("<svg"),
        "not an SVG: {}",
        &text[..text.len().min(200)]
    );
}

#[test]
fn schedule_plot_draws_lr_and_momentum() {
    let cfg = temp_file(
        "schedule_plot",
        "s.toml",
        "[optimizer]\nname = \"sgd\"\nlr = 0.1\nmomentum = 0.9\n\n[schedule]\nname = \"one_cycle_lr\"\nmax_lr = 0.1\ntotal_steps = 50\n",
    );
    let out = cfg.with_file_name("s.svg");
    let r = downhill(&[
        "schedule",
        cfg.to_str().expect("utf-8"),
        "--steps",
        "50",
        "--plot",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert_svg(&out);
}

#[test]
fn train_plot_draws_the_loss_curves() {
    let cfg = temp_file(
        "train_plot",
        "t.toml",
        "[data]\nsource = \"synthetic_linreg\"\nvalidation_fraction = 0.2\n\n[model]\nkind = \"linear\"\n\n[optimizer]\nname = \"sgd\"\nlr = 0.1\n\n[train]\nepochs = 2\nbatch_size = 10\nlog_interval = 100\n",
    );
    let out = cfg.with_file_name("t.svg");
    let r = downhill(&[
        "train",
        cfg.to_str().expect("utf-8"),
        "--plot",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert_svg(&out);
    let bad = downhill(&[
        "train",
        cfg.to_str().expect("utf-8"),
        "--plot",
        "/tmp/x.bmp",
    ]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unsupported extension is bad input"
    );
}

/// `downhill compare` on a dataset: `[data]` + `[model]` + `[train]` and `[[optimizers]]`.
#[test]
fn compare_on_a_dataset_trains_every_optimizer() {
    let cfg = temp_file(
        "compare_data",
        "c.toml",
        "[data]\nsource = \"iris\"\nstandardize = true\nvalidation_fraction = 0.3\n\n[model]\nkind = \"softmax\"\n\n[train]\nepochs = 20\nbatch_size = 16\n\n[[optimizers]]\nname = \"sgd\"\nlr = 0.1\n\n[[optimizers]]\nname = \"adam\"\nlr = 0.01\nlabel = \"<script>alert(1)</script>\"\n",
    );
    let out = cfg.with_file_name("c.svg");
    let (code, v) = common::downhill_json(&[
        "compare",
        cfg.to_str().expect("utf-8"),
        "--json",
        "--plot",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0);
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    for r in runs {
        let acc = r["final_val_metrics"]["accuracy"]
            .as_f64()
            .expect("accuracy");
        assert!(acc > 0.8, "{r}");
    }
    assert_eq!(runs[1]["label"], "<script>alert(1)</script>");
    let svg = std::fs::read_to_string(&out).expect("figure");
    assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
}
