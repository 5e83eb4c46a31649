//! Prodigy (Mishchenko & Defazio 2023, "Prodigy: An Expeditiously Adaptive Parameter-Free
//! Learner"), as the `prodigyopt` package's `Prodigy`.

use serde::{Deserialize, Serialize};

use super::adam::BETAS;
use super::dadapt_adam::{
    bias_correction, py_max, py_min, signed_l2, sum_abs, validate_lrfree, D0, GROWTH_RATE,
    LR_SCALE,
};
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::shared::{shared_lr, Shared, SharedGroup};
use super::{Hyper, Member, Optim, Optimizer, Rule, Shape, SharedRule, StepOutcome};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `prodigy`: the hyperparameters of [`Prodigy`], with the `prodigyopt` package's names and
    /// defaults (its `fsdp_in_use` is not here; `maximize` is Downhill's).
    pub struct ProdigyConfig {
        /// Multiplier of the adapted step size (leave at 1).
        lr: f64 = 1.0, [LR_SCALE],
        /// (β₁, β₂); β₁ = 0 keeps no first moment.
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// Decay β₃ of the running sums behind d; absent is √β₂ (the package's `None`).
        beta3: Option<f64> = None, [Kind::Float, Closed(0.0, 1.0), "decay of the sums behind d (absent: sqrt(beta2))"],
        /// ε, added to √v (scaled by d).
        eps: f64 = 1e-8, [Kind::Float, Above(0.0), "added to the denominator (times d)"],
        /// Weight decay λ: decoupled (θ ← θ − λ·dlr·θ) unless `decouple = false` (L2).
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Decoupled (AdamW-style) weight decay.
        decouple: bool = true, [Kind::Bool, Any, "decoupled (AdamW-style) weight decay"],
        /// Adam's bias correction, folded into the step size.
        use_bias_correction: bool = false, [Kind::Bool, Any, "Adam's bias correction"],
        /// Leave the lr out of the sum s (steadier early growth of d).
        safeguard_warmup: bool = false, [Kind::Bool, Any, "leave lr out of the denominator of d's estimate"],
        /// Initial estimate of D.
        d0: f64 = 1e-6, [D0],
        /// Multiplier of the estimate d̂.
        d_coef: f64 = 1.0, [Kind::Float, Above(0.0), "multiplier of the estimate of d"],
        /// Largest factor d may grow by in one step; absent (or `inf`) is unbounded.
        #[serde(deserialize_with = "super::dadapt_adam::inf_or_number")]
        growth_rate: Option<f64> = None, [GROWTH_RATE],
        /// Estimate d from every `slice_p`-th entry of each tensor only (1: all).
        slice_p: usize = 1, [Kind::Int, AtLeast(1.0), "use every slice_p-th entry of each tensor for d"],
        /// Gradient ascent (minimising −f; the package has no such option).
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for ProdigyConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const COUPLES_TENSORS: bool = true;
    const DOC: &'static str =
        "Prodigy: Adam with a learning rate estimated as it runs (prodigyopt.Prodigy).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn validate(&self) -> Result<()> {
        validate_lrfree(self, Self::PARAMS, self.growth_rate, self.beta3)
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

/// What [`Prodigy`] carries from step to step (beside `lr` and `beta1`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct ProdigyState<T: Float> {
    /// Steps taken (the package's `k`).
    pub step: u64,
    /// The current estimate d of D.
    pub d: f64,
    /// The largest estimate d̂ so far.
    pub d_max: f64,
    /// The numerator r of d̂.
    pub d_numerator: f64,
    /// The weighted gradient sum s (every `slice_p`-th entry of each tensor).
    pub s: StateBuf<T>,
    /// The starting point θ₀ (sliced as s).
    pub p0: StateBuf<T>,
    /// First moment m (carries d); empty while β₁ = 0.
    pub exp_avg: StateBuf<T>,
    /// Second moment v (carries d²).
    pub exp_avg_sq: StateBuf<T>,
}

/// `prodigyopt.Prodigy`: Adam whose step size d·lr grows from `d0` towards an estimate of
/// D = ‖θ₀ − θ*‖, from the correlation of the gradients with the distance travelled.
///
/// With lr γ, betas (β₁, β₂), β₃ (√β₂ when absent), ε, weight decay λ, d_coef c, growth rate
/// ρ (∞ when absent), summing over every tensor of the run (`d` is one number for all of
/// them; with `slice_p` = p, the sums ⟨·,·⟩ and s use every p-th entry of each tensor), at
/// step k = 0, 1, … (d₀ = d_max = `d0`, r₀ = 0, s₀ = m₀ = v₀ = 0, θ₀ the start):
///
/// ```text
/// g ← ∇f(θ)                                  (−∇f(θ) if maximize)
/// g ← g + λθ                                 if λ ≠ 0 and not decouple
/// δ ← d_k·γ·(√(1 − β₂ᵏ⁺¹) / (1 − β₁ᵏ⁺¹)  if use_bias_correction, else 1)
/// r ← β₃r + (d_k/d0)·δ·⟨g, θ₀ − θ⟩
/// m ← β₁m + d_k(1 − β₁)g
/// v ← β₂v + d_k²(1 − β₂)g²
/// s ← β₃s + (d_k/d0)·(d_k if safeguard_warmup, else δ)·g
/// d̂ ← c·r / ‖s‖₁
/// d ← max(d_k, d̂)   only while d_k = d0
/// d_max ← max(d_max, d̂)
/// d_{k+1} ← min(d_max, ρ·d)
/// θ ← θ − δλθ                                if λ ≠ 0 and decouple
/// θ ← θ − δ·m / (√v + d_{k+1}ε)              (δ·d_{k+1}·g in place of δ·m if β₁ = 0)
/// ```
///
/// d grows while the iterates keep moving against the gradient (r > 0), and never falls
/// below the largest estimate seen (unless ρ caps its growth). As in the package, a step whose
/// ‖s‖₁ is 0 (a zero gradient so far) changes m, v, s but neither θ, d nor k. With
/// `param_groups`, as the package, one d is shared by all groups ([`super::shared`]): the
/// sums run over every group with lr > 0, γ is the largest lr, and the groups' lrs must be
/// it or 0. The package has no `maximize`: it is minimising −f here.
pub type Prodigy<T> = Optim<ProdigyConfig, T>;

/// The entries of a tensor of `n` entries that d sees: every `p`-th, from the first.
fn sliced(n: usize, p: usize) -> usize {
    n.div_ceil(p)
}

impl Rule for ProdigyConfig {
    type State<T: Float> = ProdigyState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> ProdigyState<T> {
        ProdigyState {
            step: 0,
            d: self.d0,
            d_max: self.d0,
            d_numerator: 0.0,
            s: StateBuf::default(),
            p0: StateBuf::default(),
            exp_avg: StateBuf::default(),
            exp_avg_sq: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut ProdigyState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        shapes: &[Shape],
    ) -> StepOutcome {
        super::shared::step_one(self, st, h, params, grad, shapes)
    }
}

impl SharedRule for ProdigyConfig {
    /// As `prodigyopt`: `betas`, `beta3`, `use_bias_correction`, `decouple`, `d_coef` and
    /// `growth_rate` from group 0; `weight_decay`, `eps`, `d0`, `safeguard_warmup` and
    /// `slice_p` (and Downhill's `maximize`) per group; the `d == d0` test with the last
    /// group's `d0`, as the package's loop leaves it.
    fn step_groups<T: Float>(
        st: &mut ProdigyState<T>,
        groups: &[Member<'_, Self>],
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome {
        let (Some(first), Some(last)) = (groups.first(), groups.last()) else {
            return StepOutcome::Skipped;
        };
        let (cfg0, n) = (first.cfg, params.len());
        let lr = shared_lr(groups.iter().map(|m| &m.hyper.lr));
        let ns: usize = groups
            .iter()
            .flat_map(|m| m.shapes.iter().map(|t| sliced(t.len(), m.cfg.slice_p.max(1))))
            .sum();
        let (beta1, beta2) = (first.hyper.mu(), cfg0.betas[1]);
        let beta3 = cfg0.beta3.unwrap_or_else(|| beta2.sqrt());
        let mut d = st.d;
        let dlr = d * lr * bias_correction(cfg0.use_bias_correction, beta1, beta2, st.step);
        let decouple = cfg0.decouple;
        if st.p0.len() != ns {
            let p0 = st.p0.full_of(ns, T::zero());
            let mut at = 0;
            let tensors = groups.iter().flat_map(|m| {
                let sp = m.cfg.slice_p.max(1);
                m.shapes.iter().map(move |t| (t.len(), sp))
            });
            let starts = tensors.flat_map(|(len, sp)| {
                let r = at..at + len;
                at = r.end;
                r.step_by(sp)
            });
            for (p0, i) in p0.iter_mut().zip(starts) {
                *p0 = params[i];
            }
        }
        let (s, p0, v) = (
            st.s.full_of(ns, T::zero()),
            st.p0.full(),
            st.exp_avg_sq.full_of(n, T::zero()),
        );
        let mut m = (beta1 > 0.0).then(|| st.exp_avg.full_of(n, T::zero()));
        let (b1, b2, b3) = (T::of(beta1), T::of(beta2), T::of(beta3));
        let (wm, wv) = (T::of(d * (1.0 - beta1)), T::of(d * d * (1.0 - beta2)));
        let (mut delta_numerator, mut d_denom) = (0.0, 0.0);
        let (mut at, mut sat) = (0, 0);
        for g in groups {
            let (cfg, group_lr) = (g.cfg, g.hyper.lr);
            let (sp, d0, decay) = (cfg.slice_p.max(1), cfg.d0, cfg.weight_decay);
            let l2 = (decay != 0.0 && !decouple).then(|| T::of(decay));
            let ws = T::of((d / d0) * if cfg.safeguard_warmup { d } else { dlr });
            for shape in g.shapes {
                let (r, rs) = (at..at + shape.len(), sat..sat + sliced(shape.len(), sp));
                (at, sat) = (r.end, rs.end);
                let (p, g) = (&params[r.clone()], &mut grad[r.clone()]);
                signed_l2(g, p, cfg.maximize, l2);
                if group_lr <= 0.0 {
                    continue;
                }
                let (s, p0) = (&mut s[rs.clone()], &p0[rs]);
                let dot = (0..p0.len())
                    .map(|j| g[j * sp] * (p0[j] - p[j * sp]))
                    .fold(T::zero(), |acc, x| acc + x);
                delta_numerator += (d / d0) * dlr * dot.f64();
                if let Some(m) = m.as_deref_mut() {
                    for (m, &g) in m[r.clone()].iter_mut().zip(g.iter()) {
                        *m = *m * b1 + wm * g;
                    }
                }
                for (v, &g) in v[r].iter_mut().zip(g.iter()) {
                    *v = *v * b2 + wv * g * g;
                }
                for (j, s) in s.iter_mut().enumerate() {
                    *s = *s * b3 + ws * g[j * sp];
                }
                d_denom += sum_abs(s);
            }
        }
        if d_denom == 0.0 {
            return StepOutcome::Applied;
        }
        let mut d_max = st.d_max;
        let d_numerator = st.d_numerator * beta3 + delta_numerator;
        if lr > 0.0 {
            let d_hat = cfg0.d_coef * d_numerator / d_denom;
            if d == last.cfg.d0 {
                d = py_max(d, d_hat);
            }
            d_max = py_max(d_max, d_hat);
            d = py_min(d_max, d * cfg0.growth_rate.unwrap_or(f64::INFINITY));
        }
        (st.d_numerator, st.d, st.d_max) = (d_numerator, d, d_max);
        st.step += 1;
        let (neg_dlr, neg_dlr_d) = (T::of(-dlr), T::of(-dlr * d));
        let mut at = 0;
        for g in groups {
            let (r, decay) = (at..at + g.len(), g.cfg.weight_decay);
            at = r.end;
            let d_eps = T::of(d * g.cfg.eps);
            let shrink = (decay != 0.0 && decouple).then(|| T::of(-decay * dlr));
            for (i, p) in r.clone().zip(params[r].iter_mut()) {
                let denom = v[i].sqrt() + d_eps;
                if let Some(c) = shrink {
                    *p += *p * c;
                }
                *p += match m.as_deref() {
                    Some(m) => neg_dlr * m[i] / denom,
                    None => neg_dlr_d * grad[i] / denom,
                };
            }
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First step: θ = θ₀, so r = 0, d̂ = 0 and d stays d0; θ moves by
    /// d0·d0(1 − β₁)g / (d0√(1 − β₂)|g| + d0·ε). A zero gradient moves nothing.
    #[test]
    fn first_step_by_hand_and_zero_gradient() {
        let mut opt = Prodigy::<f64>::new(ProdigyConfig::default()).unwrap();
        let mut x = [1.0];
        opt.step(&mut x, &mut [2.0]);
        let d0 = 1e-6;
        let want = 1.0 - d0 * (d0 * 0.1 * 2.0) / (d0 * (1.0f64 - 0.999).sqrt() * 2.0 + d0 * 1e-8);
        assert!((x[0] - want).abs() < 1e-15, "{} vs {want}", x[0]);
        assert_eq!((opt.rule_state().d, opt.rule_state().step), (d0, 1));
        let mut still = Prodigy::<f64>::new(ProdigyConfig::default()).unwrap();
        let mut y = [1.0, -2.0];
        still.step(&mut y, &mut [0.0, 0.0]);
        assert_eq!((y, still.rule_state().step), ([1.0, -2.0], 0));
    }

    /// `slice_p` keeps every p-th entry of each tensor: 2 tensors of 3 and 2 → 2 + 1 entries.
    #[test]
    fn slice_p_slices_each_tensor() {
        let cfg = ProdigyConfig {
            slice_p: 2,
            ..Default::default()
        };
        let mut opt = Prodigy::<f64>::new(cfg).unwrap();
        opt.set_shapes(&[Shape::Vector(3), Shape::Vector(2)]).unwrap();
        let mut x = [1.0, 2.0, 3.0, 4.0, 5.0];
        opt.step(&mut x, &mut [1.0; 5]);
        let p0 = opt.state().buffers["p0"].clone();
        assert_eq!(p0, [1.0, 3.0, 4.0]);
        assert!(ProdigyConfig { slice_p: 0, ..Default::default() }.validate().is_err());
    }
}
