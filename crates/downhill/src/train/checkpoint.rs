//! Checkpoints: the whole state of a training run at an epoch boundary, written atomically.
//!
//! File layout: one header line `{"format":"downhill-checkpoint","version":1,"fnv1a64":"…",
//! "bytes":N}` followed by the payload, a JSON [`Checkpoint`] of exactly `N` bytes whose
//! FNV-1a 64-bit hash is `fnv1a64`. Floats round-trip exactly (serde_json's
//! `float_roundtrip`), so a resumed run is bit-identical to an uninterrupted one. Writing goes
//! to a temporary file in the same directory, which is flushed, `fsync`ed and renamed over the
//! target (then the directory is synced): a crash leaves either the old or the new checkpoint.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::trainer::{AverageState, EarlyState, EpochMetrics};
use crate::optim::OptimizerState;
use crate::{Error, Result};

/// Format tag of checkpoint files.
pub const CHECKPOINT_FORMAT: &str = "downhill-checkpoint";
/// Current checkpoint format version.
pub const CHECKPOINT_VERSION: u32 = 1;

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
    /// Parameters (widened to f64; exact for f32).
    pub params: Vec<f64>,
    /// The optimiser's state.
    pub optimizer: OptimizerState,
    /// Logged training losses so far.
    pub train_loss: Vec<f64>,
    /// Samples seen at each logged loss.
    pub log_samples: Vec<usize>,
    /// Validation metrics per epoch so far.
    pub val_metrics: Vec<EpochMetrics>,
    /// Early-stopping state.
    pub early: EarlyState,
    /// SWA or snapshot average so far.
    pub average: AverageState,
    /// Opaque state of the plateau rule.
    pub plateau: Vec<f64>,
}

/// 64-bit FNV-1a hash.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    fnv1a64: String,
    bytes: usize,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Checkpoint {
    /// Serialises to the file format (header line + payload).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let payload =
            serde_json::to_vec(self).map_err(|e| Error::Invalid(format!("checkpoint: {e}")))?;
        let header = Header {
            format: CHECKPOINT_FORMAT.into(),
            version: CHECKPOINT_VERSION,
            fnv1a64: format!("{:016x}", fnv1a64(&payload)),
            bytes: payload.len(),
        };
        let mut out =
            serde_json::to_vec(&header).map_err(|e| Error::Invalid(format!("checkpoint: {e}")))?;
        out.push(b'\n');
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Parses and verifies (format, version, length, checksum) the bytes of a checkpoint file.
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
        if header.version != CHECKPOINT_VERSION {
            return Err(bad(format!(
                "version {} is not supported (expected {CHECKPOINT_VERSION})",
                header.version
            )));
        }
        let payload = &bytes[nl + 1..];
        if payload.len() != header.bytes {
            return Err(bad(format!(
                "truncated: {} payload bytes, header says {}",
                payload.len(),
                header.bytes
            )));
        }
        if format!("{:016x}", fnv1a64(payload)) != header.fnv1a64 {
            return Err(bad("checksum mismatch: the file is corrupt".into()));
        }
        serde_json::from_slice(payload).map_err(|e| bad(format!("bad payload: {e}")))
    }

    /// Writes atomically to `path` (temp file, fsync, rename, directory fsync).
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes()?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map_or("checkpoint".into(), |n| n.to_string_lossy().into_owned());
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        f.write_all(&bytes).map_err(|e| io_err(&tmp, e))?;
        f.sync_all().map_err(|e| io_err(&tmp, e))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
        if let Ok(d) = std::fs::File::open(dir) {
            d.sync_all().ok();
        }
        Ok(())
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
            optimizer: OptimizerState::new("sgd"),
            train_loss: vec![1.0],
            log_samples: vec![0],
            val_metrics: vec![],
            early: EarlyState::default(),
            average: AverageState::default(),
            plateau: vec![],
        }
    }

    #[test]
    fn round_trips_exactly_and_detects_corruption() {
        let c = sample();
        let bytes = c.to_bytes().unwrap();
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
