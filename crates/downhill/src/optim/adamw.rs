//! AdamW, as `torch.optim.AdamW`: [`Adam`] with decoupled weight decay.

use super::Adam;
use crate::Float;

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
/// [`AdamW::new`] returns an [`Adam`] so configured, whose name is `"adamw"`.
#[derive(Debug, Clone, Copy)]
pub struct AdamW;

impl AdamW {
    /// AdamW with learning rate `lr` and PyTorch's defaults (weight_decay = 1e-2).
    #[allow(clippy::new_ret_no_self)]
    pub fn new<T: Float>(lr: f64) -> Adam<T> {
        let mut a = Adam::new(lr)
            .weight_decay(1e-2)
            .decoupled_weight_decay(true);
        a.name = "adamw";
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Optimizer;

    /// With a zero gradient only the decay acts: θ ← θ(1 − γλ).
    #[test]
    fn decays_weights_directly() {
        let mut opt = AdamW::new::<f64>(0.1);
        assert_eq!(opt.name(), "adamw");
        let mut x = [2.0];
        let mut g = [0.0];
        opt.step(&mut x, &mut g);
        assert_eq!(x[0], 2.0 * (1.0 - 0.1 * 1e-2));
    }
}
