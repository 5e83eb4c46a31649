//! The arguments of `downhill bench` and its subcommands (clap).

use clap::{Args, Subcommand};

/// `downhill bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to measure.
    #[command(subcommand)]
    pub what: BenchCommand,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time of one optimiser step on N parameters, against the in-place update bandwidth.
    Step(StepArgs),
    /// Times of a built-in function's value, analytic gradient, AD gradients (vector and
    /// scalar tape) and numerical gradient (skipped above d = 10⁴ unless `--numeric`).
    Gradient(GradientArgs),
    /// Samples per second of the training loop on synthetic data, and the final loss.
    Train(BenchTrainArgs),
}

/// `downhill bench step`.
#[derive(Debug, Args)]
pub struct StepArgs {
    /// Optimiser name (any `[optimizer] name`, plus `sgd_momentum` = sgd with momentum 0.9).
    #[arg(long)]
    pub optimizer: String,
    /// Number of parameters (`10000000` or `1e7`).
    #[arg(long, value_parser = parse_count)]
    pub params: usize,
    /// Timed steps (after one untimed warm-up step that allocates the state).
    #[arg(long, default_value_t = 20)]
    pub steps: usize,
    /// `f32` (default) or `f64`.
    #[arg(long, default_value = "f32")]
    pub precision: String,
    /// Optimiser state storage: `full` (default) or `bf16` (adam, adamw, sgd/sgd_momentum).
    #[arg(long, default_value = "full")]
    pub state_precision: String,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Learning rate (default 1e-3).
    #[arg(long, default_value_t = 1e-3, allow_hyphen_values = true, value_parser = super::finite)]
    pub lr: f64,
    /// Elements per buffer of the bandwidth probe `a ← a + s·b` (f32; default 2e8, far
    /// beyond any cache; smaller values give quick but optimistic limits). 0 skips it. Its
    /// passes are interleaved with the timed steps.
    #[arg(long, value_parser = parse_count_or_zero, default_value = "2e8")]
    pub limit_elems: usize,
    /// Timed passes of the bandwidth probe; the best counts (default 5).
    #[arg(long, default_value_t = 5)]
    pub limit_reps: usize,
    /// Cap the SIMD level: `auto` (default), `avx512`, `avx2` or `baseline`.
    #[arg(long, default_value = "auto")]
    pub level: String,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `downhill bench gradient`.
#[derive(Debug, Args)]
pub struct GradientArgs {
    /// A built-in function name (e.g. `rosenbrock`).
    #[arg(long)]
    pub function: String,
    /// Dimension (ignored for fixed-dimension functions, which use their own).
    #[arg(long, value_parser = parse_count, default_value = "2")]
    pub dim: usize,
    /// Minimum seconds spent timing each operation.
    #[arg(long, default_value_t = 0.2, allow_hyphen_values = true, value_parser = super::finite)]
    pub seconds: f64,
    /// Time the numerical gradient (2d evaluations) also above d = 10⁴, where it is skipped
    /// by default (at d = 10⁶ it takes tens of minutes).
    #[arg(long)]
    pub numeric: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `downhill bench train`.
#[derive(Debug, Args)]
pub struct BenchTrainArgs {
    /// `linear`, `logistic`, `softmax` or `mlp`.
    #[arg(long)]
    pub model: String,
    /// Number of samples (`1000000` or `1e6`).
    #[arg(long, value_parser = parse_count)]
    pub n: usize,
    /// Number of features.
    #[arg(long, value_parser = parse_count)]
    pub features: usize,
    /// Samples per step.
    #[arg(long, default_value_t = 256)]
    pub batch_size: usize,
    /// Passes over the data.
    #[arg(long, default_value_t = 1)]
    pub epochs: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 0.01, allow_hyphen_values = true, value_parser = super::finite)]
    pub lr: f64,
    /// Optimiser (as `bench step --optimizer`).
    #[arg(long, default_value = "sgd")]
    pub optimizer: String,
    /// Optimiser state storage: `full` or `bf16`.
    #[arg(long, default_value = "full")]
    pub state_precision: String,
    /// Hidden width of the `mlp` (one hidden relu layer).
    #[arg(long, default_value_t = 256)]
    pub hidden: usize,
    /// Classes of `softmax` and `mlp` data.
    #[arg(long, default_value_t = 10)]
    pub classes: usize,
    /// `f32` (default) or `f64`.
    #[arg(long, default_value = "f32")]
    pub precision: String,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Elements (`f32`) of the read-bandwidth probe (default 1e8 = 400 MB, beyond the caches;
    /// smaller values give quick but optimistic limits). 0 skips it and the row-gather probe
    /// (a random-order read of the training rows; both run before the run, after every epoch
    /// and after the run, outside `seconds`).
    #[arg(long, value_parser = parse_count_or_zero, default_value = "1e8")]
    pub limit_elems: usize,
    /// Seed of the data, the initialisation and the batches.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Parses a positive count written as an integer or in scientific notation (`1e7`).
pub fn parse_count(s: &str) -> Result<usize, String> {
    match parse_count_or_zero(s)? {
        0 => Err("must be at least 1".into()),
        n => Ok(n),
    }
}

/// Parses a count as [`parse_count`] does, allowing 0.
pub fn parse_count_or_zero(s: &str) -> Result<usize, String> {
    if let Ok(n) = s.parse::<usize>() {
        return Ok(n);
    }
    match s.parse::<f64>() {
        Ok(x) if x >= 0.0 && x.fract() == 0.0 && x < 1e15 => Ok(x as usize),
        _ => Err(format!(
            "`{s}` is not a whole number (e.g. 10000000 or 1e7)"
        )),
    }
}
