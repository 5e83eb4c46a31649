//! AdamW, as `torch.optim.AdamW`: [`Adam`] with decoupled weight decay.

use serde::{Deserialize, Serialize};

use super::adam::ADAMW_PARAMS;
use super::params::ParamSpec;
use super::registry::{Entry, EntryKind};
use super::{Adam, AdamConfig, Optimizer, StatePrecision};
use crate::{Float, Result};

/// `adamw`: the hyperparameters of AdamW, PyTorch's names and defaults (as Adam's, but
/// `weight_decay` 1e-2; the decay is always decoupled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdamwConfig {
    /// Learning rate γ (1e-3).
    pub lr: f64,
    /// (β₁, β₂) ((0.9, 0.999)).
    #[serde(deserialize_with = "super::exact_pair")]
    pub betas: [f64; 2],
    /// ε (1e-8).
    pub eps: f64,
    /// Weight decay λ (1e-2).
    pub weight_decay: f64,
    /// AMSGrad.
    pub amsgrad: bool,
    /// Gradient ascent.
    pub maximize: bool,
    /// Storage of the moments: `"full"` (default) or `"bf16"`.
    pub state_precision: StatePrecision,
}

impl Default for AdamwConfig {
    fn default() -> Self {
        AdamwConfig {
            lr: 1e-3,
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 1e-2,
            amsgrad: false,
            maximize: false,
            state_precision: StatePrecision::Full,
        }
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
    const PARAMS: &'static [ParamSpec] = ADAMW_PARAMS;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn validate(&self) -> Result<()> {
        self.to_adam().validate()
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Ok(Box::new(Adamw::new::<T>(self.clone())?))
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
/// [`Adamw::new`] returns an [`Adam`] so configured, whose name is `"adamw"`.
#[derive(Debug, Clone, Copy)]
pub struct Adamw;

impl Adamw {
    /// Validates `cfg` and builds AdamW (an [`Adam`] named `"adamw"`).
    #[allow(clippy::new_ret_no_self)]
    pub fn new<T: Float>(cfg: AdamwConfig) -> Result<Adam<T>> {
        let mut adam = Adam::new(cfg.to_adam())?;
        adam.name = "adamw";
        Ok(adam)
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
        let mut opt = Adamw::new::<f64>(cfg).unwrap();
        assert_eq!(opt.name(), "adamw");
        let mut x = [2.0];
        let mut g = [0.0];
        opt.step(&mut x, &mut g);
        assert_eq!(x[0], 2.0 * (1.0 - 0.1 * 1e-2));
    }
}
