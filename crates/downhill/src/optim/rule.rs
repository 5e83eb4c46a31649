//! An optimiser is its config, its state and its step: the [`Rule`] trait, and [`Optim`],
//! the one generic type that makes every rule an [`Optimizer`].
//!
//! A rule's file holds its config (the hyperparameters, one serde struct that is also the
//! registry [`Entry`]), its state (a `#[derive(Serialize, Deserialize)]` struct whose field
//! names are the checkpoint keys) and a pure update `step(config, state, hyper, params,
//! grad)`, where [`Hyper`] carries the scheduled learning rate and momentum, as optax's
//! `init`/`update` pair and burn's lr-as-argument do. [`Optim`] owns the config, the state,
//! the scheduled [`Hyper`] and the tensor layout, and implements everything else a loop needs:
//! the scheduled hyperparameters, checkpoints (`lr` and the momentum key beside the state's
//! own fields, as in every earlier version), the layout and the skipped-step count.
//!
//! ```
//! use downhill::optim::{Optim, Optimizer, SgdConfig};
//!
//! // Plain SGD is `Optim<SgdConfig, T>` (alias `Sgd<T>`).
//! let mut opt = Optim::<SgdConfig, f64>::new(SgdConfig { lr: 0.1, ..Default::default() })?;
//! let (mut x, mut g) = ([1.0], [2.0]);
//! opt.step(&mut x, &mut g);
//! assert_eq!(x, [0.8]);
//! assert_eq!(opt.hyper(0).lr, 0.1);
//! # Ok::<(), downhill::Error>(())
//! ```

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::registry::{Entry, Named};
use super::{Optimizer, OptimizerState, Shape, StepOutcome};
use crate::{Error, Float, Result};

/// The hyperparameters a schedule drives, per parameter group: the learning rate and, for the
/// rules that have one, the momentum coefficient (`momentum` of sgd, rmsprop, muon and
/// `momentum`; `betas[0]` of the Adam family and lion).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyper {
    /// The learning rate.
    pub lr: f64,
    /// The momentum coefficient, `None` for a rule without one.
    pub momentum: Option<f64>,
}

impl Hyper {
    /// What [`super::Optimizer::hyper`] gives for a group that does not exist: NaN lr, no
    /// momentum.
    pub const ABSENT: Hyper = Hyper {
        lr: f64::NAN,
        momentum: None,
    };
    /// The momentum coefficient (0 for a rule without one).
    pub fn mu(&self) -> f64 {
        self.momentum.unwrap_or(0.0)
    }
}

/// A first-order update rule, implemented by its config type (see the [module docs](self)).
pub trait Rule: Entry + Named + Send + 'static {
    /// What it carries from step to step. Its field names are the checkpoint keys (beside
    /// `lr` and [`Rule::MOMENTUM_KEY`], which [`Optim`] writes).
    type State<T: Float>: Serialize + DeserializeOwned + Clone + Debug + Send;
    /// The checkpoint key of the scheduled momentum (`"momentum"`, `"beta1"`), if any.
    const MOMENTUM_KEY: Option<&'static str> = None;
    /// The scheduled momentum it starts with (`Some` exactly when `MOMENTUM_KEY` is).
    fn momentum(&self) -> Option<f64> {
        None
    }
    /// The state before the first step.
    fn init<T: Float>(&self) -> Self::State<T>;
    /// One update of `params` in place, from `grad` (which it may overwrite), with the
    /// scheduled `hyper`. `shapes` is the tensor layout of `params` (its lengths add up to
    /// `params.len()`; one vector unless [`Optimizer::set_shapes`] gave another).
    fn step<T: Float>(
        &self,
        state: &mut Self::State<T>,
        hyper: Hyper,
        params: &mut [T],
        grad: &mut [T],
        shapes: &[Shape],
    ) -> StepOutcome;
    /// Called after a checkpoint is loaded (e.g. to store buffers in the configured precision).
    fn after_load<T: Float>(&self, _state: &mut Self::State<T>) {}
    /// Checks a tensor layout before [`Optimizer::set_shapes`] keeps it (Muon refuses
    /// vectors, naming `params[i]`).
    fn check_shapes(&self, _shapes: &[Shape]) -> Result<()> {
        Ok(())
    }
    /// Moves its random draws to stream `stream` of its seed ([`Optimizer::set_stream`]).
    fn set_stream<T: Float>(&self, _state: &mut Self::State<T>, _stream: u64) {}
    /// Receives the loss at the next step's gradient point ([`Optimizer::set_loss`]).
    fn set_loss<T: Float>(&self, _state: &mut Self::State<T>, _loss: f64) {}
    /// Where the next gradient must be evaluated ([`Optimizer::gradient_point`]).
    fn gradient_point<T: Float>(
        &self,
        _state: &Self::State<T>,
        _hyper: Hyper,
        _params: &[T],
        _out: &mut [T],
    ) -> bool {
        false
    }
    /// The point to evaluate, save and report ([`Optimizer::eval_point`]).
    fn eval_point<T: Float>(
        &self,
        _state: &Self::State<T>,
        _hyper: Hyper,
        _params: &[T],
        _out: &mut [T],
    ) -> bool {
        false
    }
}

/// The [`Optimizer`] of a [`Rule`] `R` over parameters of type `T`: its config, its state,
/// the scheduled [`Hyper`] and the tensor layout. `Adam<T>`, `Sgd<T>`, … are aliases of it.
#[derive(Debug, Clone)]
pub struct Optim<R: Rule, T: Float> {
    cfg: R,
    hyper: Hyper,
    state: R::State<T>,
    shapes: Vec<Shape>,
    skipped: usize,
}

impl<R: Rule, T: Float> Optim<R, T> {
    /// Validates `cfg` as PyTorch's constructor does ([`Error::InvalidParameter`] naming the
    /// key) and builds the optimiser.
    pub fn new(cfg: R) -> Result<Self> {
        cfg.validate()?;
        Ok(Optim {
            hyper: Hyper {
                lr: cfg.lr(),
                momentum: cfg.momentum(),
            },
            state: cfg.init(),
            cfg,
            shapes: Vec::new(),
            skipped: 0,
        })
    }

    /// [`Optim::new`], boxed as an object (what [`Entry::build`] returns).
    pub fn boxed(cfg: &R) -> Result<Box<dyn Optimizer<T>>> {
        Ok(Box::new(Self::new(cfg.clone())?))
    }

    /// The hyperparameters it was built with. The scheduled ones (lr, momentum) are read with
    /// [`Optimizer::hyper`].
    pub fn config(&self) -> &R {
        &self.cfg
    }

    /// The state (what a checkpoint holds besides the scheduled hyperparameters).
    pub fn rule_state(&self) -> &R::State<T> {
        &self.state
    }
}

/// Reads the finite scalar `key` of `s`.
pub(super) fn scalar(s: &OptimizerState, key: &str) -> Result<f64> {
    match s.scalars.get(key) {
        Some(&x) if x.is_finite() => Ok(x),
        _ => Err(Error::Invalid(format!(
            "optimizer state `{}`: `{key}` is missing or not a finite number",
            s.name
        ))),
    }
}

impl<R: Rule, T: Float> Optimizer<T> for Optim<R, T> {
    fn name(&self) -> &'static str {
        R::NAME
    }

    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        let n = params.len();
        let one = [Shape::Vector(n)];
        let fits =
            !self.shapes.is_empty() && self.shapes.iter().map(Shape::len).sum::<usize>() == n;
        let shapes: &[Shape] = if fits { &self.shapes } else { &one };
        let outcome = self
            .cfg
            .step(&mut self.state, self.hyper, params, grad, shapes);
        if outcome == StepOutcome::Skipped {
            self.skipped += 1;
        }
        outcome
    }

    fn hyper(&self, _group: usize) -> Hyper {
        self.hyper
    }

    fn set_hyper(&mut self, _group: usize, hyper: Hyper) {
        self.hyper.lr = hyper.lr;
        if let (Some(_), Some(m)) = (self.hyper.momentum, hyper.momentum) {
            self.hyper.momentum = Some(m);
        }
    }

    fn gradient_point(&self, params: &[T], out: &mut [T]) -> bool {
        self.cfg
            .gradient_point(&self.state, self.hyper, params, out)
    }

    fn eval_point(&self, params: &[T], out: &mut [T]) -> bool {
        self.cfg.eval_point(&self.state, self.hyper, params, out)
    }

    fn skipped(&self) -> usize {
        self.skipped
    }

    fn set_loss(&mut self, loss: f64) {
        self.cfg.set_loss(&mut self.state, loss)
    }

    fn set_stream(&mut self, stream: u64) {
        self.cfg.set_stream(&mut self.state, stream)
    }

    fn set_shapes(&mut self, shapes: &[Shape]) -> Result<()> {
        self.cfg.check_shapes(shapes)?;
        self.shapes = shapes.to_vec();
        Ok(())
    }

    fn state(&self) -> OptimizerState {
        let mut s = OptimizerState::new(R::NAME);
        s.scalars.insert("lr".into(), self.hyper.lr);
        if let (Some(key), Some(m)) = (R::MOMENTUM_KEY, self.hyper.momentum) {
            s.scalars.insert(key.into(), m);
        }
        s.insert(&self.state);
        s
    }

    /// Checks the name, reads the state (scalars missing from `state`, as in states of older
    /// versions, keep their current values), then the scheduled lr and momentum.
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        state.expect_name(R::NAME)?;
        let mut merged = self.state();
        merged.scalars.extend(state.scalars.clone());
        merged.buffers = state.buffers.clone();
        let mut loaded: R::State<T> = merged.extract()?;
        let lr = scalar(&merged, "lr")?;
        let momentum = match R::MOMENTUM_KEY {
            Some(key) => Some(scalar(&merged, key)?),
            None => None,
        };
        self.cfg.after_load(&mut loaded);
        (self.state, self.hyper) = (loaded, Hyper { lr, momentum });
        Ok(())
    }
}
