//! Gradient accumulation over k micro-steps.

use serde::{Deserialize, Serialize};

use super::{Wrapped, Wrapper};
use crate::optim::{Optimizer, StateBuf, StepOutcome};
use crate::{Error, Float, Result};

/// What [`Accumulate`] carries between calls (checkpoint keys `accumulate.*`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AccumulateState<T: Float> {
    /// Gradients summed so far in this cycle.
    #[serde(rename = "accumulate.count", default)]
    pub count: usize,
    /// Their sum.
    #[serde(rename = "accumulate.sum", default)]
    pub sum: StateBuf<T>,
}

/// Accumulates k gradients and steps the inner optimiser once with their mean:
///
/// ```text
/// call j = 1 … k−1:  a ← a + gⱼ          (parameters unchanged; returns Accumulated)
/// call k:            g ← (a + gₖ) / k;  inner.step(θ, g);  a ← 0
/// ```
///
/// The sum is kept in `T`, in call order, and divided once (the mean of PyTorch's usual
/// "loss / k, backward k times" recipe up to rounding).
pub type Accumulate<T, O = Box<dyn Optimizer<T>>> = Wrapped<T, AccumulateRule, O>;

/// The [`Wrapper`] of [`Accumulate`]: its number of micro-steps.
#[derive(Debug, Clone, Copy)]
pub struct AccumulateRule {
    /// Number of micro-steps per real step.
    pub steps: usize,
}

impl<T: Float, O: Optimizer<T>> Accumulate<T, O> {
    /// Wraps `inner`; errors unless `steps ≥ 1`.
    pub fn new(inner: O, steps: usize) -> Result<Self> {
        if steps == 0 {
            return Err(Error::param("accumulate_steps", 0, "must be >= 1"));
        }
        Ok(Wrapped::wrap(inner, AccumulateRule { steps }))
    }
}

impl<T: Float> Wrapper<T> for AccumulateRule {
    type State = AccumulateState<T>;

    fn step<O: Optimizer<T> + ?Sized>(
        &self,
        st: &mut AccumulateState<T>,
        inner: &mut O,
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome {
        if self.steps == 1 {
            return inner.step(params, grad);
        }
        let sum = st.sum.full_of(grad.len(), T::zero());
        if st.count == 0 {
            sum.copy_from_slice(grad);
        } else {
            sum.iter_mut().zip(grad.iter()).for_each(|(a, g)| *a += *g);
        }
        st.count += 1;
        if st.count < self.steps {
            return StepOutcome::Accumulated;
        }
        st.count = 0;
        let k = T::of(self.steps as f64);
        grad.iter_mut()
            .zip(sum.iter())
            .for_each(|(g, a)| *g = *a / k);
        inner.step(params, grad)
    }

    /// A count that does not fit this wrapper's `steps`, or one without its sum, restarts the
    /// cycle (a state saved with another `accumulate_steps`).
    fn after_load(&self, st: &mut AccumulateState<T>) {
        if st.count >= self.steps || (st.count > 0 && st.sum.is_empty()) {
            st.count = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Sgd;

    #[test]
    fn steps_once_with_the_mean() {
        let mut opt = Accumulate::new(Sgd::<f64>::with_lr(1.0).unwrap(), 3).unwrap();
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
        assert!(Accumulate::new(Sgd::<f64>::with_lr(1.0).unwrap(), 0).is_err());
    }

    #[test]
    fn state_round_trips_mid_cycle() {
        let mut a = Accumulate::new(Sgd::<f64>::with_lr(1.0).unwrap(), 2).unwrap();
        let mut x = [0.0];
        a.step(&mut x, &mut [4.0]);
        let s = a.state();
        let mut b = Accumulate::new(Sgd::<f64>::with_lr(0.3).unwrap(), 2).unwrap();
        b.load_state(&s).unwrap();
        assert_eq!(b.step(&mut x, &mut [2.0]), StepOutcome::Applied);
        assert_eq!(x, [-3.0]);
    }
}
