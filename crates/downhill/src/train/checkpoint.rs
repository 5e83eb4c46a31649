//! Checkpoints: the whole state of a training run at an epoch boundary, written atomically.
//!
//! File layout (version 2): one header line `{"format":"downhill-checkpoint","version":2,
//! "crc32":"…","bytes":N}` followed by the payload, a JSON [`Checkpoint`] of exactly `N` bytes
//! whose CRC-32 (IEEE) is `crc32`. The payload holds the loop's counters, the parameters (and,
//! for an optimiser with an evaluation point such as schedule-free, the training point it
//! steps, `train_params`), the optimiser's state and each callback's state under the
//! callback's name. Floats round-trip
//! exactly (serde_json's `float_roundtrip`), so a resumed run is bit-identical to an
//! uninterrupted one. Writing goes to a temporary file in the same directory, which is
//! flushed, `fsync`ed and renamed over the target (then the directory is synced): a crash
//! leaves either the old or the new checkpoint.
//!
//! Version 1 files (an FNV-1a 64 checksum, `fnv1a64`, and the callback states as fixed
//! fields) still load: [`Checkpoint::from_bytes`] converts them, and they resume
//! bit-identically.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::callback::{Callback, Context};
use super::callbacks::Validation;
use super::callbacks::{AverageState, Averaging, EarlyState, EarlyStopping, LossLog, Plateau};
use super::outcome::EpochMetrics;
use crate::model::Scalar;
use crate::optim::{Optimizer, OptimizerState};
use crate::{Error, Result};

/// Format tag of checkpoint files.
pub const CHECKPOINT_FORMAT: &str = "downhill-checkpoint";
/// Current checkpoint format version.
pub const CHECKPOINT_VERSION: u32 = 2;

/// Everything a run needs to continue exactly where it stopped (after `epoch` epochs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Identifies the configuration; resuming with another one is refused.
    pub fingerprint: String,
    /// Epochs completed.
    pub epoch: usize,
    /// Optimiser steps taken.
    pub step: usize,
    /// The learning rate before any schedule or plateau scaling.
    pub base_lr: f64,
    /// Multiplier applied by plateau rules so far.
    pub lr_scale: f64,
    /// The optimiser's learning rate at the checkpoint.
    pub lr: f64,
    /// Parameters (widened to f64; exact for f32): the model, so the evaluation point of an
    /// optimiser that has one (schedule-free's x).
    pub params: Vec<f64>,
    /// The optimiser's training point when it differs from `params` (schedule-free's y,
    /// [`Optimizer::eval_point`]): where a resumed run continues from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_params: Option<Vec<f64>>,
    /// The optimiser's state.
    pub optimizer: OptimizerState,
    /// Each callback's state, by [`Callback::name`].
    pub callbacks: BTreeMap<String, Value>,
}

/// The version-1 payload: the callback states as fixed fields.
#[derive(Deserialize)]
struct CheckpointV1 {
    fingerprint: String,
    epoch: usize,
    step: usize,
    base_lr: f64,
    lr_scale: f64,
    lr: f64,
    params: Vec<f64>,
    optimizer: OptimizerState,
    train_loss: Vec<f64>,
    log_samples: Vec<usize>,
    val_metrics: Vec<EpochMetrics>,
    early: EarlyState,
    average: AverageState,
    plateau: Vec<f64>,
}

impl From<CheckpointV1> for Checkpoint {
    fn from(c: CheckpointV1) -> Self {
        let callbacks = BTreeMap::from([
            (
                LossLog::NAME.to_string(),
                json!({"train_loss": c.train_loss, "log_samples": c.log_samples}),
            ),
            (
                Validation::NAME.to_string(),
                json!({"val_metrics": c.val_metrics}),
            ),
            (EarlyStopping::NAME.to_string(), json!(c.early)),
            (Averaging::NAME.to_string(), json!(c.average)),
            (Plateau::NAME.to_string(), json!(c.plateau)),
        ]);
        Checkpoint {
            fingerprint: c.fingerprint,
            epoch: c.epoch,
            step: c.step,
            base_lr: c.base_lr,
            lr_scale: c.lr_scale,
            lr: c.lr,
            params: c.params,
            train_params: None,
            optimizer: c.optimizer,
            callbacks,
        }
    }
}

/// 64-bit FNV-1a hash (version-1 checksums; the CLI's configuration fingerprint).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fnv1a64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crc32: Option<String>,
    bytes: usize,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Checkpoint {
    /// The run's state after `ctx.epoch` epochs: counters and parameters from `ctx` (and the
    /// training point, for an optimiser with an evaluation point), the optimiser's state and
    /// every callback's.
    pub(super) fn of<T: Scalar>(
        fingerprint: &str,
        ctx: &Context<'_, T>,
        opt: &dyn Optimizer<T>,
        callbacks: &[&mut dyn Callback<T>],
    ) -> Result<Self> {
        let mut states = BTreeMap::new();
        for c in callbacks {
            let s = c.state()?;
            if !s.is_null() {
                states.insert(c.name().to_string(), s);
            }
        }
        Ok(Checkpoint {
            fingerprint: fingerprint.to_string(),
            epoch: ctx.epoch,
            step: ctx.step,
            base_lr: ctx.base_lr,
            lr_scale: ctx.lr_scale,
            lr: opt.lr(),
            params: ctx.params_f64(),
            train_params: ctx
                .train_point
                .as_ref()
                .map(|y| y.iter().map(|v| v.f64()).collect()),
            optimizer: opt.state(),
            callbacks: states,
        })
    }

    /// Restores the run into `ctx`, `opt` and the callbacks (each from the state under its
    /// name, if any), after checking the fingerprint and the parameter count.
    pub(super) fn restore<T: Scalar>(
        self,
        fingerprint: &str,
        ctx: &mut Context<'_, T>,
        opt: &mut dyn Optimizer<T>,
        callbacks: &mut [&mut dyn Callback<T>],
    ) -> Result<()> {
        if self.fingerprint != fingerprint {
            return Err(Error::Invalid(
                "the checkpoint was written by a run with another configuration".into(),
            ));
        }
        let start = self.train_params.as_ref().unwrap_or(&self.params);
        for (what, p) in [
            ("checkpoint params", &self.params),
            ("checkpoint train_params", start),
        ] {
            if p.len() != ctx.params.len() {
                return Err(Error::Dimension {
                    what: what.into(),
                    got: p.len(),
                    expected: ctx.params.len().to_string(),
                });
            }
        }
        ctx.set_params(start);
        opt.load_state(&self.optimizer)?;
        opt.set_lr(self.lr);
        (ctx.epoch, ctx.step) = (self.epoch, self.step);
        (ctx.base_lr, ctx.lr_scale) = (self.base_lr, self.lr_scale);
        ctx.samples = self.epoch * ctx.n_samples();
        ctx.resumed = true;
        let mut states = self.callbacks;
        for c in callbacks.iter_mut() {
            if let Some(s) = states.remove(c.name()) {
                c.load_state(s)?;
            }
        }
        Ok(())
    }

    /// A callback's state, deserialised (e.g. `LossLog` under [`LossLog::NAME`]).
    pub fn callback_state<S: serde::de::DeserializeOwned>(&self, name: &str) -> Option<S> {
        self.callbacks
            .get(name)
            .and_then(|v| S::deserialize(v).ok())
    }

    /// Serialises to the file format (header line + payload).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let payload =
            serde_json::to_vec(self).map_err(|e| Error::Invalid(format!("checkpoint: {e}")))?;
        let header = Header {
            format: CHECKPOINT_FORMAT.into(),
            version: CHECKPOINT_VERSION,
            fnv1a64: None,
            crc32: Some(format!("{:08x}", crc32fast::hash(&payload))),
            bytes: payload.len(),
        };
        let mut out =
            serde_json::to_vec(&header).map_err(|e| Error::Invalid(format!("checkpoint: {e}")))?;
        out.push(b'\n');
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Parses and verifies (format, version, length, checksum) the bytes of a checkpoint file,
    /// of version 2 or 1.
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Self> {
        let bad = |m: String| Error::Parse {
            file: file.to_string(),
            line: 1,
            field: "checkpoint".into(),
            message: m,
        };
        let nl = bytes
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| bad("no header line; not a downhill checkpoint".into()))?;
        let header: Header =
            serde_json::from_slice(&bytes[..nl]).map_err(|e| bad(format!("bad header: {e}")))?;
        if header.format != CHECKPOINT_FORMAT {
            return Err(bad(format!(
                "format `{}` is not {CHECKPOINT_FORMAT}",
                header.format
            )));
        }
        let payload = &bytes[nl + 1..];
        let (sum, want) = match header.version {
            1 => (format!("{:016x}", fnv1a64(payload)), header.fnv1a64),
            2 => (format!("{:08x}", crc32fast::hash(payload)), header.crc32),
            v => {
                return Err(bad(format!(
                    "version {v} is not supported (expected 1 or {CHECKPOINT_VERSION})"
                )))
            }
        };
        if payload.len() != header.bytes {
            return Err(bad(format!(
                "truncated: {} payload bytes, header says {}",
                payload.len(),
                header.bytes
            )));
        }
        if want.as_deref() != Some(sum.as_str()) {
            return Err(bad("checksum mismatch: the file is corrupt".into()));
        }
        let parsed = if header.version == 1 {
            serde_json::from_slice::<CheckpointV1>(payload).map(Checkpoint::from)
        } else {
            serde_json::from_slice(payload)
        };
        parsed.map_err(|e| bad(format!("bad payload: {e}")))
    }

    /// Writes atomically to `path` through [`crate::io::write_atomic`] (temp file beside the
    /// target, fsync, rename, directory fsync; the temp file is removed on failure).
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::io::write_atomic(path, &self.to_bytes()?)
    }

    /// Reads and verifies a checkpoint file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
        Self::from_bytes(&path.display().to_string(), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            fingerprint: "f".into(),
            epoch: 2,
            step: 7,
            base_lr: 0.1,
            lr_scale: 1.0,
            lr: 0.1,
            params: vec![0.1 + 0.2, f64::MIN_POSITIVE, -1e300, 1.0 / 3.0],
            train_params: None,
            optimizer: OptimizerState::new("sgd"),
            callbacks: BTreeMap::from([(
                LossLog::NAME.to_string(),
                json!({"train_loss": [1.0], "log_samples": [0]}),
            )]),
        }
    }

    #[test]
    fn round_trips_exactly_and_detects_corruption() {
        let c = sample();
        let bytes = c.to_bytes().unwrap();
        assert!(bytes.starts_with(br#"{"format":"downhill-checkpoint","version":2,"crc32":"#));
        assert_eq!(Checkpoint::from_bytes("c", &bytes).unwrap(), c);
        let mut bad = bytes.clone();
        let last = bad.len() - 3;
        bad[last] ^= 1;
        let e = Checkpoint::from_bytes("c", &bad).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        let e = Checkpoint::from_bytes("c", &bytes[..bytes.len() - 5])
            .unwrap_err()
            .to_string();
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn save_is_atomic_and_loads_back() {
        let dir = std::env::temp_dir().join(format!("downhill-ckpt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("c.json");
        sample().save(&p).unwrap();
        assert_eq!(Checkpoint::load(&p).unwrap(), sample());
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "no temp file left behind");
        std::fs::remove_dir_all(&dir).ok();
    }
}
