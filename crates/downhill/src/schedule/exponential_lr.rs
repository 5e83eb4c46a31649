//! `exponential_lr`: PyTorch's `ExponentialLR`.

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, Scheduler};

schedule_config! {
    /// `exponential_lr`: the parameters of [`ExponentialLr`].
    ExponentialLrConfig {
        required {
            /// Multiplicative factor per step.
            gamma: f64, Any, example = 0.995;
        }
        optional {}
    }
}
pytorch_scheduler!(ExponentialLrConfig => ExponentialLr);

/// Decays the lr by `gamma` every step (`torch.optim.lr_scheduler.ExponentialLR`).
///
/// $$\eta_t = \eta_0\,\gamma^{t}$$
///
/// computed recursively as PyTorch does: $\eta_t = \gamma\,\eta_{t-1}$.
#[derive(Debug, Clone)]
pub struct ExponentialLr {
    c: ExponentialLrConfig,
    e: Epochs,
}

impl Scheduler for ExponentialLr {
    scheduler_boilerplate!();
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        if self.e.is_initial {
            g.lr
        } else {
            g.lr * self.c.gamma
        }
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        Some(self.e.base_lr * self.c.gamma.powf(self.e.last_epoch as f64))
    }
}
