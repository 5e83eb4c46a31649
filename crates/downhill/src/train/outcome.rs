//! What a training run reports: how it ended ([`TrainStatus`], [`DivergedAt`],
//! [`Refused`]), its progress events ([`Progress`]) and its result ([`TrainResult`]).

use serde::{Deserialize, Serialize};

/// How a training run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainStatus {
    /// All epochs ran.
    Completed,
    /// Early stopping ended the run.
    EarlyStopped,
    /// A non-finite loss or parameter appeared.
    Diverged,
    /// Stopped from outside ([`super::callbacks::StopFlag`]: the lab's Stop button).
    Stopped,
    /// The optimiser refused the hyperparameters of the next step
    /// ([`crate::optim::Optimizer::check_hyper`]: parameter groups sharing one d whose lrs a
    /// schedule drove apart); [`TrainResult::refused`] says where and why. The parameters
    /// from before that step are kept.
    Refused,
}

/// The step a run ended at because the optimiser refused its hyperparameters, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    /// The refused optimiser step (1-based; it was not taken).
    pub step: usize,
    /// Its epoch (1-based).
    pub epoch: usize,
    /// The optimiser's reason, naming the hyperparameter.
    pub why: String,
}

/// Where a run diverged: the 1-based optimiser step whose result was non-finite and the
/// 1-based epoch it was in, and which check fired.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DivergedAt {
    /// Optimiser step (1-based).
    pub step: usize,
    /// Epoch (1-based).
    pub epoch: usize,
    /// The check that fired, with its numbers (`None`: a callback declared the run diverged
    /// without saying why; checkpoints written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<DivergenceCause>,
}

/// Which divergence check ended a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum DivergenceCause {
    /// A loss above `limit = threshold · max(|reference|, 1)`, the reference being the first
    /// logged loss (or the first batch loss when nothing is logged).
    LossAboveLimit {
        /// Which loss: `"batch"` (the step's mini-batch) or `"logged"` (the whole training
        /// set, as the loss log measures it).
        of: LossOf,
        /// The loss.
        loss: f64,
        /// The limit it passed.
        limit: f64,
        /// `divergence_threshold`.
        threshold: f64,
        /// The reference loss L₀.
        reference: f64,
    },
    /// A loss that is not a finite number.
    NonFiniteLoss {
        /// Which loss.
        of: LossOf,
    },
    /// A parameter that is not a finite number after the step.
    NonFiniteParameter,
}

/// Which loss a divergence check looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossOf {
    /// The step's mini-batch loss.
    Batch,
    /// The whole-training-set loss of the loss log.
    Logged,
}

impl DivergenceCause {
    /// The check that fired for `loss` against `limit` (`None`: no limit, so the loss was not
    /// finite).
    pub fn of_loss(
        of: LossOf,
        loss: f64,
        limit: &crate::guard::Limit,
        threshold: Option<f64>,
        reference: f64,
    ) -> Self {
        match (loss.is_finite(), limit.value(), threshold) {
            (true, Some(limit), Some(threshold)) => DivergenceCause::LossAboveLimit {
                of,
                loss,
                limit,
                threshold,
                reference,
            },
            _ => DivergenceCause::NonFiniteLoss { of },
        }
    }
}

impl std::fmt::Display for DivergenceCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = |of: &LossOf| match of {
            LossOf::Batch => "the batch loss",
            LossOf::Logged => "the training-set loss",
        };
        match self {
            DivergenceCause::LossAboveLimit {
                of,
                loss,
                limit,
                threshold,
                reference,
            } => write!(
                f,
                "{} {loss:.4e} passed the limit {limit:.4e} = divergence_threshold {threshold:e} \
                 × max(|L₀|, 1), L₀ = {reference:.4e}",
                name(of)
            ),
            DivergenceCause::NonFiniteLoss { of } => {
                write!(f, "{} is not a finite number", name(of))
            }
            DivergenceCause::NonFiniteParameter => {
                write!(f, "a parameter is not a finite number after the step")
            }
        }
    }
}

/// Validation metrics after an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// Epoch (1-based).
    pub epoch: usize,
    /// Mean validation loss.
    pub loss: f64,
    /// Accuracy (classifiers).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub accuracy: Option<f64>,
    /// R² (regression).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub r2: Option<f64>,
}

/// Progress events, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress {
    /// A batch of epoch `epoch` (1-based) finished; `batch` of `batches`.
    Batch {
        /// Epoch, 1-based.
        epoch: usize,
        /// Batch within the epoch, 1-based.
        batch: usize,
        /// Batches in the epoch.
        batches: usize,
        /// Optimiser steps taken (this batch's included).
        step: usize,
        /// Samples seen (this batch's included).
        samples: usize,
        /// Mean loss of this batch, where its gradient was taken (before the step).
        loss: f64,
    },
    /// An epoch finished.
    Epoch {
        /// Epoch, 1-based.
        epoch: usize,
        /// Last logged training loss.
        train_loss: f64,
        /// Validation metrics, if there is a validation set.
        val: Option<EpochMetrics>,
    },
}

/// A progress callback.
pub type ProgressFn<'a> = Box<dyn FnMut(&Progress) + 'a>;

/// What [`super::Trainer::run`] returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainResult {
    /// How the run ended.
    pub status: TrainStatus,
    /// Epochs completed.
    pub epochs: usize,
    /// Optimiser steps taken.
    pub steps: usize,
    /// Final parameters (last finite ones after a divergence; best ones after early stopping
    /// with `restore_best`; the average with SWA or snapshots).
    pub params: Vec<f64>,
    /// Every logged loss over the whole training set, the first before training.
    pub train_loss: Vec<f64>,
    /// Samples seen at each logged loss.
    pub log_samples: Vec<usize>,
    /// Loss over the whole training set with the final parameters (NaN with
    /// `log_train_loss = false`).
    pub final_train_loss: f64,
    /// Validation metrics per epoch.
    pub val_metrics: Vec<EpochMetrics>,
    /// Validation metrics of the final parameters (which differ from the last epoch's with
    /// SWA, snapshot averaging or `restore_best`).
    pub final_val: Option<EpochMetrics>,
    /// Set when the run diverged.
    pub diverged_at: Option<DivergedAt>,
    /// Learning rate at the first step of each epoch run by this call (after a resume, only
    /// the resumed epochs).
    pub lr: Vec<f64>,
    /// The trained parameters at the end when `params` is an average (EMA, SWA, snapshots).
    pub last_params: Option<Vec<f64>>,
    /// Steps the optimiser took without changing the parameters
    /// ([`crate::optim::Optimizer::skipped`]: a non-finite gradient under `skip_non_finite`,
    /// Muon without a matrix), counted in `steps`.
    pub skipped_steps: usize,
    /// Set when the optimiser refused the next step's hyperparameters
    /// ([`TrainStatus::Refused`]).
    pub refused: Option<Refused>,
}
