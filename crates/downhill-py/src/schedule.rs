//! `downhill.Schedule`'s engine: a schedule config (the registry's JSON, as a `[schedule]`
//! table) driven as the CLI drives it, or `lambda_lr` / `multiplicative_lr` with a Python
//! callable as `lr_lambda`.

use downhill::schedule::multiplicative_lr::MultiplicativeLr;
use downhill::schedule::{Driver, IntoSchedule, LambdaLr, Schedule, ScheduleConfig, Simulated};
use numpy::PyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::{value_error, ErrSlot};

/// What drives the lr of a run: a config's [`Driver`], or a scheduler with a Python lambda.
pub enum Sched {
    /// From a config.
    Driver(Driver),
    /// `lambda_lr` / `multiplicative_lr` with a callable.
    Lambda(Simulated),
}

impl Sched {
    /// The lr at step `k`.
    pub fn lr(&mut self, k: usize) -> f64 {
        match self {
            Sched::Driver(d) => d.lr(k),
            Sched::Lambda(s) => s.lr(k),
        }
    }
    /// The momentum at step `k`, if driven.
    pub fn momentum(&mut self, k: usize) -> Option<f64> {
        match self {
            Sched::Driver(d) => d.momentum(k),
            Sched::Lambda(s) => s.momentum(k),
        }
    }
}

/// Builds the schedule `config` (JSON with `name`) for an optimiser with `lr` and `momentum`;
/// `lr_lambda` a Python callable for `lambda_lr` / `multiplicative_lr`, whose exceptions go
/// to `err`.
pub fn make(
    config: &str,
    lr: f64,
    momentum: Option<f64>,
    lr_lambda: Option<Py<PyAny>>,
    err: &ErrSlot,
) -> PyResult<Sched> {
    let v: serde_json::Value =
        serde_json::from_str(config).map_err(|e| PyValueError::new_err(e.to_string()))?;
    if let Some(f) = lr_lambda {
        let name = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
        let err = err.clone();
        let lambda = move |epoch: usize| -> f64 {
            Python::with_gil(|py| {
                f.bind(py)
                    .call1((epoch,))
                    .and_then(|r| r.extract::<f64>())
                    .unwrap_or_else(|e| {
                        err.keep(e);
                        f64::NAN
                    })
            })
        };
        let s = match name {
            "lambda_lr" => LambdaLr::from_fn(lambda).schedule(lr, momentum),
            "multiplicative_lr" => MultiplicativeLr::from_fn(lambda).schedule(lr, momentum),
            other => {
                return Err(PyValueError::new_err(format!(
                "lr_lambda: a callable is taken by lambda_lr and multiplicative_lr, not `{other}`"
            )))
            }
        };
        return s.map(Sched::Lambda).map_err(value_error);
    }
    let cfg: ScheduleConfig =
        serde_json::from_value(v).map_err(|e| PyValueError::new_err(e.to_string()))?;
    cfg.driver(lr, momentum, None)
        .map(Sched::Driver)
        .map_err(value_error)
}

/// A float64 vector handed to Python.
type Array<'py> = Bound<'py, PyArray1<f64>>;

/// `(lrs, momenta)` of the first `n` steps: what `get_last_lr()` returns after 0 … n−1 calls of
/// `scheduler.step()`; `momenta` is None unless the schedule drives the momentum.
#[pyfunction]
#[pyo3(signature = (config, lr, momentum, n, lr_lambda=None))]
pub fn schedule_values<'py>(
    py: Python<'py>,
    config: &str,
    lr: f64,
    momentum: Option<f64>,
    n: usize,
    lr_lambda: Option<Py<PyAny>>,
) -> PyResult<(Array<'py>, Option<Array<'py>>)> {
    let err = ErrSlot::default();
    let mut s = make(config, lr, momentum, lr_lambda, &err)?;
    if matches!(&s, Sched::Driver(d) if d.needs_metric()) {
        return Err(PyValueError::new_err(
            "name: reduce_lr_on_plateau reacts to a metric; it has no sequence of its own",
        ));
    }
    let lrs: Vec<f64> = (0..n).map(|k| s.lr(k)).collect();
    if let Some(e) = err.take() {
        return Err(e);
    }
    let momenta: Option<Vec<f64>> = if n > 0 && s.momentum(0).is_some() {
        Some((0..n).map(|k| s.momentum(k).unwrap_or(f64::NAN)).collect())
    } else {
        None
    };
    Ok((
        PyArray1::from_vec(py, lrs),
        momenta.map(|m| PyArray1::from_vec(py, m)),
    ))
}

/// Validates a schedule config for an optimiser with `lr` and `momentum` (errors name the key).
#[pyfunction]
#[pyo3(signature = (config, lr, momentum, lr_lambda=None))]
pub fn schedule_check(
    config: &str,
    lr: f64,
    momentum: Option<f64>,
    lr_lambda: Option<Py<PyAny>>,
) -> PyResult<()> {
    let err = ErrSlot::default();
    make(config, lr, momentum, lr_lambda, &err).map(|_| ())
}
