//! RMSprop, as `torch.optim.RMSprop`.

use super::{base_state, ensure_len, lerp, load_base, signed};
use super::{Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::{Float, Result};

/// `torch.optim.RMSprop`: steps divided by a running root-mean-square of the gradient, with
/// optional centring and momentum.
///
/// With learning rate γ, smoothing α, ε, weight decay λ, momentum μ, at each step
/// (v = ḡ = b = 0 initially):
///
/// ```text
/// g ← ∇f(θ)                     (−∇f(θ) if maximize)
/// g ← g + λθ                     if λ ≠ 0
/// v ← αv + (1 − α)g²
/// ḡ ← lerp(ḡ, g, 1 − α)          if centered
/// d ← √(v − ḡ²) + ε              if centered, else d ← √v + ε
/// b ← μb + g/d;  θ ← θ − γb      if μ > 0
/// θ ← θ − γ·g/d                  otherwise
/// ```
///
/// ε is added outside the square root, and there is no bias correction (unlike Adam).
#[derive(Debug, Clone)]
pub struct RmsProp<T: Float> {
    /// Learning rate γ (default 1e-2).
    pub lr: f64,
    /// Smoothing constant α (default 0.99).
    pub alpha: f64,
    /// ε (default 1e-8).
    pub eps: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// Momentum μ (default 0).
    pub momentum: f64,
    /// Normalise by the centred second moment (default false).
    pub centered: bool,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    step: u64,
    square_avg: Vec<T>,
    grad_avg: Vec<T>,
    momentum_buffer: Vec<T>,
}

impl<T: Float> RmsProp<T> {
    /// RMSprop with learning rate `lr` and PyTorch's defaults for everything else.
    pub fn new(lr: f64) -> Self {
        RmsProp {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
            maximize: false,
            step: 0,
            square_avg: Vec::new(),
            grad_avg: Vec::new(),
            momentum_buffer: Vec::new(),
        }
    }
    /// Sets `alpha`.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
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
    /// Sets `momentum`.
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }
    /// Sets `centered`.
    pub fn centered(mut self, centered: bool) -> Self {
        self.centered = centered;
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
        check_min("momentum", self.momentum, 0.0)?;
        check_min("weight_decay", self.weight_decay, 0.0)?;
        check_min("alpha", self.alpha, 0.0)
    }
}

impl<T: Float> Optimizer<T> for RmsProp<T> {
    fn name(&self) -> &'static str {
        "rmsprop"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let n = params.len();
        ensure_len(&mut self.square_avg, n, T::zero());
        if self.centered {
            ensure_len(&mut self.grad_avg, n, T::zero());
        }
        let use_momentum = self.momentum > 0.0;
        if use_momentum {
            ensure_len(&mut self.momentum_buffer, n, T::zero());
        }
        self.step += 1;
        let (alpha, w) = (T::of(self.alpha), T::of(1.0 - self.alpha));
        let eps = T::of(self.eps);
        let wd = T::of(self.weight_decay);
        let use_wd = self.weight_decay != 0.0;
        let mu = T::of(self.momentum);
        let neg_lr = T::of(-self.lr);
        for (i, (p, g)) in params.iter_mut().zip(grad.iter()).enumerate() {
            let mut g = signed(*g, self.maximize);
            if use_wd {
                g += wd * *p;
            }
            let v = &mut self.square_avg[i];
            *v = *v * alpha + w * g * g;
            let avg = if self.centered {
                let ga = &mut self.grad_avg[i];
                *ga = lerp(*ga, g, w);
                (*v - *ga * *ga).sqrt()
            } else {
                v.sqrt()
            } + eps;
            if use_momentum {
                let b = &mut self.momentum_buffer[i];
                *b = *b * mu + g / avg;
                *p += neg_lr * *b;
            } else {
                *p += neg_lr * g / avg;
            }
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
        let mut s = base_state("rmsprop", self.lr, self.step);
        s.put_scalar("momentum", self.momentum);
        s.put_buffer("square_avg", &self.square_avg);
        s.put_buffer("grad_avg", &self.grad_avg);
        s.put_buffer("momentum_buffer", &self.momentum_buffer);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let (lr, step) = load_base(state, "rmsprop")?;
        self.momentum = state.scalar_or("momentum", self.momentum);
        self.square_avg = state.buffer("square_avg")?;
        self.grad_avg = state.buffer("grad_avg")?;
        self.momentum_buffer = state.buffer("momentum_buffer")?;
        self.lr = lr;
        self.step = step;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First step by hand: v = (1 − α)g², θ ← θ − γg/(√(1 − α)|g| + ε).
    #[test]
    fn first_step() {
        let mut opt = RmsProp::<f64>::new(0.01).eps(0.0);
        let mut x = [1.0];
        opt.step(&mut x, &mut [2.0]);
        assert!((x[0] - (1.0 - 0.01 / 0.1)).abs() < 1e-12);
    }
}
