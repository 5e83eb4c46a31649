//! `downhill lab [--port 8731] [--host 127.0.0.1] [--open]`: the local web lab. The server,
//! its limits and the page are `downhill-lab`'s; this module is its [`Backend`]: every
//! request is turned into the TOML text of the matching config and run by the library's
//! `downhill::spec`, as the commands are, so `/api/run` answers exactly what
//! `downhill run --json` prints.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use downhill::data::{builtin, Task};
use downhill::optim::OptimizerConfig;
use downhill::schedule::ScheduleConfig;
use downhill::spec::{self, exec};
use downhill::train::Progress;
use downhill_lab::{ApiError, Backend, LabOptions, ProgressSink};
use serde_json::{json, Map, Value};

use crate::cli::LabArgs;
use crate::exit::{CliError, CliResult, BAD_INPUT};

/// What the messages of a request's config call its "file": `request:3:1: [optimizer] …`.
const ORIGIN: &str = "request";

/// Most samples × features of a synthetic dataset in the lab.
const MAX_SYNTHETIC_VALUES: u64 = 20_000_000;

/// Entry point of `downhill lab`.
pub fn cmd(a: &LabArgs) -> CliResult {
    downhill_lab::parse_host(&a.host).map_err(CliError::input)?;
    let opts = LabOptions {
        host: a.host.clone(),
        port: a.port,
        open: a.open,
    };
    downhill_lab::serve(Arc::new(Lab), &opts).map_err(CliError::failure)?;
    Ok(0)
}

/// The CLI as the lab's backend.
pub struct Lab;

fn api(e: impl Into<CliError>) -> ApiError {
    let e: CliError = e.into();
    ApiError::new(if e.code == BAD_INPUT { 400 } else { 500 }, e.message)
}

/// The JSON tables as the text of a TOML config.
pub fn toml_text(tables: &Value) -> Result<String, ApiError> {
    spec::json::toml_from_json(ORIGIN, tables).map_err(api)
}

/// The parameters and defaults of a named table (`from_named` with no keys), if it has
/// defaults for all of them.
fn defaults<C: serde::Serialize>(
    from_named: impl FnOnce(Value) -> Result<C, serde_json::Error>,
) -> Option<Value> {
    let c = from_named(Value::Object(Map::new())).ok()?;
    let mut v = serde_json::to_value(c).ok()?;
    if let Some(o) = v.as_object_mut() {
        o.remove("name");
    }
    Some(v)
}

/// The catalogue the page builds its controls from, derived from the library's registries:
/// functions (with their views), optimisers and schedules (parameters with type, default,
/// range and doc; a schedule's `example` is its defaults overlaid with the `example` of its
/// parameter lines; an optimiser's `momentum_key`, what the page's momentum field sets),
/// datasets (with `dataset_tasks`: `regression` or `classification` by name), models and
/// activations.
pub fn catalog() -> Value {
    let functions: Vec<Value> = downhill::problems::NAMES
        .iter()
        .map(|&name| {
            let dim = downhill::problems::by_name::<f64>(name)
                .ok()
                .and_then(|f| f.dim());
            let (x, y, x0) = downhill_lab::contour::view(name);
            json!({ "name": name, "dim": dim, "x_range": x, "y_range": y, "x0": x0 })
        })
        .collect();
    let optimizers: Vec<Value> = downhill::optim::catalog()
        .into_iter()
        .map(|e| {
            let name = e.name;
            json!({
                "name": name,
                "first_order": e.kind == downhill::optim::registry::EntryKind::FirstOrder,
                "doc": e.doc,
                "needs": e.needs,
                "params": e.params,
                "defaults": defaults(|v| OptimizerConfig::from_named(name, v)),
                "momentum_key": downhill::optim::momentum_key(name),
            })
        })
        .collect();
    let catalogue = downhill::schedule::catalog();
    let schedules: Vec<Value> = catalogue
        .schedules
        .iter()
        .map(|info| {
            let name = info.name;
            let d = defaults(|v| ScheduleConfig::from_named(name, v));
            let mut example = d.clone().unwrap_or_else(|| json!({}));
            if let Some(o) = example.as_object_mut() {
                let given = info.params.iter().filter_map(|p| {
                    let v = p.example.clone()?;
                    Some((p.name.to_string(), v))
                });
                o.extend(given);
            }
            json!({
                "name": name,
                "doc": info.doc,
                "params": info.params,
                "defaults": d,
                "example": example,
                "needs_metric": name == "reduce_lr_on_plateau",
            })
        })
        .collect();
    let dataset_tasks: Map<String, Value> = builtin::BUILTIN_NAMES
        .iter()
        .map(|&name| {
            let task = match builtin::builtin_task(name) {
                Some(Task::Regression) => json!("regression"),
                Some(Task::Classification { .. }) => json!("classification"),
                None => Value::Null,
            };
            (name.to_string(), task)
        })
        .collect();
    json!({
        "functions": functions,
        "optimizers": optimizers,
        "schedules": schedules,
        "schedule_common": catalogue.common,
        "datasets": builtin::BUILTIN_NAMES,
        "dataset_tasks": dataset_tasks,
        "models": downhill::model::MODEL_NAMES,
        "activations": downhill::model::ACTIVATION_NAMES,
        "limits": {
            "steps": downhill_lab::limits::MAX_STEPS,
            "points": downhill_lab::limits::MAX_POINTS,
            "lanes": downhill_lab::limits::MAX_LANES,
            "expression_chars": downhill_lab::limits::MAX_EXPRESSION_CHARS,
            "epochs": downhill_lab::limits::MAX_EPOCHS,
            "training_jobs": downhill_lab::cores(),
        },
    })
}

/// Refuses what a lab request may not do: read files (`csv`/`npy` sources), write
/// checkpoints, run over MPI, or build an oversized synthetic dataset.
fn check_train_file(cfg: &spec::train::TrainFile) -> Result<(), ApiError> {
    let d = &cfg.data;
    if !downhill::data::builtin::BUILTIN_NAMES.contains(&d.source.as_str()) {
        return Err(ApiError::bad_request(format!(
            "[data] source = \"{}\": the lab trains on the built-in datasets only ({})",
            d.source,
            downhill::data::builtin::BUILTIN_NAMES.join(", ")
        )));
    }
    if cfg.train.checkpoint_path.is_some() || cfg.train.checkpoint_every.is_some() {
        return Err(ApiError::bad_request(
            "[train] checkpoint_path / checkpoint_every: the lab writes no files",
        ));
    }
    if cfg.distributed.distributed.is_some() {
        return Err(ApiError::bad_request(
            "[train] distributed: the lab trains in one process",
        ));
    }
    let s = d.synthetic();
    let values = s.n.unwrap_or(1000) as u64 * s.features.unwrap_or(2).max(1) as u64;
    if values > MAX_SYNTHETIC_VALUES {
        return Err(ApiError::bad_request(format!(
            "[data] n × features = {values}: the lab makes at most {MAX_SYNTHETIC_VALUES} values"
        )));
    }
    Ok(())
}

fn parse_train(tables: &Value) -> Result<spec::train::TrainFile, ApiError> {
    let text = toml_text(tables)?;
    let cfg = spec::train::parse(ORIGIN, &text).map_err(api)?;
    check_train_file(&cfg)?;
    Ok(cfg)
}

/// A progress record of the trainer as the lab streams it.
fn progress_record(p: &Progress, n_train: usize) -> (&'static str, Value) {
    match p {
        Progress::Batch {
            epoch,
            batch,
            batches,
        } => (
            "progress",
            json!({ "epoch": epoch, "batch": batch, "batches": batches }),
        ),
        Progress::Epoch {
            epoch,
            train_loss,
            val,
        } => (
            "epoch",
            json!({
                "epoch": epoch,
                "samples": epoch * n_train,
                "train_loss": train_loss,
                "val": val,
            }),
        ),
    }
}

impl Backend for Lab {
    fn catalog(&self) -> Value {
        catalog()
    }

    fn presets(&self) -> Value {
        crate::presets::json()
    }

    fn run(&self, tables: &Value) -> Result<Value, ApiError> {
        exec::run::run_json(ORIGIN, &toml_text(tables)?).map_err(api)
    }

    fn compare(&self, tables: &Value) -> Result<Value, ApiError> {
        let text = toml_text(tables)?;
        if spec::compare::is_training(ORIGIN, &text).map_err(api)? {
            return Err(ApiError::bad_request(
                "the lab compares optimisers on a [problem]; train on [data] with /api/train",
            ));
        }
        exec::compare::compare_json(ORIGIN, &text).map_err(api)
    }

    fn schedule(&self, tables: &Value, steps: usize) -> Result<Value, ApiError> {
        let text = toml_text(tables)?;
        exec::schedule::table(ORIGIN, &text, Some(steps), None)
            .map(|t| t.json())
            .map_err(api)
    }

    fn to_toml(&self, command: &str, tables: &Value) -> Result<String, ApiError> {
        let text = toml_text(tables)?;
        match command {
            "run" => spec::run::parse(ORIGIN, &text).map(drop),
            "compare" => spec::compare::parse(ORIGIN, &text).map(drop),
            "schedule" => exec::schedule::table(ORIGIN, &text, Some(1), None).map(drop),
            "train" => spec::train::parse(ORIGIN, &text).map(drop),
            other => {
                return Err(ApiError::new(
                    404,
                    format!("no command `{other}`; one of run, compare, schedule, train"),
                ))
            }
        }
        .map_err(api)?;
        Ok(text)
    }

    fn check_train(&self, tables: &Value) -> Result<(), ApiError> {
        parse_train(tables).map(drop)
    }

    fn train(
        &self,
        tables: &Value,
        sink: ProgressSink<'_>,
        cancel: &AtomicBool,
    ) -> Result<Value, ApiError> {
        let cfg = parse_train(tables)?;
        let mut forward = |p: &Progress, n: usize| {
            let (kind, v) = progress_record(p, n);
            sink(kind, v);
        };
        let (_, v) = exec::train::fit_with(&cfg, Some(cancel), &mut forward).map_err(api)?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schedule_example_tabulates() {
        let cat = catalog();
        let schedules = cat["schedules"].as_array().cloned().unwrap_or_default();
        assert!(!schedules.is_empty());
        for s in schedules {
            if s["needs_metric"] == json!(true) {
                continue;
            }
            let mut sched = s["example"].clone();
            sched["name"] = s["name"].clone();
            let tables = json!({
                "optimizer": { "name": "sgd", "lr": 0.1, "momentum": 0.9 },
                "run": { "steps": 10, "batch_size": 32 },
                "schedule": sched,
            });
            let r = Lab.schedule(&tables, 10);
            assert!(r.is_ok(), "{}: {r:?}", s["name"]);
        }
    }

    #[test]
    fn bad_keys_are_named() {
        let tables = json!({
            "problem": { "function": "sphere", "x0": [1.0, 2.0] },
            "optimizer": { "name": "sgd", "lrr": 0.1 },
            "run": { "steps": 5 },
        });
        let e = Lab.run(&tables).err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.status == 400 && e.message.contains("lrr")),
            "{e:?}"
        );
    }
}
