//! `step_lr`: PyTorch's `StepLR`.

use super::{check_positive, scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::Result;

/// Decays the lr by `gamma` every `step_size` steps (`torch.optim.lr_scheduler.StepLR`).
///
/// $$\eta_t = \eta_0\,\gamma^{\lfloor t / \text{step\_size} \rfloor}$$
///
/// computed as PyTorch does, recursively: $\eta_t = \gamma\,\eta_{t-1}$ when $t > 0$ and
/// $t \bmod \text{step\_size} = 0$, else $\eta_t = \eta_{t-1}$.
#[derive(Debug, Clone)]
pub struct StepLr {
    /// Period of the decay.
    pub step_size: usize,
    /// Multiplicative factor (default 0.1).
    pub gamma: f64,
    e: Epochs,
}

impl StepLr {
    /// `StepLR(step_size, gamma=0.1)`.
    pub fn new(step_size: usize) -> Self {
        StepLr {
            step_size,
            gamma: 0.1,
            e: Epochs::default(),
        }
    }
    /// Sets `gamma`.
    pub fn gamma(mut self, gamma: f64) -> Self {
        self.gamma = gamma;
        self
    }
}

impl Scheduler for StepLr {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        check_positive("step_size", self.step_size)?;
        super::check_finite("gamma", self.gamma)
    }
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        if t == 0 || t % self.step_size as i64 != 0 {
            g.lr
        } else {
            g.lr * self.gamma
        }
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        let n = self.e.last_epoch.div_euclid(self.step_size as i64);
        Some(self.e.base_lr * self.gamma.powf(n as f64))
    }
}
