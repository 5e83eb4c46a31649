//! [`Callback`]: what the training loop calls at the start and end of the run, of each epoch
//! and after each step, and the [`Context`] it hands them (the model, the data, the parameters
//! and the counters of the run).

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::config::TrainConfig;
use super::outcome::{DivergedAt, DivergenceCause, EpochMetrics, TrainStatus};
use crate::data::{pages, Dataset};
use crate::model::{Network, Scalar};
use crate::optim::Optimizer;
use crate::{Error, Result, SampledObjective};

/// A plug-in of the training loop (Keras' `Callback`, argmin's observers).
///
/// Hooks run in the order the callbacks were added, after the built-in ones of the
/// configuration; `on_train_end` runs in reverse order (the last added runs first). A hook can
/// end the run with [`Context::stop`]; the callbacks after it are then skipped for that hook
/// (except at the start and end of training, where every callback runs).
///
/// The state a callback needs to continue after a resume goes through [`Callback::state`]
/// and [`Callback::load_state`] as JSON; the checkpoint stores it under [`Callback::name`].
///
/// ```
/// use downhill::model::Scalar;
/// use downhill::train::{Callback, Context, TrainStatus};
///
/// /// Stops as soon as the logged training loss is below a target.
/// struct StopBelow(f64);
///
/// impl<T: Scalar> Callback<T> for StopBelow {
///     fn name(&self) -> &str {
///         "stop_below"
///     }
///     fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> downhill::Result<()> {
///         if ctx.train_loss < self.0 {
///             ctx.stop(TrainStatus::EarlyStopped);
///         }
///         Ok(())
///     }
/// }
/// ```
pub trait Callback<T: Scalar> {
    /// The key of this callback's state in checkpoints (unique within a run).
    fn name(&self) -> &str;
    /// Whether [`Callback::on_step_end`] does anything (default true). Callbacks that return
    /// false are not called after each step, which keeps the loop lean.
    fn per_step(&self) -> bool {
        true
    }
    /// Before the first epoch (after a resume has restored the states).
    fn on_train_begin(&mut self, _ctx: &mut Context<'_, T>) -> Result<()> {
        Ok(())
    }
    /// Before the first step of epoch `ctx.epoch` (0-based).
    fn on_epoch_begin(&mut self, _ctx: &mut Context<'_, T>) -> Result<()> {
        Ok(())
    }
    /// After each optimiser step (`ctx.step` steps taken, `ctx.batch` the 0-based batch).
    fn on_step_end(&mut self, _ctx: &mut Context<'_, T>) -> Result<()> {
        Ok(())
    }
    /// After the last step of an epoch (`ctx.epoch` epochs completed).
    fn on_epoch_end(&mut self, _ctx: &mut Context<'_, T>) -> Result<()> {
        Ok(())
    }
    /// After the run, in reverse order; may replace `ctx.params` (restore, averaging).
    fn on_train_end(&mut self, _ctx: &mut Context<'_, T>) -> Result<()> {
        Ok(())
    }
    /// The state to checkpoint (`Value::Null`, the default, stores nothing).
    fn state(&self) -> Result<Value> {
        Ok(Value::Null)
    }
    /// Restores [`Callback::state`] from a checkpoint.
    fn load_state(&mut self, _state: Value) -> Result<()> {
        Ok(())
    }
}

/// Serialises a callback state (for [`Callback::state`]).
pub fn to_state<S: Serialize>(name: &str, state: &S) -> Result<Value> {
    serde_json::to_value(state).map_err(|e| Error::Invalid(format!("{name} state: {e}")))
}

/// Deserialises a callback state (for [`Callback::load_state`]).
pub fn from_state<S: DeserializeOwned>(name: &str, state: Value) -> Result<S> {
    serde_json::from_value(state).map_err(|e| Error::Invalid(format!("checkpoint: {name}: {e}")))
}

/// The run as callbacks see it: the model and data, the parameters, the counters, the
/// learning-rate controls and how the run is to end.
pub struct Context<'c, T: Scalar> {
    /// The model.
    pub net: &'c Network<T>,
    /// The training split.
    pub train: &'c Dataset<T>,
    /// The validation split, if any.
    pub val: Option<&'c Dataset<T>>,
    /// The run's configuration.
    pub config: &'c TrainConfig,
    objective: Option<&'c dyn SampledObjective<T>>,
    all: Vec<usize>,
    /// The parameters (after the step, in `on_step_end`). With an optimiser that has an
    /// evaluation point ([`Optimizer::eval_point`]: schedule-free), this is that point x,
    /// recomputed after each step from the training point y the optimiser steps (kept aside,
    /// and in checkpoints): what validation, the loss log, averaging, early stopping, the
    /// result and the saved model see. Writing it does not move y.
    pub params: Vec<T>,
    /// The training point y when it differs from `params` (see there).
    pub(super) train_point: Option<Vec<T>>,
    /// The weights validation measures instead of `params`, when set (EMA's average).
    pub eval_params: Option<Vec<T>>,
    /// Epochs completed (so the current one is `epoch + 1`, 1-based, during an epoch).
    pub epoch: usize,
    /// Optimiser steps taken.
    pub step: usize,
    /// Samples seen (including the current batch in `on_step_end`).
    pub samples: usize,
    /// The batch within the epoch, 0-based.
    pub batch: usize,
    /// Batches in the current epoch.
    pub batches: usize,
    /// Batch size of the current epoch.
    pub batch_size: usize,
    /// Mean loss of the last batch.
    pub batch_loss: f64,
    /// The optimiser's learning rate (at epoch boundaries).
    pub lr: f64,
    /// The learning rate before schedules and plateau scaling.
    pub base_lr: f64,
    /// Multiplier of the scheduled lr, changed by plateau rules.
    pub lr_scale: f64,
    /// Each parameter group's plateau factor relative to group 0's (empty: all alike; a rule
    /// with a `min_lr` per group sets it).
    pub group_lr_scale: Vec<f64>,
    /// A learning rate replacing the schedule for the current epoch (SWA).
    pub lr_override: Option<f64>,
    /// With [`Context::lr_override`], each group's own (SWA with a `swa_lr` per group; empty:
    /// every group takes `lr_override`).
    pub group_lr_override: Vec<f64>,
    /// Each parameter group's lr at the start of the epoch (group 0's is [`Context::lr`]).
    pub group_lrs: Vec<f64>,
    /// The last logged loss over the whole training set (NaN before any).
    pub train_loss: f64,
    /// The first logged loss over the whole training set, at the initial parameters (NaN
    /// without logging): the reference of the divergence threshold.
    pub initial_loss: f64,
    /// This epoch's validation metrics (in `on_epoch_end`, after the validation callback).
    pub val_metrics: Option<EpochMetrics>,
    /// Whether the run continues from a checkpoint.
    pub resumed: bool,
    status: TrainStatus,
    diverged_at: Option<DivergedAt>,
    stopped: bool,
    pub(super) save_to: Option<PathBuf>,
}

impl<'c, T: Scalar> Context<'c, T> {
    /// A context at the start of a run from `init` (checked against the model).
    pub(super) fn new(
        net: &'c Network<T>,
        train: &'c Dataset<T>,
        val: Option<&'c Dataset<T>>,
        config: &'c TrainConfig,
        objective: Option<&'c dyn SampledObjective<T>>,
        init: &[T],
    ) -> Result<Self> {
        let np = net.n_params();
        if init.len() != np {
            return Err(Error::Dimension {
                what: "initial parameters".into(),
                got: init.len(),
                expected: np.to_string(),
            });
        }
        let n = objective.map_or(train.n(), |o| o.n_samples());
        if n == 0 {
            return Err(Error::Invalid("the training set is empty".into()));
        }
        Ok(Context {
            net,
            train,
            val,
            config,
            objective,
            all: (0..n).collect(),
            // Large vectors on huge pages (`data::pages`): streamed once or more per step.
            params: pages::copied(init),
            train_point: None,
            eval_params: None,
            epoch: 0,
            step: 0,
            samples: 0,
            batch: 0,
            batches: 0,
            batch_size: config.batch_size,
            batch_loss: f64::NAN,
            lr: f64::NAN,
            base_lr: f64::NAN,
            lr_scale: 1.0,
            group_lr_scale: Vec::new(),
            lr_override: None,
            group_lr_override: Vec::new(),
            group_lrs: Vec::new(),
            train_loss: f64::NAN,
            initial_loss: f64::NAN,
            val_metrics: None,
            resumed: false,
            status: TrainStatus::Completed,
            diverged_at: None,
            stopped: false,
            save_to: None,
        })
    }

    /// For an optimiser with an evaluation point, moves `params` (the point it steps) aside
    /// as the training point and puts the evaluation point in `params`.
    pub(super) fn split_eval_point(&mut self, opt: &dyn Optimizer<T>) {
        let mut x = pages::filled(self.params.len(), T::zero());
        if opt.eval_point(&self.params, &mut x) {
            self.train_point = Some(std::mem::replace(&mut self.params, x));
        }
    }

    /// Number of training samples (all ranks together under MPI).
    pub fn n_samples(&self) -> usize {
        self.all.len()
    }

    /// Mean loss of the current parameters over the whole training set.
    pub fn full_loss(&self) -> f64 {
        match self.objective {
            Some(o) => o.batch_value(&self.params, &self.all).f64(),
            None => self
                .net
                .loss(&self.params, self.train, &self.all, None)
                .f64(),
        }
    }

    /// Mean loss of `params` on `batch`, its gradient written into `grad`; `upcoming` (the
    /// next batch's indices) is a prefetching hint for the model's own path.
    pub(super) fn batch_gradient(
        &self,
        params: &[T],
        batch: &[usize],
        upcoming: &[usize],
        grad: &mut [T],
    ) -> T {
        match self.objective {
            Some(o) => o.batch_gradient(params, batch, grad),
            None => self
                .net
                .loss_ahead(params, self.train, batch, upcoming, Some(grad)),
        }
    }

    /// Validation metrics of the current parameters, labelled `epoch`, if there is a
    /// non-empty validation set.
    pub fn validate(&self, epoch: usize) -> Option<EpochMetrics> {
        self.val.filter(|v| v.n() > 0).map(|v| {
            let p = self.eval_params.as_deref().unwrap_or(&self.params);
            let m = self.net.evaluate(p, v);
            EpochMetrics {
                epoch,
                loss: m.loss,
                accuracy: m.accuracy,
                r2: m.r2,
            }
        })
    }

    /// Ends the run after the current hook with `status` (the first reason given wins).
    pub fn stop(&mut self, status: TrainStatus) {
        if !self.stopped {
            (self.stopped, self.status) = (true, status);
        }
    }

    /// Ends the run as [`TrainStatus::Diverged`] at step `self.step` of epoch `epoch`
    /// (1-based), with no cause recorded ([`Context::diverge_because`] records one).
    pub fn diverge(&mut self, epoch: usize) {
        self.diverge_with(epoch, None);
    }

    /// [`Context::diverge`], recording which check fired.
    pub fn diverge_because(&mut self, epoch: usize, cause: DivergenceCause) {
        self.diverge_with(epoch, Some(cause));
    }

    fn diverge_with(&mut self, epoch: usize, cause: Option<DivergenceCause>) {
        if !self.stopped {
            self.diverged_at = Some(DivergedAt {
                step: self.step,
                epoch,
                cause,
            });
        }
        self.stop(TrainStatus::Diverged);
    }

    /// Whether a callback has ended the run.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// How the run ends (so far).
    pub fn status(&self) -> TrainStatus {
        self.status
    }

    /// Where the run diverged, if it did.
    pub fn diverged_at(&self) -> Option<DivergedAt> {
        self.diverged_at
    }

    /// Replaces the parameters with `values` (same length), converted to `T`.
    pub fn set_params(&mut self, values: &[f64]) {
        for (p, &v) in self.params.iter_mut().zip(values) {
            *p = T::of(v);
        }
    }

    /// The parameters widened to f64.
    pub fn params_f64(&self) -> Vec<f64> {
        self.params.iter().map(|v| v.f64()).collect()
    }
}
