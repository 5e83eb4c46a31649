//! Adagrad, as `torch.optim.Adagrad`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{Hyper, Optim, Optimizer, Rule, Shape, StepOutcome, WeightDecay};
use crate::Float;

crate::hyperparameters! {
    /// `adagrad`: the hyperparameters of [`Adagrad`], PyTorch's names and defaults.
    pub struct AdagradConfig {
        /// Learning rate γ.
        lr: f64 = 1e-2, [LR],
        /// Learning-rate decay η.
        lr_decay: f64 = 0.0, [Kind::Float, AtLeast(0.0), "learning-rate decay"],
        /// Weight decay λ.
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Initial accumulator value s₀.
        initial_accumulator_value: f64 = 0.0, [Kind::Float, AtLeast(0.0), "initial value of the accumulator"],
        /// ε.
        eps: f64 = 1e-10, [EPS],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for AdagradConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "Adagrad: steps scaled by the summed squared gradients.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Adagrad`] carries from step to step (the checkpoint keys of every version).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AdagradState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// The accumulator s.
    pub sum: StateBuf<T>,
}

/// `torch.optim.Adagrad`: per-coordinate steps scaled by the root of the summed squared
/// gradients.
///
/// With learning rate γ, lr decay η, weight decay λ, ε, initial accumulator s₀, at step
/// t = 1, 2, …:
///
/// ```text
/// g ← ∇f(θ)                    (−∇f(θ) if maximize)
/// g ← g + λθ                    if λ ≠ 0
/// γ̃ ← γ / (1 + (t − 1)η)
/// s ← s + g²
/// θ ← θ − γ̃ · g / (√s + ε)
/// ```
///
/// ε is added to √s (not inside the root); the accumulator starts at
/// `initial_accumulator_value`, so with the default 0 the first step is γ·sign(g) (up to ε).
pub type Adagrad<T> = Optim<AdagradConfig, T>;

impl Rule for AdagradConfig {
    type State<T: Float> = AdagradState<T>;
    fn init<T: Float>(&self) -> AdagradState<T> {
        AdagradState {
            step: 0,
            sum: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut AdagradState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let cfg = self;
        let fill = T::of(cfg.initial_accumulator_value);
        let sum = st.sum.full_of(params.len(), fill);
        st.step += 1;
        let clr = h.lr / (1.0 + (st.step as f64 - 1.0) * cfg.lr_decay);
        let neg_clr = T::of(-clr);
        let decay = WeightDecay::<T>::new(h.lr, cfg.weight_decay, false, cfg.maximize);
        let eps = T::of(cfg.eps);
        for ((p, g), s) in params.iter_mut().zip(grad.iter()).zip(sum.iter_mut()) {
            let g = decay.apply(p, *g);
            *s += g * g;
            let std = s.sqrt() + eps;
            *p += neg_clr * g / std;
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two steps by hand on g = (2, 2): s = 4 then 8; θ = 1 − 0.1·2/2 − 0.1/(1 + η)·2/√8.
    #[test]
    fn accumulates_and_decays_lr() {
        let cfg = AdagradConfig {
            lr: 0.1,
            lr_decay: 0.5,
            eps: 0.0,
            ..Default::default()
        };
        let mut opt = Adagrad::<f64>::new(cfg).unwrap();
        let mut x = [1.0];
        opt.step(&mut x, &mut [2.0]);
        assert!((x[0] - 0.9).abs() < 1e-15);
        opt.step(&mut x, &mut [2.0]);
        let want = 0.9 - 0.1 / 1.5 * 2.0 / 8f64.sqrt();
        assert!((x[0] - want).abs() < 1e-15);
    }
}
