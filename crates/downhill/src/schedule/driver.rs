//! What drives the lr (and momentum) of a run: a [`Schedule`] of the step, or the
//! reduce-on-plateau rule fed one metric per step; and [`apply`], the one place where a
//! schedule sets an optimiser's lr and momentum ([`crate::run::Run`] and the trainer both call
//! it).

use super::{Adjusted, Adjustment, Group, ReduceLrOnPlateau, Schedule, Scheduler, Simulated};
use crate::optim::Optimizer;
use crate::{Error, Float, Result};

/// Sets every parameter group of `opt` for step `t` of `schedule`: its momentum, if the
/// schedule drives it, and its lr `schedule.group_lr(t, g) · scale` (`scale` is the trainer's
/// plateau factor; 1 elsewhere). Returns group 0's lr, the one the step reports.
///
/// The schedule is asked for step `t` after `t` optimiser steps, as PyTorch's
/// `scheduler.step()` follows `optimizer.step()`: step `t` uses the value after `t` calls.
pub fn apply<T: Float, S: Schedule + ?Sized>(
    schedule: &mut S,
    t: usize,
    scale: f64,
    opt: &mut dyn Optimizer<T>,
) -> f64 {
    for g in (0..opt.groups()).rev() {
        if let Some(m) = schedule.group_momentum(t, g) {
            opt.set_group_momentum(g, m);
        }
        opt.set_group_lr(g, schedule.group_lr(t, g) * scale);
    }
    opt.lr()
}

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
        rule: Box<ReduceLrOnPlateau>,
        /// Warm-up, scaling, retuning.
        adjustment: Adjustment,
    },
}

impl Driver {
    /// Attaches what a config made to an optimiser's param `group` (its lr, momentum and
    /// `initial_lr`) with PyTorch's `last_epoch` (−1: afresh), and applies `adjustment`
    /// (warm-up, scaling, retuning).
    pub fn new(
        made: Made,
        adjustment: Adjustment,
        group: Group,
        last_epoch: i64,
    ) -> Result<Driver> {
        let inner: Box<dyn Schedule> = match made {
            Made::Plateau(rule) => {
                return Ok(Driver::Plateau {
                    rule: Box::new(rule),
                    adjustment,
                })
            }
            Made::Schedule(s) => s,
            Made::Scheduler(s) => {
                let s = Simulated::resume(s, group, last_epoch)?;
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

impl From<Box<dyn Schedule>> for Driver {
    fn from(s: Box<dyn Schedule>) -> Driver {
        Driver::Schedule(s)
    }
}

/// A driver is a schedule whose lr, for reduce-on-plateau, also depends on the metrics
/// [`Driver::report`] fed it so far.
impl Schedule for Driver {
    fn lr(&mut self, step: usize) -> f64 {
        Driver::lr(self, step)
    }
    fn momentum(&mut self, step: usize) -> Option<f64> {
        Driver::momentum(self, step)
    }
    fn batch_size(&mut self, step: usize, batch_size: usize) -> usize {
        match self {
            Driver::Schedule(s) => s.batch_size(step, batch_size),
            Driver::Plateau { .. } => batch_size,
        }
    }
    fn group_lr(&mut self, step: usize, group: usize) -> f64 {
        match self {
            Driver::Schedule(s) => s.group_lr(step, group),
            Driver::Plateau { .. } => Driver::lr(self, step),
        }
    }
    fn group_momentum(&mut self, step: usize, group: usize) -> Option<f64> {
        match self {
            Driver::Schedule(s) => s.group_momentum(step, group),
            Driver::Plateau { .. } => Driver::momentum(self, step),
        }
    }
}
