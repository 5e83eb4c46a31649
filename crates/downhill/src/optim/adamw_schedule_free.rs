//! Schedule-free AdamW (Defazio et al. 2024, "The Road Less Scheduled"), as
//! `schedulefree.AdamWScheduleFree`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::sgd_schedule_free::{SgdScheduleFreeState, R, WARMUP_STEPS, WEIGHT_LR_POWER};
use super::state::StateBuf;
use super::{signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Float, Result};

/// The `betas` of schedule-free AdamW: β₁ in (0, 1) (the evaluation point divides by it),
/// β₂ in [0, 1).
const SF_BETAS: ParamSpec = pair(
    "betas",
    PerElement(&Open(0.0, 1.0), &HalfOpen(0.0, 1.0)),
    "(β₁, β₂): interpolation of y between z and x; decay rate of the second moment",
);

crate::hyperparameters! {
    /// `adamw_schedule_free`: the hyperparameters of [`AdamwScheduleFree`], the
    /// `schedulefree` package's names and defaults (its `foreach` is not one: the update is
    /// the same).
    pub struct AdamwScheduleFreeConfig {
        /// Learning rate γ.
        lr: f64 = 0.0025, [LR],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [SF_BETAS],
        /// ε, added to the root of the second moment.
        eps: f64 = 1e-8, [EPS],
        /// Weight decay λ (added to the normalised gradient, at y).
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Linear warm-up of the learning rate over this many steps.
        warmup_steps: u64 = 0, [WARMUP_STEPS],
        /// Polynomial weighting power r of the average.
        r: f64 = 0.0, [R],
        /// The average weights step k by γ_max^weight_lr_power.
        weight_lr_power: f64 = 2.0, [WEIGHT_LR_POWER],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for AdamwScheduleFreeConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "Schedule-free AdamW: no lr schedule, evaluated at an average (schedulefree.AdamWScheduleFree).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`AdamwScheduleFree`] carries from step to step (the package's names, all at the top
/// level of a checkpoint: `k`, `weight_sum`, `lr_max`, `z`, `exp_avg_sq`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AdamwScheduleFreeState<T: Float> {
    /// The averaging and z, as schedule-free SGD's.
    #[serde(flatten)]
    pub average: SgdScheduleFreeState<T>,
    /// The second moment v.
    pub exp_avg_sq: StateBuf<T>,
}

/// `schedulefree.AdamWScheduleFree`: [`SgdScheduleFree`](super::SgdScheduleFree) on the
/// gradient normalised by Adam's second moment (there is no first moment: the averaging
/// plays its part).
///
/// With learning rate γ, betas (β₁, β₂), ε, weight decay λ, `warmup_steps` w, `r`,
/// `weight_lr_power` p, at step k = 0, 1, … (z ← y on the first step, v = 0, γ_max = −1,
/// W = 0):
///
/// ```text
/// g ← ∇f(y)                      (−∇f(y) if maximize)
/// γₖ ← γ·(k+1)/w if k < w, else γ
/// γ_max ← max(γ_max, γₖ)
/// wₖ ← (k+1)^r · γ_max^p,   W ← W + wₖ,   c ← wₖ/W   (0 if W = 0)
/// v ← β₂v + (1 − β₂)g²
/// u ← g / (√(v / (1 − β₂ᵏ⁺¹)) + ε)
/// u ← u + λy                     (if λ ≠ 0)
/// y ← lerp(y, z, c) + γₖ(β₁(1 − c) − 1)·u
/// z ← z − γₖ·u
/// ```
///
/// The parameters hold y; the evaluation point ([`Optimizer::eval_point`], the package's
/// `optimizer.eval()`) is x = lerp(y, z, 1 − 1/β₁), which `train` validates, logs, saves,
/// exports and checkpoints (with y, for a bit-identical resume) and `run` records and reports
/// with f(x). γ and β₁ are the scheduled lr and momentum. `maximize` (not in the package)
/// minimises −f.
pub type AdamwScheduleFree<T> = Optim<AdamwScheduleFreeConfig, T>;

impl Rule for AdamwScheduleFreeConfig {
    type State<T: Float> = AdamwScheduleFreeState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> AdamwScheduleFreeState<T> {
        AdamwScheduleFreeState {
            average: SgdScheduleFreeState::new(),
            exp_avg_sq: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut AdamwScheduleFreeState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let beta2 = self.betas[1];
        let bias_correction2 = T::of(1.0 - beta2.powf((st.average.k + 1) as f64));
        let (lr, ckp1) =
            st.average
                .averaging(h.lr, self.warmup_steps, self.r, self.weight_lr_power);
        let v = st.exp_avg_sq.full_of(params.len(), T::zero());
        let (b2, w2, eps, wd) = (
            T::of(beta2),
            T::of(1.0 - beta2),
            T::of(self.eps),
            T::of(self.weight_decay),
        );
        for ((g, v), &y) in grad.iter_mut().zip(v.iter_mut()).zip(params.iter()) {
            let gi = signed(*g, self.maximize);
            *v = *v * b2 + w2 * gi * gi;
            *g = gi / ((*v / bias_correction2).sqrt() + eps);
            if self.weight_decay != 0.0 {
                *g += wd * y;
            }
        }
        st.average.update(params, grad, lr, ckp1, h.mu());
        StepOutcome::Applied
    }

    fn eval_point<T: Float>(
        &self,
        st: &AdamwScheduleFreeState<T>,
        h: Hyper,
        params: &[T],
        out: &mut [T],
    ) -> bool {
        st.average.eval_point(h.mu(), params, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first step is c = 1 and v = (1 − β₂)g², bias-corrected to g²: y₁ = z₁ =
    /// y₀ − γ·g/(|g| + ε), the evaluation point too.
    #[test]
    fn first_step_is_a_sign_step() {
        let mut opt = AdamwScheduleFree::<f64>::new(AdamwScheduleFreeConfig {
            lr: 0.1,
            eps: 0.0,
            ..Default::default()
        })
        .unwrap();
        let (mut y, mut x) = ([1.0, -2.0], [0.0; 2]);
        opt.step(&mut y, &mut [4.0, -0.5]);
        assert!((y[0] - 0.9).abs() < 1e-15 && (y[1] + 1.9).abs() < 1e-15, "{y:?}");
        opt.eval_point(&y, &mut x);
        assert_eq!(x, y);
    }

    #[test]
    fn beta1_zero_is_refused() {
        let e = AdamwScheduleFree::<f64>::new(AdamwScheduleFreeConfig {
            betas: [0.0, 0.999],
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("betas[0]"), "{e}");
    }
}
