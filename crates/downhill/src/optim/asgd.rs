//! Averaged SGD, as `torch.optim.ASGD`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::Float;

crate::hyperparameters! {
    /// `asgd`: the hyperparameters of [`Asgd`], PyTorch's names and defaults.
    pub struct AsgdConfig {
        /// Learning rate γ.
        lr: f64 = 1e-2, [LR],
        /// Decay term λ.
        lambd: f64 = 1e-4, [Kind::Float, AtLeast(0.0), "decay term λ"],
        /// Power α of the η update.
        alpha: f64 = 0.75, [Kind::Float, AtLeast(0.0), "power α of the step-size decay"],
        /// The step at which averaging starts, t₀.
        t0: f64 = 1e6, [Kind::Float, Any, "step at which averaging starts"],
        /// L2 penalty.
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for AsgdConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str =
        "ASGD: SGD with a decaying step and a running average of the iterates.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Asgd`] carries from step to step (PyTorch's state keys).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct AsgdState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// The step size η of the next step.
    pub eta: f64,
    /// The averaging weight μ of the next step.
    pub mu: f64,
    /// The running average of the iterates.
    pub ax: StateBuf<T>,
}

/// `torch.optim.ASGD` (Polyak–Juditsky averaged SGD with a decaying step), transcribed from
/// torch 2.x's `_single_tensor_asgd`.
///
/// With learning rate γ, decay λ, power α, averaging start t₀, weight decay w, and at the
/// first step η = γ (the lr then), μ = 1, ā = 0; step t (1-based) does:
///
/// ```text
/// g ← ∇f(θ)                      (−∇f(θ) if maximize)
/// g ← g + w·θ                    (if w ≠ 0)
/// θ ← θ·(1 − λη)
/// θ ← θ − η·g
/// ā ← θ                          if μ = 1
/// ā ← ā + μ·(θ − ā)              otherwise
/// η ← γ / (1 + λγt)^α            (for the next step)
/// μ ← 1 / max(1, t − t₀)         (for the next step)
/// ```
///
/// As in PyTorch, a step uses the η and μ computed by the *previous* step, the parameters
/// stay the SGD iterate, and the average ā is kept in the state (`ax`).
pub type Asgd<T> = Optim<AsgdConfig, T>;

impl<T: Float> Asgd<T> {
    /// The running average ā of the iterates (empty before the first step).
    pub fn average(&self) -> &[T] {
        self.rule_state().ax.full_ref()
    }
}

impl Rule for AsgdConfig {
    type State<T: Float> = AsgdState<T>;
    fn init<T: Float>(&self) -> AsgdState<T> {
        AsgdState {
            step: 0,
            eta: self.lr,
            mu: 1.0,
            ax: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut AsgdState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let cfg = self;
        if st.step == 0 {
            st.eta = h.lr;
        }
        let ax = st.ax.full_of(params.len(), T::zero());
        st.step += 1;
        let wd = T::of(cfg.weight_decay);
        let decay = T::of(1.0 - cfg.lambd * st.eta);
        let (neg_eta, mu) = (T::of(-st.eta), T::of(st.mu));
        let copy = st.mu == 1.0;
        for ((p, g), a) in params.iter_mut().zip(grad.iter()).zip(ax.iter_mut()) {
            let mut g = signed(*g, cfg.maximize);
            if cfg.weight_decay != 0.0 {
                g += wd * *p;
            }
            *p *= decay;
            *p += neg_eta * g;
            if copy {
                *a = *p;
            } else {
                *a += (*p - *a) * mu;
            }
        }
        let t = st.step as f64;
        st.eta = h.lr / (1.0 + cfg.lambd * h.lr * t).powf(cfg.alpha);
        st.mu = 1.0 / (t - cfg.t0).max(1.0);
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first step uses η = γ; the average starts as a copy and, past t₀, is the mean of
    /// the iterates since then.
    #[test]
    fn steps_and_averages_as_torch() {
        let cfg = AsgdConfig {
            lr: 0.5,
            lambd: 0.0,
            t0: 1.0,
            ..Default::default()
        };
        let mut opt = Asgd::<f64>::new(cfg).unwrap();
        let mut x = [0.0];
        opt.step(&mut x, &mut [1.0]);
        assert_eq!(x, [-0.5]);
        assert_eq!(opt.average(), [-0.5]);
        // After t = 1 and t = 2, μ = 1/max(1, t − 1) = 1: steps 2 and 3 copy again.
        opt.step(&mut x, &mut [1.0]);
        assert_eq!(opt.average(), [-1.0]);
        // After t = 3, μ = 1/2: step 4 averages.
        opt.step(&mut x, &mut [1.0]);
        assert_eq!(opt.average(), [-1.5]);
        opt.step(&mut x, &mut [1.0]);
        assert_eq!(x, [-2.0]);
        assert_eq!(opt.average(), [-1.75]);
    }

    #[test]
    fn validates_as_torch() {
        for (cfg, key) in [
            (
                AsgdConfig {
                    lambd: -1.0,
                    ..Default::default()
                },
                "lambd",
            ),
            (
                AsgdConfig {
                    alpha: -0.5,
                    ..Default::default()
                },
                "alpha",
            ),
            (
                AsgdConfig {
                    weight_decay: -0.1,
                    ..Default::default()
                },
                "weight_decay",
            ),
        ] {
            match Asgd::<f64>::new(cfg) {
                Err(crate::Error::InvalidParameter { key: k, .. }) => assert_eq!(k, key),
                other => panic!("{key}: {:?}", other.err()),
            }
        }
    }
}
