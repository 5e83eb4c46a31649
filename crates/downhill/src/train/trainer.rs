//! [`Trainer`]: the epoch/batch loop and its callbacks.

use serde::{Deserialize, Serialize};

use super::checkpoint::Checkpoint;
use super::config::{AnnealStrategy, Monitor, TrainConfig};
use crate::data::{pages, Dataset, Sampler};
use crate::model::{Metrics, Network, Scalar};
use crate::optim::Optimizer;
use crate::schedule::Schedule;
use crate::{Error, Result, SampledObjective};

/// When a [`Schedule`] is stepped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleUnit {
    /// `lr = schedule.lr(k)` before optimiser step `k` (the default).
    #[default]
    Step,
    /// `lr = schedule.lr(e)` for every step of epoch `e` (0-based).
    Epoch,
}

/// A schedule given by a closure `k ↦ lr` (the minimal hook; any [`Schedule`] works too).
pub struct LrFn<F>(pub F);

impl<F: FnMut(usize) -> f64 + Send> Schedule for LrFn<F> {
    fn lr(&mut self, step: usize) -> f64 {
        (self.0)(step)
    }
}

/// A rule that reacts to the monitored metric at each epoch end by changing the learning rate
/// (reduce-on-plateau). Its state must round-trip through `state`/`load_state` for resume.
pub trait PlateauRule: Send {
    /// Given the epoch's metric and the current lr, returns the lr to use from now on.
    fn step(&mut self, metric: f64, lr: f64) -> f64;
    /// The rule's state as numbers.
    fn state(&self) -> Vec<f64>;
    /// Restores [`PlateauRule::state`].
    fn load_state(&mut self, state: &[f64]) -> Result<()>;
}

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
}

/// Where a run diverged: the 1-based optimiser step whose result was non-finite and the
/// 1-based epoch it was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DivergedAt {
    /// Optimiser step (1-based).
    pub step: usize,
    /// Epoch (1-based).
    pub epoch: usize,
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

/// Early-stopping bookkeeping.
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

/// Running average of parameters (SWA or snapshots).
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

/// What [`Trainer::run`] returns.
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
}

/// The training loop over a [`Network`] and a training set; see [`Trainer::run`].
pub struct Trainer<'a, T: Scalar> {
    /// The model.
    pub net: &'a Network<T>,
    /// The training split.
    pub train: &'a Dataset<T>,
    /// The validation split (metrics per epoch), if any.
    pub val: Option<&'a Dataset<T>>,
    /// Epochs, batches, callbacks.
    pub config: TrainConfig,
    /// A learning-rate schedule and when it is stepped.
    pub schedule: Option<(Box<dyn Schedule + 'a>, ScheduleUnit)>,
    /// A reduce-on-plateau rule (fed the early-stopping monitor, default `val_loss`).
    pub plateau: Option<(Box<dyn PlateauRule + 'a>, Monitor)>,
    /// Batch size per epoch (0-based), overriding `config.batch_size` and the schedule's
    /// `Schedule::batch_size` (which is asked at each epoch start, at the global step or the
    /// epoch as its unit says).
    pub batch_size_schedule: Option<Box<dyn FnMut(usize) -> usize + 'a>>,
    /// Progress callback.
    pub progress: Option<ProgressFn<'a>>,
    /// Identifies the configuration inside checkpoints.
    pub fingerprint: String,
    /// When set, batch gradients and whole-training-set losses go through this objective
    /// instead of `net` on `train`, and the sampler draws from its `n_samples()` — e.g.
    /// `downhill_mpi::DataParallel`, which computes them with all MPI ranks together. It must
    /// be the same loss as `net` on the (possibly sharded) training set.
    pub objective: Option<&'a dyn SampledObjective<T>>,
    /// Whether this process writes checkpoints (default true; under MPI only rank 0 does).
    pub write_checkpoints: bool,
}

fn finite<T: Scalar>(x: &[T]) -> bool {
    crate::kernels::all_finite(x)
}

impl<'a, T: Scalar> Trainer<'a, T> {
    /// A trainer with no schedule, plateau rule, batch-size schedule or progress callback.
    pub fn new(net: &'a Network<T>, train: &'a Dataset<T>, config: TrainConfig) -> Self {
        Trainer {
            net,
            train,
            val: None,
            config,
            schedule: None,
            plateau: None,
            batch_size_schedule: None,
            progress: None,
            fingerprint: String::new(),
            objective: None,
            write_checkpoints: true,
        }
    }

    fn validate(&self, params: &[T], epoch: usize) -> Option<EpochMetrics> {
        self.val.filter(|v| v.n() > 0).map(|v| {
            let m: Metrics = self.net.evaluate(params, v);
            EpochMetrics {
                epoch,
                loss: m.loss,
                accuracy: m.accuracy,
                r2: m.r2,
            }
        })
    }

    fn full_loss(&self, params: &[T], all: &[usize]) -> f64 {
        match self.objective {
            Some(o) => o.batch_value(params, all).f64(),
            None => self.net.loss(params, self.train, all, None).f64(),
        }
    }

    fn batch_loss(&self, params: &[T], batch: &[usize], grad: &mut [T]) -> T {
        match self.objective {
            Some(o) => o.batch_gradient(params, batch, grad),
            None => self.net.loss(params, self.train, batch, Some(grad)),
        }
    }

    fn monitor(&self, m: Monitor, val: Option<&EpochMetrics>, train_loss: f64) -> Result<f64> {
        let missing = |what: &str| {
            Error::Invalid(format!(
                "monitor `{what}` needs a validation set with that metric (set \
                 validation_fraction > 0, and a model that reports it)"
            ))
        };
        Ok(match m {
            Monitor::TrainLoss => train_loss,
            Monitor::ValLoss => val.ok_or_else(|| missing("val_loss"))?.loss,
            Monitor::ValAccuracy => val
                .and_then(|v| v.accuracy)
                .ok_or_else(|| missing("val_accuracy"))?,
            Monitor::ValR2 => val.and_then(|v| v.r2).ok_or_else(|| missing("val_r2"))?,
        })
    }

    fn swa_lr(&self, epoch: usize, avg: &AverageState) -> Option<f64> {
        let swa = self.config.swa.as_ref()?;
        if epoch < swa.swa_start {
            return None;
        }
        let lr0 = avg.swa_lr0?;
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

    /// Trains from `init` (or from `resume`, a checkpoint of the same configuration) with
    /// `opt`, whose current lr is the base learning rate.
    ///
    /// Each epoch `e` draws batches from a [`Sampler`]; before each step the learning rate is
    /// set (SWA, else the schedule at step `k` or epoch `e`, else the base lr; times the
    /// plateau factor); the gradient is taken at the optimiser's look-ahead point if it has
    /// one; after the step a non-finite batch loss or parameter stops the run as
    /// [`TrainStatus::Diverged`] with the previous parameters kept. The loss over the whole
    /// training set is logged every `log_interval` samples. At the epoch end come validation
    /// metrics, the plateau rule, early stopping, SWA/snapshot averaging and checkpoints.
    pub fn run(
        &mut self,
        opt: &mut dyn Optimizer<T>,
        init: &[T],
        resume: Option<Checkpoint>,
    ) -> Result<TrainResult> {
        self.config.validate()?;
        let np = self.net.n_params();
        if init.len() != np {
            return Err(Error::Dimension {
                what: "initial parameters".into(),
                got: init.len(),
                expected: np.to_string(),
            });
        }
        let n = self.objective.map_or(self.train.n(), |o| o.n_samples());
        if n == 0 {
            return Err(Error::Invalid("the training set is empty".into()));
        }
        let all: Vec<usize> = (0..n).collect();
        let cfg = self.config.clone();
        // Large vectors on huge pages (`data::pages`): each is streamed once or more per step.
        let mut params = pages::copied(init);
        let mut grad = pages::filled(np, T::zero());
        let mut point = pages::filled(np, T::zero());
        let mut sampler = Sampler::new(n, cfg.sampling, cfg.seed);
        let (mut epoch, mut step) = (0usize, 0usize);
        let mut base_lr = opt.lr();
        let mut lr_scale = 1.0f64;
        let mut early = EarlyState::default();
        let mut avg = AverageState::default();
        let mut val_metrics = Vec::new();
        let (mut train_loss, mut log_samples) = (Vec::new(), Vec::new());
        if let Some(c) = resume {
            if c.fingerprint != self.fingerprint {
                return Err(Error::Invalid(
                    "the checkpoint was written by a run with another configuration".into(),
                ));
            }
            if c.params.len() != np {
                return Err(Error::Dimension {
                    what: "checkpoint params".into(),
                    got: c.params.len(),
                    expected: np.to_string(),
                });
            }
            for (p, &v) in params.iter_mut().zip(&c.params) {
                *p = T::of(v);
            }
            opt.load_state(&c.optimizer)?;
            opt.set_lr(c.lr);
            (epoch, step, base_lr, lr_scale) = (c.epoch, c.step, c.base_lr, c.lr_scale);
            (early, avg, val_metrics) = (c.early, c.average, c.val_metrics);
            (train_loss, log_samples) = (c.train_loss, c.log_samples);
            if let Some((rule, _)) = self.plateau.as_mut() {
                rule.load_state(&c.plateau)?;
            }
        } else if cfg.log_train_loss {
            train_loss.push(self.full_loss(&params, &all));
            log_samples.push(0);
        }
        // The last finite parameters: `prev` holds the parameters before the current step; a
        // step's result is copied into `spare` while it is checked, and the two are swapped
        // when it is finite (one pass instead of a copy before and a check after each step).
        let mut prev = pages::copied(&params);
        let mut spare = pages::copied(&params);
        let mut samples = epoch * n;
        let mut status = TrainStatus::Completed;
        let mut diverged_at = None;
        let mut lrs = Vec::new();
        if train_loss.first().is_some_and(|l| !l.is_finite()) || !finite(&params) {
            status = TrainStatus::Diverged;
            diverged_at = Some(DivergedAt {
                step,
                epoch: epoch + 1,
            });
        }
        'epochs: while status == TrainStatus::Completed && epoch < cfg.epochs {
            let bs = match (self.batch_size_schedule.as_mut(), self.schedule.as_mut()) {
                (Some(f), _) => f(epoch),
                (None, Some((s, unit))) => {
                    let t = if *unit == ScheduleUnit::Step {
                        step
                    } else {
                        epoch
                    };
                    s.batch_size(t, cfg.batch_size)
                }
                (None, None) => cfg.batch_size,
            };
            sampler.start_epoch(epoch, bs);
            let batches = sampler.batches_per_epoch();
            if cfg.swa.as_ref().is_some_and(|s| epoch >= s.swa_start) && avg.swa_lr0.is_none() {
                avg.swa_lr0 = Some(opt.lr());
            }
            let swa_lr = self.swa_lr(epoch, &avg);
            let mut batch_i = 0usize;
            while let Some(batch) = sampler.next_batch() {
                let lr = match (swa_lr, self.schedule.as_mut()) {
                    (Some(lr), _) => lr,
                    (None, Some((s, unit))) => {
                        let t = if *unit == ScheduleUnit::Step {
                            step
                        } else {
                            epoch
                        };
                        if let Some(m) = s.momentum(t) {
                            opt.set_momentum(m);
                        }
                        s.lr(t) * lr_scale
                    }
                    (None, None) => base_lr * lr_scale,
                };
                opt.set_lr(lr);
                if batch_i == 0 {
                    lrs.push(lr);
                }
                let loss = if opt.gradient_point(&params, &mut point) {
                    self.batch_loss(&point, batch, &mut grad)
                } else {
                    self.batch_loss(&params, batch, &mut grad)
                };
                let blen = batch.len();
                opt.step(&mut params, &mut grad);
                step += 1;
                if loss.is_finite() && crate::kernels::copy_if_finite(&params, &mut spare) {
                    std::mem::swap(&mut prev, &mut spare);
                } else {
                    params.copy_from_slice(&prev);
                    status = TrainStatus::Diverged;
                    diverged_at = Some(DivergedAt {
                        step,
                        epoch: epoch + 1,
                    });
                    break 'epochs;
                }
                if cfg
                    .log_interval
                    .is_some_and(|k| (batch_i * bs).is_multiple_of(k))
                {
                    let l = self.full_loss(&params, &all);
                    train_loss.push(l);
                    log_samples.push(samples + blen);
                    if !l.is_finite() {
                        status = TrainStatus::Diverged;
                        diverged_at = Some(DivergedAt {
                            step,
                            epoch: epoch + 1,
                        });
                        break 'epochs;
                    }
                }
                samples += blen;
                batch_i += 1;
                if let Some(p) = self.progress.as_mut() {
                    p(&Progress::Batch {
                        epoch: epoch + 1,
                        batch: batch_i,
                        batches,
                    });
                }
            }
            epoch += 1;
            if cfg.log_interval.is_none() && cfg.log_train_loss {
                let l = self.full_loss(&params, &all);
                train_loss.push(l);
                log_samples.push(samples);
                if !l.is_finite() {
                    status = TrainStatus::Diverged;
                    diverged_at = Some(DivergedAt { step, epoch });
                    break;
                }
            }
            let last_loss = train_loss.last().copied().unwrap_or(f64::NAN);
            let val = self.validate(&params, epoch);
            if let Some(v) = val {
                val_metrics.push(v);
            }
            if let Some(p) = self.progress.as_mut() {
                p(&Progress::Epoch {
                    epoch,
                    train_loss: last_loss,
                    val,
                });
            }
            if swa_lr.is_some() || cfg.snapshot_every.is_some_and(|k| epoch % k == 0) {
                avg.add(&params);
            }
            if let Some((rule, m)) = self.plateau.as_mut() {
                let m = *m;
                let metric = {
                    let v = val.as_ref();
                    match m {
                        Monitor::TrainLoss => Some(last_loss),
                        Monitor::ValLoss => v.map(|v| v.loss),
                        Monitor::ValAccuracy => v.and_then(|v| v.accuracy),
                        Monitor::ValR2 => v.and_then(|v| v.r2),
                    }
                };
                let metric = metric.ok_or_else(|| {
                    Error::Invalid(format!("plateau monitor `{m:?}` needs a validation set"))
                })?;
                let cur = opt.lr();
                let new = rule.step(metric, cur);
                if new != cur && cur != 0.0 {
                    lr_scale *= new / cur;
                }
            }
            let mut stop = false;
            if let Some(es) = cfg.early_stopping.as_ref() {
                let metric = self.monitor(es.monitor, val.as_ref(), last_loss)?;
                let better = match early.best {
                    None => true,
                    Some(b) if es.monitor.maximise() => metric > b + es.min_delta,
                    Some(b) => metric < b - es.min_delta,
                };
                if better {
                    early.best = Some(metric);
                    early.best_epoch = epoch;
                    early.wait = 0;
                    if es.restore_best {
                        early.best_params = Some(params.iter().map(|v| v.f64()).collect());
                    }
                } else {
                    early.wait += 1;
                    stop = early.wait >= es.patience;
                }
            }
            if stop {
                status = TrainStatus::EarlyStopped;
                break;
            }
            if let (Some(k), true) = (cfg.checkpoint_every, epoch < cfg.epochs) {
                if epoch % k == 0 && self.write_checkpoints {
                    let path = cfg
                        .checkpoint_path
                        .clone()
                        .unwrap_or_else(|| "checkpoint.json".into());
                    Checkpoint {
                        fingerprint: self.fingerprint.clone(),
                        epoch,
                        step,
                        base_lr,
                        lr_scale,
                        lr: opt.lr(),
                        params: params.iter().map(|v| v.f64()).collect(),
                        optimizer: opt.state(),
                        train_loss: train_loss.clone(),
                        log_samples: log_samples.clone(),
                        val_metrics: val_metrics.clone(),
                        early: early.clone(),
                        average: avg.clone(),
                        plateau: self.plateau.as_ref().map_or(Vec::new(), |(r, _)| r.state()),
                    }
                    .save(&path)?;
                }
            }
        }
        if status == TrainStatus::EarlyStopped {
            if let Some(best) = early.best_params.as_ref() {
                params = best.iter().map(|&v| T::of(v)).collect();
            }
        }
        if status != TrainStatus::Diverged && avg.n > 0 {
            params = avg.mean.iter().map(|&v| T::of(v)).collect();
        }
        let final_val = self.validate(&params, epoch);
        Ok(TrainResult {
            final_val,
            status,
            epochs: epoch,
            steps: step,
            final_train_loss: if cfg.log_train_loss {
                self.full_loss(&params, &all)
            } else {
                f64::NAN
            },
            params: params.iter().map(|v| v.f64()).collect(),
            train_loss,
            log_samples,
            val_metrics,
            diverged_at,
            lr: lrs,
        })
    }
}
