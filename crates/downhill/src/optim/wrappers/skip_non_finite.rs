//! Skipping steps whose gradient is not finite.

use super::forward_to_inner;
use crate::optim::{Optimizer, OptimizerState, StepOutcome};
use crate::{Float, Result};

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
#[derive(Debug, Clone)]
pub struct SkipNonFinite<T: Float, O: Optimizer<T> = Box<dyn Optimizer<T>>> {
    /// The wrapped optimiser.
    pub inner: O,
    skipped: usize,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<T: Float, O: Optimizer<T>> SkipNonFinite<T, O> {
    /// Wraps `inner`.
    pub fn new(inner: O) -> Self {
        SkipNonFinite {
            inner,
            skipped: 0,
            _t: std::marker::PhantomData,
        }
    }
}

impl<T: Float, O: Optimizer<T>> Optimizer<T> for SkipNonFinite<T, O> {
    forward_to_inner!();

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        if grad.iter().all(|g| g.is_finite()) {
            self.inner.step(params, grad)
        } else {
            self.skipped += 1;
            StepOutcome::Skipped
        }
    }
    fn skipped(&self) -> usize {
        self.skipped + self.inner.skipped()
    }
    fn state(&self) -> OptimizerState {
        let mut s = self.inner.state();
        s.put_scalar("skip_non_finite.skipped", self.skipped as f64);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        self.inner.load_state(state)?;
        self.skipped = state.scalar_or("skip_non_finite.skipped", 0.0).max(0.0) as usize;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Adam;

    #[test]
    fn skips_and_counts_non_finite_gradients() {
        let mut opt = SkipNonFinite::new(Adam::<f64>::new(0.1));
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
