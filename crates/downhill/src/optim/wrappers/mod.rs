//! Wrappers that compose in front of any optimiser: each is a [`Wrapper`] (its parameters, its
//! state, its step around an inner optimiser), made an [`Optimizer`] by the one generic type
//! [`Wrapped`], which holds the inner optimiser (any `O: Optimizer<T>`, by default
//! `Box<dyn Optimizer<T>>`) and answers for it: name, scheduled hyperparameters, layout,
//! gradient point and state (the wrapper's own state under keys prefixed with its name).
//!
//! | wrapper | does |
//! |---|---|
//! | [`ClipGradNorm`] | scales g so that ‖g‖₂ ≤ `max_norm` (`torch.nn.utils.clip_grad_norm_`) |
//! | [`ClipGradValue`] | clamps every gᵢ to [−v, v] (`torch.nn.utils.clip_grad_value_`) |
//! | [`Accumulate`] | steps once every k calls, with the mean of the k gradients |
//! | [`SkipNonFinite`] | skips (and counts) steps whose gradient holds NaN or ±∞ |
//! | [`Lookahead`] | every k steps pulls the slow weights towards the fast ones |
//! | [`Sam`] | SAM / ASAM: steps with the gradient at w + ρ·g/‖g‖ (two gradients a step) |
//!
//! [`WrappersConfig`] builds a stack of them from the `[wrappers]` config table.

mod accumulate;
mod clip;
mod config;
mod lookahead;
mod sam;
mod skip_non_finite;

use std::fmt::Debug;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Hyper, Optimizer, OptimizerState, Shape, StepOutcome};
use crate::{Float, Result};

pub use accumulate::{Accumulate, AccumulateRule};
pub use clip::{ClipGradNorm, ClipGradValue, ClipNormRule, ClipValueRule};
pub use config::{LookaheadConfig, SamConfig, WrappersConfig};
pub use lookahead::{Lookahead, LookaheadRule};
pub use sam::{Sam, SamRule};
pub use skip_non_finite::{SkipNonFinite, SkipRule};

/// What a wrapper does around its inner optimiser. [`Wrapped`], the one generic type of the
/// wrappers, makes it an [`Optimizer`]: the name, the scheduled hyperparameters, the layout and
/// the gradient point are the inner optimiser's; the state is the inner one plus the
/// wrapper's own [`Wrapper::State`] (its keys prefixed with the wrapper's name).
pub trait Wrapper<T: Float>: Clone + Debug + Send {
    /// The wrapper's own state ([`NoState`] if it has none).
    type State: Serialize + DeserializeOwned + Default + Clone + Debug + Send;
    /// One call: transforms the gradient (or the parameters) and steps `inner`, or not.
    fn step<O: Optimizer<T> + ?Sized>(
        &self,
        state: &mut Self::State,
        inner: &mut O,
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome;
    /// Steps it skipped itself (the inner optimiser's are added).
    fn skipped(&self, _state: &Self::State) -> usize {
        0
    }
    /// [`Optimizer::second_point`]: the inner optimiser's, unless the wrapper asks for one
    /// itself (SAM).
    fn second_point<O: Optimizer<T> + ?Sized>(
        &self,
        inner: &O,
        at: &[T],
        grad: &[T],
        out: &mut [T],
    ) -> bool {
        inner.second_point(at, grad, out)
    }
    /// Special cases of a loaded state (a count saved with another cycle length restarts it).
    fn after_load(&self, _state: &mut Self::State) {}
}

/// The state of a wrapper without one (no checkpoint keys).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct NoState {}

/// The [`Optimizer`] of a [`Wrapper`] `W` around `inner`. [`ClipGradNorm`], [`Accumulate`], …
/// are aliases of it.
#[derive(Debug, Clone)]
pub struct Wrapped<T: Float, W: Wrapper<T>, O: Optimizer<T> = Box<dyn Optimizer<T>>> {
    /// The wrapped optimiser.
    pub inner: O,
    wrapper: W,
    state: W::State,
    _t: PhantomData<fn() -> T>,
}

impl<T: Float, W: Wrapper<T>, O: Optimizer<T>> Wrapped<T, W, O> {
    /// `wrapper` around `inner`, with a fresh state.
    pub(crate) fn wrap(inner: O, wrapper: W) -> Self {
        Wrapped {
            inner,
            wrapper,
            state: W::State::default(),
            _t: PhantomData,
        }
    }

    /// The wrapper's parameters.
    pub fn wrapper(&self) -> &W {
        &self.wrapper
    }
}

impl<T: Float, W: Wrapper<T>, O: Optimizer<T>> Optimizer<T> for Wrapped<T, W, O> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        self.wrapper
            .step(&mut self.state, &mut self.inner, params, grad)
    }
    fn groups(&self) -> usize {
        self.inner.groups()
    }
    fn hyper(&self, group: usize) -> Hyper {
        self.inner.hyper(group)
    }
    fn set_hyper(&mut self, group: usize, hyper: Hyper) {
        self.inner.set_hyper(group, hyper)
    }
    fn state(&self) -> OptimizerState {
        let mut s = self.inner.state();
        s.insert(&self.state);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        self.inner.load_state(state)?;
        self.state = state.extract()?;
        self.wrapper.after_load(&mut self.state);
        Ok(())
    }
    fn gradient_point(&self, params: &[T], out: &mut [T]) -> bool {
        self.inner.gradient_point(params, out)
    }
    fn eval_point(&self, params: &[T], out: &mut [T]) -> bool {
        self.inner.eval_point(params, out)
    }
    fn skipped(&self) -> usize {
        self.wrapper.skipped(&self.state) + self.inner.skipped()
    }
    fn check_hyper(&self) -> Result<()> {
        self.inner.check_hyper()
    }
    fn set_shapes(&mut self, shapes: &[Shape]) -> Result<()> {
        self.inner.set_shapes(shapes)
    }
    fn set_stream(&mut self, stream: u64) {
        self.inner.set_stream(stream)
    }
    fn set_loss(&mut self, loss: f64) {
        self.inner.set_loss(loss)
    }
    fn second_point(&self, at: &[T], grad: &[T], out: &mut [T]) -> bool {
        self.wrapper.second_point(&self.inner, at, grad, out)
    }
}
