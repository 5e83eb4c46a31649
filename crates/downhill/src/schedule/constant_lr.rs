//! `constant_lr`: PyTorch's `ConstantLR`.

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::{Error, Result};

schedule_config! {
    /// `constant_lr`: the parameters of [`ConstantLr`].
    ConstantLrConfig {
        required {}
        optional {
            /// Factor applied until `total_iters`.
            factor: f64 = 1.0 / 3.0, Closed(0.0, 1.0), also "> 0 when total_iters > 0";
            /// Number of steps with the factor applied.
            total_iters: usize = 5, AtLeast(0.0);
        }
    }
}
pytorch_scheduler!(ConstantLrConfig => ConstantLr);

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
    c: ConstantLrConfig,
    e: Epochs,
}

impl Scheduler for ConstantLr {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        if self.c.factor == 0.0 && self.c.total_iters > 0 {
            return Err(Error::param(
                "factor",
                self.c.factor,
                "must be > 0 when total_iters > 0 (PyTorch divides by it at total_iters)",
            ));
        }
        Ok(())
    }
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        if t == 0 {
            g.lr * self.c.factor
        } else if t != self.c.total_iters as i64 {
            g.lr
        } else {
            g.lr * (1.0 / self.c.factor)
        }
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        let past = if self.e.last_epoch >= self.c.total_iters as i64 {
            1.0
        } else {
            0.0
        };
        Some(self.e.base_lr * (self.c.factor + past * (1.0 - self.c.factor)))
    }
}
