//! `cosine_annealing_lr`: PyTorch's `CosineAnnealingLR`.

use std::f64::consts::PI;

use super::{check_positive, scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::Result;

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
    /// Half-period in steps (PyTorch's `T_max`).
    pub t_max: usize,
    /// Minimum lr (default 0).
    pub eta_min: f64,
    e: Epochs,
}

impl CosineAnnealingLr {
    /// `CosineAnnealingLR(T_max, eta_min=0)`.
    pub fn new(t_max: usize) -> Self {
        CosineAnnealingLr {
            t_max,
            eta_min: 0.0,
            e: Epochs::default(),
        }
    }
    /// Sets `eta_min`.
    pub fn eta_min(mut self, eta_min: f64) -> Self {
        self.eta_min = eta_min;
        self
    }
}

impl Scheduler for CosineAnnealingLr {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        check_positive("t_max", self.t_max)?;
        super::check_finite("eta_min", self.eta_min)
    }
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        let tm = self.t_max as f64;
        let (base, eta_min) = (self.e.base_lr, self.eta_min);
        if self.e.is_initial {
            g.lr
        } else if self.e.step_count == 1 && t > 0 {
            eta_min + (base - eta_min) * (1.0 + (t as f64 * PI / tm).cos()) / 2.0
        } else if (t - 1 - self.t_max as i64).rem_euclid((self.t_max as i64).saturating_mul(2)) == 0
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
            self.eta_min
                + (self.e.base_lr - self.eta_min) * (1.0 + (PI * t / self.t_max as f64).cos())
                    / 2.0,
        )
    }
}
