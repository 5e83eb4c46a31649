//! Schedules that are a multiplier of the initial lr, a function of the step, as Hugging Face
//! transformers' schedule functions are (each a `LambdaLR` whose lambda is the multiplier):
//! a [`Multiplier`] config makes a [`Multiplied`] scheduler, $\eta_t = \eta_0\,m(t)$.

use std::fmt::Debug;

use super::{attach_base, scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::Result;

/// A schedule's config that gives the multiplier $m(t)$ of the initial lr at step $t$.
pub trait Multiplier: Debug + Clone + Send + 'static {
    /// The rules between parameters that the declared ranges do not state (the ranges are
    /// checked before).
    fn rules(&self) -> Result<()> {
        Ok(())
    }
    /// The rules that need the optimizer's own lr (`optimizer.defaults["lr"]`).
    fn rules_for(&self, _optimizer_lr: f64) -> Result<()> {
        Ok(())
    }
    /// $m(t)$ at step `t` (≥ 0) of an optimizer whose own lr is `optimizer_lr`.
    fn multiplier(&self, t: i64, optimizer_lr: f64) -> f64;
}

/// The scheduler of a [`Multiplier`]: PyTorch's `LambdaLR` with the config's multiplier,
/// `base_lr · m(last_epoch)`.
#[derive(Debug, Clone)]
pub struct Multiplied<C> {
    pub(crate) c: C,
    /// The optimizer's own lr, read from the param group when attached.
    optimizer_lr: f64,
    e: Epochs,
}

impl<C: Multiplier> Multiplied<C> {
    /// The scheduler of config `c` (checked when attached).
    pub fn new(c: C) -> Self {
        Multiplied {
            c,
            optimizer_lr: f64::NAN,
            e: Epochs::default(),
        }
    }
}

impl<C: Multiplier> Scheduler for Multiplied<C> {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        self.c.rules()
    }
    fn attach(&mut self, g: &mut Group, last_epoch: i64) -> Result<()> {
        self.validate()?;
        self.c.rules_for(g.optimizer_lr)?;
        self.optimizer_lr = g.optimizer_lr;
        attach_base(self, g, last_epoch)
    }
    fn get_lr(&mut self, _g: &mut Group) -> f64 {
        self.e.base_lr * self.c.multiplier(self.e.last_epoch, self.optimizer_lr)
    }
}

/// transformers' linear warm-up multiplier, `float(t) / float(max(1, num_warmup_steps))`.
pub(crate) fn warmup(t: i64, num_warmup_steps: i64) -> f64 {
    t as f64 / num_warmup_steps.max(1) as f64
}

/// transformers' linear warm-up, `t / max(1, W)` while `t < W`, then `after(W, N)` (W =
/// `num_warmup_steps`, N = `num_training_steps`, as Python ints).
pub(crate) fn with_warmup(
    t: i64,
    num_warmup_steps: usize,
    num_training_steps: usize,
    after: impl FnOnce(i64, i64) -> f64,
) -> f64 {
    let (w, n) = (int(num_warmup_steps), int(num_training_steps));
    if t < w {
        warmup(t, w)
    } else {
        after(w, n)
    }
}

/// transformers' progress after the warm-up, `(t − W) / max(1, N − W)`.
pub(crate) fn progress(t: i64, w: i64, n: i64) -> f64 {
    (t - w) as f64 / (n - w).max(1) as f64
}

/// A step count as transformers' Python `int` arithmetic needs it (saturating at `i64::MAX`).
pub(crate) fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Python's `max(0.0, x)`: `x` if `x > 0.0`, else `0.0`.
pub(crate) fn at_least_zero(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}
