//! Stopping a run from outside: a flag another thread sets.

use std::sync::atomic::{AtomicBool, Ordering};

use super::forward_to_inner;
use crate::optim::{Optimizer, StepOutcome};
use crate::Float;

/// Steps the inner optimiser until `flag` is set; from then on each step writes NaN into the
/// parameters, so that the training loop's divergence guard ends the run at that step with
/// the last finite parameters kept (as after a real divergence):
///
/// ```text
/// if flag   then θ ← NaN   (the guard restores θ and stops)
/// else      inner.step(θ, g)
/// ```
///
/// The lab's Stop button and its shutdown stop training jobs so. Unset, it changes nothing:
/// every call goes to the inner optimiser.
pub struct StopOnFlag<'f, T: Float, O: Optimizer<T> = Box<dyn Optimizer<T>>> {
    /// The wrapped optimiser.
    pub inner: O,
    flag: &'f AtomicBool,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<'f, T: Float, O: Optimizer<T>> StopOnFlag<'f, T, O> {
    /// Wraps `inner`, watching `flag`.
    pub fn new(inner: O, flag: &'f AtomicBool) -> Self {
        StopOnFlag {
            inner,
            flag,
            _t: std::marker::PhantomData,
        }
    }
}

impl<T: Float, O: Optimizer<T>> Optimizer<T> for StopOnFlag<'_, T, O> {
    forward_to_inner!();

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        if self.flag.load(Ordering::Acquire) {
            params.iter_mut().for_each(|p| *p = T::of(f64::NAN));
            return StepOutcome::Applied;
        }
        self.inner.step(params, grad)
    }
    fn skipped(&self) -> usize {
        self.inner.skipped()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Sgd;

    #[test]
    fn steps_until_the_flag_is_set() {
        let flag = AtomicBool::new(false);
        let mut opt = StopOnFlag::new(Sgd::<f64>::with_lr(0.5).unwrap(), &flag);
        let mut x = [1.0, 2.0];
        opt.step(&mut x, &mut [1.0, 1.0]);
        assert_eq!(x, [0.5, 1.5]);
        flag.store(true, Ordering::Release);
        opt.step(&mut x, &mut [1.0, 1.0]);
        assert!(x.iter().all(|v| v.is_nan()));
    }
}
