//! `constant_lr`: PyTorch's `ConstantLR`.

use super::{scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::{Error, Result};

/// Multiplies the lr by `factor` until step `total_iters` (`torch.optim.lr_scheduler.ConstantLR`).
///
/// $$\eta_t = \eta_0 \cdot \begin{cases}\text{factor} & t < \text{total\_iters}\\ 1 & t \ge
/// \text{total\_iters}\end{cases}$$
///
/// computed recursively as PyTorch does: $\eta_0 = \text{factor}\cdot\eta$, then
/// $\eta_t = \eta_{t-1} / \text{factor}$ at $t = \text{total\_iters}$ (so `total_iters = 0`
/// keeps the factor for ever, as in PyTorch).
#[derive(Debug, Clone)]
pub struct ConstantLr {
    /// Factor in [0, 1] (default 1/3).
    pub factor: f64,
    /// Number of steps with the factor applied (default 5).
    pub total_iters: usize,
    e: Epochs,
}

impl Default for ConstantLr {
    fn default() -> Self {
        ConstantLr {
            factor: 1.0 / 3.0,
            total_iters: 5,
            e: Epochs::default(),
        }
    }
}

impl ConstantLr {
    /// `ConstantLR(factor, total_iters)`.
    pub fn new(factor: f64, total_iters: usize) -> Self {
        ConstantLr {
            factor,
            total_iters,
            e: Epochs::default(),
        }
    }
}

impl Scheduler for ConstantLr {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.factor) {
            return Err(Error::param("factor", self.factor, "must be in [0, 1]"));
        }
        if self.factor == 0.0 && self.total_iters > 0 {
            return Err(Error::param(
                "factor",
                self.factor,
                "must be > 0 when total_iters > 0 (PyTorch divides by it at total_iters)",
            ));
        }
        Ok(())
    }
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        if t == 0 {
            g.lr * self.factor
        } else if t != self.total_iters as i64 {
            g.lr
        } else {
            g.lr * (1.0 / self.factor)
        }
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        let past = if self.e.last_epoch >= self.total_iters as i64 {
            1.0
        } else {
            0.0
        };
        Some(self.e.base_lr * (self.factor + past * (1.0 - self.factor)))
    }
}
