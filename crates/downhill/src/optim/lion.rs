//! Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms").

use serde::{Deserialize, Serialize};

use super::adam::BETAS;
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{sign, signed, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome};
use crate::Float;

crate::hyperparameters! {
    /// `lion`: the hyperparameters of [`Lion`] (the paper's defaults: lr 1e-4, betas (0.9, 0.99)).
    pub struct LionConfig {
        /// Learning rate γ.
        lr: f64 = 1e-4, [LR],
        /// (β₁, β₂).
        #[serde(deserialize_with = "super::exact_pair")]
        betas: [f64; 2] = [0.9, 0.99], [BETAS],
        /// Decoupled weight decay λ.
        weight_decay: f64 = 0.0, [Kind::Float, AtLeast(0.0), "decoupled weight decay"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for LionConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "Lion: the sign of an interpolated momentum (Chen et al. 2023).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Lion`] carries from step to step (the checkpoint keys of every version).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LionState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// The momentum m.
    pub exp_avg: StateBuf<T>,
}

/// Lion: the sign of an interpolated momentum, with decoupled weight decay. Not in PyTorch;
/// this is the paper's rule (Algorithm 2).
///
/// With learning rate γ (default 1e-4), betas (β₁, β₂) (default (0.9, 0.99)), weight decay λ
/// (default 0), m₀ = 0:
///
/// ```text
/// g ← ∇f(θ)                     (−∇f(θ) if maximize)
/// c ← β₁m + (1 − β₁)g
/// θ ← θ − γ(sign(c) + λθ)
/// m ← β₂m + (1 − β₂)g
/// ```
///
/// sign(0) = 0, as `torch.sign`. Every coordinate moves by exactly γ (plus decay) unless c = 0,
/// so Lion wants a learning rate 3–10× smaller than AdamW's.
pub type Lion<T> = Optim<LionConfig, T>;

impl Rule for LionConfig {
    type State<T: Float> = LionState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("beta1");
    fn momentum(&self) -> Option<f64> {
        Some(self.betas[0])
    }
    fn init<T: Float>(&self) -> LionState<T> {
        LionState {
            step: 0,
            exp_avg: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut LionState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let cfg = self;
        let exp_avg = st.exp_avg.full_of(params.len(), T::zero());
        st.step += 1;
        let (beta1, beta2) = (h.mu(), cfg.betas[1]);
        let (b1, w1) = (T::of(beta1), T::of(1.0 - beta1));
        let (b2, w2) = (T::of(beta2), T::of(1.0 - beta2));
        let lr = T::of(h.lr);
        let wd = T::of(cfg.weight_decay);
        for ((p, g), m) in params.iter_mut().zip(grad.iter()).zip(exp_avg.iter_mut()) {
            let g = signed(*g, cfg.maximize);
            let c = b1 * *m + w1 * g;
            *p = *p - lr * (sign(c) + wd * *p);
            *m = b2 * *m + w2 * g;
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each coordinate moves by exactly γ; a zero c leaves it in place.
    #[test]
    fn moves_by_sign() {
        let cfg = LionConfig {
            lr: 0.01,
            ..Default::default()
        };
        let mut opt = Lion::<f64>::new(cfg).unwrap();
        let mut x = [1.0, 1.0, 1.0];
        opt.step(&mut x, &mut [5.0, -1e-3, 0.0]);
        assert_eq!(x, [0.99, 1.01, 1.0]);
    }
}
