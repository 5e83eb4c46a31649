//! Adadelta, as `torch.optim.Adadelta`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{Hyper, Optim, Optimizer, Rule, Shape, StepOutcome, WeightDecay};
use crate::Float;

crate::hyperparameters! {
    /// `adadelta`: the hyperparameters of [`Adadelta`], PyTorch's names and defaults.
    pub struct AdadeltaConfig {
        /// Learning rate γ.
        lr: f64 = 1.0, [Kind::Float, AtLeast(0.0), "learning rate (scales the delta)"],
        /// ρ.
        rho: f64 = 0.9, [Kind::Float, Closed(0.0, 1.0), "decay of the running averages"],
        /// ε.
        eps: f64 = 1e-6, [Kind::Float, AtLeast(0.0), "inside both square roots"],
        /// Weight decay λ.
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for AdadeltaConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "Adadelta: steps scaled by the RMS of past updates over that of gradients.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Adadelta`] carries from step to step (the checkpoint keys of every version).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AdadeltaState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// Running mean of g², v.
    pub square_avg: StateBuf<T>,
    /// Running mean of Δ², u.
    pub acc_delta: StateBuf<T>,
}

/// `torch.optim.Adadelta`: steps whose scale is the ratio of the running RMS of past updates
/// to the running RMS of gradients.
///
/// With learning rate γ (default 1), ρ, ε, weight decay λ, at each step (v = u = 0):
///
/// ```text
/// g ← ∇f(θ)                           (−∇f(θ) if maximize)
/// g ← g + λθ                           if λ ≠ 0
/// v ← ρv + (1 − ρ)g²
/// Δ ← √(u + ε) / √(v + ε) · g
/// u ← ρu + (1 − ρ)Δ²
/// θ ← θ − γΔ
/// ```
///
/// ε is inside both square roots; with u = 0 the first step is √ε/√((1 − ρ)g² + ε)·g, tiny.
pub type Adadelta<T> = Optim<AdadeltaConfig, T>;

impl Rule for AdadeltaConfig {
    type State<T: Float> = AdadeltaState<T>;
    fn init<T: Float>(&self) -> AdadeltaState<T> {
        AdadeltaState {
            step: 0,
            square_avg: StateBuf::default(),
            acc_delta: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut AdadeltaState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let cfg = self;
        let n = params.len();
        let square_avg = st.square_avg.full_of(n, T::zero());
        let acc_delta = st.acc_delta.full_of(n, T::zero());
        st.step += 1;
        let (rho, w) = (T::of(cfg.rho), T::of(1.0 - cfg.rho));
        let eps = T::of(cfg.eps);
        let decay = WeightDecay::<T>::new(h.lr, cfg.weight_decay, false, cfg.maximize);
        let neg_lr = T::of(-h.lr);
        let acc = square_avg.iter_mut().zip(acc_delta.iter_mut());
        for ((p, g), (v, u)) in params.iter_mut().zip(grad.iter()).zip(acc) {
            let g = decay.apply(p, *g);
            *v = *v * rho + w * g * g;
            let std = (*v + eps).sqrt();
            let delta = (*u + eps).sqrt() / std * g;
            *u = *u * rho + w * delta * delta;
            *p += neg_lr * delta;
        }
        StepOutcome::Applied
    }
}
