//! `downhill._core`: the compiled half of the `downhill` Python package (PyO3, abi3).
//!
//! A thin layer over the library: optimiser steps on NumPy arrays in place
//! ([`optimizer`]), schedules ([`schedule`]), `minimize` ([`minimize`], the run call sites in
//! [`runner`]), the catalogues the pure-Python part generates its classes and stubs from, and
//! the thread pool ([`threads`]: `set_num_threads`, fork safety, Ctrl-C), the commands run on
//! a config ([`commands`]) and the figures ([`plot`]).

#[cfg(feature = "apps")]
mod apps;
mod commands;
mod engine;
mod errors;
mod minimize;
mod objective;
mod optimizer;
mod plot;
mod runner;
mod schedule;
mod threads;

use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

include!(concat!(env!("OUT_DIR"), "/rules.rs"));

/// The optimiser and solver catalogue (JSON): every registry entry's name, kind, doc and
/// parameters, plus `rule`, the update rule from its doc comment (first-order optimisers).
#[pyfunction]
fn optimizer_catalog() -> PyResult<String> {
    let mut v = serde_json::to_value(downhill::optim::catalog())
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    if let Some(entries) = v.as_array_mut() {
        for e in entries {
            let name = e
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("")
                .to_string();
            if let Some(rule) = RULES.iter().find(|(n, _)| *n == name).map(|(_, r)| *r) {
                e["rule"] = serde_json::Value::from(rule);
            }
        }
    }
    Ok(v.to_string())
}

/// The schedule catalogue (JSON): common keys and every schedule's parameters.
#[pyfunction]
fn schedule_catalog() -> PyResult<String> {
    serde_json::to_string(&downhill::schedule::catalog())
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The built-in test functions' names.
#[pyfunction]
fn function_names() -> Vec<&'static str> {
    downhill::problems::NAMES.to_vec()
}

/// `(f(x), ∇f(x))` of built-in `name` (its analytic gradient).
#[pyfunction]
fn function_value_grad<'py>(
    py: Python<'py>,
    name: &str,
    x: Vec<f64>,
) -> PyResult<(f64, Bound<'py, PyArray1<f64>>)> {
    let f = downhill::problems::by_name::<f64>(name).map_err(errors::value_error)?;
    downhill::problems::check_dim(f.as_ref(), name, x.len()).map_err(errors::value_error)?;
    let mut g = vec![0.0; x.len()];
    let v = f.gradient(&x, &mut g);
    Ok((v, PyArray1::from_vec(py, g)))
}

/// The variables of a formula, in order of first use.
#[pyfunction]
fn formula_vars(src: &str) -> Vec<String> {
    objective::formula_vars(src)
}

/// Whether this process is a fork of the one that imported the module (it then runs on one
/// thread).
#[pyfunction]
fn in_forked_child() -> bool {
    threads::in_forked_child()
}

/// Sum of a float64 array (a probe for the benchmark's call overhead).
#[pyfunction]
fn _probe_sum(a: &Bound<'_, numpy::PyArrayDyn<f64>>) -> PyResult<f64> {
    Ok(a.readonly().as_slice()?.iter().sum())
}

/// Seconds per step of optimiser `name` (`hyperparameters` JSON) stepping `n` elements in
/// Rust alone (`f32` or f64), best of `reps` single steps after one warm-up step: the
/// benchmark's baseline for the step from Python.
#[pyfunction]
fn _bench_rust_step(
    py: Python<'_>,
    name: &str,
    hyperparameters: &str,
    n: usize,
    f32: bool,
    reps: usize,
) -> PyResult<f64> {
    let v: serde_json::Value =
        serde_json::from_str(hyperparameters).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let cfg = downhill::optim::OptimizerConfig::from_named(name, v)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    fn go<T: downhill::Float>(
        cfg: &downhill::optim::OptimizerConfig,
        n: usize,
        reps: usize,
    ) -> downhill::Result<f64> {
        let mut o = cfg.build::<T>()?;
        let mut p = vec![T::of(0.5); n];
        let mut g = vec![T::of(0.25); n];
        o.step(&mut p, &mut g);
        let mut best = f64::INFINITY;
        for _ in 0..reps.max(1) {
            let t = std::time::Instant::now();
            o.step(&mut p, &mut g);
            best = best.min(t.elapsed().as_secs_f64());
        }
        Ok(best)
    }
    let r = py.allow_threads(|| {
        threads::with_pool(|| {
            if f32 {
                go::<f32>(&cfg, n, reps)
            } else {
                go::<f64>(&cfg, n, reps)
            }
        })
    })?;
    r.map_err(errors::value_error)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    threads::init();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<optimizer::PyOptimizer>()?;
    m.add_function(wrap_pyfunction!(optimizer_catalog, m)?)?;
    m.add_function(wrap_pyfunction!(schedule_catalog, m)?)?;
    m.add_function(wrap_pyfunction!(function_names, m)?)?;
    m.add_function(wrap_pyfunction!(function_value_grad, m)?)?;
    m.add_function(wrap_pyfunction!(formula_vars, m)?)?;
    m.add_function(wrap_pyfunction!(in_forked_child, m)?)?;
    m.add_function(wrap_pyfunction!(_probe_sum, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_rust_step, m)?)?;
    m.add_function(wrap_pyfunction!(threads::set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(threads::get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::schedule_values, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::schedule_check, m)?)?;
    m.add_function(wrap_pyfunction!(minimize::minimize_native, m)?)?;
    m.add_function(wrap_pyfunction!(minimize::minimize_callable, m)?)?;
    m.add_function(wrap_pyfunction!(minimize::minimize_residuals, m)?)?;
    m.add_function(wrap_pyfunction!(minimize::residuals_jacobian, m)?)?;
    m.add_function(wrap_pyfunction!(commands::execute_config, m)?)?;
    #[cfg(feature = "apps")]
    {
        m.add_class::<apps::PyLab>()?;
        m.add_function(wrap_pyfunction!(apps::tour, m)?)?;
        m.add_function(wrap_pyfunction!(apps::lab, m)?)?;
    }
    m.add_class::<plot::PyFigure>()?;
    m.add_function(wrap_pyfunction!(plot::plot_lines, m)?)?;
    m.add_function(wrap_pyfunction!(plot::plot_schedule, m)?)?;
    m.add_function(wrap_pyfunction!(plot::plot_contour, m)?)?;
    m.add_function(wrap_pyfunction!(plot::plot_panels, m)?)?;
    Ok(())
}
