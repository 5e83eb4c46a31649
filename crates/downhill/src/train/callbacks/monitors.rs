//! Callbacks that watch a metric at each epoch end: [`EarlyStopping`] and [`Plateau`]
//! (reduce-on-plateau through a [`PlateauRule`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Scalar;
use crate::train::callback::{from_state, to_state, Callback, Context};
use crate::train::config::{EarlyStoppingConfig, Monitor};
use crate::train::trainer::PlateauRule;
use crate::train::TrainStatus;
use crate::{Error, Result};

/// The value of `m` this epoch: the last logged training loss or a validation metric.
fn metric<T: Scalar>(m: Monitor, ctx: &Context<'_, T>) -> Option<f64> {
    let v = ctx.val_metrics.as_ref();
    match m {
        Monitor::TrainLoss => Some(ctx.train_loss),
        Monitor::ValLoss => v.map(|v| v.loss),
        Monitor::ValAccuracy => v.and_then(|v| v.accuracy),
        Monitor::ValR2 => v.and_then(|v| v.r2),
    }
}

/// Early-stopping bookkeeping: the checkpointed state of [`EarlyStopping`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EarlyState {
    /// Best value of the monitored metric so far.
    pub best: Option<f64>,
    /// Epoch (1-based) of the best value.
    pub best_epoch: usize,
    /// Epochs since the last improvement.
    pub wait: usize,
    /// Parameters at the best epoch (with `restore_best`).
    pub best_params: Option<Vec<f64>>,
}

/// Keras' `EarlyStopping` ([`EarlyStoppingConfig`]): ends the run as
/// [`TrainStatus::EarlyStopped`] after `patience` epochs without an improvement of more than
/// `min_delta`; with `restore_best` the run ends with the best epoch's parameters.
#[derive(Debug, Clone)]
pub struct EarlyStopping {
    config: EarlyStoppingConfig,
    /// The state so far.
    pub state: EarlyState,
}

impl EarlyStopping {
    /// The checkpoint key.
    pub const NAME: &'static str = "early_stopping";

    /// Early stopping as `config` says.
    pub fn new(config: EarlyStoppingConfig) -> Self {
        EarlyStopping {
            config,
            state: EarlyState::default(),
        }
    }
}

impl<T: Scalar> Callback<T> for EarlyStopping {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn per_step(&self) -> bool {
        false
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        let es = &self.config;
        let what = match es.monitor {
            Monitor::TrainLoss => "train_loss",
            Monitor::ValLoss => "val_loss",
            Monitor::ValAccuracy => "val_accuracy",
            Monitor::ValR2 => "val_r2",
        };
        let value = metric(es.monitor, ctx).ok_or_else(|| {
            Error::Invalid(format!(
                "monitor `{what}` needs a validation set with that metric (set \
                 validation_fraction > 0, and a model that reports it)"
            ))
        })?;
        let s = &mut self.state;
        let better = match s.best {
            None => true,
            Some(b) if es.monitor.maximise() => value > b + es.min_delta,
            Some(b) => value < b - es.min_delta,
        };
        if better {
            (s.best, s.best_epoch, s.wait) = (Some(value), ctx.epoch, 0);
            if es.restore_best {
                s.best_params = Some(ctx.params_f64());
            }
        } else {
            s.wait += 1;
            if s.wait >= es.patience {
                ctx.stop(TrainStatus::EarlyStopped);
            }
        }
        Ok(())
    }
    fn on_train_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if ctx.status() == TrainStatus::EarlyStopped {
            if let Some(best) = self.state.best_params.as_ref() {
                ctx.set_params(best);
            }
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

/// Reduce-on-plateau: feeds the monitored metric to a [`PlateauRule`] at each epoch end and
/// multiplies `ctx.lr_scale` by the rule's change of the learning rate.
pub struct Plateau<'r> {
    rule: &'r mut dyn PlateauRule,
    monitor: Monitor,
}

impl<'r> Plateau<'r> {
    /// The checkpoint key.
    pub const NAME: &'static str = "reduce_on_plateau";

    /// `rule` fed `monitor`.
    pub fn new(rule: &'r mut dyn PlateauRule, monitor: Monitor) -> Self {
        Plateau { rule, monitor }
    }
}

impl<T: Scalar> Callback<T> for Plateau<'_> {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn per_step(&self) -> bool {
        false
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        let m = self.monitor;
        let value = metric(m, ctx).ok_or_else(|| {
            Error::Invalid(format!("plateau monitor `{m:?}` needs a validation set"))
        })?;
        let cur = ctx.lr;
        let new = self.rule.step(value, cur);
        if new != cur && cur != 0.0 {
            ctx.lr_scale *= new / cur;
        }
        ctx.group_lr_scale = self.rule.group_factors();
        Ok(())
    }
    fn on_train_begin(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        // After a resume the rule's state was replayed: restore the groups' factors.
        ctx.group_lr_scale = self.rule.group_factors();
        Ok(())
    }
    fn state(&self) -> Result<Value> {
        to_state(Self::NAME, &self.rule.state())
    }
    fn load_state(&mut self, state: Value) -> Result<()> {
        let s: Vec<f64> = from_state(Self::NAME, state)?;
        self.rule.load_state(&s)
    }
}
