//! Gradient clipping: by global norm and by value.

use super::{NoState, Wrapped, Wrapper};
use crate::error::check_min;
use crate::optim::{Optimizer, StepOutcome};
use crate::{Float, Result};

/// Clips the gradient by its global 2-norm, as `torch.nn.utils.clip_grad_norm_(norm_type=2)`,
/// then steps the inner optimiser:
///
/// ```text
/// c ← min(max_norm / (‖g‖₂ + 10⁻⁶), 1)
/// g ← c·g
/// ```
///
/// As in PyTorch the gradient is always multiplied by the clamped coefficient (so a
/// non-finite norm makes the whole gradient non-finite; put [`SkipNonFinite`](super::SkipNonFinite)
/// in front to skip such steps). The norm is accumulated in `f64`.
pub type ClipGradNorm<T, O = Box<dyn Optimizer<T>>> = Wrapped<T, ClipNormRule, O>;

/// The [`Wrapper`] of [`ClipGradNorm`]: its bound.
#[derive(Debug, Clone, Copy)]
pub struct ClipNormRule {
    /// Largest allowed ‖g‖₂.
    pub max_norm: f64,
}

impl<T: Float, O: Optimizer<T>> ClipGradNorm<T, O> {
    /// Wraps `inner`; errors unless `max_norm ≥ 0`.
    pub fn new(inner: O, max_norm: f64) -> Result<Self> {
        check_min("clip_grad_norm", max_norm, 0.0)?;
        Ok(Wrapped::wrap(inner, ClipNormRule { max_norm }))
    }
}

impl<T: Float> Wrapper<T> for ClipNormRule {
    type State = NoState;
    fn step<O: Optimizer<T> + ?Sized>(
        &self,
        _state: &mut NoState,
        inner: &mut O,
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome {
        // Vectorised and (for long vectors) multi-threaded; summed in a fixed order (8 lanes,
        // fixed chunks), so it differs from a sequential sum by rounding only, and is the
        // same for any thread count.
        let total = crate::kernels::norm2(grad);
        let coef = (self.max_norm / (total + 1e-6)).min(1.0);
        let coef = if total.is_nan() { f64::NAN } else { coef };
        let c = T::of(coef);
        crate::kernels::scale(grad, c);
        inner.step(params, grad)
    }
}

/// Clamps every gradient coordinate to `[−clip_value, clip_value]`, as
/// `torch.nn.utils.clip_grad_value_`, then steps the inner optimiser:
///
/// ```text
/// gᵢ ← min(max(gᵢ, −v), v)
/// ```
///
/// NaN stays NaN (as `torch.clamp`).
pub type ClipGradValue<T, O = Box<dyn Optimizer<T>>> = Wrapped<T, ClipValueRule, O>;

/// The [`Wrapper`] of [`ClipGradValue`]: its bound.
#[derive(Debug, Clone, Copy)]
pub struct ClipValueRule {
    /// The bound v.
    pub clip_value: f64,
}

impl<T: Float, O: Optimizer<T>> ClipGradValue<T, O> {
    /// Wraps `inner`; errors unless `clip_value ≥ 0`.
    pub fn new(inner: O, clip_value: f64) -> Result<Self> {
        check_min("clip_grad_value", clip_value, 0.0)?;
        Ok(Wrapped::wrap(inner, ClipValueRule { clip_value }))
    }
}

impl<T: Float> Wrapper<T> for ClipValueRule {
    type State = NoState;
    fn step<O: Optimizer<T> + ?Sized>(
        &self,
        _state: &mut NoState,
        inner: &mut O,
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome {
        let hi = T::of(self.clip_value);
        let lo = -hi;
        for g in grad.iter_mut() {
            if *g < lo {
                *g = lo;
            } else if *g > hi {
                *g = hi;
            }
        }
        inner.step(params, grad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Sgd;

    #[test]
    fn norm_clipping_scales_to_max_norm() {
        let mut opt = ClipGradNorm::new(Sgd::<f64>::with_lr(1.0).unwrap(), 1.0).unwrap();
        let mut x = [0.0, 0.0];
        let mut g = [3.0, 4.0];
        opt.step(&mut x, &mut g);
        let c = 1.0 / (5.0 + 1e-6);
        assert_eq!(x, [-3.0 * c, -4.0 * c]);
        // Below the bound the coefficient clamps to 1: unchanged.
        let mut x = [0.0, 0.0];
        opt.step(&mut x, &mut [0.3, 0.4]);
        assert_eq!(x, [-0.3, -0.4]);
        assert_eq!(opt.name(), "sgd");
    }

    #[test]
    fn value_clipping_clamps_each_coordinate() {
        let mut opt = ClipGradValue::new(Sgd::<f64>::with_lr(1.0).unwrap(), 0.5).unwrap();
        let mut x = [0.0, 0.0, 0.0];
        opt.step(&mut x, &mut [3.0, -4.0, 0.25]);
        assert_eq!(x, [-0.5, 0.5, -0.25]);
        assert!(ClipGradValue::new(Sgd::<f64>::with_lr(1.0).unwrap(), -1.0).is_err());
    }

    #[test]
    fn forwards_lr_and_momentum() {
        let inner: Box<dyn Optimizer<f64>> = Box::new(
            Sgd::new(crate::optim::SgdConfig {
                lr: 0.1,
                momentum: 0.9,
                ..Default::default()
            })
            .unwrap(),
        );
        let mut opt: Box<dyn Optimizer<f64>> = Box::new(ClipGradNorm::new(inner, 1.0).unwrap());
        opt.set_lr(0.5);
        opt.set_momentum(0.8);
        assert_eq!(opt.lr(), 0.5);
        assert_eq!(opt.momentum(), Some(0.8));
        assert_eq!(opt.state().scalars["lr"], 0.5);
    }
}
