//! `downhill bench`: measured speed of optimiser steps (against this machine's memory
//! bandwidth, measured in the same process), of gradients, and of training.
//!
//! Numbers are wall-clock times of release builds; run on an idle machine and repeat. Nothing
//! here is asserted by tests — tests only check that the commands run and report sane fields.
//!
//! `bench step` reports `ns_per_step` as the *best* of `--steps` timed steps (and the median
//! beside it), and `gb_per_s` from that best time, because the bandwidth limit it is divided
//! by is a best-of-5 too: on a shared machine the best is what the hardware does, the median
//! what the neighbours let it do.
//!
//! Every large buffer — the probe's, the parameters and gradient handed to the step, and the
//! optimiser's own state — is allocated as Downhill's trainer allocates its streamed buffers
//! (`data::pages::streamed_with_capacity`: transparent huge pages from 128 MiB): streaming
//! 10⁸-element vectors through 4 KiB pages costs a page walk per page and stream (Adam at
//! 10⁸ `f32`: 64.7 → 56.8 ms). `DOWNHILL_HUGE_PAGES=0` turns the advice off.

use std::hint::black_box;
use std::time::Instant;

use downhill::data::pages;
use downhill::kernels::{self, dispatch};
use downhill::optim::Optimizer;
use downhill::{Float, Objective};
use serde_json::{json, Value};

use crate::cli::bench::{GradientArgs, StepArgs};
use crate::exit::{CliError, CliResult};
use crate::measure::{bench_optimizer, with_threads};

/// The largest dimension at which `bench gradient` times the numerical gradient without
/// `--numeric`.
pub const NUMERIC_MAX_DIM: usize = 10_000;

/// Bytes one step moves per `f32` parameter, counting each buffer read and each written once
/// (the gradient is read, never written). Doubled for `f64`.
///
/// | optimiser | reads | writes | bytes (f32) |
/// |---|---|---|---|
/// | sgd | θ, g | θ | 12 |
/// | sgd_momentum, momentum, rmsprop, adagrad, lion | θ, g, one buffer | θ, buffer | 20 |
/// | adam, adamw, adamax, nadam, radam, adadelta | θ, g, two buffers | θ, two buffers | 28 |
pub fn bytes_per_param_f32(name: &str) -> Option<usize> {
    Some(match name {
        "sgd" => 12,
        "sgd_momentum" | "momentum" | "nesterov" | "rmsprop" | "adagrad" | "lion" => 20,
        "adam" | "adamw" | "adamax" | "nadam" | "radam" | "adadelta" => 28,
        _ => return None,
    })
}

/// Bytes per `f32` parameter and step with bfloat16 state: θ and g are 4 bytes each way,
/// each state buffer 2 (adam, adamw: 4 + 4 + 2·2 read, 4 + 2·2 written = 20; sgd momentum 16).
/// `None` for optimisers without a bf16 state option (f64 parameters count the same state).
pub fn bytes_per_param_bf16_state(name: &str) -> Option<usize> {
    Some(match name {
        "sgd_momentum" => 16,
        "adam" | "adamw" => 20,
        _ => return None,
    })
}

fn set_level(level: &str) -> CliResult<()> {
    let l = match level {
        "auto" | "avx512" => dispatch::Level::Avx512,
        "avx2" => dispatch::Level::Avx2,
        "baseline" => dispatch::Level::Baseline,
        _ => {
            return Err(CliError::input(format!(
                "--level {level}: expected auto, avx512, avx2 or baseline"
            )))
        }
    };
    dispatch::set_max_level(l);
    Ok(())
}

/// The bandwidth probe: `a ← a + s·b` over two `f32` buffers, 12 bytes per element.
pub struct Probe {
    a: Vec<f32>,
    b: Vec<f32>,
    best: f64,
}

impl Probe {
    /// Allocates and touches the buffers (`n` elements each) and makes one warm-up pass.
    pub fn new(n: usize) -> Self {
        let mut p = Probe {
            a: pages::filled(n, 1.0f32),
            b: pages::filled(n, 0.5f32),
            best: f64::INFINITY,
        };
        kernels::axpy(&mut p.a, &p.b, 1e-7);
        p
    }
    /// One timed pass.
    pub fn pass(&mut self) {
        let t = Instant::now();
        kernels::axpy(black_box(&mut self.a), black_box(&self.b), 1e-7);
        self.best = self.best.min(t.elapsed().as_secs_f64());
    }
    /// GB/s of the best pass so far.
    pub fn gb_per_s(&self) -> f64 {
        12.0 * self.a.len() as f64 / self.best / 1e9
    }
}

/// Best and median nanoseconds per step over `steps` timed steps (after one warm-up step),
/// with the `reps` passes of `probe` interleaved between the steps, so that both see the
/// same machine load; and how many of the steps the optimiser skipped.
fn time_steps<T: Float>(
    opt: &mut dyn Optimizer<T>,
    n: usize,
    steps: usize,
    mut probe: Option<&mut Probe>,
    reps: usize,
) -> (f64, f64, usize) {
    let mut p: Vec<T> = pages::streamed_with_capacity(n);
    p.extend((0..n).map(|i| T::of(1.0 + (i % 7) as f64 * 0.1)));
    let mut g: Vec<T> = pages::streamed_with_capacity(n);
    g.extend((0..n).map(|i| T::of(((i % 1000) as f64 - 499.5) * 1e-3)));
    let mut gw: Vec<T> = pages::streamed_with_capacity(n);
    gw.extend_from_slice(&g);
    // A loss for the rules that read one (polyak_sgd skips a step without it); the others
    // ignore it. Given before every step, outside the timed region.
    opt.set_loss(1.0);
    opt.step(&mut p, &mut gw);
    // Optimisers may overwrite the gradient: then it is restored before every step, outside
    // the timed region. Those that leave it alone (the fused kernels) are not given a freshly
    // written copy, which would leave dirty cache lines for the timed step to write back.
    let restore = gw
        .iter()
        .zip(&g)
        .any(|(a, b)| a.f64().to_bits() != b.f64().to_bits());
    let mut times = Vec::with_capacity(steps);
    for i in 0..steps.max(reps) {
        if i < steps {
            if restore {
                gw.copy_from_slice(&g);
            }
            opt.set_loss(1.0);
            let t = Instant::now();
            opt.step(black_box(&mut p), black_box(&mut gw));
            times.push(t.elapsed().as_secs_f64() * 1e9);
        }
        if let Some(pr) = probe.as_deref_mut().filter(|_| i < reps) {
            pr.pass();
        }
    }
    black_box(&p);
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2], opt.skipped())
}

/// Runs `downhill bench step`.
pub fn step(a: &StepArgs) -> CliResult<Value> {
    set_level(&a.level)?;
    if a.steps == 0 {
        return Err(CliError::input("--steps must be at least 1"));
    }
    let (width, precision) = match a.precision.as_str() {
        "f32" => (1, "f32"),
        "f64" => (2, "f64"),
        p => {
            return Err(CliError::input(format!(
                "--precision {p}: expected `f32` or `f64`"
            )))
        }
    };
    // Build first so that a bad name fails before the (slow) bandwidth probe.
    let (mut o32, mut o64) = if width == 1 {
        (
            Some(bench_optimizer::<f32>(
                &a.optimizer,
                a.lr,
                &a.state_precision,
            )?),
            None,
        )
    } else {
        (
            None,
            Some(bench_optimizer::<f64>(
                &a.optimizer,
                a.lr,
                &a.state_precision,
            )?),
        )
    };
    let (limit, (best_ns, median_ns, skipped), threads) = with_threads(a.threads, || {
        let mut probe = (a.limit_elems > 0).then(|| Probe::new(a.limit_elems));
        let (pr, reps) = (probe.as_mut(), a.limit_reps.max(1));
        let t = match (&mut o32, &mut o64) {
            (Some(o), _) => time_steps(o.as_mut(), a.params, a.steps, pr, reps),
            (_, Some(o)) => time_steps(o.as_mut(), a.params, a.steps, pr, reps),
            _ => (f64::NAN, f64::NAN, 0),
        };
        let limit = probe.map(|p| p.gb_per_s());
        (limit, t, rayon::current_num_threads())
    })?;
    if skipped > 0 {
        return Err(CliError::input(format!(
            "`{}` skipped {skipped} of its {} steps on the benchmark's parameters, so the \
             timing would be of a step that changes nothing",
            a.optimizer,
            a.steps + 1
        )));
    }
    let bytes = if a.state_precision == "bf16" {
        bytes_per_param_bf16_state(&a.optimizer)
    } else {
        bytes_per_param_f32(&a.optimizer).map(|b| b * width)
    };
    let gbps = bytes.map(|b| b as f64 * a.params as f64 / best_ns);
    let fraction = match (gbps, limit) {
        (Some(g), Some(l)) => Some(g / l),
        _ => None,
    };
    Ok(json!({
        "optimizer": a.optimizer,
        "params": a.params,
        "precision": precision,
        "state_precision": a.state_precision,
        "threads": threads,
        "level": dispatch::level().name(),
        "steps": a.steps,
        "ns_per_step": best_ns,
        "ns_per_step_median": median_ns,
        "bytes_per_param": bytes,
        "gb_per_s": gbps,
        "limit_gb_per_s": limit,
        "fraction_of_limit": fraction,
    }))
}

/// Nanoseconds per call of `f`, timing batches of doubling size until one lasts `seconds`.
fn ns_per_call(seconds: f64, mut f: impl FnMut()) -> f64 {
    let mut reps = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        let dt = t.elapsed().as_secs_f64();
        if dt >= seconds || reps >= 1 << 40 {
            return dt / reps as f64 * 1e9;
        }
        reps *= 2;
    }
}

/// Largest `|aᵢ − bᵢ| / max(|aᵢ|, |bᵢ|, 10⁻⁸)`.
fn max_relative_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b).abs() / a.abs().max(b.abs()).max(1e-8))
        .fold(0.0f64, f64::max)
}

/// Runs `downhill bench gradient`.
pub fn gradient(a: &GradientArgs) -> CliResult<Value> {
    use downhill::diff::numeric::{numerical_gradient, Difference};
    let f = downhill::problems::by_name::<f64>(&a.function)?;
    let ad = downhill::problems::vector_ad_by_name::<f64>(&a.function)?;
    let scalar_ad = downhill::problems::ad_by_name::<f64>(&a.function)?;
    let dim = f.dim().unwrap_or(a.dim);
    downhill::problems::check_dim(f.as_ref(), &a.function, dim)?;
    let mut x: Vec<f64> = (0..dim).map(|i| 0.5 + 0.1 * (i % 10) as f64).collect();
    let mut g = vec![0.0; dim];
    let mut ga = vec![0.0; dim];
    let mut gn = vec![0.0; dim];
    let value_ns = ns_per_call(a.seconds, || {
        black_box(f.value(black_box(&x)));
    });
    let grad_ns = ns_per_call(a.seconds, || {
        black_box(f.gradient(black_box(&x), &mut g));
    });
    let ad_ns = ns_per_call(a.seconds, || {
        black_box(ad.gradient(black_box(&x), &mut ga));
    });
    let scalar_ad_ns = ns_per_call(a.seconds, || {
        black_box(scalar_ad.gradient(black_box(&x), &mut ga));
    });
    f.gradient(&x, &mut g);
    ad.gradient(&x, &mut ga);
    let numeric = a.numeric || dim <= NUMERIC_MAX_DIM;
    let (num_ns, num_err, note) = if numeric {
        let central = |x: &mut [f64], gn: &mut [f64]| {
            numerical_gradient(|y: &[f64]| f.value(y), x, gn, 1e-4, Difference::Central)
        };
        let t = ns_per_call(a.seconds, || central(black_box(&mut x), &mut gn));
        central(&mut x, &mut gn);
        (Some(t), Some(max_relative_difference(&g, &gn)), None)
    } else {
        let note = format!(
            "numerical gradient skipped above d = {NUMERIC_MAX_DIM} (2d = {} evaluations); \
             pass --numeric to time it",
            2 * dim
        );
        (None, None, Some(note))
    };
    Ok(json!({
        "function": a.function,
        "dim": dim,
        "value_ns": value_ns,
        "gradient_ns": grad_ns,
        "ad_gradient_ns": ad_ns,
        "scalar_ad_gradient_ns": scalar_ad_ns,
        "numerical_gradient_ns": num_ns,
        "gradient_over_value": grad_ns / value_ns,
        "ad_over_value": ad_ns / value_ns,
        "scalar_ad_over_value": scalar_ad_ns / value_ns,
        "numerical_over_exact": num_ns.map(|t| t / grad_ns),
        "max_relative_difference": num_err,
        "ad_max_relative_difference": max_relative_difference(&g, &ga),
        "note": note,
    }))
}
