//! `downhill sweep FILE.toml [--json] [--plot F]`: a grid over dotted config paths of a `run`,
//! `compare` or `train` config (the `[sweep]` table, see [`crate::config::sweep`]).
//!
//! Every point's config text is parsed first (a bad key or value stops the sweep before anything
//! runs, exit 2); then the points run in parallel (rayon), each through the command's normal
//! pipeline (`run_json`, `compare_json`, or `train`'s `fit_with`), so a point's `result` is what
//! the same config prints alone with `--json`. Each run is deterministic and the results are
//! collected in grid order, so the output does not depend on the thread count (`compare`'s
//! wall times excepted). A diverged point is a result; the command exits 0.

use std::io::IsTerminal;
use std::ops::Range;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::cli::SweepArgs;
use crate::config::read_file;
use crate::config::sweep::{Kind, Sweep};
use crate::exit::{CliError, CliResult};

/// One finished point: the swept values and what the single run prints with `--json`.
#[derive(Debug, Clone)]
pub struct Point {
    /// `{"optimizer.lr": 0.1, …}`.
    pub values: Map<String, Value>,
    /// The single run's `--json` object.
    pub result: Value,
}

/// Entry point of `downhill sweep`.
pub fn cmd(a: &SweepArgs) -> CliResult {
    let file = a.file.display().to_string();
    let raw = read_file(&a.file)?;
    let sweep = Sweep::parse(&file, &raw)?;
    if a.plot.is_some() && sweep.axes.len() > 2 {
        return Err(CliError::input(format!(
            "--plot draws a sweep over 1 or 2 keys; {} has {}",
            file,
            sweep.axes.len()
        )));
    }
    #[cfg(feature = "mpi")]
    if super::sweep_mpi::under_mpirun() {
        return super::sweep_mpi::cmd(a, &sweep);
    }
    let bar = progress_bar(a.json, sweep.len());
    let points = run_points(&sweep, 0..sweep.len(), bar.as_ref())?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    finish(a, &sweep, &points)
}

/// Prints the points (table or `--json`) and draws `--plot`.
pub fn finish(a: &SweepArgs, sweep: &Sweep, points: &[Point]) -> CliResult {
    if let Some(out) = &a.plot {
        let fig = super::sweep_plot::figure(sweep, points, a.metric)?;
        super::plotting::write(&fig, out)?;
    }
    if a.json {
        println!("{}", points_json(points));
    } else {
        super::sweep_plot::print_table(sweep, points);
    }
    Ok(0)
}

/// A progress bar on stderr, unless `--json` or stderr is not a terminal.
fn progress_bar(json: bool, n: usize) -> Option<ProgressBar> {
    (!json && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::new(n as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:30} point {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    })
}

/// What `downhill sweep --json` prints for the config text `toml` (called `origin` in
/// messages).
pub fn sweep_json(origin: &str, toml: &str) -> Result<Value, CliError> {
    let sweep = Sweep::parse(origin, toml)?;
    Ok(points_json(&run_points(&sweep, 0..sweep.len(), None)?))
}

/// `{"points": [{"values": …, "result": …}, …]}`.
pub fn points_json(points: &[Point]) -> Value {
    let v: Vec<Value> = points
        .iter()
        .map(|p| json!({ "values": p.values, "result": p.result }))
        .collect();
    json!({ "points": v })
}

/// Parses a point's config as its command would (nothing runs).
fn check(kind: Kind, file: &str, text: &str) -> Result<(), CliError> {
    use crate::config::{compare, run, train};
    match kind {
        Kind::Run => run::parse(file, text).map(drop),
        Kind::Compare if compare::is_training(file, text)? => {
            compare::parse_training(file, text).map(drop)
        }
        Kind::Compare => compare::parse(file, text).map(drop),
        Kind::Train => train::parse(file, text).map(drop),
    }
}

/// Runs a point's config through its command; returns what `--json` prints.
fn run_one(kind: Kind, file: &str, text: &str) -> Result<Value, CliError> {
    match kind {
        Kind::Run => super::run::run_json(file, text),
        Kind::Compare => super::compare::compare_json(file, text),
        Kind::Train => {
            let cfg = crate::config::train::parse(file, text)?;
            super::train::fit_with(&cfg, None, &mut |_, _| {}).map(|(_, v)| v)
        }
    }
}

/// Checks every point of the grid, then runs the points `range` in parallel, in grid order.
/// Errors name the swept values (unless the config is wrong whatever the sweep sets).
pub fn run_points(
    sweep: &Sweep,
    range: Range<usize>,
    bar: Option<&ProgressBar>,
) -> Result<Vec<Point>, CliError> {
    let base_error = check(sweep.kind, &sweep.file, sweep.base())
        .err()
        .map(|e| e.message);
    let wrap = |p: usize, e: CliError| {
        if base_error.as_ref() == Some(&e.message) {
            e
        } else {
            sweep.point_error(p, &e)
        }
    };
    let texts: Vec<String> = (0..sweep.len()).map(|p| sweep.text(p)).collect();
    for (p, t) in texts.iter().enumerate() {
        check(sweep.kind, &sweep.file, t).map_err(|e| wrap(p, e))?;
    }
    let results: Vec<Result<Value, CliError>> = range
        .clone()
        .into_par_iter()
        .map(|p| {
            let r = run_one(sweep.kind, &sweep.file, &texts[p]);
            if let Some(b) = bar {
                b.inc(1);
            }
            r
        })
        .collect();
    range
        .zip(results)
        .map(|(p, r)| {
            Ok(Point {
                values: sweep.values_json(p),
                result: r.map_err(|e| wrap(p, e))?,
            })
        })
        .collect()
}
