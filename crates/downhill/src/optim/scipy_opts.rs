//! What SciPy's `minimize` solvers (`bfgs`, `cg`, `trust_ncg`, Newton's trust region) share:
//! the gradient norm option [`Norm`] (`vecnorm`'s `ord`) and why a solver stopped ([`Stop`]).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::solver::SolverStep;
use crate::{Error, Float, Objective, Result};

/// The order `p` of the norm of the gradient in the `gtol` test (SciPy's `norm`, default
/// `inf`): `∞` is `maxᵢ |gᵢ|`, `−∞` is `minᵢ |gᵢ|`, otherwise `(Σ |gᵢ|ᵖ)^{1/p}`.
///
/// In a config it is a number, TOML's `inf` / `-inf` included; JSON, which has no infinity,
/// writes them as the strings `"inf"` and `"-inf"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Norm(pub f64);

impl Default for Norm {
    fn default() -> Self {
        Norm(f64::INFINITY)
    }
}

impl Norm {
    /// `vecnorm(g, ord)`.
    pub fn of(&self, g: &[f64]) -> f64 {
        let p = self.0;
        if p == f64::INFINITY {
            g.iter().fold(0.0, |m, v| m.max(v.abs()))
        } else if p == f64::NEG_INFINITY {
            g.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()))
        } else {
            g.iter().map(|v| v.abs().powf(p)).sum::<f64>().powf(1.0 / p)
        }
    }

    /// `p > 0` or `±∞`, naming `norm`.
    pub fn validate(&self) -> Result<()> {
        let p = self.0;
        if p > 0.0 || p == f64::NEG_INFINITY {
            Ok(())
        } else {
            Err(Error::param("norm", p, "must be > 0, inf or -inf"))
        }
    }
}

impl Serialize for Norm {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            p if p == f64::INFINITY => s.serialize_str("inf"),
            p if p == f64::NEG_INFINITY => s.serialize_str("-inf"),
            p => s.serialize_f64(p),
        }
    }
}

impl<'de> Deserialize<'de> for Norm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(f64),
            Text(String),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Num(p)) => Ok(Norm(p)),
            Ok(Raw::Text(t)) => match t.as_str() {
                "inf" => Ok(Norm(f64::INFINITY)),
                "-inf" => Ok(Norm(f64::NEG_INFINITY)),
                _ => Err(serde::de::Error::custom(format!(
                    "invalid value for norm: `{t}` (expected a number, inf or -inf)"
                ))),
            },
            Err(_) => Err(serde::de::Error::custom(
                "invalid type for norm: expected a number, inf or -inf",
            )),
        }
    }
}

/// Why a SciPy-style solver stopped (its `converged()` is then true; the run reports
/// `converged`, and this says which test held, as SciPy's `message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The gradient norm fell to `gtol` (SciPy's success).
    Gtol,
    /// The step was at most `xrtol` relative to `x` (BFGS).
    Xrtol,
    /// `maxiter` iterations were made (SciPy's status 1).
    MaxIter,
    /// The line search found no acceptable step ("precision loss", SciPy's status 2).
    LineSearch,
    /// The quadratic model predicted no decrease (trust regions' status 2).
    NoPredictedDecrease,
    /// `f` became non-finite.
    NonFinite,
}

/// The iteration bookkeeping `bfgs`, `cg` and `trust_ncg` share: SciPy's `nit`, `maxiter`
/// (default `200·n`) and why the method stopped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    /// Iterations made (`nit`).
    pub k: usize,
    maxiter: usize,
    started: bool,
    /// Why it stopped (`None` while running).
    pub stop: Option<Stop>,
}

impl Progress {
    /// Starts counting for `n` variables; `at_gtol`: the start already passes the `gtol` test.
    pub(crate) fn begin(&mut self, maxiter: Option<usize>, n: usize, at_gtol: bool) {
        self.k = 0;
        self.maxiter = maxiter.unwrap_or(200 * n);
        self.started = true;
        self.stop = if at_gtol {
            Some(Stop::Gtol)
        } else {
            (self.maxiter == 0).then_some(Stop::MaxIter)
        };
    }

    /// Counts an iteration, then stops on `gtol` or `maxiter`.
    pub(crate) fn advance(&mut self, at_gtol: bool) {
        self.k += 1;
        if at_gtol {
            self.stop = Some(Stop::Gtol);
        } else if self.k >= self.maxiter {
            self.stop = Some(Stop::MaxIter);
        }
    }
}

/// A SciPy-style method driven one iteration per [`crate::optim::Solver::step`] by [`drive`].
pub(crate) trait Iterative<T: Float> {
    /// Its bookkeeping.
    fn progress(&self) -> &Progress;
    /// The current point and `f` there (`f64`).
    fn current(&self) -> (&[f64], f64);
    /// Evaluates the start `x` (one objective call).
    fn start(&mut self, f: &dyn Objective<T>, x: &[T]);
    /// One iteration; returns the evaluations it made.
    fn iterate(&mut self, f: &dyn Objective<T>) -> usize;
}

/// `Solver::step` for an [`Iterative`] method: starts at `x` on the first call (or when the
/// dimension changes), makes one iteration unless stopped, writes the point back.
pub(crate) fn drive<T: Float, S: Iterative<T>>(
    s: &mut S,
    f: &dyn Objective<T>,
    x: &mut [T],
) -> SolverStep {
    let mut evaluations = 0;
    if !s.progress().started || s.current().0.len() != x.len() {
        s.start(f, x);
        evaluations += 1;
    }
    let mut iterations = 0;
    if s.progress().stop.is_none() {
        let k = s.progress().k;
        evaluations += s.iterate(f);
        iterations = s.progress().k - k;
    }
    let (cur, fx) = s.current();
    for (xi, &v) in x.iter_mut().zip(cur) {
        *xi = T::of(v);
    }
    SolverStep {
        iterations,
        evaluations,
        value: Some(fx),
    }
}

/// `Solver` for an [`Iterative`] method, and its `iterations()` / `stop()` accessors.
macro_rules! iterative_solver {
    ($ty:ident, $name:literal) => {
        impl<T: Float> $ty<T> {
            /// Iterations made (SciPy's `nit`).
            pub fn iterations(&self) -> usize {
                self.progress.k
            }

            /// Why it stopped (`None` while running).
            pub fn stop(&self) -> Option<Stop> {
                self.progress.stop
            }
        }

        impl<T: Float> Solver<T> for $ty<T> {
            fn name(&self) -> &'static str {
                $name
            }
            fn lr(&self) -> f64 {
                0.0
            }
            fn converged(&self) -> bool {
                self.progress.stop.is_some()
            }
            fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
                drive(self, f, x)
            }
        }
    };
}
pub(crate) use iterative_solver;
