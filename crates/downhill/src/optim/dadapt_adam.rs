//! D-Adaptation Adam (Defazio & Mishchenko 2023, "Learning-Rate-Free Learning by
//! D-Adaptation"), as the `dadaptation` package's `DAdaptAdam`; also the helpers the
//! learning-rate-free rules share (`prodigy`, `dadapt_sgd`).

use serde::{Deserialize, Serialize};

use super::adam::BETAS;
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::shared::{shared_lr, Shared, SharedGroup};
use super::{signed, Hyper, Member, Optim, Optimizer, Rule, Shape, SharedRule, StepOutcome};
use crate::{Float, Result};

/// `lr` of the learning-rate-free rules: a multiplier of the adapted step size, > 0 as the
/// packages check it.
pub(super) const LR_SCALE: ParamSpec = float(
    "lr",
    Above(0.0),
    "multiplier of the adapted step size d (leave at 1)",
);
/// `d0`: the initial estimate of D, > 0.
pub(super) const D0: ParamSpec = float("d0", Above(0.0), "initial estimate of D");
/// `growth_rate`: absent (the packages' `float('inf')`) or ≥ 1.
pub(super) const GROWTH_RATE: ParamSpec = float(
    "growth_rate",
    AtLeast(1.0),
    "largest factor d may grow by in one step (absent or inf: unbounded)",
);

/// Deserialises an optional number that may be infinite: a number (TOML's `inf` included),
/// null, or, as JSON has no infinity, the strings `"inf"` and `"-inf"` (what Python's
/// `float('inf')` becomes in `downhill`'s JSON, as `norm`'s [`super::Norm`] reads it).
pub(super) fn inf_or_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Num(f64),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Num(x)) => Ok(Some(x)),
        Some(Raw::Text(t)) => match t.as_str() {
            "inf" => Ok(Some(f64::INFINITY)),
            "-inf" => Ok(Some(f64::NEG_INFINITY)),
            _ => Err(serde::de::Error::custom(format!(
                "invalid value `{t}`: expected a number, \"inf\" or \"-inf\""
            ))),
        },
    }
}

/// Validates a learning-rate-free config: every row of `rows` by its range, but the optional
/// ones when absent (`growth_rate` `None` or +∞, the packages' `float('inf')`; prodigy's
/// `beta3` `None`).
pub(super) fn validate_lrfree<C: Serialize>(
    cfg: &C,
    rows: &[ParamSpec],
    growth_rate: Option<f64>,
    beta3: Option<f64>,
) -> Result<()> {
    let absent = |name: &str| match name {
        "growth_rate" => growth_rate.is_none_or(|g| g == f64::INFINITY),
        "beta3" => beta3.is_none(),
        _ => false,
    };
    let present: Vec<ParamSpec> = rows.iter().filter(|s| !absent(s.name)).copied().collect();
    check(cfg, &present)
}

/// g ← −g if `maximize`, then g ← g + λθ if `l2` is λ (the packages' coupled weight decay),
/// over one tensor θ = `p`.
pub(super) fn signed_l2<T: Float>(g: &mut [T], p: &[T], maximize: bool, l2: Option<T>) {
    for (g, &p) in g.iter_mut().zip(p) {
        *g = signed(*g, maximize);
        if let Some(wd) = l2 {
            *g += wd * p;
        }
    }
}

/// Python's `max(a, b)` on floats: `b` only if `b > a` (so a NaN `b` leaves `a`).
pub(super) fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)` on floats: `b` only if `b < a`.
pub(super) fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// The packages' `bias_correction` at step k (0-based): √(1 − β₂ᵏ⁺¹) / (1 − β₁ᵏ⁺¹), or 1.
pub(super) fn bias_correction(on: bool, beta1: f64, beta2: f64, k: u64) -> f64 {
    let t = (k + 1) as f64;
    if on {
        (1.0 - beta2.powf(t)).powf(0.5) / (1.0 - beta1.powf(t))
    } else {
        1.0
    }
}

/// `Σ|x|` in `T`, in order, as an `f64` (torch's `x.abs().sum().item()`).
pub(super) fn sum_abs<T: Float>(x: &[T]) -> f64 {
    x.iter().fold(T::zero(), |s, &v| s + v.abs()).f64()
}

crate::hyperparameters! {
    /// `dadapt_adam`: the hyperparameters of [`DadaptAdam`], with the `dadaptation` package's
    /// names and defaults (its `log_every`, `fsdp_in_use` and per-group `layer_scale` are not
    /// here; `maximize` is Downhill's).
    pub struct DadaptAdamConfig {
        /// Multiplier of the adapted step size (leave at 1).
        lr: f64 = 1.0, [LR_SCALE],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.999], [BETAS],
        /// ε, added to √v.
        eps: f64 = 1e-8, [Kind::Float, Above(0.0), "added to the denominator"],
        /// Weight decay λ: L2 (added to the gradient), or decoupled with `decouple`.
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Decoupled weight decay θ ← θ − λ·dlr·θ (AdamW's form).
        decouple: bool = false, [Kind::Bool, Any, "decoupled (AdamW-style) weight decay"],
        /// Adam's bias correction, folded into the step size.
        use_bias_correction: bool = false, [Kind::Bool, Any, "Adam's bias correction"],
        /// Initial estimate of D.
        d0: f64 = 1e-6, [D0],
        /// Largest factor d may grow by in one step; absent (or `inf`) is unbounded.
        #[serde(deserialize_with = "inf_or_number")]
        growth_rate: Option<f64> = None, [GROWTH_RATE],
        /// Gradient ascent (minimising −f; the package has no such option).
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for DadaptAdamConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const COUPLES_TENSORS: bool = true;
    const DOC: &'static str =
        "D-Adaptation Adam: Adam whose step size d is estimated as it runs (dadaptation.DAdaptAdam).";
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

/// What [`DadaptAdam`] carries from step to step (beside `lr` and `beta1`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct DadaptAdamState<T: Float> {
    /// Steps taken (the package's `k`).
    pub step: u64,
    /// The current estimate d of D.
    pub d: f64,
    /// The weighted numerator r of d̂.
    pub numerator_weighted: f64,
    /// The weighted gradient sum s.
    pub s: StateBuf<T>,
    /// First moment m (carries d·lr).
    pub exp_avg: StateBuf<T>,
    /// Second moment v.
    pub exp_avg_sq: StateBuf<T>,
}

/// `dadaptation.DAdaptAdam`: Adam whose step size d·lr grows from `d0` towards an estimate of
/// D = ‖θ₀ − θ*‖, from the correlation of the gradients with their weighted sum.
///
/// With lr γ, betas (β₁, β₂), ε, weight decay λ, growth rate ρ (∞ when absent), summing over
/// every tensor of the run (`d` is one number for all of them), at step k = 0, 1, …
/// (d₀ = `d0`, r₀ = 0, s₀ = m₀ = v₀ = 0):
///
/// ```text
/// g ← ∇f(θ)                                  (−∇f(θ) if maximize)
/// g ← g + λθ                                 if λ ≠ 0 and not decouple
/// δ ← d_k·γ·(√(1 − β₂ᵏ⁺¹) / (1 − β₁ᵏ⁺¹)  if use_bias_correction, else 1)
/// r ← √β₂·r + (1 − √β₂)·δ·⟨g, s / (√v + ε)⟩
/// m ← β₁m + δ(1 − β₁)g
/// v ← β₂v + (1 − β₂)g²
/// s ← √β₂·s + δ(1 − √β₂)g
/// d̂ ← r / ((1 − √β₂)‖s‖₁)
/// d_{k+1} ← max(d_k, min(d̂, ρ·d_k))
/// θ ← θ − δλθ                                if λ ≠ 0 and decouple
/// θ ← θ − m / (√v + ε)
/// ```
///
/// So d never decreases; it grows while the steps keep pointing the same way (r > 0). As in
/// the package, a step whose ‖s‖₁ is 0 (a zero gradient so far) changes m, v, s but neither
/// θ, d nor k. With `param_groups`, as the package, one d is shared by all groups
/// ([`super::shared`]): the sums run over every group with lr > 0, γ is the largest lr, and
/// the groups' lrs must be it or 0. The package has no `maximize`: it is minimising −f here.
pub type DadaptAdam<T> = Optim<DadaptAdamConfig, T>;

impl Rule for DadaptAdamConfig {
    type State<T: Float> = DadaptAdamState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> DadaptAdamState<T> {
        DadaptAdamState {
            step: 0,
            d: self.d0,
            numerator_weighted: 0.0,
            s: StateBuf::default(),
            exp_avg: StateBuf::default(),
            exp_avg_sq: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut DadaptAdamState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        shapes: &[Shape],
    ) -> StepOutcome {
        super::shared::step_one(self, st, h, params, grad, shapes)
    }
}

impl SharedRule for DadaptAdamConfig {
    /// As `dadaptation`: `betas`, `use_bias_correction`, `decouple` and `growth_rate` from
    /// group 0; `weight_decay` and `eps` (and Downhill's `maximize`) per group.
    fn step_groups<T: Float>(
        st: &mut DadaptAdamState<T>,
        groups: &[Member<'_, Self>],
        params: &mut [T],
        grad: &mut [T],
    ) -> StepOutcome {
        let Some(first) = groups.first() else {
            return StepOutcome::Skipped;
        };
        let (cfg0, n) = (first.cfg, params.len());
        let lr = shared_lr(groups.iter().map(|m| &m.hyper.lr));
        let (beta1, beta2) = (first.hyper.mu(), cfg0.betas[1]);
        let mut d = st.d;
        let dlr = d * lr * bias_correction(cfg0.use_bias_correction, beta1, beta2, st.step);
        let (sqrt_beta2, decouple) = (beta2.powf(0.5), cfg0.decouple);
        let (s, m, v) = (
            st.s.full_of(n, T::zero()),
            st.exp_avg.full_of(n, T::zero()),
            st.exp_avg_sq.full_of(n, T::zero()),
        );
        let (b1, b2, w2, sb2) = (
            T::of(beta1),
            T::of(beta2),
            T::of(1.0 - beta2),
            T::of(sqrt_beta2),
        );
        let (wm, ws) = (T::of(dlr * (1.0 - beta1)), T::of(dlr * (1.0 - sqrt_beta2)));
        let (mut numerator_acum, mut sk_l1) = (0.0, 0.0);
        let mut at = 0;
        for mem in groups {
            let (cfg, decay) = (mem.cfg, mem.cfg.weight_decay);
            let eps = T::of(cfg.eps);
            let l2 = (decay != 0.0 && !decouple).then(|| T::of(decay));
            for shape in mem.shapes {
                let r = at..at + shape.len();
                at = r.end;
                let g = &mut grad[r.clone()];
                signed_l2(g, &params[r.clone()], cfg.maximize, l2);
                if mem.hyper.lr <= 0.0 {
                    continue;
                }
                let (s, m, v) = (&mut s[r.clone()], &mut m[r.clone()], &mut v[r]);
                let dot = g
                    .iter()
                    .zip(s.iter().zip(v.iter()))
                    .fold(T::zero(), |acc, (&g, (&s, &v))| acc + g * (s / (v.sqrt() + eps)));
                numerator_acum += dlr * dot.f64();
                for (((&g, m), v), s) in g.iter().zip(m.iter_mut()).zip(v.iter_mut()).zip(s.iter_mut()) {
                    *m = *m * b1 + wm * g;
                    *v = *v * b2 + w2 * g * g;
                    *s = *s * sb2 + ws * g;
                }
                sk_l1 += sum_abs(s);
            }
        }
        let numerator_weighted =
            sqrt_beta2 * st.numerator_weighted + (1.0 - sqrt_beta2) * numerator_acum;
        if sk_l1 == 0.0 {
            return StepOutcome::Applied;
        }
        if lr > 0.0 {
            let d_hat = numerator_weighted / ((1.0 - sqrt_beta2) * sk_l1);
            let growth = cfg0.growth_rate.unwrap_or(f64::INFINITY);
            d = py_max(d, py_min(d_hat, d * growth));
        }
        (st.numerator_weighted, st.d) = (numerator_weighted, d);
        st.step += 1;
        let mut at = 0;
        for mem in groups {
            let (r, decay, eps) = (at..at + mem.len(), mem.cfg.weight_decay, T::of(mem.cfg.eps));
            at = r.end;
            let shrink = (decay != 0.0 && decouple).then(|| T::of(-decay * dlr));
            let (m, v) = (&m[r.clone()], &v[r.clone()]);
            for ((p, &m), &v) in params[r].iter_mut().zip(m.iter()).zip(v.iter()) {
                let denom = v.sqrt() + eps;
                if let Some(c) = shrink {
                    *p += *p * c;
                }
                *p += -m / denom;
            }
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First step: s₀ = 0, so r = 0, d̂ = 0 and d stays d0; θ moves by
    /// d0·(1 − β₁)g / (√(1 − β₂)|g| + ε). A zero gradient moves nothing.
    #[test]
    fn first_step_by_hand_and_zero_gradient() {
        let mut opt = DadaptAdam::<f64>::new(DadaptAdamConfig::default()).unwrap();
        let mut x = [1.0];
        opt.step(&mut x, &mut [2.0]);
        let want = 1.0 - 1e-6 * (1.0 - 0.9) * 2.0 / ((1.0f64 - 0.999).sqrt() * 2.0 + 1e-8);
        assert!((x[0] - want).abs() < 1e-15, "{} vs {want}", x[0]);
        assert_eq!(opt.rule_state().d, 1e-6);
        let mut still = DadaptAdam::<f64>::new(DadaptAdamConfig::default()).unwrap();
        let mut y = [1.0, -2.0];
        still.step(&mut y, &mut [0.0, 0.0]);
        assert_eq!((y, still.rule_state().step), ([1.0, -2.0], 0));
    }

    /// `growth_rate` absent or `inf` is unbounded; below 1 it is refused, naming the key.
    #[test]
    fn growth_rate_is_optional() {
        let cfg = |g| DadaptAdamConfig {
            growth_rate: g,
            ..Default::default()
        };
        assert!(cfg(None).validate().is_ok());
        assert!(cfg(Some(f64::INFINITY)).validate().is_ok());
        assert!(cfg(Some(1.02)).validate().is_ok());
        let err = cfg(Some(0.5)).validate().unwrap_err().to_string();
        assert!(err.contains("growth_rate"), "{err}");
        assert!(cfg(Some(f64::NAN)).validate().is_err());
        // JSON has no infinity: the string "inf" (Python's float('inf')), a number or null.
        let json = |v| serde_json::from_value::<DadaptAdamConfig>(serde_json::json!({ "growth_rate": v }));
        assert_eq!(json(serde_json::json!("inf")).unwrap().growth_rate, Some(f64::INFINITY));
        assert_eq!(json(serde_json::json!(2.0)).unwrap().growth_rate, Some(2.0));
        assert_eq!(json(serde_json::Value::Null).unwrap().growth_rate, None);
        assert!(json(serde_json::json!("big")).is_err());
    }
}
