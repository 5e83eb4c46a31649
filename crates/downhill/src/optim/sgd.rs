//! Stochastic gradient descent, as `torch.optim.SGD`.

use super::state_precision::{ensure_len16, narrow16, widen16, StatePrecision};
use super::{ensure_len, Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::kernels::{self, SgdStep};
use crate::{Error, Float, Result};

/// `torch.optim.SGD`: plain, momentum (PyTorch form), Nesterov, weight decay, maximize.
///
/// With learning rate γ, momentum μ, dampening τ, weight decay λ, at step t:
///
/// ```text
/// g ← ∇f(θ)              (−∇f(θ) if maximize)
/// g ← g + λθ              if λ ≠ 0
/// b ← g                   if μ ≠ 0 and t = 1
/// b ← μb + (1 − τ)g       if μ ≠ 0 and t > 1
/// g ← g + μb              if nesterov, else g ← b   (when μ ≠ 0)
/// θ ← θ − γg
/// ```
///
/// With `state_precision = "bf16"` the buffer b is stored as bfloat16 with stochastic
/// rounding (arithmetic in `f32`; see [`crate::kernels::bf16`]).
#[derive(Debug, Clone)]
pub struct Sgd<T: Float> {
    /// Learning rate γ.
    pub lr: f64,
    /// Momentum factor μ (default 0).
    pub momentum: f64,
    /// Dampening τ (default 0).
    pub dampening: f64,
    /// Weight decay λ (L2 penalty, default 0).
    pub weight_decay: f64,
    /// Nesterov momentum (default false).
    pub nesterov: bool,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    /// Storage of the momentum buffer: `Full` (default) or `Bf16` ([`StatePrecision`]).
    pub state_precision: StatePrecision,
    buf: Vec<T>,
    buf16: Vec<u16>,
    steps: u64,
}

impl<T: Float> Sgd<T> {
    /// SGD with learning rate `lr` and PyTorch's defaults for everything else.
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
            maximize: false,
            state_precision: StatePrecision::Full,
            buf: Vec::new(),
            buf16: Vec::new(),
            steps: 0,
        }
    }
    /// Sets `momentum`.
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }
    /// Sets `dampening`.
    pub fn dampening(mut self, dampening: f64) -> Self {
        self.dampening = dampening;
        self
    }
    /// Sets `weight_decay`.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
    /// Sets `nesterov`.
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }
    /// Sets `maximize`.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.maximize = maximize;
        self
    }
    /// Sets `state_precision`.
    pub fn state_precision(mut self, p: StatePrecision) -> Self {
        self.state_precision = p;
        self
    }
    /// Checks the hyperparameters as PyTorch's constructor does.
    pub fn validate(&self) -> Result<()> {
        check_min("lr", self.lr, 0.0)?;
        check_min("momentum", self.momentum, 0.0)?;
        check_min("weight_decay", self.weight_decay, 0.0)?;
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(Error::param(
                "nesterov",
                true,
                "nesterov momentum requires a momentum > 0 and zero dampening",
            ));
        }
        Ok(())
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    fn name(&self) -> &'static str {
        "sgd"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let bf16 = self.state_precision.is_bf16();
        let empty = if bf16 {
            self.buf16.is_empty()
        } else {
            self.buf.is_empty()
        };
        let first = self.momentum != 0.0 && empty;
        self.steps += 1;
        let c = SgdStep {
            neg_lr: T::of(-self.lr),
            wd: T::of(self.weight_decay),
            weight_decay: self.weight_decay != 0.0,
            sign: if self.maximize { -T::one() } else { T::one() },
            mu: T::of(self.momentum),
            one_minus_damp: T::of(1.0 - self.dampening),
            nesterov: self.nesterov,
            first,
        };
        if self.momentum == 0.0 {
            kernels::sgd(params, grad, &c);
        } else if bf16 {
            ensure_len16(&mut self.buf16, params.len());
            let key = kernels::bf16::step_key(0, self.steps);
            kernels::sgd_momentum_bf16(params, grad, &mut self.buf16, &c, key);
        } else {
            ensure_len(&mut self.buf, params.len(), T::zero());
            kernels::sgd_momentum(params, grad, &mut self.buf, &c);
        }
        StepOutcome::Applied
    }

    fn lr(&self) -> f64 {
        self.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn set_momentum(&mut self, momentum: f64) {
        self.momentum = momentum;
    }
    fn state(&self) -> OptimizerState {
        let mut s = OptimizerState::new("sgd");
        s.scalars.insert("lr".into(), self.lr);
        s.scalars.insert("momentum".into(), self.momentum);
        if self.state_precision.is_bf16() {
            s.buffers
                .insert("momentum_buffer".into(), widen16(&self.buf16));
        } else {
            s.put_buffer("momentum_buffer", &self.buf);
        }
        s.scalars.insert("step".into(), self.steps as f64);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        state.expect_name("sgd")?;
        self.lr = state.scalar("lr")?;
        self.momentum = state.scalar("momentum")?;
        if self.state_precision.is_bf16() {
            self.buf16 = narrow16(&state.buffer::<f64>("momentum_buffer")?);
        } else {
            self.buf = state.buffer("momentum_buffer")?;
        }
        self.steps = state.scalars.get("step").map_or(0, |&s| s as u64);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(x) = x², x0 = 10, γ = 0.2: xₖ = 10·0.6ᵏ (seed 001).
    #[test]
    fn plain_sgd_on_square_matches_closed_form() {
        let mut opt = Sgd::<f64>::new(0.2);
        let mut x = [10.0];
        for _ in 0..10 {
            let mut g = [2.0 * x[0]];
            opt.step(&mut x, &mut g);
        }
        assert!((x[0] - 10.0 * 0.6f64.powi(10)).abs() < 1e-12);
        assert!((x[0] - 0.0605).abs() < 5e-5);
    }

    /// Momentum by hand on f(x) = x²: b₁ = g₀, b₂ = μb₁ + g₁.
    #[test]
    fn momentum_first_step_copies_gradient() {
        let mut opt = Sgd::<f64>::new(0.1).momentum(0.9).dampening(0.5);
        let mut x = [1.0];
        let mut g = [2.0];
        opt.step(&mut x, &mut g);
        assert!((x[0] - 0.8).abs() < 1e-15); // b = 2, not (1−τ)·2
        let mut g = [1.6];
        opt.step(&mut x, &mut g);
        // b = 0.9·2 + 0.5·1.6 = 2.6; x = 0.8 − 0.26
        assert!((x[0] - 0.54).abs() < 1e-15);
    }

    #[test]
    fn nesterov_requires_momentum() {
        assert!(Sgd::<f64>::new(0.1).nesterov(true).validate().is_err());
        assert!(Sgd::<f64>::new(-0.1).validate().is_err());
        assert!(Sgd::<f64>::new(0.1)
            .momentum(0.9)
            .nesterov(true)
            .validate()
            .is_ok());
    }
}
