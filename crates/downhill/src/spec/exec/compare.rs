//! `downhill compare`: every `[[optimizers]]` entry on one `[problem]`, or — when the config has
//! `[data]` — each training the same `[model]`, and the object `--json` prints.
//!
//! "Steps to tolerance" is the number of steps after which the gradient norm first fell to
//! `[run] tolerance` (the run loop stops there); it is empty when the run never got there or no
//! tolerance is set. Wall time is that of the run alone (the one field that differs between two
//! runs of a config).

use std::time::Instant;

use serde_json::{json, Value};

use crate::run::{RunResult, Status};
use crate::spec::compare::{is_training, parse, parse_training, CompareConfig, CompareTraining};
use crate::spec::run::RunConfig;
use crate::spec::{exec, input};
use crate::train::TrainResult;
use crate::Error;

/// One finished contender on a problem.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Its label.
    pub label: String,
    /// Its run.
    pub result: RunResult,
    /// Wall time of the run, in seconds.
    pub seconds: f64,
}

impl Outcome {
    /// The step at which the gradient norm first fell to the tolerance, if it did.
    pub fn steps_to_tolerance(&self) -> Option<usize> {
        (self.result.status == Status::Converged).then_some(self.result.steps)
    }
}

/// What `downhill compare --json` prints for the config text `toml` (called `origin` in
/// messages): on a problem, or on a dataset when the config has a `[data]` table.
pub fn compare_json(origin: &str, toml: &str) -> Result<Value, Error> {
    if is_training(origin, toml)? {
        let cfg = parse_training(origin, toml)?;
        return Ok(training_json(&cfg, &train_all(&cfg)?));
    }
    let cfg = parse(origin, toml)?;
    problem_json(&cfg, &run_all(&cfg)?)
}

/// Runs every contender of a comparison on a problem, in file order.
pub fn run_all(cfg: &CompareConfig) -> Result<Vec<Outcome>, Error> {
    cfg.optimizers
        .iter()
        .map(|c| {
            let single = RunConfig {
                problem: cfg.problem.clone(),
                optimizer: c.optimizer.clone(),
                run: cfg.run.clone(),
                schedule: cfg.schedule.clone(),
                wrappers: Default::default(),
            };
            let t = Instant::now();
            let result = exec::run::execute(&single)?;
            Ok(Outcome {
                label: c.label.clone(),
                result,
                seconds: t.elapsed().as_secs_f64(),
            })
        })
        .collect()
}

/// The JSON object of a comparison on a problem.
pub fn problem_json(cfg: &CompareConfig, outcomes: &[Outcome]) -> Result<Value, Error> {
    let runs = outcomes
        .iter()
        .zip(&cfg.optimizers)
        .map(|(o, c)| {
            let mut v = serde_json::to_value(&o.result).map_err(input)?;
            if let Some(m) = v.as_object_mut() {
                m.insert("label".into(), json!(o.label));
                m.insert("optimizer".into(), json!(c.optimizer));
                m.insert("steps_to_tolerance".into(), json!(o.steps_to_tolerance()));
                m.insert("wall_time_s".into(), json!(o.seconds));
            }
            Ok(v)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mut v = json!({
        "x0": cfg.problem.x0,
        "steps": cfg.run.steps,
        "tolerance": cfg.run.tolerance,
        "runs": runs,
    });
    if let Some(o) = v.as_object_mut() {
        cfg.problem.insert_json(o);
    }
    Ok(v)
}

/// One contender trained: its label, the result and the wall time in seconds.
pub type Trained = (String, TrainResult, f64);

/// Trains every contender of a comparison on a dataset, in file order.
pub fn train_all(cfg: &CompareTraining) -> Result<Vec<Trained>, Error> {
    let mut runs = Vec::with_capacity(cfg.optimizers.len());
    for c in &cfg.optimizers {
        let mut one = cfg.base.clone();
        one.optimizer = c.optimizer.clone();
        let t = Instant::now();
        let r = exec::train::fit(&one)?;
        runs.push((c.label.clone(), r, t.elapsed().as_secs_f64()));
    }
    Ok(runs)
}

/// The JSON object of a comparison on a dataset.
pub fn training_json(cfg: &CompareTraining, runs: &[Trained]) -> Value {
    let v: Vec<_> = runs
        .iter()
        .map(|(label, r, secs)| {
            json!({
                "label": label,
                "status": r.status,
                "epochs": r.epochs,
                "final_train_loss": r.final_train_loss,
                "final_val_metrics": r.final_val,
                "train_loss": r.train_loss,
                "log_samples": r.log_samples,
                "seconds": secs,
            })
        })
        .collect();
    json!({ "model": cfg.base.model, "runs": v })
}
