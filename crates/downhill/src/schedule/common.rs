//! The keys allowed on any (top-level) schedule: warm-up, batch-size scaling, momentum
//! retuning, the unit of a step, and resuming (`last_epoch`, `initial_lr`). They act on the whole schedule; on the inner `schedulers`
//! of `sequential_lr` / `chained_scheduler` they are rejected.

use serde::{Deserialize, Serialize};

use serde_json::Value;

use super::params::ParamInfo;
use super::valid::{Valid, EITHER};
use super::{check_positive, Adjustment, Configure, GroupArg, ScaleRule};
use crate::hyper::Range;
use crate::{Error, Result};

/// One common key's declaration: name, type, the values it accepts (typed), a note on the
/// rules between keys, and its doc. [`Common::params`] reads these for the catalogue, and the
/// checks read the same [`Valid`]s.
struct Key {
    name: &'static str,
    ty: &'static str,
    valid: Valid,
    note: Option<&'static str>,
    doc: &'static str,
    /// The catalogue's words for `valid` and `note` on this key's type.
    words: fn(Valid, Option<&str>) -> String,
    /// Its default, read from [`Common::default`] (`None`: absent unless given).
    default: fn(&Common) -> Option<Value>,
}

/// `warmup_start_factor`'s range (checked by [`Adjustment`]).
pub(crate) const WARMUP_START_FACTOR: Valid = Valid::In(Range::Closed(0.0, 1.0));

/// The common keys, in catalogue order.
const KEYS: &[Key] = &[
    Key {
        name: "warmup_steps",
        ty: "usize",
        valid: Valid::In(Range::AtLeast(0.0)),
        note: None,
        doc: "Linear warm-up length in steps (0: none).",
        words: ParamInfo::range_words::<usize>,
        default: |c| Some(c.warmup_steps.into()),
    },
    Key {
        name: "warmup_start_factor",
        ty: "f64",
        valid: WARMUP_START_FACTOR,
        note: None,
        doc: "Warm-up start factor.",
        words: ParamInfo::range_words::<f64>,
        default: |c| Some(c.warmup_start_factor.into()),
    },
    Key {
        name: "retune_momentum",
        ty: "bool",
        valid: EITHER,
        note: Some("true needs an optimizer with momentum"),
        doc: "Retune momentum from the lr: beta -> 1 - (1 - beta) sqrt(lr / lr0).",
        words: ParamInfo::range_words::<bool>,
        default: |c| Some(c.retune_momentum.into()),
    },
    Key {
        name: "scale_rule",
        ty: "ScaleRule",
        valid: Valid::OneOf(&["linear", "sqrt"]),
        note: Some("with base_batch_size"),
        doc: "Scale the lr with the batch size relative to base_batch_size (optional).",
        words: ParamInfo::range_words::<String>,
        default: |_| None,
    },
    Key {
        name: "base_batch_size",
        ty: "usize",
        valid: Valid::In(Range::AtLeast(1.0)),
        note: Some("with scale_rule"),
        doc: "Batch size the base lr was tuned for (optional).",
        words: ParamInfo::range_words::<usize>,
        default: |_| None,
    },
    Key {
        name: "unit",
        ty: "Unit",
        valid: Valid::OneOf(&["step", "epoch"]),
        note: None,
        doc: "What one scheduler step counts.",
        words: ParamInfo::range_words::<String>,
        default: |c| serde_json::to_value(c.unit).ok(),
    },
    Key {
        name: "last_epoch",
        ty: "i64",
        valid: Valid::In(Range::AtLeast(-1.0)),
        note: Some("-1 starts afresh, >= 0 needs initial_lr"),
        doc: "PyTorch's last_epoch: -1 starts afresh; k >= 0 resumes after epoch k, so the first lr is that of epoch k + 1.",
        words: ParamInfo::range_words::<i64>,
        default: |c| Some(c.last_epoch.into()),
    },
    Key {
        name: "initial_lr",
        ty: "GroupArg<f64>",
        valid: Valid::In(Range::Any),
        note: None,
        doc: "Each param group's initial_lr (the schedule's base lr); needed with last_epoch (optional).",
        words: ParamInfo::range_words::<super::GroupArg<f64>>,
        default: |_| None,
    },
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

/// The keys allowed on any (top-level) schedule (written flat in its table; a default value
/// is not written back).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Common {
    /// Linear warm-up length in steps (0: none).
    #[serde(skip_serializing_if = "is_zero")]
    pub warmup_steps: usize,
    /// Warm-up start factor (default 1/3, as `LinearLR`).
    #[serde(skip_serializing_if = "is_third")]
    pub warmup_start_factor: f64,
    /// Retune momentum from the lr: β → 1 − (1 − β)√r when the lr is scaled by r.
    #[serde(skip_serializing_if = "is_false")]
    pub retune_momentum: bool,
    /// Batch-size scaling rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale_rule: Option<ScaleRule>,
    /// Batch size the base lr was tuned for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_batch_size: Option<usize>,
    /// Step or epoch.
    #[serde(skip_serializing_if = "is_step")]
    pub unit: Unit,
    /// PyTorch's `last_epoch`: −1 starts afresh; `k >= 0` resumes after epoch `k` (step 0 of
    /// the schedule is then PyTorch's lr after its constructor's step, that of epoch `k + 1`),
    /// and needs `initial_lr`.
    #[serde(skip_serializing_if = "is_fresh")]
    pub last_epoch: i64,
    /// Each group's `initial_lr` (PyTorch keeps it in the optimizer's param groups): one value
    /// for every group or one per group. Needed to resume; without `last_epoch` it replaces
    /// the optimizer's lr as the schedule's base, as PyTorch's `setdefault` keeps a group's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_lr: Option<GroupArg<f64>>,
}

const THIRD: f64 = 1.0 / 3.0;

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero(n: &usize) -> bool {
    *n == 0
}
fn is_third(x: &f64) -> bool {
    *x == THIRD
}
fn is_step(u: &Unit) -> bool {
    *u == Unit::Step
}
fn is_fresh(e: &i64) -> bool {
    *e == -1
}

impl Default for Common {
    fn default() -> Self {
        Common {
            warmup_steps: 0,
            warmup_start_factor: THIRD,
            retune_momentum: false,
            scale_rule: None,
            base_batch_size: None,
            unit: Unit::Step,
            last_epoch: -1,
            initial_lr: None,
        }
    }
}

impl Common {
    /// The first key that differs from its default (for "not allowed here" errors).
    pub(crate) fn first_set(&self) -> Option<&'static str> {
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
            (self.last_epoch != d.last_epoch, "last_epoch"),
            (self.initial_lr.is_some(), "initial_lr"),
        ]
        .into_iter()
        .find_map(|(set, k)| set.then_some(k))
    }

    /// The common keys, for the catalogue: [`KEYS`] with the defaults of [`Common::default`].
    pub fn params() -> Vec<ParamInfo> {
        let d = Common::default();
        KEYS.iter()
            .map(|k| {
                let words = (k.words)(k.valid, k.note);
                ParamInfo::new(k.name, k.ty, (k.default)(&d), words, &[k.doc])
            })
            .collect()
    }

    /// The group's `initial_lr` (after [`GroupArg`] lists were reduced to the group's value),
    /// checked: finite; required when `last_epoch` resumes (unless the schedule is not
    /// [`Configure::resumable`], as PyTorch's `ChainedScheduler` and `ReduceLROnPlateau`, or
    /// resumes without it, as `SequentialLR`); refused on the schedules that are not PyTorch
    /// `LRScheduler`s.
    pub(crate) fn resume(&self, kind: &dyn Configure, name: &str) -> Result<Option<f64>> {
        let (resumable, per_group_lr) = (kind.resumable(), kind.combinable());
        if self.last_epoch < -1 {
            return Err(Error::param(
                "last_epoch",
                self.last_epoch,
                "must be -1 (a fresh start) or the index of the last epoch (>= 0)",
            ));
        }
        if self.last_epoch != -1 && !resumable {
            return Err(Error::param(
                "last_epoch",
                self.last_epoch,
                &format!("is not taken by {name} (PyTorch's has no last_epoch)"),
            ));
        }
        if self.initial_lr.is_some() && !per_group_lr {
            return Err(Error::param(
                "initial_lr",
                "set",
                &format!("is not used by {name}, which is not a PyTorch LRScheduler"),
            ));
        }
        let initial = match &self.initial_lr {
            Some(v) => {
                let x = v.of_group("initial_lr", 0, 1)?;
                crate::schedule::check_finite("initial_lr", x)?;
                Some(x)
            }
            None => None,
        };
        if self.last_epoch != -1 && initial.is_none() && kind.resume_needs_initial_lr() {
            return Err(Error::param(
                "last_epoch",
                self.last_epoch,
                "resumes the schedule, which needs `initial_lr` in every parameter group (give \
                 initial_lr = one value, or a list with one per group; PyTorch: param \
                 'initial_lr' is not specified in param_groups[i] when resuming an optimizer)",
            ));
        }
        Ok(initial)
    }

    /// The [`Adjustment`] these keys describe, for an optimiser with `base_lr` and
    /// `base_momentum` and a run with `batch_size`.
    pub fn adjustment(
        &self,
        base_lr: f64,
        base_momentum: Option<f64>,
        batch_size: Option<usize>,
    ) -> Result<Adjustment> {
        let scale = match (self.scale_rule, self.base_batch_size, batch_size) {
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
                check_positive("base_batch_size", b0)?;
                check_positive("batch_size", b)?;
                rule.factor(b, b0)
            }
        };
        let retune = if self.retune_momentum {
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
            warmup_steps: self.warmup_steps,
            warmup_start_factor: self.warmup_start_factor,
            retune,
        };
        a.validate()?;
        Ok(a)
    }
}
