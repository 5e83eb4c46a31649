//! Seed 001's linear-regression experiment (1000 samples, w = [2, −3.4], b = 4.2, noise 0.01)
//! as tests: `optimize(batch_size, lr, num_epochs = 3, decay_epoch, log_interval)`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use downhill::data::builtin::SyntheticOptions;
use downhill::data::{synthetic_linreg, Dataset, Sampling};
use downhill::model::{Activation, Head, ModelKind, ModelSpec, Network, Scalar};
use downhill::optim::Sgd;
use downhill::schedule::{ScheduleConfig, Unit};
use downhill::train::{TrainConfig, TrainResult, TrainStatus, Trainer};

fn linreg<T: Scalar>() -> (Network<T>, Dataset<T>) {
    let data = synthetic_linreg::<T>(&SyntheticOptions::default()).unwrap();
    let net = Network::new(ModelSpec {
        kind: ModelKind::Linear,
        inputs: 2,
        hidden: vec![],
        outputs: 1,
        activation: Activation::Relu,
        head: Head::Linear,
    })
    .unwrap();
    (net, data)
}

/// Seed 001's `optimize`: lr × 0.1 for epochs after `decay_epoch` (multi_step_lr with
/// milestones = [decay_epoch], gamma = 0.1, stepped per epoch).
fn optimize(
    batch_size: usize,
    lr: f64,
    decay_epoch: Option<usize>,
    log_interval: usize,
) -> TrainResult {
    optimize_in::<f64>(batch_size, lr, decay_epoch, log_interval)
}

/// The same in the seed's precision (MXNet's default float32).
fn optimize_in<T: Scalar>(
    batch_size: usize,
    lr: f64,
    decay_epoch: Option<usize>,
    log_interval: usize,
) -> TrainResult {
    let threshold = TrainConfig::default().divergence_threshold;
    optimize_with::<T>(batch_size, lr, decay_epoch, log_interval, threshold)
}

/// [`optimize_in`] with a given divergence threshold (`None`: off).
fn optimize_with<T: Scalar>(
    batch_size: usize,
    lr: f64,
    decay_epoch: Option<usize>,
    log_interval: usize,
    divergence_threshold: Option<f64>,
) -> TrainResult {
    let (net, data) = linreg::<T>();
    let cfg = TrainConfig {
        epochs: 3,
        batch_size,
        sampling: Sampling::WithoutReplacement,
        log_interval: Some(log_interval),
        seed: 1,
        divergence_threshold,
        ..TrainConfig::default()
    };
    let mut t = Trainer::new(&net, &data, cfg);
    if let Some(d) = decay_epoch {
        // `[schedule] name = "multi_step_lr", milestones = [d], gamma = 0.1, unit = "epoch"`.
        let sc = ScheduleConfig::from_named(
            "multi_step_lr",
            serde_json::json!({"milestones": [d], "gamma": 0.1, "unit": "epoch"}),
        )
        .unwrap();
        assert_eq!(sc.unit(), Unit::Epoch);
        t.schedule = Some((sc.build(lr, None).unwrap(), Unit::Epoch));
    }
    let mut opt = Sgd::<T>::with_lr(lr).unwrap();
    t.run(&mut opt, &net.init(1), None).unwrap()
}

fn close_to_truth(r: &TrainResult) {
    let p = &r.params;
    assert!((p[0] - 2.0).abs() < 0.01, "w0 = {}", p[0]);
    assert!((p[1] + 3.4).abs() < 0.01, "w1 = {}", p[1]);
    assert!((p[2] - 4.2).abs() < 0.01, "b = {}", p[2]);
}

#[test]
fn sgd_batch_1_lr_0_2_with_decay_after_epoch_2() {
    let r = optimize(1, 0.2, Some(2), 10);
    assert_eq!(r.status, TrainStatus::Completed);
    close_to_truth(&r);
    assert!(r.final_train_loss < 1e-4, "{}", r.final_train_loss);
    // 1 initial + 100 logs per epoch (every 10 samples).
    assert_eq!(r.train_loss.len(), 301);
    assert_eq!(r.lr, vec![0.2, 0.2, 0.2 * 0.1]);
    assert_eq!(r.steps, 3000);
}

#[test]
fn full_batch_gd_lr_0_999() {
    let r = optimize(1000, 0.999, None, 1000);
    assert_eq!(r.status, TrainStatus::Completed);
    assert_eq!(r.steps, 3);
    assert_eq!(r.train_loss.len(), 4);
    // Three full-batch steps from w ≈ 0 land as close to the truth as SGD.
    close_to_truth(&r);
    assert!(r.final_train_loss < 1e-3, "{}", r.final_train_loss);
}

#[test]
fn minibatch_10_lr_5_diverges_with_the_step_reported() {
    // In float32, as the seed ran it, the loss overflows to inf/NaN within the first epoch.
    let r = optimize_in::<f32>(10, 5.0, Some(2), 10);
    assert_eq!(r.status, TrainStatus::Diverged);
    let at = r.diverged_at.unwrap();
    assert!(
        at.step >= 1 && at.step <= r.steps && at.epoch >= 1,
        "{at:?}"
    );
    assert!(
        r.params.iter().all(|v| v.is_finite()),
        "last finite params kept"
    );
    assert_eq!(at.epoch, 1);
    // In float64 the same run grows past 1e180 but stays finite: lr 5 is unstable (lr·λ ≈ 5
    // > 2 for the Hessian ≈ I), and only the decay to 0.5 in epoch 3 pulls it back (without
    // the divergence threshold, which stops it: see the next test).
    let r64 = optimize_with::<f64>(10, 5.0, Some(2), 10, None);
    assert!(r64.train_loss.iter().cloned().fold(0.0, f64::max) > 1e100);
}

/// Issue 14, defect b: with the default divergence threshold the f64 run stops as diverged
/// too, at the step whose batch loss passed 1e10 · L₀, with the parameters before it.
#[test]
fn minibatch_10_lr_5_diverges_in_f64_and_f32_under_the_default_threshold() {
    for r in [
        optimize(10, 5.0, Some(2), 10),
        optimize_in::<f32>(10, 5.0, Some(2), 10),
    ] {
        assert_eq!(r.status, TrainStatus::Diverged);
        let at = r.diverged_at.unwrap();
        assert_eq!(at.epoch, 1, "{at:?}");
        assert_eq!(r.steps, at.step);
        assert!(r.params.iter().all(|v| v.is_finite()));
        // Every logged loss but the last is below 1e10 · L₀; the last passed it (f64) or is
        // the one that overflowed (f32).
        let (last, before) = r.train_loss.split_last().unwrap();
        let limit = 1e10 * r.train_loss[0];
        assert!(before.iter().all(|&l| l <= limit), "{:?}", r.train_loss);
        assert!(*last > limit || !last.is_finite(), "{:?}", r.train_loss);
    }
    // Switched off, f64 completes (the behaviour before the threshold).
    let off = optimize_with::<f64>(10, 5.0, Some(2), 10, None);
    assert_eq!(off.status, TrainStatus::Completed);
    // A healthy run is not affected.
    assert_eq!(
        optimize(10, 0.2, Some(2), 10).status,
        TrainStatus::Completed
    );
}

#[test]
fn seed_runs_in_f32_agree() {
    let r = optimize_in::<f32>(1, 0.2, Some(2), 10);
    close_to_truth(&r);
    assert!(r.final_train_loss < 1e-4, "{}", r.final_train_loss);
    let r = optimize_in::<f32>(1000, 0.999, None, 1000);
    assert!(r.final_train_loss < 0.01, "{}", r.final_train_loss);
}

#[test]
fn minibatch_10_lr_0_002_is_still_far_after_3_epochs() {
    let r = optimize(10, 0.002, Some(2), 10);
    assert_eq!(r.status, TrainStatus::Completed);
    assert!(
        *r.train_loss.last().unwrap() > 1.0,
        "{:?}",
        r.train_loss.last()
    );
}

#[test]
fn minibatch_10_lr_0_2_converges() {
    let r = optimize(10, 0.2, Some(2), 10);
    close_to_truth(&r);
}
