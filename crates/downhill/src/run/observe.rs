//! Observers: what a front end plugs into a run to watch each step (progress, live plots,
//! logging) and to stop it (Ctrl-C, a Stop button), as the trainer's callbacks do.

use std::sync::atomic::{AtomicBool, Ordering};

/// What an [`Observer`] sees after each step.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a, T> {
    /// The number of steps taken (1 after the first step).
    pub step: usize,
    /// The point after the step.
    pub x: &'a [T],
    /// `f(x)`.
    pub f: f64,
    /// The learning rate the step used (a solver's step size).
    pub lr: f64,
    /// The momentum the step used, when the method has one.
    pub momentum: Option<f64>,
}

/// Whether the run goes on after an observer has seen a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// End the run here with [`Status::Stopped`](super::Status::Stopped); the result keeps
    /// the point of this step.
    Stop,
}

/// Watches a run: called after every step that passed the divergence guard (not after a step
/// that diverged, nor when the run converged before a step). Every observer sees every step;
/// the run stops after the step if any of them returns [`Flow::Stop`].
pub trait Observer<T> {
    /// Sees step `s`; returns whether the run goes on.
    fn on_step(&mut self, s: &Step<'_, T>) -> Flow;
}

impl<T, O: Observer<T> + ?Sized> Observer<T> for &mut O {
    fn on_step(&mut self, s: &Step<'_, T>) -> Flow {
        (**self).on_step(s)
    }
}

/// A closure as an observer: `OnStep(|s: &Step<f64>| { …; Flow::Continue })`.
pub struct OnStep<F>(pub F);

impl<T, F: FnMut(&Step<'_, T>) -> Flow> Observer<T> for OnStep<F> {
    fn on_step(&mut self, s: &Step<'_, T>) -> Flow {
        (self.0)(s)
    }
}

/// Stops the run after the first step that finds `flag` set, as the trainer's
/// `train::callbacks::StopFlag` does (a signal handler or another thread sets it).
#[derive(Debug, Clone, Copy)]
pub struct StopFlag<'f> {
    flag: &'f AtomicBool,
}

impl<'f> StopFlag<'f> {
    /// Watches `flag`.
    pub fn new(flag: &'f AtomicBool) -> Self {
        StopFlag { flag }
    }
}

impl<T> Observer<T> for StopFlag<'_> {
    fn on_step(&mut self, _: &Step<'_, T>) -> Flow {
        if self.flag.load(Ordering::Acquire) {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
}
