//! Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms").

use super::{base_state, check_betas, ensure_len, load_base, sign, signed};
use super::{Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::{Float, Result};

/// Lion: the sign of an interpolated momentum, with decoupled weight decay. Not in PyTorch;
/// this is the paper's rule (Algorithm 2).
///
/// With learning rate γ (default 1e-4), betas (β₁, β₂) (default (0.9, 0.99)), weight decay λ
/// (default 0), m₀ = 0:
///
/// ```text
/// g ← ∇f(θ)                     (−∇f(θ) if maximize)
/// c ← β₁m + (1 − β₁)g
/// θ ← θ − γ(sign(c) + λθ)
/// m ← β₂m + (1 − β₂)g
/// ```
///
/// sign(0) = 0, as `torch.sign`. Every coordinate moves by exactly γ (plus decay) unless c = 0,
/// so Lion wants a learning rate 3–10× smaller than AdamW's.
#[derive(Debug, Clone)]
pub struct Lion<T: Float> {
    /// Learning rate γ (default 1e-4).
    pub lr: f64,
    /// (β₁, β₂) (default (0.9, 0.99)).
    pub betas: [f64; 2],
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    step: u64,
    exp_avg: Vec<T>,
}

impl<T: Float> Lion<T> {
    /// Lion with learning rate `lr`, betas (0.9, 0.99) and no weight decay.
    pub fn new(lr: f64) -> Self {
        Lion {
            lr,
            betas: [0.9, 0.99],
            weight_decay: 0.0,
            maximize: false,
            step: 0,
            exp_avg: Vec::new(),
        }
    }
    /// Sets `betas`.
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.betas = [beta1, beta2];
        self
    }
    /// Sets `weight_decay`.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
    /// Sets `maximize`.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.maximize = maximize;
        self
    }
    /// Checks `lr ≥ 0`, betas in [0, 1), `weight_decay ≥ 0`.
    pub fn validate(&self) -> Result<()> {
        check_min("lr", self.lr, 0.0)?;
        check_betas(self.betas)?;
        check_min("weight_decay", self.weight_decay, 0.0)
    }
}

impl<T: Float> Optimizer<T> for Lion<T> {
    fn name(&self) -> &'static str {
        "lion"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        ensure_len(&mut self.exp_avg, params.len(), T::zero());
        self.step += 1;
        let [beta1, beta2] = self.betas;
        let (b1, w1) = (T::of(beta1), T::of(1.0 - beta1));
        let (b2, w2) = (T::of(beta2), T::of(1.0 - beta2));
        let lr = T::of(self.lr);
        let wd = T::of(self.weight_decay);
        for ((p, g), m) in params
            .iter_mut()
            .zip(grad.iter())
            .zip(self.exp_avg.iter_mut())
        {
            let g = signed(*g, self.maximize);
            let c = b1 * *m + w1 * g;
            *p = *p - lr * (sign(c) + wd * *p);
            *m = b2 * *m + w2 * g;
        }
        StepOutcome::Applied
    }

    super::lr_and_beta1_accessors!();
    fn state(&self) -> OptimizerState {
        let mut s = base_state("lion", self.lr, self.step);
        s.put_scalar("beta1", self.betas[0]);
        s.put_buffer("exp_avg", &self.exp_avg);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let (lr, step) = load_base(state, "lion")?;
        self.betas[0] = state.scalar_or("beta1", self.betas[0]);
        self.exp_avg = state.buffer("exp_avg")?;
        self.lr = lr;
        self.step = step;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each coordinate moves by exactly γ; a zero c leaves it in place.
    #[test]
    fn moves_by_sign() {
        let mut opt = Lion::<f64>::new(0.01);
        let mut x = [1.0, 1.0, 1.0];
        opt.step(&mut x, &mut [5.0, -1e-3, 0.0]);
        assert_eq!(x, [0.99, 1.01, 1.0]);
    }
}
