//! Optimisers: each turns a gradient into an in-place parameter update.
//!
//! Every optimiser implements [`Optimizer`]: it owns its state (allocated on the first step,
//! never again), reads the gradient, and updates the parameters in one fused pass. The
//! hyperparameters that schedules drive (`lr`, momentum / `betas[0]`) are exposed through
//! [`Optimizer::set_lr`] and [`Optimizer::set_momentum`]. Wrappers in [`wrappers`] compose in
//! front of any optimiser (clipping, accumulation, skip-non-finite, Lookahead).
//!
//! Names, parameters, defaults and the order of floating-point operations follow
//! `torch/optim/*.py` (single-tensor, `foreach=False` path), so trajectories match PyTorch's.
//!
//! ```
//! use downhill::optim::{Adam, ClipGradNorm, Lookahead, Optimizer};
//! use downhill::problems::Rosenbrock;
//! use downhill::Objective;
//!
//! // Adam inside Lookahead, with the gradient clipped to norm 10 first.
//! let mut opt = ClipGradNorm::new(Lookahead::new(Adam::<f64>::new(0.02), 5, 0.5)?, 10.0)?;
//! let (mut x, mut g) = (vec![-1.2, 1.0], vec![0.0; 2]);
//! for _ in 0..3000 {
//!     Rosenbrock.gradient(&x, &mut g);
//!     opt.step(&mut x, &mut g);
//! }
//! assert!(Rosenbrock.value(&x) < 1e-6);
//! # Ok::<(), downhill::Error>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Float, Result};

/// `lr`/`set_lr` and `momentum`/`set_momentum` (the latter being `betas[0]`, what PyTorch's
/// cyclic schedules drive), shared by the Adam family and Lion; used inside `impl Optimizer`.
macro_rules! lr_and_beta1_accessors {
    () => {
        fn lr(&self) -> f64 {
            self.lr
        }
        fn set_lr(&mut self, lr: f64) {
            self.lr = lr;
        }
        fn momentum(&self) -> Option<f64> {
            Some(self.betas[0])
        }
        fn set_momentum(&mut self, momentum: f64) {
            self.betas[0] = momentum;
        }
    };
}
pub(crate) use lr_and_beta1_accessors;

pub mod adadelta;
pub mod adagrad;
pub mod adam;
pub mod adamax;
pub mod adamw;
pub mod config;
pub mod gd_armijo;
pub mod lbfgs;
pub mod line_search;
pub mod lion;
pub mod momentum;
pub mod nadam;
pub mod newton;
pub mod pso;
pub mod radam;
pub mod rmsprop;
pub mod sgd;
pub mod solver;
pub mod solver_config;
pub mod state_precision;
pub mod wrappers;

pub use adadelta::Adadelta;
pub use adagrad::Adagrad;
pub use adam::Adam;
pub use adamax::Adamax;
pub use adamw::AdamW;
pub use config::OptimizerConfig;
pub use gd_armijo::GdArmijo;
pub use lbfgs::{Lbfgs, LineSearchFn};
pub use lion::Lion;
pub use momentum::{Momentum, MomentumVariant};
pub use nadam::NAdam;
pub use newton::Newton;
pub use pso::Pso;
pub use radam::RAdam;
pub use rmsprop::RmsProp;
pub use sgd::Sgd;
pub use solver::{Solver, SolverStep};
pub use state_precision::StatePrecision;
pub use wrappers::{
    Accumulate, ClipGradNorm, ClipGradValue, Lookahead, SkipNonFinite, WrappersConfig,
};

/// What one call to [`Optimizer::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// The parameters were updated.
    Applied,
    /// The step was skipped (e.g. a non-finite gradient under `skip_non_finite`).
    Skipped,
    /// The gradient was stored for accumulation; parameters unchanged.
    Accumulated,
}

/// Serializable optimiser state, for checkpoints. Buffers are stored as `f64` (exact for `f32`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OptimizerState {
    /// The optimiser's name, checked on load.
    pub name: String,
    /// Named scalars (step count, current lr, …).
    pub scalars: BTreeMap<String, f64>,
    /// Named per-parameter buffers (momentum, exp_avg, …).
    pub buffers: BTreeMap<String, Vec<f64>>,
}

impl OptimizerState {
    /// A new, empty state for optimiser `name`.
    pub fn new(name: &str) -> Self {
        OptimizerState {
            name: name.to_string(),
            ..Default::default()
        }
    }
    /// Stores a buffer (an empty slice when not yet allocated).
    pub fn put_buffer<T: Float>(&mut self, key: &str, buf: &[T]) {
        self.buffers
            .insert(key.to_string(), buf.iter().map(|v| v.f64()).collect());
    }
    /// Reads a buffer back into `Vec<T>`.
    pub fn buffer<T: Float>(&self, key: &str) -> Result<Vec<T>> {
        self.buffers
            .get(key)
            .map(|b| b.iter().map(|&v| T::of(v)).collect())
            .ok_or_else(|| Error::Invalid(format!("optimizer state lacks buffer `{key}`")))
    }
    /// Reads a scalar.
    pub fn scalar(&self, key: &str) -> Result<f64> {
        self.scalars
            .get(key)
            .copied()
            .ok_or_else(|| Error::Invalid(format!("optimizer state lacks scalar `{key}`")))
    }
    /// Stores a scalar.
    pub fn put_scalar(&mut self, key: &str, value: f64) {
        self.scalars.insert(key.to_string(), value);
    }
    /// Reads a scalar, or `default` when the state does not hold it.
    pub fn scalar_or(&self, key: &str, default: f64) -> f64 {
        self.scalars.get(key).copied().unwrap_or(default)
    }
    /// Errors unless the state was saved by optimiser `name`.
    pub fn expect_name(&self, name: &str) -> Result<()> {
        if self.name != name {
            return Err(Error::Invalid(format!(
                "optimizer state is for `{}`, not `{name}`",
                self.name
            )));
        }
        Ok(())
    }
}

/// A first-order optimiser: `params ← update(params, grad, state)`.
pub trait Optimizer<T: Float>: Send {
    /// The optimiser's config name (`"sgd"`, `"adam"`, …).
    fn name(&self) -> &'static str;
    /// Applies one update in place. `grad` has the length of `params` and may be overwritten.
    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome;
    /// Current learning rate.
    fn lr(&self) -> f64;
    /// Sets the learning rate (schedules call this before each step).
    fn set_lr(&mut self, lr: f64);
    /// The momentum coefficient a schedule may drive (sgd `momentum`, adam `betas[0]`), if any.
    fn momentum(&self) -> Option<f64> {
        None
    }
    /// Sets the momentum coefficient (no-op for optimisers without one).
    fn set_momentum(&mut self, _momentum: f64) {}
    /// Where the next gradient must be evaluated. Look-ahead methods (seed 003's Nesterov
    /// variants) write that point into `out` and return `true`; the default returns `false`,
    /// meaning "at `params`".
    fn gradient_point(&self, _params: &[T], _out: &mut [T]) -> bool {
        false
    }
    /// Number of steps skipped so far (by a skip-non-finite wrapper).
    fn skipped(&self) -> usize {
        0
    }
    /// Snapshot of the state, for checkpoints.
    fn state(&self) -> OptimizerState;
    /// Restores a snapshot made by [`Optimizer::state`].
    fn load_state(&mut self, state: &OptimizerState) -> Result<()>;
}

impl<T: Float, O: Optimizer<T> + ?Sized> Optimizer<T> for Box<O> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        (**self).step(params, grad)
    }
    fn lr(&self) -> f64 {
        (**self).lr()
    }
    fn set_lr(&mut self, lr: f64) {
        (**self).set_lr(lr)
    }
    fn momentum(&self) -> Option<f64> {
        (**self).momentum()
    }
    fn set_momentum(&mut self, m: f64) {
        (**self).set_momentum(m)
    }
    fn gradient_point(&self, params: &[T], out: &mut [T]) -> bool {
        (**self).gradient_point(params, out)
    }
    fn skipped(&self) -> usize {
        (**self).skipped()
    }
    fn state(&self) -> OptimizerState {
        (**self).state()
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        (**self).load_state(state)
    }
}

/// Allocates `buf` to `n` copies of `fill` if it is empty (first step); never reallocates after.
///
/// A new buffer is allocated through [`crate::data::pages::filled`], so a large
/// optimiser state is backed by huge pages where the OS allows it (state is streamed once
/// per step; with 4 KiB pages each page of each buffer costs a page walk).
#[inline]
pub(crate) fn ensure_len<T: Copy>(buf: &mut Vec<T>, n: usize, fill: T) {
    if buf.len() != n {
        *buf = crate::data::pages::filled(n, fill);
    }
}

/// `torch.lerp(a, b, w)` elementwise, in ATen's order: `a + w(b − a)` when `|w| < ½`, else
/// `b − (b − a)(1 − w)`. PyTorch's `exp_avg.lerp_(grad, 1 − β₁)` is written this way.
#[inline(always)]
pub(crate) fn lerp<T: Float>(a: T, b: T, w: T) -> T {
    if w.abs() < T::of(0.5) {
        a + w * (b - a)
    } else {
        b - (b - a) * (T::one() - w)
    }
}

/// `torch.maximum(a, b)`: like `max`, but NaN in either argument propagates.
#[inline(always)]
pub(crate) fn nan_max<T: Float>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::nan()
    } else if a >= b {
        a
    } else {
        b
    }
}

/// `torch.sign`: −1, 0 or 1 (0 at ±0, NaN at NaN); unlike `f64::signum`, which gives ±1 at ±0.
#[inline(always)]
pub(crate) fn sign<T: Float>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        x
    }
}

/// The gradient with `maximize` applied: `−g` when maximising, else `g`.
#[inline(always)]
pub(crate) fn signed<T: Float>(g: T, maximize: bool) -> T {
    if maximize {
        -g
    } else {
        g
    }
}

/// Checks a PyTorch `betas` pair: each in `[0, 1)`, named `betas[0]` / `betas[1]`.
pub(crate) fn check_betas(betas: [f64; 2]) -> Result<()> {
    crate::error::check_range("betas[0]", betas[0], 0.0, 1.0)?;
    crate::error::check_range("betas[1]", betas[1], 0.0, 1.0)
}

/// Writes the common scalars (`lr`, `step`) of an optimiser's state.
pub(crate) fn base_state(name: &str, lr: f64, step: u64) -> OptimizerState {
    let mut s = OptimizerState::new(name);
    s.put_scalar("lr", lr);
    s.put_scalar("step", step as f64);
    s
}

/// Reads back what [`base_state`] wrote: checks the name, returns (`lr`, `step`).
pub(crate) fn load_base(state: &OptimizerState, name: &str) -> Result<(f64, u64)> {
    state.expect_name(name)?;
    let lr = state.scalar("lr")?;
    let step = state.scalar("step")?;
    if !(step >= 0.0 && step.fract() == 0.0) {
        return Err(Error::Invalid(format!(
            "optimizer state: `step` = {step} is not a step count"
        )));
    }
    Ok((lr, step as u64))
}
