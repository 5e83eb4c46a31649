//! `polynomial_lr`: PyTorch's `PolynomialLR`.

use super::{scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::Result;

/// Polynomial decay to 0 over `total_iters` steps (`torch.optim.lr_scheduler.PolynomialLR`).
///
/// $$\eta_t = \eta_0\left(1 - \frac{\min(t, T)}{T}\right)^{p}$$
///
/// with $T$ = `total_iters`, $p$ = `power`; computed recursively as PyTorch does:
/// $\eta_t = \eta_{t-1}\left(\frac{1 - t/T}{1 - (t-1)/T}\right)^{p}$ for $1 \le t \le T$.
#[derive(Debug, Clone)]
pub struct PolynomialLr {
    /// Number of decay steps (default 5).
    pub total_iters: usize,
    /// Power of the polynomial (default 1).
    pub power: f64,
    e: Epochs,
}

impl Default for PolynomialLr {
    fn default() -> Self {
        PolynomialLr::new(5, 1.0)
    }
}

impl PolynomialLr {
    /// `PolynomialLR(total_iters, power)`.
    pub fn new(total_iters: usize, power: f64) -> Self {
        PolynomialLr {
            total_iters,
            power,
            e: Epochs::default(),
        }
    }
}

impl Scheduler for PolynomialLr {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        super::check_finite("power", self.power)
    }
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        if self.e.is_initial || t > self.total_iters as i64 {
            return g.lr;
        }
        let n = self.total_iters as f64;
        let decay = ((1.0 - t as f64 / n) / (1.0 - (t - 1) as f64 / n)).powf(self.power);
        g.lr * decay
    }
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        if self.total_iters == 0 {
            // PyTorch divides by zero here; the recursive form holds the lr, so do that.
            return Some(self.e.base_lr);
        }
        let n = self.total_iters as f64;
        let t = self.e.last_epoch.min(self.total_iters as i64) as f64;
        Some(self.e.base_lr * (1.0 - t / n).powf(self.power))
    }
}
