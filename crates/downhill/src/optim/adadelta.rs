//! Adadelta, as `torch.optim.Adadelta`.

use super::{base_state, ensure_len, load_base, signed};
use super::{Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::{Error, Float, Result};

/// `torch.optim.Adadelta`: steps whose scale is the ratio of the running RMS of past updates
/// to the running RMS of gradients.
///
/// With learning rate γ (default 1), ρ, ε, weight decay λ, at each step (v = u = 0):
///
/// ```text
/// g ← ∇f(θ)                           (−∇f(θ) if maximize)
/// g ← g + λθ                           if λ ≠ 0
/// v ← ρv + (1 − ρ)g²
/// Δ ← √(u + ε) / √(v + ε) · g
/// u ← ρu + (1 − ρ)Δ²
/// θ ← θ − γΔ
/// ```
///
/// ε is inside both square roots; with u = 0 the first step is √ε/√((1 − ρ)g² + ε)·g, tiny.
#[derive(Debug, Clone)]
pub struct Adadelta<T: Float> {
    /// Learning rate γ (default 1.0).
    pub lr: f64,
    /// Decay ρ (default 0.9).
    pub rho: f64,
    /// ε (default 1e-6).
    pub eps: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    step: u64,
    square_avg: Vec<T>,
    acc_delta: Vec<T>,
}

impl<T: Float> Adadelta<T> {
    /// Adadelta with learning rate `lr` and PyTorch's defaults for everything else.
    pub fn new(lr: f64) -> Self {
        Adadelta {
            lr,
            rho: 0.9,
            eps: 1e-6,
            weight_decay: 0.0,
            maximize: false,
            step: 0,
            square_avg: Vec::new(),
            acc_delta: Vec::new(),
        }
    }
    /// Sets `rho`.
    pub fn rho(mut self, rho: f64) -> Self {
        self.rho = rho;
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
    /// Checks the hyperparameters as PyTorch's constructor does (ρ in the closed [0, 1]).
    pub fn validate(&self) -> Result<()> {
        check_min("lr", self.lr, 0.0)?;
        if !(0.0..=1.0).contains(&self.rho) {
            return Err(Error::param("rho", self.rho, "must be in [0, 1]"));
        }
        check_min("eps", self.eps, 0.0)?;
        check_min("weight_decay", self.weight_decay, 0.0)
    }
}

impl<T: Float> Optimizer<T> for Adadelta<T> {
    fn name(&self) -> &'static str {
        "adadelta"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let n = params.len();
        ensure_len(&mut self.square_avg, n, T::zero());
        ensure_len(&mut self.acc_delta, n, T::zero());
        self.step += 1;
        let (rho, w) = (T::of(self.rho), T::of(1.0 - self.rho));
        let eps = T::of(self.eps);
        let wd = T::of(self.weight_decay);
        let use_wd = self.weight_decay != 0.0;
        let neg_lr = T::of(-self.lr);
        let acc = self.square_avg.iter_mut().zip(self.acc_delta.iter_mut());
        for ((p, g), (v, u)) in params.iter_mut().zip(grad.iter()).zip(acc) {
            let mut g = signed(*g, self.maximize);
            if use_wd {
                g += wd * *p;
            }
            *v = *v * rho + w * g * g;
            let std = (*v + eps).sqrt();
            let delta = (*u + eps).sqrt() / std * g;
            *u = *u * rho + w * delta * delta;
            *p += neg_lr * delta;
        }
        StepOutcome::Applied
    }

    fn lr(&self) -> f64 {
        self.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
    fn state(&self) -> OptimizerState {
        let mut s = base_state("adadelta", self.lr, self.step);
        s.put_buffer("square_avg", &self.square_avg);
        s.put_buffer("acc_delta", &self.acc_delta);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let (lr, step) = load_base(state, "adadelta")?;
        self.square_avg = state.buffer("square_avg")?;
        self.acc_delta = state.buffer("acc_delta")?;
        self.lr = lr;
        self.step = step;
        Ok(())
    }
}
