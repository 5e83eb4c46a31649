//! Seed 001: 1-D gradient descent on x² with η = 0.2, 0.05, 0.9, 1.1.

use downhill::optim::Sgd;
use downhill::problems::Sphere;
use downhill::run::{minimize, RunOptions};
use serde_json::json;

use super::figure::{Figure, Series};
use super::{close, Experiment};

const SEED: &str = "001";

/// The seed's experiments.
pub fn experiments() -> Vec<Experiment> {
    let mut out = Vec::new();
    let cases = [
        (0.2, 0.0605, "η = 0.2: x shrinks by 0.6 per step and is close to the optimum after 10 steps."),
        (0.05, 3.487, "η = 0.05: too small — x creeps down by 10% per step."),
        (0.9, 1.074, "η = 0.9: too large — x overshoots the optimum and flips sign every step (factor −0.8)."),
        (1.1, 61.917, "η = 1.1: the first-order Taylor argument fails; |x| grows by 1.2 per step — divergence."),
    ];
    for (eta, seed_x, text) in cases {
        let mut opt = Sgd::new(eta);
        let opts = RunOptions {
            steps: 10,
            tolerance: None,
        };
        let r = minimize(&Sphere, &mut opt, &[10.0], &opts, |_, _| {});
        let xs: Vec<f64> = r.trajectory.iter().map(|p| p[0]).collect();
        let x = r.x[0];
        let exact = 10.0 * (1.0f64 - 2.0 * eta).powi(10);
        let mut e = Experiment::new(
            SEED,
            &format!("gd-1d-eta-{eta}"),
            &format!("f(x) = x², x₀ = 10, η = {eta}"),
            text,
        );
        e.value("x after 10 steps", x)
            .expect("x after 10 steps", json!(seed_x))
            .value("closed form 10·(1 − 2η)¹⁰", exact)
            .require(close(x, exact, 1e-12), "x = 10·(1 − 2η)¹⁰ to 1e-12")
            .require(
                close(x.abs(), seed_x, 6e-4),
                "|x| matches the seed's printed value to its digits",
            );
        if eta == 0.9 {
            e.require(
                xs.windows(2).all(|w| w[0] * w[1] < 0.0),
                "signs alternate (overshoot)",
            );
        }
        let n = xs.iter().fold(10.0f64, |m, v| m.max(v.abs()));
        let grid: Vec<f64> = (0..=200).map(|i| -n + 2.0 * n * i as f64 / 200.0).collect();
        e.figure(Figure::Curves {
            title: format!("gradient descent on x², η = {eta}"),
            x_label: "x".into(),
            y_label: "f(x)".into(),
            log_y: false,
            series: vec![
                Series {
                    label: "f(x) = x²".into(),
                    ys: grid.iter().map(|x| x * x).collect(),
                    xs: grid,
                },
                Series {
                    label: "iterates".into(),
                    ys: xs.iter().map(|x| x * x).collect(),
                    xs,
                },
            ],
        });
        out.push(e);
    }
    out
}
