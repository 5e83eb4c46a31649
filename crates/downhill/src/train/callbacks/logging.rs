//! The loss over the whole training set ([`LossLog`]), validation metrics ([`Validation`])
//! and progress events for a progress bar ([`ProgressHook`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::guard::Limit;
use crate::model::Scalar;
use crate::train::callback::{from_state, to_state, Callback, Context};
use crate::train::outcome::{EpochMetrics, Progress, ProgressFn};
use crate::train::{DivergenceCause, LossOf};
use crate::Result;

/// Logs the mean loss over the whole training set: once before training, then after every
/// batch `i` (0-based, within the epoch) with `i · batch_size` divisible by `log_interval`,
/// or once per epoch without `log_interval`; and once with the final
/// parameters. A non-finite logged loss, or one above the divergence threshold, ends the run
/// as diverged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LossLog {
    /// `log_interval` of the configuration.
    #[serde(skip)]
    pub interval: Option<usize>,
    /// `log_train_loss` of the configuration (false: no logging at all).
    #[serde(skip)]
    pub enabled: bool,
    /// Every logged loss, the first before training.
    pub train_loss: Vec<f64>,
    /// Samples seen at each logged loss.
    pub log_samples: Vec<usize>,
    /// Loss with the final parameters (NaN when disabled).
    #[serde(skip)]
    pub final_loss: f64,
    /// `divergence_threshold` of the configuration: a logged loss above
    /// `threshold · max(|first logged loss|, 1)` diverges.
    #[serde(skip)]
    pub threshold: Option<f64>,
}

impl LossLog {
    /// The checkpoint key.
    pub const NAME: &'static str = "loss_log";

    /// A log every `interval` samples (or per epoch), if `enabled`.
    pub fn new(interval: Option<usize>, enabled: bool) -> Self {
        LossLog {
            interval,
            enabled,
            final_loss: f64::NAN,
            ..LossLog::default()
        }
    }

    fn log<T: Scalar>(&mut self, ctx: &mut Context<'_, T>, epoch: usize) {
        let l = ctx.full_loss();
        self.train_loss.push(l);
        self.log_samples.push(ctx.samples);
        let limit = Limit::new(self.threshold, ctx.initial_loss);
        if !limit.allows(l) {
            let (t, l0) = (self.threshold, ctx.initial_loss);
            let cause = DivergenceCause::of_loss(LossOf::Logged, l, &limit, t, l0);
            ctx.diverge_because(epoch, cause);
        }
    }
}

impl<T: Scalar> Callback<T> for LossLog {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn per_step(&self) -> bool {
        self.interval.is_some()
    }
    fn on_train_begin(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if !ctx.resumed && self.enabled {
            self.train_loss.push(ctx.full_loss());
            self.log_samples.push(0);
        }
        ctx.initial_loss = self.train_loss.first().copied().unwrap_or(f64::NAN);
        if self.train_loss.first().is_some_and(|l| !l.is_finite()) {
            let cause = DivergenceCause::NonFiniteLoss { of: LossOf::Logged };
            ctx.diverge_because(ctx.epoch + 1, cause);
        }
        Ok(())
    }
    fn on_step_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if self
            .interval
            .is_some_and(|k| (ctx.batch * ctx.batch_size).is_multiple_of(k))
        {
            self.log(ctx, ctx.epoch + 1);
        }
        Ok(())
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if self.interval.is_none() && self.enabled {
            self.log(ctx, ctx.epoch);
        }
        ctx.train_loss = self.train_loss.last().copied().unwrap_or(f64::NAN);
        Ok(())
    }
    fn on_train_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if self.enabled {
            self.final_loss = ctx.full_loss();
        }
        Ok(())
    }
    fn state(&self) -> Result<Value> {
        to_state(Self::NAME, self)
    }
    fn load_state(&mut self, state: Value) -> Result<()> {
        let s: LossLog = from_state(Self::NAME, state)?;
        (self.train_loss, self.log_samples) = (s.train_loss, s.log_samples);
        Ok(())
    }
}

/// Validation metrics (loss, accuracy or R²) after each epoch and with the final parameters,
/// when there is a non-empty validation set; they are put in `ctx.val_metrics` for the
/// callbacks after it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// Metrics per epoch.
    pub val_metrics: Vec<EpochMetrics>,
    /// Metrics of the final parameters.
    #[serde(skip)]
    pub final_val: Option<EpochMetrics>,
}

impl Validation {
    /// The checkpoint key.
    pub const NAME: &'static str = "validation";
}

impl<T: Scalar> Callback<T> for Validation {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn per_step(&self) -> bool {
        false
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        ctx.val_metrics = ctx.validate(ctx.epoch);
        self.val_metrics.extend(ctx.val_metrics);
        Ok(())
    }
    fn on_train_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        self.final_val = ctx.validate(ctx.epoch);
        Ok(())
    }
    fn state(&self) -> Result<Value> {
        to_state(Self::NAME, self)
    }
    fn load_state(&mut self, state: Value) -> Result<()> {
        *self = from_state(Self::NAME, state)?;
        Ok(())
    }
}

/// Sends [`Progress`] events (each batch, each epoch) to a hook, such as the CLI's progress
/// bar. Stateless.
pub struct ProgressHook<'h, 'a>(pub &'h mut ProgressFn<'a>);

impl<T: Scalar> Callback<T> for ProgressHook<'_, '_> {
    fn name(&self) -> &str {
        "progress"
    }
    fn on_step_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        (self.0)(&Progress::Batch {
            epoch: ctx.epoch + 1,
            batch: ctx.batch + 1,
            batches: ctx.batches,
            step: ctx.step,
            samples: ctx.samples,
            loss: ctx.batch_loss,
        });
        Ok(())
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        (self.0)(&Progress::Epoch {
            epoch: ctx.epoch,
            train_loss: ctx.train_loss,
            val: ctx.val_metrics,
        });
        Ok(())
    }
}
