//! Seed 000: large batches — linear learning-rate scaling and warm-up.

use serde_json::json;

use super::figure::Figure;
use super::training::{config, digits_mlp, loss_vs_samples, schedule, train};
use super::Experiment;
use downhill::optim::Sgd;
use downhill::schedule::Unit;

const SEED: &str = "000";

/// The seed's experiments.
pub fn experiments() -> Vec<Experiment> {
    vec![large_batch()]
}

fn large_batch() -> Experiment {
    let mut e = Experiment::new(
        SEED,
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
