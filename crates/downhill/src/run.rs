//! The deterministic run executor: minimise an [`Objective`] from `x0` with a first-order
//! [`Optimizer`] or a [`Solver`], inside an optional box, under a schedule and the divergence
//! guard, watched by observers that may stop it, recording as much of the path as asked.
//!
//! [`Run`] is the one entry: a builder ending in [`Run::run`].
//!
//! ```
//! use downhill::optim::Sgd;
//! use downhill::problems::Sphere;
//! use downhill::run::{Method, Record, Run, Status};
//!
//! // Gradient descent with lr 0.25 on x² + y² from (3, −4): x ← x/2 per step.
//! let mut opt = Sgd::<f64>::with_lr(0.25)?;
//! let r = Run::new(&Sphere, Method::Optimizer(&mut opt))
//!     .tolerance(1e-6)
//!     .record(Record::Every(5))
//!     .run(&[3.0, -4.0], 100)?;
//! assert_eq!(r.status, Status::Converged);
//! assert_eq!(r.trajectory[1], [3.0 / 32.0, -4.0 / 32.0]); // the point after step 5
//! # Ok::<(), downhill::Error>(())
//! ```

mod loops;
pub mod observe;
pub mod record;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::optim::{Optimizer, Solver};
use crate::problems::Bounds;
use crate::schedule::Driver;
use crate::{Error, Float, Objective, Result};

pub use observe::{Flow, Observer, OnStep, Step, StopFlag};
pub use record::{Record, Trajectory};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// All `steps` were taken.
    MaxSteps,
    /// The gradient norm fell to `tolerance` (or the solver's own test held).
    Converged,
    /// A coordinate or the value became non-finite, or the value rose above the divergence
    /// threshold ([`crate::guard`]).
    Diverged,
    /// An [`Observer`] stopped it.
    Stopped,
}

/// What a run returns. With [`Record::All`], `trajectory` and `f_history` have `steps + 1`
/// entries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunResult {
    /// Final parameters (the last finite ones if the run diverged).
    pub x: Vec<f64>,
    /// `f(x)`.
    pub f: f64,
    /// Steps taken.
    pub steps: usize,
    /// How the run ended.
    pub status: Status,
    /// The step whose result was non-finite, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diverged_at: Option<usize>,
    /// `x` after the recorded steps, starting with `x0` ([`Record`]).
    pub trajectory: Trajectory,
    /// `f` after each step, starting with `f(x0)` (empty with [`Record::Nothing`]).
    pub f_history: Vec<f64>,
    /// The learning rate used at each step.
    pub lr: Vec<f64>,
    /// The momentum used at each step (empty when the optimiser has none).
    pub momentum: Vec<f64>,
    /// Function and gradient evaluations.
    pub evaluations: Evaluations,
    /// Inner iterations in total, for solvers that make several per step (L-BFGS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// The solver's own test that ended the run ([`Solver::stop_reason`]: `"pgtol"`,
    /// `"factr"`, `"tolerance_change"`, `"maxfev"`, …), if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<&'static str>,
    /// Steps skipped by a skip-non-finite wrapper.
    pub skipped: usize,
    /// Observations worth telling the user (e.g. a numerical gradient that vanished).
    pub notes: Vec<String>,
    /// On a least-squares problem with more residuals than parameters: the standard errors
    /// of the parameters at `x`, `√diag(s²(JᵀJ)⁻¹)` with `s² = ‖r‖²/(m − n)`
    /// ([`crate::lsq::std_errors`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std_errors: Option<Vec<f64>>,
}

/// Evaluation counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Evaluations {
    /// Calls of `value`.
    pub function: usize,
    /// Calls of `gradient`.
    pub gradient: usize,
    /// Hessians computed by the objective (analytic or AD; finite-difference Hessians are
    /// counted as their gradient calls).
    #[serde(skip_serializing_if = "is_zero")]
    pub hessian: usize,
    /// Hessian-vector products formed by the objective (`trust_ncg`).
    #[serde(skip_serializing_if = "is_zero")]
    pub hessian_vector: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What minimises: a first-order optimiser (one gradient per step) or a solver (which
/// evaluates the objective itself: L-BFGS, Newton, PSO, Nelder–Mead, …).
pub enum Method<'a, T> {
    /// An [`Optimizer`]: step `k` takes the gradient at `x_k` (or at its look-ahead point;
    /// with an evaluation point, `x_k` is the iterate y and the run reports x: see [`Run`]).
    Optimizer(&'a mut dyn Optimizer<T>),
    /// A [`Solver`]: one outer step per run step; `iterations` totals its inner iterations.
    Solver(&'a mut dyn Solver<T>),
}

/// A run being set up; [`Run::run`] executes it.
///
/// * First-order optimisers: before step `k` (0-based) the schedule, if any, sets the lr and
///   momentum ([`crate::schedule::apply`]); step `k` evaluates the gradient at `x_k` (or at the
///   optimiser's look-ahead point), updates, projects into the box, and checks `x_{k+1}` and
///   `f(x_{k+1})` with the divergence guard; reduce-on-plateau is fed `f(x_{k+1})`.
///   An optimiser with an evaluation point ([`Optimizer::eval_point`]: the schedule-free
///   rules, whose iterate is the gradient point y) is stepped at y, and the run records,
///   values, guards, observes and returns its evaluation point x (the average that the
///   `schedulefree` package's `optimizer.eval()` swaps in, projected into the box): the
///   `trajectory`, `f_history`, `x` and `f` are x's; a `tolerance` tests the gradient at y.
/// * Solvers: one outer step per run step. With a `tolerance`, the gradient at `x0` and after
///   each step is evaluated; without one, `f(x)` is evaluated after a step only when the
///   solver does not report it. A solver's own stopping rule ([`Solver::converged`]) ends the
///   run as converged.
///
/// Either way, a non-finite `x` or `f(x)` after step `k` — or, with a [`Run::guard`]
/// threshold, `f(x) > threshold · max(|f(x₀)|, 1)` — stops the run as [`Status::Diverged`]
/// with `diverged_at = k` (1-based) and keeps `x_{k−1}` ([`crate::guard`]). With a
/// [`Run::tolerance`], the run converges once `‖∇f(x)‖₂ ≤ tolerance` (inside a box, the
/// projected gradient `‖P(x − ∇f) − x‖₂`), checked before each step and at the end.
/// `evaluations` counts every call of the objective by kind.
pub struct Run<'a, T, O: ?Sized> {
    f: &'a O,
    method: Method<'a, T>,
    bounds: Option<&'a Bounds>,
    tolerance: Option<f64>,
    threshold: Option<f64>,
    driver: Option<Driver>,
    observers: Vec<Box<dyn Observer<T> + 'a>>,
    record: Record,
}

impl<'a, T: Float, O: Objective<T> + ?Sized> Run<'a, T, O> {
    /// A run of `method` on `f`: unbounded, no tolerance, no threshold (only non-finite values
    /// diverge), no schedule, no observer, everything recorded.
    pub fn new(f: &'a O, method: Method<'a, T>) -> Self {
        Run {
            f,
            method,
            bounds: None,
            tolerance: None,
            threshold: None,
            driver: None,
            observers: Vec::new(),
            record: Record::All,
        }
    }

    /// Keeps the run inside a box (`None`: unbounded). A first-order optimiser becomes the
    /// projected method: after every step `x` is clipped into the box ([`Bounds::project`]),
    /// the optimiser's own state (moments, momentum) left as the step made it. A solver is
    /// given the box through [`Solver::set_bounds`] (Newton, L-BFGS and GD with a line search
    /// refuse it, naming `bounds` and pointing to `lbfgsb`).
    pub fn bounds(mut self, bounds: impl Into<Option<&'a Bounds>>) -> Self {
        self.bounds = bounds.into();
        self
    }

    /// Stop when the gradient norm falls to `tolerance` (`None`: never).
    pub fn tolerance(mut self, tolerance: impl Into<Option<f64>>) -> Self {
        self.tolerance = tolerance.into();
        self
    }

    /// The divergence threshold (`[run] divergence_threshold`): a step whose value exceeds
    /// `threshold · max(|f(x₀)|, 1)` diverges (`None`: only non-finite values do).
    pub fn guard(mut self, threshold: impl Into<Option<f64>>) -> Self {
        self.threshold = threshold.into();
        self
    }

    /// What drives the lr and momentum of a first-order optimiser: a schedule of the step, or
    /// reduce-on-plateau fed `f` after each step (`Driver::from(schedule)` for any boxed
    /// [`crate::schedule::Schedule`]). A solver refuses one, naming `schedule`.
    pub fn schedule(mut self, driver: impl Into<Option<Driver>>) -> Self {
        self.driver = driver.into();
        self
    }

    /// Adds an observer (`&mut o` keeps it yours to read afterwards).
    pub fn observe(mut self, observer: impl Observer<T> + 'a) -> Self {
        self.observers.push(Box::new(observer));
        self
    }

    /// What to keep of the path (default [`Record::All`]).
    pub fn record(mut self, record: Record) -> Self {
        self.record = record;
        self
    }

    /// Runs at most `steps` steps from `x0`.
    ///
    /// Errors (naming the key) when the box has the wrong number of pairs or `x0` lies
    /// outside it (`bounds`, or `x0` and `bounds`), a solver refuses the box (`bounds`) or is
    /// given a schedule (`schedule`), or `Record::Every(0)` is asked for (`record`). A run
    /// that diverges is a result, not an error.
    pub fn run(self, x0: &[T], steps: usize) -> Result<RunResult> {
        if self.record == Record::Every(0) {
            return Err(Error::param(
                "record",
                "every 0 steps",
                "every k >= 1 steps",
            ));
        }
        if let Some(b) = self.bounds {
            b.check_inside(x0)?;
        }
        let mut run = loops::Common {
            bounds: self.bounds,
            tolerance: self.tolerance,
            threshold: self.threshold,
            driver: self.driver,
            observers: self.observers,
            record: self.record,
        };
        Ok(match self.method {
            Method::Optimizer(opt) => run.first_order(self.f, opt, x0, steps),
            Method::Solver(solver) => {
                if run.driver.is_some() {
                    return Err(Error::param(
                        "schedule",
                        solver.name(),
                        "a schedule drives first-order optimisers; a solver runs its own \
                         iterations",
                    ));
                }
                if let Some(b) = self.bounds {
                    solver.set_bounds(b)?;
                }
                run.solver(self.f, solver, x0, steps)
            }
        })
    }
}
