//! Shared set-up of the tour's training experiments: seed 001's linear regression, the digits
//! MLP, and a run helper over [`downhill::train::Trainer`].

use downhill::data::builtin::SyntheticOptions;
use downhill::data::{builtin, prepare, synthetic_linreg, Dataset, Sampling};
use downhill::model::{Activation, Head, ModelKind, ModelSpec, Network, Scalar};
use downhill::optim::Optimizer;
use downhill::schedule::Schedule;
use downhill::schedule::Unit;
use downhill::train::{TrainConfig, TrainResult, Trainer};
use serde_json::Value;

use super::figure::Series;

/// Seed 001's data (n = 1000, w = [2, −3.4], b = 4.2, noise 0.01) and a linear model.
pub fn linreg<T: Scalar>(noise: f64) -> (Network<T>, Dataset<T>) {
    let o = SyntheticOptions {
        noise: Some(noise),
        ..SyntheticOptions::default()
    };
    let data = synthetic_linreg::<T>(&o).unwrap_or_else(|e| unreachable!("seed data: {e}"));
    let net = Network::new(ModelSpec {
        kind: ModelKind::Linear,
        inputs: 2,
        hidden: vec![],
        outputs: 1,
        activation: Activation::Relu,
        head: Head::Linear,
    })
    .unwrap_or_else(|e| unreachable!("linear model: {e}"));
    (net, data)
}

/// Digits, standardised, split (train, validation), with an MLP `64 → hidden → 10`.
pub fn digits_mlp(
    validation_fraction: f64,
    hidden: usize,
) -> (Network<f64>, Dataset<f64>, Dataset<f64>) {
    let data = builtin::<f64>("digits", &SyntheticOptions::default())
        .unwrap_or_else(|e| unreachable!("embedded digits: {e}"));
    let (train, val, _) =
        prepare(&data, validation_fraction, 0, true).unwrap_or_else(|e| unreachable!("split: {e}"));
    let net = Network::new(ModelSpec {
        kind: ModelKind::Mlp,
        inputs: 64,
        hidden: vec![hidden],
        outputs: 10,
        activation: Activation::Relu,
        head: Head::Softmax,
    })
    .unwrap_or_else(|e| unreachable!("mlp: {e}"));
    (net, train, val)
}

/// A schedule from its config name and parameters (the tour's own, fixed configs).
pub fn schedule(
    name: &str,
    params: Value,
    lr: f64,
    batch_size: Option<usize>,
) -> Box<dyn Schedule> {
    super::schedules::build_with_batch_size(name, params, lr, None, batch_size)
}

/// Trains `net` on `data` with `opt` from `net.init(seed)`.
pub fn train<T: Scalar>(
    net: &Network<T>,
    data: &Dataset<T>,
    val: Option<&Dataset<T>>,
    cfg: TrainConfig,
    opt: &mut dyn Optimizer<T>,
    schedule: Option<(Box<dyn Schedule>, Unit)>,
    batch_size: Option<Box<dyn FnMut(usize) -> usize>>,
) -> TrainResult {
    let seed = cfg.seed;
    let mut t = Trainer::new(net, data, cfg);
    t.val = val;
    t.schedule = schedule;
    t.batch_size_schedule = batch_size;
    match t.run(opt, &net.init(seed), None) {
        Ok(r) => r,
        Err(e) => unreachable!("tour training run: {e}"),
    }
}

/// A config with the seed's defaults.
pub fn config(epochs: usize, batch_size: usize, log_interval: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size,
        sampling: Sampling::WithoutReplacement,
        log_interval: Some(log_interval),
        seed: 1,
        ..TrainConfig::default()
    }
}

/// The logged training loss against epochs, as seed 001 plots it (`np.linspace(0, epochs, len)`).
pub fn loss_vs_epoch(label: &str, r: &TrainResult, epochs: usize) -> Series {
    let n = r.train_loss.len().max(2) - 1;
    Series {
        label: label.to_string(),
        xs: (0..r.train_loss.len())
            .map(|i| i as f64 * epochs as f64 / n as f64)
            .collect(),
        ys: r.train_loss.clone(),
    }
}

/// The logged training loss against samples seen.
pub fn loss_vs_samples(label: &str, r: &TrainResult) -> Series {
    Series {
        label: label.to_string(),
        xs: r.log_samples.iter().map(|&s| s as f64).collect(),
        ys: r.train_loss.clone(),
    }
}

/// The logged training loss against optimiser steps, for a run over `n` samples per epoch with
/// batch size `batch_of(epoch)`: after `s` samples of an epoch the trainer has taken
/// ⌈s / B⌉ steps in it (the last batch of an epoch may be short).
pub fn loss_vs_steps(
    label: &str,
    r: &TrainResult,
    n: usize,
    batch_of: impl Fn(usize) -> usize,
) -> Series {
    let steps = |samples: usize| {
        let (mut left, mut steps, mut epoch) = (samples, 0, 0);
        while left > 0 && n > 0 {
            let b = batch_of(epoch).max(1);
            let here = left.min(n);
            steps += here.div_ceil(b);
            left -= here;
            epoch += 1;
        }
        steps as f64
    };
    Series {
        label: label.to_string(),
        xs: r.log_samples.iter().map(|&s| steps(s)).collect(),
        ys: r.train_loss.clone(),
    }
}
