//! Seed 004: partial derivatives, the numerical gradient, the negative-gradient field,
//! gradient descent from (−3, 4) with lr = 0.1, 0.005 and 10, and (in `seed004_search.rs`)
//! the methods that answer its limits: population search on Rastrigin, L-BFGS-B in a box.

use std::sync::Arc;

use downhill::diff::{numerical_gradient, Difference, Numeric};
use downhill::optim::Sgd;
use downhill::problems::Sphere;
use downhill::run::{Method, Run, RunResult};
use downhill::Objective;
use serde_json::json;

use super::figure::{Figure, Path2};
use super::presets::{Lane, Preset};
use super::{close, Experiment};

const SEED: &str = "004";

/// The seed's start point and number of steps of its descents.
const X0: [f64; 2] = [-3.0, 4.0];
const STEPS: usize = 100;
/// The learning rates of the seed's descents on x0² + x1².
const LRS: [f64; 3] = [0.1, 0.005, 10.0];

/// The id of the descent with learning rate `lr`.
fn gd_id(lr: f64) -> String {
    format!("gd-lr-{lr}")
}

/// The seed's descents as lab presets (the lab's `sphere` with its exact gradient).
pub fn presets() -> Vec<Preset> {
    LRS.iter()
        .map(|&lr| {
            Preset::function(
                format!("seed{SEED}-{}", gd_id(lr)),
                format!("Seed {SEED}: gradient descent on x0² + x1², lr = {lr}"),
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

fn sphere_field() -> super::figure::Field {
    Arc::new(|x, y| x * x + y * y)
}

fn gd(lr: f64, steps: usize) -> RunResult {
    let mut opt = Sgd::with_lr(lr).expect("a valid learning rate");
    Run::new(&Numeric::new(Sphere), Method::Optimizer(&mut opt))
        .run(&X0, steps)
        .expect("an unbounded run")
}

/// The seed's experiments.
pub fn experiments() -> Vec<Experiment> {
    let mut out = Vec::new();

    let mut e = Experiment::new(
        SEED,
        "partial-derivatives",
        "Partial derivatives by central differences",
        "numerical_diff with h = 1e-4 on x0² + 4² at x0 = 3 and on 3² + x1² at x1 = 4 reproduces the seed's digits exactly: the error is rounding, not truncation (the central difference is exact for a parabola).",
    );
    let mut x = [3.0];
    let mut g = [0.0];
    numerical_gradient(
        |p: &[f64]| p[0].powf(2.0) + 4.0f64.powf(2.0),
        &mut x,
        &mut g,
        1e-4,
        Difference::Central,
    );
    let d0 = g[0];
    let mut x = [4.0];
    numerical_gradient(
        |p: &[f64]| 3.0f64.powf(2.0) + p[0].powf(2.0),
        &mut x,
        &mut g,
        1e-4,
        Difference::Central,
    );
    let d1 = g[0];
    e.value("df/dx0 at (3,4)", d0)
        .value("df/dx1 at (3,4)", d1)
        .expect("df/dx0 at (3,4)", 6.00000000000378)
        .expect("df/dx1 at (3,4)", 7.999999999999119)
        .require(
            d0 == 6.00000000000378 && d1 == 7.999999999999119,
            "bit-identical to the seed's printed values",
        );
    out.push(e);

    let mut e = Experiment::new(
        SEED,
        "numerical-gradient",
        "numerical_gradient at (3,4), (0,2), (3,0)",
        "The gradient is the vector of partial derivatives; numerically it costs 2n evaluations of f.",
    );
    let mut all = true;
    for (p, want) in [
        ([3.0, 4.0], [6.0, 8.0]),
        ([0.0, 2.0], [0.0, 4.0]),
        ([3.0, 0.0], [6.0, 0.0]),
    ] {
        let mut x = p;
        let mut g = [0.0; 2];
        numerical_gradient(
            |v: &[f64]| Sphere.value(v),
            &mut x,
            &mut g,
            1e-4,
            Difference::Central,
        );
        all &= (g[0] - want[0]).abs() < 1e-9 && (g[1] - want[1]).abs() < 1e-9;
        let key = format!("grad at ({}, {})", p[0], p[1]);
        e.value(&key, json!(g)).expect(&key, json!(want));
    }
    e.require(all, "each component within 1e-9 of the exact gradient");
    out.push(e);

    let mut e = Experiment::new(
        SEED,
        "quiver",
        "The field of negative gradients",
        "Arrows of −∇f on a 0.25 grid over [−2, 2]²: every arrow points at the minimum (0, 0) — for this bowl; in general they do not.",
    );
    let mut n = 0;
    let mut inward = 0;
    for i in 0..17 {
        for j in 0..17 {
            let (x, y) = (-2.0 + 0.25 * i as f64, -2.0 + 0.25 * j as f64);
            let mut g = [0.0; 2];
            numerical_gradient(
                |v: &[f64]| Sphere.value(v),
                &mut [x, y],
                &mut g,
                1e-4,
                Difference::Central,
            );
            n += 1;
            if (x, y) == (0.0, 0.0) || (-g[0] * -x + -g[1] * -y) > 0.0 {
                inward += 1;
            }
        }
    }
    e.value("arrows", n)
        .value("arrows pointing at the minimum", inward)
        .expect("arrows", 289)
        .expect("arrows pointing at the minimum", 289)
        .require(
            n == 289 && inward == n,
            "all 17×17 arrows point toward (0, 0)",
        )
        .figure(Figure::Quiver {
            title: "−∇f for f = x0² + x1²".into(),
            grad: Arc::new(|x, y| (2.0 * x, 2.0 * y)),
            x: (-2.0, 2.0),
            y: (-2.0, 2.0),
            spacing: 0.25,
        });
    out.push(e);

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
            SEED,
            &gd_id(lr),
            &format!("Gradient descent, lr = {lr}"),
            text,
        );
        e.value("x after 100 steps", json!(r.x))
            .expect("x after 100 steps", json!(want))
            .value("f", r.f)
            .require(
                close(r.x[0], want[0], 1e-7) && close(r.x[1], want[1], 1e-7),
                "x within 1e-7 relative of the seed's printed values",
            )
            .figure(Figure::Contour {
                title: format!("GD on x0² + x1², lr = {lr}"),
                f: sphere_field(),
                x: (-4.5, 4.5),
                y: (-4.5, 4.5),
                log_levels: false,
                paths: vec![Path2::from_trajectory(&format!("lr = {lr}"), &r.trajectory)],
            });
        out.push(e);
    }

    let r = gd(LRS[2], STEPS);
    let big = r.x.iter().map(|v| v.abs()).fold(0.0, f64::max);
    let stall = r.notes.iter().any(|n| n.contains("cancels to 0"));
    let mut e = Experiment::new(
        SEED,
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
            "|x| of order 1e12–1e13 and the stall detected",
        );
    out.push(e);

    let r = gd(0.1, 30);
    let mut e = Experiment::new(
        SEED,
        "animation",
        "The descent, animated",
        "Thirty steps of lr = 0.1 from (−3, 4): each step shrinks x by the factor 0.8.",
    );
    let ratio = r.trajectory[30][1] / r.trajectory[29][1];
    e.value("x30 / x29", ratio)
        .expect("x30 / x29", 0.8)
        .require(close(ratio, 0.8, 1e-6), "contraction factor 1 − 2·lr")
        .figure(Figure::Animation {
            title: "GD on x0² + x1², lr = 0.1".into(),
            f: sphere_field(),
            x: (-4.5, 4.5),
            y: (-4.5, 4.5),
            path: Path2::from_trajectory("lr = 0.1", &r.trajectory),
        })
        .figure(Figure::Surface {
            title: "x0² + x1² with the descent".into(),
            f: sphere_field(),
            x: (-4.5, 4.5),
            y: (-4.5, 4.5),
            path: Path2::from_trajectory("lr = 0.1", &r.trajectory),
        });
    out.push(e);
    out.extend(super::seed004_search::experiments());
    out.extend(super::seed004_solvers::experiments());
    out.extend(super::seed004_fit::experiments());
    out
}
