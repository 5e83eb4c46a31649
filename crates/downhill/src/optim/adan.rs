//! Adan (Xie et al. 2022, "Adan: Adaptive Nesterov Momentum Algorithm for Faster Optimizing
//! Deep Models"), as `optax.adan`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `adan`: the hyperparameters of [`Adan`], with optax's defaults under PyTorch's names
    /// (optax's `learning_rate` is `lr`, `(b1, b2, b3)` is `betas`; optax has no default lr).
    pub struct AdanConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// (β₁, β₂, β₃).
        #[serde(deserialize_with = "super::exact_triple")]
        betas: [f64; 3] = [0.98, 0.92, 0.99], [Kind::Triple, HalfOpen(0.0, 1.0),
            "(β₁, β₂, β₃): decay rates of the gradient, gradient-difference and squared averages"],
        /// ε, added to √(n̂ + ε_root).
        eps: f64 = 1e-8, [EPS],
        /// ε_root, added to n̂ inside the square root.
        eps_root: f64 = 1e-8, [Kind::Float, AtLeast(0.0), "added to n̂ inside the square root"],
        /// Weight decay λ, added to the adapted direction (optax's `add_decayed_weights`).
        weight_decay: f64 = 0.0, [Kind::Float, AtLeast(0.0), "weight decay (added to the adapted direction)"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for AdanConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "Adan: adaptive Nesterov momentum from gradient differences (optax.adan).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Adan`] carries from step to step (beside `lr` and `beta1`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AdanState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// m, the average of the gradients.
    pub exp_avg: StateBuf<T>,
    /// v, the average of the gradient differences.
    pub exp_avg_diff: StateBuf<T>,
    /// n, the average of the squared term.
    pub exp_avg_sq: StateBuf<T>,
    /// The previous gradient (after `maximize`).
    pub prev_grad: StateBuf<T>,
}

/// `optax.adan`: Adam-like moments of the gradient and of the gradient's change, which
/// estimate Nesterov momentum without evaluating the gradient at an extrapolated point.
///
/// With learning rate γ, betas (β₁, β₂, β₃), ε, ε_root and weight decay λ, at step
/// t = 1, 2, … (m₀ = v₀ = n₀ = 0; the difference d is 0 at the first step):
///
/// ```text
/// g ← ∇f(θ)                               (−∇f(θ) if maximize)
/// d ← g − g_prev                          (0 if t = 1)
/// m ← (1 − β₁)g + β₁m
/// v ← (1 − β₂)d + β₂v
/// n ← (1 − β₃)(g + (1 − β₂)d)² + β₃n
/// u ← (m/(1 − β₁ᵗ) + (1 − β₂)·v/(1 − β₂ᵗ)) / (√(n/(1 − β₃ᵗ) + ε_root) + ε) + λθ
/// θ ← θ − γu,   g_prev ← g
/// ```
///
/// Names: optax's `learning_rate` is `lr` and its `(b1, b2, b3)` one triple `betas` (as
/// PyTorch's `betas` pairs the Adam family's); `eps`, `eps_root` and `weight_decay` keep optax's
/// names and defaults, and `maximize` is PyTorch's (optax has none; it is minimising −f
/// here). As optax's code (not its docstring's paper form θ/(1 + λγ)), the weight decay is
/// added to the direction before the learning rate, on every tensor (its `mask` at its
/// default). The β's weigh the old average as in the rest of Downhill (β₁ = 0.98 keeps 98 %
/// of m), which is optax's code; the paper writes 1 − β. The default lr 10⁻³ is Downhill's
/// (optax has none). `betas[0]` is the momentum a schedule drives (checkpoint key `beta1`),
/// in m and in its bias correction.
pub type Adan<T> = Optim<AdanConfig, T>;

impl Rule for AdanConfig {
    type State<T: Float> = AdanState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> AdanState<T> {
        AdanState {
            step: 0,
            exp_avg: StateBuf::default(),
            exp_avg_diff: StateBuf::default(),
            exp_avg_sq: StateBuf::default(),
            prev_grad: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut AdanState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let len = params.len();
        let first = st.step == 0;
        st.step += 1;
        let t = st.step as f64;
        let m = st.exp_avg.full_of(len, T::zero());
        let v = st.exp_avg_diff.full_of(len, T::zero());
        let n = st.exp_avg_sq.full_of(len, T::zero());
        let prev = st.prev_grad.full_of(len, T::zero());
        let (beta1, [_, beta2, beta3]) = (h.mu(), self.betas);
        let (b1, w1, b2, w2, b3, w3) = (
            T::of(beta1),
            T::of(1.0 - beta1),
            T::of(beta2),
            T::of(1.0 - beta2),
            T::of(beta3),
            T::of(1.0 - beta3),
        );
        let bc = |b: f64| T::of(1.0 - b.powf(t));
        let (bc1, bc2, bc3) = (bc(beta1), bc(beta2), bc(beta3));
        let (eps, eps_root) = (T::of(self.eps), T::of(self.eps_root));
        let (wd, decay, neg_lr) = (
            T::of(self.weight_decay),
            self.weight_decay != 0.0,
            T::of(-h.lr),
        );
        let moments = m.iter_mut().zip(v.iter_mut()).zip(n.iter_mut());
        for (((p, &g), ((m, v), n)), prev) in params
            .iter_mut()
            .zip(grad.iter())
            .zip(moments)
            .zip(prev.iter_mut())
        {
            let g = signed(g, self.maximize);
            let d = if first { T::zero() } else { g - *prev };
            *m = w1 * g + b1 * *m;
            *v = w2 * d + b2 * *v;
            let sq = g + w2 * d;
            *n = w3 * (sq * sq) + b3 * *n;
            *prev = g;
            let mut u = (*m / bc1 + w2 * (*v / bc2)) / ((*n / bc3 + eps_root).sqrt() + eps);
            if decay {
                u += wd * *p;
            }
            *p += neg_lr * u;
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first step has d = 0: m̂ = g, v̂ = 0, n̂ = g², so (ε = ε_root = 0) θ moves by γ
    /// against the gradient's sign; the second, with g unchanged, has d = 0 again and the
    /// same step.
    #[test]
    fn first_steps_by_hand() {
        let mut opt = Adan::<f64>::new(AdanConfig {
            lr: 0.1,
            eps: 0.0,
            eps_root: 0.0,
            ..Default::default()
        })
        .unwrap();
        let mut x = [1.0, 1.0];
        opt.step(&mut x, &mut [3.0, -0.5]);
        assert!((x[0] - 0.9).abs() < 1e-12 && (x[1] - 1.1).abs() < 1e-12, "{x:?}");
        opt.step(&mut x, &mut [3.0, -0.5]);
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.2).abs() < 1e-12, "{x:?}");
    }
}
