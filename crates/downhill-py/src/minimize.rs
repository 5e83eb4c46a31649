//! `downhill._core.minimize`: the Rust half of `downhill.minimize` (the Python half turns the
//! result into an `OptimizeResult`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use downhill::optim::OptimizerConfig;
use downhill::problems::Bounds;
use downhill::run::RunResult;
use downhill::Objective;
use numpy::{PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::{value_error, ErrSlot};
use crate::objective::{self, Callable, Jac};
use crate::runner::{self, Setup};
use crate::threads::{run_interruptible, Stop};

fn method_config(method: &str, hyperparameters: &str) -> PyResult<OptimizerConfig> {
    let v: serde_json::Value =
        serde_json::from_str(hyperparameters).map_err(|e| PyValueError::new_err(e.to_string()))?;
    OptimizerConfig::from_named(method, v).map_err(|e| PyValueError::new_err(e.to_string()))
}

fn bounds_of(b: Option<Vec<[f64; 2]>>, n: usize) -> PyResult<Option<Bounds>> {
    let Some(pairs) = b else { return Ok(None) };
    let b = Bounds::new(&pairs).map_err(value_error)?;
    b.check_dim(n).map_err(value_error)?;
    Ok(Some(b))
}

/// What the Python side turns into an `OptimizeResult`.
fn result<'py>(
    py: Python<'py>,
    (r, jac): (RunResult, Vec<f64>),
    counts: Option<(usize, usize)>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("jac", PyArray1::from_vec(py, jac))?;
    let n = r.x.len();
    let rows = r.trajectory.len();
    let flat: Vec<f64> = r.trajectory.as_flat().to_vec();
    let traj = numpy::ndarray::Array2::from_shape_vec((rows, n), flat)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    d.set_item("x", PyArray1::from_vec(py, r.x))?;
    d.set_item("fun", r.f)?;
    d.set_item("nit", r.steps)?;
    let status = serde_json::to_value(r.status)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    d.set_item("status_name", status)?;
    d.set_item("diverged_at", r.diverged_at)?;
    d.set_item("trajectory", PyArray2::from_owned_array(py, traj))?;
    d.set_item("f_history", PyArray1::from_vec(py, r.f_history))?;
    d.set_item("lr", PyArray1::from_vec(py, r.lr))?;
    d.set_item("momentum", PyArray1::from_vec(py, r.momentum))?;
    let (nfev, njev) = counts.unwrap_or((r.evaluations.function, r.evaluations.gradient));
    d.set_item("nfev", nfev)?;
    d.set_item("njev", njev)?;
    d.set_item("nhev", r.evaluations.hessian)?;
    d.set_item("iterations", r.iterations)?;
    d.set_item(
        "std_errors",
        r.std_errors.map(|e| PyArray1::from_vec(py, e)),
    )?;
    d.set_item("notes", r.notes)?;
    d.set_item("stopped_by", r.stopped_by)?;
    Ok(d)
}

/// Minimises a built-in (by name) or a formula from `x0` with `method` (any registry name;
/// `hyperparameters` a JSON object), entirely in Rust with the GIL released.
#[pyfunction]
#[pyo3(signature = (fun, x0, method, hyperparameters, steps, tol=None, bounds=None, vars=None, schedule=None, lr_lambda=None))]
#[allow(clippy::too_many_arguments)]
pub fn minimize_native<'py>(
    py: Python<'py>,
    fun: &str,
    x0: Vec<f64>,
    method: &str,
    hyperparameters: &str,
    steps: usize,
    tol: Option<f64>,
    bounds: Option<Vec<[f64; 2]>>,
    vars: Option<Vec<String>>,
    schedule: Option<&str>,
    lr_lambda: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let stop = Stop::default();
    let f = objective::native(fun, vars, &x0, &stop)?;
    let run = prepare(method, hyperparameters, &x0, bounds, schedule, lr_lambda)?;
    let r = execute(py, &f, &x0, steps, tol, run, &stop)?;
    result(py, r, None)
}

/// Minimises ½‖r(x)‖² for residual formulas `residuals` (over `vars`), in Rust: what `lm`
/// takes; any other method minimises the same sum.
#[pyfunction]
#[pyo3(signature = (residuals, x0, method, hyperparameters, steps, tol=None, bounds=None, vars=None))]
#[allow(clippy::too_many_arguments)]
pub fn minimize_residuals<'py>(
    py: Python<'py>,
    residuals: Vec<String>,
    x0: Vec<f64>,
    method: &str,
    hyperparameters: &str,
    steps: usize,
    tol: Option<f64>,
    bounds: Option<Vec<[f64; 2]>>,
    vars: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyDict>> {
    let stop = Stop::default();
    let f = objective::residuals(&residuals, vars, &x0, &stop)?;
    minimize_native_objective(
        py,
        &f,
        &x0,
        (method, hyperparameters),
        steps,
        tol,
        bounds,
        &stop,
    )
}

/// The common tail of the Rust-only objectives: no schedule, run, result.
#[allow(clippy::too_many_arguments)]
fn minimize_native_objective<'py>(
    py: Python<'py>,
    f: &objective::Native,
    x0: &[f64],
    (method, hyperparameters): (&str, &str),
    steps: usize,
    tol: Option<f64>,
    bounds: Option<Vec<[f64; 2]>>,
    stop: &Stop,
) -> PyResult<Bound<'py, PyDict>> {
    let run = prepare(method, hyperparameters, x0, bounds, None, None)?;
    let r = execute(py, f, x0, steps, tol, run, stop)?;
    result(py, r, None)
}

struct Prepared {
    cfg: OptimizerConfig,
    bounds: Option<Bounds>,
    schedule: Option<crate::schedule::Sched>,
    err: ErrSlot,
}

fn prepare(
    method: &str,
    hyperparameters: &str,
    x0: &[f64],
    bounds: Option<Vec<[f64; 2]>>,
    schedule: Option<&str>,
    lr_lambda: Option<Py<PyAny>>,
) -> PyResult<Prepared> {
    let cfg = method_config(method, hyperparameters)?;
    let bounds = bounds_of(bounds, x0.len())?;
    let err = ErrSlot::default();
    let schedule = match schedule {
        Some(s) => {
            let (lr, momentum) = match cfg.build::<f64>() {
                Ok(o) => (o.lr(), o.momentum()),
                Err(_) => (cfg.lr(), None),
            };
            Some(crate::schedule::make(s, lr, momentum, lr_lambda, &err)?)
        }
        None => None,
    };
    Ok(Prepared {
        cfg,
        bounds,
        schedule,
        err,
    })
}

fn execute(
    py: Python<'_>,
    f: &(dyn Objective<f64> + Sync),
    x0: &[f64],
    steps: usize,
    tol: Option<f64>,
    p: Prepared,
    stop: &Stop,
) -> PyResult<(RunResult, Vec<f64>)> {
    execute_on(py, f, x0, steps, tol, p, stop, false)
}

/// [`execute`], on a worker with the GIL released (`here = false`: Rust objectives), or on
/// the calling thread with the GIL held (`here = true`: Python callables, which then cost no
/// thread switch or GIL hand-over per call; Ctrl-C reaches them as a `KeyboardInterrupt`
/// raised inside the callable, which ends the run like any exception of theirs).
#[allow(clippy::too_many_arguments)]
fn execute_on(
    py: Python<'_>,
    f: &(dyn Objective<f64> + Sync),
    x0: &[f64],
    steps: usize,
    tol: Option<f64>,
    p: Prepared,
    stop: &Stop,
    here: bool,
) -> PyResult<(RunResult, Vec<f64>)> {
    if let Some(t) = tol {
        if !(t >= 0.0 && t.is_finite()) {
            return Err(PyValueError::new_err(format!(
                "tol = {t}: must be a finite number >= 0"
            )));
        }
    }
    if let Some((i, v)) = x0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(PyValueError::new_err(format!(
            "x0[{i}] = {v}: must be a finite number"
        )));
    }
    let Prepared {
        cfg,
        bounds,
        schedule,
        err,
    } = p;
    let work = move || {
        let setup = Setup {
            method: &cfg,
            x0,
            steps,
            tolerance: tol,
            bounds: bounds.as_ref(),
            schedule,
        };
        runner::run(f, setup).map(|r| {
            // SciPy's `jac`: the gradient at the result.
            let mut g = vec![0.0; r.x.len()];
            f.gradient(&r.x, &mut g);
            (r, g)
        })
    };
    let out = if here {
        work()
    } else {
        run_interruptible(py, stop, work)?
    };
    if let Some(e) = err.take() {
        return Err(e);
    }
    out.map_err(value_error)
}

/// Minimises a Python callable `fun(x, *args)` (SciPy's conventions: `jac=True` when `fun`
/// returns `(f, g)`, `jac` a callable, or central differences when `jac` is None).
#[pyfunction]
#[pyo3(signature = (fun, x0, method, hyperparameters, steps, tol=None, bounds=None, jac=None, args=None, schedule=None, lr_lambda=None))]
#[allow(clippy::too_many_arguments)]
pub fn minimize_callable<'py>(
    py: Python<'py>,
    fun: Py<PyAny>,
    x0: Vec<f64>,
    method: &str,
    hyperparameters: &str,
    steps: usize,
    tol: Option<f64>,
    bounds: Option<Vec<[f64; 2]>>,
    jac: Option<Py<PyAny>>,
    args: Option<Py<PyTuple>>,
    schedule: Option<&str>,
    lr_lambda: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let stop = Stop::default();
    let run = prepare(method, hyperparameters, &x0, bounds, schedule, lr_lambda)?;
    let jac = match jac {
        None => None,
        Some(j) if j.bind(py).is_truthy()? && !j.bind(py).is_callable() => Some(Jac::Returned),
        Some(j) if j.bind(py).is_callable() => Some(Jac::Callable(j)),
        Some(_) => None,
    };
    let c = Callable {
        fun,
        args: args.unwrap_or_else(|| PyTuple::empty(py).unbind()),
        jac,
        err: run.err.clone(),
        stop: stop.clone(),
        nfev: Arc::default(),
        njev: Arc::default(),
        last: std::sync::Mutex::new(None),
    };
    let (nfev, njev) = (c.nfev.clone(), c.njev.clone());
    let numeric = c.jac.is_none();
    let f = objective::callable(c);
    let r = execute_on(py, f.as_ref(), &x0, steps, tol, run, &stop, true)?;
    let counts = (nfev.load(Ordering::Relaxed), njev.load(Ordering::Relaxed));
    let d = result(py, r, Some(counts))?;
    d.set_item("numeric_gradient", numeric)?;
    Ok(d)
}

/// The residual vector and the m × n Jacobian, as NumPy arrays.
type ResidualsJacobian<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray2<f64>>);

/// The residuals `r(x)` and their Jacobian `J(x)` (m × n, from AD) of residual formulas over
/// `vars` (default: their variables in order of first use): what `least_squares` reports at
/// the solution as SciPy's `fun` and `jac`.
#[pyfunction]
#[pyo3(signature = (residuals, x, vars=None))]
pub fn residuals_jacobian<'py>(
    py: Python<'py>,
    residuals: Vec<String>,
    x: Vec<f64>,
    vars: Option<Vec<String>>,
) -> PyResult<ResidualsJacobian<'py>> {
    let stop = Stop::default();
    let f = objective::residuals(&residuals, vars, &x, &stop)?;
    let (m, n) = (f.inner.residual_count().unwrap_or(0), x.len());
    let mut r = vec![0.0; m];
    let mut jac = vec![0.0; m * n];
    f.inner.residuals(&x, &mut r);
    f.inner.jacobian(&x, &mut jac);
    let jac = numpy::ndarray::Array2::from_shape_vec((m, n), jac)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((
        PyArray1::from_vec(py, r),
        PyArray2::from_owned_array(py, jac),
    ))
}
