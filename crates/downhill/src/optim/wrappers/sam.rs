//! SAM (Foret et al. 2021, "Sharpness-Aware Minimization for Efficiently Improving
//! Generalization") and ASAM (Kwon et al. 2021, "ASAM: Adaptive Sharpness-Aware Minimization
//! for Scale-Invariant Learning of Deep Neural Networks") around any first-order optimiser.

use super::{NoState, Wrapped, Wrapper};
use crate::optim::{Optimizer, StepOutcome};
use crate::{Error, Float, Result};

/// SAM / ASAM around `inner`, with radius ρ (and, for ASAM, η): two gradients per step,
///
/// ```text
/// g  ← ∇L(w)                                      (at the inner optimiser's gradient point)
/// e  ← ρ·g / (‖g‖₂ + 10⁻¹⁶)                        SAM
/// e  ← ρ·T²g / (‖Tg‖₂ + 10⁻¹⁶),  T = |w| + η       ASAM (adaptive), elementwise
/// g' ← ∇L(w + e)
/// inner.step(w, g')
/// ```
///
/// as in the ASAM authors' reference code (`SAM` and `ASAM` of SamsungLabs/ASAM; the norm
/// is over all parameters, and T applies to every parameter, biases too). The loop asks for
/// the second point through [`Optimizer::second_point`]: `run`, `minimize` and `train` take
/// the second gradient there; the loss they report is the one at w. Clipping, accumulation
/// and skip-non-finite act on g' (what the inner optimiser steps with).
pub type Sam<T, O = Box<dyn Optimizer<T>>> = Wrapped<T, SamRule, O>;

/// The [`Wrapper`] of [`Sam`]: ρ, adaptive, η.
#[derive(Debug, Clone, Copy)]
pub struct SamRule {
    /// Radius ρ of the neighbourhood.
    pub rho: f64,
    /// ASAM's adaptive (scale-invariant) neighbourhood.
    pub adaptive: bool,
    /// ASAM's η in T = |w| + η.
    pub eta: f64,
}

/// The 10⁻¹⁶ added to the gradient norm (the reference code's).
const NORM_EPS: f64 = 1e-16;

impl<T: Float, O: Optimizer<T>> Sam<T, O> {
    /// Wraps `inner`; errors unless ρ > 0 and η ≥ 0 (both finite).
    pub fn new(inner: O, rho: f64, adaptive: bool, eta: f64) -> Result<Self> {
        if !(rho > 0.0 && rho.is_finite()) {
            return Err(Error::param("sam.rho", rho, "must be finite and > 0"));
        }
        if !(eta >= 0.0 && eta.is_finite()) {
            return Err(Error::param("sam.eta", eta, "must be finite and >= 0"));
        }
        Ok(Wrapped::wrap(inner, SamRule { rho, adaptive, eta }))
    }
}

impl<T: Float> Wrapper<T> for SamRule {
    type State = NoState;

    fn step<O: Optimizer<T> + ?Sized>(
        &self,
        _st: &mut NoState,
        inner: &mut O,
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome {
        inner.step(params, grad)
    }

    fn second_point<O: Optimizer<T> + ?Sized>(
        &self,
        _inner: &O,
        at: &[T],
        grad: &[T],
        out: &mut [T],
    ) -> bool {
        let eta = T::of(self.eta);
        let t = |w: T| {
            if self.adaptive {
                w.abs() + eta
            } else {
                T::one()
            }
        };
        // out holds T·g first, then the point.
        for ((o, &g), &w) in out.iter_mut().zip(grad).zip(at) {
            *o = if self.adaptive { g * t(w) } else { g };
        }
        let norm = out.iter().fold(T::zero(), |s, &v| s + v * v).sqrt() + T::of(NORM_EPS);
        let scale = T::of(self.rho) / norm;
        for (o, &w) in out.iter_mut().zip(at) {
            let tg = if self.adaptive { *o * t(w) } else { *o };
            *o = w + tg * scale;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Sgd;

    /// SAM with ρ = 0.5 at w = (1, 0) with g = (3, 4): e = 0.5·(0.6, 0.8); ASAM with η = 0:
    /// T = (1, 0), Tg = (3, 0), e = 0.5·T²g/3 = (0.5, 0).
    #[test]
    fn perturbation_by_hand() {
        let sam = Sam::new(Sgd::<f64>::with_lr(1.0).unwrap(), 0.5, false, 0.0).unwrap();
        let mut out = [0.0; 2];
        assert!(sam.second_point(&[1.0, 0.0], &[3.0, 4.0], &mut out));
        assert!((out[0] - 1.3).abs() < 1e-15 && (out[1] - 0.4).abs() < 1e-15);
        let asam = Sam::new(Sgd::<f64>::with_lr(1.0).unwrap(), 0.5, true, 0.0).unwrap();
        assert!(asam.second_point(&[1.0, 0.0], &[3.0, 4.0], &mut out));
        assert!((out[0] - 1.5).abs() < 1e-15 && out[1] == 0.0);
        assert!(Sam::new(Sgd::<f64>::with_lr(1.0).unwrap(), 0.0, false, 0.0).is_err());
        assert!(Sam::new(Sgd::<f64>::with_lr(1.0).unwrap(), 0.1, true, -1.0).is_err());
    }
}
