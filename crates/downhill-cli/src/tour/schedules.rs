//! Schedules: seed 002's cyclical, warm-restart and cosine learning rates drawn as PyTorch
//! defines them, and the helpers that build the tour's schedules from their config names and
//! parameters.

use downhill::schedule::config::ScheduleConfig;
use downhill::schedule::Schedule;
use serde_json::{json, Value};

use super::figure::{Figure, Series};
use super::presets::{Preset, SchedulePreset};
use super::Experiment;

/// The schedule `name` with parameters `params` (a JSON object), for an optimiser with
/// `base_lr` and `base_momentum`. The tour's own configs are fixed, so failure is a bug.
pub fn build(
    name: &str,
    params: Value,
    base_lr: f64,
    base_momentum: Option<f64>,
) -> Box<dyn Schedule> {
    build_with_batch_size(name, params, base_lr, base_momentum, None)
}

/// [`build`] for a run with batch size `batch_size` (needed by `scale_rule`).
pub fn build_with_batch_size(
    name: &str,
    params: Value,
    base_lr: f64,
    base_momentum: Option<f64>,
    batch_size: Option<usize>,
) -> Box<dyn Schedule> {
    ScheduleConfig::from_named(name, params)
        .map_err(|e| e.to_string())
        .and_then(|c| {
            c.build_with_batch_size(base_lr, base_momentum, batch_size)
                .map_err(|e| e.to_string())
        })
        .unwrap_or_else(|e| unreachable!("tour schedule `{name}`: {e}"))
}

/// The lr at steps `0..n`.
pub fn lrs(s: &mut dyn Schedule, n: usize) -> Vec<f64> {
    (0..n).map(|k| s.lr(k)).collect()
}

/// The seed's cyclical schedule: 0.001 ↔ 0.006 with 20-step half-cycles.
fn cyclic_params(mode: &str) -> serde_json::Value {
    json!({"base_lr": 0.001, "max_lr": 0.006, "step_size_up": 20, "mode": mode, "cycle_momentum": false})
}

/// Seed 002's cyclical schedule as a lab preset.
pub(super) fn presets() -> Vec<Preset> {
    vec![Preset::schedule(
        "seed002-schedules".to_string(),
        "Seed 002: cyclic_lr triangular2, 0.001 ↔ 0.006".to_string(),
        &SchedulePreset {
            name: "cyclic_lr",
            params: cyclic_params("triangular2"),
            optimizer: "sgd",
            lr: 0.001,
            mom: 0.0,
            steps: 120,
        },
    )]
}

/// Seed 002's schedules, drawn.
pub(super) fn schedules_drawn() -> Experiment {
    use super::schedules::{build, lrs};
    let mut e = Experiment::new(
        "002",
        "schedules",
        "Cyclical, warm-restart and cosine learning rates",
        "The seed's schedules as PyTorch defines them: cyclic_lr triangular (constant amplitude) and triangular2 (amplitude halved each cycle) between 0.001 and 0.006 with 20-step half-cycles; SGDR (cosine_annealing_warm_restarts, t_0 = 10, t_mult = 2) restarting at steps 10, 30, 70; cosine_annealing_lr over 100 steps.",
    );
    let n = 120;
    let cyc = |mode: &str| build("cyclic_lr", cyclic_params(mode), 0.001, None);
    let tri = lrs(cyc("triangular").as_mut(), n);
    let tri2 = lrs(cyc("triangular2").as_mut(), n);
    let sgdr = lrs(
        build(
            "cosine_annealing_warm_restarts",
            json!({"t_0": 10, "t_mult": 2, "eta_min": 0.0}),
            0.006,
            None,
        )
        .as_mut(),
        n,
    );
    let cos = lrs(
        build(
            "cosine_annealing_lr",
            json!({"t_max": 100, "eta_min": 0.0}),
            0.006,
            None,
        )
        .as_mut(),
        n,
    );
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-12);
    e.value(
        "triangular lr at steps 0, 20, 40, 60",
        json!([tri[0], tri[20], tri[40], tri[60]]),
    )
    .expect(
        "triangular lr at steps 0, 20, 40, 60",
        json!([0.001, 0.006, 0.001, 0.006]),
    )
    .value(
        "triangular2 peaks at steps 20, 60, 100",
        json!([tri2[20], tri2[60], tri2[100]]),
    )
    .expect(
        "triangular2 peaks at steps 20, 60, 100",
        json!([0.006, 0.0035, 0.00225]),
    )
    .value(
        "SGDR lr at steps 9, 10, 29, 30, 70",
        json!([sgdr[9], sgdr[10], sgdr[29], sgdr[30], sgdr[70]]),
    )
    .expect(
        "SGDR lr at steps 9, 10, 29, 30, 70",
        "small, 0.006 (restart), small, 0.006, 0.006",
    )
    .value("cosine lr at steps 50, 100", json!([cos[50], cos[100]]))
    .expect("cosine lr at steps 50, 100", json!([0.003, 0.0]))
    .require(
        near(tri[20], 0.006)
            && near(tri[40], 0.001)
            && near(tri2[60], 0.0035)
            && near(tri2[100], 0.00225)
            && near(sgdr[10], 0.006)
            && near(sgdr[30], 0.006)
            && near(sgdr[70], 0.006)
            && sgdr[9] < 0.0005
            && near(cos[50], 0.003)
            && cos[100].abs() < 1e-15,
        "closed forms of PyTorch's schedules: peaks, troughs and restarts at the predicted steps, to 1e-12",
    )
    .checks(&[
        "triangular lr at steps 0, 20, 40, 60",
        "triangular2 peaks at steps 20, 60, 100",
        "SGDR lr at steps 9, 10, 29, 30, 70",
        "cosine lr at steps 50, 100",
    ])
    .figure(Figure::Curves {
        title: "learning-rate schedules".into(),
        x_label: "step".into(),
        y_label: "lr".into(),
        log_y: false,
        series: vec![
            Series::indexed("cyclic triangular", tri),
            Series::indexed("cyclic triangular2", tri2),
            Series::indexed("SGDR (t_0 = 10, t_mult = 2)", sgdr),
            Series::indexed("cosine (t_max = 100)", cos),
        ],
    });
    e
}
