//! Learning-rate (and momentum) schedules.
//!
//! A [`Schedule`] gives the learning rate to use at step `k` — the value PyTorch's
//! `get_last_lr()` returns after `k` calls of `scheduler.step()` — as a function of `k`.
//! Anything that reacts to metrics (reduce-on-plateau) is a separate stepping rule
//! ([`ReduceLrOnPlateau`]).
//!
//! # How PyTorch's values are reproduced
//!
//! Several PyTorch schedulers are *chainable*: `get_lr()` multiplies the optimiser's current
//! `group["lr"]` instead of evaluating a closed form, and [`ChainedScheduler`] /
//! [`SequentialLr`] compose those recursions through the shared param group (including each
//! scheduler's "initial step" in its constructor, and `SequentialLR`'s undo and closed-form jump
//! at milestones). To match PyTorch to the last bit, every PyTorch scheduler here implements
//! [`Scheduler`], a transcription of `torch.optim.lr_scheduler` acting on a [`Group`] (the
//! param group: `lr`, `initial_lr`, momentum, and the keys one-cycle stores there), and
//! [`Simulated`] turns a scheduler tree into a [`Schedule`] by stepping it (O(1) per step when
//! steps are asked in order; asking for an earlier step replays from a snapshot).
//!
//! ```
//! use downhill::schedule::{CosineAnnealingLrConfig, IntoSchedule, Schedule, ScheduleConfig};
//!
//! // CosineAnnealingLR(T_max = 10) on an optimiser with lr 0.1 (the config is the builder;
//! // `build` refuses invalid parameters, naming the key).
//! let mut s = CosineAnnealingLrConfig::new(10).build()?.schedule(0.1, None)?;
//! assert_eq!(s.lr(0), 0.1);
//! assert!((s.lr(5) - 0.05).abs() < 1e-15);
//!
//! // The same from a config (as the `[schedule]` table of a run), with a warm-up.
//! let cfg: ScheduleConfig = serde_json::from_str(
//!     r#"{"name": "cosine_annealing_lr", "t_max": 10, "warmup_steps": 2}"#,
//! ).unwrap();
//! let mut s = cfg.build(0.1, Some(0.9))?;
//! assert!((s.lr(0) - 0.1 / 3.0).abs() < 1e-15);
//! # Ok::<(), downhill::Error>(())
//! ```
//!
//! Beyond PyTorch, [`Adjusted`] applies the batch-size scaling rule, linear warm-up and
//! momentum retuning to any schedule, and [`BatchSizeSchedule`] grows the
//! batch size at milestones.

use std::fmt::Debug;

use crate::{Error, Result};

pub mod adjust;
pub mod common;
pub mod driver;
pub mod group_arg;
pub mod multiplier;
pub mod params;
pub mod registry;
pub mod valid;

/// The former home of [`ScheduleConfig`]: the registry (`schedule::config::ScheduleConfig`
/// keeps working).
pub use registry as config;

pub use adjust::{Adjusted, Adjustment, ScaleRule};
pub use common::{Common, Unit};
pub use driver::{apply, Driver, Made};
pub use group_arg::{GroupArg, Pick};
pub use multiplier::{Multiplied, Multiplier};
pub use params::ParamInfo;
pub use registry::{Catalog, Configure, Reference, ScheduleInfo};
pub use valid::{Check, Valid};
// Names that the modules of the table export besides their scheduler and config.
pub use cyclic_lr::{CyclicMode, ScaleMode};
pub use one_cycle_lr::AnnealStrategy;
pub use reduce_lr_on_plateau::{PlateauMode, ThresholdMode};

// The registry: one line per schedule (see `registry.rs`).
registry::registry! {
    /// `torch.optim.lr_scheduler.ConstantLR`.
    ConstantLr("constant_lr", constant_lr::{ConstantLr, ConstantLrConfig}, Torch),
    /// `LinearLR`.
    LinearLr("linear_lr", linear_lr::{LinearLr, LinearLrConfig}, Torch),
    /// `StepLR`.
    StepLr("step_lr", step_lr::{StepLr, StepLrConfig}, Torch),
    /// `MultiStepLR`.
    MultiStepLr("multi_step_lr", multi_step_lr::{MultiStepLr, MultiStepLrConfig}, Torch),
    /// `ExponentialLR`.
    ExponentialLr("exponential_lr", exponential_lr::{ExponentialLr, ExponentialLrConfig}, Torch),
    /// `PolynomialLR`.
    PolynomialLr("polynomial_lr", polynomial_lr::{PolynomialLr, PolynomialLrConfig}, Torch),
    /// `CosineAnnealingLR`.
    CosineAnnealingLr("cosine_annealing_lr", cosine_annealing_lr::{CosineAnnealingLr, CosineAnnealingLrConfig}, Torch),
    /// `CosineAnnealingWarmRestarts`.
    CosineAnnealingWarmRestarts("cosine_annealing_warm_restarts", cosine_annealing_warm_restarts::{CosineAnnealingWarmRestarts, CosineAnnealingWarmRestartsConfig}, Torch),
    /// `CyclicLR`.
    CyclicLr("cyclic_lr", cyclic_lr::{CyclicLr, CyclicLrConfig}, Torch),
    /// `OneCycleLR`.
    OneCycleLr("one_cycle_lr", one_cycle_lr::{OneCycleLr, OneCycleLrConfig}, Torch),
    /// `LambdaLR` (the lambda a formula in `epoch`).
    LambdaLr("lambda_lr", lambda_lr::{LambdaLr, LambdaLrConfig}, Torch),
    /// `MultiplicativeLR` (the lambda a formula in `epoch`).
    MultiplicativeLr("multiplicative_lr", multiplicative_lr::{MultiplicativeLr, MultiplicativeLrConfig}, Torch),
    /// `SequentialLR`.
    SequentialLr("sequential_lr", sequential_lr::{SequentialLr, SequentialLrConfig}, Torch),
    /// `ChainedScheduler`.
    ChainedScheduler("chained_scheduler", chained_scheduler::{ChainedScheduler, ChainedSchedulerConfig}, Torch),
    /// `ReduceLROnPlateau`.
    ReduceLrOnPlateau("reduce_lr_on_plateau", reduce_lr_on_plateau::{ReduceLrOnPlateau, ReduceLrOnPlateauConfig}, Torch),
    /// Batch-size growth (beyond PyTorch).
    BatchSizeSchedule("batch_size_schedule", batch_size::{BatchSizeSchedule, BatchSizeScheduleConfig}, ClosedForm),
    /// transformers' `get_linear_schedule_with_warmup`.
    LinearScheduleWithWarmup("linear_schedule_with_warmup", linear_schedule_with_warmup::{LinearScheduleWithWarmup, LinearScheduleWithWarmupConfig}, Transformers),
    /// transformers' `get_cosine_schedule_with_warmup`.
    CosineScheduleWithWarmup("cosine_schedule_with_warmup", cosine_schedule_with_warmup::{CosineScheduleWithWarmup, CosineScheduleWithWarmupConfig}, Transformers),
    /// transformers' `get_cosine_with_hard_restarts_schedule_with_warmup`.
    CosineWithHardRestartsScheduleWithWarmup("cosine_with_hard_restarts_schedule_with_warmup", cosine_with_hard_restarts_schedule_with_warmup::{CosineWithHardRestartsScheduleWithWarmup, CosineWithHardRestartsScheduleWithWarmupConfig}, Transformers),
    /// transformers' `get_polynomial_decay_schedule_with_warmup`.
    PolynomialDecayScheduleWithWarmup("polynomial_decay_schedule_with_warmup", polynomial_decay_schedule_with_warmup::{PolynomialDecayScheduleWithWarmup, PolynomialDecayScheduleWithWarmupConfig}, Transformers),
    /// transformers' `get_inverse_sqrt_schedule`.
    InverseSqrtSchedule("inverse_sqrt_schedule", inverse_sqrt_schedule::{InverseSqrtSchedule, InverseSqrtScheduleConfig}, Transformers),
    /// transformers' `get_wsd_schedule` (warmup-stable-decay).
    WsdSchedule("wsd_schedule", wsd_schedule::{WsdSchedule, WsdScheduleConfig}, Transformers),
}

/// A learning-rate schedule: a function of the step count.
///
/// Takes `&mut self` so that implementations may cache PyTorch's recursive forms; the value
/// for a given `step` must not depend on which steps were asked for before.
pub trait Schedule: Send {
    /// Learning rate to use at step `step` (after `step` calls of `scheduler.step()`).
    fn lr(&mut self, step: usize) -> f64;
    /// Momentum (sgd `momentum`, adam `betas[0]`) at `step`, if this schedule drives it.
    fn momentum(&mut self, _step: usize) -> Option<f64> {
        None
    }
    /// Batch size to use at `step` (or epoch) given the run's batch size; only
    /// [`BatchSizeSchedule`] changes it.
    fn batch_size(&mut self, _step: usize, batch_size: usize) -> usize {
        batch_size
    }
    /// The learning rate of parameter group `group` at `step` ([`PerGroup`] keeps one
    /// schedule per group; any other schedule drives every group alike).
    fn group_lr(&mut self, step: usize, _group: usize) -> f64 {
        self.lr(step)
    }
    /// The momentum of parameter group `group` at `step`, if driven.
    fn group_momentum(&mut self, step: usize, _group: usize) -> Option<f64> {
        self.momentum(step)
    }
}

/// One schedule per parameter group, each attached to its group's own initial lr and
/// momentum, as one PyTorch scheduler acts on every `param_group` of its optimiser: the
/// chainable and closed forms scale each group's `initial_lr`, and the schedulers that take
/// absolute values (`cyclic_lr`'s `base_lr`/`max_lr`, `one_cycle_lr`'s `max_lr`, the cycled
/// momenta) give every group the same value, as they do in PyTorch when given a scalar.
/// [`Schedule::lr`] is group 0's.
pub struct PerGroup(pub Vec<Box<dyn Schedule>>);

impl Schedule for PerGroup {
    fn lr(&mut self, step: usize) -> f64 {
        self.group_lr(step, 0)
    }
    fn momentum(&mut self, step: usize) -> Option<f64> {
        self.group_momentum(step, 0)
    }
    fn batch_size(&mut self, step: usize, batch_size: usize) -> usize {
        self.0
            .first_mut()
            .map_or(batch_size, |s| s.batch_size(step, batch_size))
    }
    fn group_lr(&mut self, step: usize, group: usize) -> f64 {
        self.0.get_mut(group).map_or(f64::NAN, |s| s.lr(step))
    }
    fn group_momentum(&mut self, step: usize, group: usize) -> Option<f64> {
        self.0.get_mut(group).and_then(|s| s.momentum(step))
    }
}

impl<S: Schedule + ?Sized> Schedule for Box<S> {
    fn lr(&mut self, step: usize) -> f64 {
        (**self).lr(step)
    }
    fn momentum(&mut self, step: usize) -> Option<f64> {
        (**self).momentum(step)
    }
    fn batch_size(&mut self, step: usize, batch_size: usize) -> usize {
        (**self).batch_size(step, batch_size)
    }
    fn group_lr(&mut self, step: usize, group: usize) -> f64 {
        (**self).group_lr(step, group)
    }
    fn group_momentum(&mut self, step: usize, group: usize) -> Option<f64> {
        (**self).group_momentum(step, group)
    }
}

/// The optimiser's param group as PyTorch's schedulers see and modify it.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// `group["lr"]`.
    pub lr: f64,
    /// `group["initial_lr"]` (set by the first scheduler attached; one-cycle overwrites it).
    pub initial_lr: Option<f64>,
    /// `group["momentum"]` (sgd) or `group["betas"][0]` (adam); `None` if the optimiser has none.
    pub momentum: Option<f64>,
    /// `group["max_lr"]` (one-cycle).
    pub max_lr: f64,
    /// `group["min_lr"]` (one-cycle).
    pub min_lr: f64,
    /// `group["max_momentum"]` (cyclic, one-cycle).
    pub max_momentum: f64,
    /// `group["base_momentum"]` (cyclic, one-cycle).
    pub base_momentum: f64,
    /// The optimizer's own lr (`optimizer.defaults["lr"]`: the top-level `[optimizer] lr`,
    /// which is group 0's), which transformers' polynomial decay divides by.
    pub optimizer_lr: f64,
}

impl Group {
    /// A fresh param group with learning rate `lr` and optional momentum.
    pub fn new(lr: f64, momentum: Option<f64>) -> Self {
        Group {
            lr,
            initial_lr: None,
            momentum,
            max_lr: 0.0,
            min_lr: 0.0,
            max_momentum: 0.0,
            base_momentum: 0.0,
            optimizer_lr: lr,
        }
    }
}

/// The bookkeeping of PyTorch's `LRScheduler` base class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Epochs {
    /// `last_epoch` (−1 before the initial step).
    pub last_epoch: i64,
    /// `_step_count`.
    pub step_count: usize,
    /// `_is_initial` (true only during the constructor's initial step).
    pub is_initial: bool,
    /// `base_lrs[0]`.
    pub base_lr: f64,
}

impl Default for Epochs {
    fn default() -> Self {
        Epochs {
            last_epoch: -1,
            step_count: 0,
            is_initial: false,
            base_lr: 0.0,
        }
    }
}

/// A PyTorch `LRScheduler`, transcribed: it acts on a [`Group`] exactly as the Python class acts
/// on `optimizer.param_groups[0]`. The default methods are those of the base class.
pub trait Scheduler: Send + Debug {
    /// PyTorch's constructor checks (none by default).
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    /// The base-class bookkeeping.
    fn epochs(&mut self) -> &mut Epochs;
    /// `get_lr()`: the next lr (may set the group's momentum as a side effect).
    fn get_lr(&mut self, g: &mut Group) -> f64;
    /// `_get_closed_form_lr()`, for the schedulers that have one.
    fn closed_form(&mut self, _g: &Group) -> Option<f64> {
        None
    }
    /// A boxed copy (for replaying from a snapshot).
    fn box_clone(&self) -> Box<dyn Scheduler>;
    /// `__init__(optimizer, last_epoch)` on an optimiser whose group is `g`, including the
    /// initial step (`last_epoch = -1`: a fresh start; otherwise a resume, which needs
    /// `g.initial_lr`).
    fn attach(&mut self, g: &mut Group, last_epoch: i64) -> Result<()> {
        self.validate()?;
        attach_base(self, g, last_epoch)
    }
    /// `step()`.
    fn step(&mut self, g: &mut Group) {
        self.epochs().step_count += 1;
        self.update_lr(g, None);
    }
    /// `_update_lr(epoch)`.
    fn update_lr(&mut self, g: &mut Group, epoch: Option<i64>) {
        let v = match epoch {
            None => {
                self.epochs().last_epoch += 1;
                self.get_lr(g)
            }
            Some(e) => {
                self.epochs().last_epoch = e;
                match self.closed_form(g) {
                    Some(v) => v,
                    None => self.get_lr(g),
                }
            }
        };
        g.lr = v;
    }
    /// `_initial_step()`.
    fn initial_step(&mut self, g: &mut Group) {
        self.epochs().step_count = 0;
        self.epochs().is_initial = true;
        self.step(g);
        self.epochs().is_initial = false;
    }
    /// `SequentialLR.recursive_undo` on this scheduler.
    fn undo(&mut self) {
        self.epochs().last_epoch -= 1;
    }
    /// Whether this scheduler (or one inside it) sets the momentum.
    fn drives_momentum(&self) -> bool {
        false
    }
    /// Whether this is a combinator (sequential, chained).
    fn is_composite(&self) -> bool {
        false
    }
}

impl Clone for Box<dyn Scheduler> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// The base-class part of `__init__(optimizer, last_epoch)`: with `last_epoch = -1`,
/// `initial_lr` set to the lr unless the group has one; otherwise the group must have
/// `initial_lr` (PyTorch's `KeyError`); `base_lrs` read from it, `last_epoch` set, then the
/// initial step (so a resumed scheduler's first lr is that of epoch `last_epoch + 1`).
pub fn attach_base<S: Scheduler + ?Sized>(s: &mut S, g: &mut Group, last_epoch: i64) -> Result<()> {
    let initial = if last_epoch == -1 {
        *g.initial_lr.get_or_insert(g.lr)
    } else {
        check_resume(g, last_epoch)?
    };
    let e = s.epochs();
    e.base_lr = initial;
    e.last_epoch = last_epoch;
    s.initial_step(g);
    Ok(())
}

/// A resume's checks: `last_epoch >= 0` and the group's `initial_lr`, which it returns.
pub(crate) fn check_resume(g: &Group, last_epoch: i64) -> Result<f64> {
    if last_epoch < -1 {
        return Err(Error::param(
            "last_epoch",
            last_epoch,
            "must be -1 (a fresh start) or the index of the last epoch (>= 0)",
        ));
    }
    g.initial_lr.ok_or_else(|| {
        Error::param(
            "initial_lr",
            "none",
            "is needed when resuming with last_epoch (PyTorch: param 'initial_lr' is not \
             specified in param_groups[i] when resuming an optimizer)",
        )
    })
}

/// A [`Scheduler`] tree attached to a fresh param group, read as a [`Schedule`].
#[derive(Debug, Clone)]
pub struct Simulated {
    start: (Box<dyn Scheduler>, Group),
    root: Box<dyn Scheduler>,
    group: Group,
    k: usize,
    momentum: bool,
}

impl Simulated {
    /// Attaches `scheduler` to an optimiser with learning rate `base_lr` and momentum
    /// `base_momentum` (`None` when the optimiser has no momentum), as the PyTorch
    /// constructor would, validating the parameters.
    pub fn new(
        scheduler: Box<dyn Scheduler>,
        base_lr: f64,
        base_momentum: Option<f64>,
    ) -> Result<Self> {
        Simulated::resume(scheduler, Group::new(base_lr, base_momentum), -1)
    }

    /// Attaches `scheduler` to the param group `group` as `__init__(optimizer, last_epoch)`
    /// would: `last_epoch = -1` starts afresh (keeping `group.initial_lr` if set, as PyTorch's
    /// `setdefault` does); any other value resumes, and needs `group.initial_lr`. Step 0 of
    /// the schedule is then the lr of epoch `last_epoch + 1`.
    pub fn resume(
        mut scheduler: Box<dyn Scheduler>,
        mut group: Group,
        last_epoch: i64,
    ) -> Result<Self> {
        scheduler.attach(&mut group, last_epoch)?;
        Ok(Simulated {
            momentum: scheduler.drives_momentum(),
            start: (scheduler.box_clone(), group.clone()),
            root: scheduler,
            group,
            k: 0,
        })
    }

    /// Whether the schedule sets the momentum (cycle_momentum somewhere in the tree).
    pub fn drives_momentum(&self) -> bool {
        self.momentum
    }

    fn advance(&mut self, step: usize) {
        if step < self.k {
            self.root = self.start.0.box_clone();
            self.group = self.start.1.clone();
            self.k = 0;
        }
        while self.k < step {
            self.root.step(&mut self.group);
            self.k += 1;
        }
    }
}

impl Schedule for Simulated {
    fn lr(&mut self, step: usize) -> f64 {
        self.advance(step);
        self.group.lr
    }
    fn momentum(&mut self, step: usize) -> Option<f64> {
        if !self.momentum {
            return None;
        }
        self.advance(step);
        self.group.momentum
    }
}

/// Builds [`Simulated`] from a scheduler value.
pub trait IntoSchedule: Scheduler + Sized + 'static {
    /// Attaches `self` to an optimiser with `base_lr` and `base_momentum` (see [`Simulated::new`]).
    fn schedule(self, base_lr: f64, base_momentum: Option<f64>) -> Result<Simulated> {
        Simulated::new(Box::new(self), base_lr, base_momentum)
    }
}

impl<S: Scheduler + Sized + 'static> IntoSchedule for S {}

/// Errors unless `x >= 1` (step sizes, periods).
pub(crate) fn check_positive(key: &str, x: usize) -> Result<()> {
    if x == 0 {
        return Err(Error::param(key, x, "must be a positive integer"));
    }
    Ok(())
}

/// Errors unless `x` is finite.
pub(crate) fn check_finite(key: &str, x: f64) -> Result<()> {
    if !x.is_finite() {
        return Err(Error::param(key, x, "must be finite"));
    }
    Ok(())
}

/// Implements the boilerplate of [`Scheduler`] (`epochs`, `box_clone`) for a struct with an
/// `e: Epochs` field.
macro_rules! scheduler_boilerplate {
    () => {
        fn epochs(&mut self) -> &mut $crate::schedule::Epochs {
            &mut self.e
        }
        fn box_clone(&self) -> Box<dyn $crate::schedule::Scheduler> {
            Box::new(self.clone())
        }
    };
}
pub(crate) use scheduler_boilerplate;

/// The [`Scheduler`] methods a combinator over `self.schedulers` shares: it writes no lr of its
/// own, undoes every inner scheduler, drives the momentum if any inner one does, and is composite.
macro_rules! combinator_boilerplate {
    () => {
        fn get_lr(&mut self, g: &mut $crate::schedule::Group) -> f64 {
            g.lr
        }
        fn undo(&mut self) {
            for s in &mut self.schedulers {
                s.undo();
            }
        }
        fn drives_momentum(&self) -> bool {
            self.schedulers.iter().any(|s| s.drives_momentum())
        }
        fn is_composite(&self) -> bool {
            true
        }
    };
}
pub(crate) use combinator_boilerplate;
