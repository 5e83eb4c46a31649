//! `exponential_lr`: PyTorch's `ExponentialLR`.

use super::{scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::Result;

/// Decays the lr by `gamma` every step (`torch.optim.lr_scheduler.ExponentialLR`).
///
/// $$\eta_t = \eta_0\,\gamma^{t}$$
///
/// computed recursively as PyTorch does: $\eta_t = \gamma\,\eta_{t-1}$.
#[derive(Debug, Clone)]
pub struct ExponentialLr {
    /// Multiplicative factor (required).
    pub gamma: f64,
    e: Epochs,
}

impl ExponentialLr {
    /// `ExponentialLR(gamma)`.
    pub fn new(gamma: f64) -> Self {
        ExponentialLr {
            gamma,
            e: Epochs::default(),
        }
    }
}

impl Scheduler for ExponentialLr {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        super::check_finite("gamma", self.gamma)
    }
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        if self.e.is_initial {
            g.lr
        } else {
            g.lr * self.gamma
        }
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        Some(self.e.base_lr * self.gamma.powf(self.e.last_epoch as f64))
    }
}
