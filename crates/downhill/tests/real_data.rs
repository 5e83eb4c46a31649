//! Real-data tests (issue 5, item 7): softmax on iris, an MLP on digits, linear regression on
//! diabetes against closed-form least squares, and the feature-scaling lr measurement.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use downhill::data::builtin::SyntheticOptions;
use downhill::data::{builtin, prepare, Dataset};
use downhill::model::{Activation, ModelConfig, ModelKind, Network};
use downhill::optim::Sgd;
use downhill::train::{TrainConfig, TrainResult, TrainStatus, Trainer};

fn load(name: &str) -> Dataset<f64> {
    builtin(name, &SyntheticOptions::default()).unwrap()
}

fn model(kind: ModelKind, hidden: Vec<usize>, data: &Dataset<f64>) -> Network<f64> {
    let cfg = ModelConfig {
        kind,
        hidden,
        activation: Activation::Relu,
        head: None,
    };
    Network::new(cfg.spec(data).unwrap()).unwrap()
}

fn train(
    net: &Network<f64>,
    tr: &Dataset<f64>,
    va: &Dataset<f64>,
    opt: Sgd<f64>,
    cfg: TrainConfig,
) -> TrainResult {
    let mut opt = opt;
    let seed = cfg.seed;
    let mut t = Trainer::new(net, tr, cfg);
    t.val = Some(va);
    t.run(&mut opt, &net.init(seed), None).unwrap()
}

#[test]
fn softmax_on_iris_reaches_95_percent() {
    let (tr, va, _) = prepare(&load("iris"), 0.2, 0, true).unwrap();
    let net = model(ModelKind::Softmax, vec![], &tr);
    let cfg = TrainConfig {
        epochs: 100,
        batch_size: 16,
        ..TrainConfig::default()
    };
    let r = train(&net, &tr, &va, Sgd::with_lr(0.1).unwrap(), cfg);
    let acc = r.val_metrics.last().unwrap().accuracy.unwrap();
    assert!(acc >= 0.95, "iris val accuracy {acc}");
}

#[test]
fn mlp_on_digits_reaches_95_percent() {
    let (tr, va, _) = prepare(&load("digits"), 0.2, 0, true).unwrap();
    let net = model(ModelKind::Mlp, vec![64], &tr);
    let cfg = TrainConfig {
        epochs: 20,
        batch_size: 32,
        ..TrainConfig::default()
    };
    let r = train(
        &net,
        &tr,
        &va,
        Sgd::new(downhill::optim::SgdConfig {
            lr: 0.05,
            momentum: 0.9,
            ..Default::default()
        })
        .unwrap(),
        cfg,
    );
    let acc = r.val_metrics.last().unwrap().accuracy.unwrap();
    eprintln!("digits MLP val accuracy {acc}");
    assert!(acc >= 0.95, "digits val accuracy {acc}");
}

/// Ordinary least squares with intercept on `ds` by the normal equations (Gauss–Jordan with
/// partial pivoting); returns `[w…, b]`.
fn least_squares(ds: &Dataset<f64>) -> Vec<f64> {
    let d = ds.d() + 1;
    let mut a = vec![vec![0.0; d + 1]; d];
    for i in 0..ds.n() {
        let mut x = ds.row(i).to_vec();
        x.push(1.0);
        for r in 0..d {
            for c in 0..d {
                a[r][c] += x[r] * x[c];
            }
            a[r][d] += x[r] * ds.y()[i];
        }
    }
    for col in 0..d {
        let piv = (col..d)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, piv);
        let p = a[col][col];
        a[col].iter_mut().for_each(|v| *v /= p);
        for r in 0..d {
            if r != col {
                let f = a[r][col];
                let row = a[col].clone();
                a[r].iter_mut().zip(&row).for_each(|(v, c)| *v -= f * c);
            }
        }
    }
    a.iter().map(|row| row[d]).collect()
}

fn r2(params: &[f64], ds: &Dataset<f64>) -> f64 {
    let d = ds.d();
    let mean = ds.y().iter().sum::<f64>() / ds.n() as f64;
    let (mut res, mut tot) = (0.0, 0.0);
    for i in 0..ds.n() {
        let p: f64 = ds
            .row(i)
            .iter()
            .zip(params)
            .map(|(a, b)| a * b)
            .sum::<f64>()
            + params[d];
        res += (ds.y()[i] - p).powi(2);
        tot += (ds.y()[i] - mean).powi(2);
    }
    1.0 - res / tot
}

#[test]
fn linear_on_diabetes_matches_closed_form_r2() {
    let (tr, va, _) = prepare(&load("diabetes"), 0.2, 0, true).unwrap();
    let net = model(ModelKind::Linear, vec![], &tr);
    let cfg = TrainConfig {
        epochs: 3000,
        batch_size: tr.n(),
        ..TrainConfig::default()
    };
    let r = train(&net, &tr, &va, Sgd::with_lr(0.1).unwrap(), cfg);
    let got = r.val_metrics.last().unwrap().r2.unwrap();
    let best = r2(&least_squares(&tr), &va);
    eprintln!("diabetes val R²: GD {got}, closed form {best}");
    assert!(
        (got - best).abs() <= 0.02,
        "GD {got} vs least squares {best}"
    );
}

/// Largest lr on a grid `10^{k/2}` for which 200 full-batch GD steps stay finite and lower the
/// training loss.
fn largest_stable_lr(tr: &Dataset<f64>) -> f64 {
    let net = model(ModelKind::Linear, vec![], tr);
    for k in (-20..=2).rev() {
        let lr = 10f64.powf(k as f64 / 2.0);
        let cfg = TrainConfig {
            epochs: 200,
            batch_size: tr.n(),
            ..TrainConfig::default()
        };
        let mut t = Trainer::new(&net, tr, cfg);
        let r = t
            .run(&mut Sgd::with_lr(lr).unwrap(), &net.init(0), None)
            .unwrap();
        if r.status == TrainStatus::Completed && r.final_train_loss < r.train_loss[0] {
            return lr;
        }
    }
    0.0
}

#[test]
fn without_standardisation_gd_needs_a_far_smaller_lr() {
    let (raw, _, _) = prepare(&load("diabetes"), 0.2, 0, false).unwrap();
    let (scaled, _, _) = prepare(&load("diabetes"), 0.2, 0, true).unwrap();
    let (lr_raw, lr_scaled) = (largest_stable_lr(&raw), largest_stable_lr(&scaled));
    eprintln!("largest stable lr: raw {lr_raw:e}, standardised {lr_scaled:e}");
    assert!(lr_raw > 0.0);
    assert!(lr_scaled / lr_raw >= 1000.0, "{lr_scaled} vs {lr_raw}");
}
