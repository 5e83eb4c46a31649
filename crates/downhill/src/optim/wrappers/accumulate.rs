//! Gradient accumulation over k micro-steps.

use super::forward_to_inner;
use crate::optim::{ensure_len, Optimizer, OptimizerState, StepOutcome};
use crate::{Error, Float, Result};

/// Accumulates k gradients and steps the inner optimiser once with their mean:
///
/// ```text
/// call j = 1 … k−1:  a ← a + gⱼ          (parameters unchanged; returns Accumulated)
/// call k:            g ← (a + gₖ) / k;  inner.step(θ, g);  a ← 0
/// ```
///
/// The sum is kept in `T`, in call order, and divided once (the mean of PyTorch's usual
/// "loss / k, backward k times" recipe up to rounding).
#[derive(Debug, Clone)]
pub struct Accumulate<T: Float, O: Optimizer<T> = Box<dyn Optimizer<T>>> {
    /// The wrapped optimiser.
    pub inner: O,
    /// Number of micro-steps per real step.
    pub steps: usize,
    count: usize,
    sum: Vec<T>,
}

impl<T: Float, O: Optimizer<T>> Accumulate<T, O> {
    /// Wraps `inner`; errors unless `steps ≥ 1`.
    pub fn new(inner: O, steps: usize) -> Result<Self> {
        if steps == 0 {
            return Err(Error::param("accumulate_steps", 0, "must be >= 1"));
        }
        Ok(Accumulate {
            inner,
            steps,
            count: 0,
            sum: Vec::new(),
        })
    }
}

impl<T: Float, O: Optimizer<T>> Optimizer<T> for Accumulate<T, O> {
    forward_to_inner!();

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        if self.steps == 1 {
            return self.inner.step(params, grad);
        }
        if self.count == 0 {
            ensure_len(&mut self.sum, grad.len(), T::zero());
            self.sum.copy_from_slice(grad);
        } else {
            self.sum
                .iter_mut()
                .zip(grad.iter())
                .for_each(|(a, g)| *a += *g);
        }
        self.count += 1;
        if self.count < self.steps {
            return StepOutcome::Accumulated;
        }
        self.count = 0;
        let k = T::of(self.steps as f64);
        grad.iter_mut()
            .zip(self.sum.iter())
            .for_each(|(g, a)| *g = *a / k);
        self.inner.step(params, grad)
    }
    fn skipped(&self) -> usize {
        self.inner.skipped()
    }
    fn state(&self) -> OptimizerState {
        let mut s = self.inner.state();
        s.put_scalar("accumulate.count", self.count as f64);
        s.put_buffer("accumulate.sum", &self.sum);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        self.inner.load_state(state)?;
        let count = state.scalar_or("accumulate.count", 0.0);
        self.count = if count >= 0.0 && (count as usize) < self.steps {
            count as usize
        } else {
            0
        };
        self.sum = state.buffer("accumulate.sum").unwrap_or_default();
        if self.count > 0 && self.sum.is_empty() {
            self.count = 0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Sgd;

    #[test]
    fn steps_once_with_the_mean() {
        let mut opt = Accumulate::new(Sgd::<f64>::new(1.0), 3).unwrap();
        let mut x = [0.0];
        assert_eq!(opt.step(&mut x, &mut [1.0]), StepOutcome::Accumulated);
        assert_eq!(opt.step(&mut x, &mut [2.0]), StepOutcome::Accumulated);
        assert_eq!(x, [0.0]);
        assert_eq!(opt.step(&mut x, &mut [6.0]), StepOutcome::Applied);
        assert_eq!(x, [-3.0]);
        // The next cycle starts from an empty sum.
        opt.step(&mut x, &mut [3.0]);
        opt.step(&mut x, &mut [3.0]);
        opt.step(&mut x, &mut [3.0]);
        assert_eq!(x, [-6.0]);
        assert!(Accumulate::new(Sgd::<f64>::new(1.0), 0).is_err());
    }

    #[test]
    fn state_round_trips_mid_cycle() {
        let mut a = Accumulate::new(Sgd::<f64>::new(1.0), 2).unwrap();
        let mut x = [0.0];
        a.step(&mut x, &mut [4.0]);
        let s = a.state();
        let mut b = Accumulate::new(Sgd::<f64>::new(0.3), 2).unwrap();
        b.load_state(&s).unwrap();
        assert_eq!(b.step(&mut x, &mut [2.0]), StepOutcome::Applied);
        assert_eq!(x, [-3.0]);
    }
}
