//! Noise: the gradient of a mini-batch is a noisy estimate, and the noise is both a cost and a
//! tool. Seed 001's mini-batch runs of linear regression (batch 1, 10, 1000; lr too small, right,
//! too large), seed 003's batch growth as an lr decay and SGD as a Langevin process, and
//! seed 000's linear learning-rate scaling for large batches.

pub(super) mod sgld;

use std::sync::Arc;

use downhill::optim::{Optimizer, Sgd};
use downhill::problems::DoubleWell;
use downhill::schedule::Unit;
use downhill::Objective;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde_json::json;

use super::figure::{Chart, Figure};
use super::presets::Preset;
use super::training::{config, digits_mlp, loss_vs_samples, schedule, train};
use super::Experiment;

/// (batch size, lr, decay epoch, log interval, run in f32, explanation).
type Case = (usize, f64, Option<usize>, usize, bool, &'static str);

/// The seed's five runs.
const CASES: [Case; 5] = [
    (1, 0.2, Some(2), 10, false, "Batch 1 (SGD), lr 0.2, lr × 0.1 after epoch 2: the loss drops fast, then fluctuates until the decay steadies it; w and b end near [2, −3.4] and 4.2."),
    (1000, 0.999, None, 1000, false, "Batch 1000 = full-batch GD with lr 0.999: one update per epoch, yet it ends as close as SGD after 3 epochs."),
    (10, 0.2, Some(2), 10, false, "Mini-batch 10, lr 0.2 with the decay: close to the true parameters."),
    (10, 5.0, Some(2), 10, false, "Mini-batch 10, lr 5: the loss grows by orders of magnitude per step (in float32, as the seed's MXNet ran it, until it is not a number). Downhill stops as diverged at the step where the loss passes 10¹⁰ × its starting value (`[train] divergence_threshold`) and keeps the parameters from before it; float64 and float32 report it the same way."),
    (10, 0.002, Some(2), 10, false, "Mini-batch 10, lr 0.002: too slow — after 3 epochs the parameters are still far from the truth."),
];

/// lr × 0.1 after epoch `d` (`multi_step_lr` counted in epochs).
fn decay_params(d: usize) -> serde_json::Value {
    json!({"milestones": [d], "gamma": 0.1, "unit": "epoch"})
}

/// The mini-batch runs as Training-view presets: seed 001's data and linear model, no
/// validation split, no standardisation, seed 1, the decay as `multi_step_lr` per epoch.
pub(super) fn minibatch_presets() -> Vec<Preset> {
    CASES
        .iter()
        .map(|&(batch, lr, decay, log_interval, f32_run, _)| {
            let mut t = json!({
                "dataset": "synthetic_linreg", "model": "linear", "hidden": "32",
                "optimizer": "sgd", "lr": lr, "batch": batch, "epochs": 3,
                "schedule": "", "vf": 0.0, "std": false, "seed": 1, "li": log_interval,
            });
            if let Some(d) = decay {
                t["schedule"] = json!("multi_step_lr");
                t["sp"] = decay_params(d);
            }
            if f32_run {
                t["precision"] = json!("f32");
            }
            Preset::training(
                format!("seed001-minibatch-b{batch}-lr{lr}"),
                format!("Seed 001: linear regression, batch {batch}, lr {lr}"),
                t,
            )
        })
        .collect()
}

/// Samples in seed 001's data set.
const LINREG_N: usize = 1000;

/// Seed 001's `optimize(batch_size, lr, num_epochs = 3, decay_epoch, log_interval)` runs.
pub(super) fn minibatch() -> Vec<Experiment> {
    use super::training::{config, linreg, loss_vs_epoch, loss_vs_steps, schedule, train};
    use downhill::train::TrainStatus;
    let mut out = Vec::new();
    for (batch, lr, decay, log_interval, f32_run, text) in CASES {
        let sched = |lr: f64| {
            decay.map(|d| {
                (
                    schedule("multi_step_lr", decay_params(d), lr, None),
                    Unit::Epoch,
                )
            })
        };
        let cfg = config(3, batch, log_interval);
        let r = if f32_run {
            let (net, data) = linreg::<f32>(0.01);
            train(
                &net,
                &data,
                None,
                cfg,
                &mut downhill::optim::Sgd::<f32>::with_lr(lr).expect("a valid learning rate"),
                sched(lr),
                None,
            )
        } else {
            let (net, data) = linreg::<f64>(0.01);
            train(
                &net,
                &data,
                None,
                cfg,
                &mut downhill::optim::Sgd::<f64>::with_lr(lr).expect("a valid learning rate"),
                sched(lr),
                None,
            )
        };
        let id = format!("minibatch-b{batch}-lr{lr}");
        let mut e = Experiment::new(
            "001",
            &id,
            &format!("Linear regression, batch {batch}, lr {lr}"),
            text,
        );
        let p = &r.params;
        let near =
            (p[0] - 2.0).abs() < 0.01 && (p[1] + 3.4).abs() < 0.01 && (p[2] - 4.2).abs() < 0.01;
        e.value("w", json!([p[0], p[1]]))
            .value("b", p[2])
            .value("final loss", r.final_train_loss)
            .value("status", format!("{:?}", r.status).to_lowercase())
            .expect("w", json!([2.0, -3.4]))
            .expect("b", 4.2);
        match (lr, batch) {
            (l, _) if l >= 5.0 => {
                let at = r.diverged_at.map(|d| (d.step, d.epoch));
                e.value("diverged at (step, epoch)", json!(at))
                    .expect("status", "diverged")
                    .require(
                        r.status == TrainStatus::Diverged && at.is_some(),
                        "divergence reported with its step",
                    )
                    .checks(&["status", "diverged at (step, epoch)"]);
            }
            (l, _) if l < 0.01 => {
                e.expect("final loss", "> 1 (too slow)").require(
                    r.final_train_loss > 1.0,
                    "loss still above 1 after 3 epochs",
                );
                e.checks(&["final loss"]);
            }
            (_, 1) => {
                e.expect("final loss", "< 1e-4").require(
                    near && r.final_train_loss < 1e-4,
                    "w, b within 0.01 of the truth; loss < 1e-4",
                );
                e.checks(&["w", "b", "final loss"]);
            }
            _ => {
                e.require(near, "w, b within 0.01 of the truth")
                    .checks(&["w", "b"]);
            }
        }
        let title = format!("seed 001: batch {batch}, lr {lr} — loss on the whole training set");
        e.figure(match r.diverged_at {
            // The steps actually run, and where the run stopped (not 3 epochs stretched over
            // the few logged points).
            Some(d) => Figure::Chart(Chart {
                title,
                x_label: "optimiser step".into(),
                y_label: "loss".into(),
                log_y: true,
                series: vec![loss_vs_steps("loss", &r, LINREG_N, |_| batch)],
                marked: vec![0],
                vlines: vec![(format!("diverged at step {}", d.step), d.step as f64)],
                ..Chart::default()
            }),
            None => Figure::Curves {
                title,
                x_label: "epoch".into(),
                y_label: "loss".into(),
                log_y: true,
                series: vec![loss_vs_epoch("loss", &r, 3)],
            },
        });
        out.push(e);
    }
    out
}

/// Seed 003: growing the batch instead of decaying the lr.
pub(super) fn batch_growth() -> Experiment {
    use super::training::{config, linreg, loss_vs_samples, loss_vs_steps, schedule, train};
    use downhill::schedule::Unit;
    let batch_of = |epoch: usize| 10 * 5usize.pow(epoch as u32).min(100);
    let mut e = Experiment::new(
        "003",
        "batch-growth",
        "Growing the batch instead of decaying the lr",
        "Seed 003: the noise temperature of SGD is ∝ lr / batch, so multiplying the batch by 5 each epoch cools it like dividing the lr by 5 — on seed 001's regression (noise 0.5) both reach the same loss, the growing batch with far fewer optimiser steps.",
    );
    let (net, data) = linreg::<f64>(0.5);
    let decay = train(
        &net,
        &data,
        None,
        config(4, 10, 1000),
        &mut downhill::optim::Sgd::<f64>::with_lr(0.1).expect("a valid learning rate"),
        Some((
            schedule(
                "exponential_lr",
                serde_json::json!({"gamma": 0.2, "unit": "epoch"}),
                0.1,
                None,
            ),
            Unit::Epoch,
        )),
        None,
    );
    let grow = train(
        &net,
        &data,
        None,
        config(4, 10, 1000),
        &mut downhill::optim::Sgd::<f64>::with_lr(0.1).expect("a valid learning rate"),
        None,
        Some(Box::new(batch_of)),
    );
    let ratio = grow.final_train_loss / decay.final_train_loss;
    e.value("final loss, lr decay ×0.2/epoch", decay.final_train_loss)
        .value("final loss, batch ×5/epoch", grow.final_train_loss)
        .value("optimiser steps, lr decay", decay.steps)
        .value("optimiser steps, batch growth", grow.steps)
        .expect("final loss, batch ×5/epoch", "≈ the lr-decay loss")
        .require(
            (0.9..1.1).contains(&ratio) && grow.steps * 3 < decay.steps,
            "seed 003's theory (noise ∝ lr / batch): losses within 10%, batch growth with < 1/3 of the steps",
        )
        .checks(&["final loss, batch ×5/epoch", "final loss, lr decay ×0.2/epoch", "optimiser steps, lr decay", "optimiser steps, batch growth"])
        .figure(Figure::Chart(Chart {
            title: "lr decay vs batch growth (loss vs samples seen)".into(),
            x_label: "samples seen".into(),
            y_label: "loss".into(),
            log_y: true,
            series: vec![
                loss_vs_samples("lr × 0.2 per epoch, batch 10", &decay),
                loss_vs_samples("batch × 5 per epoch, lr 0.1 (dots)", &grow),
            ],
            // The curves nearly coincide (that is the point): dots tell the second apart.
            marked: vec![1],
            ..Chart::default()
        }))
        .figure(Figure::Chart(Chart {
            title: "lr decay vs batch growth (loss vs optimiser steps)".into(),
            x_label: "optimiser steps".into(),
            y_label: "loss".into(),
            log_y: true,
            series: vec![
                loss_vs_steps("lr × 0.2 per epoch, batch 10", &decay, data.n(), |_| 10),
                loss_vs_steps("batch × 5 per epoch, lr 0.1", &grow, data.n(), batch_of),
            ],
            marked: vec![0, 1],
            ..Chart::default()
        }));
    e
}

/// Seed 003: SGD as a Langevin process on a double well.
pub(super) fn langevin() -> Experiment {
    let mut e = Experiment::new(
        "003",
        "langevin",
        "SGD as a Langevin process: iterates sample exp(−L/σ²)",
        "Gradient descent with Gaussian gradient noise on the double well L = (θ² − 1)² is the Euler scheme of dθ = −∇L dt + noise; its iterates are distributed with density ∝ exp(−L/σ²), σ² = lr·(noise std)²/2 = 0.5 here. The histogram of 800 000 iterates matches that density — both wells visited.",
    );
    let f = DoubleWell;
    let lr: f64 = 0.01;
    let temp: f64 = 0.5;
    let sd = (2.0 * temp / lr).sqrt();
    let noise = Normal::new(0.0, sd).unwrap_or_else(|_| unreachable!("sd > 0"));
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut opt = Sgd::with_lr(lr).expect("a valid learning rate");
    let mut x = [1.0];
    let mut g = [0.0];
    let mut samples = Vec::with_capacity(800_000);
    for k in 0..802_000 {
        f.gradient(&x, &mut g);
        g[0] += noise.sample(&mut rng);
        opt.step(&mut x, &mut g);
        if k >= 2000 {
            samples.push(x[0]);
        }
    }
    let (lo, hi, bins) = (-2.0, 2.0, 80);
    let w = (hi - lo) / bins as f64;
    let mut hist = vec![0.0; bins];
    for &s in &samples {
        let b = ((s - lo) / w).floor();
        if b >= 0.0 && (b as usize) < bins {
            hist[b as usize] += 1.0;
        }
    }
    let centers: Vec<f64> = (0..bins).map(|i| lo + (i as f64 + 0.5) * w).collect();
    let unnorm: Vec<f64> = centers
        .iter()
        .map(|&c| (-f.value(&[c]) / temp).exp())
        .collect();
    let z: f64 = unnorm.iter().sum::<f64>() * w;
    let density: Vec<f64> = unnorm.iter().map(|d| d / z).collect();
    let n = samples.len() as f64;
    let tv: f64 = 0.5
        * hist
            .iter()
            .zip(&density)
            .map(|(h, d)| (h / n - d * w).abs())
            .sum::<f64>();
    let left = samples.iter().filter(|&&s| s < 0.0).count() as f64 / n;
    e.value("total-variation distance", tv)
        .value("fraction in the left well", left)
        .expect("total-variation distance", "< 0.05")
        .expect("fraction in the left well", 0.5)
        .require(
            tv < 0.05 && (0.4..0.6).contains(&left),
            "closed-form stationary density: histogram within 0.05 TV of exp(−L/σ²); both wells equally visited",
        )
        .checks(&["total-variation distance", "fraction in the left well"])
        .figure(Figure::Histogram {
            title: "iterates of noisy GD on (θ² − 1)² vs exp(−L/σ²)".into(),
            samples,
            bins,
            range: (lo, hi),
            density_label: "∝ exp(−L/σ²)".into(),
            density: Arc::new(move |t: f64| (-(t * t - 1.0).powi(2) / temp).exp() / z),
        });
    e
}

/// Seed 000: large batches, linear lr scaling and warm-up.
pub(super) fn large_batch() -> Experiment {
    let mut e = Experiment::new(
        "000",
        "linear-scaling",
        "Batch B vs batch 8B: same lr, linearly scaled lr, and warm-up",
        "A digits MLP trained for 10 epochs with batch 16 and lr 0.02 (SGD). With batch 128 and the same lr it makes 8× fewer updates and lags behind; scaling the lr linearly (scale_rule = \"linear\", base_batch_size = 16 → lr 0.16) recovers the small-batch curve per sample seen; a linear warm-up over the first epoch tames the first steps at the large lr.",
    );
    let (net, tr, _) = digits_mlp(0.2, 64);
    let base = 0.02;
    let run = |batch: usize, sched: Option<serde_json::Value>| {
        let s = sched.map(|p| (schedule("constant_lr", p, base, Some(batch)), Unit::Step));
        train(
            &net,
            &tr,
            None,
            config(10, batch, 256),
            &mut Sgd::<f64>::with_lr(base).expect("a valid learning rate"),
            s,
            None,
        )
    };
    let small = run(16, None);
    let big_same = run(128, None);
    let scaled =
        json!({"factor": 1.0, "total_iters": 0, "scale_rule": "linear", "base_batch_size": 16});
    let big_scaled = run(128, Some(scaled));
    let steps_per_epoch = tr.n().div_ceil(128);
    let warm = json!({"factor": 1.0, "total_iters": 0, "scale_rule": "linear", "base_batch_size": 16, "warmup_steps": steps_per_epoch, "warmup_start_factor": 0.125});
    let big_warm = run(128, Some(warm));
    let f = |r: &downhill::train::TrainResult| r.final_train_loss;
    e.value("final loss, batch 16, lr 0.02", f(&small))
        .value("final loss, batch 128, lr 0.02", f(&big_same))
        .value("final loss, batch 128, lr 0.16 (scaled)", f(&big_scaled))
        .value("final loss, batch 128, lr 0.16 + warm-up", f(&big_warm))
        .value("lr of batch-128 scaled run", big_scaled.lr.first().copied().unwrap_or(f64::NAN))
        .expect("lr of batch-128 scaled run", 0.16)
        .expect("final loss, batch 128, lr 0.16 (scaled)", "≈ batch 16's, and < batch 128 at lr 0.02")
        .require(
            f(&big_scaled) < f(&big_same) && f(&big_scaled) < 2.0 * f(&small) && f(&big_warm) < f(&big_same)
                && super::close(big_scaled.lr.first().copied().unwrap_or(0.0), 0.16, 1e-12),
            "scaled lr = 8 × 0.02; scaled runs beat the unscaled large batch and stay within 2× of the small-batch loss",
        )
        .checks(&["final loss, batch 128, lr 0.16 (scaled)", "final loss, batch 128, lr 0.02", "final loss, batch 16, lr 0.02", "final loss, batch 128, lr 0.16 + warm-up", "lr of batch-128 scaled run"])
        .figure(Figure::Curves {
            title: "digits MLP: loss vs samples seen".into(),
            x_label: "samples seen".into(),
            y_label: "training loss".into(),
            log_y: true,
            series: vec![
                loss_vs_samples("B = 16, lr 0.02", &small),
                loss_vs_samples("8B = 128, lr 0.02", &big_same),
                loss_vs_samples("8B = 128, lr 0.16 (linear scaling)", &big_scaled),
                loss_vs_samples("8B = 128, lr 0.16 + warm-up", &big_warm),
            ],
        });
    e
}
