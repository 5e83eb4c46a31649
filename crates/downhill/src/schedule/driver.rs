//! What drives the lr (and momentum) of a run: a [`Schedule`] of the step, or the
//! reduce-on-plateau rule fed one metric per step.

use super::{Adjusted, Adjustment, ReduceLrOnPlateau, Schedule, Scheduler, Simulated};
use crate::{Error, Result};

/// What a schedule config makes before the common keys are applied
/// ([`Configure::make`](super::Configure::make)).
pub enum Made {
    /// A PyTorch `LRScheduler`, to be attached to the optimiser's param group.
    Scheduler(Box<dyn Scheduler>),
    /// A function of the step as it is (beyond PyTorch: `batch_size_schedule`).
    Schedule(Box<dyn Schedule>),
    /// The reduce-on-plateau rule.
    Plateau(ReduceLrOnPlateau),
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
    /// Attaches what a config made to an optimiser with `base_lr` and `base_momentum`, and
    /// applies `adjustment` (warm-up, scaling, retuning).
    pub fn new(
        made: Made,
        adjustment: Adjustment,
        base_lr: f64,
        base_momentum: Option<f64>,
    ) -> Result<Driver> {
        let inner: Box<dyn Schedule> = match made {
            Made::Plateau(rule) => return Ok(Driver::Plateau { rule, adjustment }),
            Made::Schedule(s) => s,
            Made::Scheduler(s) => {
                let s = Simulated::new(s, base_lr, base_momentum)?;
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
