//! LAMB (You et al. 2019, "Large Batch Optimization for Deep Learning"), as `optax.lamb`.

use super::adam::{Moments, BETAS};
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::{signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `lamb`: the hyperparameters of [`Lamb`], with optax's defaults under PyTorch's names
    /// (optax's `learning_rate` is `lr`, `(b1, b2)` is `betas`; optax has no default lr).
    pub struct LambConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// ε, added to √v̂.
        eps: f64 = 1e-6, [EPS],
        /// ε inside the root, √(v̂ + ε_root).
        eps_root: f64 = 0.0, [Kind::Float, AtLeast(0.0), "added to v̂ inside the square root"],
        /// Weight decay λ, added to the Adam direction before the trust ratio.
        weight_decay: f64 = 0.0, [Kind::Float, AtLeast(0.0), "weight decay (inside the trust ratio)"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for LambConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "LAMB: Adam with a layer-wise trust ratio (optax.lamb).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// `optax.lamb`: Adam's direction plus weight decay, scaled per tensor ("layer") by the ratio
/// of the weights' norm to the direction's norm.
///
/// With learning rate γ, betas (β₁, β₂), ε, ε_root, weight decay λ, for each tensor θ of the
/// layout ([`Optimizer::set_shapes`]: the tensors of `Network::tensors()` in `train`; a plain
/// run's `x` is one tensor), at step t = 1, 2, … (m₀ = v₀ = 0):
///
/// ```text
/// g ← ∇f(θ)                               (−∇f(θ) if maximize)
/// m ← (1 − β₁)g + β₁m
/// v ← (1 − β₂)g² + β₂v
/// u ← (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ) + ε_root) + ε) + λθ
/// r ← ‖θ‖₂ / ‖u‖₂,   r ← 1 if ‖θ‖₂ = 0 or ‖u‖₂ = 0
/// θ ← θ − γ·r·u
/// ```
///
/// As optax (its `mask` at its default: decay on every tensor), with the trust coefficient 1.
/// optax has no `maximize`; it is minimising −f here.
pub type Lamb<T> = Optim<LambConfig, T>;

/// `‖x‖₂` in `T`, summed in order.
pub(crate) fn norm<T: Float>(x: &[T]) -> T {
    x.iter().fold(T::zero(), |s, &v| s + v * v).sqrt()
}

impl Rule for LambConfig {
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
        shapes: &[Shape],
    ) -> StepOutcome {
        let (beta1, beta2) = (h.mu(), self.betas[1]);
        let (m, v, t) = st.next(params.len());
        let (b1, w1, b2, w2) = (
            T::of(beta1),
            T::of(1.0 - beta1),
            T::of(beta2),
            T::of(1.0 - beta2),
        );
        let (bc1, bc2) = (T::of(1.0 - beta1.powf(t)), T::of(1.0 - beta2.powf(t)));
        let (eps, eps_root, wd) = (T::of(self.eps), T::of(self.eps_root), T::of(self.weight_decay));
        let neg_lr = T::of(-h.lr);
        let mut at = 0;
        for s in shapes {
            let r = at..at + s.len();
            let (p, u) = (&mut params[r.clone()], &mut grad[r.clone()]);
            let (m, v) = (&mut m[r.clone()], &mut v[r]);
            for (((u, &p), m), v) in u.iter_mut().zip(p.iter()).zip(m.iter_mut()).zip(v.iter_mut()) {
                let g = signed(*u, self.maximize);
                *m = w1 * g + b1 * *m;
                *v = w2 * (g * g) + b2 * *v;
                *u = (*m / bc1) / ((*v / bc2 + eps_root).sqrt() + eps) + wd * p;
            }
            let (p_norm, u_norm) = (norm(p), norm(u));
            let ratio = if p_norm == T::zero() || u_norm == T::zero() {
                T::one()
            } else {
                p_norm / u_norm
            };
            for (p, u) in p.iter_mut().zip(u.iter()) {
                *p += neg_lr * (*u * ratio);
            }
            at += s.len();
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First step, no decay: m̂/√v̂ = sign(g) (up to ε), so u = (1, −1)·(1 − ε'), ‖u‖ = √2,
    /// and θ = (3, 4) (‖θ‖ = 5) moves by γ·5/√2 along −u.
    #[test]
    fn first_step_by_hand() {
        let cfg = LambConfig {
            lr: 0.1,
            eps: 0.0,
            ..Default::default()
        };
        let mut opt = Lamb::<f64>::new(cfg).unwrap();
        let mut x = [3.0, 4.0];
        opt.step(&mut x, &mut [2.0, -0.5]);
        let d = 0.1 * 5.0 / 2f64.sqrt();
        assert!((x[0] - (3.0 - d)).abs() < 1e-12 && (x[1] - (4.0 + d)).abs() < 1e-12);
    }
}
