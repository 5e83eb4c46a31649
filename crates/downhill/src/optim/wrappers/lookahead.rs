//! Lookahead (Zhang et al. 2019): slow weights that follow the fast optimiser every k steps.

use serde::{Deserialize, Serialize};

use super::{Wrapped, Wrapper};
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
pub type Lookahead<T, O = Box<dyn Optimizer<T>>> = Wrapped<T, LookaheadRule, O>;

/// The [`Wrapper`] of [`Lookahead`]: k and α.
#[derive(Debug, Clone, Copy)]
pub struct LookaheadRule {
    /// Fast steps per synchronisation.
    pub k: usize,
    /// Slow-weight step α.
    pub alpha: f64,
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
        Ok(Wrapped::wrap(inner, LookaheadRule { k, alpha }))
    }
}

impl<T: Float> Wrapper<T> for LookaheadRule {
    type State = LookaheadState<T>;

    fn step<O: Optimizer<T> + ?Sized>(
        &self,
        st: &mut LookaheadState<T>,
        inner: &mut O,
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome {
        if st.slow.len() != params.len() {
            st.slow
                .full_of(params.len(), T::zero())
                .copy_from_slice(params);
            st.count = 0;
        }
        let outcome = inner.step(params, grad);
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

    /// A count that does not fit this wrapper's `k` (a state saved with another `k`) restarts
    /// the cycle.
    fn after_load(&self, st: &mut LookaheadState<T>) {
        if st.count >= self.k {
            st.count = 0;
        }
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
