//! The `downhill train` config: `[data]`, `[model]`, `[optimizer]`, `[wrappers]`,
//! `[schedule]`, `[train]`.

use std::path::PathBuf;

use serde::Deserialize;

use crate::data::builtin::SyntheticOptions;
use crate::model::ModelConfig;
use crate::optim::{OptimizerConfig, ParamGroupConfig, WrappersConfig};
use crate::schedule::ScheduleConfig;
use crate::train::TrainConfig;

use super::optim::{Optimization, Spec};
use super::ConfigDoc;
use super::Precision;
use crate::Error;

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
    /// CSV file, or the `.npy` features file (a relative path is relative to the config
    /// file's folder).
    pub path: Option<PathBuf>,
    /// Target column name (CSV).
    pub target: Option<String>,
    /// `.npy` targets file (relative to the config file's folder, as `path`).
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

/// The `[train]` keys of distributed training (`downhill-mpi`; the CLI's `mpi` feature).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributedSection {
    /// `"mpi"` to train with every rank started by `mpirun`.
    pub distributed: Option<String>,
    /// Samples per rank and step; the global batch is ranks × this (instead of `batch_size`).
    pub batch_size_per_rank: Option<usize>,
    /// Each rank reads only its contiguous slice of the CSV rows.
    #[serde(default)]
    pub shard: bool,
    /// `"ordered"` (default: bit-identical for any number of ranks ≤ `chunks`) or
    /// `"allreduce"` (MPI_Allreduce; equal to rounding).
    pub reduction: Option<String>,
    /// Chunks of the ordered reduction (default 8).
    pub chunks: Option<usize>,
}

/// The keys of [`DistributedSection`].
pub const DISTRIBUTED_KEYS: &[&str] = &[
    "distributed",
    "batch_size_per_rank",
    "shard",
    "reduction",
    "chunks",
];

/// A whole `downhill train` config.
#[derive(Debug, Clone)]
pub struct TrainFile {
    /// `[data]`.
    pub data: DataSection,
    /// `[model]`.
    pub model: ModelConfig,
    /// `[optimizer]`.
    pub optimizer: OptimizerConfig,
    /// Its `[[optimizer.param_groups]]` (none: one group of every parameter).
    pub param_groups: Vec<ParamGroupConfig>,
    /// `[wrappers]` around the optimiser (none when absent).
    pub wrappers: WrappersConfig,
    /// `[schedule]`, if any (`unit = "epoch"` steps it per epoch).
    pub schedule: Option<ScheduleConfig>,
    /// `[train]` (defaults when absent).
    pub train: TrainConfig,
    /// The distributed-training keys of `[train]` (read only by the `mpi` feature's command).
    pub distributed: DistributedSection,
}

/// Parses a `downhill train` config.
pub fn parse(file: &str, raw: &str) -> Result<TrainFile, Error> {
    from_doc(file, &mut ConfigDoc::parse(file, raw)?, &[])
}

/// The `downhill train` config of a parsed document that may also hold the tables `also`
/// (which are left in `doc` for the caller: `downhill landscape`'s `[landscape]`).
pub fn from_doc(file: &str, doc: &mut ConfigDoc<'_>, also: &[&str]) -> Result<TrainFile, Error> {
    let mut allowed = vec![
        "data",
        "model",
        "optimizer",
        "wrappers",
        "schedule",
        "train",
    ];
    allowed.extend_from_slice(also);
    doc.allow_tables(&allowed)?;
    let mut data: DataSection = doc.required("data")?;
    super::check::dataset(doc, &data.source)?;
    // Data files are named relative to the config file, as `[problem] data` is.
    for p in [&mut data.path, &mut data.target_path]
        .into_iter()
        .flatten()
    {
        *p = super::least_squares::data_path(&doc.file, &*p);
    }
    let model: ModelConfig = doc.required("model")?;
    let (train, distributed): (TrainConfig, DistributedSection) =
        doc.section_split("train", DISTRIBUTED_KEYS)?;
    check_distributed(file, &distributed, &train)?;
    train
        .validate()
        .map_err(|e| doc.invalid_value("train", &doc.keys("train"), &e))?;
    let spec = Spec {
        first_order: true,
        batch_size: Some(train.batch_size),
        groups: true,
        ..Spec::default()
    };
    let (c, wrappers, schedule) = Optimization::parse(doc, spec)?.single_contender(file)?;
    train
        .check_groups(1 + c.param_groups.len())
        .map_err(|e| doc.invalid_value("train", &doc.keys("train"), &e))?;
    // Overlapping and empty groups are known from the model's parameter names alone.
    let names = model.tensor_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    crate::optim::assign(&names, &c.param_groups)
        .map_err(|e| doc.invalid_value("optimizer", &doc.keys("optimizer"), &e))?;
    if let Some(sc) = &schedule {
        check_shared_schedule(doc, &c.optimizer, &c.param_groups, sc)?;
    }
    Ok(TrainFile {
        data,
        model,
        optimizer: c.optimizer,
        param_groups: c.param_groups,
        wrappers,
        schedule,
        train,
        distributed,
    })
}

/// For an optimiser whose parameter groups share one d (prodigy, D-Adaptation: their lrs must
/// stay equal, or 0, as the packages require), refuses a `[schedule]` that gives the groups
/// different values of a per-group list (`min_lr = [0.5, 0.25]`), at its first such key: the
/// groups' lrs would part during training, and the shared step could not run.
fn check_shared_schedule(
    doc: &ConfigDoc<'_>,
    optimizer: &OptimizerConfig,
    param_groups: &[ParamGroupConfig],
    sc: &ScheduleConfig,
) -> Result<(), Error> {
    let groups = 1 + param_groups.len();
    // The groups stepped with the top-level optimiser's rule (a group may name another).
    let sharing: Vec<usize> = std::iter::once(0)
        .chain((1..groups).filter(|&g| param_groups[g - 1].optimizer.name() == optimizer.name()))
        .collect();
    if sharing.len() < 2 || !crate::optim::shares_groups(optimizer) {
        return Ok(());
    }
    let keys = doc.keys("schedule");
    let json = |g| {
        sc.group(g, groups)
            .map_err(|e| doc.invalid_value("schedule", &keys, &e))
            .map(|c| serde_json::to_value(c).unwrap_or_default())
    };
    let first = json(0)?;
    for &g in &sharing[1..] {
        let other = json(g)?;
        let (Some(a), Some(b)) = (first.as_object(), other.as_object()) else {
            continue;
        };
        if let Some(key) = a.keys().find(|k| a.get(*k) != b.get(*k)) {
            return Err(doc.key_error(
                "schedule",
                key,
                format!(
                    "{} for group 0 and {} for group {g}: the parameter groups of `{}` share \
                     one d, so their lrs must stay equal (or 0), as the package requires; give \
                     one value for all groups",
                    a[key],
                    b[key],
                    optimizer.name()
                ),
            ));
        }
    }
    Ok(())
}

/// Errors on distributed keys without `distributed = "mpi"`, on an unknown backend or
/// reduction, and on `distributed = "mpi"` in a `downhill` built without the `mpi` feature.
fn check_distributed(file: &str, d: &DistributedSection, train: &TrainConfig) -> Result<(), Error> {
    let err = |m: String| Err(crate::spec::input(format!("{file}: [train] {m}")));
    match d.distributed.as_deref() {
        None => {
            if d.batch_size_per_rank.is_some()
                || d.shard
                || d.reduction.is_some()
                || d.chunks.is_some()
            {
                return err("`batch_size_per_rank`, `shard`, `reduction` and `chunks` need `distributed = \"mpi\"`".into());
            }
            return Ok(());
        }
        Some("mpi") => {}
        Some(other) => return err(format!("unknown `distributed = \"{other}\"`; known: mpi")),
    }
    if !cfg!(feature = "mpi") {
        return err("`distributed = \"mpi\"` needs a `downhill` built with MPI: `cargo build --release -p downhill-cli --features mpi` (see README, \"Running on several machines\")".into());
    }
    if let Some(r) = d.reduction.as_deref() {
        if r != "ordered" && r != "allreduce" {
            return err(format!(
                "unknown `reduction = \"{r}\"`; known: ordered, allreduce"
            ));
        }
    }
    if d.chunks == Some(0) || d.batch_size_per_rank == Some(0) {
        return err("`chunks` and `batch_size_per_rank` must be >= 1".into());
    }
    if d.batch_size_per_rank.is_some() && train.batch_size != TrainConfig::default().batch_size {
        return err("set `batch_size` (global) or `batch_size_per_rank`, not both".into());
    }
    Ok(())
}
