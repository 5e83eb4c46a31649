//! `batch_size_schedule`: grow the batch size at milestones instead of decaying the lr (Smith
//! et al., "Don't decay the learning rate, increase the batch size").

use super::params::schedule_config;
use super::{Common, Configure, Made, Schedule};
use crate::Result;

schedule_config! {
    /// `batch_size_schedule`: the parameters of [`BatchSizeSchedule`].
    BatchSizeScheduleConfig {
        required {
            /// Where the batch size grows.
            milestones: Vec<usize>, Increasing, example = vec![300, 600];
        }
        optional {
            /// Growth factor.
            factor: f64 = 2.0, Above(0.0);
        }
    }
}

impl BatchSizeScheduleConfig {
    /// Validates and builds the schedule, with lr `base_lr`.
    pub fn build(&self, base_lr: f64) -> Result<BatchSizeSchedule> {
        BatchSizeSchedule::new(base_lr, self.factor, self.milestones.clone())
    }
}

impl Configure for BatchSizeScheduleConfig {
    fn common(&self) -> &Common {
        &self.common
    }
    fn pick_group(&mut self, g: usize, groups: usize) -> Result<()> {
        BatchSizeScheduleConfig::pick_group(self, g, groups)
    }
    fn resumable(&self) -> bool {
        false
    }
    fn make(&self, base_lr: f64) -> Result<Made> {
        Ok(Made::Schedule(Box::new(self.build(base_lr)?)))
    }
    fn combinable(&self) -> bool {
        false
    }
}

/// Multiplies the batch size by `factor` at each milestone; the lr stays at its base value.
///
/// $$B_t = \left\lfloor B \cdot \text{factor}^{\#\{m \in \text{milestones} : m \le t\}} \right\rceil,
/// \qquad \eta_t = \eta_0$$
///
/// ($t$ counts steps or epochs, as the config's `unit` says).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSizeSchedule {
    /// The lr (constant).
    base_lr: f64,
    /// Growth factor, > 0.
    factor: f64,
    /// Where the batch size grows (strictly increasing).
    milestones: Vec<usize>,
}

impl BatchSizeSchedule {
    /// A schedule with lr `base_lr` growing the batch by `factor` at `milestones`.
    pub fn new(base_lr: f64, factor: f64, milestones: Vec<usize>) -> Result<Self> {
        let c = BatchSizeScheduleConfig::new(milestones).factor(factor);
        c.check()?;
        Ok(BatchSizeSchedule {
            milestones: c.milestones,
            base_lr,
            factor,
        })
    }

    /// Batch size at `t` for the run's initial batch size `batch_size` (at least 1).
    pub fn batch_size_at(&self, t: usize, batch_size: usize) -> usize {
        let n = self.milestones.iter().filter(|&&m| m <= t).count();
        let b = (batch_size as f64 * self.factor.powi(n as i32)).round();
        if b < 1.0 {
            1
        } else if b >= usize::MAX as f64 {
            usize::MAX
        } else {
            b as usize
        }
    }
}

impl Schedule for BatchSizeSchedule {
    fn lr(&mut self, _step: usize) -> f64 {
        self.base_lr
    }
    fn batch_size(&mut self, step: usize, batch_size: usize) -> usize {
        self.batch_size_at(step, batch_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_at_milestones() {
        let s = BatchSizeSchedule::new(0.1, 2.0, vec![3, 6]).unwrap();
        let b: Vec<usize> = (0..8).map(|t| s.batch_size_at(t, 32)).collect();
        assert_eq!(b, [32, 32, 32, 64, 64, 64, 128, 128]);
        assert!(BatchSizeSchedule::new(0.1, 2.0, vec![6, 3]).is_err());
        assert!(BatchSizeSchedule::new(0.1, 0.0, vec![]).is_err());
    }
}
