//! Schedule-free SGD (Defazio et al. 2024, "The Road Less Scheduled"), as
//! `schedulefree.SGDScheduleFree`; the averaging it shares with
//! [`AdamwScheduleFree`](super::AdamwScheduleFree).

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{lerp, signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Float, Result};

/// `warmup_steps`: a linear warm-up of the learning rate, in steps.
pub(super) const WARMUP_STEPS: ParamSpec = int(
    "warmup_steps",
    AtLeast(0.0),
    "linear learning-rate warm-up over this many steps (0: none)",
);
/// `r`: the power of the polynomial weighting of the average.
pub(super) const R: ParamSpec = float(
    "r",
    AtLeast(0.0),
    "the average weights step k by (k+1)^r",
);
/// `weight_lr_power`: the average weights each step by the largest lr so far to this power.
pub(super) const WEIGHT_LR_POWER: ParamSpec = float(
    "weight_lr_power",
    AtLeast(0.0),
    "the average weights each step by max lr so far to this power",
);

crate::hyperparameters! {
    /// `sgd_schedule_free`: the hyperparameters of [`SgdScheduleFree`], the `schedulefree`
    /// package's names and defaults (its `foreach` is not one: the update is the same).
    pub struct SgdScheduleFreeConfig {
        /// Learning rate γ.
        lr: f64 = 1.0, [LR],
        /// Momentum β, the interpolation between the average x and the SGD sequence z.
        momentum: f64 = 0.9, [Kind::Float, Open(0.0, 1.0), "interpolation β of y between z and x"],
        /// Weight decay λ (an L2 penalty, taken at y).
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

impl Entry for SgdScheduleFreeConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "Schedule-free SGD: no lr schedule, evaluated at an average (schedulefree.SGDScheduleFree).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`SgdScheduleFree`] carries from step to step (the package's names), and the part of
/// [`AdamwScheduleFree`](super::AdamwScheduleFree)'s state that is the same: the averaging
/// (the package's group entries `k`, `weight_sum`, `lr_max`) and z.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct SgdScheduleFreeState<T: Float> {
    /// Steps taken.
    pub k: u64,
    /// The sum W of the average's weights so far.
    pub weight_sum: f64,
    /// The largest (warmed-up) learning rate so far (−1 before the first step).
    pub lr_max: f64,
    /// The SGD sequence z.
    pub z: StateBuf<T>,
}

/// `schedulefree.SGDScheduleFree`: SGD whose gradient is taken at an interpolation y between
/// a plain SGD sequence z and the running average x of z, which is the point to evaluate.
///
/// With learning rate γ, momentum β, weight decay λ, `warmup_steps` w, `r`,
/// `weight_lr_power` p, at step k = 0, 1, … (z ← y on the first step, γ_max = −1, W = 0):
///
/// ```text
/// g ← ∇f(y)                      (−∇f(y) if maximize)
/// g ← g + λy                     (if λ ≠ 0)
/// γₖ ← γ·(k+1)/w if k < w, else γ
/// γ_max ← max(γ_max, γₖ)
/// wₖ ← (k+1)^r · γ_max^p,   W ← W + wₖ,   c ← wₖ/W   (0 if W = 0)
/// y ← lerp(y, z, c) + γₖ(β(1 − c) − 1)·g
/// z ← z − γₖ·g
/// ```
///
/// This is the package's in-place form of x ← (1 − c)x + c·z, y ← (1 − β)z + βx. The
/// parameters hold y (the package's train mode); the evaluation point
/// ([`Optimizer::eval_point`], the package's `optimizer.eval()`) is
/// x = lerp(y, z, 1 − 1/β). `train` validates, logs, saves, exports and checkpoints x (a
/// checkpoint keeps y too, so a resumed run is bit-identical); `run` records and reports x
/// and f(x) (the gradient is taken at y). γ and β are the scheduled lr and momentum.
/// `maximize` (not in the package) minimises −f.
pub type SgdScheduleFree<T> = Optim<SgdScheduleFreeConfig, T>;

impl<T: Float> SgdScheduleFreeState<T> {
    /// Before the first step.
    pub(super) fn new() -> Self {
        SgdScheduleFreeState {
            k: 0,
            weight_sum: 0.0,
            lr_max: -1.0,
            z: StateBuf::default(),
        }
    }

    /// The averaging of step `k`: its warmed-up learning rate γₖ and the weight c of z in
    /// the average, updating `lr_max` and `weight_sum` in the package's order.
    pub(super) fn averaging(
        &mut self,
        lr: f64,
        warmup_steps: u64,
        r: f64,
        weight_lr_power: f64,
    ) -> (f64, f64) {
        let k = self.k;
        let sched = if k < warmup_steps {
            (k + 1) as f64 / warmup_steps as f64
        } else {
            1.0
        };
        let lr = lr * sched;
        self.lr_max = lr.max(self.lr_max);
        let weight = ((k + 1) as f64).powf(r) * self.lr_max.powf(weight_lr_power);
        self.weight_sum += weight;
        let ckp1 = if self.weight_sum == 0.0 {
            0.0
        } else {
            weight / self.weight_sum
        };
        (lr, ckp1)
    }

    /// y ← lerp(y, z, c) + γₖ(β(1 − c) − 1)·g and z ← z − γₖ·g, elementwise (z ← y first, on
    /// the first step); then one more step is counted.
    pub(super) fn update(&mut self, y: &mut [T], g: &[T], lr: f64, ckp1: f64, beta: f64) {
        if self.z.len() != y.len() {
            self.z = StateBuf::Full(crate::data::pages::copied(y));
        }
        let a = T::of(lr * (beta * (1.0 - ckp1) - 1.0));
        let (c, lr) = (T::of(ckp1), T::of(lr));
        for ((y, z), &g) in y.iter_mut().zip(self.z.full().iter_mut()).zip(g) {
            *y = lerp(*y, *z, c) + a * g;
            *z -= lr * g;
        }
        self.k += 1;
    }

    /// The evaluation point x = lerp(y, z, 1 − 1/β) (the package's `eval()`); `y` itself
    /// before the first step (when x = y = z).
    pub(super) fn eval_point(&self, beta: f64, y: &[T], out: &mut [T]) -> bool {
        let z = self.z.full_ref();
        if z.len() != y.len() {
            out.copy_from_slice(y);
            return true;
        }
        let w = T::of(1.0 - 1.0 / beta);
        for ((o, &y), &z) in out.iter_mut().zip(y).zip(z) {
            *o = lerp(y, z, w);
        }
        true
    }
}

impl Rule for SgdScheduleFreeConfig {
    type State<T: Float> = SgdScheduleFreeState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("momentum");
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn init<T: Float>(&self) -> SgdScheduleFreeState<T> {
        SgdScheduleFreeState::new()
    }

    fn step<T: Float>(
        &self,
        st: &mut SgdScheduleFreeState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let (lr, ckp1) = st.averaging(h.lr, self.warmup_steps, self.r, self.weight_lr_power);
        let wd = T::of(self.weight_decay);
        for (g, &y) in grad.iter_mut().zip(params.iter()) {
            *g = signed(*g, self.maximize);
            if self.weight_decay != 0.0 {
                *g += wd * y;
            }
        }
        st.update(params, grad, lr, ckp1, h.mu());
        StepOutcome::Applied
    }

    fn eval_point<T: Float>(
        &self,
        st: &SgdScheduleFreeState<T>,
        h: Hyper,
        params: &[T],
        out: &mut [T],
    ) -> bool {
        st.eval_point(h.mu(), params, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Step 0: c = 1, so y₁ = z₁ = y₀ − γg = x₁. Step 1 (constant lr, r = 0): c = ½,
    /// y₂ = y₁ + γ(β/2 − 1)g, z₂ = z₁ − γg, and x₂ = lerp(y₂, z₂, 1 − 1/β) = ½(x₁ + z₂).
    #[test]
    fn two_steps_by_hand() {
        let cfg = SgdScheduleFreeConfig {
            lr: 0.5,
            momentum: 0.5,
            ..Default::default()
        };
        let mut opt = SgdScheduleFree::<f64>::new(cfg).unwrap();
        let (mut y, mut x) = ([1.0], [0.0]);
        assert!(opt.eval_point(&y, &mut x));
        assert_eq!(x, [1.0]);
        opt.step(&mut y, &mut [2.0]);
        assert_eq!(y, [0.0]);
        opt.eval_point(&y, &mut x);
        assert_eq!(x, [0.0]);
        opt.step(&mut y, &mut [2.0]);
        assert_eq!(y, [-0.75]); // 0 + 0.5·(0.25 − 1)·2
        opt.eval_point(&y, &mut x);
        assert_eq!(x, [-0.5]); // ½(0 + (−1))
    }

    #[test]
    fn momentum_must_be_inside_zero_one() {
        for m in [0.0, 1.0] {
            let e = SgdScheduleFree::<f64>::new(SgdScheduleFreeConfig {
                momentum: m,
                ..Default::default()
            })
            .unwrap_err();
            assert!(e.to_string().contains("momentum"), "{e}");
        }
    }
}
