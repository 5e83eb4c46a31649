//! Learning-rate (and momentum) schedules.
//!
//! A [`Schedule`] gives the learning rate to use at step `k` — the value PyTorch's
//! `get_last_lr()` returns after `k` calls of `scheduler.step()` — as a function of `k`.
//! Anything that reacts to metrics (reduce-on-plateau) is a separate stepping rule.

/// A learning-rate schedule: a function of the step count.
///
/// Takes `&mut self` so that implementations may cache PyTorch's recursive forms; the value
/// for a given `step` must not depend on which steps were asked for before.
pub trait Schedule: Send {
    /// Learning rate to use at step `step` (after `step` calls of `scheduler.step()`).
    fn lr(&mut self, step: usize) -> f64;
    /// Momentum (sgd `momentum`, adam `betas[0]`) at `step`, if this schedule drives it.
    fn momentum(&mut self, _step: usize) -> Option<f64> {
        None
    }
}
