//! Yogi (Zaheer et al. 2018, "Adaptive Methods for Nonconvex Optimization"), as `optax.yogi`.

use super::adam::{Moments, BETAS};
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::{sign, signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `yogi`: the hyperparameters of [`Yogi`], with optax's defaults under PyTorch's names
    /// (optax's `learning_rate` is `lr`, `(b1, b2)` is `betas`; optax has no default lr).
    pub struct YogiConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// ε, added to √v̂.
        eps: f64 = 1e-3, [EPS],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for YogiConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "Yogi: Adam whose second moment moves additively, by sign(v − g²)·g² (optax.yogi).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// `optax.yogi`: Adam whose second moment v moves towards g² by an additive step of
/// (1 − β₂)g², so that it cannot shrink as fast as Adam's when gradients become small.
///
/// With learning rate γ, betas (β₁, β₂) and ε, at step t = 1, 2, … (m₀ = v₀ = 10⁻⁶, optax's
/// `initial_accumulator_value`):
///
/// ```text
/// g ← ∇f(θ)                               (−∇f(θ) if maximize)
/// m ← (1 − β₁)g + β₁m
/// v ← v − (1 − β₂)·sign(v − g²)·g²          (sign(0) = 0)
/// θ ← θ − γ·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
/// ```
///
/// Names: optax's `learning_rate` is `lr`, `(b1, b2)` is `betas`, `eps` keeps its name, and
/// `maximize` is PyTorch's (optax has none; it is minimising −f here). As `optax.yogi`, the
/// transform's `eps_root` (0) and `initial_accumulator_value` (10⁻⁶) are fixed, and there is
/// no weight decay. The default lr 10⁻³ is Downhill's (optax has none). The state is the Adam
/// family's (`step`, `exp_avg` = m, `exp_avg_sq` = v); `betas[0]` is the momentum a schedule
/// drives (checkpoint key `beta1`), in m and in its bias correction.
pub type Yogi<T> = Optim<YogiConfig, T>;

/// optax's `initial_accumulator_value`: m₀ and v₀.
const INITIAL_ACCUMULATOR: f64 = 1e-6;

impl Rule for YogiConfig {
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
        st.step += 1;
        let t = st.step as f64;
        let init = T::of(INITIAL_ACCUMULATOR);
        let m = st.exp_avg.full_of(params.len(), init);
        let v = st.exp_avg_sq.full_of(params.len(), init);
        let (b1, w1, w2) = (T::of(beta1), T::of(1.0 - beta1), T::of(1.0 - beta2));
        let (bc1, bc2) = (T::of(1.0 - beta1.powf(t)), T::of(1.0 - beta2.powf(t)));
        let (eps, neg_lr) = (T::of(self.eps), T::of(-h.lr));
        for (((p, &g), m), v) in params.iter_mut().zip(grad.iter()).zip(m).zip(v) {
            let g = signed(g, self.maximize);
            *m = w1 * g + b1 * *m;
            let g2 = g * g;
            *v = *v - w2 * sign(*v - g2) * g2;
            *p += neg_lr * ((*m / bc1) / ((*v / bc2).sqrt() + eps));
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First step from m₀ = v₀ = 10⁻⁶ with g = 2: m = 0.1·2 + 0.9·10⁻⁶, v = 10⁻⁶ + 0.001·4
    /// (v < g², so v grows by (1 − β₂)g²), and θ moves by γ·(m/0.1)/(√(v/0.001) + ε).
    #[test]
    fn first_step_by_hand() {
        let mut opt = Yogi::<f64>::new(YogiConfig {
            lr: 0.1,
            ..Default::default()
        })
        .unwrap();
        let mut x = [1.0];
        opt.step(&mut x, &mut [2.0]);
        let (m, v) = (0.2 + 0.9e-6, 1e-6 + 0.004);
        let want = 1.0 - 0.1 * ((m / 0.1) / ((v / (1.0 - 0.999f64)).sqrt() + 1e-3));
        assert!((x[0] - want).abs() < 1e-12, "{} vs {want}", x[0]);
    }
}
