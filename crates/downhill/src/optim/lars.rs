//! LARS (You et al. 2017, "Large Batch Training of Convolutional Networks"), as `optax.lars`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `lars`: the hyperparameters of [`Lars`], with optax's names and defaults (optax's
    /// `learning_rate` is `lr` here, and it has a default).
    pub struct LarsConfig {
        /// Learning rate γ.
        lr: f64 = 1.0, [LR],
        /// Weight decay λ, added to the gradient before the trust ratio.
        weight_decay: f64 = 0.0, [Kind::Float, AtLeast(0.0), "weight decay (inside the trust ratio)"],
        /// Trust coefficient η.
        trust_coefficient: f64 = 0.001, [Kind::Float, AtLeast(0.0), "multiplier η of the trust ratio"],
        /// ε of the trust ratio's denominator.
        eps: f64 = 0.0, [Kind::Float, AtLeast(0.0), "added to the update norm in the trust ratio"],
        /// Momentum μ.
        momentum: f64 = 0.9, [Kind::Float, AtLeast(0.0), "momentum factor"],
        /// Nesterov momentum.
        nesterov: bool = false, [Kind::Bool, Any, "Nesterov momentum"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for LarsConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "LARS: SGD with momentum and a layer-wise trust ratio (optax.lars).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Lars`] carries from step to step (beside `lr` and `momentum`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LarsState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// The momentum buffer b (optax's `trace`), which carries the learning rate.
    pub momentum_buffer: StateBuf<T>,
}

/// `optax.lars`: SGD with momentum whose step is scaled, per tensor ("layer"), by the ratio of
/// the weights' norm to the update's norm.
///
/// With learning rate γ, weight decay λ, trust coefficient η, ε, momentum μ, for each tensor θ
/// of the layout ([`Optimizer::set_shapes`]: the tensors of `Network::tensors()` in `train`;
/// a plain run's `x` is one tensor), at each step (b₀ = 0):
///
/// ```text
/// g ← ∇f(θ)                               (−∇f(θ) if maximize)
/// u ← g + λθ
/// r ← η‖θ‖₂ / (‖u‖₂ + ε),   r ← 1 if ‖θ‖₂ = 0 or ‖u‖₂ = 0
/// u ← −γ·r·u
/// b ← u + μb
/// θ ← θ + (u + μb  if nesterov, else b)
/// ```
///
/// As in optax, the learning rate is applied before the momentum (so b carries it), weight
/// decay is applied to every tensor and the trust ratio to every tensor (optax's
/// `weight_decay_mask` and `trust_ratio_mask` at their default, all). optax has no `maximize`;
/// it is minimising −f here.
pub type Lars<T> = Optim<LarsConfig, T>;

/// `‖x‖₂` in `T`, summed in order.
fn norm<T: Float>(x: &[T]) -> T {
    x.iter().fold(T::zero(), |s, &v| s + v * v).sqrt()
}

impl Rule for LarsConfig {
    type State<T: Float> = LarsState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("momentum");
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn init<T: Float>(&self) -> LarsState<T> {
        LarsState {
            step: 0,
            momentum_buffer: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut LarsState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        shapes: &[Shape],
    ) -> StepOutcome {
        let buf = st.momentum_buffer.full_of(params.len(), T::zero());
        st.step += 1;
        let (wd, eta, eps) = (
            T::of(self.weight_decay),
            T::of(self.trust_coefficient),
            T::of(self.eps),
        );
        let (neg_lr, mu) = (T::of(-h.lr), T::of(h.mu()));
        let mut at = 0;
        for s in shapes {
            let r = at..at + s.len();
            let (p, u, b) = (&mut params[r.clone()], &mut grad[r.clone()], &mut buf[r]);
            for (u, &p) in u.iter_mut().zip(p.iter()) {
                *u = signed(*u, self.maximize) + wd * p;
            }
            let (p_norm, u_norm) = (norm(p), norm(u));
            let ratio = if p_norm == T::zero() || u_norm == T::zero() {
                T::one()
            } else {
                eta * p_norm / (u_norm + eps)
            };
            for ((p, u), b) in p.iter_mut().zip(u.iter()).zip(b.iter_mut()) {
                let u = *u * ratio * neg_lr;
                *b = u + mu * *b;
                *p += if self.nesterov { u + mu * *b } else { *b };
            }
            at += s.len();
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One tensor θ = (3, 4), g = (0, 1), η = 0.1, γ = 1, no decay: r = 0.1·5/1 = 0.5, so
    /// θ₁ = (3, 3.5); per tensor, the same step on [θ, θ] as two tensors is two such steps.
    #[test]
    fn trust_ratio_by_hand_and_per_tensor() {
        let cfg = LarsConfig {
            trust_coefficient: 0.1,
            ..Default::default()
        };
        let mut one = Lars::<f64>::new(cfg.clone()).unwrap();
        let mut x = [3.0, 4.0];
        one.step(&mut x, &mut [0.0, 1.0]);
        assert_eq!(x, [3.0, 3.5]);
        let mut two = Lars::<f64>::new(cfg).unwrap();
        two.set_shapes(&[Shape::Vector(2), Shape::Vector(2)])
            .unwrap();
        let mut y = [3.0, 4.0, 3.0, 4.0];
        two.step(&mut y, &mut [0.0, 1.0, 0.0, 1.0]);
        assert_eq!(y, [3.0, 3.5, 3.0, 3.5]);
    }
}
