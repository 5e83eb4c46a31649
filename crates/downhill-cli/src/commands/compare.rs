//! `downhill compare FILE.toml [--plot FIG.svg] [--json]`: several optimisers on one problem.
//!
//! Each `[[optimizers]]` entry is run with the same `[problem]` and `[run]` through
//! `downhill::run::minimize`. "Steps to tolerance" is the number of steps after which the
//! gradient norm first fell to `[run] tolerance` (the run loop stops there); it is empty when the
//! run never got there or no tolerance is set. Wall time is that of the run alone. A diverged
//! contender is reported in the table; the command still exits 0 (it is a comparison).

use std::time::Instant;

use downhill::run::{RunResult, Status};
use serde_json::json;

use super::plotting::{figure, write, RunTrace};
use crate::cli::CompareArgs;
use crate::config::compare::{is_training, parse, parse_training, CompareConfig, CompareTraining};
use crate::config::read_file;
use crate::config::run::RunConfig;
use crate::exit::{CliError, CliResult};

/// One finished contender.
struct Outcome {
    label: String,
    result: RunResult,
    seconds: f64,
}

impl Outcome {
    fn steps_to_tolerance(&self) -> Option<usize> {
        (self.result.status == Status::Converged).then_some(self.result.steps)
    }
}

/// Entry point of `downhill compare`.
pub fn cmd(a: &CompareArgs) -> CliResult {
    let file = a.file.display().to_string();
    let raw = read_file(&a.file)?;
    if is_training(&file, &raw)? {
        return compare_training(a, &parse_training(&file, &raw)?);
    }
    let cfg = parse(&file, &raw)?;
    let outcomes = run_all(&cfg)?;
    if a.json {
        println!("{}", outcomes_json(&cfg, &outcomes)?);
    } else {
        print_table(&cfg, &outcomes);
    }
    if let Some(out) = &a.plot {
        let traces: Vec<RunTrace> = outcomes
            .iter()
            .map(|o| RunTrace {
                label: o.label.clone(),
                trajectory: o.result.trajectory.clone(),
                f_history: o.result.f_history.clone(),
            })
            .collect();
        write(&figure(cfg.problem.label(), &traces, true)?, out)?;
    }
    Ok(0)
}

fn run_all(cfg: &CompareConfig) -> Result<Vec<Outcome>, CliError> {
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
            let result = super::run::execute(&single)?;
            Ok(Outcome {
                label: c.label.clone(),
                result,
                seconds: t.elapsed().as_secs_f64(),
            })
        })
        .collect()
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::MaxSteps => "max steps",
        Status::Converged => "converged",
        Status::Diverged => "DIVERGED",
    }
}

fn print_table(cfg: &CompareConfig, outcomes: &[Outcome]) {
    println!(
        "{} from {:?}, {} steps, tolerance {}",
        cfg.problem.label(),
        cfg.problem.x0,
        cfg.run.steps,
        cfg.run
            .tolerance
            .map_or("none".to_string(), |t| format!("{t:e}"))
    );
    let w = outcomes
        .iter()
        .map(|o| o.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(9);
    println!(
        "{:<w$}  {:>14}  {:>10}  {:>12}  status",
        "optimizer", "final f", "steps→tol", "wall time"
    );
    for o in outcomes {
        println!(
            "{:<w$}  {:>14.6e}  {:>10}  {:>9.3} ms  {}",
            o.label,
            o.result.f,
            o.steps_to_tolerance()
                .map_or("—".to_string(), |s| s.to_string()),
            o.seconds * 1e3,
            status_word(o.result.status)
        );
    }
}

/// Runs every contender of `cfg` and returns the object `downhill compare --json` prints.
pub fn result_json(cfg: &CompareConfig) -> Result<serde_json::Value, CliError> {
    outcomes_json(cfg, &run_all(cfg)?)
}

fn outcomes_json(cfg: &CompareConfig, outcomes: &[Outcome]) -> Result<serde_json::Value, CliError> {
    let runs = outcomes
        .iter()
        .zip(&cfg.optimizers)
        .map(|(o, c)| {
            let mut v = serde_json::to_value(&o.result).map_err(CliError::failure)?;
            if let Some(m) = v.as_object_mut() {
                m.insert("label".into(), json!(o.label));
                m.insert("optimizer".into(), json!(c.optimizer));
                m.insert("steps_to_tolerance".into(), json!(o.steps_to_tolerance()));
                m.insert("wall_time_s".into(), json!(o.seconds));
            }
            Ok(v)
        })
        .collect::<Result<Vec<_>, CliError>>()?;
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

/// `downhill compare` on a dataset: each `[[optimizers]]` entry trains the same `[model]` on
/// the same `[data]` with the same `[train]` settings; the table shows the final training loss,
/// the validation metrics of the final parameters, status, epochs and wall time.
fn compare_training(a: &CompareArgs, cfg: &CompareTraining) -> CliResult {
    let mut runs = Vec::with_capacity(cfg.optimizers.len());
    for c in &cfg.optimizers {
        let mut one = cfg.base.clone();
        one.optimizer = c.optimizer.clone();
        let t = Instant::now();
        let r = super::train::fit(&one)?;
        runs.push((c.label.clone(), r, t.elapsed().as_secs_f64()));
    }
    if a.json {
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
        println!("{}", json!({ "model": cfg.base.model, "runs": v }));
    } else {
        let width = runs
            .iter()
            .map(|r| r.0.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        println!(
            "{:<width$}  {:>12}  {:>12}  {:>9}  {:>13}  {:>6}  {:>8}",
            "label", "train loss", "val loss", "val acc", "status", "epochs", "seconds"
        );
        for (label, r, secs) in &runs {
            let v = r.final_val.as_ref();
            let acc = v
                .and_then(|m| m.accuracy.or(m.r2))
                .map_or("—".to_string(), |x| format!("{x:.4}"));
            println!(
                "{label:<width$}  {:>12.4e}  {:>12}  {acc:>9}  {:>13}  {:>6}  {secs:>8.3}",
                r.final_train_loss,
                v.map_or("—".to_string(), |m| format!("{:.4e}", m.loss)),
                format!("{:?}", r.status).to_lowercase(),
                r.epochs,
            );
        }
    }
    if let Some(out) = &a.plot {
        use downhill_plot::{line_chart, Labels, LineOptions, Series};
        let series: Vec<Series> = runs
            .iter()
            .map(|(label, r, _)| {
                Series::new(
                    label.clone(),
                    r.log_samples.iter().map(|&s| s as f64).collect(),
                    r.train_loss.clone(),
                )
            })
            .collect();
        let opts = LineOptions {
            labels: Labels::new("training loss by optimiser", "samples seen", "loss"),
            log_y: true,
            ..LineOptions::default()
        };
        write(&line_chart(&series, &opts).map_err(CliError::failure)?, out)?;
    }
    Ok(0)
}
