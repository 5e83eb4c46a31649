//! Seed 002's flat versus sharp minima: the digits MLP trained with a small batch, a large
//! batch and SWA, and the landscape of each solution (`downhill::landscape`).

use std::sync::Arc;

use downhill::data::Dataset;
use downhill::landscape::{self, Landscape, LandscapeConfig};
use downhill::model::Network;
use downhill::optim::OptimizerConfig;
use downhill::train::{SwaConfig, TrainConfig, TrainResult};
use serde_json::json;

use crate::tour::figure::{Figure, Series};
use crate::tour::training::{digits_mlp, train};
use crate::tour::Experiment;

/// The three solutions: (label, batch size, epochs, SWA).
const RUNS: [(&str, usize, usize, bool); 3] = [
    ("small batch (16)", 16, 20, false),
    ("large batch (718)", 718, 200, false),
    ("small batch + SWA", 16, 20, true),
];

fn fit(
    net: &Network<f64>,
    tr: &Dataset<f64>,
    va: &Dataset<f64>,
    batch: usize,
    epochs: usize,
    swa: bool,
) -> TrainResult {
    let cfg = TrainConfig {
        epochs,
        batch_size: batch,
        seed: 1,
        swa: swa.then(|| SwaConfig {
            swa_start: epochs / 2,
            swa_lr: 0.05.into(),
            anneal_epochs: 0,
            anneal_strategy: Default::default(),
        }),
        ..TrainConfig::default()
    };
    let mut opt = OptimizerConfig::from_named("sgd", json!({"lr": 0.05, "momentum": 0.9}))
        .map_err(|e| e.to_string())
        .and_then(|c| c.build::<f64>().map_err(|e| e.to_string()))
        .unwrap_or_else(|e| unreachable!("fixed optimiser: {e}"));
    train(net, tr, Some(va), cfg, opt.as_mut(), None, None)
}

fn settings() -> LandscapeConfig {
    LandscapeConfig {
        alpha_resolution: 10,
        surface_points: 21,
        ..LandscapeConfig::default()
    }
}

fn at(v: &[f64], x: f64) -> Option<usize> {
    v.iter().position(|&a| a == x)
}

/// Whether the landscape's α = 0, α = 1 and (0, 0) values are the run's, bit for bit.
fn consistent(l: &Landscape, r: &TrainResult) -> bool {
    let i = &l.interpolation;
    let s = &l.surface;
    let same =
        |a: Option<f64>, b: Option<f64>| a.zip(b).is_some_and(|(a, b)| a.to_bits() == b.to_bits());
    same(
        at(&i.alpha, 0.0).map(|k| i.train_loss[k]),
        r.train_loss.first().copied(),
    ) && same(
        at(&i.alpha, 1.0).map(|k| i.train_loss[k]),
        Some(r.final_train_loss),
    ) && same(
        at(&s.b, 0.0)
            .zip(at(&s.a, 0.0))
            .map(|(j, k)| s.train_loss[j][k]),
        Some(r.final_train_loss),
    )
}

/// The experiment `seed002-flat-sharp`.
pub(crate) fn experiment() -> Experiment {
    let mut e = Experiment::new(
        "002",
        "flat-sharp",
        "Flat and sharp minima: small batch, large batch, SWA",
        "The digits MLP (64-32-10, relu) is trained by SGD (lr 0.05, momentum 0.9) with batch 16 for 20 epochs, with batch 718 (half the training set) for 200 epochs, and with batch 16 plus SWA over the last 10 epochs. Keskar et al. 2017 found large-batch solutions sharper; Izmailov et al. 2018 found SWA's average flatter. For each solution: the loss along the line from the common initialisation (Goodfellow et al.), a 21×21 surface along two filter-normalised random directions (Li et al.; the same seed for all three), the largest Hessian eigenvalue and Keskar's ε-sharpness (ε = 10⁻³). The verdicts on flatness are reported as measured, either way.",
    );
    let (net, tr, va) = digits_mlp(0.2, 32);
    let cfg = settings();
    let theta0 = net.init(1);
    let mut runs = Vec::new();
    for (label, batch, epochs, swa) in RUNS {
        let r = fit(&net, &tr, &va, batch, epochs, swa);
        let l = landscape::compute(&net, &tr, Some(&va), &theta0, &r.params, None, &cfg);
        runs.push((label, r, l));
    }
    // One colour scale for the three surfaces, so that one colour is one loss in all of them.
    let shared = runs
        .iter()
        .filter_map(|(_, _, l)| l.as_ref().ok())
        .flat_map(|l| l.surface.train_loss.iter().flatten().copied())
        .filter(|v| v.is_finite())
        .fold(None, |r: Option<(f64, f64)>, v| {
            Some(r.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        });
    let mut ok = true;
    let mut lambda = Vec::new();
    let mut eps = Vec::new();
    let mut interp = Vec::new();
    for (label, r, l) in &runs {
        let Ok(l) = l else {
            e.require(false, &format!("{label}: the landscape computes"));
            return e;
        };
        ok &= consistent(l, r) && r.final_train_loss < 0.1 * r.train_loss[0];
        let s = l.sharpness;
        ok &= s.hessian_max_eigenvalue.is_finite() && s.epsilon_sharpness.is_finite();
        lambda.push(s.hessian_max_eigenvalue);
        eps.push(s.epsilon_sharpness);
        let acc = r.final_val.and_then(|m| m.accuracy).unwrap_or(f64::NAN);
        e.value(&format!("{label}: final training loss"), r.final_train_loss)
            .value(&format!("{label}: validation accuracy"), acc)
            .value(
                &format!("{label}: largest Hessian eigenvalue"),
                s.hessian_max_eigenvalue,
            )
            .value(&format!("{label}: ε-sharpness (%)"), s.epsilon_sharpness)
            .checks(&[&format!("{label}: final training loss")]);
        interp.push(Series {
            label: label.to_string(),
            xs: l.interpolation.alpha.clone(),
            ys: l.interpolation.train_loss.clone(),
        });
        let sf = &l.surface;
        let f = crate::present::plotting::field(&sf.a, &sf.b, &sf.train_loss);
        e.figure(Figure::Contour {
            title: format!("{label}: training loss at θ₁ + x₀·δ + x₁·η"),
            f: Arc::new(f),
            x: (sf.a[0], sf.a[sf.a.len() - 1]),
            y: (sf.b[0], sf.b[sf.b.len() - 1]),
            log_levels: true,
            paths: Vec::new(),
            value_range: shared,
        });
    }
    // Between the solutions: small → large batch (Keskar et al.'s figure), small → SWA.
    let between = |to: usize| {
        landscape::interpolate(
            &net,
            &tr,
            Some(&va),
            &runs[0].1.params,
            &runs[to].1.params,
            cfg.alphas(),
        )
    };
    let (to_large, to_swa) = (between(1), between(2));
    let barrier = |i: &landscape::Interpolation| {
        let inside: Vec<f64> = i
            .alpha
            .iter()
            .zip(&i.train_loss)
            .filter(|(a, _)| (0.0..=1.0).contains(*a))
            .map(|(_, l)| *l)
            .collect();
        let top = inside.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        top - inside
            .first()
            .copied()
            .unwrap_or(0.0)
            .max(inside.last().copied().unwrap_or(0.0))
    };
    let small_flatter_lambda = lambda[0] < lambda[1];
    let swa_flatter_lambda = lambda[2] < lambda[0];
    e.value("small batch flatter than large (λ_max)", small_flatter_lambda)
        .value("small batch flatter than large (ε-sharpness)", eps[0] < eps[1])
        .value("SWA flatter than small batch (λ_max)", swa_flatter_lambda)
        .value("SWA flatter than small batch (ε-sharpness)", eps[2] < eps[0])
        .value("loss barrier small → large batch", barrier(&to_large))
        .value("loss barrier small batch → SWA", barrier(&to_swa))
        .expect("small batch flatter than large (λ_max)", "true (Keskar et al. 2017)")
        .expect("SWA flatter than small batch (λ_max)", "true (Izmailov et al. 2018)")
        .require(
            ok,
            "every run trains (final loss < 1/10 of the initial) and its landscape's α = 0, α = 1 and (0, 0) losses equal the run's bit for bit, with finite sharpness; the flatness verdicts are reported as measured, not required",
        );
    let mut pairs = Vec::new();
    for (label, i) in [
        ("small → large batch", &to_large),
        ("small batch → SWA", &to_swa),
    ] {
        pairs.push(Series {
            label: format!("{label}: training"),
            xs: i.alpha.clone(),
            ys: i.train_loss.clone(),
        });
        pairs.push(Series {
            label: format!("{label}: validation"),
            xs: i.alpha.clone(),
            ys: i.val_loss.clone(),
        });
    }
    e.figure(Figure::Curves {
        title: "training loss along (1 − α)·θ₀ + α·θ₁ from the common initialisation".into(),
        x_label: "α".into(),
        y_label: "loss".into(),
        log_y: true,
        series: interp,
    })
    .figure(Figure::Curves {
        title: "loss between the solutions: α = 0 small batch, α = 1 large batch or SWA".into(),
        x_label: "α".into(),
        y_label: "loss".into(),
        log_y: true,
        series: pairs,
    });
    e
}
