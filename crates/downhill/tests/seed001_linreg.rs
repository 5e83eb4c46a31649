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
    let (net, data) = linreg::<T>();
    let cfg = TrainConfig {
        epochs: 3,
        batch_size,
        sampling: Sampling::WithoutReplacement,
        log_interval: Some(log_interval),
        seed: 1,
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
    // > 2 for the Hessian ≈ I), and only the decay to 0.5 in epoch 3 pulls it back.
    let r64 = optimize(10, 5.0, Some(2), 10);
    assert!(r64.train_loss.iter().cloned().fold(0.0, f64::max) > 1e100);
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
