//! Stochastic gradient descent, as `torch.optim.SGD`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{BoxedSolver, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use super::{GdArmijo, SgdLineSearch, StatePrecision};
use crate::kernels::{self, SgdStep};
use crate::{Error, Float, Result};

crate::hyperparameters! {
    /// `sgd`: the hyperparameters of [`Sgd`], PyTorch's names and defaults (lr 1e-3,
    /// everything else 0 / false).
    pub struct SgdConfig {
        /// Learning rate γ.
        lr: f64 = 1e-3, [LR],
        /// Momentum factor μ.
        momentum: f64 = 0.0, [Kind::Float, AtLeast(0.0), "momentum factor"],
        /// Weight decay λ (L2 penalty).
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Dampening τ for momentum.
        dampening: f64 = 0.0, [Kind::Float, Any, "dampening for momentum"],
        /// Nesterov momentum.
        nesterov: bool = false, [Kind::Bool, Any,
            "Nesterov momentum (needs momentum > 0, dampening 0)"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
        /// `"armijo"`: backtracking line search from `lr` (plain GD only; run as a solver).
        #[serde(skip_serializing_if = "Option::is_none")]
        line_search: Option<SgdLineSearch> = None, [Kind::Choice(&["armijo"]), Any,
            "backtracking line search (plain GD, run as a solver)"],
        /// Storage of the momentum buffer: `"full"` or `"bf16"`.
        state_precision: StatePrecision = StatePrecision::Full, [Kind::Choice(StatePrecision::NAMES),
            Any, "storage of the momentum buffer"],
    }
}

impl Entry for SgdConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "Stochastic gradient descent with momentum (torch.optim.SGD).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn validate(&self) -> Result<()> {
        super::params::check(self, Self::PARAMS)?;
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(Error::param(
                "nesterov",
                true,
                "nesterov momentum requires a momentum > 0 and zero dampening",
            ));
        }
        Ok(())
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        if self.line_search.is_some() {
            return Err(super::registry::solver_only("sgd with line_search"));
        }
        Optim::boxed(self)
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        match self.line_search {
            Some(_) => Ok(Some(Box::new(GdArmijo::from_sgd(self)?))),
            None => Ok(None),
        }
    }
}

/// What [`Sgd`] carries from step to step (the checkpoint keys of every version, with `lr`
/// and `momentum`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct SgdState<T: Float> {
    /// The momentum buffer b (empty until the first step with μ ≠ 0).
    pub momentum_buffer: StateBuf<T>,
    /// Steps taken.
    pub step: u64,
}

/// `torch.optim.SGD`: plain, momentum (PyTorch form), Nesterov, weight decay, maximize.
///
/// With learning rate γ, momentum μ, dampening τ, weight decay λ, at step t:
///
/// ```text
/// g ← ∇f(θ)              (−∇f(θ) if maximize)
/// g ← g + λθ              if λ ≠ 0
/// b ← g                   if μ ≠ 0 and t = 1
/// b ← μb + (1 − τ)g       if μ ≠ 0 and t > 1
/// g ← g + μb              if nesterov, else g ← b   (when μ ≠ 0)
/// θ ← θ − γg
/// ```
///
/// With `state_precision = "bf16"` the buffer b is stored as bfloat16 with stochastic
/// rounding (arithmetic in `f32`; see [`crate::kernels::bf16`]).
///
/// ```
/// use downhill::optim::{Sgd, SgdConfig};
/// let opt = Sgd::<f64>::new(SgdConfig { lr: 0.1, momentum: 0.9, ..Default::default() })?;
/// assert!(Sgd::<f64>::new(SgdConfig { lr: -0.1, ..Default::default() }).is_err());
/// # Ok::<(), downhill::Error>(())
/// ```
pub type Sgd<T> = Optim<SgdConfig, T>;

impl<T: Float> Sgd<T> {
    /// Plain SGD with learning rate `lr` (PyTorch's defaults otherwise).
    pub fn with_lr(lr: f64) -> Result<Self> {
        Sgd::new(SgdConfig {
            lr,
            ..Default::default()
        })
    }
}

impl Rule for SgdConfig {
    type State<T: Float> = SgdState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("momentum");
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn init<T: Float>(&self) -> SgdState<T> {
        SgdState {
            momentum_buffer: StateBuf::default(),
            step: 0,
        }
    }
    fn after_load<T: Float>(&self, st: &mut SgdState<T>) {
        st.momentum_buffer.store_as(self.state_precision);
    }

    fn step<T: Float>(
        &self,
        st: &mut SgdState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let (cfg, mu) = (self, h.mu());
        let first = mu != 0.0 && st.momentum_buffer.is_empty();
        st.step += 1;
        let c = SgdStep {
            neg_lr: T::of(-h.lr),
            wd: T::of(cfg.weight_decay),
            weight_decay: cfg.weight_decay != 0.0,
            sign: if cfg.maximize { -T::one() } else { T::one() },
            mu: T::of(mu),
            one_minus_damp: T::of(1.0 - cfg.dampening),
            nesterov: cfg.nesterov,
            first,
        };
        if mu == 0.0 {
            kernels::sgd(params, grad, &c);
            return StepOutcome::Applied;
        }
        let buf = &mut st.momentum_buffer;
        buf.ensure(params.len(), T::zero(), cfg.state_precision);
        match buf {
            StateBuf::Bf16(b) => {
                let key = kernels::bf16::step_key(0, st.step);
                kernels::sgd_momentum_bf16(params, grad, b, &c, key);
            }
            StateBuf::Full(b) => kernels::sgd_momentum(params, grad, b, &c),
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sgd(lr: f64, momentum: f64, dampening: f64) -> Sgd<f64> {
        let cfg = SgdConfig {
            lr,
            momentum,
            dampening,
            ..Default::default()
        };
        Sgd::new(cfg).unwrap()
    }

    /// f(x) = x², x0 = 10, γ = 0.2: xₖ = 10·0.6ᵏ.
    #[test]
    fn plain_sgd_on_square_matches_closed_form() {
        let mut opt = sgd(0.2, 0.0, 0.0);
        let mut x = [10.0];
        for _ in 0..10 {
            let mut g = [2.0 * x[0]];
            opt.step(&mut x, &mut g);
        }
        assert!((x[0] - 10.0 * 0.6f64.powi(10)).abs() < 1e-12);
        assert!((x[0] - 0.0605).abs() < 5e-5);
    }

    /// Momentum by hand on f(x) = x²: b₁ = g₀, b₂ = μb₁ + g₁.
    #[test]
    fn momentum_first_step_copies_gradient() {
        let mut opt = sgd(0.1, 0.9, 0.5);
        let mut x = [1.0];
        let mut g = [2.0];
        opt.step(&mut x, &mut g);
        assert!((x[0] - 0.8).abs() < 1e-15); // b = 2, not (1−τ)·2
        let mut g = [1.6];
        opt.step(&mut x, &mut g);
        // b = 0.9·2 + 0.5·1.6 = 2.6; x = 0.8 − 0.26
        assert!((x[0] - 0.54).abs() < 1e-15);
    }

    #[test]
    fn nesterov_requires_momentum() {
        let nesterov = |momentum| SgdConfig {
            lr: 0.1,
            momentum,
            nesterov: true,
            ..Default::default()
        };
        assert!(Sgd::<f64>::new(nesterov(0.0)).is_err());
        assert!(Sgd::<f64>::with_lr(-0.1).is_err());
        assert!(Sgd::<f64>::new(nesterov(0.9)).is_ok());
    }
}
