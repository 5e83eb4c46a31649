//! `downhill bench train`: samples per second of the training loop on synthetic data, and the
//! data-streaming rate against this machine's read bandwidth, measured in the same process.
//!
//! `bytes_per_sample` is what one sample's data weighs, `(features + 1) × size_of(T)` (its row
//! and its target), `data_gbytes_per_s = bytes_per_sample × samples_per_s`, and
//! `fraction_of_limit` divides it by `limit_gb_per_s`: the best of the passes of a read probe
//! (`Σ aᵢ²` over `--limit-elems` `f32`, 4 bytes per element, on the same threads) made once
//! before the run, once after **every epoch** (outside the timed time: the probe's own time is
//! subtracted from `seconds`) and once after the run, so the limit and the epochs see the same
//! machine load.
//!
//! The epochs read rows in a random order, which no memory system serves at its sequential
//! rate, so a second probe made at the same moments measures that order's own limit:
//! `row_gather_samples_per_s` is the best rate of reading every row of the training matrix
//! once in a random order (one contiguous share of the order per thread, the row path's
//! prefetching, no model work), and `fraction_of_row_gather = samples_per_s /
//! row_gather_samples_per_s`. Its time is subtracted from `seconds` too.

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use downhill::data::pages;
use downhill::data::{Dataset, Task};
use downhill::model::{Activation, ModelConfig, ModelKind, Network, Scalar};
use downhill::train::{Callback, Context, TrainConfig, Trainer};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::cli::bench::BenchTrainArgs;
use crate::exit::{CliError, CliResult};
use crate::measure::{bench_optimizer, with_threads};

/// Synthetic data: `x ~ N(0, 1)`; linear `y = x·w + 0.5 + 0.1ε`; logistic
/// `y = [x·w/√d + 0.1ε > 0]`; softmax/mlp `y = argmax(x·W)` (a random linear teacher).
fn synthetic<T: Scalar>(a: &BenchTrainArgs, kind: ModelKind) -> CliResult<Dataset<T>> {
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

/// The probes: the read-bandwidth probe `Σ aᵢ²` over one `f32` buffer (`kernels::sum_sq`,
/// rayon over fixed leaves, 4 bytes per element) and the row-gather probe, which reads every
/// row of the training matrix once in a random order (`kernels::rows::gather_sum`, the row
/// path's prefetching, one contiguous share of the order per thread) — what the epoch's
/// reads cost with no model work and no per-batch synchronisation. Each keeps its best pass;
/// `spent` is their total time.
struct Probes<'a, T> {
    a: Vec<f32>,
    x: &'a [T],
    d: usize,
    order: Vec<usize>,
    best: f64,
    best_rows: f64,
    spent: f64,
}

impl<'a, T: Scalar> Probes<'a, T> {
    fn new(n: usize, data: &'a Dataset<T>, seed: u64) -> Self {
        let a = pages::filled(n, 0.5f32);
        black_box(downhill::kernels::sum_sq(&a));
        let mut order: Vec<usize> = (0..data.n()).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x005e_ed0f_0ade));
        Probes {
            a,
            x: data.x(),
            d: data.d(),
            order,
            best: f64::INFINITY,
            best_rows: f64::INFINITY,
            spent: 0.0,
        }
    }
    fn pass(&mut self) {
        let t = Instant::now();
        black_box(downhill::kernels::sum_sq(black_box(&self.a)));
        let dt = t.elapsed().as_secs_f64();
        let share = self
            .order
            .len()
            .div_ceil(rayon::current_num_threads())
            .max(1);
        let (x, d) = (self.x, self.d);
        let t = Instant::now();
        let s: f64 = self
            .order
            .par_chunks(share)
            .map(|idx| {
                let mut s = 0.0;
                downhill::kernels::rows::gather_sum(x, d, idx, &mut s);
                s
            })
            .sum();
        black_box(s);
        let dt_rows = t.elapsed().as_secs_f64();
        self.best = self.best.min(dt);
        self.best_rows = self.best_rows.min(dt_rows);
        self.spent += dt + dt_rows;
    }
    fn gb_per_s(&self) -> f64 {
        4.0 * self.a.len() as f64 / self.best / 1e9
    }
    fn rows_per_s(&self) -> f64 {
        self.order.len() as f64 / self.best_rows
    }
}

/// Runs the probes' passes at the end of every epoch.
struct ProbeEachEpoch<'a, T>(Rc<RefCell<Probes<'a, T>>>);

impl<T: Scalar> Callback<T> for ProbeEachEpoch<'_, T> {
    fn name(&self) -> &str {
        "bench_read_probe"
    }
    fn per_step(&self) -> bool {
        false
    }
    fn on_epoch_end(&mut self, _ctx: &mut Context<'_, T>) -> downhill::Result<()> {
        self.0.borrow_mut().pass();
        Ok(())
    }
}

fn run<T: Scalar>(a: &BenchTrainArgs, kind: ModelKind) -> CliResult<Value> {
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
    let probe = (a.limit_elems > 0)
        .then(|| Rc::new(RefCell::new(Probes::new(a.limit_elems, &data, a.seed))));
    let mut trainer = Trainer::new(&net, &data, tc);
    if let Some(p) = &probe {
        p.borrow_mut().pass();
        trainer.callbacks.push(Box::new(ProbeEachEpoch(p.clone())));
    }
    let before = probe.as_ref().map_or(0.0, |p| p.borrow().spent);
    let t = Instant::now();
    let res = trainer.run(opt.as_mut(), &init, None)?;
    let elapsed = t.elapsed().as_secs_f64();
    let seconds = elapsed - probe.as_ref().map_or(0.0, |p| p.borrow().spent - before);
    drop(trainer);
    let limits = probe.map(|p| {
        let mut p = p.borrow_mut();
        p.pass();
        (p.gb_per_s(), p.rows_per_s())
    });
    let limit = limits.map(|l| l.0);
    let rows_limit = limits.map(|l| l.1);
    let samples_per_s = (a.n * a.epochs) as f64 / seconds;
    let bytes_per_sample = (a.features + 1) * std::mem::size_of::<T>();
    let data_gbps = bytes_per_sample as f64 * samples_per_s / 1e9;
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
        "samples_per_s": samples_per_s,
        "seconds": seconds,
        "bytes_per_sample": bytes_per_sample,
        "data_gbytes_per_s": data_gbps,
        "limit_gb_per_s": limit,
        "fraction_of_limit": limit.map(|l| data_gbps / l),
        "row_gather_samples_per_s": rows_limit,
        "fraction_of_row_gather": rows_limit.map(|r| samples_per_s / r),
        "final_loss": final_loss,
        "status": format!("{:?}", res.status),
    }))
}

/// Runs `downhill bench train`. `seconds` covers `Trainer::run` only (not data generation),
/// with the whole-training-set loss switched off (`log_train_loss = false`); `final_loss` is
/// computed after the clock stops.
pub fn train(a: &BenchTrainArgs) -> CliResult<Value> {
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
