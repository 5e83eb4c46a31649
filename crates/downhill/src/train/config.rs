//! The training-loop configuration (`[train]` of `downhill train`), with PyTorch/Keras names.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::data::Sampling;
use crate::error::check_min;
use crate::schedule::{AnnealStrategy, GroupArg};
use crate::{Error, Result};

fn default_batch_size() -> usize {
    32
}
fn default_epochs() -> usize {
    10
}
fn default_true() -> bool {
    true
}

/// The default of [`TrainConfig::divergence_threshold`].
pub const DEFAULT_DIVERGENCE_THRESHOLD: f64 = 1e10;

fn default_divergence_threshold() -> Option<f64> {
    Some(DEFAULT_DIVERGENCE_THRESHOLD)
}

pub use crate::guard::{check_divergence_threshold, divergence_limit, divergence_threshold};

/// `[train]`: epochs, batches, logging, callbacks, checkpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Number of passes over the training set (default 10).
    #[serde(default = "default_epochs")]
    pub epochs: usize,
    /// Samples per step (default 32; 1 is SGD; ≥ n is full-batch GD).
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// How batches are drawn (default `without_replacement`).
    #[serde(default)]
    pub sampling: Sampling,
    /// Log the loss over the whole training set after every batch `i` (0-based, within the
    /// epoch) with `i · batch_size` divisible by `log_interval`, and once
    /// before training. Default: once per epoch.
    pub log_interval: Option<usize>,
    /// Whether to compute the loss over the whole training set at all (default true): before
    /// training, at `log_interval` or epoch ends, and with the final parameters. `false` skips
    /// those passes (pure training throughput, as `downhill bench train` measures it); then
    /// `log_interval` and a `train_loss` monitor are refused and `final_train_loss` is NaN.
    #[serde(default = "default_true")]
    pub log_train_loss: bool,
    /// Seed of initialisation and sampling (default 0).
    #[serde(default)]
    pub seed: u64,
    /// Early stopping, if wanted.
    pub early_stopping: Option<EarlyStoppingConfig>,
    /// What a reduce-on-plateau rule watches (default `val_loss` when there is a validation
    /// set, else `train_loss`).
    pub plateau_monitor: Option<Monitor>,
    /// Stochastic weight averaging, if wanted.
    pub swa: Option<SwaConfig>,
    /// An exponential moving average of the weights, if wanted (`ema = { decay = 0.999 }`).
    pub ema: Option<EmaConfig>,
    /// Snapshot averaging: average the parameters at the end of every `snapshot_every`-th
    /// epoch (the ends of warm-restart cycles of `t_0 = snapshot_every` epochs) and finish
    /// with that average.
    pub snapshot_every: Option<usize>,
    /// Write a checkpoint every this many epochs.
    pub checkpoint_every: Option<usize>,
    /// Where checkpoints go (default `checkpoint.json`).
    pub checkpoint_path: Option<PathBuf>,
    /// Stop as diverged (with the step and the parameters before it, as for a non-finite
    /// loss) when a batch loss exceeds `divergence_threshold · max(|L₀|, 1)`, `L₀` the first
    /// logged loss over the training set (the loss at the initial parameters; the first
    /// batch loss of the run when `log_train_loss = false`). In the spirit of Lightning's
    /// `EarlyStopping(divergence_threshold = …)`, relative to the start. Default 1e10;
    /// `false` (`None`) switches it off.
    #[serde(
        default = "default_divergence_threshold",
        deserialize_with = "divergence_threshold"
    )]
    pub divergence_threshold: Option<f64>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: default_epochs(),
            batch_size: default_batch_size(),
            sampling: Sampling::default(),
            log_interval: None,
            log_train_loss: true,
            seed: 0,
            early_stopping: None,
            plateau_monitor: None,
            swa: None,
            ema: None,
            snapshot_every: None,
            checkpoint_every: None,
            checkpoint_path: None,
            divergence_threshold: default_divergence_threshold(),
        }
    }
}

/// Which quantity early stopping and plateau rules watch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monitor {
    /// Validation loss (minimised; the default).
    #[default]
    ValLoss,
    /// Validation accuracy (maximised; classifiers).
    ValAccuracy,
    /// Validation R² (maximised; regression).
    ValR2,
    /// Loss over the whole training set (minimised).
    TrainLoss,
}

impl Monitor {
    /// Whether larger is better.
    pub fn maximise(self) -> bool {
        matches!(self, Monitor::ValAccuracy | Monitor::ValR2)
    }
}

fn default_patience() -> usize {
    5
}

/// Early stopping (Keras' `EarlyStopping`): stop when `monitor` has not improved by more than
/// `min_delta` for `patience` epochs; with `restore_best`, finish with the best parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStoppingConfig {
    /// The watched quantity (default `val_loss`).
    #[serde(default)]
    pub monitor: Monitor,
    /// Minimum change that counts as an improvement (default 0).
    #[serde(default)]
    pub min_delta: f64,
    /// Epochs without improvement before stopping (default 5).
    #[serde(default = "default_patience")]
    pub patience: usize,
    /// Restore the parameters of the best epoch when stopping (default false).
    #[serde(default)]
    pub restore_best: bool,
}

fn default_anneal_epochs() -> usize {
    10
}

/// Stochastic weight averaging (Izmailov et al. 2018; PyTorch's `AveragedModel` + `SWALR`).
///
/// From epoch `swa_start` (0-based) on, epoch `j = e − swa_start` uses
/// `lr = swa_lr·α(t) + lr₀·(1 − α(t))`, `t = min(1, (j + 1)/anneal_epochs)` (`t = 1` when
/// `anneal_epochs = 0`), `lr₀` the learning rate when SWA started; after each such epoch the
/// running average `θ̄ ← θ̄ + (θ − θ̄)/(m + 1)` is updated, and training ends with `θ = θ̄`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwaConfig {
    /// First epoch (0-based) that is averaged.
    pub swa_start: usize,
    /// The learning rate SWA anneals to and holds: one for every parameter group, or a list
    /// with one per group (PyTorch's `SWALR(swa_lr = [...])`); each group anneals from its
    /// own lr.
    pub swa_lr: GroupArg<f64>,
    /// Epochs of annealing (default 10, PyTorch's default).
    #[serde(default = "default_anneal_epochs")]
    pub anneal_epochs: usize,
    /// `cos` (default) or `linear` (PyTorch's `SWALR.anneal_strategy`; the same enum as
    /// `one_cycle_lr`'s).
    #[serde(default)]
    pub anneal_strategy: AnnealStrategy,
}

fn default_ema_decay() -> f64 {
    0.999
}

/// An exponential moving average of the weights: PyTorch's
/// `AveragedModel(model, multi_avg_fn = get_ema_multi_avg_fn(decay))` with
/// `update_parameters` after every optimiser step. The first update copies θ, then
/// `ema ← decay·ema + (1 − decay)·θ` (computed as `torch.lerp(ema, θ, 1 − decay)`).
/// Validation metrics, `--save` and the final `params` use the EMA weights (as SWA's average,
/// and as Keras' `use_ema` does at the end of `fit`); the EMA is kept in f64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmaConfig {
    /// The decay, in [0, 1] (default 0.999, `get_ema_multi_avg_fn`'s).
    #[serde(default = "default_ema_decay")]
    pub decay: f64,
}

impl Default for EmaConfig {
    fn default() -> Self {
        EmaConfig {
            decay: default_ema_decay(),
        }
    }
}

impl TrainConfig {
    /// Checks the per-group lists (`swa.swa_lr`) against an optimiser with `groups`
    /// parameter groups.
    pub fn check_groups(&self, groups: usize) -> Result<()> {
        if let Some(s) = &self.swa {
            s.swa_lr.of_group("swa.swa_lr", 0, groups)?;
        }
        Ok(())
    }

    /// Checks the values (epochs ≥ 1, batch_size ≥ 1, …), naming the key.
    pub fn validate(&self) -> Result<()> {
        check_min("epochs", self.epochs as f64, 1.0)?;
        check_min("batch_size", self.batch_size as f64, 1.0)?;
        if let Some(k) = self.log_interval {
            check_min("log_interval", k as f64, 1.0)?;
        }
        for (key, v) in [
            ("checkpoint_every", self.checkpoint_every),
            ("snapshot_every", self.snapshot_every),
        ] {
            if let Some(v) = v {
                check_min(key, v as f64, 1.0)?;
            }
        }
        check_divergence_threshold("divergence_threshold", self.divergence_threshold)?;
        if let Some(es) = &self.early_stopping {
            check_min("early_stopping.min_delta", es.min_delta, 0.0)?;
        }
        if !self.log_train_loss {
            let train_monitor = self
                .early_stopping
                .as_ref()
                .is_some_and(|e| e.monitor == Monitor::TrainLoss)
                || self.plateau_monitor == Some(Monitor::TrainLoss);
            if self.log_interval.is_some() || train_monitor {
                return Err(Error::Invalid(
                    "`log_train_loss = false` skips the training-set loss, so `log_interval` \
                     and a `train_loss` monitor cannot be used with it"
                        .to_string(),
                ));
            }
        }
        if let Some(e) = &self.ema {
            if !(0.0..=1.0).contains(&e.decay) {
                return Err(Error::param("ema.decay", e.decay, "must be in [0, 1]"));
            }
            if self.swa.is_some() || self.snapshot_every.is_some() {
                return Err(Error::Invalid(
                    "choose one of `ema`, `swa` and `snapshot_every` (they share the one \
                     averaging callback)"
                        .to_string(),
                ));
            }
        }
        if let Some(s) = &self.swa {
            match &s.swa_lr {
                GroupArg::One(x) => check_min("swa.swa_lr", *x, 0.0)?,
                GroupArg::Each(xs) => {
                    for (i, &x) in xs.iter().enumerate() {
                        check_min(&format!("swa.swa_lr[{i}]"), x, 0.0)?;
                    }
                }
            }
            if self.snapshot_every.is_some() {
                return Err(Error::Invalid(
                    "choose one of `swa` and `snapshot_every`".to_string(),
                ));
            }
        }
        Ok(())
    }
}
