//! `chained_scheduler`: PyTorch's `ChainedScheduler`.

use super::params::schedule_config;
use super::registry::{attach_inner, inner_schedulers, validate_inner};
use super::{
    combinator_boilerplate, scheduler_boilerplate, Common, Configure, Epochs, Group, Made,
    ScheduleConfig, Scheduler,
};
use crate::{Error, Result};

schedule_config! {
    /// `chained_scheduler`: the parameters of [`ChainedScheduler`].
    ChainedSchedulerConfig {
        required {}
        optional {
            /// The inner schedules (each with its own `name`).
            schedulers: Vec<ScheduleConfig> = Vec::new(), NonEmpty, example = serde_json::json!([
                { "name": "exponential_lr", "gamma": 0.998 },
                { "name": "step_lr", "step_size": 250, "gamma": 0.5 }
            ]);
        }
    }
}

impl Configure for ChainedSchedulerConfig {
    fn common(&self) -> &Common {
        &self.common
    }
    fn pick_group(&mut self, g: usize, groups: usize) -> Result<()> {
        ChainedSchedulerConfig::pick_group(self, g, groups)
    }
    fn resumable(&self) -> bool {
        false
    }
    fn make(&self, _base_lr: f64) -> Result<Made> {
        self.check()?;
        let s = ChainedScheduler::unchecked(inner_schedulers(&self.schedulers)?);
        Ok(Made::Scheduler(Box::new(s)))
    }
    fn schedulers_mut(&mut self) -> Option<&mut Vec<ScheduleConfig>> {
        Some(&mut self.schedulers)
    }
}

/// Steps every scheduler in turn on the same optimiser (`torch.optim.lr_scheduler.ChainedScheduler`).
///
/// For chainable (recursive) schedulers the factors multiply:
/// $$\eta_t = \eta_0 \prod_i \frac{S_i(t)}{\eta_0}$$
/// exactly as PyTorch composes them: each scheduler is attached in order (its initial step
/// acting on the lr the previous one left), and each `step()` applies every scheduler's
/// `get_lr()` to the lr the previous one wrote. Closed-form schedulers (warm restarts, cyclic,
/// one-cycle) overwrite the lr when their turn comes.
#[derive(Debug, Clone)]
pub struct ChainedScheduler {
    /// The schedulers, stepped in this order.
    schedulers: Vec<Box<dyn Scheduler>>,
    e: Epochs,
}

impl ChainedScheduler {
    /// `ChainedScheduler(schedulers)`, validated.
    pub fn new(schedulers: Vec<Box<dyn Scheduler>>) -> Result<Self> {
        let s = ChainedScheduler::unchecked(schedulers);
        s.validate()?;
        Ok(s)
    }

    fn unchecked(schedulers: Vec<Box<dyn Scheduler>>) -> Self {
        ChainedScheduler {
            schedulers,
            e: Epochs::default(),
        }
    }
}

impl Scheduler for ChainedScheduler {
    scheduler_boilerplate!();
    combinator_boilerplate!();
    fn validate(&self) -> Result<()> {
        validate_inner(&self.schedulers, || Ok(()))
    }
    fn attach(&mut self, g: &mut Group, last_epoch: i64) -> Result<()> {
        self.validate()?;
        if last_epoch != -1 {
            return Err(Error::param(
                "last_epoch",
                last_epoch,
                "is not taken by chained_scheduler (PyTorch's has no last_epoch)",
            ));
        }
        attach_inner(&mut self.schedulers, g)
    }
    fn step(&mut self, g: &mut Group) {
        for s in &mut self.schedulers {
            s.step(g);
        }
    }
}
