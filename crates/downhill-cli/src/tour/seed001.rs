//! Seed 001: 1-D gradient descent on x² with η = 0.2, 0.05, 0.9, 1.1.

use downhill::optim::Sgd;
use downhill::problems::Sphere;
use downhill::run::{Method, Run};
use serde_json::json;

use super::figure::{Chart, Figure, Series};
use super::presets::Preset;
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
        let mut opt = Sgd::with_lr(eta).expect("a valid learning rate");
        let r = Run::new(&Sphere, Method::Optimizer(&mut opt))
            .run(&[10.0], 10)
            .expect("an unbounded run");
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
    out.extend(minibatch());
    out
}

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
pub fn presets() -> Vec<Preset> {
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
                format!("seed{SEED}-minibatch-b{batch}-lr{lr}"),
                format!("Seed {SEED}: linear regression, batch {batch}, lr {lr}"),
                t,
            )
        })
        .collect()
}

/// Seed 001's `optimize(batch_size, lr, num_epochs = 3, decay_epoch, log_interval)` runs.
fn minibatch() -> Vec<Experiment> {
    use super::training::{config, linreg, loss_vs_epoch, schedule, train};
    use downhill::schedule::Unit;
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
            SEED,
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
                    );
            }
            (l, _) if l < 0.01 => {
                e.expect("final loss", "> 1 (too slow)").require(
                    r.final_train_loss > 1.0,
                    "loss still above 1 after 3 epochs",
                );
            }
            (_, 1) => {
                e.expect("final loss", "< 1e-4").require(
                    near && r.final_train_loss < 1e-4,
                    "w, b within 0.01 of the truth; loss < 1e-4",
                );
            }
            _ => {
                e.require(near, "w, b within 0.01 of the truth");
            }
        }
        e.figure(Figure::Curves {
            title: format!("seed 001: batch {batch}, lr {lr} — loss on the whole training set"),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            log_y: true,
            series: vec![loss_vs_epoch("loss", &r, 3)],
        });
        out.push(e);
    }
    out
}
