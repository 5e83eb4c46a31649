//! Seed 002's "flat minima generalise", answered by seeking them on purpose: SAM (Foret et
//! al. 2021) around the same SGD, from the same start, measured by `downhill::landscape`.

use downhill::data::Dataset;
use downhill::landscape::{self, Landscape, LandscapeConfig};
use downhill::model::Network;
use downhill::optim::{OptimizerConfig, WrappersConfig};
use downhill::train::{TrainConfig, TrainResult};
use downhill_plot::LegendPosition;
use serde_json::json;

use crate::tour::figure::{Chart, Figure, Series};
use crate::tour::training::{digits_mlp, train};
use crate::tour::{three_digits, Experiment};

/// SAM's neighbourhood radius ρ (the paper's default for SGD on CIFAR).
const RHO: f64 = 0.05;

/// The run of `seed002-flat-sharp`'s small batch — SGD, lr 0.05, momentum 0.9, batch 16, 20
/// epochs, seed 1 — with `[wrappers]` `wrappers` around it.
fn fit(
    net: &Network<f64>,
    tr: &Dataset<f64>,
    va: &Dataset<f64>,
    wrappers: serde_json::Value,
) -> Result<TrainResult, String> {
    let cfg = TrainConfig {
        epochs: 20,
        batch_size: 16,
        seed: 1,
        ..TrainConfig::default()
    };
    let wrappers: WrappersConfig = serde_json::from_value(wrappers).map_err(|e| e.to_string())?;
    let mut opt = OptimizerConfig::from_named("sgd", json!({"lr": 0.05, "momentum": 0.9}))
        .map_err(|e| e.to_string())
        .and_then(|c| c.build::<f64>().map_err(|e| e.to_string()))
        .and_then(|o| wrappers.apply(o).map_err(|e| e.to_string()))?;
    Ok(train(net, tr, Some(va), cfg, opt.as_mut(), None, None))
}

/// The mean rise of the training loss at distance t ≥ 0 from the solution along the
/// surface's four half-directions ±δ, ±η: (t, mean of L(θ ± t·d) − L(θ)).
fn mean_rise(l: &Landscape) -> (Vec<f64>, Vec<f64>) {
    let s = &l.surface;
    let n = s.a.len();
    let c = n / 2;
    let centre = s.train_loss[c][c];
    let ts: Vec<f64> = s.a[c..].to_vec();
    let rise = (0..n - c)
        .map(|k| {
            let around = [
                s.train_loss[c][c + k],
                s.train_loss[c][c - k],
                s.train_loss[c + k][c],
                s.train_loss[c - k][c],
            ];
            around.iter().map(|v| v - centre).sum::<f64>() / 4.0
        })
        .collect();
    (ts, rise)
}

/// The experiment `seed002-sam`.
pub(crate) fn experiment() -> Experiment {
    let mut e = Experiment::new(
        "002",
        "sam",
        "The answer to flat minima: SAM seeks them on purpose",
        "Seed 002 says flat minima generalise better. SAM (Foret et al. 2021, `[wrappers] sam = { rho = 0.05 }`) minimises the worst loss within ρ of the weights: each step takes a second gradient at w + ρ·g/‖g‖. Around the very SGD of the flat-and-sharp experiment above (digits MLP 64-32-10, lr 0.05, momentum 0.9, batch 16, 20 epochs) and from the same initialisation, SAM's solution has a smaller largest Hessian eigenvalue and a smaller ε-sharpness (Keskar et al., ε = 10⁻³), both by `downhill::landscape`, and a validation accuracy no worse. The figures: how fast the training loss rises around each solution along the same filter-normalised random directions (the mean over ±δ, ±η), and the two sharpness numbers.",
    );
    let (net, tr, va) = digits_mlp(0.2, 32);
    let theta0 = net.init(1);
    let cfg = LandscapeConfig {
        alpha_resolution: 4,
        surface_points: 11,
        surface_range: 0.25,
        ..LandscapeConfig::default()
    };
    let mut runs = Vec::new();
    for (label, wrappers) in [
        ("SGD", json!({})),
        (
            "SAM (ρ = 0.05) around the same SGD",
            json!({"sam": {"rho": RHO}}),
        ),
    ] {
        let measured = fit(&net, &tr, &va, wrappers).and_then(|r| {
            landscape::compute(&net, &tr, Some(&va), &theta0, &r.params, None, &cfg)
                .map(|l| (r, l))
                .map_err(|e| e.to_string())
        });
        match measured {
            Ok((r, l)) => runs.push((label, r, l)),
            Err(msg) => {
                e.require(
                    false,
                    &format!("{label}: trains and its landscape computes ({msg})"),
                );
                return e;
            }
        }
    }
    let acc = |r: &TrainResult| r.final_val.and_then(|m| m.accuracy).unwrap_or(f64::NAN);
    let (sgd, sam) = (&runs[0], &runs[1]);
    let (ls, lm) = (
        sgd.2.sharpness.hessian_max_eigenvalue,
        sam.2.sharpness.hessian_max_eigenvalue,
    );
    let (es, em) = (
        sgd.2.sharpness.epsilon_sharpness,
        sam.2.sharpness.epsilon_sharpness,
    );
    let (as_, am) = (acc(&sgd.1), acc(&sam.1));
    e.value("SGD: largest Hessian eigenvalue", ls)
        .value("SAM: largest Hessian eigenvalue", lm)
        .value("SGD: ε-sharpness (%)", es)
        .value("SAM: ε-sharpness (%)", em)
        .value("SGD: validation accuracy", as_)
        .value("SAM: validation accuracy", am)
        .value("SGD: final training loss", sgd.1.final_train_loss)
        .value("SAM: final training loss", sam.1.final_train_loss)
        .expect("SAM: largest Hessian eigenvalue", "< SGD's")
        .expect("SAM: ε-sharpness (%)", "< SGD's")
        .expect("SAM: validation accuracy", "≥ SGD's")
        .require(
            lm < ls && em < es && am >= as_ && lm.is_finite() && em.is_finite(),
            "SAM's claim (Foret et al. 2021): from the same start, SAM's solution has a smaller largest Hessian eigenvalue and a smaller ε-sharpness than SGD's, and a validation accuracy at least as high",
        )
        .checks(&[
            "SGD: largest Hessian eigenvalue",
            "SAM: largest Hessian eigenvalue",
            "SGD: ε-sharpness (%)",
            "SAM: ε-sharpness (%)",
            "SGD: validation accuracy",
            "SAM: validation accuracy",
        ])
        .lead("SAM: largest Hessian eigenvalue");
    let series = runs
        .iter()
        .map(|(label, _, l)| {
            let (xs, ys) = mean_rise(l);
            Series {
                label: label.to_string(),
                xs,
                ys,
            }
        })
        .collect();
    let bars = |title: &str, y: &str, v: [f64; 2]| Figure::Bars {
        title: title.into(),
        x_label: "solution".into(),
        y_label: y.into(),
        categories: vec!["SGD".into(), format!("SAM (ρ = {RHO})")],
        groups: vec![(String::new(), v.map(three_digits).to_vec())],
    };
    e.figure(Figure::Chart(Chart {
        title: "how fast the training loss rises around each solution".into(),
        x_label: "distance t along ±δ, ±η (filter-normalised random directions)".into(),
        y_label: "mean of L(θ ± t·d) − L(θ) over the 4 directions".into(),
        series,
        marked: vec![0, 1],
        legend: LegendPosition::UpperLeft,
        ..Chart::default()
    }))
    .figure(bars(
        "largest Hessian eigenvalue λ_max (landscape)",
        "λ_max",
        [ls, lm],
    ))
    .figure(bars(
        "ε-sharpness, ε = 10⁻³ (landscape, Keskar et al.)",
        "ε-sharpness (%)",
        [es, em],
    ));
    e
}
