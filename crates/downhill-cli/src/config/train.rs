//! The `downhill train` config: `[data]`, `[model]`, `[optimizer]`, `[wrappers]`,
//! `[schedule]`, `[train]`.

use std::path::PathBuf;

use serde::Deserialize;

use downhill::data::builtin::SyntheticOptions;
use downhill::model::ModelConfig;
use downhill::optim::{OptimizerConfig, WrappersConfig};
use downhill::schedule::ScheduleConfig;
use downhill::train::TrainConfig;

use super::run::{invalid_value, Precision};
use super::ConfigDoc;
use crate::exit::CliError;

/// `features` in `[data]`: a count (synthetic datasets) or column names (CSV).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Features {
    /// Number of features of a synthetic dataset.
    Count(usize),
    /// Feature columns of a CSV file.
    Names(Vec<String>),
}

/// `[data]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    /// A built-in dataset name, `"csv"` or `"npy"`.
    pub source: String,
    /// CSV file, or the `.npy` features file.
    pub path: Option<PathBuf>,
    /// Target column name (CSV).
    pub target: Option<String>,
    /// `.npy` targets file.
    pub target_path: Option<PathBuf>,
    /// Feature columns (CSV) or feature count (synthetic datasets).
    pub features: Option<Features>,
    /// Standardise features with statistics of the training split (default false).
    #[serde(default)]
    pub standardize: bool,
    /// Fraction of rows held out for validation (default 0).
    #[serde(default)]
    pub validation_fraction: f64,
    /// Seed of the split and of synthetic data (default 0).
    pub seed: Option<u64>,
    /// `f64` (default) or `f32`.
    #[serde(default)]
    pub precision: Precision,
    /// Synthetic: number of samples.
    pub n: Option<usize>,
    /// Synthetic linreg: true weights.
    pub w: Option<Vec<f64>>,
    /// Synthetic linreg: true bias.
    pub b: Option<f64>,
    /// Synthetic linreg: label noise standard deviation.
    pub noise: Option<f64>,
    /// Synthetic classification: number of classes.
    pub classes: Option<usize>,
    /// Synthetic classification: blob standard deviation.
    pub cluster_std: Option<f64>,
}

impl DataSection {
    /// The synthetic-dataset overrides given in this table.
    pub fn synthetic(&self) -> SyntheticOptions {
        SyntheticOptions {
            n: self.n,
            features: match self.features {
                Some(Features::Count(k)) => Some(k),
                _ => None,
            },
            seed: self.seed,
            w: self.w.clone(),
            b: self.b,
            noise: self.noise,
            classes: self.classes,
            cluster_std: self.cluster_std,
        }
    }
}

/// A whole `downhill train` config.
#[derive(Debug, Clone)]
pub struct TrainFile {
    /// `[data]`.
    pub data: DataSection,
    /// `[model]`.
    pub model: ModelConfig,
    /// `[optimizer]`.
    pub optimizer: OptimizerConfig,
    /// `[wrappers]` around the optimiser (none when absent).
    pub wrappers: WrappersConfig,
    /// `[schedule]`, if any (`unit = "epoch"` steps it per epoch).
    pub schedule: Option<ScheduleConfig>,
    /// `[train]` (defaults when absent).
    pub train: TrainConfig,
}

/// Parses a `downhill train` config.
pub fn parse(file: &str, raw: &str) -> Result<TrainFile, CliError> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&[
        "data",
        "model",
        "optimizer",
        "wrappers",
        "schedule",
        "train",
    ])?;
    let missing = |t: &str| CliError::input(format!("{file}: missing table [{t}]"));
    let data: DataSection = doc.section("data")?.ok_or_else(|| missing("data"))?;
    let model: ModelConfig = doc.section("model")?.ok_or_else(|| missing("model"))?;
    let (name, body) = doc
        .named_section("optimizer")?
        .ok_or_else(|| missing("optimizer"))?;
    let optimizer = doc.named_into("optimizer", &name, body, |n, d| {
        OptimizerConfig::from_named(n, d)
    })?;
    // Validate now, so that a bad value is reported at the line of its key.
    let built = optimizer
        .build::<f64>()
        .map_err(|e| invalid_value(&doc, "optimizer", e))?;
    let wrappers: WrappersConfig = doc.section("wrappers")?.unwrap_or_default();
    wrappers
        .apply(built)
        .map_err(|e| invalid_value(&doc, "wrappers", e))?;
    let train: TrainConfig = doc.section("train")?.unwrap_or_default();
    train
        .validate()
        .map_err(|e| invalid_value(&doc, "train", e))?;
    let schedule = super::schedule::section(&mut doc)?;
    if let Some(s) = &schedule {
        super::schedule::validate(&doc, s, &optimizer, Some(train.batch_size))?;
    }
    Ok(TrainFile {
        data,
        model,
        optimizer,
        wrappers,
        schedule,
        train,
    })
}
