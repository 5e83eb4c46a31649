//! RMSprop, as `torch.optim.RMSprop`.

use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::state::StateBuf;
use super::{lerp, Hyper, Optim, Optimizer, Rule, Shape, StepOutcome, WeightDecay};
use crate::Float;

crate::hyperparameters! {
    /// `rmsprop`: the hyperparameters of [`RmsProp`], PyTorch's names and defaults.
    pub struct RmsPropConfig {
        /// Learning rate γ.
        lr: f64 = 1e-2, [LR],
        /// ε.
        eps: f64 = 1e-8, [EPS],
        /// Momentum μ.
        momentum: f64 = 0.0, [Kind::Float, AtLeast(0.0), "momentum factor"],
        /// Weight decay λ.
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Smoothing constant α.
        alpha: f64 = 0.99, [Kind::Float, AtLeast(0.0), "smoothing constant"],
        /// Normalise by the centred second moment.
        centered: bool = false, [Kind::Bool, Any, "normalise by the centred second moment"],
        /// Gradient ascent.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl Entry for RmsPropConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const DOC: &'static str = "RMSprop: steps divided by a running RMS of the gradient.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> crate::Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`RmsProp`] carries from step to step (the checkpoint keys of every version).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct RmsPropState<T: Float> {
    /// Steps taken.
    pub step: u64,
    /// Running mean of g², v.
    pub square_avg: StateBuf<T>,
    /// Running mean of g, ḡ (centered only).
    pub grad_avg: StateBuf<T>,
    /// The momentum buffer b (μ > 0 only).
    pub momentum_buffer: StateBuf<T>,
}

/// `torch.optim.RMSprop`: steps divided by a running root-mean-square of the gradient, with
/// optional centring and momentum.
///
/// With learning rate γ, smoothing α, ε, weight decay λ, momentum μ, at each step
/// (v = ḡ = b = 0 initially):
///
/// ```text
/// g ← ∇f(θ)                     (−∇f(θ) if maximize)
/// g ← g + λθ                     if λ ≠ 0
/// v ← αv + (1 − α)g²
/// ḡ ← lerp(ḡ, g, 1 − α)          if centered
/// d ← √(v − ḡ²) + ε              if centered, else d ← √v + ε
/// b ← μb + g/d;  θ ← θ − γb      if μ > 0
/// θ ← θ − γ·g/d                  otherwise
/// ```
///
/// ε is added outside the square root, and there is no bias correction (unlike Adam).
pub type RmsProp<T> = Optim<RmsPropConfig, T>;

impl Rule for RmsPropConfig {
    type State<T: Float> = RmsPropState<T>;
    const MOMENTUM_KEY: Option<&'static str> = Some("momentum");
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn init<T: Float>(&self) -> RmsPropState<T> {
        RmsPropState {
            step: 0,
            square_avg: StateBuf::default(),
            grad_avg: StateBuf::default(),
            momentum_buffer: StateBuf::default(),
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut RmsPropState<T>,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        let cfg = self;
        let n = params.len();
        let square_avg = st.square_avg.full_of(n, T::zero());
        let grad_avg = if cfg.centered {
            st.grad_avg.full_of(n, T::zero())
        } else {
            &mut []
        };
        let use_momentum = h.mu() > 0.0;
        let buf = if use_momentum {
            st.momentum_buffer.full_of(n, T::zero())
        } else {
            &mut []
        };
        st.step += 1;
        let (alpha, w) = (T::of(cfg.alpha), T::of(1.0 - cfg.alpha));
        let eps = T::of(cfg.eps);
        let decay = WeightDecay::<T>::new(h.lr, cfg.weight_decay, false, cfg.maximize);
        let mu = T::of(h.mu());
        let neg_lr = T::of(-h.lr);
        for (i, (p, g)) in params.iter_mut().zip(grad.iter()).enumerate() {
            let g = decay.apply(p, *g);
            let v = &mut square_avg[i];
            *v = *v * alpha + w * g * g;
            let avg = if cfg.centered {
                let ga = &mut grad_avg[i];
                *ga = lerp(*ga, g, w);
                (*v - *ga * *ga).sqrt()
            } else {
                v.sqrt()
            } + eps;
            if use_momentum {
                let b = &mut buf[i];
                *b = *b * mu + g / avg;
                *p += neg_lr * *b;
            } else {
                *p += neg_lr * g / avg;
            }
        }
        StepOutcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First step by hand: v = (1 − α)g², θ ← θ − γg/(√(1 − α)|g| + ε).
    #[test]
    fn first_step() {
        let cfg = RmsPropConfig {
            lr: 0.01,
            eps: 0.0,
            ..Default::default()
        };
        let mut opt = RmsProp::<f64>::new(cfg).unwrap();
        let mut x = [1.0];
        opt.step(&mut x, &mut [2.0]);
        assert!((x[0] - (1.0 - 0.01 / 0.1)).abs() < 1e-12);
    }
}
