//! [`fit`]: synchronous data-parallel mini-batch training of any [`SampledObjective`] with any
//! [`Optimizer`], identical on every rank; rank 0 alone writes checkpoints.
//!
//! Each epoch visits the samples in the order of a permutation drawn from
//! `ChaCha8Rng::seed_from_u64(seed)` on stream `epoch` (so it depends only on the seed and the
//! epoch — not on the number of ranks nor on where a run was resumed). Batches are consecutive
//! runs of `batch_size` indices of that permutation (the last one may be shorter). Each step:
//!
//! ```text
//! before_step(step, opt)                  (schedules: lr scaling, warm-up, decay)
//! g, loss = DataParallel gradient of the batch (every rank gets the same g)
//! θ ← opt.step(θ, g)                      (the same update on every rank)
//! ```
//!
//! A non-finite loss, gradient or parameter stops the run on every rank at the same step (they
//! all hold the same numbers), keeping the last finite parameters.

use std::path::PathBuf;
use std::time::Instant;

use downhill::data::{Sampler, Sampling};
use downhill::optim::Optimizer;
use downhill::{Error, Float, Result, SampledObjective};
use serde::{Deserialize, Serialize};

use crate::comm::{Communicator, Wire};
use crate::fault::{abort, FAILURE};
use crate::parallel::DataParallel;

/// Options of [`fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Number of epochs (passes over the data).
    pub epochs: usize,
    /// Global batch size (all ranks together).
    pub batch_size: usize,
    /// Seed of the sampler.
    pub seed: u64,
    /// Log the loss over the whole training set every this many steps (and after each epoch);
    /// 0 = after each epoch only.
    pub log_every: usize,
    /// Write a checkpoint every this many epochs (0 = never).
    pub checkpoint_every: usize,
    /// Where rank 0 writes the checkpoint (atomically, through [`downhill::io::write_atomic`]).
    pub checkpoint_path: Option<PathBuf>,
}

/// The checkpoint [`fit`] writes at the end of an epoch: the library's own
/// ([`downhill::train::Checkpoint`], format v2 with a CRC-32), with the loop's state under
/// [`FIT_STATE`] — enough to continue bit-identically on any number of ranks.
pub use downhill::train::Checkpoint;

/// The name under which [`fit`] keeps its [`FitState`] among a [`Checkpoint`]'s callback
/// states.
pub const FIT_STATE: &str = "mpi_fit";

/// The [`Checkpoint::fingerprint`] of checkpoints written by [`fit`].
pub const FIT_FINGERPRINT: &str = "downhill-mpi fit";

/// What [`fit`] keeps in a [`Checkpoint`] besides the counters, parameters and optimiser state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitState {
    /// The loss log so far.
    pub log: Vec<LogEntry>,
    /// The global batch size the run was started with (checked on resume).
    pub batch_size: usize,
    /// The sampler seed (checked on resume).
    pub seed: u64,
}

impl FitState {
    /// The state `ck` holds, if `fit` wrote it.
    fn of(ck: &Checkpoint) -> Result<FitState> {
        (ck.fingerprint == FIT_FINGERPRINT)
            .then(|| ck.callback_state::<FitState>(FIT_STATE))
            .flatten()
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "checkpoint was not written by downhill_mpi::fit (fingerprint {:?})",
                    ck.fingerprint
                ))
            })
    }

    /// The checkpoint of a run at the end of epoch `epoch`.
    fn checkpoint<T: Float>(
        self,
        epoch: usize,
        step: usize,
        params: &[T],
        opt: &dyn Optimizer<T>,
    ) -> Result<Checkpoint> {
        let state =
            serde_json::to_value(self).map_err(|e| Error::Invalid(format!("checkpoint: {e}")))?;
        Ok(Checkpoint {
            fingerprint: FIT_FINGERPRINT.into(),
            epoch,
            step,
            base_lr: opt.lr(),
            lr_scale: 1.0,
            lr: opt.lr(),
            params: params.iter().map(|v| v.f64()).collect(),
            optimizer: opt.state(),
            callbacks: [(FIT_STATE.to_string(), state)].into(),
        })
    }
}

/// One logged value of the loss over the whole training set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Optimiser steps taken.
    pub step: usize,
    /// Samples seen (gradient evaluations of single samples, all ranks together).
    pub samples: u64,
    /// The learning rate of the last step.
    pub lr: f64,
    /// Mean loss over the training set.
    pub loss: f64,
}

/// Where a run diverged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DivergedAt {
    /// The step whose loss, gradient or result was non-finite (1-based, as steps taken).
    pub step: usize,
    /// Its epoch (0-based).
    pub epoch: usize,
}

/// What [`fit`] returns (the same on every rank, except the timings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitReport {
    /// `"completed"` or `"diverged"`.
    pub status: &'static str,
    /// Epochs completed.
    pub epochs: usize,
    /// Steps taken.
    pub steps: usize,
    /// Final parameters (the last finite ones when diverged).
    pub params: Vec<f64>,
    /// Loss log.
    pub log: Vec<LogEntry>,
    /// Where the run diverged, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diverged_at: Option<DivergedAt>,
    /// Number of ranks.
    pub ranks: usize,
    /// Samples whose gradient was computed, per wall-clock second of this run (all ranks).
    pub samples_per_s: f64,
    /// Seconds this rank spent in gradient reductions.
    pub allreduce_seconds: f64,
    /// Wall-clock seconds of this run.
    pub seconds: f64,
}

fn finite<T: Float>(x: &[T]) -> bool {
    x.iter().all(|v| v.is_finite())
}

/// The visiting order of epoch `epoch`: a permutation of `0..n` from
/// `ChaCha8Rng::seed_from_u64(seed)` on stream `epoch`, written into `order` — the order of
/// [`downhill::data::Sampler`] without replacement, which [`fit`] and the library's `Trainer`
/// draw their batches from.
pub fn epoch_order(order: &mut Vec<usize>, n: usize, seed: u64, epoch: usize) {
    let mut sampler = Sampler::new(n, Sampling::WithoutReplacement, seed);
    sampler.start_epoch(epoch, n);
    order.clear();
    if let Some(all) = sampler.next_batch() {
        order.extend_from_slice(all);
    }
}

/// Trains `params` on every rank of `dp`'s communicator. Call it on every rank with the same
/// arguments. `resume` continues from a checkpoint (read on every rank; any rank count).
/// `before_step(step, opt)` runs before each step (0-based step), where schedules set the lr.
///
/// Rank 0 writes checkpoints; if that fails, it prints why and aborts the whole job (exit 1).
pub fn fit<C, O, T>(
    dp: &DataParallel<'_, C, O, T>,
    opt: &mut dyn Optimizer<T>,
    params: &mut [T],
    opts: &FitOptions,
    resume: Option<&Checkpoint>,
    mut before_step: impl FnMut(usize, &mut dyn Optimizer<T>),
) -> Result<FitReport>
where
    C: Communicator,
    O: SampledObjective<T>,
    T: Wire,
{
    let comm = dp.comm();
    let n = dp.n_samples();
    let p = dp.n_params();
    if params.len() != p {
        return Err(Error::Dimension {
            what: "params".into(),
            got: params.len(),
            expected: p.to_string(),
        });
    }
    if opts.batch_size == 0 || n == 0 {
        return Err(Error::param(
            "batch_size",
            opts.batch_size,
            "must be >= 1 with a non-empty dataset",
        ));
    }
    let (mut epoch0, mut step, mut log) = (0, 0, Vec::new());
    if let Some(ck) = resume {
        if ck.params.len() != p {
            return Err(Error::Dimension {
                what: "checkpoint params".into(),
                got: ck.params.len(),
                expected: p.to_string(),
            });
        }
        let state = FitState::of(ck)?;
        if state.batch_size != opts.batch_size || state.seed != opts.seed {
            return Err(Error::Invalid(format!(
                "checkpoint was made with batch_size {} and seed {}, not {} and {}",
                state.batch_size, state.seed, opts.batch_size, opts.seed
            )));
        }
        params
            .iter_mut()
            .zip(&ck.params)
            .for_each(|(d, &v)| *d = T::of(v));
        opt.load_state(&ck.optimizer)?;
        (epoch0, step, log) = (ck.epoch, ck.step, state.log);
    }
    let start_stats = dp.stats();
    let t0 = Instant::now();
    let mut samples: u64 = log.last().map_or(0, |l: &LogEntry| l.samples);
    let samples0 = samples;
    let all: Vec<usize> = (0..n).collect();
    // The loss over the whole training set (a collective call: every rank logs together).
    let log_loss = |params: &[T], step, samples, lr, log: &mut Vec<LogEntry>| {
        let loss = dp.batch_value(params, &all).f64();
        log.push(LogEntry {
            step,
            samples,
            lr,
            loss,
        });
    };
    let mut sampler = Sampler::new(n, Sampling::WithoutReplacement, opts.seed);
    let mut g = vec![T::zero(); p];
    let mut last = params.to_vec();
    let mut diverged_at = None;
    let mut epochs_done = epoch0;
    'epochs: for epoch in epoch0..opts.epochs {
        sampler.start_epoch(epoch, opts.batch_size);
        while let Some(batch) = sampler.next_batch() {
            before_step(step, opt);
            let loss = dp.batch_gradient(params, batch, &mut g);
            step += 1;
            samples += batch.len() as u64;
            if !loss.is_finite() || !finite(&g) {
                diverged_at = Some(DivergedAt { step, epoch });
                break 'epochs;
            }
            last.copy_from_slice(params);
            opt.step(params, &mut g);
            if !finite(params) {
                params.copy_from_slice(&last);
                diverged_at = Some(DivergedAt { step, epoch });
                break 'epochs;
            }
            if opts.log_every > 0 && step % opts.log_every == 0 {
                log_loss(params, step, samples, opt.lr(), &mut log);
            }
        }
        epochs_done = epoch + 1;
        if opts.log_every == 0 || step % opts.log_every != 0 {
            log_loss(params, step, samples, opt.lr(), &mut log);
        }
        if let Some(path) = &opts.checkpoint_path {
            if comm.rank() == 0
                && opts.checkpoint_every > 0
                && epochs_done % opts.checkpoint_every == 0
            {
                let state = FitState {
                    log: log.clone(),
                    batch_size: opts.batch_size,
                    seed: opts.seed,
                };
                let saved = state
                    .checkpoint(epochs_done, step, params, &*opt)
                    .and_then(|ck| ck.save(path));
                if let Err(e) = saved {
                    abort(
                        comm,
                        FAILURE,
                        &format!("{}: cannot write checkpoint: {e}", path.display()),
                    );
                }
            }
        }
    }
    let seconds = t0.elapsed().as_secs_f64();
    let stats = dp.stats();
    Ok(FitReport {
        status: if diverged_at.is_some() {
            "diverged"
        } else {
            "completed"
        },
        epochs: epochs_done,
        steps: step,
        params: params.iter().map(|v| v.f64()).collect(),
        log,
        diverged_at,
        ranks: comm.size(),
        samples_per_s: (samples - samples0) as f64 / seconds.max(1e-12),
        allreduce_seconds: stats.allreduce_seconds - start_stats.allreduce_seconds,
        seconds,
    })
}
