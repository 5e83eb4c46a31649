//! `downhill bench train`: samples per second of the training loop on synthetic data.

use std::time::Instant;

use clap::Args;
use downhill::data::{Dataset, Task};
use downhill::model::{Activation, ModelConfig, ModelKind, Network, Scalar};
use downhill::train::{TrainConfig, Trainer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde_json::{json, Value};

use super::bench::{bench_optimizer, parse_count, with_threads};
use crate::exit::{CliError, CliResult};

/// `downhill bench train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// `linear`, `logistic`, `softmax` or `mlp`.
    #[arg(long)]
    pub model: String,
    /// Number of samples (`1000000` or `1e6`).
    #[arg(long, value_parser = parse_count)]
    pub n: usize,
    /// Number of features.
    #[arg(long, value_parser = parse_count)]
    pub features: usize,
    /// Samples per step.
    #[arg(long, default_value_t = 256)]
    pub batch_size: usize,
    /// Passes over the data.
    #[arg(long, default_value_t = 1)]
    pub epochs: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 0.01)]
    pub lr: f64,
    /// Optimiser (as `bench step --optimizer`).
    #[arg(long, default_value = "sgd")]
    pub optimizer: String,
    /// Optimiser state storage: `full` or `bf16`.
    #[arg(long, default_value = "full")]
    pub state_precision: String,
    /// Hidden width of the `mlp` (one hidden relu layer).
    #[arg(long, default_value_t = 256)]
    pub hidden: usize,
    /// Classes of `softmax` and `mlp` data.
    #[arg(long, default_value_t = 10)]
    pub classes: usize,
    /// `f32` (default) or `f64`.
    #[arg(long, default_value = "f32")]
    pub precision: String,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Seed of the data, the initialisation and the batches.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Synthetic data: `x ~ N(0, 1)`; linear `y = x·w + 0.5 + 0.1ε`; logistic
/// `y = [x·w/√d + 0.1ε > 0]`; softmax/mlp `y = argmax(x·W)` (a random linear teacher).
fn synthetic<T: Scalar>(a: &TrainArgs, kind: ModelKind) -> CliResult<Dataset<T>> {
    let (n, d) = (a.n, a.features);
    let mut rng = ChaCha8Rng::seed_from_u64(a.seed);
    let mut normal = || -> f64 { rng.sample(StandardNormal) };
    let outs = match kind {
        ModelKind::Softmax | ModelKind::Mlp => a.classes,
        _ => 1,
    };
    let w: Vec<f64> = (0..d * outs).map(|_| normal()).collect();
    let mut x = downhill::data::pages::vec_with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    let mut row = vec![0.0f64; d];
    for _ in 0..n {
        row.iter_mut().for_each(|v| *v = normal());
        let dot = |k: usize| -> f64 { row.iter().zip(&w[k * d..]).map(|(a, b)| a * b).sum() };
        let target = match kind {
            ModelKind::Linear => dot(0) + 0.5 + 0.1 * normal(),
            ModelKind::Logistic => f64::from(dot(0) / (d as f64).sqrt() + 0.1 * normal() > 0.0),
            _ => {
                (0..outs)
                    .map(|k| (k, dot(k)))
                    .fold(
                        (0, f64::NEG_INFINITY),
                        |b, (k, v)| if v > b.1 { (k, v) } else { b },
                    )
                    .0 as f64
            }
        };
        x.extend(row.iter().map(|&v| T::of(v)));
        y.push(T::of(target));
    }
    let task = match kind {
        ModelKind::Linear => Task::Regression,
        ModelKind::Logistic => Task::Classification { classes: 2 },
        _ => Task::Classification { classes: outs },
    };
    Ok(Dataset::new(x, y, d, task)?)
}

fn run<T: Scalar>(a: &TrainArgs, kind: ModelKind) -> CliResult<Value> {
    let data = synthetic::<T>(a, kind)?;
    let cfg = ModelConfig {
        kind,
        hidden: if kind == ModelKind::Mlp {
            vec![a.hidden]
        } else {
            Vec::new()
        },
        activation: Activation::Relu,
        head: None,
    };
    let net = Network::<T>::new(cfg.spec(&data)?)?;
    let init = net.init(a.seed);
    let mut opt = bench_optimizer::<T>(&a.optimizer, a.lr, &a.state_precision)?;
    let tc = TrainConfig {
        epochs: a.epochs,
        batch_size: a.batch_size,
        seed: a.seed,
        // Time the training loop only, as the peers' loops are timed: the whole-set loss is
        // computed after the clock stops.
        log_train_loss: false,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&net, &data, tc);
    let t = Instant::now();
    let res = trainer.run(opt.as_mut(), &init, None)?;
    let seconds = t.elapsed().as_secs_f64();
    let params: Vec<T> = res.params.iter().map(|&v| T::of(v)).collect();
    let all: Vec<usize> = (0..data.n()).collect();
    let final_loss = net.loss(&params, &data, &all, None).f64();
    let threads = rayon::current_num_threads();
    Ok(json!({
        "model": a.model,
        "n": a.n,
        "features": a.features,
        "params": net.n_params(),
        "batch_size": a.batch_size,
        "epochs": a.epochs,
        "optimizer": a.optimizer,
        "lr": a.lr,
        "precision": T::NAME,
        "threads": threads,
        "samples_per_s": (a.n * a.epochs) as f64 / seconds,
        "seconds": seconds,
        "final_loss": final_loss,
        "status": format!("{:?}", res.status),
    }))
}

/// Runs `downhill bench train`. `seconds` covers `Trainer::run` only (not data generation),
/// with the whole-training-set loss switched off (`log_train_loss = false`); `final_loss` is
/// computed after the clock stops.
pub fn train(a: &TrainArgs) -> CliResult<Value> {
    let kind = match a.model.as_str() {
        "linear" => ModelKind::Linear,
        "logistic" => ModelKind::Logistic,
        "softmax" => ModelKind::Softmax,
        "mlp" => ModelKind::Mlp,
        m => {
            return Err(CliError::input(format!(
                "--model {m}: expected linear, logistic, softmax or mlp"
            )))
        }
    };
    if a.classes < 2 {
        return Err(CliError::input("--classes must be at least 2"));
    }
    // The whole run (data, model, loop) lives on the pool's threads; only the loop is timed.
    match a.precision.as_str() {
        "f32" => with_threads(a.threads, || run::<f32>(a, kind))?,
        "f64" => with_threads(a.threads, || run::<f64>(a, kind))?,
        p => Err(CliError::input(format!(
            "--precision {p}: expected `f32` or `f64`"
        ))),
    }
}
