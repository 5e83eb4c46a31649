//! The `downhill run` config: `[problem]`, `[optimizer]`, `[run]`, optional `[schedule]`.

use serde::Deserialize;

use downhill::optim::OptimizerConfig;
use downhill::schedule::ScheduleConfig;

use super::ConfigDoc;
use crate::exit::CliError;

/// `[problem]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemSection {
    /// A built-in function name.
    pub function: String,
    /// Starting point.
    pub x0: Vec<f64>,
    /// `exact` (default) or `numeric`.
    #[serde(default)]
    pub gradient: GradientKind,
    /// Numerical-gradient step (default 1e-4).
    pub h: Option<f64>,
    /// Forward instead of central differences.
    #[serde(default)]
    pub forward_difference: bool,
}

/// How gradients are computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradientKind {
    /// Analytic (or automatic) gradient.
    #[default]
    Exact,
    /// Central differences.
    Numeric,
}

/// Floating-point precision of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// 64-bit.
    #[default]
    F64,
    /// 32-bit.
    F32,
}

/// `[run]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Number of steps.
    pub steps: usize,
    /// `f64` or `f32`.
    #[serde(default)]
    pub precision: Precision,
    /// Stop when the gradient norm is at most this.
    pub tolerance: Option<f64>,
    /// The run's batch size (used by a schedule's `scale_rule` and `batch_size_schedule`).
    pub batch_size: Option<usize>,
}

/// A whole `downhill run` config.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// `[problem]`.
    pub problem: ProblemSection,
    /// `[optimizer]`.
    pub optimizer: OptimizerConfig,
    /// `[run]`.
    pub run: RunSection,
    /// `[schedule]`, if any.
    pub schedule: Option<ScheduleConfig>,
}

/// Parses a `downhill run` config.
pub fn parse(file: &str, raw: &str) -> Result<RunConfig, CliError> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&["problem", "optimizer", "run", "schedule"])?;
    let missing = |t: &str| CliError::input(format!("{file}: missing table [{t}]"));
    let problem: ProblemSection = doc.section("problem")?.ok_or_else(|| missing("problem"))?;
    let (name, body) = doc
        .named_section("optimizer")?
        .ok_or_else(|| missing("optimizer"))?;
    let optimizer = doc.named_into("optimizer", &name, body, |n, d| {
        OptimizerConfig::from_named(n, d)
    })?;
    let run: RunSection = doc.section("run")?.ok_or_else(|| missing("run"))?;
    let schedule = super::schedule::section(&mut doc)?;
    Ok(RunConfig {
        problem,
        optimizer,
        run,
        schedule,
    })
}
