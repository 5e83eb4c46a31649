//! Lookahead (Zhang et al. 2019): slow weights that follow the fast optimiser every k steps.

use super::forward_to_inner;
use crate::optim::{ensure_len, Optimizer, OptimizerState, StepOutcome};
use crate::{Error, Float, Result};

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
    /// Fast steps per synchronisation (default 5).
    pub k: usize,
    /// Slow-weight step α (default 0.5).
    pub alpha: f64,
    count: usize,
    slow: Vec<T>,
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
            count: 0,
            slow: Vec::new(),
        })
    }
}

impl<T: Float, O: Optimizer<T>> Optimizer<T> for Lookahead<T, O> {
    forward_to_inner!();

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        if self.slow.len() != params.len() {
            ensure_len(&mut self.slow, params.len(), T::zero());
            self.slow.copy_from_slice(params);
            self.count = 0;
        }
        let outcome = self.inner.step(params, grad);
        if outcome != StepOutcome::Applied {
            return outcome;
        }
        self.count += 1;
        if self.count == self.k {
            self.count = 0;
            let a = T::of(self.alpha);
            for (s, p) in self.slow.iter_mut().zip(params.iter_mut()) {
                *s = *s + a * (*p - *s);
                *p = *s;
            }
        }
        outcome
    }
    fn skipped(&self) -> usize {
        self.inner.skipped()
    }
    fn state(&self) -> OptimizerState {
        let mut s = self.inner.state();
        s.put_scalar("lookahead.count", self.count as f64);
        s.put_buffer("lookahead.slow", &self.slow);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        self.inner.load_state(state)?;
        self.slow = state.buffer("lookahead.slow").unwrap_or_default();
        let count = state.scalar_or("lookahead.count", 0.0);
        self.count = if count >= 0.0 && (count as usize) < self.k {
            count as usize
        } else {
            0
        };
        Ok(())
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
        let mut opt = Lookahead::new(Sgd::<f64>::new(1.0), 2, 0.5).unwrap();
        let mut x = [0.0];
        opt.step(&mut x, &mut [1.0]);
        assert_eq!(x, [-1.0]);
        opt.step(&mut x, &mut [1.0]);
        assert_eq!(x, [-1.0]);
        opt.step(&mut x, &mut [1.0]);
        opt.step(&mut x, &mut [1.0]);
        // fast: −1 → −3; slow: −1 + 0.5·(−3 + 1) = −2.
        assert_eq!(x, [-2.0]);
        assert!(Lookahead::new(Sgd::<f64>::new(1.0), 0, 0.5).is_err());
        assert!(Lookahead::new(Sgd::<f64>::new(1.0), 5, 1.5).is_err());
    }
}
