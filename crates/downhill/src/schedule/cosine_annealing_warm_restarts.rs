//! `cosine_annealing_warm_restarts`: PyTorch's `CosineAnnealingWarmRestarts` (SGDR).

use std::f64::consts::PI;

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::Result;

schedule_config! {
    /// `cosine_annealing_warm_restarts`: the parameters of [`CosineAnnealingWarmRestarts`].
    CosineAnnealingWarmRestartsConfig {
        required {
            /// First period (PyTorch's `T_0`).
            t_0: usize, AtLeast(1.0), example = 100;
        }
        optional {
            /// Period growth factor (PyTorch's `T_mult`).
            t_mult: usize = 1, AtLeast(1.0), example = 2;
            /// Minimum lr.
            eta_min: f64 = 0.0, Any;
        }
    }
}
pytorch_scheduler!(CosineAnnealingWarmRestartsConfig => CosineAnnealingWarmRestarts, custom);

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
    c: CosineAnnealingWarmRestartsConfig,
    t_i: usize,
    t_cur: i64,
    e: Epochs,
}

impl CosineAnnealingWarmRestarts {
    fn from_config(c: CosineAnnealingWarmRestartsConfig) -> Result<Self> {
        Ok(CosineAnnealingWarmRestarts {
            t_i: c.t_0,
            t_cur: -1,
            c,
            e: Epochs::default(),
        })
    }
}

impl Scheduler for CosineAnnealingWarmRestarts {
    scheduler_boilerplate!();
    fn attach(&mut self, g: &mut Group, last_epoch: i64) -> Result<()> {
        self.validate()?;
        // `T_cur = last_epoch` before the base class's initial step, as PyTorch's constructor.
        (self.t_i, self.t_cur) = (self.c.t_0, last_epoch);
        super::attach_base(self, g, last_epoch)
    }
    fn get_lr(&mut self, _g: &mut Group) -> f64 {
        self.c.eta_min
            + (self.e.base_lr - self.c.eta_min)
                * (1.0 + (PI * self.t_cur as f64 / self.t_i as f64).cos())
                / 2.0
    }
    fn step(&mut self, g: &mut Group) {
        if self.e.last_epoch < 0 {
            // `step(epoch=0)`: epoch < T_0.
            self.t_i = self.c.t_0;
            self.t_cur = 0;
            self.e.last_epoch = 0;
        } else {
            self.e.last_epoch += 1;
            self.t_cur += 1;
            if self.t_cur >= self.t_i as i64 {
                self.t_cur %= self.t_i as i64;
                self.t_i = self
                    .t_i
                    .saturating_mul(self.c.t_mult)
                    .min(i64::MAX as usize);
            }
        }
        g.lr = self.get_lr(g);
    }
}
