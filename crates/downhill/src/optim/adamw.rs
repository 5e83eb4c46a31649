//! AdamW, as `torch.optim.AdamW`: [`Adam`](super::Adam) with decoupled weight decay.


use super::adam::{adam_after_load, adam_init, adam_step, AdamState, AMSGRAD, BETAS, MOMENTS_PRECISION};
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::{AdamConfig, Hyper, Optim, Optimizer, Rule, Shape, StatePrecision, StepOutcome};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `adamw`: the hyperparameters of AdamW, PyTorch's names and defaults (as Adam's, but
    /// `weight_decay` 1e-2; the decay is always decoupled).
    pub struct AdamwConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// ε.
        eps: f64 = 1e-8, [EPS],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// Weight decay λ.
        weight_decay: f64 = 1e-2, [WEIGHT_DECAY],
        /// AMSGrad.
        amsgrad: bool = false, [AMSGRAD],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
        /// Storage of the moments: `"full"` or `"bf16"`.
        state_precision: StatePrecision = StatePrecision::Full, [MOMENTS_PRECISION],
    }
}

impl AdamwConfig {
    /// The [`AdamConfig`] PyTorch's `AdamW` is: `Adam(decoupled_weight_decay=True)`.
    pub fn to_adam(&self) -> AdamConfig {
        AdamConfig {
            lr: self.lr,
            betas: self.betas,
            eps: self.eps,
            weight_decay: self.weight_decay,
            amsgrad: self.amsgrad,
            maximize: self.maximize,
            decoupled_weight_decay: true,
            state_precision: self.state_precision,
        }
    }
}

impl Entry for AdamwConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "Adam with decoupled weight decay (torch.optim.AdamW).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn validate(&self) -> Result<()> {
        self.to_adam().validate()
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// `torch.optim.AdamW`: Adam whose weight decay acts on the weights, not the gradient.
///
/// With learning rate γ, betas (β₁, β₂), ε, weight decay λ (default **1e-2**), at step t:
///
/// ```text
/// g ← ∇f(θ)                     (−∇f(θ) if maximize)
/// θ ← θ(1 − γλ)
/// m ← lerp(m, g, 1 − β₁)
/// v ← β₂v + (1 − β₂)g²
/// v̂ ← max(v̂, v)                  if amsgrad (and v̂ replaces v below)
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
///
/// PyTorch implements `AdamW` as `Adam(decoupled_weight_decay=True)`; so does this crate:
/// its step is [`Adam`](super::Adam)'s with [`AdamwConfig::to_adam`].
pub type Adamw<T> = Optim<AdamwConfig, T>;

impl Rule for AdamwConfig {
    type State<T: Float> = AdamState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> AdamState<T> {
        adam_init()
    }
    fn after_load<T: Float>(&self, st: &mut AdamState<T>) {
        adam_after_load(st, self.state_precision)
    }
    fn step<T: Float>(
        &self,
        state: &mut AdamState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        adam_step(&self.to_adam(), state, h, params, grad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With a zero gradient only the decay acts: θ ← θ(1 − γλ).
    #[test]
    fn decays_weights_directly() {
        let cfg = AdamwConfig {
            lr: 0.1,
            ..Default::default()
        };
        let mut opt = Adamw::<f64>::new(cfg).unwrap();
        assert_eq!(opt.name(), "adamw");
        let mut x = [2.0];
        let mut g = [0.0];
        opt.step(&mut x, &mut g);
        assert_eq!(x[0], 2.0 * (1.0 - 0.1 * 1e-2));
    }
}
