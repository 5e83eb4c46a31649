//! `sequential_lr`: PyTorch's `SequentialLR`.

use super::params::schedule_config;
use super::registry::{attach_inner, inner_schedulers, validate_inner};
use super::{
    combinator_boilerplate, scheduler_boilerplate, Common, Configure, Epochs, Group, Made,
    ScheduleConfig, Scheduler,
};
use crate::{Error, Result};

schedule_config! {
    /// `sequential_lr`: the parameters of [`SequentialLr`].
    SequentialLrConfig {
        required {
            /// The steps at which the next scheduler takes over.
            milestones: Vec<usize>, Increasing, also "one fewer than schedulers", example = vec![100];
        }
        optional {
            /// The inner schedules (each with its own `name`).
            schedulers: Vec<ScheduleConfig> = Vec::new(), NonEmpty, also "a combinator only first", example = serde_json::json!([
                { "name": "linear_lr", "start_factor": 0.1, "total_iters": 100 },
                { "name": "cosine_annealing_lr", "t_max": 900 }
            ]);
        }
    }
}

impl Configure for SequentialLrConfig {
    fn common(&self) -> &Common {
        &self.common
    }
    fn pick_group(&mut self, g: usize, groups: usize) -> Result<()> {
        SequentialLrConfig::pick_group(self, g, groups)
    }
    fn make(&self, _base_lr: f64) -> Result<Made> {
        self.check()?;
        let s =
            SequentialLr::unchecked(inner_schedulers(&self.schedulers)?, self.milestones.clone());
        Ok(Made::Scheduler(Box::new(s)))
    }
    fn schedulers_mut(&mut self) -> Option<&mut Vec<ScheduleConfig>> {
        Some(&mut self.schedulers)
    }
    fn resume_needs_initial_lr(&self) -> bool {
        false
    }
}

/// Runs `schedulers[i]` between `milestones[i-1]` and `milestones[i]`
/// (`torch.optim.lr_scheduler.SequentialLR`).
///
/// $$\eta_t = S_i\bigl(t - m_{i-1}\bigr), \qquad i = \#\{j : m_j \le t\}$$
///
/// As in PyTorch: all schedulers are first attached (each does its initial step), then the lr is
/// reset to `initial_lr`, every scheduler's epoch is undone, scheduler 0 takes its initial step;
/// at milestone $m_{i-1}$ scheduler $i$ jumps to epoch 0 by its closed form (or `get_lr()`), and
/// otherwise the active scheduler simply steps (its recursive form continues from the current
/// lr). Only the first scheduler may be a combinator (a `chained_scheduler`, say): it is never
/// jumped, and its initial step steps each of its schedulers once, as in PyTorch; PyTorch
/// cannot jump a combinator to a milestone, so the others must be plain schedulers.
#[derive(Debug, Clone)]
pub struct SequentialLr {
    /// The schedulers, in order.
    schedulers: Vec<Box<dyn Scheduler>>,
    /// The steps at which the next scheduler takes over (one fewer than `schedulers`).
    milestones: Vec<usize>,
    e: Epochs,
}

impl SequentialLr {
    /// `SequentialLR(schedulers, milestones)`, validated.
    pub fn new(schedulers: Vec<Box<dyn Scheduler>>, milestones: Vec<usize>) -> Result<Self> {
        let s = SequentialLr::unchecked(schedulers, milestones);
        s.validate()?;
        Ok(s)
    }

    fn unchecked(schedulers: Vec<Box<dyn Scheduler>>, milestones: Vec<usize>) -> Self {
        SequentialLr {
            schedulers,
            milestones,
            e: Epochs::default(),
        }
    }

    fn index(&self, t: i64) -> usize {
        // bisect_right
        self.milestones.iter().filter(|&&m| m as i64 <= t).count()
    }
}

impl Scheduler for SequentialLr {
    scheduler_boilerplate!();
    combinator_boilerplate!();
    fn validate(&self) -> Result<()> {
        validate_inner(&self.schedulers, || {
            if self.milestones.len() + 1 != self.schedulers.len() {
                return Err(Error::param(
                    "milestones",
                    format!("{:?}", self.milestones),
                    &format!(
                        "must have one entry fewer than `schedulers` ({})",
                        self.schedulers.len()
                    ),
                ));
            }
            super::valid::increasing("milestones", &self.milestones)?;
            if self.schedulers.iter().skip(1).any(|s| s.is_composite()) {
                return Err(Error::param(
                    "schedulers",
                    "sequential_lr/chained_scheduler",
                    "sequential_lr can hold a combinator only as its first scheduler (PyTorch \
                     cannot jump one to a milestone)",
                ));
            }
            Ok(())
        })
    }
    fn attach(&mut self, g: &mut Group, last_epoch: i64) -> Result<()> {
        self.validate()?;
        if last_epoch < -1 {
            return Err(Error::param(
                "last_epoch",
                last_epoch,
                "must be -1 (a fresh start) or the index of the last epoch (>= 0)",
            ));
        }
        attach_inner(&mut self.schedulers, g)?;
        // PyTorch: `self.last_epoch = last_epoch + 1`; the inner schedulers start afresh and
        // the one of epoch 0 takes the initial step, so a resume shifts only the milestones.
        self.e.last_epoch = last_epoch + 1;
        g.lr = g.initial_lr.unwrap_or(g.lr);
        for s in &mut self.schedulers {
            s.undo();
        }
        let idx = self.index(0);
        self.schedulers[idx].initial_step(g);
        Ok(())
    }
    fn step(&mut self, g: &mut Group) {
        self.e.last_epoch += 1;
        let t = self.e.last_epoch;
        let idx = self.index(t);
        if idx > 0 && self.milestones[idx - 1] as i64 == t {
            self.schedulers[idx].update_lr(g, Some(0));
        } else {
            self.schedulers[idx].step(g);
        }
    }
}
