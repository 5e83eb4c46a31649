//! RAdam, as `torch.optim.RAdam`.

use super::{base_state, check_betas, ensure_len, lerp, load_base, signed};
use super::{Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::{Float, Result};

/// `torch.optim.RAdam`: Adam with the variance of the adaptive step rectified; while the
/// variance is intractable (ρₜ ≤ 5) it takes bias-corrected momentum steps.
///
/// With learning rate γ, betas (β₁, β₂), ε, weight decay λ, at step t = 1, 2, … (m = v = 0):
///
/// ```text
/// g ← ∇f(θ)                            (−∇f(θ) if maximize)
/// θ ← θ(1 − γλ)                         if λ ≠ 0 and decoupled_weight_decay
/// g ← g + λθ                            if λ ≠ 0 otherwise
/// m ← lerp(m, g, 1 − β₁);  v ← β₂v + (1 − β₂)g²
/// m̂ ← m / (1 − β₁ᵗ)
/// ρ∞ ← 2/(1 − β₂) − 1;  ρₜ ← ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
/// if ρₜ > 5:
///     r ← √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
///     θ ← θ − m̂·γ·(√(1 − β₂ᵗ) / (√v + ε))·r
/// else:
///     θ ← θ − m̂·γ
/// ```
///
/// The branch on ρₜ is taken in `f64` exactly as PyTorch computes it; with the default
/// β₂ = 0.999 the first five steps are momentum steps.
#[derive(Debug, Clone)]
pub struct RAdam<T: Float> {
    /// Learning rate γ (default 1e-3).
    pub lr: f64,
    /// (β₁, β₂) (default (0.9, 0.999)).
    pub betas: [f64; 2],
    /// ε (default 1e-8).
    pub eps: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// Decay the weights directly (as AdamW) instead of adding λθ to the gradient.
    pub decoupled_weight_decay: bool,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    step: u64,
    exp_avg: Vec<T>,
    exp_avg_sq: Vec<T>,
}

impl<T: Float> RAdam<T> {
    /// RAdam with learning rate `lr` and PyTorch's defaults for everything else.
    pub fn new(lr: f64) -> Self {
        RAdam {
            lr,
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled_weight_decay: false,
            maximize: false,
            step: 0,
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
        check_min("weight_decay", self.weight_decay, 0.0)
    }
}

impl<T: Float> Optimizer<T> for RAdam<T> {
    fn name(&self) -> &'static str {
        "radam"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let n = params.len();
        ensure_len(&mut self.exp_avg, n, T::zero());
        ensure_len(&mut self.exp_avg_sq, n, T::zero());
        self.step += 1;
        let step = self.step as f64;
        let [beta1, beta2] = self.betas;
        let bias_correction1 = 1.0 - beta1.powf(step);
        let bias_correction2 = 1.0 - beta2.powf(step);
        let rho_inf = 2.0 / (1.0 - beta2) - 1.0;
        let rho_t = rho_inf - 2.0 * step * beta2.powf(step) / bias_correction2;
        let rect = if rho_t > 5.0 {
            let r = (rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t);
            Some((T::of(r.powf(0.5)), T::of(bias_correction2.powf(0.5))))
        } else {
            None
        };
        let bc1 = T::of(bias_correction1);
        let lr = T::of(self.lr);
        let (w1, b2, w2) = (T::of(1.0 - beta1), T::of(beta2), T::of(1.0 - beta2));
        let eps = T::of(self.eps);
        let wd = T::of(self.weight_decay);
        let (l2, decay) = match (self.weight_decay != 0.0, self.decoupled_weight_decay) {
            (false, _) => (false, None),
            (true, false) => (true, None),
            (true, true) => (false, Some(T::of(1.0 - self.lr * self.weight_decay))),
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
            let m_hat = *m / bc1;
            let update = match rect {
                Some((r, bc2_sqrt)) => m_hat * lr * (bc2_sqrt / (v.sqrt() + eps)) * r,
                None => m_hat * lr,
            };
            *p -= update;
        }
        StepOutcome::Applied
    }

    super::lr_and_beta1_accessors!();
    fn state(&self) -> OptimizerState {
        let mut s = base_state("radam", self.lr, self.step);
        s.put_scalar("beta1", self.betas[0]);
        s.put_buffer("exp_avg", &self.exp_avg);
        s.put_buffer("exp_avg_sq", &self.exp_avg_sq);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let (lr, step) = load_base(state, "radam")?;
        self.betas[0] = state.scalar_or("beta1", self.betas[0]);
        self.exp_avg = state.buffer("exp_avg")?;
        self.exp_avg_sq = state.buffer("exp_avg_sq")?;
        self.lr = lr;
        self.step = step;
        Ok(())
    }
}
