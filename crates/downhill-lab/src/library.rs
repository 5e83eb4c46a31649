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

/// The smoothing of the per-batch loss curve: an exponential moving average with this β,
/// debiased (divided by 1 − βᵗ), as TensorBoard and fastai smooth their loss curves.
pub const BATCH_LOSS_BETA: f64 = 0.9;

/// Most `batch` events of one job; a longer run sends every k-th batch (k the smallest that
/// fits), the smoothed loss still taken over every batch.
pub const MAX_BATCH_POINTS: usize = 4000;

/// The per-batch loss curve of a run: the debiased moving average over every batch, and which
/// batches are sent (`batch` events) so that a run sends at most [`MAX_BATCH_POINTS`].
#[derive(Debug, Clone)]
pub struct BatchCurve {
    epochs: usize,
    stride: Option<usize>,
    average: f64,
    weight: f64,
    seen: usize,
}

impl BatchCurve {
    /// A curve for a run of `epochs` epochs.
    pub fn new(epochs: usize) -> Self {
        BatchCurve {
            epochs: epochs.max(1),
            stride: None,
            average: 0.0,
            weight: 0.0,
            seen: 0,
        }
    }

    /// Takes the loss of step `step` (1-based) of a run with `batches` batches per epoch: the
    /// smoothed loss, and whether this step is sent.
    pub fn add(&mut self, step: usize, batches: usize, loss: f64) -> (f64, bool) {
        self.average = BATCH_LOSS_BETA * self.average + (1.0 - BATCH_LOSS_BETA) * loss;
        self.weight = BATCH_LOSS_BETA * self.weight + (1.0 - BATCH_LOSS_BETA);
        let total = batches.max(1).saturating_mul(self.epochs);
        let stride = *self
            .stride
            .get_or_insert_with(|| total.div_ceil(MAX_BATCH_POINTS).max(1));
        (
            self.average / self.weight,
            step <= 1 || step.is_multiple_of(stride),
        )
    }
}

/// A progress record of the trainer as the lab streams it: `progress` (where the run is),
/// `batch` (the batch's loss and its smoothed value, for the sent batches; `samples` counts
/// the samples seen before the batch) and `epoch`.
fn progress_records(
    p: &Progress,
    n_train: usize,
    curve: &mut BatchCurve,
) -> Vec<(&'static str, Value)> {
    match *p {
        Progress::Batch {
            epoch,
            batch,
            batches,
            step,
            samples,
            loss,
        } => {
            let mut out = vec![(
                "progress",
                json!({ "epoch": epoch, "batch": batch, "batches": batches }),
            )];
            let (smoothed, sent) = curve.add(step, batches, loss);
            // the batch's loss is at the parameters before its step: drawn at the samples
            // seen before it, where the epoch records put the loss after the same samples
            let before = std::mem::replace(&mut curve.seen, samples);
            if sent {
                out.push((
                    "batch",
                    json!({ "step": step, "samples": before, "loss": loss, "smoothed": smoothed }),
                ));
            }
            out
        }
        Progress::Epoch {
            epoch,
            train_loss,
            val,
        } => vec![(
            "epoch",
            json!({
                "epoch": epoch,
                "samples": epoch * n_train,
                "train_loss": train_loss,
                "val": val,
            }),
        )],
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
        let mut curve = BatchCurve::new(cfg.train.epochs);
        let mut forward = |p: &Progress, n: usize| {
            for (kind, v) in progress_records(p, n, &mut curve) {
                sink(kind, v);
            }
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
    fn the_batch_curve_is_a_debiased_average_and_decimates() {
        let mut c = BatchCurve::new(1);
        // debiased: the first value is the first loss; then (0.9·0.1·a + 0.1·b) / (1 − 0.81)
        assert_eq!(c.add(1, 3, 2.0), (2.0, true));
        let (s, sent) = c.add(2, 3, 4.0);
        let want = (0.9 * 0.1 * 2.0 + 0.1 * 4.0) / (1.0 - 0.81);
        assert!((s - want).abs() <= 1e-12 * want && sent);
        // 3 × MAX_BATCH_POINTS steps: every third is sent, and the first
        let mut c = BatchCurve::new(3);
        let sent: Vec<usize> = (1..=3 * MAX_BATCH_POINTS)
            .filter(|&k| c.add(k, MAX_BATCH_POINTS, 1.0).1)
            .collect();
        assert_eq!(sent.len(), MAX_BATCH_POINTS + 1);
        assert_eq!(&sent[..3], &[1, 3, 6]);
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
