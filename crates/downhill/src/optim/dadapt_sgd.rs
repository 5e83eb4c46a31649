//! D-Adaptation SGD (Defazio & Mishchenko 2023, "Learning-Rate-Free Learning by
//! D-Adaptation"), as the `dadaptation` package's `DAdaptSGD`.

use serde::{Deserialize, Serialize};

use super::dadapt_adam::{py_max, py_min, signed_l2, validate_lrfree, D0, GROWTH_RATE, LR_SCALE};
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::shared::{shared_lr, Shared, SharedGroup};
use super::{signed, Hyper, Member, Optim, Optimizer, Rule, Shape, SharedRule, StepOutcome};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `dadapt_sgd`: the hyperparameters of [`DadaptSgd`], with the `dadaptation` package's
    /// names and defaults (its `log_every` and `fsdp_in_use` are not here; `maximize` is
    /// Downhill's).
    pub struct DadaptSgdConfig {
        /// Multiplier of the adapted step size (leave at 1).
        lr: f64 = 1.0, [LR_SCALE],
        /// Momentum μ: θ averages the dual-averaging point z with weight 1 − μ.
        momentum: f64 = 0.0, [Kind::Float, HalfOpen(0.0, 1.0), "momentum factor"],
        /// Weight decay λ (L2, added to the gradient).
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Initial estimate of D.
        d0: f64 = 1e-6, [D0],
        /// Largest factor d may grow by in one step; absent (or `inf`) is unbounded.
        #[serde(deserialize_with = "super::dadapt_adam::inf_or_number")]
        growth_rate: Option<f64> = None, [GROWTH_RATE],
        /// Gradient ascent (minimising −f; the package has no such option).
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for DadaptSgdConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const COUPLES_TENSORS: bool = true;
    const DOC: &'static str =
        "D-Adaptation SGD: dual averaging whose step size d is estimated as it runs (dadaptation.DAdaptSGD).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn validate(&self) -> Result<()> {
        validate_lrfree(self, Self::PARAMS, self.growth_rate, None)
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
    fn build_shared<T: Float>(
        groups: &[SharedGroup<'_, Self>],
    ) -> Result<Option<Box<dyn Optimizer<T>>>> {
        Shared::boxed(groups)
    }
}

/// What [`DadaptSgd`] carries from step to step (beside `lr` and `momentum`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct DadaptSgdState<T: Float> {
    /// Steps taken (the package's `k`).
    pub step: u64,
    /// The current estimate d of D.
    pub d: f64,
    /// The numerator r of d̂.
    pub numerator_weighted: f64,
    /// ‖g₀‖₂, the norm of the first gradient (without weight decay).
    pub g0_norm: f64,
    /// The weighted gradient sum s.
    pub s: StateBuf<T>,
    /// The starting point θ₀.
    pub x0: StateBuf<T>,
}

/// `dadaptation.DAdaptSGD`: dual averaging, z = θ₀ − s with s the sum of the gradients
/// weighted by the step sizes, whose step size d·lr/‖g₀‖ grows from `d0` towards an estimate
/// of D = ‖θ₀ − θ*‖.
///
/// With lr γ, momentum μ, weight decay λ, growth rate ρ (∞ when absent), summing over every
/// tensor of the run (`d` is one number for all of them), at step k = 0, 1, …
/// (d₀ = `d0`, r₀ = 0, s₀ = 0, θ₀ the start):
///
/// ```text
/// g ← ∇f(θ)                                  (−∇f(θ) if maximize)
/// ‖g₀‖ ← ‖g‖₂                                at k = 0 (before weight decay)
/// g ← g + λθ                                 if λ ≠ 0
/// δ ← d_k·γ / ‖g₀‖
/// r ← r + δ⟨g, s⟩
/// s ← s + δg
/// d̂ ← 2r / ‖s‖₂
/// d_{k+1} ← max(d_k, min(d̂, ρ·d_k))
/// z ← θ₀ − s
/// θ ← μθ + (1 − μ)z
/// ```
///
/// So d never decreases; it grows while the gradients keep pointing the same way (r > 0).
/// As in the package, a step whose ‖s‖₂ is 0 changes neither θ, d nor k (where the package
/// stops with an error, on a first gradient of 0 or an lr of 0, nothing moves here). With
/// `param_groups`, as the package, one d is shared by all groups ([`super::shared`]): the
/// sums run over every group with lr > 0, γ is the largest lr (the groups' lrs must be it or
/// 0), and momentum and weight decay are group 0's for every group, as the package reads
/// them. The package has no `maximize`: it is minimising −f here.
pub type DadaptSgd<T> = Optim<DadaptSgdConfig, T>;

impl Rule for DadaptSgdConfig {
    type State<T: Float> = DadaptSgdState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("momentum");
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn init<T: Float>(&self) -> DadaptSgdState<T> {
        DadaptSgdState {
            step: 0,
            d: self.d0,
            numerator_weighted: 0.0,
            g0_norm: 0.0,
            s: StateBuf::default(),
            x0: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut DadaptSgdState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        shapes: &[Shape],
    ) -> StepOutcome {
        super::shared::step_one(self, st, h, params, grad, shapes)
    }
}

impl SharedRule for DadaptSgdConfig {
    /// As `dadaptation`: `momentum`, `weight_decay` and `growth_rate` from group 0 (the
    /// package reads no other group's weight decay); only each group's lr (and Downhill's
    /// `maximize`) per group.
    fn step_groups<T: Float>(
        st: &mut DadaptSgdState<T>,
        groups: &[Member<'_, Self>],
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome {
        let Some(first) = groups.first() else {
            return StepOutcome::Skipped;
        };
        let (cfg0, n) = (first.cfg, params.len());
        let lr = shared_lr(groups.iter().map(|m| &m.hyper.lr));
        let ck = 1.0 - first.hyper.mu();
        let mut d = st.d;
        for (r, mem) in group_ranges(groups) {
            for g in grad[r].iter_mut() {
                *g = signed(*g, mem.cfg.maximize);
            }
        }
        if st.step == 0 {
            let mut g_sq = 0.0;
            for (r, mem) in group_ranges(groups) {
                if mem.hyper.lr > 0.0 {
                    for r in ranges(mem.shapes, r.start) {
                        g_sq += grad[r].iter().fold(T::zero(), |a, &g| a + g * g).f64();
                    }
                }
            }
            st.g0_norm = g_sq.sqrt();
        }
        if st.g0_norm == 0.0 {
            return StepOutcome::Applied;
        }
        let dlr = d * lr / st.g0_norm;
        if st.x0.len() != n {
            st.x0.full_of(n, T::zero()).copy_from_slice(params);
        }
        let (s, x0) = (st.s.full_of(n, T::zero()), st.x0.full());
        let l2 = (cfg0.weight_decay != 0.0).then(|| T::of(cfg0.weight_decay));
        let w = T::of(dlr);
        let mut numerator_weighted = st.numerator_weighted;
        let mut sk_sq = 0.0;
        for (r, mem) in group_ranges(groups) {
            for r in ranges(mem.shapes, r.start) {
                let g = &mut grad[r.clone()];
                signed_l2(g, &params[r.clone()], false, l2);
                if mem.hyper.lr <= 0.0 {
                    continue;
                }
                let s = &mut s[r];
                let dot = g.iter().zip(s.iter()).fold(T::zero(), |a, (&g, &s)| a + g * s);
                numerator_weighted += dlr * dot.f64();
                for (s, &g) in s.iter_mut().zip(g.iter()) {
                    *s += w * g;
                }
                sk_sq += s.iter().fold(T::zero(), |a, &s| a + s * s).f64();
            }
        }
        if sk_sq == 0.0 {
            return StepOutcome::Applied;
        }
        let d_hat = 2.0 * numerator_weighted / sk_sq.sqrt();
        d = py_max(d, py_min(d_hat, d * cfg0.growth_rate.unwrap_or(f64::INFINITY)));
        (st.numerator_weighted, st.d) = (numerator_weighted, d);
        st.step += 1;
        let (keep, ck) = (T::of(1.0 - ck), T::of(ck));
        for ((p, &x0), &s) in params.iter_mut().zip(x0.iter()).zip(s.iter()) {
            let z = x0 - s;
            *p = *p * keep + ck * z;
        }
        StepOutcome::Applied
    }
}

/// The index range of each group of `groups` in the concatenation, with the group.
fn group_ranges<'a, 'b>(
    groups: &'b [Member<'a, DadaptSgdConfig>],
) -> impl Iterator<Item = (std::ops::Range<usize>, &'b Member<'a, DadaptSgdConfig>)> {
    groups.iter().scan(0, |at, m| {
        let r = *at..*at + m.len();
        *at = r.end;
        Some((r, m))
    })
}

/// The index ranges of the tensors of `shapes`, in order, from `start`.
fn ranges(shapes: &[Shape], start: usize) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    shapes.iter().scan(start, |at, t| {
        let r = *at..*at + t.len();
        *at = r.end;
        Some(r)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First step: s₀ = 0, so r = 0, d̂ = 0 and d stays d0; θ = θ₀ − d0·g/‖g‖. A first gradient
    /// of 0 moves nothing and leaves k at 0 (the package divides by ‖g₀‖ = 0).
    #[test]
    fn first_step_by_hand_and_zero_gradient() {
        let mut opt = DadaptSgd::<f64>::new(DadaptSgdConfig::default()).unwrap();
        let mut x = [3.0, 4.0];
        opt.step(&mut x, &mut [3.0, 4.0]);
        assert_eq!(x, [3.0 - 1e-6 / 5.0 * 3.0, 4.0 - 1e-6 / 5.0 * 4.0]);
        assert_eq!(opt.rule_state().g0_norm, 5.0);
        let mut still = DadaptSgd::<f64>::new(DadaptSgdConfig::default()).unwrap();
        let mut y = [1.0, -2.0];
        still.step(&mut y, &mut [0.0, 0.0]);
        assert_eq!((y, still.rule_state().step), ([1.0, -2.0], 0));
        still.step(&mut y, &mut [3.0, 4.0]);
        assert_eq!(still.rule_state().g0_norm, 5.0);
    }
}
