//! NovoGrad (Ginsburg et al. 2019, "Stochastic Gradient Methods with Layer-wise Adaptive
//! Moments for Training of Deep Networks"), as `optax.novograd`.

use super::adam::{Moments, BETAS};
use super::lamb::norm;
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::{signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `novograd`: the hyperparameters of [`Novograd`], with optax's defaults under PyTorch's
    /// names (optax's `learning_rate` is `lr`, `(b1, b2)` is `betas`; optax has no default lr).
    pub struct NovogradConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.25], [BETAS],
        /// ε, added to √(ν + ε_root).
        eps: f64 = 1e-6, [EPS],
        /// ε_root, added to ν inside the square root.
        eps_root: f64 = 0.0, [Kind::Float, AtLeast(0.0), "added to ν inside the square root"],
        /// Weight decay λ, added to the normalised gradient before the momentum.
        weight_decay: f64 = 0.0, [Kind::Float, AtLeast(0.0), "weight decay (added to the normalised gradient)"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for NovogradConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "NovoGrad: momentum on gradients normalised by a layer-wise second moment (optax.novograd).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// `optax.novograd`: SGD with momentum on the gradient divided by the root of a per-tensor
/// ("layer-wise") average of its squared norm, with weight decay added after the division.
///
/// With learning rate γ, betas (β₁, β₂), ε, ε_root and weight decay λ, for each tensor θ of the
/// layout ([`Optimizer::set_shapes`]: the tensors of `Network::tensors()` in `train`; a plain
/// run's `x` is one tensor), at step t = 1, 2, …:
///
/// ```text
/// g ← ∇f(θ)                               (−∇f(θ) if maximize)
/// ν ← ‖g‖₂²                               if t = 1
/// ν ← (1 − β₂)‖g‖₂² + β₂ν                 otherwise
/// u ← g / (√(ν + ε_root) + ε) + λθ
/// m ← u                                   if t = 1
/// m ← β₁m + u                             otherwise
/// θ ← θ − γm
/// ```
///
/// Names: optax's `learning_rate` is `lr`, `(b1, b2)` is `betas`; `eps`, `eps_root` and
/// `weight_decay` keep optax's names and defaults (note β₂ = 0.25 and ε = 10⁻⁶), and
/// `maximize` is PyTorch's (optax has none; it is minimising −f here). As optax, there is no
/// bias correction and no (1 − β₁) factor on u, and the decay applies to every tensor. The
/// default lr 10⁻³ is Downhill's (optax has none). The state is the Adam family's keys: `step`,
/// `exp_avg` = m (one per parameter) and `exp_avg_sq` = ν (one per tensor); `betas[0]` is the
/// momentum a schedule drives (checkpoint key `beta1`).
pub type Novograd<T> = Optim<NovogradConfig, T>;

impl Rule for NovogradConfig {
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
        st.step += 1;
        let first = st.step == 1;
        let m = st.exp_avg.full_of(params.len(), T::zero());
        let nu = st.exp_avg_sq.full_of(shapes.len(), T::zero());
        let beta2 = self.betas[1];
        let (b1, b2, w2) = (T::of(h.mu()), T::of(beta2), T::of(1.0 - beta2));
        let (eps, eps_root) = (T::of(self.eps), T::of(self.eps_root));
        let (wd, neg_lr) = (T::of(self.weight_decay), T::of(-h.lr));
        let mut at = 0;
        for (s, nu) in shapes.iter().zip(nu.iter_mut()) {
            let r = at..at + s.len();
            let (p, g, m) = (&mut params[r.clone()], &mut grad[r.clone()], &mut m[r]);
            for g in g.iter_mut() {
                *g = signed(*g, self.maximize);
            }
            let g_norm = norm(g);
            let sq = g_norm * g_norm;
            *nu = if first { sq } else { w2 * sq + b2 * *nu };
            let denom = (*nu + eps_root).sqrt() + eps;
            for ((p, &g), m) in p.iter_mut().zip(g.iter()).zip(m.iter_mut()) {
                let u = g / denom + wd * *p;
                *m = if first { u } else { b1 * *m + u };
                *p += neg_lr * *m;
            }
            at += s.len();
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per tensor: θ = (1, 1) as two tensors with g = (3, −4) normalises each by its own norm
    /// (a step of γ on each); as one tensor, by ‖(3, −4)‖ = 5. ε = 0, no decay.
    #[test]
    fn first_step_is_normalised_per_tensor() {
        let cfg = NovogradConfig {
            lr: 0.1,
            eps: 0.0,
            ..Default::default()
        };
        let mut one = Novograd::<f64>::new(cfg.clone()).unwrap();
        let mut x = [1.0, 1.0];
        one.step(&mut x, &mut [3.0, -4.0]);
        assert!((x[0] - 0.94).abs() < 1e-12 && (x[1] - 1.08).abs() < 1e-12, "{x:?}");
        let mut two = Novograd::<f64>::new(cfg).unwrap();
        two.set_shapes(&[Shape::Vector(1), Shape::Vector(1)])
            .unwrap();
        let mut y = [1.0, 1.0];
        two.step(&mut y, &mut [3.0, -4.0]);
        assert!((y[0] - 0.9).abs() < 1e-12 && (y[1] - 1.1).abs() < 1e-12, "{y:?}");
    }
}
