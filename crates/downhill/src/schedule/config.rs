//! Schedule configurations: PyTorch's parameter names and defaults, deserialisable from a
//! config table (`name` selects the schedule; the other keys are its parameters).
//!
//! Representation: [`ScheduleConfig`] is an enum tagged by `name`; every variant's struct carries,
//! besides PyTorch's parameters, the keys allowed on any schedule (`warmup_steps`,
//! `warmup_start_factor`, `retune_momentum`, `scale_rule`, `base_batch_size`, `unit`), gathered
//! by [`ScheduleConfig::common`] into [`Common`] (the structs are declared by one macro, so
//! `deny_unknown_fields` still holds). These keys act on the whole (top-level) schedule; on the
//! inner `schedulers` of `sequential_lr` / `chained_scheduler` they are rejected.

use serde::{Deserialize, Serialize};

use super::{
    Adjusted, Adjustment, AnnealStrategy, BatchSizeSchedule, ChainedScheduler, ConstantLr,
    CosineAnnealingLr, CosineAnnealingWarmRestarts, CyclicLr, CyclicMode, ExponentialLr, LinearLr,
    MultiStepLr, OneCycleLr, PlateauMode, PolynomialLr, ReduceLrOnPlateau, ScaleRule, Schedule,
    Scheduler, SequentialLr, Simulated, StepLr, ThresholdMode,
};
use crate::{Error, Result};

/// Every schedule name accepted by [`ScheduleConfig::from_named`].
pub const NAMES: &[&str] = &[
    "constant_lr",
    "linear_lr",
    "step_lr",
    "multi_step_lr",
    "exponential_lr",
    "polynomial_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "cyclic_lr",
    "one_cycle_lr",
    "sequential_lr",
    "chained_scheduler",
    "reduce_lr_on_plateau",
    "batch_size_schedule",
];

/// What a schedule's step counts, for the training loop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// One `scheduler.step()` per optimiser step (default).
    #[default]
    Step,
    /// One `scheduler.step()` per epoch.
    Epoch,
}

/// The keys allowed on any (top-level) schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Common {
    /// Linear warm-up length (0: none).
    pub warmup_steps: usize,
    /// Warm-up start factor (default 1/3, as `LinearLR`).
    pub warmup_start_factor: f64,
    /// Retune momentum from the lr (seed 003).
    pub retune_momentum: bool,
    /// Batch-size scaling rule.
    pub scale_rule: Option<ScaleRule>,
    /// Batch size the base lr was tuned for.
    pub base_batch_size: Option<usize>,
    /// Step or epoch.
    pub unit: Unit,
}

impl Default for Common {
    fn default() -> Self {
        Common {
            warmup_steps: 0,
            warmup_start_factor: default_third(),
            retune_momentum: false,
            scale_rule: None,
            base_batch_size: None,
            unit: Unit::Step,
        }
    }
}

impl Common {
    /// The first key that differs from its default (for "not allowed here" errors).
    fn first_set(&self) -> Option<&'static str> {
        let d = Common::default();
        [
            (self.warmup_steps != d.warmup_steps, "warmup_steps"),
            (
                self.warmup_start_factor != d.warmup_start_factor,
                "warmup_start_factor",
            ),
            (self.retune_momentum, "retune_momentum"),
            (self.scale_rule.is_some(), "scale_rule"),
            (self.base_batch_size.is_some(), "base_batch_size"),
            (self.unit != d.unit, "unit"),
        ]
        .into_iter()
        .find_map(|(set, k)| set.then_some(k))
    }
}

fn default_third() -> f64 {
    1.0 / 3.0
}
fn default_five() -> usize {
    5
}
fn default_one() -> f64 {
    1.0
}
fn default_one_usize() -> usize {
    1
}
fn default_tenth() -> f64 {
    0.1
}
fn default_true() -> bool {
    true
}
fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero(n: &usize) -> bool {
    *n == 0
}
fn is_third(x: &f64) -> bool {
    *x == default_third()
}
fn is_step(u: &Unit) -> bool {
    *u == Unit::Step
}

macro_rules! params {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
            /// Linear warm-up length in steps (0: none).
            #[serde(default, skip_serializing_if = "is_zero")]
            pub warmup_steps: usize,
            /// Warm-up start factor (default 1/3).
            #[serde(default = "default_third", skip_serializing_if = "is_third")]
            pub warmup_start_factor: f64,
            /// Retune momentum from the lr (seed 003).
            #[serde(default, skip_serializing_if = "is_false")]
            pub retune_momentum: bool,
            /// Batch-size scaling rule.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub scale_rule: Option<ScaleRule>,
            /// Batch size the base lr was tuned for.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub base_batch_size: Option<usize>,
            /// Step or epoch.
            #[serde(default, skip_serializing_if = "is_step")]
            pub unit: Unit,
        }

        impl $name {
            /// The keys allowed on any schedule.
            pub fn common(&self) -> Common {
                Common {
                    warmup_steps: self.warmup_steps,
                    warmup_start_factor: self.warmup_start_factor,
                    retune_momentum: self.retune_momentum,
                    scale_rule: self.scale_rule,
                    base_batch_size: self.base_batch_size,
                    unit: self.unit,
                }
            }
        }
    };
}

params!(
    /// `constant_lr` ([`ConstantLr`]).
    ConstantLrConfig {
        /// Default 1/3.
        #[serde(default = "default_third")]
        factor: f64,
        /// Default 5.
        #[serde(default = "default_five")]
        total_iters: usize,
    }
);
params!(
    /// `linear_lr` ([`LinearLr`]).
    LinearLrConfig {
        /// Default 1/3.
        #[serde(default = "default_third")]
        start_factor: f64,
        /// Default 1.
        #[serde(default = "default_one")]
        end_factor: f64,
        /// Default 5.
        #[serde(default = "default_five")]
        total_iters: usize,
    }
);
params!(
    /// `step_lr` ([`StepLr`]).
    StepLrConfig {
        /// Required.
        step_size: usize,
        /// Default 0.1.
        #[serde(default = "default_tenth")]
        gamma: f64,
    }
);
params!(
    /// `multi_step_lr` ([`MultiStepLr`]).
    MultiStepLrConfig {
        /// Required, strictly increasing.
        milestones: Vec<usize>,
        /// Default 0.1.
        #[serde(default = "default_tenth")]
        gamma: f64,
    }
);
params!(
    /// `exponential_lr` ([`ExponentialLr`]).
    ExponentialLrConfig {
        /// Required.
        gamma: f64,
    }
);
params!(
    /// `polynomial_lr` ([`PolynomialLr`]).
    PolynomialLrConfig {
        /// Default 5.
        #[serde(default = "default_five")]
        total_iters: usize,
        /// Default 1.
        #[serde(default = "default_one")]
        power: f64,
    }
);
params!(
    /// `cosine_annealing_lr` ([`CosineAnnealingLr`]).
    CosineAnnealingLrConfig {
        /// Required (PyTorch's `T_max`).
        t_max: usize,
        /// Default 0.
        #[serde(default)]
        eta_min: f64,
    }
);
params!(
    /// `cosine_annealing_warm_restarts` ([`CosineAnnealingWarmRestarts`]).
    CosineAnnealingWarmRestartsConfig {
        /// Required (PyTorch's `T_0`).
        t_0: usize,
        /// Default 1 (PyTorch's `T_mult`).
        #[serde(default = "default_one_usize")]
        t_mult: usize,
        /// Default 0.
        #[serde(default)]
        eta_min: f64,
    }
);
params!(
    /// `cyclic_lr` ([`CyclicLr`]).
    CyclicLrConfig {
        /// Required.
        base_lr: f64,
        /// Required.
        max_lr: f64,
        /// Default 2000.
        #[serde(default = "default_step_size_up")]
        step_size_up: usize,
        /// Default: `step_size_up`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step_size_down: Option<usize>,
        /// Default triangular.
        #[serde(default)]
        mode: CyclicMode,
        /// Default 1.
        #[serde(default = "default_one")]
        gamma: f64,
        /// Default true.
        #[serde(default = "default_true")]
        cycle_momentum: bool,
        /// Default 0.8.
        #[serde(default = "default_cyclic_base_momentum")]
        base_momentum: f64,
        /// Default 0.9.
        #[serde(default = "default_cyclic_max_momentum")]
        max_momentum: f64,
    }
);
params!(
    /// `one_cycle_lr` ([`OneCycleLr`]); `total_steps` or `epochs` × `steps_per_epoch`.
    OneCycleLrConfig {
        /// Required.
        max_lr: f64,
        /// The cycle length (or give `epochs` and `steps_per_epoch`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total_steps: Option<usize>,
        /// With `steps_per_epoch`, when `total_steps` is absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epochs: Option<usize>,
        /// With `epochs`, when `total_steps` is absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        steps_per_epoch: Option<usize>,
        /// Default 0.3.
        #[serde(default = "default_pct_start")]
        pct_start: f64,
        /// Default cos.
        #[serde(default)]
        anneal_strategy: AnnealStrategy,
        /// Default true.
        #[serde(default = "default_true")]
        cycle_momentum: bool,
        /// Default 0.85.
        #[serde(default = "default_one_cycle_base_momentum")]
        base_momentum: f64,
        /// Default 0.95.
        #[serde(default = "default_one_cycle_max_momentum")]
        max_momentum: f64,
        /// Default 25.
        #[serde(default = "default_div_factor")]
        div_factor: f64,
        /// Default 1e4.
        #[serde(default = "default_final_div_factor")]
        final_div_factor: f64,
        /// Default false.
        #[serde(default)]
        three_phase: bool,
    }
);
params!(
    /// `sequential_lr` ([`SequentialLr`]).
    SequentialLrConfig {
        /// The inner schedules (each with its own `name`).
        #[serde(default)]
        schedulers: Vec<ScheduleConfig>,
        /// One fewer than `schedulers`.
        milestones: Vec<usize>,
    }
);
params!(
    /// `chained_scheduler` ([`ChainedScheduler`]).
    ChainedSchedulerConfig {
        /// The inner schedules (each with its own `name`).
        #[serde(default)]
        schedulers: Vec<ScheduleConfig>,
    }
);
params!(
    /// `reduce_lr_on_plateau` ([`ReduceLrOnPlateau`]).
    ReduceLrOnPlateauConfig {
        /// Default min.
        #[serde(default)]
        mode: PlateauMode,
        /// Default 0.1.
        #[serde(default = "default_tenth")]
        factor: f64,
        /// Default 10.
        #[serde(default = "default_patience")]
        patience: usize,
        /// Default 1e-4.
        #[serde(default = "default_threshold")]
        threshold: f64,
        /// Default rel.
        #[serde(default)]
        threshold_mode: ThresholdMode,
        /// Default 0.
        #[serde(default)]
        cooldown: usize,
        /// Default 0.
        #[serde(default)]
        min_lr: f64,
        /// Default 1e-8.
        #[serde(default = "default_eps")]
        eps: f64,
    }
);
params!(
    /// `batch_size_schedule` ([`BatchSizeSchedule`]).
    BatchSizeScheduleConfig {
        /// Default 2.
        #[serde(default = "default_two")]
        factor: f64,
        /// Required, strictly increasing.
        milestones: Vec<usize>,
    }
);

fn default_step_size_up() -> usize {
    2000
}
fn default_cyclic_base_momentum() -> f64 {
    0.8
}
fn default_cyclic_max_momentum() -> f64 {
    0.9
}
fn default_one_cycle_base_momentum() -> f64 {
    0.85
}
fn default_one_cycle_max_momentum() -> f64 {
    0.95
}
fn default_pct_start() -> f64 {
    0.3
}
fn default_div_factor() -> f64 {
    25.0
}
fn default_final_div_factor() -> f64 {
    1e4
}
fn default_patience() -> usize {
    10
}
fn default_threshold() -> f64 {
    1e-4
}
fn default_eps() -> f64 {
    1e-8
}
fn default_two() -> f64 {
    2.0
}

/// A complete schedule configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum ScheduleConfig {
    /// `torch.optim.lr_scheduler.ConstantLR`.
    ConstantLr(ConstantLrConfig),
    /// `LinearLR`.
    LinearLr(LinearLrConfig),
    /// `StepLR`.
    StepLr(StepLrConfig),
    /// `MultiStepLR`.
    MultiStepLr(MultiStepLrConfig),
    /// `ExponentialLR`.
    ExponentialLr(ExponentialLrConfig),
    /// `PolynomialLR`.
    PolynomialLr(PolynomialLrConfig),
    /// `CosineAnnealingLR`.
    CosineAnnealingLr(CosineAnnealingLrConfig),
    /// `CosineAnnealingWarmRestarts`.
    CosineAnnealingWarmRestarts(CosineAnnealingWarmRestartsConfig),
    /// `CyclicLR`.
    CyclicLr(CyclicLrConfig),
    /// `OneCycleLR`.
    OneCycleLr(OneCycleLrConfig),
    /// `SequentialLR`.
    SequentialLr(SequentialLrConfig),
    /// `ChainedScheduler`.
    ChainedScheduler(ChainedSchedulerConfig),
    /// `ReduceLROnPlateau`.
    ReduceLrOnPlateau(ReduceLrOnPlateauConfig),
    /// Batch-size growth (beyond PyTorch).
    BatchSizeSchedule(BatchSizeScheduleConfig),
}

/// Error for a name that is not a schedule.
pub fn unknown(name: &str) -> Error {
    Error::Unknown {
        kind: "schedule".into(),
        name: name.into(),
        known: NAMES.join(", "),
    }
}

/// What drives the lr (and momentum) of a run: a [`Schedule`] of the step, or the
/// reduce-on-plateau rule fed one metric per step.
pub enum Driver {
    /// A function of the step.
    Schedule(Box<dyn Schedule>),
    /// Reduce-on-plateau, with the common adjustments applied to its lr.
    Plateau {
        /// The stepping rule.
        rule: ReduceLrOnPlateau,
        /// Warm-up, scaling, retuning.
        adjustment: Adjustment,
    },
}

impl Driver {
    /// The lr for step `k`.
    pub fn lr(&mut self, k: usize) -> f64 {
        match self {
            Driver::Schedule(s) => s.lr(k),
            Driver::Plateau { rule, adjustment } => adjustment.lr(k, rule.lr()),
        }
    }
    /// The momentum for step `k`, if driven.
    pub fn momentum(&mut self, k: usize) -> Option<f64> {
        match self {
            Driver::Schedule(s) => s.momentum(k),
            Driver::Plateau { rule, adjustment } => {
                adjustment.momentum(adjustment.lr(k, rule.lr()), None)
            }
        }
    }
    /// Reports the metric measured after a step (reduce-on-plateau only; otherwise ignored).
    pub fn report(&mut self, metric: f64) {
        if let Driver::Plateau { rule, .. } = self {
            rule.step(metric);
        }
    }
    /// Whether this driver reacts to metrics.
    pub fn needs_metric(&self) -> bool {
        matches!(self, Driver::Plateau { .. })
    }
}

fn one_cycle_steps(c: &OneCycleLrConfig) -> Result<usize> {
    match (c.total_steps, c.epochs, c.steps_per_epoch) {
        (Some(t), ..) => Ok(t),
        (None, Some(e), Some(s)) => {
            super::check_positive("epochs", e)?;
            super::check_positive("steps_per_epoch", s)?;
            Ok(e.saturating_mul(s).min(i64::MAX as usize))
        }
        _ => Err(Error::param(
            "total_steps",
            "none",
            "give total_steps, or epochs and steps_per_epoch",
        )),
    }
}

impl ScheduleConfig {
    /// Deserialises the parameters of the schedule called `name` from `d` (a table without
    /// its `name` key). Unknown names and unknown keys are errors.
    pub fn from_named<'de, D: serde::Deserializer<'de>>(
        name: &str,
        d: D,
    ) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        use ScheduleConfig as S;
        Ok(match name {
            "constant_lr" => S::ConstantLr(Deserialize::deserialize(d)?),
            "linear_lr" => S::LinearLr(Deserialize::deserialize(d)?),
            "step_lr" => S::StepLr(Deserialize::deserialize(d)?),
            "multi_step_lr" => S::MultiStepLr(Deserialize::deserialize(d)?),
            "exponential_lr" => S::ExponentialLr(Deserialize::deserialize(d)?),
            "polynomial_lr" => S::PolynomialLr(Deserialize::deserialize(d)?),
            "cosine_annealing_lr" => S::CosineAnnealingLr(Deserialize::deserialize(d)?),
            "cosine_annealing_warm_restarts" => {
                S::CosineAnnealingWarmRestarts(Deserialize::deserialize(d)?)
            }
            "cyclic_lr" => S::CyclicLr(Deserialize::deserialize(d)?),
            "one_cycle_lr" => S::OneCycleLr(Deserialize::deserialize(d)?),
            "sequential_lr" => S::SequentialLr(Deserialize::deserialize(d)?),
            "chained_scheduler" => S::ChainedScheduler(Deserialize::deserialize(d)?),
            "reduce_lr_on_plateau" => S::ReduceLrOnPlateau(Deserialize::deserialize(d)?),
            "batch_size_schedule" => S::BatchSizeSchedule(Deserialize::deserialize(d)?),
            _ => return Err(D::Error::custom(unknown(name))),
        })
    }

    /// The config name (`"cosine_annealing_lr"`, …).
    pub fn name(&self) -> &'static str {
        use ScheduleConfig as S;
        match self {
            S::ConstantLr(_) => "constant_lr",
            S::LinearLr(_) => "linear_lr",
            S::StepLr(_) => "step_lr",
            S::MultiStepLr(_) => "multi_step_lr",
            S::ExponentialLr(_) => "exponential_lr",
            S::PolynomialLr(_) => "polynomial_lr",
            S::CosineAnnealingLr(_) => "cosine_annealing_lr",
            S::CosineAnnealingWarmRestarts(_) => "cosine_annealing_warm_restarts",
            S::CyclicLr(_) => "cyclic_lr",
            S::OneCycleLr(_) => "one_cycle_lr",
            S::SequentialLr(_) => "sequential_lr",
            S::ChainedScheduler(_) => "chained_scheduler",
            S::ReduceLrOnPlateau(_) => "reduce_lr_on_plateau",
            S::BatchSizeSchedule(_) => "batch_size_schedule",
        }
    }

    /// The keys allowed on any schedule.
    pub fn common(&self) -> Common {
        use ScheduleConfig as S;
        match self {
            S::ConstantLr(c) => c.common(),
            S::LinearLr(c) => c.common(),
            S::StepLr(c) => c.common(),
            S::MultiStepLr(c) => c.common(),
            S::ExponentialLr(c) => c.common(),
            S::PolynomialLr(c) => c.common(),
            S::CosineAnnealingLr(c) => c.common(),
            S::CosineAnnealingWarmRestarts(c) => c.common(),
            S::CyclicLr(c) => c.common(),
            S::OneCycleLr(c) => c.common(),
            S::SequentialLr(c) => c.common(),
            S::ChainedScheduler(c) => c.common(),
            S::ReduceLrOnPlateau(c) => c.common(),
            S::BatchSizeSchedule(c) => c.common(),
        }
    }

    /// Whether one step of this schedule is an optimiser step or an epoch.
    pub fn unit(&self) -> Unit {
        self.common().unit
    }

    /// The inner schedules of `sequential_lr` / `chained_scheduler` (`None` for the others).
    pub fn schedulers_mut(&mut self) -> Option<&mut Vec<ScheduleConfig>> {
        match self {
            ScheduleConfig::SequentialLr(c) => Some(&mut c.schedulers),
            ScheduleConfig::ChainedScheduler(c) => Some(&mut c.schedulers),
            _ => None,
        }
    }

    /// The PyTorch scheduler this config describes (not for `reduce_lr_on_plateau` or
    /// `batch_size_schedule`, which are not `LRScheduler`s of the step).
    pub fn scheduler(&self) -> Result<Box<dyn Scheduler>> {
        use ScheduleConfig as S;
        Ok(match self {
            S::ConstantLr(c) => Box::new(ConstantLr::new(c.factor, c.total_iters)),
            S::LinearLr(c) => Box::new(LinearLr::new(c.start_factor, c.end_factor, c.total_iters)),
            S::StepLr(c) => Box::new(StepLr::new(c.step_size).gamma(c.gamma)),
            S::MultiStepLr(c) => Box::new(MultiStepLr::new(c.milestones.clone()).gamma(c.gamma)),
            S::ExponentialLr(c) => Box::new(ExponentialLr::new(c.gamma)),
            S::PolynomialLr(c) => Box::new(PolynomialLr::new(c.total_iters, c.power)),
            S::CosineAnnealingLr(c) => Box::new(CosineAnnealingLr::new(c.t_max).eta_min(c.eta_min)),
            S::CosineAnnealingWarmRestarts(c) => Box::new(
                CosineAnnealingWarmRestarts::new(c.t_0)
                    .t_mult(c.t_mult)
                    .eta_min(c.eta_min),
            ),
            S::CyclicLr(c) => Box::new(
                CyclicLr::new(c.base_lr, c.max_lr)
                    .step_sizes(c.step_size_up, c.step_size_down)
                    .mode(c.mode, c.gamma)
                    .momentum(c.cycle_momentum, c.base_momentum, c.max_momentum),
            ),
            S::OneCycleLr(c) => {
                let mut o = OneCycleLr::new(c.max_lr, one_cycle_steps(c)?);
                o.pct_start = c.pct_start;
                o.anneal_strategy = c.anneal_strategy;
                o.cycle_momentum = c.cycle_momentum;
                o.base_momentum = c.base_momentum;
                o.max_momentum = c.max_momentum;
                o.div_factor = c.div_factor;
                o.final_div_factor = c.final_div_factor;
                o.three_phase = c.three_phase;
                Box::new(o)
            }
            S::SequentialLr(c) => Box::new(SequentialLr::new(
                inner_schedulers(&c.schedulers)?,
                c.milestones.clone(),
            )),
            S::ChainedScheduler(c) => {
                Box::new(ChainedScheduler::new(inner_schedulers(&c.schedulers)?))
            }
            S::ReduceLrOnPlateau(_) | S::BatchSizeSchedule(_) => {
                return Err(Error::param(
                    "name",
                    self.name(),
                    "cannot be combined inside sequential_lr or chained_scheduler",
                ))
            }
        })
    }

    /// The [`Adjustment`] the common keys describe, for an optimiser with `base_lr` and
    /// `base_momentum` and a run with `batch_size`.
    pub fn adjustment(
        &self,
        base_lr: f64,
        base_momentum: Option<f64>,
        batch_size: Option<usize>,
    ) -> Result<Adjustment> {
        let c = self.common();
        let scale = match (c.scale_rule, c.base_batch_size, batch_size) {
            (None, None, _) => 1.0,
            (None, Some(b0), _) => {
                return Err(Error::param(
                    "base_batch_size",
                    b0,
                    "is only used with scale_rule",
                ))
            }
            (Some(_), None, _) => {
                return Err(Error::param(
                    "base_batch_size",
                    "none",
                    "scale_rule needs base_batch_size",
                ))
            }
            (Some(_), Some(_), None) => {
                return Err(Error::param(
                    "scale_rule",
                    "set",
                    "needs the run's batch_size ([run] batch_size)",
                ))
            }
            (Some(rule), Some(b0), Some(b)) => {
                super::check_positive("base_batch_size", b0)?;
                super::check_positive("batch_size", b)?;
                rule.factor(b, b0)
            }
        };
        let retune = if c.retune_momentum {
            let Some(beta0) = base_momentum else {
                return Err(Error::param(
                    "retune_momentum",
                    true,
                    "the optimizer has no momentum (sgd momentum, adam betas[0])",
                ));
            };
            Some((beta0, base_lr))
        } else {
            None
        };
        let a = Adjustment {
            scale,
            warmup_steps: c.warmup_steps,
            warmup_start_factor: c.warmup_start_factor,
            retune,
        };
        a.validate()?;
        Ok(a)
    }

    /// Validates and builds the schedule for an optimiser with learning rate `base_lr` and
    /// momentum `base_momentum` (`None` if it has none). `reduce_lr_on_plateau` is not a
    /// function of the step: use [`ScheduleConfig::driver`] for it.
    pub fn build(&self, base_lr: f64, base_momentum: Option<f64>) -> Result<Box<dyn Schedule>> {
        self.build_with_batch_size(base_lr, base_momentum, None)
    }

    /// [`ScheduleConfig::build`] for a run with batch size `batch_size` (needed by `scale_rule`).
    pub fn build_with_batch_size(
        &self,
        base_lr: f64,
        base_momentum: Option<f64>,
        batch_size: Option<usize>,
    ) -> Result<Box<dyn Schedule>> {
        match self.driver(base_lr, base_momentum, batch_size)? {
            Driver::Schedule(s) => Ok(s),
            Driver::Plateau { .. } => Err(Error::param(
                "name",
                "reduce_lr_on_plateau",
                "reacts to a metric; build it with ScheduleConfig::driver",
            )),
        }
    }

    /// Validates and builds what drives the lr: a schedule, or reduce-on-plateau.
    pub fn driver(
        &self,
        base_lr: f64,
        base_momentum: Option<f64>,
        batch_size: Option<usize>,
    ) -> Result<Driver> {
        let adjustment = self.adjustment(base_lr, base_momentum, batch_size)?;
        let inner: Box<dyn Schedule> = match self {
            ScheduleConfig::ReduceLrOnPlateau(c) => {
                let mut rule = ReduceLrOnPlateau::new(base_lr).mode(c.mode);
                rule.factor = c.factor;
                rule.patience = c.patience;
                rule.threshold = c.threshold;
                rule.threshold_mode = c.threshold_mode;
                rule.cooldown = c.cooldown;
                rule.min_lr = c.min_lr;
                rule.eps = c.eps;
                rule.validate()?;
                return Ok(Driver::Plateau { rule, adjustment });
            }
            ScheduleConfig::BatchSizeSchedule(c) => Box::new(BatchSizeSchedule::new(
                base_lr,
                c.factor,
                c.milestones.clone(),
            )?),
            _ => {
                let s = Simulated::new(self.scheduler()?, base_lr, base_momentum)?;
                if adjustment.retune.is_some() && s.drives_momentum() {
                    return Err(Error::param(
                        "retune_momentum",
                        true,
                        "conflicts with cycle_momentum (both drive the momentum)",
                    ));
                }
                Box::new(s)
            }
        };
        Ok(Driver::Schedule(if adjustment.is_identity() {
            inner
        } else {
            Box::new(Adjusted { inner, adjustment })
        }))
    }
}

fn inner_schedulers(list: &[ScheduleConfig]) -> Result<Vec<Box<dyn Scheduler>>> {
    list.iter()
        .map(|c| {
            if let Some(key) = c.common().first_set() {
                return Err(Error::param(
                    key,
                    c.name(),
                    "is allowed only on the top-level schedule, not on its inner schedulers",
                ));
            }
            c.scheduler()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_back_to_the_same_config() {
        let text = r#"{"name": "sequential_lr", "milestones": [3], "warmup_steps": 2,
            "schedulers": [{"name": "constant_lr"}, {"name": "one_cycle_lr", "max_lr": 1.0,
            "epochs": 2, "steps_per_epoch": 5, "three_phase": true}]}"#;
        let cfg: ScheduleConfig = serde_json::from_str(text).unwrap();
        let again: ScheduleConfig =
            serde_json::from_value(serde_json::to_value(&cfg).unwrap()).unwrap();
        assert_eq!(cfg, again);
        assert_eq!(cfg.name(), "sequential_lr");
        assert_eq!(cfg.common().warmup_steps, 2);
        assert_eq!(cfg.unit(), Unit::Step);
    }

    #[test]
    fn names_list_matches_from_named() {
        for name in NAMES {
            let e = ScheduleConfig::from_named(name, serde_json::json!({}));
            // Either it deserialises with defaults or it names a missing field, never "unknown".
            if let Err(e) = e {
                assert!(!e.to_string().contains("unknown schedule"), "{name}: {e}");
            }
        }
    }
}
