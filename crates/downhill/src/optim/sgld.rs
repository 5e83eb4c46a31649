//! Stochastic gradient Langevin dynamics (Welling & Teh 2011, "Bayesian Learning via
//! Stochastic Gradient Langevin Dynamics"): SGD with Gaussian noise, so that the iterates
//! sample exp(−U/T) instead of settling in a minimum of U.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::{Hyper, Optim, Optimizer, Rule, Shape, StepOutcome, WeightDecay};
use crate::{Float, Result};

crate::hyperparameters! {
    /// `sgld`: the hyperparameters of [`Sgld`] (Welling & Teh's ε is `lr`).
    pub struct SgldConfig {
        /// Learning rate ε (the step of the discretised Langevin diffusion is ε/2).
        lr: f64 = 1e-3, [LR],
        /// Temperature T of the sampled density exp(−U/T) (0: plain SGD with lr/2).
        temperature: f64 = 1.0, [Kind::Float, AtLeast(0.0), "temperature T of the sampled density exp(-U/T)"],
        /// Weight decay λ (L2 penalty, added to the gradient: a Gaussian prior).
        weight_decay: f64 = 0.0, [WEIGHT_DECAY],
        /// Gradient ascent (samples exp(+U/T)).
        maximize: bool = false, [MAXIMIZE],
        /// Seed of the noise (`ChaCha8Rng::seed_from_u64(seed)`), at most 2⁵³.
        seed: u64 = 0, [Kind::Int, Closed(0.0, 9007199254740992.0), "seed of the noise (ChaCha8), at most 2^53"],
    }
}

impl Entry for SgldConfig {
    const KIND: EntryKind = EntryKind::FirstOrder;
    const COUPLES_TENSORS: bool = true;
    const DOC: &'static str =
        "SGLD: SGD plus Gaussian noise N(0, lr·T), sampling exp(-U/T) (Welling & Teh 2011).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Optim::boxed(self)
    }
}

/// What [`Sgld`] carries from step to step (beside `lr`): the step count and the position
/// of its noise stream, so that a resumed run draws the same noise as an uninterrupted one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SgldState {
    /// Steps taken.
    pub step: u64,
    /// The seed of the noise stream.
    pub seed: u64,
    /// 64-bit words drawn from the stream so far.
    pub draws: u64,
    /// The stream of `seed` it draws from (ChaCha's `set_stream`): its parameter group's
    /// index ([`Optimizer::set_stream`]), 0 for an ungrouped run (absent in older states: 0).
    #[serde(default)]
    pub stream: u64,
    /// The generator, at word `draws` of the stream of `seed` (rebuilt from them on first
    /// use, so a loaded state continues the stream).
    #[serde(skip)]
    rng: Option<ChaCha8Rng>,
}

/// `sgld`: θ ← θ − (ε/2)·g + N(0, ε·T) per coordinate, where g = ∇U(θ) (+ λθ with weight
/// decay, −∇U if maximize), ε the (scheduled) learning rate and T the temperature. For small
/// ε the iterates sample the density ∝ exp(−U/T) (Welling & Teh 2011, eq. 4, with the
/// gradient of the log posterior −∇U).
///
/// The noise is one stream, `ChaCha8Rng::seed_from_u64(seed)`, read in a fixed order: at each
/// step the coordinates in pairs (0, 1), (2, 3), …, each pair from two 64-bit words a, b by
/// Box–Muller,
///
/// ```text
/// u₁ = ((a >> 11) + 1)·2⁻⁵³ ∈ (0, 1],   u₂ = (b >> 11)·2⁻⁵³ ∈ [0, 1)
/// z₀ = √(−2 ln u₁)·cos(2πu₂),   z₁ = √(−2 ln u₁)·sin(2πu₂)
/// ```
///
/// (an odd last coordinate uses z₀ of its pair), so a step of n coordinates reads 2⌈n/2⌉
/// words. With `param_groups`, group g (in order) draws from stream g of the seed
/// (`ChaCha8Rng::set_stream(g)`, [`Optimizer::set_stream`]), so the groups' noises are
/// independent; group 0 draws the stream of an ungrouped run. The update is sequential per
/// coordinate: the same bits at any thread count. The stream's position (`draws`), `seed`
/// and `stream` are in the checkpoint, so a resumed run is
/// bit-identical to an uninterrupted one.
pub type Sgld<T> = Optim<SgldConfig, T>;

/// `(a >> 11)·2⁻⁵³`.
fn unit(a: u64) -> f64 {
    (a >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The pair of standard normal numbers that Box–Muller makes from the words `a`, `b` (see
/// [`Sgld`]).
pub fn box_muller(a: u64, b: u64) -> (f64, f64) {
    let u1 = unit(a) + 1.0 / (1u64 << 53) as f64;
    let r = (-2.0 * u1.ln()).sqrt();
    let theta = 2.0 * std::f64::consts::PI * unit(b);
    (r * theta.cos(), r * theta.sin())
}

impl SgldState {
    /// The generator at the state's position.
    fn rng(&mut self) -> &mut ChaCha8Rng {
        let (seed, draws, stream) = (self.seed, self.draws, self.stream);
        self.rng.get_or_insert_with(|| {
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            if stream != 0 {
                r.set_stream(stream);
            }
            r.set_word_pos(2 * draws as u128);
            r
        })
    }
}

impl Rule for SgldConfig {
    type State<T: Float> = SgldState;

    fn init<T: Float>(&self) -> SgldState {
        SgldState {
            step: 0,
            seed: self.seed,
            draws: 0,
            stream: 0,
            rng: None,
        }
    }

    fn step<T: Float>(
        &self,
        st: &mut SgldState,
        h: Hyper,
        params: &mut [T],
        grad: &mut [T],
        _shapes: &[Shape],
    ) -> StepOutcome {
        st.step += 1;
        let wd = WeightDecay::<T>::new(h.lr, self.weight_decay, false, self.maximize);
        let (half, sigma) = (T::of(h.lr / 2.0), T::of((h.lr * self.temperature).sqrt()));
        let rng = st.rng();
        let mut draws = 0;
        for (p, g) in params.chunks_mut(2).zip(grad.chunks(2)) {
            let (a, b) = (rng.next_u64(), rng.next_u64());
            draws += 2;
            let (z0, z1) = box_muller(a, b);
            for ((p, &g), z) in p.iter_mut().zip(g).zip([z0, z1]) {
                let g = wd.apply(p, g);
                *p = *p - half * g + sigma * T::of(z);
            }
        }
        st.draws += draws;
        StepOutcome::Applied
    }

    fn after_load<T: Float>(&self, st: &mut SgldState) {
        st.rng = None;
    }

    fn set_stream<T: Float>(&self, st: &mut SgldState, stream: u64) {
        if st.stream != stream {
            (st.stream, st.rng) = (stream, None);
        }
    }
}

#[cfg(test)]
mod tests;
