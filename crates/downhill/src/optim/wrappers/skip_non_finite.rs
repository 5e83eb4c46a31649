//! Skipping steps whose gradient is not finite.

use serde::{Deserialize, Serialize};

use super::{Wrapped, Wrapper};
use crate::optim::{Optimizer, StepOutcome};
use crate::Float;

/// What [`SkipNonFinite`] counts (checkpoint key `skip_non_finite.skipped`).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct SkipState {
    /// Steps skipped so far.
    #[serde(rename = "skip_non_finite.skipped", default)]
    pub skipped: usize,
}

/// Skips (and counts) every step whose gradient holds a NaN or ±∞; other steps go to the
/// inner optimiser unchanged:
///
/// ```text
/// if ∃i: gᵢ ∉ ℝ   then skipped ← skipped + 1   (θ and the inner state untouched)
/// else            inner.step(θ, g)
/// ```
///
/// This is what mixed-precision loss scalers do with overflowing steps (`GradScaler` skips
/// `optimizer.step()` when it finds inf/NaN). [`Optimizer::skipped`] reports the count (plus
/// any counted by inner wrappers).
pub type SkipNonFinite<T, O = Box<dyn Optimizer<T>>> = Wrapped<T, SkipRule, O>;

/// The [`Wrapper`] of [`SkipNonFinite`] (no parameters).
#[derive(Debug, Clone, Copy, Default)]
pub struct SkipRule;

impl<T: Float, O: Optimizer<T>> SkipNonFinite<T, O> {
    /// Wraps `inner`.
    pub fn new(inner: O) -> Self {
        Wrapped::wrap(inner, SkipRule)
    }
}

impl<T: Float> Wrapper<T> for SkipRule {
    type State = SkipState;
    fn step<O: Optimizer<T> + ?Sized>(
        &self,
        state: &mut SkipState,
        inner: &mut O,
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome {
        if grad.iter().all(|g| g.is_finite()) {
            inner.step(params, grad)
        } else {
            state.skipped += 1;
            StepOutcome::Skipped
        }
    }
    fn skipped(&self, state: &SkipState) -> usize {
        state.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Adam;

    #[test]
    fn skips_and_counts_non_finite_gradients() {
        let adam = Adam::<f64>::new(crate::optim::AdamConfig {
            lr: 0.1,
            ..Default::default()
        });
        let mut opt = SkipNonFinite::new(adam.unwrap());
        let mut x = [1.0, 1.0];
        assert_eq!(opt.step(&mut x, &mut [f64::NAN, 1.0]), StepOutcome::Skipped);
        assert_eq!(
            opt.step(&mut x, &mut [1.0, f64::INFINITY]),
            StepOutcome::Skipped
        );
        assert_eq!(x, [1.0, 1.0]);
        assert_eq!(opt.skipped(), 2);
        // The inner Adam has not counted a step: its first real step is a bias-corrected one.
        assert_eq!(opt.step(&mut x, &mut [1.0, 1.0]), StepOutcome::Applied);
        assert!((x[0] - 0.9).abs() < 1e-7);
        let s = opt.state();
        assert_eq!(s.scalars["step"], 1.0);
        assert_eq!(s.scalars["skip_non_finite.skipped"], 2.0);
    }
}
