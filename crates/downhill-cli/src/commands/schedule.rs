//! `downhill schedule FILE.toml --steps N [--json] [--csv] [--metrics FILE]`: the lr (and
//! momentum) a `[schedule]` gives at steps 0..N−1 — the value after k `scheduler.step()` calls.

use std::path::Path;

use downhill::spec::exec::schedule::table;
use serde_json::Value;

use crate::cli::ScheduleArgs;
use crate::exit::{CliError, CliResult};
use crate::input::read_file;

/// Where the metrics of `reduce_lr_on_plateau` come from.
#[derive(Debug, Clone, Copy)]
pub enum Metrics<'a> {
    /// A file with one metric per line (`--metrics FILE`).
    File(&'a Path),
    /// The values themselves, named `origin` in messages.
    Values {
        /// What to call them in messages.
        origin: &'a str,
        /// The k-th is reported after step k.
        values: &'a [f64],
    },
}

impl Metrics<'_> {
    fn load(&self) -> Result<(String, Vec<f64>), CliError> {
        match self {
            Metrics::File(path) => Ok((path.display().to_string(), read_metrics(path)?)),
            Metrics::Values { origin, values } => Ok((origin.to_string(), values.to_vec())),
        }
    }
}

/// Reads one metric per non-blank line.
fn read_metrics(path: &Path) -> Result<Vec<f64>, CliError> {
    let text = read_file(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let v: f64 = t.parse().map_err(|_| {
            CliError::input(format!(
                "{}:{}: metric: cannot parse `{t}` as a number",
                path.display(),
                i + 1
            ))
        })?;
        out.push(v);
    }
    Ok(out)
}

/// Tabulates the schedule of config `raw` (named `file` in messages), loading `metrics` only
/// when the schedule reacts to them.
fn tabulate(
    file: &str,
    raw: &str,
    steps: Option<usize>,
    metrics: Option<Metrics<'_>>,
) -> Result<downhill::spec::exec::schedule::Table, CliError> {
    // A metrics file that cannot be read is bad input (exit 2), as every library error is.
    let load = || {
        metrics
            .map_or_else(|| Ok((String::new(), Vec::new())), |m| m.load())
            .map_err(|e| downhill::Error::Invalid(e.message))
    };
    let source: Option<downhill::spec::exec::schedule::Metrics<'_>> =
        metrics.is_some().then_some(&load);
    Ok(table(file, raw, steps, source)?)
}

/// What `downhill schedule --json` prints for the config text `toml` (called `origin` in
/// messages), tabulated for `steps` (default `[run] steps`), with `metrics` for
/// `reduce_lr_on_plateau`.
pub fn schedule_json(
    origin: &str,
    toml: &str,
    steps: Option<usize>,
    metrics: Option<Metrics<'_>>,
) -> Result<Value, CliError> {
    tabulate(origin, toml, steps, metrics).map(|t| t.json())
}

/// Entry point of `downhill schedule`.
pub fn cmd(args: &ScheduleArgs) -> CliResult {
    let file = args.file.display().to_string();
    let raw = read_file(&args.file)?;
    let metrics = args.metrics.as_deref().map(Metrics::File);
    let t = tabulate(&file, &raw, args.steps, metrics)?;
    let (steps, lr, momentum, batch) = (t.steps, &t.lr, &t.momentum, &t.batch);
    if let Some(out) = &args.plot {
        let m = (!momentum.is_empty()).then_some(momentum.as_slice());
        let fig = downhill_plot::schedule_plot(lr, m).map_err(CliError::failure)?;
        crate::present::plotting::write(&fig, out)?;
    }
    if args.json {
        println!("{}", t.json());
    } else if args.csv {
        let mut header = String::from("step,lr,momentum");
        if batch.is_some() {
            header.push_str(",batch_size");
        }
        println!("{header}");
        for k in 0..steps {
            let m = momentum.get(k).map_or(String::new(), |m| format!("{m:?}"));
            let b = batch
                .as_ref()
                .map_or(String::new(), |b| format!(",{}", b[k]));
            println!("{k},{:?},{m}{b}", lr[k]);
        }
    } else {
        println!("{} ({} steps, optimizer lr = {})", t.name, steps, t.base_lr);
        for k in 0..steps {
            let m = momentum
                .get(k)
                .map_or(String::new(), |m| format!("  momentum {m:.6}"));
            let b = batch
                .as_ref()
                .map_or(String::new(), |b| format!("  batch_size {}", b[k]));
            println!("  step {k:>5}  lr {:.6e}{m}{b}", lr[k]);
        }
    }
    Ok(0)
}
