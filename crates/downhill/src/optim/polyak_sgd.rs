//! SGD with the Polyak step size (Loizou et al. 2021), as `optax.polyak_sgd`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::{Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Float, Result};

/// `variant` of [`PolyakSgd`]: optax's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolyakVariant {
    /// The gap f(x) − f* as it is.
    #[serde(rename = "sps")]
    Sps,
    /// Only its non-negative part (Garrigos et al. 2023).
    #[serde(rename = "sps+")]
    SpsPlus,
}

crate::hyperparameters! {
    /// `polyak_sgd`: the hyperparameters of [`PolyakSgd`], with optax's names and defaults.
    /// It needs no learning rate: `lr` is optax's `scaling` (the `learning_rate` of its inner
    /// `sgd`, as `lr` is optax's `learning_rate` elsewhere; `scaling` is accepted too), a
    /// global factor, default 1, which is what a schedule drives.
    pub struct PolyakSgdConfig {
        /// Global scaling s of the update (optax's `scaling`, also accepted as the key).
        #[serde(alias = "scaling")]
        lr: f64 = 1.0, [Kind::Float, AtLeast(0.0), "global scaling s of the step (optax's `scaling`)"],
        /// Largest step size γ_max.
        #[serde(alias = "max_lr")]
        max_learning_rate: f64 = 1.0, [Kind::Float, AtLeast(0.0), "largest step size"],
        /// The guess f* of the minimum value.
        f_min: f64 = 0.0, [Kind::Float, Any, "guess of the minimum value f*"],
        /// ε added to the squared gradient norm.
        eps: f64 = 0.0, [EPS],
        /// `"sps"` or `"sps+"` (the gap's non-negative part).
        variant: PolyakVariant = PolyakVariant::Sps, [Kind::Choice(&["sps", "sps+"]), Any, "\"sps\" or \"sps+\" (the gap's non-negative part)"],
    }
}

impl Entry for PolyakSgdConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const COUPLES_TENSORS: bool = true;
    const DOC: &'static str =
        "SGD with the Polyak step size min((f - f_min)/|g|^2, max_learning_rate) (optax.polyak_sgd).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`PolyakSgd`] carries from step to step (beside `lr`, the scaling s).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PolyakSgdState {
    /// Steps taken.
    pub step: u64,
    /// The loss at the next step's gradient point ([`Optimizer::set_loss`]); used once.
    #[serde(skip)]
    loss: Option<f64>,
}

/// `optax.polyak_sgd`: SGD whose step size is Polyak's, from the loss f(x) at the gradient
/// point (given by the loop through [`Optimizer::set_loss`]) and a guess f* of the minimum.
///
/// With scaling s (`lr`, scheduled), γ_max, f*, ε, as optax's
/// `chain(sgd(scaling), scale_by_polyak(...))`, over all tensors at once:
///
/// ```text
/// u ← −s·g
/// gap ← f(x) − f*                  (max(gap, 0) with variant "sps+")
/// γ ← 0                            if ‖u‖² + ε ≤ 2⁻⁵² (f64's machine epsilon)
///     min(gap / (‖u‖² + ε), γ_max) otherwise
/// θ ← θ + γ·u
/// ```
///
/// (With s = 1 this is θ ← θ − min((f − f*)/(‖g‖² + ε), γ_max)·g.) A step without a loss
/// (a caller that never calls `set_loss`) is skipped and counted in `skipped`. optax has no
/// `maximize`, and neither has this.
pub type PolyakSgd<T> = Optim<PolyakSgdConfig, T>;

impl Rule for PolyakSgdConfig {
    type State<T: Float> = PolyakSgdState;

    fn init<T: Float>(&self) -> PolyakSgdState {
        PolyakSgdState::default()
    }

    fn set_loss<T: Float>(&self, st: &mut PolyakSgdState, loss: f64) {
        st.loss = Some(loss);
    }

    fn step<T: Float>(
        &self,
        st: &mut PolyakSgdState,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let Some(loss) = st.loss.take() else {
            return StepOutcome::Skipped;
        };
        st.step += 1;
        let s = T::of(-h.lr);
        let mut sq = T::zero();
        for g in grad.iter_mut() {
            *g *= s;
            sq += *g * *g;
        }
        let mut gap = loss - self.f_min;
        if self.variant == PolyakVariant::SpsPlus {
            gap = gap.max(0.0);
        }
        let denom = sq.f64() + self.eps;
        let step = if denom <= f64::EPSILON {
            0.0
        } else {
            (gap / denom).min(self.max_learning_rate)
        };
        let step = T::of(step);
        for (p, u) in params.iter_mut().zip(grad.iter()) {
            *p += step * *u;
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// optax's docstring example: f(x) = ‖x‖², x = (1, 2, 3): f = 14, ‖g‖² = 56, γ = ¼, so
    /// x halves and f goes 14 → 3.5 → 0.875.
    #[test]
    fn optax_docstring_example() {
        let mut opt = PolyakSgd::<f64>::new(PolyakSgdConfig::default()).unwrap();
        let mut x = [1.0, 2.0, 3.0];
        let f = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>();
        for want in [3.5, 0.875, 0.21875] {
            let mut g = x.map(|v| 2.0 * v);
            opt.set_loss(f(&x));
            opt.step(&mut x, &mut g);
            assert_eq!(f(&x), want);
        }
        // Without a loss the step is skipped.
        assert_eq!(opt.step(&mut x, &mut [1.0; 3]), StepOutcome::Skipped);
        assert_eq!(opt.skipped(), 1);
        let c: PolyakSgdConfig =
            serde_json::from_str(r#"{"max_lr": 0.5, "scaling": 0.3}"#).unwrap();
        assert_eq!((c.max_learning_rate, c.lr), (0.5, 0.3));
        assert!(serde_json::from_str::<PolyakSgdConfig>(r#"{"variant": "spz"}"#).is_err());
    }
}
