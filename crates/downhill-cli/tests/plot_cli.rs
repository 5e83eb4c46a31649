//! `--plot`, `downhill plot` and `downhill compare` end to end.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic by design

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn downhill(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(args)
        .output()
        .unwrap()
}

fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("plot-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn svg(p: &Path) -> String {
    let t = std::fs::read_to_string(p).unwrap();
    assert!(t.starts_with("<svg"), "{}", p.display());
    assert!(t.trim_end().ends_with("</svg>"));
    assert!(!t.contains("<script"), "raw <script> in {}", p.display());
    t
}

fn png(p: &Path) {
    let b = std::fs::read(p).unwrap();
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n");
}

const COMPARE: &str = r#"
[problem]
function = "rosenbrock"
x0 = [-1.5, 2.0]

[run]
steps = 2000
tolerance = 1e-3

[[optimizers]]
name = "sgd"
lr = 0.001
label = "<script>alert(1)</script>"

[[optimizers]]
name = "sgd"
lr = 0.001
momentum = 0.9
label = "heavy ball"
"#;

#[test]
fn minimize_plot_draws_contour_in_2d_and_loss_otherwise() {
    let d = dir("minimize");
    let out = d.join("run.svg");
    let o = downhill(&[
        "minimize",
        "--function",
        "sphere",
        "--x0=-3,4",
        "--lr",
        "0.1",
        "--steps",
        "50",
        "--plot",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = svg(&out);
    assert!(t.contains("sphere: trajectories") && t.contains("sgd (lr = 0.1)"));
    let out3 = d.join("run3.png");
    let o = downhill(&[
        "minimize",
        "--function",
        "sphere",
        "--x0=-3,4,1",
        "--lr",
        "0.1",
        "--plot",
        s(&out3),
    ]);
    assert!(o.status.success());
    png(&out3);
    let bad = d.join("run.jpg");
    let o = downhill(&[
        "minimize",
        "--function",
        "sphere",
        "--x0=1,1",
        "--plot",
        s(&bad),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".svg or .png"));
    assert!(!bad.exists());
    let missing = d.join("no-such-dir").join("x.svg");
    let o = downhill(&[
        "minimize",
        "--function",
        "sphere",
        "--x0=1,1",
        "--plot",
        s(&missing),
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn run_plot_then_replot_from_json() {
    let d = dir("run");
    let cfg = d.join("run.toml");
    std::fs::write(
        &cfg,
        "[problem]\nfunction = \"booth\"\nx0 = [-3.0, 4.0]\n[optimizer]\nname = \"sgd\"\nlr = 0.05\n[run]\nsteps = 40\n",
    )
    .unwrap();
    let fig = d.join("run.png");
    let o = downhill(&["run", s(&cfg), "--json", "--plot", s(&fig)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    png(&fig);
    let json = d.join("run.json");
    std::fs::write(&json, &o.stdout).unwrap();
    let again = d.join("again.svg");
    let o = downhill(&["plot", s(&json), "--out", s(&again)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(svg(&again).contains("booth: trajectories"));
    std::fs::write(
        &json,
        "{\"function\": \"booth\", \"f_history\": [1.0], \"trajectory\": 3}",
    )
    .unwrap();
    let o = downhill(&["plot", s(&json), "--out", s(&again)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("trajectory"));
    std::fs::write(&json, "{not json").unwrap();
    let o = downhill(&["plot", s(&json), "--out", s(&again)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(":1:"));
}

#[test]
fn compare_table_json_plot_and_escaped_labels() {
    let d = dir("compare");
    let cfg = d.join("cmp.toml");
    std::fs::write(&cfg, COMPARE).unwrap();
    let fig = d.join("cmp.svg");
    let o = downhill(&["compare", s(&cfg), "--plot", s(&fig)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("heavy ball") && table.contains("converged") && table.contains("steps→tol")
    );
    let t = svg(&fig);
    assert!(t.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(t.contains("heavy ball") && t.contains("Loss (log scale)"));
    assert!(t.len() < 1_000_000);

    let o = downhill(&["compare", s(&cfg), "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["label"], "heavy ball");
    assert_eq!(runs[1]["status"], "converged");
    assert_eq!(runs[1]["steps_to_tolerance"], runs[1]["steps"]);
    assert!(
        runs[0]["steps_to_tolerance"].is_null(),
        "plain sgd does not reach 1e-3 in 2000 steps"
    );
    assert!(runs[0]["wall_time_s"].as_f64().unwrap() >= 0.0);

    let json = d.join("cmp.json");
    std::fs::write(&json, &o.stdout).unwrap();
    let again = d.join("again.png");
    let o = downhill(&["plot", s(&json), "--out", s(&again)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    png(&again);
}

#[test]
fn compare_config_errors_name_file_line_and_key() {
    let d = dir("compare-bad");
    let cfg = d.join("bad.toml");
    std::fs::write(&cfg, COMPARE.replace("momentum = 0.9", "momentm = 0.9")).unwrap();
    let o = downhill(&["compare", s(&cfg)]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("bad.toml:18:") && e.contains("momentm"), "{e}");
}
