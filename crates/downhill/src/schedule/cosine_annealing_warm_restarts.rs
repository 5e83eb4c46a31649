//! `cosine_annealing_warm_restarts`: PyTorch's `CosineAnnealingWarmRestarts` (SGDR).

use std::f64::consts::PI;

use super::{check_positive, scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::{Error, Result};

/// Cosine annealing with warm restarts (`torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`,
/// Loshchilov & Hutter's SGDR).
///
/// $$\eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\left(1 + \cos\frac{\pi T_{cur}}{T_i}\right)$$
///
/// where $T_{cur}$ counts steps since the last restart and the period $T_i$ starts at
/// $T_0$ and is multiplied by $T_{mult}$ at each restart ($T_{cur} \leftarrow T_{cur} - T_i$
/// when $T_{cur}$ reaches $T_i$).
#[derive(Debug, Clone)]
pub struct CosineAnnealingWarmRestarts {
    /// First period (PyTorch's `T_0`), ≥ 1.
    pub t_0: usize,
    /// Period growth factor (PyTorch's `T_mult`, default 1), ≥ 1.
    pub t_mult: usize,
    /// Minimum lr (default 0).
    pub eta_min: f64,
    t_i: usize,
    t_cur: i64,
    e: Epochs,
}

impl CosineAnnealingWarmRestarts {
    /// `CosineAnnealingWarmRestarts(T_0, T_mult=1, eta_min=0)`.
    pub fn new(t_0: usize) -> Self {
        CosineAnnealingWarmRestarts {
            t_0,
            t_mult: 1,
            eta_min: 0.0,
            t_i: t_0,
            t_cur: -1,
            e: Epochs::default(),
        }
    }
    /// Sets `t_mult`.
    pub fn t_mult(mut self, t_mult: usize) -> Self {
        self.t_mult = t_mult;
        self
    }
    /// Sets `eta_min`.
    pub fn eta_min(mut self, eta_min: f64) -> Self {
        self.eta_min = eta_min;
        self
    }
}

impl Scheduler for CosineAnnealingWarmRestarts {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        check_positive("t_0", self.t_0)?;
        if self.t_mult < 1 {
            return Err(Error::param(
                "t_mult",
                self.t_mult,
                "must be an integer >= 1",
            ));
        }
        super::check_finite("eta_min", self.eta_min)
    }
    fn get_lr(&mut self, _g: &mut Group) -> f64 {
        self.eta_min
            + (self.e.base_lr - self.eta_min)
                * (1.0 + (PI * self.t_cur as f64 / self.t_i as f64).cos())
                / 2.0
    }
    fn step(&mut self, g: &mut Group) {
        if self.e.last_epoch < 0 {
            // `step(epoch=0)`: epoch < T_0.
            self.t_i = self.t_0;
            self.t_cur = 0;
            self.e.last_epoch = 0;
        } else {
            self.e.last_epoch += 1;
            self.t_cur += 1;
            if self.t_cur >= self.t_i as i64 {
                self.t_cur %= self.t_i as i64;
                self.t_i = self.t_i.saturating_mul(self.t_mult).min(i64::MAX as usize);
            }
        }
        g.lr = self.get_lr(g);
    }
}
