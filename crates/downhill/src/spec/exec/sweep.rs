//! `downhill sweep`: a grid over dotted config paths of a `run`, `compare` or `train` config
//! (the `[sweep]` table, see [`crate::spec::sweep`]).
//!
//! Every point's config text is parsed first (a bad key or value stops the sweep before anything
//! runs); then the points run in parallel (rayon), each through the command's normal pipeline
//! (`run_json`, `compare_json`, or `train`'s `fit_with`), so a point's `result` is what the same
//! config prints alone with `--json`. Each run is deterministic and the results are collected in
//! grid order, so the output does not depend on the thread count (`compare`'s wall times
//! excepted). A diverged point is a result.

use std::ops::Range;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::spec::exec;
use crate::spec::sweep::{Kind, Sweep};
use crate::Error;

/// One finished point: the swept values and what the single run prints with `--json`.
#[derive(Debug, Clone)]
pub struct Point {
    /// `{"optimizer.lr": 0.1, …}`.
    pub values: Map<String, Value>,
    /// The single run's `--json` object.
    pub result: Value,
}

/// What `downhill sweep --json` prints for the config text `toml` (called `origin` in
/// messages).
pub fn sweep_json(origin: &str, toml: &str) -> Result<Value, Error> {
    let sweep = Sweep::parse(origin, toml)?;
    Ok(points_json(&run_points(&sweep, 0..sweep.len(), &|| {})?))
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
fn check(kind: Kind, file: &str, text: &str) -> Result<(), Error> {
    use crate::spec::{compare, run, train};
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
fn run_one(kind: Kind, file: &str, text: &str) -> Result<Value, Error> {
    match kind {
        Kind::Run => exec::run::run_json(file, text),
        Kind::Compare => exec::compare::compare_json(file, text),
        Kind::Train => {
            let cfg = crate::spec::train::parse(file, text)?;
            exec::train::fit_with(&cfg, None, &mut |_, _| {}).map(|(_, v)| v)
        }
    }
}

/// Checks every point of the grid, then runs the points `range` in parallel, in grid order.
/// Errors name the swept values (unless the config is wrong whatever the sweep sets).
/// `done` is called as each point finishes (from the worker threads).
pub fn run_points(
    sweep: &Sweep,
    range: Range<usize>,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<Point>, Error> {
    let base_error = check(sweep.kind, &sweep.file, sweep.base())
        .err()
        .map(|e| e.to_string());
    let wrap = |p: usize, e: Error| {
        if base_error.as_ref() == Some(&e.to_string()) {
            e
        } else {
            sweep.point_error(p, &e)
        }
    };
    let texts: Vec<String> = (0..sweep.len()).map(|p| sweep.text(p)).collect();
    for (p, t) in texts.iter().enumerate() {
        check(sweep.kind, &sweep.file, t).map_err(|e| wrap(p, e))?;
    }
    let results: Vec<Result<Value, Error>> = range
        .clone()
        .into_par_iter()
        .map(|p| {
            let r = run_one(sweep.kind, &sweep.file, &texts[p]);
            done();
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
