//! Seed 003's momentum methods: heavy ball, Nesterov, and the Nesterov "midpoint" variant.

use serde::{Deserialize, Serialize};

use super::{base_state, ensure_len, load_base, signed};
use super::{Optimizer, OptimizerState, StepOutcome};
use crate::error::check_min;
use crate::{Float, Result};

/// Where [`Momentum`] evaluates the gradient.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentumVariant {
    /// At θ (the leapfrog / heavy-ball scheme, seed 003 eq. 16).
    #[default]
    HeavyBall,
    /// At the look-ahead point θ + βv (standard Nesterov).
    Nesterov,
    /// At θ + (β/2)v, seed 003 eq. 20: the midpoint (θₙ + θₙ₊₁)/2 of the implicit scheme.
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

/// Momentum in seed 003's (physics) form, not PyTorch's: the velocity carries the learning
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
/// [`Optimizer::step`]. Seed 003 derives heavy ball as the leapfrog discretisation of
/// θ̈ + λθ̇ = −∇f(θ) with β = (1 − λγ/2)/(1 + λγ/2), α = γ²/(1 + λγ/2).
#[derive(Debug, Clone)]
pub struct Momentum<T: Float> {
    /// Learning rate α.
    pub lr: f64,
    /// Momentum β (default 0.9).
    pub momentum: f64,
    /// Where the gradient is evaluated (default heavy ball).
    pub variant: MomentumVariant,
    /// Maximise instead of minimise (default false).
    pub maximize: bool,
    step: u64,
    velocity: Vec<T>,
}

impl<T: Float> Momentum<T> {
    /// Heavy-ball momentum with learning rate `lr` and β = 0.9.
    pub fn new(lr: f64) -> Self {
        Momentum {
            lr,
            momentum: 0.9,
            variant: MomentumVariant::HeavyBall,
            maximize: false,
            step: 0,
            velocity: Vec::new(),
        }
    }
    /// Sets `momentum` (β).
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }
    /// Sets the variant.
    pub fn variant(mut self, variant: MomentumVariant) -> Self {
        self.variant = variant;
        self
    }
    /// Sets `maximize`.
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.maximize = maximize;
        self
    }
    /// Checks `lr ≥ 0` and `momentum ≥ 0`.
    pub fn validate(&self) -> Result<()> {
        check_min("lr", self.lr, 0.0)?;
        check_min("momentum", self.momentum, 0.0)
    }
}

impl<T: Float> Optimizer<T> for Momentum<T> {
    fn name(&self) -> &'static str {
        "momentum"
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        ensure_len(&mut self.velocity, params.len(), T::zero());
        self.step += 1;
        let beta = T::of(self.momentum);
        let lr = T::of(self.lr);
        for ((p, g), v) in params
            .iter_mut()
            .zip(grad.iter())
            .zip(self.velocity.iter_mut())
        {
            *v = beta * *v - lr * signed(*g, self.maximize);
            *p += *v;
        }
        StepOutcome::Applied
    }

    fn gradient_point(&self, params: &[T], out: &mut [T]) -> bool {
        let c = self.variant.lookahead();
        if c == 0.0 || self.velocity.len() != params.len() {
            return false;
        }
        let cb = T::of(c * self.momentum);
        for ((o, p), v) in out.iter_mut().zip(params).zip(&self.velocity) {
            *o = *p + cb * *v;
        }
        true
    }

    fn lr(&self) -> f64 {
        self.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn set_momentum(&mut self, momentum: f64) {
        self.momentum = momentum;
    }
    fn state(&self) -> OptimizerState {
        let mut s = base_state("momentum", self.lr, self.step);
        s.put_scalar("momentum", self.momentum);
        s.put_buffer("velocity", &self.velocity);
        s
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        let (lr, step) = load_base(state, "momentum")?;
        self.momentum = state.scalar_or("momentum", self.momentum);
        self.velocity = state.buffer("velocity")?;
        self.lr = lr;
        self.step = step;
        Ok(())
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
            let mut opt = Momentum::<f64>::new(0.1).momentum(0.5).variant(variant);
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
