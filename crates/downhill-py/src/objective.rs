//! Objectives of `downhill.minimize`: a built-in or a formula (all in Rust), or a Python
//! callable with SciPy's `jac` conventions. Every one watches the run's [`Stop`] flag: once it
//! is set (Ctrl-C, or an exception inside the callable) every value is NaN, so the run ends at
//! its next check as diverged, and the caller raises the kept exception instead.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use downhill::diff::{Ad, Difference, Numeric};
use downhill::expr::Expr;
use downhill::{problems, Objective};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::errors::{value_error, ErrSlot};
use crate::threads::Stop;

/// A library objective that answers NaN once `stop` is set.
pub struct Native {
    /// The objective.
    pub inner: Box<dyn Objective<f64> + Send + Sync>,
    /// The run's stop flag.
    pub stop: Stop,
}

impl Objective<f64> for Native {
    fn dim(&self) -> Option<usize> {
        self.inner.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        if self.stop.is_set() {
            return f64::NAN;
        }
        self.inner.value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        if self.stop.is_set() {
            g.fill(f64::NAN);
            return f64::NAN;
        }
        self.inner.gradient(x, g)
    }
    fn hessian(&self, x: &[f64], h: &mut [f64]) -> bool {
        self.inner.hessian(x, h)
    }
    fn residual_count(&self) -> Option<usize> {
        self.inner.residual_count()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        if self.stop.is_set() {
            r.fill(f64::NAN);
            return;
        }
        self.inner.residuals(x, r)
    }
    fn jacobian(&self, x: &[f64], jac: &mut [f64]) {
        if self.stop.is_set() {
            jac.fill(f64::NAN);
            return;
        }
        self.inner.jacobian(x, jac)
    }
}

/// The variables of a formula in order of first use (identifiers not followed by `(`).
pub fn formula_vars(src: &str) -> Vec<String> {
    let b = src.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || c == b'.' {
            // A number, with its exponent (1e-3): skip it whole.
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                let e = b[i] == b'e' || b[i] == b'E';
                i += 1;
                if e && i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                    i += 1;
                }
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let name = &src[start..i];
            let mut j = i;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let call = j < b.len() && b[j] == b'(';
            if !call && !out.iter().any(|v| v == name) {
                out.push(name.to_string());
            }
            continue;
        }
        i += 1;
    }
    out
}

/// A built-in by name (analytic gradient, as `downhill run`) or a formula over `vars` (AD),
/// checked at `x0` as the CLI checks it.
pub fn native(fun: &str, vars: Option<Vec<String>>, x0: &[f64], stop: &Stop) -> PyResult<Native> {
    let inner: Box<dyn Objective<f64> + Send + Sync> = if problems::NAMES.contains(&fun) {
        let f = problems::by_name::<f64>(fun).map_err(value_error)?;
        problems::check_dim(f.as_ref(), fun, x0.len()).map_err(value_error)?;
        f
    } else {
        let vars = vars.unwrap_or_else(|| formula_vars(fun));
        let e = Expr::parse(fun, &vars).map_err(|e| {
            PyValueError::new_err(format!(
                "fun: `{fun}` is neither a built-in ({}) nor a formula: {e}",
                problems::NAMES.join(", ")
            ))
        })?;
        if vars.len() != x0.len() {
            return Err(PyValueError::new_err(format!(
                "x0: has {} values but the formula has {} variables ({})",
                x0.len(),
                vars.len(),
                vars.join(", ")
            )));
        }
        if let Some(why) = e.explain_non_finite(x0) {
            return Err(PyValueError::new_err(format!(
                "fun: `{fun}` is undefined at x0 = {x0:?}: {why}"
            )));
        }
        Box::new(Ad::new(e))
    };
    Ok(Native {
        inner,
        stop: stop.clone(),
    })
}

/// A least-squares problem from residual formulas over `vars` (default: every formula's
/// variables in order of first use), f = ½‖r‖² with its AD gradient and Jacobian (what `lm`
/// needs).
pub fn residuals(
    formulas: &[String],
    vars: Option<Vec<String>>,
    x0: &[f64],
    stop: &Stop,
) -> PyResult<Native> {
    let vars = vars.unwrap_or_else(|| formula_vars(&formulas.join(" + ")));
    if vars.len() != x0.len() {
        return Err(PyValueError::new_err(format!(
            "x0: has {} values but the residuals have {} variables ({})",
            x0.len(),
            vars.len(),
            vars.join(", ")
        )));
    }
    let exprs = formulas
        .iter()
        .enumerate()
        .map(|(i, src)| {
            Expr::parse(src, &vars)
                .map_err(|e| PyValueError::new_err(format!("fun[{i}]: `{src}`: {e}")))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let lsq = downhill::lsq::LeastSquares::from_formulas(exprs).map_err(value_error)?;
    if let Some(why) = lsq.explain_non_finite(x0) {
        return Err(PyValueError::new_err(format!(
            "fun: a residual is undefined at x0 = {x0:?}: {why}"
        )));
    }
    Ok(Native {
        inner: Box::new(lsq),
        stop: stop.clone(),
    })
}

/// How a Python objective gives its gradient (SciPy's `jac`).
pub enum Jac {
    /// `jac=True`: `fun` returns `(f, g)`.
    Returned,
    /// `jac` is a callable `jac(x) -> g`.
    Callable(Py<PyAny>),
}

/// A point with its value and gradient.
pub type Evaluated = (Vec<f64>, f64, Vec<f64>);

/// A Python callable `fun(x, *args) -> f` (with its gradient as [`Jac`] says).
pub struct Callable {
    /// `fun`.
    pub fun: Py<PyAny>,
    /// Extra positional arguments (SciPy's `args`).
    pub args: Py<PyTuple>,
    /// The gradient, when given.
    pub jac: Option<Jac>,
    /// Where the first exception waits.
    pub err: ErrSlot,
    /// The run's stop flag.
    pub stop: Stop,
    /// Calls of `fun` (SciPy's `nfev`).
    pub nfev: Arc<AtomicUsize>,
    /// Calls of `jac`, or gradients returned by `fun` (SciPy's `njev`).
    pub njev: Arc<AtomicUsize>,
    /// With `jac=True`: the last `(x, f, g)` `fun` returned, so that the gradient at the point
    /// whose value the run just asked for costs no second call.
    pub last: std::sync::Mutex<Option<Evaluated>>,
}

impl Callable {
    fn fail(&self, e: PyErr) -> f64 {
        self.err.keep(e);
        self.stop.set();
        f64::NAN
    }

    fn call<'py>(&self, py: Python<'py>, f: &Py<PyAny>, x: &[f64]) -> PyResult<Bound<'py, PyAny>> {
        let a = PyArray1::from_slice(py, x).into_any();
        let mut items = vec![a];
        items.extend(self.args.bind(py).iter());
        let t = PyTuple::new(py, items)?;
        f.bind(py).call1(t)
    }

    /// `(f, g)` from `fun` returning both (`jac=True`), or from the cache when `x` is the
    /// point of the previous call.
    fn value_and_grad(&self, py: Python<'_>, x: &[f64], g: Option<&mut [f64]>) -> PyResult<f64> {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((lx, lf, lg)) = last.as_ref() {
            if lx.as_slice() == x {
                if let Some(g) = g {
                    g.copy_from_slice(lg);
                }
                return Ok(*lf);
            }
        }
        let r = self.call(py, &self.fun, x)?;
        self.nfev.fetch_add(1, Ordering::Relaxed);
        self.njev.fetch_add(1, Ordering::Relaxed);
        let (f, grad): (f64, Bound<'_, PyAny>) = r.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "fun: with jac=True it must return (f, gradient)",
            )
        })?;
        let mut buf = vec![0.0; x.len()];
        copy_grad(&grad, &mut buf)?;
        if let Some(g) = g {
            g.copy_from_slice(&buf);
        }
        *last = Some((x.to_vec(), f, buf));
        Ok(f)
    }
}

fn copy_grad(v: &Bound<'_, PyAny>, g: &mut [f64]) -> PyResult<()> {
    // A contiguous float64 array is read as it is; anything else goes through np.asarray.
    if let Ok(a) = v.downcast::<numpy::PyArrayDyn<f64>>() {
        if let Ok(ro) = a.try_readonly() {
            if let Ok(s) = ro.as_slice() {
                return fill(s, g);
            }
        }
    }
    let np = v.py().import("numpy")?;
    let a = np
        .call_method1("asarray", (v, "float64"))?
        .call_method0("ravel")?;
    let a = a.downcast::<numpy::PyArrayDyn<f64>>()?;
    let ro = a.readonly();
    fill(ro.as_slice()?, g)
}

fn fill(s: &[f64], g: &mut [f64]) -> PyResult<()> {
    if s.len() != g.len() {
        return Err(PyValueError::new_err(format!(
            "jac: returned {} values for {} variables",
            s.len(),
            g.len()
        )));
    }
    g.copy_from_slice(s);
    Ok(())
}

impl Objective<f64> for Callable {
    fn value(&self, x: &[f64]) -> f64 {
        if self.stop.is_set() {
            return f64::NAN;
        }
        Python::with_gil(|py| {
            let r = match self.jac {
                Some(Jac::Returned) => self.value_and_grad(py, x, None),
                _ => self
                    .call(py, &self.fun, x)
                    .and_then(|r| r.extract::<f64>())
                    .inspect(|_| {
                        self.nfev.fetch_add(1, Ordering::Relaxed);
                    }),
            };
            r.unwrap_or_else(|e| self.fail(e))
        })
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        if self.stop.is_set() {
            g.fill(f64::NAN);
            return f64::NAN;
        }
        Python::with_gil(|py| {
            let r = match &self.jac {
                Some(Jac::Returned) => self.value_and_grad(py, x, Some(&mut *g)),
                Some(Jac::Callable(j)) => (|| {
                    let f: f64 = self.call(py, &self.fun, x)?.extract()?;
                    self.nfev.fetch_add(1, Ordering::Relaxed);
                    let r = self.call(py, j, x)?;
                    self.njev.fetch_add(1, Ordering::Relaxed);
                    copy_grad(&r, g)?;
                    Ok(f)
                })(),
                None => Err(PyValueError::new_err("internal: no gradient")),
            };
            r.unwrap_or_else(|e| {
                g.fill(f64::NAN);
                self.fail(e)
            })
        })
    }
}

/// A callable's objective: itself when it gives a gradient, else central differences of
/// its values (h = 1e-4, as `downhill run`'s `gradient = "numeric"`).
pub fn callable(c: Callable) -> Box<dyn Objective<f64> + Send + Sync> {
    if c.jac.is_some() {
        Box::new(c)
    } else {
        Box::new(Numeric {
            inner: c,
            h: NUMERIC_H,
            kind: Difference::Central,
        })
    }
}

/// The step of the central differences used for a callable without `jac`.
pub const NUMERIC_H: f64 = 1e-4;
