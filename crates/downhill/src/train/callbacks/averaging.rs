//! [`Averaging`]: stochastic weight averaging (SWA, with its annealed learning rate) or
//! snapshot averaging; the run ends with the average.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Scalar;
use crate::schedule::AnnealStrategy;
use crate::train::callback::{from_state, to_state, Callback, Context};
use crate::train::config::SwaConfig;
use crate::train::TrainStatus;
use crate::Result;

/// Running average of parameters (SWA or snapshots): the checkpointed state of [`Averaging`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AverageState {
    /// Number of parameter vectors averaged.
    pub n: usize,
    /// Their mean.
    pub mean: Vec<f64>,
    /// The learning rate when SWA started.
    pub swa_lr0: Option<f64>,
}

impl AverageState {
    fn add<T: Scalar>(&mut self, params: &[T]) {
        if self.mean.len() != params.len() {
            self.mean = vec![0.0; params.len()];
        }
        self.n += 1;
        let inv = 1.0 / self.n as f64;
        for (m, p) in self.mean.iter_mut().zip(params) {
            *m += (p.f64() - *m) * inv;
        }
    }
}

/// SWA ([`SwaConfig`]): from epoch `swa_start` on, the lr anneals to `swa_lr` (set through
/// `ctx.lr_override`, which replaces the schedule) and the parameters after each such epoch
/// join the running mean. Snapshot averaging: the parameters after every `every`-th epoch
/// join it. Unless the run diverged, it ends with the mean.
#[derive(Debug, Clone, Default)]
pub struct Averaging {
    swa: Option<SwaConfig>,
    every: Option<usize>,
    swa_lr: Option<f64>,
    /// The average so far.
    pub state: AverageState,
}

impl Averaging {
    /// The checkpoint key.
    pub const NAME: &'static str = "averaging";

    /// SWA with `swa`, or snapshots every `every` epochs (`None` if neither is set).
    pub fn new(swa: Option<SwaConfig>, every: Option<usize>) -> Option<Self> {
        (swa.is_some() || every.is_some()).then(|| Averaging {
            swa,
            every,
            ..Averaging::default()
        })
    }

    /// SWA's learning rate for epoch `epoch` (0-based), once SWA has started.
    fn swa_lr(&self, epoch: usize) -> Option<f64> {
        let swa = self.swa.as_ref()?;
        if epoch < swa.swa_start {
            return None;
        }
        let lr0 = self.state.swa_lr0?;
        let j = (epoch - swa.swa_start) as f64;
        let t = if swa.anneal_epochs == 0 {
            1.0
        } else {
            ((j + 1.0) / swa.anneal_epochs as f64).min(1.0)
        };
        let alpha = match swa.anneal_strategy {
            AnnealStrategy::Cos => (1.0 - (std::f64::consts::PI * t).cos()) / 2.0,
            AnnealStrategy::Linear => t,
        };
        Some(swa.swa_lr * alpha + lr0 * (1.0 - alpha))
    }
}

impl<T: Scalar> Callback<T> for Averaging {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn per_step(&self) -> bool {
        false
    }
    fn on_epoch_begin(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        let started = self.swa.as_ref().is_some_and(|s| ctx.epoch >= s.swa_start);
        if started && self.state.swa_lr0.is_none() {
            self.state.swa_lr0 = Some(ctx.lr);
        }
        self.swa_lr = self.swa_lr(ctx.epoch);
        ctx.lr_override = self.swa_lr;
        Ok(())
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if self.swa_lr.is_some() || self.every.is_some_and(|k| ctx.epoch.is_multiple_of(k)) {
            self.state.add(&ctx.params);
        }
        Ok(())
    }
    fn on_train_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if ctx.status() != TrainStatus::Diverged && self.state.n > 0 {
            ctx.set_params(&self.state.mean);
        }
        Ok(())
    }
    fn state(&self) -> Result<Value> {
        to_state(Self::NAME, &self.state)
    }
    fn load_state(&mut self, state: Value) -> Result<()> {
        self.state = from_state(Self::NAME, state)?;
        Ok(())
    }
}
