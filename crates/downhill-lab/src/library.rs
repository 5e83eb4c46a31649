//! The lab's computations: [`Library`], the [`Backend`] that runs each request's JSON tables
//! through the library's `downhill::spec` ([`Tables`]), the config pipeline the CLI's commands
//! use, so `/api/run` answers exactly what `downhill run --json` prints. Messages name the
//! request as `request:line:col: [table] key `k`: …`.

use std::sync::atomic::AtomicBool;

use downhill::spec::json::Tables;
use downhill::spec::{self, exec};
use downhill::train::Progress;
use serde_json::{json, Value};

use crate::backend::{ApiError, Backend, ProgressSink};

/// What the messages of a request's config call its "file": `request:3:1: [optimizer] …`.
const ORIGIN: &str = "request";

/// Most samples × features of a synthetic dataset in the lab.
const MAX_SYNTHETIC_VALUES: u64 = 20_000_000;

/// The library as the lab's backend, with the presets the page lists (the host program's: the
/// CLI gives the tour's).
#[derive(Debug, Clone, Default)]
pub struct Library {
    presets: Value,
}

impl Library {
    /// A backend listing `presets` (`[{"id", "title", "state", "url"}]`).
    pub fn new(presets: Value) -> Self {
        Library { presets }
    }
}

/// A library error as an API error: a 400, as the CLI exits 2 on every library error.
fn api(e: downhill::Error) -> ApiError {
    ApiError::bad_request(e)
}

/// The tables of a request body.
fn tables(body: &Value) -> Result<Tables, ApiError> {
    Tables::new(ORIGIN, body).map_err(api)
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

fn parse_train(body: &Value) -> Result<spec::train::TrainFile, ApiError> {
    let cfg = tables(body)?.train().map_err(api)?;
    check_train_file(&cfg)?;
    Ok(cfg)
}

impl Backend for Library {
    fn catalog(&self) -> Value {
        crate::catalog::catalog()
    }

    fn presets(&self) -> Value {
        if self.presets.is_null() {
            Value::Array(Vec::new())
        } else {
            self.presets.clone()
        }
    }

    fn run(&self, body: &Value) -> Result<Value, ApiError> {
        tables(body)?.execute("run").map_err(api)
    }

    fn compare(&self, body: &Value) -> Result<Value, ApiError> {
        let t = tables(body)?;
        if t.is_training().map_err(api)? {
            return Err(ApiError::bad_request(
                "the lab compares optimisers on a [problem]; train on [data] with /api/train",
            ));
        }
        t.execute("compare").map_err(api)
    }

    fn schedule(&self, body: &Value, steps: usize) -> Result<Value, ApiError> {
        tables(body)?
            .schedule(Some(steps))
            .map(|t| t.json())
            .map_err(api)
    }

    fn to_toml(&self, command: &str, body: &Value) -> Result<String, ApiError> {
        let t = tables(body)?;
        match command {
            "run" => t.run().map(drop),
            "compare" => t.compare().map(drop),
            "schedule" => t.schedule(Some(1)).map(drop),
            "train" => t.train().map(drop),
            other => {
                return Err(ApiError::new(
                    404,
                    format!("no command `{other}`; one of run, compare, schedule, train"),
                ))
            }
        }
        .map_err(api)?;
        Ok(t.toml().to_string())
    }

    fn check_train(&self, body: &Value) -> Result<(), ApiError> {
        parse_train(body).map(drop)
    }

    fn train(
        &self,
        body: &Value,
        sink: ProgressSink<'_>,
        cancel: &AtomicBool,
    ) -> Result<Value, ApiError> {
        let cfg = parse_train(body)?;
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
        let cat = crate::catalog::catalog();
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
            let r = Library::default().schedule(&tables, 10);
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
        let e = Library::default().run(&tables).err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.status == 400 && e.message.contains("lrr")),
            "{e:?}"
        );
    }
}
