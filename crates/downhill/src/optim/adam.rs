//! Adam, as `torch.optim.Adam` (also the engine of [`AdamW`](super::AdamW)).

use super::state_precision::{ensure_len16, narrow16, widen16, StatePrecision};
use super::{base_state, check_betas, ensure_len, lerp, load_base, nan_max, signed};
use super::{Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::kernels::{self, AdamStep, Decay};
use crate::{Error, Float, Result};

/// `torch.optim.Adam`: adaptive moments, with optional AMSGrad, L2 or decoupled weight decay,
/// and `maximize`.
///
/// With learning rate γ, betas (β₁, β₂), ε, weight decay λ, at step t = 1, 2, …
/// (m₀ = v₀ = v̂₀ = 0):
///
/// ```text
/// g ← ∇f(θ)                     (−∇f(θ) if maximize)
/// θ ← θ(1 − γλ)                  if λ ≠ 0 and decoupled_weight_decay (AdamW)
/// g ← g + λθ                     if λ ≠ 0 otherwise
/// m ← lerp(m, g, 1 − β₁)         = β₁m + (1 − β₁)g
/// v ← β₂v + (1 − β₂)g²
/// v̂ ← max(v̂, v)                  if amsgrad (and v̂ replaces v below)
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
///
/// With `state_precision = "bf16"`, m and v are stored as bfloat16 with stochastic rounding
/// (the arithmetic above is done in `f32`; see [`crate::kernels::bf16`]).
///
/// As in PyTorch, ε is added *after* the bias correction of √v (not to √v itself, as in the
/// paper's "ε̂" form), and the step size γ/(1 − β₁ᵗ) and √(1 − β₂ᵗ) are computed in `f64`.
#[derive(Debug, Clone)]
pub struct Adam<T: Float> {
    /// Learning rate γ (default 1e-3).
    pub lr: f64,
    /// (β₁, β₂) (default (0.9, 0.999)).
    pub betas: [f64; 2],
    /// ε (default 1e-8).
    pub eps: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// AMSGrad variant (default false).
    pub amsgrad: bool,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    /// Decay the weights directly (AdamW) instead of adding λθ to the gradient.
    pub decoupled_weight_decay: bool,
    /// Storage of `m` and `v`: `Full` (default) or `Bf16` ([`StatePrecision`]).
    pub state_precision: StatePrecision,
    pub(crate) name: &'static str,
    step: u64,
    exp_avg16: Vec<u16>,
    exp_avg_sq16: Vec<u16>,
    exp_avg: Vec<T>,
    exp_avg_sq: Vec<T>,
    max_exp_avg_sq: Vec<T>,
}

impl<T: Float> Adam<T> {
    /// Adam with learning rate `lr` and PyTorch's defaults for everything else.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            maximize: false,
            decoupled_weight_decay: false,
            state_precision: StatePrecision::Full,
            name: "adam",
            step: 0,
            exp_avg16: Vec::new(),
            exp_avg_sq16: Vec::new(),
            exp_avg: Vec::new(),
            exp_avg_sq: Vec::new(),
            max_exp_avg_sq: Vec::new(),
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
    /// Sets `amsgrad`.
    pub fn amsgrad(mut self, amsgrad: bool) -> Self {
        self.amsgrad = amsgrad;
        self
    }
    /// Sets `maximize`.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.maximize = maximize;
        self
    }
    /// Sets `decoupled_weight_decay`.
    pub fn decoupled_weight_decay(mut self, decoupled: bool) -> Self {
        self.decoupled_weight_decay = decoupled;
        self
    }
    /// Sets `state_precision`.
    pub fn state_precision(mut self, p: StatePrecision) -> Self {
        self.state_precision = p;
        self
    }
    /// Checks the hyperparameters as PyTorch's constructor does.
    pub fn validate(&self) -> Result<()> {
        if self.amsgrad && self.state_precision.is_bf16() {
            return Err(Error::param(
                "state_precision",
                "bf16",
                "bf16 state is not available with amsgrad",
            ));
        }
        check_min("lr", self.lr, 0.0)?;
        check_min("eps", self.eps, 0.0)?;
        check_betas(self.betas)?;
        check_min("weight_decay", self.weight_decay, 0.0)
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let n = params.len();
        let bf16 = self.state_precision.is_bf16() && !self.amsgrad;
        if bf16 {
            ensure_len16(&mut self.exp_avg16, n);
            ensure_len16(&mut self.exp_avg_sq16, n);
        } else {
            ensure_len(&mut self.exp_avg, n, T::zero());
            ensure_len(&mut self.exp_avg_sq, n, T::zero());
        }
        if self.amsgrad {
            ensure_len(&mut self.max_exp_avg_sq, n, T::zero());
        }
        self.step += 1;
        let step = self.step as f64;
        let [beta1, beta2] = self.betas;
        let bias_correction1 = 1.0 - beta1.powf(step);
        let bias_correction2 = 1.0 - beta2.powf(step);
        let neg_step_size = T::of(-(self.lr / bias_correction1));
        let bc2_sqrt = T::of(bias_correction2.powf(0.5));
        let (w1, b2, w2) = (T::of(1.0 - beta1), T::of(beta2), T::of(1.0 - beta2));
        let eps = T::of(self.eps);
        let wd = T::of(self.weight_decay);
        let (l2, decay) = match (self.weight_decay != 0.0, self.decoupled_weight_decay) {
            (false, _) => (false, None),
            (true, false) => (true, None),
            (true, true) => (false, Some(T::of(1.0 - self.lr * self.weight_decay))),
        };
        if !self.amsgrad {
            // The fused, vectorised, multi-threaded kernel: the loop below without AMSGrad,
            // operation for operation (bit-identical).
            let c = AdamStep {
                neg_step_size,
                one_minus_beta1: w1,
                beta2: b2,
                one_minus_beta2: w2,
                bias_correction2_sqrt: bc2_sqrt,
                eps,
                decay: match (l2, decay) {
                    (true, _) => Decay::L2(wd),
                    (false, Some(d)) => Decay::Decoupled(d),
                    (false, None) => Decay::None,
                },
                sign: if self.maximize { -T::one() } else { T::one() },
            };
            if bf16 {
                let key = kernels::bf16::step_key(0, self.step);
                let (m, v) = (&mut self.exp_avg16, &mut self.exp_avg_sq16);
                kernels::adam_bf16(params, grad, m, v, &c, key);
            } else {
                kernels::adam(params, grad, &mut self.exp_avg, &mut self.exp_avg_sq, &c);
            }
            return StepOutcome::Applied;
        }
        for (i, (p, g)) in params.iter_mut().zip(grad.iter()).enumerate() {
            let mut g = signed(*g, self.maximize);
            if let Some(d) = decay {
                *p *= d;
            }
            if l2 {
                g += wd * *p;
            }
            let m = &mut self.exp_avg[i];
            *m = lerp(*m, g, w1);
            let v = &mut self.exp_avg_sq[i];
            *v = *v * b2 + w2 * g * g;
            let v = if self.amsgrad {
                let vm = &mut self.max_exp_avg_sq[i];
                *vm = nan_max(*vm, *v);
                *vm
            } else {
                *v
            };
            let denom = v.sqrt() / bc2_sqrt + eps;
            *p += neg_step_size * *m / denom;
        }
        StepOutcome::Applied
    }

    super::lr_and_beta1_accessors!();
    fn state(&self) -> OptimizerState {
        let mut s = base_state(self.name, self.lr, self.step);
        s.put_scalar("beta1", self.betas[0]);
        if self.state_precision.is_bf16() {
            s.buffers.insert("exp_avg".into(), widen16(&self.exp_avg16));
            s.buffers
                .insert("exp_avg_sq".into(), widen16(&self.exp_avg_sq16));
        } else {
            s.put_buffer("exp_avg", &self.exp_avg);
            s.put_buffer("exp_avg_sq", &self.exp_avg_sq);
        }
        s.put_buffer("max_exp_avg_sq", &self.max_exp_avg_sq);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let (lr, step) = load_base(state, self.name)?;
        self.betas[0] = state.scalar_or("beta1", self.betas[0]);
        if self.state_precision.is_bf16() {
            self.exp_avg16 = narrow16(&state.buffer::<f64>("exp_avg")?);
            self.exp_avg_sq16 = narrow16(&state.buffer::<f64>("exp_avg_sq")?);
        } else {
            self.exp_avg = state.buffer("exp_avg")?;
            self.exp_avg_sq = state.buffer("exp_avg_sq")?;
        }
        self.max_exp_avg_sq = state.buffer("max_exp_avg_sq")?;
        self.lr = lr;
        self.step = step;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First step by hand: m = 0.1g, v = 0.001g², bias-corrected m/√v = sign(g), so
    /// θ₁ = θ₀ − γ·g/(|g| + ε·…) ≈ θ₀ − γ·sign(g).
    #[test]
    fn first_step_moves_by_lr() {
        let mut opt = Adam::<f64>::new(0.1);
        let mut x = [1.0, -2.0];
        let mut g = [3.0, -0.5];
        opt.step(&mut x, &mut g);
        assert!((x[0] - 0.9).abs() < 1e-8);
        assert!((x[1] + 1.9).abs() < 1e-7);
    }

    #[test]
    fn rejects_bad_betas() {
        let e = Adam::<f64>::new(0.1)
            .betas(1.0, 0.9)
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("betas[0]"));
        assert!(Adam::<f64>::new(0.1).eps(-1.0).validate().is_err());
    }
}
