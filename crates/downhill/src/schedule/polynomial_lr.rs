//! `polynomial_lr`: PyTorch's `PolynomialLR`.

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, Scheduler};

schedule_config! {
    /// `polynomial_lr`: the parameters of [`PolynomialLr`].
    PolynomialLrConfig {
        required {}
        optional {
            /// Number of decay steps.
            total_iters: usize = 5, AtLeast(0.0), example = 800;
            /// Power of the polynomial.
            power: f64 = 1.0, Any, example = 2.0;
        }
    }
}
pytorch_scheduler!(PolynomialLrConfig => PolynomialLr);

/// Polynomial decay to 0 over `total_iters` steps (`torch.optim.lr_scheduler.PolynomialLR`).
///
/// $$\eta_t = \eta_0\left(1 - \frac{\min(t, T)}{T}\right)^{p}$$
///
/// with $T$ = `total_iters`, $p$ = `power`; computed recursively as PyTorch does:
/// $\eta_t = \eta_{t-1}\left(\frac{1 - t/T}{1 - (t-1)/T}\right)^{p}$ for $1 \le t \le T$.
#[derive(Debug, Clone)]
pub struct PolynomialLr {
    c: PolynomialLrConfig,
    e: Epochs,
}

impl Scheduler for PolynomialLr {
    scheduler_boilerplate!();
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        if self.e.is_initial || t > self.c.total_iters as i64 {
            return g.lr;
        }
        let n = self.c.total_iters as f64;
        let decay = ((1.0 - t as f64 / n) / (1.0 - (t - 1) as f64 / n)).powf(self.c.power);
        g.lr * decay
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        if self.c.total_iters == 0 {
            // PyTorch divides by zero here; the recursive form holds the lr, so do that.
            return Some(self.e.base_lr);
        }
        let n = self.c.total_iters as f64;
        let t = self.e.last_epoch.min(self.c.total_iters as i64) as f64;
        Some(self.e.base_lr * (1.0 - t / n).powf(self.c.power))
    }
}
