//! Adamax, as `torch.optim.Adamax`.

use super::{base_state, check_betas, ensure_len, lerp, load_base, nan_max, signed};
use super::{Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::{Float, Result};

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
    /// Learning rate γ (default 2e-3).
    pub lr: f64,
    /// (β₁, β₂) (default (0.9, 0.999)).
    pub betas: [f64; 2],
    /// ε (default 1e-8).
    pub eps: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    step: u64,
    exp_avg: Vec<T>,
    exp_inf: Vec<T>,
}

impl<T: Float> Adamax<T> {
    /// Adamax with learning rate `lr` and PyTorch's defaults for everything else.
    pub fn new(lr: f64) -> Self {
        Adamax {
            lr,
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.0,
            maximize: false,
            step: 0,
            exp_avg: Vec::new(),
            exp_inf: Vec::new(),
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

impl<T: Float> Optimizer<T> for Adamax<T> {
    fn name(&self) -> &'static str {
        "adamax"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let n = params.len();
        ensure_len(&mut self.exp_avg, n, T::zero());
        ensure_len(&mut self.exp_inf, n, T::zero());
        self.step += 1;
        let [beta1, beta2] = self.betas;
        let clr = self.lr / (1.0 - beta1.powf(self.step as f64));
        let neg_clr = T::of(-clr);
        let (w1, b2) = (T::of(1.0 - beta1), T::of(beta2));
        let eps = T::of(self.eps);
        let wd = T::of(self.weight_decay);
        let use_wd = self.weight_decay != 0.0;
        let moments = self.exp_avg.iter_mut().zip(self.exp_inf.iter_mut());
        for ((p, g), (m, u)) in params.iter_mut().zip(grad.iter()).zip(moments) {
            let mut g = signed(*g, self.maximize);
            if use_wd {
                g += wd * *p;
            }
            *m = lerp(*m, g, w1);
            *u = nan_max(*u * b2, g.abs() + eps);
            *p += neg_clr * *m / *u;
        }
        StepOutcome::Applied
    }

    super::lr_and_beta1_accessors!();
    fn state(&self) -> OptimizerState {
        let mut s = base_state("adamax", self.lr, self.step);
        s.put_scalar("beta1", self.betas[0]);
        s.put_buffer("exp_avg", &self.exp_avg);
        s.put_buffer("exp_inf", &self.exp_inf);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let (lr, step) = load_base(state, "adamax")?;
        self.betas[0] = state.scalar_or("beta1", self.betas[0]);
        self.exp_avg = state.buffer("exp_avg")?;
        self.exp_inf = state.buffer("exp_inf")?;
        self.lr = lr;
        self.step = step;
        Ok(())
    }
}
