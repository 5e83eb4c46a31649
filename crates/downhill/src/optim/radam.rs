//! RAdam, as `torch.optim.RAdam`.


use super::adam::{Moments, BETAS};
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::{lerp, WeightDecay};
use super::{Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::Float;

crate::hyperparameters! {
    /// `radam`: the hyperparameters of [`Radam`], PyTorch's names and defaults.
    pub struct RadamConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// ε.
        eps: f64 = 1e-8, [EPS],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// Weight decay λ.
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Decoupled weight decay.
        decoupled_weight_decay: bool = false, [DECOUPLED_WEIGHT_DECAY],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for RadamConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "RAdam: Adam with the adaptive step's variance rectified.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

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
pub type Radam<T> = Optim<RadamConfig, T>;

impl Rule for RadamConfig {
    type State<T: Float> = Moments<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> Moments<T> {
        Moments::default()
    }

    fn step<T: Float>(
        &self,
        st: &mut Moments<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let cfg = self;
        let (beta1, beta2, base_lr) = (h.mu(), cfg.betas[1], h.lr);
        let (exp_avg, exp_avg_sq, step) = st.next(params.len());
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
        let lr = T::of(base_lr);
        let (w1, b2, w2) = (T::of(1.0 - beta1), T::of(beta2), T::of(1.0 - beta2));
        let eps = T::of(cfg.eps);
        let decay = WeightDecay::<T>::new(
            base_lr,
            cfg.weight_decay,
            cfg.decoupled_weight_decay,
            cfg.maximize,
        );
        let moments = exp_avg.iter_mut().zip(exp_avg_sq.iter_mut());
        for ((p, g), (m, v)) in params.iter_mut().zip(grad.iter()).zip(moments) {
            let g = decay.apply(p, *g);
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
}
