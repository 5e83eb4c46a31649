//! `linear_lr`: PyTorch's `LinearLR`.

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, Scheduler};

schedule_config! {
    /// `linear_lr`: the parameters of [`LinearLr`].
    LinearLrConfig {
        required {}
        optional {
            /// Factor at step 0.
            start_factor: f64 = 1.0 / 3.0, Both(Above(0.0), AtMost(1.0));
            /// Factor from step `total_iters` on.
            end_factor: f64 = 1.0, Closed(0.0, 1.0);
            /// Length of the ramp.
            total_iters: usize = 5, AtLeast(0.0);
        }
    }
}
pytorch_scheduler!(LinearLrConfig => LinearLr);

/// Changes the lr factor linearly from `start_factor` to `end_factor` over `total_iters` steps
/// (`torch.optim.lr_scheduler.LinearLR`).
///
/// $$\eta_t = \eta_0\left(s + (e - s)\,\frac{\min(t, T)}{T}\right)$$
///
/// with $s$ = `start_factor`, $e$ = `end_factor`, $T$ = `total_iters`; computed recursively as
/// PyTorch does: $\eta_0 = s\,\eta$, and for $1 \le t \le T$
/// $\eta_t = \eta_{t-1}\left(1 + \frac{e - s}{T s + (t - 1)(e - s)}\right)$.
#[derive(Debug, Clone)]
pub struct LinearLr {
    c: LinearLrConfig,
    e: Epochs,
}

impl Scheduler for LinearLr {
    scheduler_boilerplate!();
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        if t == 0 {
            return g.lr * self.c.start_factor;
        }
        if self.e.is_initial || t > self.c.total_iters as i64 {
            return g.lr;
        }
        let d = self.c.end_factor - self.c.start_factor;
        g.lr * (1.0 + d / (self.c.total_iters as f64 * self.c.start_factor + (t - 1) as f64 * d))
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        if self.c.total_iters == 0 {
            // PyTorch divides by zero here; its recursive form holds `start_factor`, so do that.
            return Some(self.e.base_lr * self.c.start_factor);
        }
        let t = self.e.last_epoch.min(self.c.total_iters as i64) as f64;
        Some(
            self.e.base_lr
                * (self.c.start_factor
                    + (self.c.end_factor - self.c.start_factor) * t / self.c.total_iters as f64),
        )
    }
}
