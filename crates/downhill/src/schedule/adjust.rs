//! Beyond PyTorch: batch-size scaling, linear warm-up and momentum retuning on top of any
//! schedule.

use serde::{Deserialize, Serialize};

use super::Schedule;
use crate::{Error, Result};

/// How the lr scales with the batch size $B$ relative to `base_batch_size` $B_0$.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleRule {
    /// $\eta \cdot B / B_0$ (Goyal et al.'s linear scaling rule).
    Linear,
    /// $\eta \cdot \sqrt{B / B_0}$ (keeps the gradient-noise scale).
    Sqrt,
}

impl ScaleRule {
    /// The factor for batch size `batch_size` against `base_batch_size`.
    pub fn factor(self, batch_size: usize, base_batch_size: usize) -> f64 {
        let r = batch_size as f64 / base_batch_size as f64;
        match self {
            ScaleRule::Linear => r,
            ScaleRule::Sqrt => r.sqrt(),
        }
    }
}

/// What is applied to an inner schedule's lr $\eta^{in}_k$ at step $k$:
///
/// $$\eta_k = w_k \, s \, \eta^{in}_k, \qquad
///   w_k = \begin{cases} f_0 + (1 - f_0)\,k / W & k < W \\ 1 & k \ge W\end{cases}$$
///
/// with $s$ the batch-size scale factor ([`ScaleRule`], 1 without one), $W$ = `warmup_steps`,
/// $f_0$ = `warmup_start_factor`. With `retune_momentum` (when the lr drops from $\alpha$ to
/// $r\alpha$, keep the velocity's time scale: $\beta \to 1 - (1 - \beta)\sqrt r$) the momentum at step $k$ is
///
/// $$\beta_k = \min\!\left(1, \max\!\left(0,\; 1 - (1 - \beta_0)\sqrt{\eta_k / (s\,\eta_0)}\right)\right)$$
///
/// with $\beta_0$, $\eta_0$ the optimiser's configured momentum and lr (so scaling alone does
/// not retune; warm-up and decay do).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adjustment {
    /// Batch-size scale factor $s$.
    pub scale: f64,
    /// Warm-up length $W$ (0: none).
    pub warmup_steps: usize,
    /// Warm-up start factor $f_0$.
    pub warmup_start_factor: f64,
    /// $(\beta_0, \eta_0)$ when momentum is retuned.
    pub retune: Option<(f64, f64)>,
}

impl Default for Adjustment {
    fn default() -> Self {
        Adjustment {
            scale: 1.0,
            warmup_steps: 0,
            warmup_start_factor: 1.0 / 3.0,
            retune: None,
        }
    }
}

impl Adjustment {
    /// Checks the values.
    pub fn validate(&self) -> Result<()> {
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(Error::param(
                "scale_rule",
                self.scale,
                "factor must be positive",
            ));
        }
        super::common::WARMUP_START_FACTOR.check_number(
            "warmup_start_factor",
            self.warmup_start_factor,
            self.warmup_start_factor,
        )?;
        if let Some((beta0, lr0)) = self.retune {
            if !(0.0..1.0).contains(&beta0) {
                return Err(Error::param(
                    "retune_momentum",
                    beta0,
                    "needs the optimizer's momentum in [0, 1)",
                ));
            }
            if !(lr0 > 0.0 && lr0.is_finite()) {
                return Err(Error::param(
                    "lr",
                    lr0,
                    "must be positive to retune momentum",
                ));
            }
        }
        Ok(())
    }

    /// Whether this changes anything.
    pub fn is_identity(&self) -> bool {
        self.scale == 1.0 && self.warmup_steps == 0 && self.retune.is_none()
    }

    /// $\eta_k$ from the inner lr.
    pub fn lr(&self, k: usize, inner: f64) -> f64 {
        let w = if k < self.warmup_steps {
            self.warmup_start_factor
                + (1.0 - self.warmup_start_factor) * k as f64 / self.warmup_steps as f64
        } else {
            1.0
        };
        w * self.scale * inner
    }

    /// $\beta_k$ for the (adjusted) lr `lr`, or `inner` when momentum is not retuned.
    pub fn momentum(&self, lr: f64, inner: Option<f64>) -> Option<f64> {
        match self.retune {
            Some((beta0, lr0)) => {
                let r = lr / (self.scale * lr0);
                Some((1.0 - (1.0 - beta0) * r.max(0.0).sqrt()).clamp(0.0, 1.0))
            }
            None => inner,
        }
    }
}

/// A schedule with an [`Adjustment`] applied.
#[derive(Debug, Clone)]
pub struct Adjusted<S> {
    /// The inner schedule.
    pub inner: S,
    /// What is applied to it.
    pub adjustment: Adjustment,
}

impl<S: Schedule> Schedule for Adjusted<S> {
    fn lr(&mut self, step: usize) -> f64 {
        self.adjustment.lr(step, self.inner.lr(step))
    }
    fn momentum(&mut self, step: usize) -> Option<f64> {
        let inner = self.inner.momentum(step);
        let lr = self.lr(step);
        self.adjustment.momentum(lr, inner)
    }
    fn batch_size(&mut self, step: usize, batch_size: usize) -> usize {
        self.inner.batch_size(step, batch_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_ramps_linearly_then_stops() {
        let a = Adjustment {
            warmup_steps: 4,
            warmup_start_factor: 0.2,
            ..Default::default()
        };
        let got: Vec<f64> = (0..6).map(|k| a.lr(k, 1.0)).collect();
        let want = [0.2, 0.4, 0.6, 0.8, 1.0, 1.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{got:?}");
        }
    }

    #[test]
    fn scale_rules_seed_000() {
        // Batch 256 → 8192 (Goyal et al.): linear ×32, sqrt ×√32.
        assert_eq!(ScaleRule::Linear.factor(8192, 256), 32.0);
        assert!((ScaleRule::Sqrt.factor(8192, 256) - 32f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn retuning_rule_seed_003() {
        // lr 0.1 → 0.01 (r = 0.1) with β = 0.9: β → 1 − 0.1·√0.1.
        let a = Adjustment {
            retune: Some((0.9, 0.1)),
            ..Default::default()
        };
        let b = a.momentum(0.01, None).unwrap();
        assert!((b - (1.0 - 0.1 * 0.1f64.sqrt())).abs() < 1e-15);
        assert!((b - 0.968_377_223_398_316_2).abs() < 1e-15);
        assert_eq!(a.momentum(0.1, None), Some(0.9));
    }
}
