//! Adamax, as `torch.optim.Adamax`.

use serde::{Deserialize, Serialize};

use super::adam::BETAS;
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{lerp, nan_max, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome, WeightDecay};
use crate::Float;

crate::hyperparameters! {
    /// `adamax`: the hyperparameters of [`Adamax`], PyTorch's names and defaults.
    pub struct AdamaxConfig {
        /// Learning rate γ.
        lr: f64 = 2e-3, [LR],
        /// ε.
        eps: f64 = 1e-8, [Kind::Float, AtLeast(0.0), "added to |g| inside the max"],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// Weight decay λ.
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for AdamaxConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "Adamax: Adam with an infinity-norm second moment.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Adamax`] carries from step to step (the checkpoint keys of every version).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AdamaxState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// First moment m.
    pub exp_avg: StateBuf<T>,
    /// Weighted infinity norm u.
    pub exp_inf: StateBuf<T>,
}

/// `torch.optim.Adamax`: Adam with the second moment replaced by an exponentially weighted
/// infinity norm.
///
/// With learning rate γ, betas (β₁, β₂), ε, weight decay λ, at step t = 1, 2, … (m = u = 0):
///
/// ```text
/// g ← ∇f(θ)                     (−∇f(θ) if maximize)
/// g ← g + λθ                     if λ ≠ 0
/// m ← lerp(m, g, 1 − β₁)
/// u ← max(β₂u, |g| + ε)
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / u
/// ```
///
/// ε sits inside the max (added to |g|), so u ≥ ε and there is no ε in the division.
pub type Adamax<T> = Optim<AdamaxConfig, T>;

impl Rule for AdamaxConfig {
    type State<T: Float> = AdamaxState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> AdamaxState<T> {
        AdamaxState {
            step: 0,
            exp_avg: StateBuf::default(),
            exp_inf: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut AdamaxState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let cfg = self;
        let n = params.len();
        let exp_avg = st.exp_avg.full_of(n, T::zero());
        let exp_inf = st.exp_inf.full_of(n, T::zero());
        st.step += 1;
        let (beta1, beta2) = (h.mu(), cfg.betas[1]);
        let clr = h.lr / (1.0 - beta1.powf(st.step as f64));
        let neg_clr = T::of(-clr);
        let (w1, b2) = (T::of(1.0 - beta1), T::of(beta2));
        let eps = T::of(cfg.eps);
        let decay = WeightDecay::<T>::new(h.lr, cfg.weight_decay, false, cfg.maximize);
        let moments = exp_avg.iter_mut().zip(exp_inf.iter_mut());
        for ((p, g), (m, u)) in params.iter_mut().zip(grad.iter()).zip(moments) {
            let g = decay.apply(p, *g);
            *m = lerp(*m, g, w1);
            *u = nan_max(*u * b2, g.abs() + eps);
            *p += neg_clr * *m / *u;
        }
        StepOutcome::Applied
    }
}
