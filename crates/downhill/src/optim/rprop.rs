//! Rprop, as `torch.optim.Rprop`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{sign, signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::Float;

crate::hyperparameters! {
    /// `rprop`: the hyperparameters of [`Rprop`], PyTorch's names and defaults.
    pub struct RpropConfig {
        /// Learning rate: the initial step size of every coordinate.
        lr: f64 = 1e-2, [Kind::Float, AtLeast(0.0), "initial step size"],
        /// (η₋, η₊): step-size factors after a sign change / no sign change.
        #[serde(deserialize_with = "super::exact_pair")]
        etas: [f64; 2] = [0.5, 1.2], [
            Kind::Pair,
            PerElement(&Open(0.0, 1.0), &Above(1.0)),
            "(η₋, η₊): factors on a sign change / on an unchanged sign (0 < η₋ < 1 < η₊)"
        ],
        /// (Δmin, Δmax): bounds of the step sizes.
        #[serde(deserialize_with = "super::exact_pair")]
        step_sizes: [f64; 2] = [1e-6, 50.0], [Kind::Pair, Any, "(Δmin, Δmax): bounds of the step sizes"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for RpropConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "Rprop: per-coordinate step sizes adapted by the gradient's sign.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Rprop`] carries from step to step (PyTorch's state keys).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct RpropState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// The previous (masked) gradient.
    pub prev: StateBuf<T>,
    /// Per-coordinate step sizes Δ.
    pub step_size: StateBuf<T>,
}

/// `torch.optim.Rprop` (resilient backpropagation): each coordinate has its own step size,
/// grown while its gradient keeps its sign and shrunk when the sign flips.
///
/// With η₋, η₊, bounds (Δmin, Δmax), Δ₀ = lr and g₀ = 0 (the previous gradient), at each step:
///
/// ```text
/// g ← ∇f(θ)                              (−∇f(θ) if maximize)
/// s ← sign(g·gₚ)
/// f ← η₊ if s > 0,  η₋ if s < 0,  1 if s = 0
/// Δ ← clamp(Δ·f, Δmin, Δmax)
/// g ← 0                                   where f = η₋ (a sign change: no step, and no
///                                         sign change seen next time)
/// θ ← θ − sign(g)·Δ
/// gₚ ← g
/// ```
///
/// As in PyTorch, the factor replaces s elementwise in that order (so with η₋ = 1 a zero s
/// also counts as a sign change), a NaN s leaves a NaN factor, and the clamp propagates NaN.
pub type Rprop<T> = Optim<RpropConfig, T>;

/// `clamp(x, lo, hi)` as `torch.clamp`: NaN stays NaN.
#[inline(always)]
fn clamp<T: Float>(x: T, lo: T, hi: T) -> T {
    if x.is_nan() {
        x
    } else if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

impl Rule for RpropConfig {
    type State<T: Float> = RpropState<T>;
    fn init<T: Float>(&self) -> RpropState<T> {
        RpropState {
            step: 0,
            prev: StateBuf::default(),
            step_size: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut RpropState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let cfg = self;
        let n = params.len();
        let prev = st.prev.full_of(n, T::zero());
        let step_size = st.step_size.full_of(n, T::of(h.lr));
        st.step += 1;
        let (etaminus, etaplus) = (T::of(cfg.etas[0]), T::of(cfg.etas[1]));
        let (lo, hi) = (T::of(cfg.step_sizes[0]), T::of(cfg.step_sizes[1]));
        let coords = prev.iter_mut().zip(step_size.iter_mut());
        for ((p, g), (gp, d)) in params.iter_mut().zip(grad.iter()).zip(coords) {
            let mut g = signed(*g, cfg.maximize);
            let s = sign(g * *gp);
            let mut f = s;
            if f > T::zero() {
                f = etaplus;
            }
            if f < T::zero() {
                f = etaminus;
            }
            if f == T::zero() {
                f = T::one();
            }
            *d = clamp(*d * f, lo, hi);
            if f == etaminus {
                g = T::zero();
            }
            *p += -sign(g) * *d;
            *gp = g;
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Steps of exactly Δ: 0.01, then ×1.2 while the sign holds; a sign change halves Δ and
    /// skips the step, and the next step (s = 0) keeps Δ.
    #[test]
    fn adapts_step_sizes_by_sign() {
        let mut opt = Rprop::<f64>::new(RpropConfig::default()).unwrap();
        let mut x = [0.0];
        opt.step(&mut x, &mut [3.0]);
        assert_eq!(x, [-0.01]);
        opt.step(&mut x, &mut [1.0]);
        assert_eq!(x, [-0.01 - 0.012]);
        opt.step(&mut x, &mut [-1.0]);
        assert_eq!(x, [-0.01 - 0.012]);
        opt.step(&mut x, &mut [-1.0]);
        assert_eq!(x, [-0.01 - 0.012 + 0.006]);
    }

    #[test]
    fn validates_etas_as_pytorch() {
        let bad = |etas| {
            Rprop::<f64>::new(RpropConfig {
                etas,
                ..Default::default()
            })
        };
        for (etas, key) in [
            ([0.0, 1.2], "etas[0]"),
            ([0.5, 1.0], "etas[1]"),
            ([1.0, 1.2], "etas[0]"),
        ] {
            match bad(etas) {
                Err(crate::Error::InvalidParameter { key: k, .. }) => assert_eq!(k, key),
                other => panic!("{etas:?}: {:?}", other.err()),
            }
        }
        assert!(Rprop::<f64>::new(RpropConfig {
            lr: -1.0,
            ..Default::default()
        })
        .is_err());
    }
}
