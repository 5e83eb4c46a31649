//! `multi_step_lr`: PyTorch's `MultiStepLR`.

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, Scheduler};

schedule_config! {
    /// `multi_step_lr`: the parameters of [`MultiStepLr`].
    MultiStepLrConfig {
        required {
            /// Steps at which the lr is multiplied by `gamma`.
            milestones: Vec<usize>, Increasing, example = vec![300, 600];
        }
        optional {
            /// Multiplicative factor.
            gamma: f64 = 0.1, Any;
        }
    }
}
pytorch_scheduler!(MultiStepLrConfig => MultiStepLr);

/// Decays the lr by `gamma` at each milestone (`torch.optim.lr_scheduler.MultiStepLR`).
///
/// $$\eta_t = \eta_0\,\gamma^{\#\{m \in \text{milestones} : m \le t\}}$$
///
/// computed recursively as PyTorch does: $\eta_t = \eta_{t-1}\,\gamma^{c(t)}$ with $c(t)$ the
/// number of times $t$ appears in `milestones`.
#[derive(Debug, Clone)]
pub struct MultiStepLr {
    c: MultiStepLrConfig,
    e: Epochs,
}

impl Scheduler for MultiStepLr {
    scheduler_boilerplate!();
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        let c = self.c.milestones.iter().filter(|&&m| m as i64 == t).count();
        if c == 0 {
            g.lr
        } else {
            g.lr * self.c.gamma.powf(c as f64)
        }
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        let t = self.e.last_epoch;
        let n = self.c.milestones.iter().filter(|&&m| m as i64 <= t).count();
        Some(self.e.base_lr * self.c.gamma.powf(n as f64))
    }
}
