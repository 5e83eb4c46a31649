//! Wrappers that compose in front of any optimiser: each holds an inner optimiser (any
//! `O: Optimizer<T>`, by default `Box<dyn Optimizer<T>>`), transforms the gradient or the
//! parameters, and forwards `name`, `lr`, `momentum`, `gradient_point`, `skipped` and the state
//! to it (its own state is stored under keys prefixed with the wrapper's name).
//!
//! | wrapper | does |
//! |---|---|
//! | [`ClipGradNorm`] | scales g so that ‖g‖₂ ≤ `max_norm` (`torch.nn.utils.clip_grad_norm_`) |
//! | [`ClipGradValue`] | clamps every gᵢ to [−v, v] (`torch.nn.utils.clip_grad_value_`) |
//! | [`Accumulate`] | steps once every k calls, with the mean of the k gradients |
//! | [`SkipNonFinite`] | skips (and counts) steps whose gradient holds NaN or ±∞ |
//! | [`Lookahead`] | every k steps pulls the slow weights towards the fast ones |
//!
//! [`WrappersConfig`] builds a stack of them from the `[wrappers]` config table.

mod accumulate;
mod clip;
mod config;
mod lookahead;
mod skip_non_finite;

pub use accumulate::Accumulate;
pub use clip::{ClipGradNorm, ClipGradValue};
pub use config::{LookaheadConfig, WrappersConfig};
pub use lookahead::Lookahead;
pub use skip_non_finite::SkipNonFinite;

/// Implements the forwarding methods of [`Optimizer`](super::Optimizer) (name, lr, momentum,
/// gradient point) to the field `inner`, and the state: the inner optimiser's, plus — with
/// `state` — the wrapper's own derived state struct in the field `state` (its keys prefixed
/// with the wrapper's name), checked after a load by the wrapper's `check_loaded`.
macro_rules! forward_to_inner {
    () => {
        $crate::optim::wrappers::forward_to_inner!(@common);
        fn state(&self) -> $crate::optim::OptimizerState {
            self.inner.state()
        }
        fn load_state(&mut self, state: &$crate::optim::OptimizerState) -> $crate::Result<()> {
            self.inner.load_state(state)
        }
    };
    (state) => {
        $crate::optim::wrappers::forward_to_inner!(@common);
        fn state(&self) -> $crate::optim::OptimizerState {
            let mut s = self.inner.state();
            s.insert(&self.state);
            s
        }
        fn load_state(&mut self, state: &$crate::optim::OptimizerState) -> $crate::Result<()> {
            self.inner.load_state(state)?;
            self.state = state.extract()?;
            self.check_loaded();
            Ok(())
        }
    };
    (@common) => {
        fn name(&self) -> &'static str {
            self.inner.name()
        }
        fn lr(&self) -> f64 {
            self.inner.lr()
        }
        fn set_lr(&mut self, lr: f64) {
            self.inner.set_lr(lr)
        }
        fn momentum(&self) -> Option<f64> {
            self.inner.momentum()
        }
        fn set_momentum(&mut self, momentum: f64) {
            self.inner.set_momentum(momentum)
        }
        fn gradient_point(&self, params: &[T], out: &mut [T]) -> bool {
            self.inner.gradient_point(params, out)
        }
        fn set_shapes(&mut self, shapes: &[$crate::optim::Shape]) -> $crate::Result<()> {
            self.inner.set_shapes(shapes)
        }
        $crate::optim::forward_groups!();
    };
}
pub(crate) use forward_to_inner;
