//! Adamax, as `torch.optim.Adamax`.

use serde::{Deserialize, Serialize};

use super::adam::BETAS;
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::{derived_state_methods, StateBuf};
use super::{lerp, nan_max, Optimizer, StateFor, StepOutcome, WeightDecay};
use crate::Float;

/// `adamax`: the hyperparameters of [`Adamax`], PyTorch's names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdamaxConfig {
    /// Learning rate γ (2e-3).
    pub lr: f64,
    /// (β₁, β₂) ((0.9, 0.999)).
    #[serde(deserialize_with = "super::exact_pair")]
    pub betas: [f64; 2],
    /// ε (1e-8).
    pub eps: f64,
    /// Weight decay λ (0).
    pub weight_decay: f64,
    /// Gradient ascent.
    pub maximize: bool,
}

impl Default for AdamaxConfig {
    fn default() -> Self {
        AdamaxConfig {
            lr: 2e-3,
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.0,
            maximize: false,
        }
    }
}

impl Entry for AdamaxConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "Adamax: Adam with an infinity-norm second moment.";
    const PARAMS: &'static [ParamSpec] = &[
        LR,
        float("eps", AtLeast(0.0), "added to |g| inside the max"),
        BETAS,
        WEIGHT_DECAY,
        MAXIMIZE,
    ];
    first_order_entry!(Adamax);
}

/// What [`Adamax`] carries from step to step (the checkpoint keys of every version).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AdamaxState<T: Float> {
    /// Current learning rate.
    pub lr: f64,
    /// Current β₁.
    pub beta1: f64,
    /// Steps taken.
    pub step: u64,
    /// First moment m.
    pub exp_avg: StateBuf<T>,
    /// Weighted infinity norm u.
    pub exp_inf: StateBuf<T>,
}

impl<T: Float> StateFor<AdamaxConfig> for AdamaxState<T> {
    fn init(cfg: &AdamaxConfig) -> Self {
        AdamaxState {
            lr: cfg.lr,
            beta1: cfg.betas[0],
            step: 0,
            exp_avg: StateBuf::default(),
            exp_inf: StateBuf::default(),
        }
    }
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
#[derive(Debug, Clone)]
pub struct Adamax<T: Float> {
    cfg: AdamaxConfig,
    state: AdamaxState<T>,
}

optimizer_basics!(Adamax, AdamaxConfig, AdamaxState);

impl<T: Float> Optimizer<T> for Adamax<T> {
    fn name(&self) -> &'static str {
        "adamax"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let (cfg, st) = (&self.cfg, &mut self.state);
        let n = params.len();
        let exp_avg = st.exp_avg.full_of(n, T::zero());
        let exp_inf = st.exp_inf.full_of(n, T::zero());
        st.step += 1;
        let (beta1, beta2) = (st.beta1, cfg.betas[1]);
        let clr = st.lr / (1.0 - beta1.powf(st.step as f64));
        let neg_clr = T::of(-clr);
        let (w1, b2) = (T::of(1.0 - beta1), T::of(beta2));
        let eps = T::of(cfg.eps);
        let decay = WeightDecay::<T>::new(st.lr, cfg.weight_decay, false, cfg.maximize);
        let moments = exp_avg.iter_mut().zip(exp_inf.iter_mut());
        for ((p, g), (m, u)) in params.iter_mut().zip(grad.iter()).zip(moments) {
            let g = decay.apply(p, *g);
            *m = lerp(*m, g, w1);
            *u = nan_max(*u * b2, g.abs() + eps);
            *p += neg_clr * *m / *u;
        }
        StepOutcome::Applied
    }

    super::schedule_accessors!(lr, beta1);
    derived_state_methods!();
}
