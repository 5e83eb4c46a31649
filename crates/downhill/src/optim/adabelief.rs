//! AdaBelief (Zhuang et al. 2020, "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
//! Observed Gradients"), as `optax.adabelief`.

use super::adam::{Moments, BETAS};
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::{signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `adabelief`: the hyperparameters of [`Adabelief`], with optax's defaults under
    /// PyTorch's names (optax's `learning_rate` is `lr`, `(b1, b2)` is `betas`; optax has no
    /// default lr).
    pub struct AdabeliefConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// ε, added to √ŝ.
        eps: f64 = 1e-16, [EPS],
        /// ε_root, added to s at every step.
        eps_root: f64 = 1e-16, [Kind::Float, AtLeast(0.0), "added to the second moment s at each step"],
        /// Nesterov momentum (optax's `nesterov`).
        nesterov: bool = false, [Kind::Bool, Any, "Nesterov momentum"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for AdabeliefConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "AdaBelief: Adam scaled by the variance of the gradient around its mean (optax.adabelief).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// `optax.adabelief`: Adam whose second moment s tracks the squared prediction error
/// (g − m)², the "belief" in the gradient, instead of g².
///
/// With learning rate γ, betas (β₁, β₂), ε and ε_root, at step t = 1, 2, … (m₀ = s₀ = 0):
///
/// ```text
/// g ← ∇f(θ)                               (−∇f(θ) if maximize)
/// m ← (1 − β₁)g + β₁m
/// s ← (1 − β₂)(g − m)² + β₂s + ε_root
/// m̂ ← m / (1 − β₁ᵗ)
/// m̂ ← β₁m / (1 − β₁ᵗ⁺¹) + (1 − β₁)g / (1 − β₁ᵗ)   if nesterov
/// θ ← θ − γ·m̂ / (√(s / (1 − β₂ᵗ)) + ε)
/// ```
///
/// Names: optax's `learning_rate` is `lr`, `(b1, b2)` is `betas`; `eps`, `eps_root` and
/// `nesterov` keep optax's names and defaults (10⁻¹⁶ each; the paper's are ε = 10⁻⁸,
/// ε_root = 0), and `maximize` is PyTorch's (optax has none; it is minimising −f here). As
/// optax, there is no weight decay and ε_root is added to s itself (so it accumulates in the
/// state). The default lr 10⁻³ is Downhill's (optax has none). The state is the Adam family's
/// (`step`, `exp_avg` = m, `exp_avg_sq` = s); `betas[0]` is the momentum a schedule drives
/// (checkpoint key `beta1`), in m and in its bias corrections.
pub type Adabelief<T> = Optim<AdabeliefConfig, T>;

impl Rule for AdabeliefConfig {
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
        let (beta1, beta2) = (h.mu(), self.betas[1]);
        let (m, s, t) = st.next(params.len());
        let (b1, w1, b2, w2) = (
            T::of(beta1),
            T::of(1.0 - beta1),
            T::of(beta2),
            T::of(1.0 - beta2),
        );
        let (bc1, bc2) = (T::of(1.0 - beta1.powf(t)), T::of(1.0 - beta2.powf(t)));
        let bc1_next = T::of(1.0 - beta1.powf(t + 1.0));
        let (eps, eps_root, neg_lr) = (T::of(self.eps), T::of(self.eps_root), T::of(-h.lr));
        for (((p, &g), m), s) in params.iter_mut().zip(grad.iter()).zip(m).zip(s) {
            let g = signed(g, self.maximize);
            *m = w1 * g + b1 * *m;
            let e = g - *m;
            *s = w2 * (e * e) + b2 * *s + eps_root;
            let m_hat = if self.nesterov {
                b1 * (*m / bc1_next) + w1 * (g / bc1)
            } else {
                *m / bc1
            };
            *p += neg_lr * (m_hat / ((*s / bc2).sqrt() + eps));
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First step, ε = ε_root = 0: m = (1 − β₁)g, so m̂ = g and g − m = β₁g, s = (1 − β₂)β₁²g²,
    /// ŝ = β₁²g²: θ moves by γ·g/(β₁|g|) = γ/β₁ against the gradient's sign.
    #[test]
    fn first_step_by_hand() {
        let mut opt = Adabelief::<f64>::new(AdabeliefConfig {
            lr: 0.1,
            eps: 0.0,
            eps_root: 0.0,
            ..Default::default()
        })
        .unwrap();
        let mut x = [1.0, 1.0];
        opt.step(&mut x, &mut [3.0, -0.5]);
        let d = 0.1 / 0.9;
        assert!((x[0] - (1.0 - d)).abs() < 1e-12 && (x[1] - (1.0 + d)).abs() < 1e-12);
    }
}
