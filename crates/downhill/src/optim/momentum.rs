//! Momentum in physics form: heavy ball, Nesterov, and the Nesterov "midpoint" variant.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::Float;

/// Where [`Momentum`] evaluates the gradient.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentumVariant {
    /// At θ (the leapfrog / heavy-ball scheme).
    #[default]
    HeavyBall,
    /// At the look-ahead point θ + βv (standard Nesterov).
    Nesterov,
    /// At θ + (β/2)v: the midpoint (θₙ + θₙ₊₁)/2 of the implicit scheme.
    NesterovMidpoint,
}

impl MomentumVariant {
    /// Every variant's config name.
    pub const NAMES: &'static [&'static str] = &["heavy_ball", "nesterov", "nesterov_midpoint"];

    /// The fraction c of v in the gradient point θ + c·βv (0, 1 or ½).
    fn lookahead(self) -> f64 {
        match self {
            MomentumVariant::HeavyBall => 0.0,
            MomentumVariant::Nesterov => 1.0,
            MomentumVariant::NesterovMidpoint => 0.5,
        }
    }
}

crate::hyperparameters! {
    /// `momentum`: the hyperparameters of [`Momentum`] (lr 1e-3, momentum 0.9, heavy ball).
    pub struct MomentumConfig {
        /// Learning rate α.
        lr: f64 = 1e-3, [Kind::Float, AtLeast(0.0), "learning rate α"],
        /// Momentum β.
        momentum: f64 = 0.9, [Kind::Float, AtLeast(0.0), "momentum β"],
        /// `heavy_ball`, `nesterov` or `nesterov_midpoint`.
        variant: MomentumVariant = MomentumVariant::HeavyBall,
            [Kind::Choice(MomentumVariant::NAMES), Any, "where the gradient is taken"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for MomentumConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "Physics-form momentum: heavy ball, Nesterov, Nesterov midpoint.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Momentum`] carries from step to step (the checkpoint keys of every version).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct MomentumState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// The velocity v.
    pub velocity: StateBuf<T>,
}

/// Momentum in physics form, not PyTorch's: the velocity carries the learning
/// rate, and the variants differ only in where the gradient is taken.
///
/// With learning rate α, momentum β (default 0.9), v₀ = 0:
///
/// ```text
/// heavy_ball:         v ← βv − α∇f(θ)
/// nesterov:           v ← βv − α∇f(θ + βv)
/// nesterov_midpoint:  v ← βv − α∇f(θ + (β/2)v)
/// θ ← θ + v
/// ```
///
/// (∇f is replaced by −∇f when `maximize`.) The look-ahead point is returned by
/// [`Optimizer::gradient_point`], so the run loop evaluates the gradient there and passes it to
/// [`Optimizer::step`]. Heavy ball is the leapfrog discretisation of the damped motion
/// θ̈ + λθ̇ = −∇f(θ) with time step γ: β = (1 − λγ/2)/(1 + λγ/2), α = γ²/(1 + λγ/2). On a
/// quadratic its stable lr range is [`stability::edge`](super::stability::edge).
pub type Momentum<T> = Optim<MomentumConfig, T>;

impl Rule for MomentumConfig {
    type State<T: Float> = MomentumState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("momentum");
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn init<T: Float>(&self) -> MomentumState<T> {
        MomentumState {
            step: 0,
            velocity: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut MomentumState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let velocity = st.velocity.full_of(params.len(), T::zero());
        st.step += 1;
        let beta = T::of(h.mu());
        let lr = T::of(h.lr);
        for ((p, g), v) in params.iter_mut().zip(grad.iter()).zip(velocity.iter_mut()) {
            *v = beta * *v - lr * signed(*g, self.maximize);
            *p += *v;
        }
        StepOutcome::Applied
    }

    fn gradient_point<T: Float>(
        &self,
        st: &MomentumState<T>,
        h: Hyper,
        params: &[T],
        out: &mut [T],
    ) -> bool {
        let c = self.variant.lookahead();
        let velocity = st.velocity.full_ref();
        if c == 0.0 || velocity.len() != params.len() {
            return false;
        }
        let cb = T::of(c * h.mu());
        for ((o, p), v) in out.iter_mut().zip(params).zip(velocity) {
            *o = *p + cb * *v;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On f = x² (∇f = 2x) from x = 1, α = 0.1, β = 0.5: v₁ = −0.2, x₁ = 0.8; Nesterov's
    /// second gradient is at 0.8 + 0.5·(−0.2) = 0.7, the midpoint's at 0.75.
    #[test]
    fn variants_by_hand() {
        for (variant, point) in [
            (MomentumVariant::HeavyBall, 0.8),
            (MomentumVariant::Nesterov, 0.7),
            (MomentumVariant::NesterovMidpoint, 0.75),
        ] {
            let cfg = MomentumConfig {
                lr: 0.1,
                momentum: 0.5,
                variant,
                ..Default::default()
            };
            let mut opt = Momentum::<f64>::new(cfg).unwrap();
            let mut x = [1.0];
            let mut out = [0.0];
            assert!(!opt.gradient_point(&x, &mut out));
            opt.step(&mut x, &mut [2.0]);
            assert!((x[0] - 0.8).abs() < 1e-15);
            let at = if opt.gradient_point(&x, &mut out) {
                out[0]
            } else {
                x[0]
            };
            assert!((at - point).abs() < 1e-15, "{variant:?}: {at}");
            opt.step(&mut x, &mut [2.0 * at]);
            assert!((x[0] - (0.8 + (-0.1 - 0.2 * at))).abs() < 1e-15);
        }
    }
}
