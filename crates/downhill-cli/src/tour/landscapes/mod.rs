//! Landscapes: what the surface looks like where descent goes. Seed 002's saddle point and local
//! minima, early stopping on the validation curve, weight averaging (SWA), and flat against
//! sharp minima (`flat_sharp`).

pub(super) mod flat_sharp;
pub(super) mod sam;

use std::sync::Arc;

use downhill::optim::{Optimizer, Sgd};
use downhill::problems::{by_name, Saddle};
use downhill::run::{Method, Run};
use downhill::Objective;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde_json::json;

use super::figure::{Chart, Figure, Path2, Series};
use super::Experiment;

/// Seed 002: escaping a saddle point, GD against SGD.
pub(super) fn saddle() -> Experiment {
    let mut e = Experiment::new(
        "002",
        "saddle-escape",
        "A saddle point: full-batch GD stalls, SGD's noise escapes",
        "On x0² − x1² from (1, 0) the gradient has no x1 component, so full-batch GD slides into the saddle (0, 0) and stops there with a vanishing gradient. Adding gradient noise (σ = 0.01, as a mini-batch would) pushes x1 off the ridge and the unstable direction amplifies it by 1 + 2·lr per step.",
    );
    let f = Saddle;
    let steps = 60;
    let lr = 0.1;
    let mut opt = Sgd::with_lr(lr).expect("a valid learning rate");
    let gd = Run::new(&f, Method::Optimizer(&mut opt))
        .run(&[1.0, 0.0], steps)
        .expect("an unbounded run");
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let noise = Normal::new(0.0, 0.01).unwrap_or_else(|_| unreachable!("σ > 0"));
    let mut x = [1.0f64, 0.0];
    let mut g = [0.0; 2];
    let mut sgd = Sgd::with_lr(lr).expect("a valid learning rate");
    let mut path = vec![x.to_vec()];
    for _ in 0..steps {
        f.gradient(&x, &mut g);
        for gi in &mut g {
            *gi += noise.sample(&mut rng);
        }
        sgd.step(&mut x, &mut g);
        path.push(x.to_vec());
    }
    let gd_grad = (gd.x[0] * 2.0).hypot(gd.x[1] * 2.0);
    e.value("GD final x", json!(gd.x))
        .value("GD gradient norm", gd_grad)
        .value("SGD final |x1|", x[1].abs())
        .value("SGD final f", f.value(&x))
        .expect("GD final x", json!([0.0, 0.0]))
        .expect("SGD final |x1|", "> 0.5 (escaped)")
        .require(
            gd.x[1] == 0.0 && gd_grad < 1e-4 && x[1].abs() > 0.5,
            "GD stuck at the saddle, SGD escaped",
        )
        .checks(&["GD final x", "GD gradient norm", "SGD final |x1|"])
        .lead("SGD final |x1|")
        .figure(Figure::Contour {
            title: "x0² − x1²: GD vs noisy SGD from (1, 0)".into(),
            f: Arc::new(|x, y| x * x - y * y),
            x: (-1.5, 1.5),
            y: (-1.5, 1.5),
            log_levels: false,
            paths: vec![
                Path2::from_trajectory("full-batch GD", &gd.trajectory),
                Path2::from_trajectory(
                    "SGD (noise σ = 0.01)",
                    path[..path
                        .iter()
                        .position(|p| p[1].abs() > 1.4)
                        .unwrap_or(path.len())]
                        .iter()
                        .map(Vec::as_slice),
                ),
            ],
            value_range: None,
        });
    e
}

/// Seed 002: which local minimum a start reaches.
pub(super) fn local_minima() -> Experiment {
    let mut e = Experiment::new(
        "002",
        "local-minima",
        "Local minima: where GD ends depends on where it starts",
        "Rastrigin (A = 10) has a local minimum near every integer point. GD with lr = 0.002 from a 5×5 grid of starts over [−4.5, 4.5]² ends in many different minima; only the starts in the central basin find the global one.",
    );
    let f = match by_name::<f64>("rastrigin") {
        Ok(f) => f,
        Err(_) => unreachable!("built-in"),
    };
    let mut ends: Vec<(i64, i64)> = Vec::new();
    let mut global = 0;
    let mut paths = Vec::new();
    for i in 0..5 {
        for j in 0..5 {
            let x0 = [-4.5 + 2.25 * i as f64 + 0.1, -4.5 + 2.25 * j as f64 + 0.05];
            let mut opt = Sgd::with_lr(0.002).expect("a valid learning rate");
            let r = Run::new(f.as_ref(), Method::Optimizer(&mut opt))
                .run(&x0, 500)
                .expect("an unbounded run");
            let key = (r.x[0].round() as i64, r.x[1].round() as i64);
            if !ends.contains(&key) {
                ends.push(key);
            }
            if r.f < 1e-6 {
                global += 1;
            }
            // Every start is drawn (unlabelled: 25 legend lines would cover the map).
            paths.push(Path2::from_trajectory("", &r.trajectory));
        }
    }
    e.value("starts", 25)
        .value("distinct minima reached", ends.len())
        .value("runs reaching the global minimum", global)
        .expect("distinct minima reached", "> 1")
        .require(
            ends.len() > 5 && global < 25,
            "many distinct local minima; not every start finds the global one",
        )
        .checks(&[
            "distinct minima reached",
            "runs reaching the global minimum",
        ])
        .figure(Figure::Contour {
            title: format!(
                "Rastrigin: GD from 25 starts; {global} of 25 end at the global minimum"
            ),
            f: Arc::new(|x: f64, y: f64| {
                let t = std::f64::consts::TAU;
                20.0 + x * x - 10.0 * (t * x).cos() + y * y - 10.0 * (t * y).cos()
            }),
            // Half a cell beyond the outermost minima, so that no end marker is clipped.
            x: (-5.5, 5.5),
            y: (-5.5, 5.5),
            log_levels: false,
            paths,
            value_range: None,
        });
    e
}

/// Seed 002: early stopping on the validation curve.
pub(super) fn early_stopping() -> Experiment {
    use crate::tour::training::{config, digits_mlp, train};
    use downhill::train::{EarlyStoppingConfig, Monitor, TrainStatus};
    let mut e = Experiment::new(
        "002",
        "early-stopping",
        "Early stopping on the validation curve",
        "An MLP (64-128-10) trained on only 20% of the digits overfits: its training loss keeps falling while the validation loss turns up. Early stopping (patience 5 epochs on val_loss) halts the run and restores the parameters of the best validation epoch.",
    );
    let (net, tr, val) = digits_mlp(0.8, 128);
    let mut cfg = config(200, 16, tr.n());
    cfg.early_stopping = Some(EarlyStoppingConfig {
        monitor: Monitor::ValLoss,
        min_delta: 0.0,
        patience: 5,
        restore_best: true,
    });
    let mut opt = downhill::optim::Sgd::<f64>::new(downhill::optim::SgdConfig {
        lr: 0.01,
        momentum: 0.9,
        ..Default::default()
    })
    .expect("a valid learning rate");
    let r = train(&net, &tr, Some(&val), cfg, &mut opt, None, None);
    let vals: Vec<f64> = r.val_metrics.iter().map(|m| m.loss).collect();
    let (best_i, best) =
        vals.iter().enumerate().fold(
            (0, f64::INFINITY),
            |b, (i, &v)| if v < b.1 { (i, v) } else { b },
        );
    let restored = r.final_val.as_ref().map_or(f64::NAN, |m| m.loss);
    // The last 30 epochs of the validation loss on a linear axis: on the log axis of the whole
    // run its turn is invisible.
    let from = vals.len().saturating_sub(30);
    let zoom = Figure::Chart(Chart {
        title: "validation loss, last 30 epochs: the turn that stops the run".into(),
        x_label: "epoch".into(),
        y_label: "validation loss".into(),
        series: vec![Series {
            label: "validation loss".into(),
            xs: (from + 1..=vals.len()).map(|i| i as f64).collect(),
            ys: vals[from..].to_vec(),
        }],
        marked: vec![0],
        vlines: vec![(format!("best epoch {}", best_i + 1), (best_i + 1) as f64)],
        ..Chart::default()
    });
    e.value("epochs run", r.epochs)
        .value("best epoch", best_i + 1)
        .value("best validation loss", best)
        .value("validation loss of the returned parameters", restored)
        .value(
            "validation accuracy",
            r.final_val
                .as_ref()
                .and_then(|m| m.accuracy)
                .unwrap_or(f64::NAN),
        )
        .expect("epochs run", "< 200 (stopped early)")
        .expect(
            "validation loss of the returned parameters",
            "= best validation loss",
        )
        .require(
            r.status == TrainStatus::EarlyStopped
                && r.epochs == best_i + 1 + 5
                && crate::tour::close(restored, best, 1e-9),
            "stopped 5 epochs after the best epoch and restored its parameters",
        )
        .checks(&[
            "epochs run",
            "best epoch",
            "best validation loss",
            "validation loss of the returned parameters",
        ])
        .figure(Figure::Chart(Chart {
            title: "digits MLP on 20% of the data: training vs validation loss".into(),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            log_y: true,
            vlines: vec![
                (
                    format!("best epoch {} (restored)", best_i + 1),
                    (best_i + 1) as f64,
                ),
                (format!("stopped at epoch {}", r.epochs), r.epochs as f64),
            ],
            series: vec![
                Series {
                    label: "training loss".into(),
                    xs: (1..=r.train_loss.len()).map(|i| (i - 1) as f64).collect(),
                    ys: r.train_loss.clone(),
                },
                Series {
                    label: "validation loss".into(),
                    xs: (1..=vals.len()).map(|i| i as f64).collect(),
                    ys: vals,
                },
            ],
            ..Chart::default()
        }))
        .figure(zoom);
    e
}

/// Seed 002: stochastic weight averaging.
pub(super) fn weight_averaging() -> Experiment {
    use crate::tour::training::{config, linreg, train};
    use downhill::data::builtin::SyntheticOptions;
    use downhill::train::{SwaConfig, TrainResult};
    let mut e = Experiment::new(
        "002",
        "swa",
        "Stochastic weight averaging lowers the final loss",
        "SGD with batch 1 and a constant lr 0.05 on seed 001's regression (label noise 0.5) keeps jumping around the minimum; averaging the iterates of the last 10 epochs (SWA, swa_start = 10, swa_lr = 0.05) lands much closer to it. SWA does not change the iterates (same lr, same batches): it changes the parameters returned. The figure shows it on 1000 held-out samples (seed 1): the iterate's validation loss after every epoch, and that of the SWA average of the epochs so far.",
    );
    let (net, data) = linreg::<f64>(0.5);
    let held_out = downhill::data::synthetic_linreg::<f64>(&SyntheticOptions {
        noise: Some(0.5),
        seed: Some(1),
        ..SyntheticOptions::default()
    })
    .unwrap_or_else(|e| unreachable!("seed data: {e}"));
    let sgd = || downhill::optim::Sgd::<f64>::with_lr(0.05).expect("a valid learning rate");
    let plain = train(
        &net,
        &data,
        Some(&held_out),
        config(20, 1, 1000),
        &mut sgd(),
        None,
        None,
    );
    let swa_run = |epochs: usize| {
        let mut cfg = config(epochs, 1, 1000);
        cfg.swa = Some(SwaConfig {
            swa_start: 10,
            swa_lr: 0.05.into(),
            anneal_epochs: 0,
            anneal_strategy: Default::default(),
        });
        train(&net, &data, Some(&held_out), cfg, &mut sgd(), None, None)
    };
    let swa = swa_run(20);
    let val = |r: &TrainResult| r.final_val.as_ref().map_or(f64::NAN, |m| m.loss);
    // the average of epochs 10…k is what a k-epoch run returns
    let averages: Vec<(f64, f64)> = (11..=20).map(|k| (k as f64, val(&swa_run(k)))).collect();
    // Best achievable: the least-squares fit's loss equals ½·noise² ≈ 0.125.
    e.value("final loss, last iterate", plain.final_train_loss)
        .value("final loss, SWA average", swa.final_train_loss)
        .value("validation loss, last iterate", val(&plain))
        .value("validation loss, SWA average", val(&swa))
        .expect(
            "final loss, SWA average",
            "< last iterate's (the noise floor is about ½·0.5² = 0.125)",
        )
        .expect("validation loss, SWA average", "< last iterate's")
        .require(
            swa.final_train_loss < plain.final_train_loss,
            "the average beats the last iterate",
        )
        .require(val(&swa) < val(&plain), "and on held-out data")
        .checks(&[
            "final loss, SWA average",
            "final loss, last iterate",
            "validation loss, last iterate",
            "validation loss, SWA average",
        ])
        .figure(Figure::Chart(Chart {
            title: "batch-1 SGD, lr 0.05: held-out loss of the iterate vs the SWA average".into(),
            x_label: "epoch".into(),
            y_label: "validation loss (1000 held-out samples)".into(),
            series: vec![
                Series {
                    label: "SGD iterate after each epoch".into(),
                    xs: plain.val_metrics.iter().map(|m| m.epoch as f64).collect(),
                    ys: plain.val_metrics.iter().map(|m| m.loss).collect(),
                },
                Series {
                    label: "SWA average of epochs 10…k".into(),
                    xs: averages.iter().map(|a| a.0).collect(),
                    ys: averages.iter().map(|a| a.1).collect(),
                },
            ],
            marked: vec![0, 1],
            vlines: vec![("swa_start = 10".into(), 10.0)],
            ..Chart::default()
        }));
    e
}
