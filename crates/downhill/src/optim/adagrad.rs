//! Adagrad, as `torch.optim.Adagrad`.

use super::{base_state, ensure_len, load_base, signed};
use super::{Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::{Float, Result};

/// `torch.optim.Adagrad`: per-coordinate steps scaled by the root of the summed squared
/// gradients.
///
/// With learning rate γ, lr decay η, weight decay λ, ε, initial accumulator s₀, at step
/// t = 1, 2, …:
///
/// ```text
/// g ← ∇f(θ)                    (−∇f(θ) if maximize)
/// g ← g + λθ                    if λ ≠ 0
/// γ̃ ← γ / (1 + (t − 1)η)
/// s ← s + g²
/// θ ← θ − γ̃ · g / (√s + ε)
/// ```
///
/// ε is added to √s (not inside the root); the accumulator starts at
/// `initial_accumulator_value`, so with the default 0 the first step is γ·sign(g) (up to ε).
#[derive(Debug, Clone)]
pub struct Adagrad<T: Float> {
    /// Learning rate γ (default 1e-2).
    pub lr: f64,
    /// Learning-rate decay η (default 0).
    pub lr_decay: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// Initial value s₀ of the accumulator (default 0).
    pub initial_accumulator_value: f64,
    /// ε (default 1e-10).
    pub eps: f64,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    step: u64,
    sum: Vec<T>,
}

impl<T: Float> Adagrad<T> {
    /// Adagrad with learning rate `lr` and PyTorch's defaults for everything else.
    pub fn new(lr: f64) -> Self {
        Adagrad {
            lr,
            lr_decay: 0.0,
            weight_decay: 0.0,
            initial_accumulator_value: 0.0,
            eps: 1e-10,
            maximize: false,
            step: 0,
            sum: Vec::new(),
        }
    }
    /// Sets `lr_decay`.
    pub fn lr_decay(mut self, lr_decay: f64) -> Self {
        self.lr_decay = lr_decay;
        self
    }
    /// Sets `weight_decay`.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
    /// Sets `initial_accumulator_value`.
    pub fn initial_accumulator_value(mut self, v: f64) -> Self {
        self.initial_accumulator_value = v;
        self
    }
    /// Sets `eps`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
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
        check_min("lr_decay", self.lr_decay, 0.0)?;
        check_min("weight_decay", self.weight_decay, 0.0)?;
        check_min(
            "initial_accumulator_value",
            self.initial_accumulator_value,
            0.0,
        )?;
        check_min("eps", self.eps, 0.0)
    }
}

impl<T: Float> Optimizer<T> for Adagrad<T> {
    fn name(&self) -> &'static str {
        "adagrad"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        ensure_len(
            &mut self.sum,
            params.len(),
            T::of(self.initial_accumulator_value),
        );
        self.step += 1;
        let clr = self.lr / (1.0 + (self.step as f64 - 1.0) * self.lr_decay);
        let neg_clr = T::of(-clr);
        let wd = T::of(self.weight_decay);
        let use_wd = self.weight_decay != 0.0;
        let eps = T::of(self.eps);
        for ((p, g), s) in params.iter_mut().zip(grad.iter()).zip(self.sum.iter_mut()) {
            let mut g = signed(*g, self.maximize);
            if use_wd {
                g += wd * *p;
            }
            *s += g * g;
            let std = s.sqrt() + eps;
            *p += neg_clr * g / std;
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
        let mut s = base_state("adagrad", self.lr, self.step);
        s.put_buffer("sum", &self.sum);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let (lr, step) = load_base(state, "adagrad")?;
        self.sum = state.buffer("sum")?;
        self.lr = lr;
        self.step = step;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two steps by hand on g = (2, 2): s = 4 then 8; θ = 1 − 0.1·2/2 − 0.1/(1 + η)·2/√8.
    #[test]
    fn accumulates_and_decays_lr() {
        let mut opt = Adagrad::<f64>::new(0.1).lr_decay(0.5).eps(0.0);
        let mut x = [1.0];
        opt.step(&mut x, &mut [2.0]);
        assert!((x[0] - 0.9).abs() < 1e-15);
        opt.step(&mut x, &mut [2.0]);
        let want = 0.9 - 0.1 / 1.5 * 2.0 / 8f64.sqrt();
        assert!((x[0] - want).abs() < 1e-15);
    }
}
