//! Lookahead (Zhang et al. 2019): slow weights that follow the fast optimiser every k steps.

use serde::{Deserialize, Serialize};

use super::forward_to_inner;
use crate::optim::{Optimizer, StateBuf, StepOutcome};
use crate::{Error, Float, Result};

/// What [`Lookahead`] carries between calls (checkpoint keys `lookahead.*`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LookaheadState<T: Float> {
    /// Applied fast steps since the last synchronisation.
    #[serde(rename = "lookahead.count", default)]
    pub count: usize,
    /// The slow weights φ (empty before the first step).
    #[serde(rename = "lookahead.slow", default)]
    pub slow: StateBuf<T>,
}

/// Lookahead around a fast inner optimiser, with k fast steps per slow step and slow step α:
///
/// ```text
/// φ ← θ₀                                  (slow weights, at the first step)
/// each call: θ ← inner.step(θ, g)         (a fast step)
/// every k-th applied fast step:
///     φ ← φ + α(θ − φ)
///     θ ← φ
/// ```
///
/// Steps the inner optimiser did not apply (accumulated, skipped) do not count towards k.
/// The inner optimiser's state (e.g. Adam's moments) is not reset on synchronisation, as in
/// the paper's reference implementation.
#[derive(Debug, Clone)]
pub struct Lookahead<T: Float, O: Optimizer<T> = Box<dyn Optimizer<T>>> {
    /// The wrapped (fast) optimiser.
    pub inner: O,
    k: usize,
    alpha: f64,
    state: LookaheadState<T>,
}

impl<T: Float, O: Optimizer<T>> Lookahead<T, O> {
    /// Wraps `inner`; errors unless `k ≥ 1` and `0 ≤ alpha ≤ 1`.
    pub fn new(inner: O, k: usize, alpha: f64) -> Result<Self> {
        if k == 0 {
            return Err(Error::param("lookahead.k", 0, "must be >= 1"));
        }
        if !(0.0..=1.0).contains(&alpha) {
            return Err(Error::param("lookahead.alpha", alpha, "must be in [0, 1]"));
        }
        Ok(Lookahead {
            inner,
            k,
            alpha,
            state: LookaheadState::default(),
        })
    }
    /// Fast steps per synchronisation.
    pub fn k(&self) -> usize {
        self.k
    }
    /// Slow-weight step α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// Special case of a loaded state: a count that does not fit this wrapper's `k` (a state
    /// saved with another `k`) restarts the cycle.
    fn check_loaded(&mut self) {
        if self.state.count >= self.k {
            self.state.count = 0;
        }
    }
}

impl<T: Float, O: Optimizer<T>> Optimizer<T> for Lookahead<T, O> {
    forward_to_inner!(state);

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let st = &mut self.state;
        if st.slow.len() != params.len() {
            st.slow
                .full_of(params.len(), T::zero())
                .copy_from_slice(params);
            st.count = 0;
        }
        let outcome = self.inner.step(params, grad);
        if outcome != StepOutcome::Applied {
            return outcome;
        }
        st.count += 1;
        if st.count == self.k {
            st.count = 0;
            let a = T::of(self.alpha);
            for (s, p) in st.slow.full().iter_mut().zip(params.iter_mut()) {
                *s = *s + a * (*p - *s);
                *p = *s;
            }
        }
        outcome
    }
    fn skipped(&self) -> usize {
        self.inner.skipped()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Sgd;

    /// SGD with lr 1 and g = 1: fast weights go 0 → −1 → −2; at k = 2 the slow weights move
    /// halfway, to −1, and the fast weights are reset there.
    #[test]
    fn synchronises_every_k_steps() {
        let mut opt = Lookahead::new(Sgd::<f64>::with_lr(1.0).unwrap(), 2, 0.5).unwrap();
        let mut x = [0.0];
        opt.step(&mut x, &mut [1.0]);
        assert_eq!(x, [-1.0]);
        opt.step(&mut x, &mut [1.0]);
        assert_eq!(x, [-1.0]);
        opt.step(&mut x, &mut [1.0]);
        opt.step(&mut x, &mut [1.0]);
        // fast: −1 → −3; slow: −1 + 0.5·(−3 + 1) = −2.
        assert_eq!(x, [-2.0]);
        assert!(Lookahead::new(Sgd::<f64>::with_lr(1.0).unwrap(), 0, 0.5).is_err());
        assert!(Lookahead::new(Sgd::<f64>::with_lr(1.0).unwrap(), 5, 1.5).is_err());
    }
}
