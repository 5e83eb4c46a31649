//! Adam, as `torch.optim.Adam` (also the engine of [`Adamw`](super::Adamw)).

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{lerp, nan_max, WeightDecay};
use super::{Hyper, Optim, Optimizer, Rule, Shape, StatePrecision, StepOutcome};
use crate::kernels::{self, AdamStep, Decay};
use crate::{Error, Float, Result};

/// The `betas` of the Adam family: each in [0, 1).
pub(crate) const BETAS: ParamSpec = pair(
    "betas",
    HalfOpen(0.0, 1.0),
    "(β₁, β₂): decay rates of the first and second moments",
);

/// Adam's and AdamW's `amsgrad`.
pub(crate) const AMSGRAD: ParamSpec = flag("amsgrad", "AMSGrad (max of the second moments)");
/// Adam's and AdamW's `state_precision`.
pub(crate) const MOMENTS_PRECISION: ParamSpec = choice(
    "state_precision",
    StatePrecision::NAMES,
    "storage of the moments",
);

crate::hyperparameters! {
    /// `adam`: the hyperparameters of [`Adam`], PyTorch's names and defaults.
    pub struct AdamConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// ε.
        eps: f64 = 1e-8, [EPS],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// Weight decay λ.
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// AMSGrad.
        amsgrad: bool = false, [AMSGRAD],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
        /// Storage of the moments: `"full"` or `"bf16"`.
        state_precision: StatePrecision = StatePrecision::Full, [MOMENTS_PRECISION],
        /// Decoupled weight decay (AdamW's form).
        decoupled_weight_decay: bool = false, [DECOUPLED_WEIGHT_DECAY],
    }
}

impl Entry for AdamConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "Adam: adaptive moment estimation (torch.optim.Adam).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn validate(&self) -> Result<()> {
        if self.amsgrad && self.state_precision.is_bf16() {
            return Err(Error::param(
                "state_precision",
                "bf16",
                "bf16 state is not available with amsgrad",
            ));
        }
        super::params::check(self, Self::PARAMS)
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// The state the Adam family shares (checkpoint keys of every version, beside the scheduled
/// `lr` and `beta1`): the step count and the moments m, v.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Moments<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// First moment m.
    pub exp_avg: StateBuf<T>,
    /// Second moment v.
    pub exp_avg_sq: StateBuf<T>,
}

impl<T: Float> Default for Moments<T> {
    fn default() -> Self {
        Moments {
            step: 0,
            exp_avg: StateBuf::default(),
            exp_avg_sq: StateBuf::default(),
        }
    }
}

impl<T: Float> Moments<T> {
    /// Counts a step of `n` parameters: m and v (full precision, zeros on first use) and t.
    pub(crate) fn next(&mut self, n: usize) -> (&mut [T], &mut [T], f64) {
        self.step += 1;
        let m = self.exp_avg.full_of(n, T::zero());
        let v = self.exp_avg_sq.full_of(n, T::zero());
        (m, v, self.step as f64)
    }
}

/// What [`Adam`] carries from step to step: the [`Moments`] and AMSGrad's maximum.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AdamState<T: Float> {
    /// step, m, v.
    #[serde(flatten)]
    pub moments: Moments<T>,
    /// AMSGrad's running maximum v̂.
    pub max_exp_avg_sq: StateBuf<T>,
}

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
pub type Adam<T> = Optim<AdamConfig, T>;

/// The Adam family's state before the first step.
pub(crate) fn adam_init<T: Float>() -> AdamState<T> {
    AdamState {
        moments: Moments::default(),
        max_exp_avg_sq: StateBuf::default(),
    }
}

/// Stores the loaded moments in the configured precision.
pub(crate) fn adam_after_load<T: Float>(st: &mut AdamState<T>, precision: StatePrecision) {
    st.moments.exp_avg.store_as(precision);
    st.moments.exp_avg_sq.store_as(precision);
}

impl Rule for AdamConfig {
    type State<T: Float> = AdamState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> AdamState<T> {
        adam_init()
    }
    fn after_load<T: Float>(&self, st: &mut AdamState<T>) {
        adam_after_load(st, self.state_precision)
    }
    fn step<T: Float>(
        &self,
        state: &mut AdamState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        adam_step(self, state, h, params, grad)
    }
}

/// One Adam step (AdamW's too, with `cfg.decoupled_weight_decay`).
pub(crate) fn adam_step<T: Float>(
    cfg: &AdamConfig,
    state: &mut AdamState<T>,
    h: Hyper,
    params: &mut [T],
    grad: &mut [T],
) -> StepOutcome {
    let st = &mut state.moments;
    let n = params.len();
    let precision = cfg.state_precision;
    st.exp_avg.ensure(n, T::zero(), precision);
    st.exp_avg_sq.ensure(n, T::zero(), precision);
    st.step += 1;
    let step = st.step as f64;
    let (beta1, beta2) = (h.mu(), cfg.betas[1]);
    let bias_correction1 = 1.0 - beta1.powf(step);
    let bias_correction2 = 1.0 - beta2.powf(step);
    let neg_step_size = T::of(-(h.lr / bias_correction1));
    let bc2_sqrt = T::of(bias_correction2.powf(0.5));
    let (w1, b2, w2) = (T::of(1.0 - beta1), T::of(beta2), T::of(1.0 - beta2));
    let eps = T::of(cfg.eps);
    let decay = WeightDecay::<T>::new(
        h.lr,
        cfg.weight_decay,
        cfg.decoupled_weight_decay,
        cfg.maximize,
    );
    if !cfg.amsgrad {
        // The fused, vectorised, multi-threaded kernel: the loop below without AMSGrad,
        // operation for operation (bit-identical).
        let c = AdamStep {
            neg_step_size,
            one_minus_beta1: w1,
            beta2: b2,
            one_minus_beta2: w2,
            bias_correction2_sqrt: bc2_sqrt,
            eps,
            decay: match (decay.l2, decay.decay) {
                (true, _) => Decay::L2(decay.wd),
                (false, Some(d)) => Decay::Decoupled(d),
                (false, None) => Decay::None,
            },
            sign: if cfg.maximize { -T::one() } else { T::one() },
        };
        match (&mut st.exp_avg, &mut st.exp_avg_sq) {
            (StateBuf::Bf16(m), StateBuf::Bf16(v)) => {
                let key = kernels::bf16::step_key(0, st.step);
                kernels::adam_bf16(params, grad, m, v, &c, key);
            }
            (m, v) => kernels::adam(params, grad, m.full(), v.full(), &c),
        }
        return StepOutcome::Applied;
    }
    state
        .max_exp_avg_sq
        .ensure(n, T::zero(), StatePrecision::Full);
    let (m, v, vmax) = (
        st.exp_avg.full(),
        st.exp_avg_sq.full(),
        state.max_exp_avg_sq.full(),
    );
    for (i, (p, g)) in params.iter_mut().zip(grad.iter()).enumerate() {
        let g = decay.apply(p, *g);
        m[i] = lerp(m[i], g, w1);
        v[i] = v[i] * b2 + w2 * g * g;
        vmax[i] = nan_max(vmax[i], v[i]);
        let denom = vmax[i].sqrt() / bc2_sqrt + eps;
        *p += neg_step_size * m[i] / denom;
    }
    StepOutcome::Applied
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adam(cfg: AdamConfig) -> Result<Adam<f64>> {
        Adam::new(cfg)
    }

    /// First step by hand: m = 0.1g, v = 0.001g², bias-corrected m/√v = sign(g), so
    /// θ₁ = θ₀ − γ·g/(|g| + ε·…) ≈ θ₀ − γ·sign(g).
    #[test]
    fn first_step_moves_by_lr() {
        let mut opt = adam(AdamConfig {
            lr: 0.1,
            ..Default::default()
        })
        .unwrap();
        let mut x = [1.0, -2.0];
        let mut g = [3.0, -0.5];
        opt.step(&mut x, &mut g);
        assert!((x[0] - 0.9).abs() < 1e-8);
        assert!((x[1] + 1.9).abs() < 1e-7);
    }

    #[test]
    fn rejects_bad_betas() {
        let e = adam(AdamConfig {
            betas: [1.0, 0.9],
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("betas[0]"));
        assert!(adam(AdamConfig {
            eps: -1.0,
            ..Default::default()
        })
        .is_err());
    }
}
