//! NAdam, as `torch.optim.NAdam`.

use super::{base_state, check_betas, ensure_len, lerp, load_base, signed};
use super::{Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::{Float, Result};

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
#[derive(Debug, Clone)]
pub struct NAdam<T: Float> {
    /// Learning rate γ (default 2e-3).
    pub lr: f64,
    /// (β₁, β₂) (default (0.9, 0.999)).
    pub betas: [f64; 2],
    /// ε (default 1e-8).
    pub eps: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// Momentum decay ψ (default 4e-3).
    pub momentum_decay: f64,
    /// Decay the weights directly (as AdamW) instead of adding λθ to the gradient.
    pub decoupled_weight_decay: bool,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    step: u64,
    mu_product: f64,
    exp_avg: Vec<T>,
    exp_avg_sq: Vec<T>,
}

impl<T: Float> NAdam<T> {
    /// NAdam with learning rate `lr` and PyTorch's defaults for everything else.
    pub fn new(lr: f64) -> Self {
        NAdam {
            lr,
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.0,
            momentum_decay: 4e-3,
            decoupled_weight_decay: false,
            maximize: false,
            step: 0,
            mu_product: 1.0,
            exp_avg: Vec::new(),
            exp_avg_sq: Vec::new(),
        }
    }
    /// Sets `betas`.
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.betas = [beta1, beta2];
        self
    }
    /// Sets `eps`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
    /// Sets `weight_decay`.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
    /// Sets `momentum_decay`.
    pub fn momentum_decay(mut self, momentum_decay: f64) -> Self {
        self.momentum_decay = momentum_decay;
        self
    }
    /// Sets `decoupled_weight_decay`.
    pub fn decoupled_weight_decay(mut self, decoupled: bool) -> Self {
        self.decoupled_weight_decay = decoupled;
        self
    }
    /// Sets `maximize`.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.maximize = maximize;
        self
    }
    /// Checks the hyperparameters as PyTorch's constructor does.
    pub fn validate(&self) -> Result<()> {
        check_min("lr", self.lr, 0.0)?;
        check_min("eps", self.eps, 0.0)?;
        check_betas(self.betas)?;
        check_min("weight_decay", self.weight_decay, 0.0)?;
        check_min("momentum_decay", self.momentum_decay, 0.0)
    }
}

impl<T: Float> Optimizer<T> for NAdam<T> {
    fn name(&self) -> &'static str {
        "nadam"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let n = params.len();
        ensure_len(&mut self.exp_avg, n, T::zero());
        ensure_len(&mut self.exp_avg_sq, n, T::zero());
        self.step += 1;
        let step = self.step as f64;
        let [beta1, beta2] = self.betas;
        let (lr, psi) = (self.lr, self.momentum_decay);
        let bias_correction2 = 1.0 - beta2.powf(step);
        let mu = beta1 * (1.0 - 0.5 * 0.96f64.powf(step * psi));
        let mu_next = beta1 * (1.0 - 0.5 * 0.96f64.powf((step + 1.0) * psi));
        self.mu_product *= mu;
        let mu_product_next = self.mu_product * mu_next;
        let c_grad = T::of(-lr * (1.0 - mu) / (1.0 - self.mu_product));
        let c_avg = T::of((-lr * mu_next) / (1.0 - mu_product_next));
        let bc2 = T::of(bias_correction2);
        let (w1, b2, w2) = (T::of(1.0 - beta1), T::of(beta2), T::of(1.0 - beta2));
        let eps = T::of(self.eps);
        let wd = T::of(self.weight_decay);
        let (l2, decay) = match (self.weight_decay != 0.0, self.decoupled_weight_decay) {
            (false, _) => (false, None),
            (true, false) => (true, None),
            (true, true) => (false, Some(T::of(1.0 - lr * self.weight_decay))),
        };
        let moments = self.exp_avg.iter_mut().zip(self.exp_avg_sq.iter_mut());
        for ((p, g), (m, v)) in params.iter_mut().zip(grad.iter()).zip(moments) {
            let mut g = signed(*g, self.maximize);
            if let Some(d) = decay {
                *p *= d;
            }
            if l2 {
                g += wd * *p;
            }
            *m = lerp(*m, g, w1);
            *v = *v * b2 + w2 * g * g;
            let denom = (*v / bc2).sqrt() + eps;
            *p += c_grad * g / denom;
            *p += c_avg * *m / denom;
        }
        StepOutcome::Applied
    }

    super::lr_and_beta1_accessors!();
    fn state(&self) -> OptimizerState {
        let mut s = base_state("nadam", self.lr, self.step);
        s.put_scalar("beta1", self.betas[0]);
        s.put_scalar("mu_product", self.mu_product);
        s.put_buffer("exp_avg", &self.exp_avg);
        s.put_buffer("exp_avg_sq", &self.exp_avg_sq);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let (lr, step) = load_base(state, "nadam")?;
        self.betas[0] = state.scalar_or("beta1", self.betas[0]);
        self.mu_product = state.scalar("mu_product")?;
        self.exp_avg = state.buffer("exp_avg")?;
        self.exp_avg_sq = state.buffer("exp_avg_sq")?;
        self.lr = lr;
        self.step = step;
        Ok(())
    }
}
