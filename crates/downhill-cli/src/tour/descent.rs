//! Descent: the gradient and the step against it. Seed 004's partial derivatives by central
//! differences, the numerical gradient, the field of negative gradients, and the descent on
//! x0² + x1² animated (its learning rates are in `step_size`).

use std::sync::Arc;

use downhill::diff::{numerical_gradient, Difference, Numeric};
use downhill::optim::Sgd;
use downhill::problems::Sphere;
use downhill::run::{Method, Run, RunResult};
use downhill::Objective;
use serde_json::json;

use super::figure::{Figure, Path2};
use super::{close, Experiment};

/// Seed 004's start point and number of steps of its descents.
pub(super) const X0: [f64; 2] = [-3.0, 4.0];
pub(super) const STEPS: usize = 100;
/// The learning rates of seed 004's descents on x0² + x1².
pub(super) const LRS: [f64; 3] = [0.1, 0.005, 10.0];

/// x0² + x1², for contours.
pub(super) fn sphere_field() -> super::figure::Field {
    Arc::new(|x, y| x * x + y * y)
}

/// `steps` steps of gradient descent with `lr` on x0² + x1² from [`X0`], numerical gradient.
pub(super) fn gd(lr: f64, steps: usize) -> RunResult {
    let mut opt = Sgd::with_lr(lr).expect("a valid learning rate");
    Run::new(&Numeric::new(Sphere), Method::Optimizer(&mut opt))
        .run(&X0, steps)
        .expect("an unbounded run")
}

/// Seed 004: partial derivatives, the numerical gradient and the field of −∇f.
pub(super) fn gradients() -> Vec<Experiment> {
    let mut out = Vec::new();
    let mut e = Experiment::new(
        "004",
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
            "the seed's printed values, bit for bit",
        )
        .checks(&["df/dx0 at (3,4)", "df/dx1 at (3,4)"]);
    out.push(e);

    let mut e = Experiment::new(
        "004",
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
        e.value(&key, json!(g))
            .expect(&key, json!(want))
            .checks(&[&key]);
    }
    e.require(
        all,
        "closed form ∇f = (2·x0, 2·x1), as the seed prints it: each component within 1e-9",
    );
    out.push(e);

    let mut e = Experiment::new(
        "004",
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
            "closed form −∇f = −(2·x0, 2·x1): all 17×17 arrows point toward (0, 0)",
        )
        .checks(&["arrows pointing at the minimum", "arrows"])
        .figure(Figure::Quiver {
            title: "−∇f for f = x0² + x1²".into(),
            grad: Arc::new(|x, y| (2.0 * x, 2.0 * y)),
            x: (-2.0, 2.0),
            y: (-2.0, 2.0),
            spacing: 0.25,
        });
    out.push(e);

    out
}

/// Seed 004: thirty steps of lr = 0.1, animated and on the surface.
pub(super) fn animation() -> Experiment {
    let r = gd(0.1, 30);
    let mut e = Experiment::new(
        "004",
        "animation",
        "The descent, animated",
        "Thirty steps of lr = 0.1 from (−3, 4): each step shrinks x by the factor 0.8.",
    );
    let ratio = r.trajectory[30][1] / r.trajectory[29][1];
    e.value("x30 / x29", ratio)
        .expect("x30 / x29", 0.8)
        .require(
            close(ratio, 0.8, 1e-6),
            "closed form: contraction factor 1 − 2·lr = 0.8, to 1e-6",
        )
        .checks(&["x30 / x29"])
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
    e
}
