//! Adafactor, as `torch.optim.Adafactor` (torch ≥ 2.5).

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{lerp, signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::{Error, Float, Result};

/// Adafactor's `eps = (eps1, eps2)`. `eps1` (the floor of the second-moment estimate) may be
/// absent, PyTorch's `None`: then it is the machine epsilon of the parameters' type. Written
/// `[1e-30, 1e-3]`, or with `eps1` absent `["none", 1e-3]` (JSON also takes `[null, 1e-3]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdafactorEps {
    /// ε₁, or `None` for the dtype's machine epsilon.
    pub eps1: Option<f64>,
    /// ε₂: the floor of the parameters' RMS in the relative step size.
    pub eps2: f64,
}

impl Serialize for AdafactorEps {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        (self.eps1, self.eps2).serialize(s)
    }
}

impl<'de> Deserialize<'de> for AdafactorEps {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        /// The first element: a number, or `"none"` / null for PyTorch's `None`.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum First {
            Number(f64),
            Word(String),
            Null(()),
        }
        struct Pair;
        impl<'de> Visitor<'de> for Pair {
            type Value = AdafactorEps;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a pair [eps1, eps2] with eps1 a number or \"none\"")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<AdafactorEps, A::Error> {
                let first: First = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let eps2: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(3, &self));
                }
                let eps1 = match first {
                    First::Number(x) => Some(x),
                    First::Null(()) => None,
                    First::Word(w) if w == "none" => None,
                    First::Word(w) => {
                        return Err(de::Error::invalid_value(de::Unexpected::Str(&w), &self))
                    }
                };
                Ok(AdafactorEps { eps1, eps2 })
            }
        }
        d.deserialize_seq(Pair)
    }
}

const BETA2_DECAY: ParamSpec = float("beta2_decay", AtMost(0.0), "exponent c of 1 − β₂,t = t^c");
const D: ParamSpec = float("d", AtLeast(1.0), "update clipping threshold");
const DECAY: ParamSpec = float("weight_decay", AtLeast(0.0), "decoupled weight decay");

crate::hyperparameters! {
    /// `adafactor`: the hyperparameters of [`Adafactor`], PyTorch's names and defaults.
    pub struct AdafactorConfig {
        /// Learning rate: the cap of the relative step size ρ.
        lr: f64 = 1e-2, [LR],
        /// The decay exponent c of β₂,t = 1 − t^c.
        beta2_decay: f64 = -0.8, [BETA2_DECAY],
        /// (ε₁, ε₂), ε₁ `None` (the dtype's machine epsilon) by default.
        eps: AdafactorEps = AdafactorEps { eps1: None, eps2: 1e-3 }, [Kind::Pair, AtLeast(0.0),
            "(ε₁, ε₂): floor of the second moment (\"none\": the dtype's epsilon), of the RMS"],
        /// The update clipping threshold d.
        d: f64 = 1.0, [D],
        /// Decoupled weight decay λ.
        weight_decay: f64 = 0.0, [DECAY],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}


impl Entry for AdafactorConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "Adafactor: a factored second moment (row and column means) for matrices, relative steps.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }

    fn validate(&self) -> Result<()> {
        check(self, &[LR, BETA2_DECAY])?;
        let eps = [("eps[0]", self.eps.eps1), ("eps[1]", Some(self.eps.eps2))];
        for (key, x) in eps {
            if let Some(x) = x {
                if x.is_nan() || x < 0.0 || x.is_infinite() {
                    return Err(Error::param(key, x, "must be finite and >= 0"));
                }
            }
        }
        check(self, &[D, DECAY])
    }
}

/// What [`Adafactor`] carries from step to step. Per-tensor buffers are concatenated in
/// tensor order: `variance` for vectors, `row_var` / `col_var` for matrices (PyTorch's keys).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AdafactorState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// Second moment of the vectors' gradients.
    pub variance: StateBuf<T>,
    /// Row means of the matrices' squared gradients (one per row).
    pub row_var: StateBuf<T>,
    /// Column means of the matrices' squared gradients (one per column).
    pub col_var: StateBuf<T>,
}

/// `torch.optim.Adafactor` (Shazeer & Stern 2018, in PyTorch's form), transcribed from
/// `_single_tensor_adafactor`: per tensor, with lr γ, decay exponent c, (ε₁, ε₂), threshold d,
/// weight decay λ, at step t:
///
/// ```text
/// g ← ∇f(θ)                           (−∇f(θ) if maximize)
/// β̂ ← t^c                             (1 − β₂,t)
/// ρ ← min(γ, 1/√t)
/// α ← max(ε₂, RMS(θ))·ρ               RMS(x) = ‖x‖₂/√numel
/// θ ← θ·(1 − γλ)
/// matrix (R×C):
///   r ← lerp(r, ‖g_i,:‖²/C, β̂)        per row
///   c ← lerp(c, ‖g_:,j‖²/R, β̂)        per column
///   v̂_ij ← r_i·c_j / max(mean(r), ε₁)
/// vector:
///   v ← lerp(v, g², β̂);   v̂ ← v
/// u ← g / √max(v̂, ε₁²)
/// θ ← θ − α/max(1, RMS(u)/d) · u
/// ```
///
/// ε₁ = None is the machine epsilon of `T`. Matrices are the [`Shape::Matrix`] tensors given
/// by [`Optimizer::set_shapes`] (`train` gives the weight matrices of softmax and MLP
/// models); without shapes the whole parameter slice is one vector, as a 1-D tensor is in
/// PyTorch.
pub type Adafactor<T> = Optim<AdafactorConfig, T>;

/// `‖x‖₂` in `T`, as `torch.linalg.vector_norm`.
fn norm<T: Float>(xs: impl Iterator<Item = T>) -> T {
    xs.fold(T::zero(), |s, x| s + x * x).sqrt()
}

/// `clamp(x, min = lo)` as `torch.clamp`: NaN stays NaN.
#[inline(always)]
fn at_least<T: Float>(x: T, lo: T) -> T {
    if x < lo {
        lo
    } else {
        x
    }
}

/// The second-moment estimate v̂ of one tensor, read per element.
enum Estimate<'a, T> {
    /// r_i·c_j / max(mean(r), ε₁) of a matrix with `cols` columns.
    Factored {
        r: &'a [T],
        c: &'a [T],
        cols: usize,
        denom: T,
    },
    /// v itself.
    Full(&'a [T]),
}

impl<T: Float> Estimate<'_, T> {
    /// v̂ at element `k` (row-major).
    #[inline(always)]
    fn at(&self, k: usize) -> T {
        match *self {
            Estimate::Factored { r, c, cols, denom } => r[k / cols] * c[k % cols] / denom,
            Estimate::Full(v) => v[k],
        }
    }
}

impl AdafactorConfig {
    /// One tensor's step at step `t` with lr `lr`: `p`, `g` its elements; `shape` its
    /// layout; `v` its second-moment buffers (`variance` and an empty slice for a vector,
    /// `row_var` and `col_var` for a matrix).
    #[allow(clippy::too_many_arguments)]
    fn step_tensor<T: Float>(
        &self,
        t: f64,
        lr: f64,
        p: &mut [T],
        g: &[T],
        shape: Shape,
        v: (&mut [T], &mut [T]),
    ) {
        let cfg = self;
        let w = T::of(t.powf(cfg.beta2_decay));
        let rho = lr.min(1.0 / t.powf(0.5));
        let n = p.len() as f64;
        let rms = norm(p.iter().copied()).f64() / n.powf(0.5);
        let alpha = cfg.eps.eps2.max(rms) * rho;
        if cfg.weight_decay != 0.0 {
            let decay = T::of(1.0 - lr * cfg.weight_decay);
            p.iter_mut().for_each(|x| *x *= decay);
        }
        let eps1 = cfg.eps.eps1.unwrap_or(T::epsilon().f64());
        let floor = T::of(eps1 * eps1);
        let g = |i: usize| signed(g[i], cfg.maximize);
        let est = match shape {
            Shape::Matrix { rows, cols } => {
                let (r, c) = v;
                for (i, ri) in r.iter_mut().enumerate() {
                    let s = norm((0..cols).map(|j| g(i * cols + j)));
                    *ri = lerp(*ri, s * s / T::of(cols as f64), w);
                }
                for (j, cj) in c.iter_mut().enumerate() {
                    let s = norm((0..rows).map(|i| g(i * cols + j)));
                    *cj = lerp(*cj, s * s / T::of(rows as f64), w);
                }
                let mean = r.iter().fold(T::zero(), |s, &x| s + x) / T::of(rows as f64);
                let denom = at_least(mean, T::of(eps1));
                Estimate::Factored { r, c, cols, denom }
            }
            Shape::Vector(_) => {
                let (var, _) = v;
                for (k, vk) in var.iter_mut().enumerate() {
                    let gk = g(k);
                    *vk = lerp(*vk, gk * gk, w);
                }
                Estimate::Full(var)
            }
        };
        // u_k = g_k / √max(v̂_k, ε₁²), computed twice (for its norm, then to step) rather
        // than stored.
        let u = |k: usize| g(k) * (T::one() / at_least(est.at(k), floor).sqrt());
        let u_norm = norm((0..p.len()).map(u)).f64();
        let denom = 1.0f64.max(u_norm / (n.powf(0.5) * cfg.d));
        let step = T::of(-alpha / denom);
        for (k, x) in p.iter_mut().enumerate() {
            *x += step * u(k);
        }
    }
}

impl Rule for AdafactorConfig {
    type State<T: Float> = AdafactorState<T>;
    fn init<T: Float>(&self) -> AdafactorState<T> {
        AdafactorState {
            step: 0,
            variance: StateBuf::default(),
            row_var: StateBuf::default(),
            col_var: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut AdafactorState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        shapes: &[Shape],
    ) -> StepOutcome {
        let (mut nv, mut nr, mut nc) = (0, 0, 0);
        for s in shapes {
            match *s {
                Shape::Vector(len) => nv += len,
                Shape::Matrix { rows, cols } => (nr, nc) = (nr + rows, nc + cols),
            }
        }
        st.step += 1;
        let mut variance = std::mem::take(&mut st.variance);
        let mut row_var = std::mem::take(&mut st.row_var);
        let mut col_var = std::mem::take(&mut st.col_var);
        let (var, rv, cv) = (
            variance.full_of(nv, T::zero()),
            row_var.full_of(nr, T::zero()),
            col_var.full_of(nc, T::zero()),
        );
        let t = st.step as f64;
        let (mut at, mut iv, mut ir, mut ic) = (0, 0, 0, 0);
        for &s in shapes.iter().filter(|s| !s.is_empty()) {
            let len = s.len();
            let (p, g) = (&mut params[at..at + len], &grad[at..at + len]);
            match s {
                Shape::Vector(_) => {
                    self.step_tensor(t, h.lr, p, g, s, (&mut var[iv..iv + len], &mut []));
                    iv += len;
                }
                Shape::Matrix { rows, cols } => {
                    let v = (&mut rv[ir..ir + rows], &mut cv[ic..ic + cols]);
                    self.step_tensor(t, h.lr, p, g, s, v);
                    (ir, ic) = (ir + rows, ic + cols);
                }
            }
            at += len;
        }
        (st.variance, st.row_var, st.col_var) = (variance, row_var, col_var);
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eps_reads_none_and_numbers() {
        let c: AdafactorConfig = serde_json::from_str(r#"{"eps": ["none", 1e-4]}"#).unwrap();
        assert_eq!(c.eps.eps1, None);
        assert_eq!(c.eps.eps2, 1e-4);
        let c: AdafactorConfig = serde_json::from_str(r#"{"eps": [null, 1e-4]}"#).unwrap();
        assert_eq!(c.eps.eps1, None);
        let c: AdafactorConfig = serde_json::from_str(r#"{"eps": [1e-20, 1e-4]}"#).unwrap();
        assert_eq!(c.eps.eps1, Some(1e-20));
        for bad in [r#"["auto", 1]"#, "[1]", "[1, 2, 3]"] {
            let text = format!(r#"{{"eps": {bad}}}"#);
            assert!(
                serde_json::from_str::<AdafactorConfig>(&text).is_err(),
                "{bad}"
            );
        }
        let v = serde_json::to_value(AdafactorConfig::default()).unwrap();
        assert_eq!(v["eps"], serde_json::json!([null, 0.001]));
    }

    #[test]
    fn validates_as_torch() {
        let bad = [
            (r#"{"beta2_decay": 0.5}"#, "beta2_decay"),
            (r#"{"eps": [-1, 1e-3]}"#, "eps[0]"),
            (r#"{"eps": ["none", -1e-3]}"#, "eps[1]"),
            (r#"{"d": 0.5}"#, "d"),
            (r#"{"weight_decay": -0.1}"#, "weight_decay"),
            (r#"{"lr": -1}"#, "lr"),
        ];
        for (text, key) in bad {
            let c: AdafactorConfig = serde_json::from_str(text).unwrap();
            match Adafactor::<f64>::new(c) {
                Err(Error::InvalidParameter { key: k, .. }) => assert_eq!(k, key),
                other => panic!("{text}: {:?}", other.err()),
            }
        }
    }

    /// The first step of a vector: v = g², u = sign(g), RMS(u) = 1, α = max(ε₂, RMS(θ))·γ.
    #[test]
    fn first_step_is_a_relative_sign_step() {
        let mut opt = Adafactor::<f64>::new(AdafactorConfig::default()).unwrap();
        let mut x = [3.0, -4.0];
        opt.step(&mut x, &mut [2.0, 0.5]);
        let rms = 12.5f64.sqrt();
        assert!((x[0] - (3.0 - 0.01 * rms)).abs() < 1e-15);
        assert!((x[1] - (-4.0 - 0.01 * rms)).abs() < 1e-15);
    }
}
