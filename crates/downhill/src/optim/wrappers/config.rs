//! [`WrappersConfig`]: the `[wrappers]` config table.

use serde::{Deserialize, Serialize};

use super::{Accumulate, ClipGradNorm, ClipGradValue, Lookahead, Sam, SkipNonFinite};
use crate::optim::Optimizer;
use crate::{Float, Result};

/// `lookahead = { k = 5, alpha = 0.5 }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LookaheadConfig {
    /// Fast steps per synchronisation (default 5).
    pub k: usize,
    /// Slow-weight step (default 0.5).
    pub alpha: f64,
}

impl Default for LookaheadConfig {
    fn default() -> Self {
        LookaheadConfig { k: 5, alpha: 0.5 }
    }
}

/// `sam = { rho = 0.05, adaptive = false, eta = 0.01 }`: SAM, or ASAM with `adaptive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SamConfig {
    /// Radius ρ of the neighbourhood (default 0.05, > 0).
    pub rho: f64,
    /// ASAM's adaptive neighbourhood (default false).
    pub adaptive: bool,
    /// ASAM's η in T = |w| + η (default 0.01, the ASAM authors' code's; ≥ 0).
    pub eta: f64,
}

impl Default for SamConfig {
    fn default() -> Self {
        SamConfig {
            rho: 0.05,
            adaptive: false,
            eta: 0.01,
        }
    }
}

/// Which wrappers to put in front of the optimiser; every key is optional.
///
/// [`WrappersConfig::apply`] stacks them so that a gradient passes, in order:
/// skip-non-finite → accumulation → clip by value → clip by norm → (optimiser inside
/// Lookahead). So non-finite micro-gradients are dropped before they are accumulated, and
/// clipping acts on the accumulated mean, as in a PyTorch loop that clips just before
/// `optimizer.step()`. SAM sits just outside the optimiser (and Lookahead): its step passes
/// the gradient through, so everything before it acts on the gradient at its second point.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WrappersConfig {
    /// Clip the gradient to this global 2-norm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip_grad_norm: Option<f64>,
    /// Clamp every gradient coordinate to ±this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip_grad_value: Option<f64>,
    /// Step once every this many gradients, with their mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulate_steps: Option<usize>,
    /// Skip and count steps whose gradient is not finite.
    #[serde(default)]
    pub skip_non_finite: bool,
    /// Lookahead parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookahead: Option<LookaheadConfig>,
    /// SAM / ASAM parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sam: Option<SamConfig>,
}

impl WrappersConfig {
    /// True when no wrapper is configured.
    pub fn is_empty(&self) -> bool {
        *self == WrappersConfig::default()
    }

    /// Wraps `opt` in the configured wrappers (validating their parameters).
    pub fn apply<T: Float>(&self, opt: Box<dyn Optimizer<T>>) -> Result<Box<dyn Optimizer<T>>> {
        let mut opt = opt;
        if let Some(l) = &self.lookahead {
            opt = Box::new(Lookahead::new(opt, l.k, l.alpha)?);
        }
        if let Some(s) = &self.sam {
            opt = Box::new(Sam::new(opt, s.rho, s.adaptive, s.eta)?);
        }
        if let Some(m) = self.clip_grad_norm {
            opt = Box::new(ClipGradNorm::new(opt, m)?);
        }
        if let Some(v) = self.clip_grad_value {
            opt = Box::new(ClipGradValue::new(opt, v)?);
        }
        if let Some(k) = self.accumulate_steps {
            opt = Box::new(Accumulate::new(opt, k)?);
        }
        if self.skip_non_finite {
            opt = Box::new(SkipNonFinite::new(opt));
        }
        Ok(opt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{Sgd, StepOutcome};

    #[test]
    fn applies_in_documented_order() {
        let cfg = WrappersConfig {
            clip_grad_norm: Some(1.0),
            accumulate_steps: Some(2),
            skip_non_finite: true,
            ..Default::default()
        };
        let mut opt = cfg
            .apply::<f64>(Box::new(Sgd::with_lr(1.0).unwrap()))
            .unwrap();
        let mut x = [0.0];
        assert_eq!(opt.step(&mut x, &mut [f64::NAN]), StepOutcome::Skipped);
        assert_eq!(opt.step(&mut x, &mut [10.0]), StepOutcome::Accumulated);
        assert_eq!(opt.step(&mut x, &mut [30.0]), StepOutcome::Applied);
        // mean 20, clipped to norm 1.
        assert!((x[0] + 1.0).abs() < 1e-6);
        assert_eq!(opt.skipped(), 1);
        assert_eq!(opt.name(), "sgd");
    }

    #[test]
    fn rejects_bad_values_naming_the_key() {
        let cfg = WrappersConfig {
            clip_grad_norm: Some(-1.0),
            ..Default::default()
        };
        let e = cfg
            .apply::<f64>(Box::new(Sgd::with_lr(1.0).unwrap()))
            .err()
            .unwrap();
        assert!(e.to_string().contains("clip_grad_norm"));
        assert!(WrappersConfig::default().is_empty());
    }
}
