//! `linear_lr`: PyTorch's `LinearLR`.

use super::{scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::{Error, Result};

/// Changes the lr factor linearly from `start_factor` to `end_factor` over `total_iters` steps
/// (`torch.optim.lr_scheduler.LinearLR`).
///
/// $$\eta_t = \eta_0\left(s + (e - s)\,\frac{\min(t, T)}{T}\right)$$
///
/// with $s$ = `start_factor`, $e$ = `end_factor`, $T$ = `total_iters`; computed recursively as
/// PyTorch does: $\eta_0 = s\,\eta$, and for $1 \le t \le T$
/// $\eta_t = \eta_{t-1}\left(1 + \frac{e - s}{T s + (t - 1)(e - s)}\right)$.
#[derive(Debug, Clone)]
pub struct LinearLr {
    /// Factor at step 0, in (0, 1] (default 1/3).
    pub start_factor: f64,
    /// Factor from step `total_iters` on, in [0, 1] (default 1).
    pub end_factor: f64,
    /// Length of the ramp (default 5).
    pub total_iters: usize,
    e: Epochs,
}

impl Default for LinearLr {
    fn default() -> Self {
        LinearLr::new(1.0 / 3.0, 1.0, 5)
    }
}

impl LinearLr {
    /// `LinearLR(start_factor, end_factor, total_iters)`.
    pub fn new(start_factor: f64, end_factor: f64, total_iters: usize) -> Self {
        LinearLr {
            start_factor,
            end_factor,
            total_iters,
            e: Epochs::default(),
        }
    }
}

impl Scheduler for LinearLr {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        if !(self.start_factor > 0.0 && self.start_factor <= 1.0) {
            return Err(Error::param(
                "start_factor",
                self.start_factor,
                "must be in (0, 1]",
            ));
        }
        if !(0.0..=1.0).contains(&self.end_factor) {
            return Err(Error::param(
                "end_factor",
                self.end_factor,
                "must be in [0, 1]",
            ));
        }
        Ok(())
    }
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        if t == 0 {
            return g.lr * self.start_factor;
        }
        if self.e.is_initial || t > self.total_iters as i64 {
            return g.lr;
        }
        let d = self.end_factor - self.start_factor;
        g.lr * (1.0 + d / (self.total_iters as f64 * self.start_factor + (t - 1) as f64 * d))
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        if self.total_iters == 0 {
            // PyTorch divides by zero here; its recursive form holds `start_factor`, so do that.
            return Some(self.e.base_lr * self.start_factor);
        }
        let t = self.e.last_epoch.min(self.total_iters as i64) as f64;
        Some(
            self.e.base_lr
                * (self.start_factor
                    + (self.end_factor - self.start_factor) * t / self.total_iters as f64),
        )
    }
}
