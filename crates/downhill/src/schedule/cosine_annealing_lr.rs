//! `cosine_annealing_lr`: PyTorch's `CosineAnnealingLR`.

use std::f64::consts::PI;

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, Scheduler};

schedule_config! {
    /// `cosine_annealing_lr`: the parameters of [`CosineAnnealingLr`].
    CosineAnnealingLrConfig {
        required {
            /// Half-period in steps (PyTorch's `T_max`).
            t_max: usize, AtLeast(1.0), example = 1000;
        }
        optional {
            /// Minimum lr.
            eta_min: f64 = 0.0, Any;
        }
    }
}
pytorch_scheduler!(CosineAnnealingLrConfig => CosineAnnealingLr);

/// Cosine annealing from the initial lr to `eta_min` over `t_max` steps, then back up
/// (`torch.optim.lr_scheduler.CosineAnnealingLR`, SGDR without restarts).
///
/// $$\eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\left(1 + \cos\frac{\pi t}{T_{\max}}\right)$$
///
/// computed recursively as PyTorch does:
/// $\eta_t = \frac{1 + \cos(\pi t / T_{\max})}{1 + \cos(\pi (t-1) / T_{\max})}(\eta_{t-1} - \eta_{\min}) + \eta_{\min}$,
/// except when $(t - 1 - T_{\max}) \bmod 2T_{\max} = 0$, where
/// $\eta_t = \eta_{t-1} + \tfrac12(\eta_0 - \eta_{\min})(1 - \cos(\pi / T_{\max}))$.
#[derive(Debug, Clone)]
pub struct CosineAnnealingLr {
    c: CosineAnnealingLrConfig,
    e: Epochs,
}

impl Scheduler for CosineAnnealingLr {
    scheduler_boilerplate!();
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        let tm = self.c.t_max as f64;
        let (base, eta_min) = (self.e.base_lr, self.c.eta_min);
        if self.e.is_initial {
            g.lr
        } else if self.e.step_count == 1 && t > 0 {
            eta_min + (base - eta_min) * (1.0 + (t as f64 * PI / tm).cos()) / 2.0
        } else if (t - 1 - self.c.t_max as i64).rem_euclid((self.c.t_max as i64).saturating_mul(2))
            == 0
        {
            g.lr + (base - eta_min) * (1.0 - (PI / tm).cos()) / 2.0
        } else {
            (1.0 + (PI * t as f64 / tm).cos()) / (1.0 + (PI * (t - 1) as f64 / tm).cos())
                * (g.lr - eta_min)
                + eta_min
        }
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        let t = self.e.last_epoch as f64;
        Some(
            self.c.eta_min
                + (self.e.base_lr - self.c.eta_min) * (1.0 + (PI * t / self.c.t_max as f64).cos())
                    / 2.0,
        )
    }
}
