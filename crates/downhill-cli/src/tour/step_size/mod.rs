//! Step size: how far one step may go. Seed 001's 1-D descents on x² against the closed form,
//! seed 004's descents on x0² + x1² with lr 0.1, 0.005 and 10, seed 002's "too small, right,
//! too large" on one surface, and (in `range_test`) the lr range test.

pub(super) mod lr_free;
pub(super) mod range_test;

use std::sync::Arc;

use downhill::optim::Sgd;
use downhill::problems::{IllConditioned, Sphere};
use downhill::run::{Method, Run};
use downhill::Objective;
use serde_json::json;

use crate::tour::descent::{gd, sphere_field, LRS, STEPS, X0};
use crate::tour::figure::{Chart, Figure, Path2, Series};
use crate::tour::presets::{Lane, Preset};
use crate::tour::{close, Experiment};

/// The lab presets of this topic, in the tour's seed order (001's come with `noise`).
pub(super) fn presets() -> (Vec<Preset>, Vec<Preset>) {
    (sphere_presets(), lr_presets())
}

/// Seed 001: 1-D gradient descent on x² with η = 0.2, 0.05, 0.9, 1.1, against the closed form.
pub(super) fn gd_1d() -> Vec<Experiment> {
    let mut out = Vec::new();
    let cases = [
        (0.2, 0.0605, "η = 0.2: x shrinks by 0.6 per step and is close to the optimum after 10 steps."),
        (0.05, 3.487, "η = 0.05: too small — x creeps down by 10% per step."),
        (0.9, 1.074, "η = 0.9: too large — x overshoots the optimum and flips sign every step (factor −0.8)."),
        (1.1, 61.917, "η = 1.1: the first-order Taylor argument fails; |x| grows by 1.2 per step — divergence."),
    ];
    for (eta, seed_x, text) in cases {
        let mut opt = Sgd::with_lr(eta).expect("a valid learning rate");
        let r = Run::new(&Sphere, Method::Optimizer(&mut opt))
            .run(&[10.0], 10)
            .expect("an unbounded run");
        let xs: Vec<f64> = r.trajectory.iter().map(|p| p[0]).collect();
        let x = r.x[0];
        let exact = 10.0 * (1.0f64 - 2.0 * eta).powi(10);
        let mut e = Experiment::new(
            "001",
            &format!("gd-1d-eta-{eta}"),
            &format!("f(x) = x², x₀ = 10, η = {eta}"),
            text,
        );
        e.value("x after 10 steps", x)
            .expect("x after 10 steps", json!(seed_x))
            .value("closed form 10·(1 − 2η)¹⁰", exact)
            .require(
                close(x, exact, 1e-12),
                "closed form: x = 10·(1 − 2η)¹⁰ to 1e-12",
            )
            .require(
                close(x.abs(), seed_x, 6e-4),
                "the seed's printed value: |x| to its digits",
            )
            .checks(&["x after 10 steps", "closed form 10·(1 − 2η)¹⁰"]);
        if eta == 0.9 {
            e.require(
                xs.windows(2).all(|w| w[0] * w[1] < 0.0),
                "closed form: the signs alternate (factor 1 − 2η < 0, overshoot)",
            );
        }
        let n = xs.iter().fold(10.0f64, |m, v| m.max(v.abs()));
        let grid: Vec<f64> = (0..=200).map(|i| -n + 2.0 * n * i as f64 / 200.0).collect();
        e.figure(Figure::Chart(Chart {
            title: format!("gradient descent on x², η = {eta}"),
            x_label: "x".into(),
            y_label: "f(x)".into(),
            series: vec![
                Series {
                    label: "f(x) = x²".into(),
                    ys: grid.iter().map(|x| x * x).collect(),
                    xs: grid,
                },
                Series {
                    label: "iterates x₀ … x₁₀".into(),
                    ys: xs.iter().map(|x| x * x).collect(),
                    xs,
                },
            ],
            marked: vec![1],
            ..Chart::default()
        }));
        out.push(e);
    }
    out
}

/// Seed 004: gradient descent on x0² + x1² from (−3, 4) with lr 0.1, 0.005 and 10.
pub(super) fn sphere_descents() -> Vec<Experiment> {
    let mut out = Vec::new();
    let runs = [
        (
            LRS[0],
            [-6.11110793e-10, 8.14814391e-10],
            "lr = 0.1: a good step size; 100 steps land within 1e-9 of the minimum.",
        ),
        (
            LRS[1],
            [-1.09809702, 1.46412937],
            "lr = 0.005: too small; after 100 steps the point is still far from the minimum.",
        ),
    ];
    for (lr, want, text) in runs {
        let r = gd(lr, STEPS);
        let mut e = Experiment::new(
            "004",
            &gd_id(lr),
            &format!("Gradient descent, lr = {lr}"),
            text,
        );
        e.value("x after 100 steps", json!(r.x))
            .expect("x after 100 steps", json!(want))
            .value("f", r.f)
            .require(
                close(r.x[0], want[0], 1e-7) && close(r.x[1], want[1], 1e-7),
                "the seed's printed values: x within 1e-7 relative",
            )
            .checks(&["x after 100 steps"])
            .figure(Figure::Contour {
                title: format!("GD on x0² + x1², lr = {lr}"),
                f: sphere_field(),
                x: (-4.5, 4.5),
                y: (-4.5, 4.5),
                log_levels: false,
                paths: vec![Path2::from_trajectory(&format!("lr = {lr}"), &r.trajectory)],
                value_range: None,
            });
        out.push(e);
    }

    let r = gd(LRS[2], STEPS);
    let big = r.x.iter().map(|v| v.abs()).fold(0.0, f64::max);
    let stall = r.notes.iter().any(|n| n.contains("cancels to 0"));
    let mut e = Experiment::new(
        "004",
        &gd_id(LRS[2]),
        "Gradient descent, lr = 10: divergence, then a stall",
        "lr = 10 multiplies x by −19 per step until |x| ≈ 1e12–1e13; there x ± h rounds to x, the central difference cancels to exactly 0 and the descent freezes — the seed's 'divergent' result is a numerical-gradient artefact. The exact digits depend on rounding noise.",
    );
    e.value("x after 100 steps", json!(r.x))
        .value("max |x|", big)
        .value("numerical gradient vanished", stall)
        .expect("x after 100 steps", json!([2.80292473e12, -2.76020044e12]))
        .expect("max |x|", "1e12 – 1e13")
        .require(
            (1e12..1e14).contains(&big) && stall,
            "the seed's printed result: |x| of order 1e12–1e13, and the stall detected",
        )
        .checks(&["max |x|", "numerical gradient vanished"]);
    out.push(e);

    out
}

/// Seed 002: too small, right and too large on one ill-conditioned surface.
pub(super) fn learning_rates() -> Experiment {
    let mut e = Experiment::new(
        "002",
        "lr-small-right-large",
        "Too small, right, too large — on one surface",
        "On 0.1·x0² + 2·x1² (curvatures 0.2 and 4) GD is stable only for lr < 2/4 = 0.5: lr = 0.01 crawls along the flat direction, lr = 0.45 converges, lr = 0.55 oscillates across the steep direction with growing amplitude.",
    );
    let f = IllConditioned;
    let x0 = LR_X0;
    let f0 = f.value(&x0);
    let mut paths = Vec::new();
    let mut curves = Vec::new();
    let mut finals = Vec::new();
    for lr in LR_LRS {
        let mut opt = Sgd::with_lr(lr).expect("a valid learning rate");
        let r = Run::new(&f, Method::Optimizer(&mut opt))
            .run(&x0, LR_STEPS)
            .expect("an unbounded run");
        finals.push(r.f);
        paths.push(Path2::from_trajectory(
            &format!("lr = {lr}"),
            r.trajectory.iter().take(25),
        ));
        curves.push(Series::indexed(&format!("lr = {lr}"), r.f_history.clone()));
        e.value(&format!("f after 100 steps, lr = {lr}"), r.f);
    }
    e.expect("f after 100 steps, lr = 0.01", "still > 1 (too slow)")
        .expect("f after 100 steps, lr = 0.45", "< 1e-6")
        .expect("f after 100 steps, lr = 0.55", format!("> f(x0) = {f0}"))
        .require(
            finals[0] > 1.0 && finals[1] < 1e-6 && finals[2] > f0,
            "theory (GD is stable iff lr·λmax < 2): slow / converged / diverging as predicted",
        )
        .checks(&[
            "f after 100 steps, lr = 0.01",
            "f after 100 steps, lr = 0.45",
            "f after 100 steps, lr = 0.55",
        ])
        .figure(Figure::Contour {
            title: "0.1·x0² + 2·x1²: three learning rates (first 25 steps)".into(),
            f: Arc::new(|x, y| 0.1 * x * x + 2.0 * y * y),
            x: (-4.5, 4.5),
            y: (-4.5, 4.5),
            log_levels: false,
            paths,
            value_range: None,
        })
        .figure(Figure::Curves {
            title: "loss per step".into(),
            x_label: "step".into(),
            y_label: "f".into(),
            log_y: true,
            series: curves,
        });
    e
}

/// The start, steps and learning rates of "too small, right, too large".
const LR_X0: [f64; 2] = [-4.0, 2.0];
const LR_STEPS: usize = 100;
const LR_LRS: [f64; 3] = [0.01, 0.45, 0.55];

/// The id of the descent with learning rate `lr`.
fn gd_id(lr: f64) -> String {
    format!("gd-lr-{lr}")
}

/// The seed's descents as lab presets (the lab's `sphere` with its exact gradient).
fn sphere_presets() -> Vec<Preset> {
    LRS.iter()
        .map(|&lr| {
            Preset::function(
                format!("seed004-{}", gd_id(lr)),
                format!("Seed 004: gradient descent on x0² + x1², lr = {lr}"),
                "sphere",
                &X0,
                STEPS,
                &[Lane {
                    optimizer: "sgd",
                    lr,
                    momentum: None,
                }],
            )
        })
        .collect()
}

/// Seed 002's "too small, right, too large" as a lab preset.
fn lr_presets() -> Vec<Preset> {
    let lanes = LR_LRS.map(|lr| Lane {
        optimizer: "sgd",
        lr,
        momentum: None,
    });
    vec![Preset::function(
        "seed002-lr-small-right-large".to_string(),
        "Seed 002: too small, right, too large — lr 0.01, 0.45, 0.55".to_string(),
        "ill_conditioned",
        &LR_X0,
        LR_STEPS,
        &lanes,
    )]
}
