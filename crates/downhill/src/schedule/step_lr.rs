//! `step_lr`: PyTorch's `StepLR`.

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, Scheduler};

schedule_config! {
    /// `step_lr`: the parameters of [`StepLr`].
    StepLrConfig {
        required {
            /// Period of the decay.
            step_size: usize, AtLeast(1.0), example = 100;
        }
        optional {
            /// Multiplicative factor.
            gamma: f64 = 0.1, Any, example = 0.5;
        }
    }
}
pytorch_scheduler!(StepLrConfig => StepLr);

/// Decays the lr by `gamma` every `step_size` steps (`torch.optim.lr_scheduler.StepLR`).
///
/// $$\eta_t = \eta_0\,\gamma^{\lfloor t / \text{step\_size} \rfloor}$$
///
/// computed as PyTorch does, recursively: $\eta_t = \gamma\,\eta_{t-1}$ when $t > 0$ and
/// $t \bmod \text{step\_size} = 0$, else $\eta_t = \eta_{t-1}$.
#[derive(Debug, Clone)]
pub struct StepLr {
    c: StepLrConfig,
    e: Epochs,
}

impl Scheduler for StepLr {
    scheduler_boilerplate!();
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        if t == 0 || t % self.c.step_size as i64 != 0 {
            g.lr
        } else {
            g.lr * self.c.gamma
        }
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        let n = self.e.last_epoch.div_euclid(self.c.step_size as i64);
        Some(self.e.base_lr * self.c.gamma.powf(n as f64))
    }
}
