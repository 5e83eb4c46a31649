//! The `downhill lr-find` config: a `downhill train` config with an optional `[lr_find]` table
//! (fastai's `lr_find` arguments and defaults); the test itself is
//! [`exec::lr_find`](super::exec::lr_find).

use serde::Deserialize;

use super::sweep::without_table;
use super::train::TrainFile;
use super::ConfigDoc;
use crate::Error;

/// The `[lr_find]` table (fastai's `lr_find` arguments and defaults).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LrFindConfig {
    /// First learning rate of the ramp.
    pub start_lr: f64,
    /// Last learning rate of the ramp.
    pub end_lr: f64,
    /// Number of mini-batches (steps) of the ramp.
    pub num_it: usize,
    /// Stop when the smoothed loss exceeds 4× its best.
    pub stop_div: bool,
    /// The suggestion rule: fastai's `valley` (the default) or `steep`.
    pub suggest: Suggest,
}

/// How the range test picks its suggestion from the smoothed loss (fastai's suggestion
/// functions of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Suggest {
    /// Two thirds of the way into the longest decreasing run of the loss (fastai's default).
    Valley,
    /// Where the loss falls fastest against log lr (single-step slopes: sensitive to noise).
    Steep,
}

impl Suggest {
    /// The name used in configs and in `--json`.
    pub fn name(self) -> &'static str {
        match self {
            Suggest::Valley => "valley",
            Suggest::Steep => "steep",
        }
    }
}

impl Default for LrFindConfig {
    fn default() -> Self {
        LrFindConfig {
            start_lr: 1e-7,
            end_lr: 10.0,
            num_it: 100,
            stop_div: true,
            suggest: Suggest::Valley,
        }
    }
}

/// fastai's smoothing factor of the loss.
pub const BETA: f64 = 0.98;
/// The test stops when the smoothed loss exceeds this multiple of its best.
pub const STOP_FACTOR: f64 = 4.0;

impl LrFindConfig {
    /// Checks the ramp: `0 < start_lr < end_lr`, both finite, `2 <= num_it <= 10⁶`.
    pub fn check(&self) -> Result<(), Error> {
        let lr_ok = |v: f64| v > 0.0 && v.is_finite();
        if !lr_ok(self.start_lr) {
            return Err(Error::param("start_lr", self.start_lr, "> 0, finite"));
        }
        if !(lr_ok(self.end_lr) && self.end_lr > self.start_lr) {
            return Err(Error::param("end_lr", self.end_lr, "> start_lr, finite"));
        }
        if !(2..=1_000_000).contains(&self.num_it) {
            return Err(Error::param("num_it", self.num_it as f64, "2..=1000000"));
        }
        Ok(())
    }

    /// The learning rate of step `k` (0-based).
    pub fn lr(&self, k: usize) -> f64 {
        let t = k as f64 / (self.num_it - 1) as f64;
        self.start_lr * (self.end_lr / self.start_lr).powf(t)
    }
}

/// Parses a train config with an optional `[lr_find]` table.
pub fn parse(file: &str, raw: &str) -> Result<(TrainFile, LrFindConfig), Error> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    let keys = doc.keys("lr_find");
    let lf: LrFindConfig = doc.section("lr_find")?.unwrap_or_default();
    lf.check()
        .map_err(|e| doc.invalid_value("lr_find", &keys, &e))?;
    let rest = without_table(file, raw, "lr_find")?;
    Ok((super::train::parse(file, &rest)?, lf))
}
