//! NAdam, as `torch.optim.NAdam`.

use serde::{Deserialize, Serialize};

use super::adam::{Moments, BETAS};
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::{lerp, WeightDecay};
use super::{Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::Float;

crate::hyperparameters! {
    /// `nadam`: the hyperparameters of [`Nadam`], PyTorch's names and defaults.
    pub struct NadamConfig {
        /// Learning rate γ.
        lr: f64 = 2e-3, [LR],
        /// ε.
        eps: f64 = 1e-8, [EPS],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// Weight decay λ.
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Momentum decay ψ.
        momentum_decay: f64 = 4e-3, [Kind::Float, AtLeast(0.0), "momentum decay ψ"],
        /// Decoupled weight decay.
        decoupled_weight_decay: bool = false, [DECOUPLED_WEIGHT_DECAY],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for NadamConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "NAdam: Adam with Nesterov momentum (torch.optim.NAdam).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Nadam`] carries from step to step: the [`Moments`] and the product Πₜ.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct NadamState<T: Float> {
    /// step, m, v.
    #[serde(flatten)]
    pub moments: Moments<T>,
    /// The product Πₜ of the μ's.
    pub mu_product: f64,
}

/// `torch.optim.NAdam`: Adam with Nesterov momentum and Dozat's momentum-decay schedule.
///
/// With learning rate γ, betas (β₁, β₂), ε, weight decay λ, momentum decay ψ, at step
/// t = 1, 2, … (m = v = 0, Π₀ = 1):
///
/// ```text
/// g ← ∇f(θ)                          (−∇f(θ) if maximize)
/// θ ← θ(1 − γλ)                       if λ ≠ 0 and decoupled_weight_decay
/// g ← g + λθ                          if λ ≠ 0 otherwise
/// μₜ ← β₁(1 − ½·0.96^(tψ)),  μₜ₊₁ ← β₁(1 − ½·0.96^((t+1)ψ))
/// Πₜ ← Πₜ₋₁·μₜ
/// m ← lerp(m, g, 1 − β₁)
/// v ← β₂v + (1 − β₂)g²
/// d ← √(v / (1 − β₂ᵗ)) + ε
/// θ ← θ − γ(1 − μₜ)/(1 − Πₜ) · g/d − γμₜ₊₁/(1 − Πₜμₜ₊₁) · m/d
/// ```
///
/// The product Πₜ (`mu_product`) is kept in `f64` (PyTorch keeps it in the default dtype),
/// and the two parameter updates are applied one after the other, as PyTorch does.
pub type Nadam<T> = Optim<NadamConfig, T>;

impl Rule for NadamConfig {
    type State<T: Float> = NadamState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> NadamState<T> {
        NadamState {
            moments: Moments::default(),
            mu_product: 1.0,
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut NadamState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let cfg = self;
        let (beta1, beta2) = (h.mu(), cfg.betas[1]);
        let (lr, psi) = (h.lr, cfg.momentum_decay);
        let (exp_avg, exp_avg_sq, step) = st.moments.next(params.len());
        let bias_correction2 = 1.0 - beta2.powf(step);
        let mu = beta1 * (1.0 - 0.5 * 0.96f64.powf(step * psi));
        let mu_next = beta1 * (1.0 - 0.5 * 0.96f64.powf((step + 1.0) * psi));
        st.mu_product *= mu;
        let mu_product_next = st.mu_product * mu_next;
        let c_grad = T::of(-lr * (1.0 - mu) / (1.0 - st.mu_product));
        let c_avg = T::of((-lr * mu_next) / (1.0 - mu_product_next));
        let bc2 = T::of(bias_correction2);
        let (w1, b2, w2) = (T::of(1.0 - beta1), T::of(beta2), T::of(1.0 - beta2));
        let eps = T::of(cfg.eps);
        let decay = WeightDecay::<T>::new(
            lr,
            cfg.weight_decay,
            cfg.decoupled_weight_decay,
            cfg.maximize,
        );
        let moments = exp_avg.iter_mut().zip(exp_avg_sq.iter_mut());
        for ((p, g), (m, v)) in params.iter_mut().zip(grad.iter()).zip(moments) {
            let g = decay.apply(p, *g);
            *m = lerp(*m, g, w1);
            *v = *v * b2 + w2 * g * g;
            let denom = (*v / bc2).sqrt() + eps;
            *p += c_grad * g / denom;
            *p += c_avg * *m / denom;
        }
        StepOutcome::Applied
    }
}
