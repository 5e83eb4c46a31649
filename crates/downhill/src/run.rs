//! The deterministic run loops: minimise an [`Objective`] from `x0` with a first-order
//! [`Optimizer`] ([`minimize`]) or a [`Solver`] ([`solve`]), recording the trajectory, and
//! stopping on convergence or divergence.

use serde::Serialize;

use crate::objective::norm2;
use crate::optim::solver::Counted;
use crate::optim::{Optimizer, Solver};
use crate::problems::Bounds;
use crate::{Float, Objective, Result};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// All `steps` were taken.
    MaxSteps,
    /// The gradient norm fell to `tolerance`.
    Converged,
    /// A coordinate or the value became non-finite.
    Diverged,
}

/// Options of [`minimize`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Maximum number of optimiser steps.
    pub steps: usize,
    /// Stop when `‖∇f(x)‖₂ ≤ tolerance` (checked before each step and at the end).
    pub tolerance: Option<f64>,
}

/// What [`minimize`] returns. `trajectory` and `f_history` have `steps + 1` entries.
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
    /// `x` after each step, starting with `x0`.
    pub trajectory: Vec<Vec<f64>>,
    /// `f` after each step, starting with `f(x0)`.
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
    /// Steps skipped by a skip-non-finite wrapper.
    pub skipped: usize,
    /// Observations worth telling the user (e.g. a numerical gradient that vanished).
    pub notes: Vec<String>,
}

impl RunResult {
    /// The result before the first step: at `x` with value `fx`, still `MaxSteps`.
    fn started<T: Float>(
        x: &[T],
        fx: f64,
        evaluations: Evaluations,
        iterations: Option<usize>,
    ) -> RunResult {
        RunResult {
            x: Vec::new(),
            f: 0.0,
            steps: 0,
            status: Status::MaxSteps,
            diverged_at: None,
            trajectory: vec![crate::float::to_f64s(x)],
            f_history: vec![fx],
            lr: Vec::new(),
            momentum: Vec::new(),
            evaluations,
            iterations,
            skipped: 0,
            notes: Vec::new(),
        }
    }
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
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// `‖∇f(x)‖₂`, or inside a box the norm of the projected gradient `‖P(x − ∇f) − x‖₂` (0 at a
/// point satisfying the KKT conditions).
fn stationarity<T: Float>(x: &[T], g: &[T], bounds: Option<&Bounds>) -> f64 {
    match bounds {
        None => norm2(g),
        Some(b) => x
            .iter()
            .zip(g)
            .zip(b.lo().iter().zip(b.hi()))
            .map(|((x, g), (&lo, &hi))| {
                let (x, g) = (x.f64(), g.f64());
                ((x - g).clamp(lo, hi) - x).powi(2)
            })
            .sum::<f64>()
            .sqrt(),
    }
}

fn finite<T: Float>(x: &[T]) -> bool {
    x.iter().all(|v| v.is_finite())
}

/// Runs `opts.steps` steps of `opt` on `f` from `x0`.
///
/// Before step `k` (0-based), `before_step(k, opt)` may change the optimiser's lr or
/// momentum (this is where schedules act). Step `k` evaluates the gradient at `x_k` (or at
/// the optimiser's look-ahead point), updates, and checks `x_{k+1}` and `f(x_{k+1})`; if any is
/// non-finite the run stops with `Status::Diverged`, `diverged_at = k + 1`, and keeps `x_k`.
pub fn minimize<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    opt: &mut dyn Optimizer<T>,
    x0: &[T],
    opts: &RunOptions,
    before_step: impl FnMut(usize, &mut dyn Optimizer<T>),
) -> RunResult {
    minimize_with(f, opt, x0, opts, before_step, |_, _| {})
}

/// [`minimize`] with a second hook: after step `k` succeeded, `after_step(k, f(x_{k+1}))`
/// (where a metric-driven rule such as reduce-on-plateau reads the loss).
pub fn minimize_with<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    opt: &mut dyn Optimizer<T>,
    x0: &[T],
    opts: &RunOptions,
    before_step: impl FnMut(usize, &mut dyn Optimizer<T>),
    after_step: impl FnMut(usize, f64),
) -> RunResult {
    run_first_order(f, opt, x0, opts, Guards::default(), before_step, after_step)
}

/// [`minimize_with`] with a divergence threshold (`[run] divergence_threshold`): a step whose
/// value `f(x_{k+1})` exceeds `threshold · max(|f(x₀)|, 1)` also stops the run as
/// `Status::Diverged` at `k + 1`, keeping `x_k` (`None`: only non-finite values do).
pub fn minimize_guarded<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    opt: &mut dyn Optimizer<T>,
    x0: &[T],
    opts: &RunOptions,
    divergence_threshold: Option<f64>,
    before_step: impl FnMut(usize, &mut dyn Optimizer<T>),
    after_step: impl FnMut(usize, f64),
) -> RunResult {
    let guards = Guards {
        bounds: None,
        divergence_threshold,
    };
    run_first_order(f, opt, x0, opts, guards, before_step, after_step)
}

/// What keeps a first-order run in check besides its step budget: a box the iterates are
/// projected into, and a divergence threshold.
#[derive(Clone, Copy, Debug, Default)]
pub struct Guards<'a> {
    /// The box (`[problem] bounds`); `None`: unbounded.
    pub bounds: Option<&'a Bounds>,
    /// See [`minimize_guarded`]; `None`: only non-finite values stop the run.
    pub divergence_threshold: Option<f64>,
}

/// [`minimize_with`] inside a box: the projected method. After every optimiser step `x` is
/// clipped into `bounds` ([`Bounds::project`]), so every point of the trajectory lies in the
/// box; the optimiser's own state (moments, momentum) is left as the step made it. With a
/// `tolerance`, convergence is on the projected gradient `‖P(x − ∇f) − x‖₂`.
///
/// Errors (naming `bounds`, or `x0` and `bounds`) when the box has the wrong number of pairs
/// or `x0` lies outside it. `bounds = None` is [`minimize_with`].
pub fn minimize_bounded<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    opt: &mut dyn Optimizer<T>,
    x0: &[T],
    opts: &RunOptions,
    bounds: Option<&Bounds>,
    before_step: impl FnMut(usize, &mut dyn Optimizer<T>),
    after_step: impl FnMut(usize, f64),
) -> Result<RunResult> {
    let guards = Guards {
        bounds,
        divergence_threshold: None,
    };
    minimize_guarded_in(f, opt, x0, opts, guards, before_step, after_step)
}

/// [`minimize_bounded`] and [`minimize_guarded`] at once.
pub fn minimize_guarded_in<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    opt: &mut dyn Optimizer<T>,
    x0: &[T],
    opts: &RunOptions,
    guards: Guards<'_>,
    before_step: impl FnMut(usize, &mut dyn Optimizer<T>),
    after_step: impl FnMut(usize, f64),
) -> Result<RunResult> {
    if let Some(b) = guards.bounds {
        b.check_inside(x0)?;
    }
    Ok(run_first_order(
        f,
        opt,
        x0,
        opts,
        guards,
        before_step,
        after_step,
    ))
}

fn run_first_order<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    opt: &mut dyn Optimizer<T>,
    x0: &[T],
    opts: &RunOptions,
    guards: Guards<'_>,
    mut before_step: impl FnMut(usize, &mut dyn Optimizer<T>),
    mut after_step: impl FnMut(usize, f64),
) -> RunResult {
    let Guards {
        bounds,
        divergence_threshold,
    } = guards;
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![T::zero(); n];
    let mut point = vec![T::zero(); n];
    let mut evals = Evaluations::default();
    let mut fx = f.value(&x);
    evals.function += 1;
    let limit = crate::train::config::divergence_limit(divergence_threshold, fx.f64());
    let mut res = RunResult::started(&x, fx.f64(), evals, None);
    if !finite(&x) || !fx.is_finite() {
        res.status = Status::Diverged;
        res.diverged_at = Some(0);
    }
    let mut zero_grad_note = false;
    let mut k = 0;
    while res.status != Status::Diverged && k < opts.steps {
        before_step(k, opt);
        res.lr.push(opt.lr());
        if let Some(m) = opt.momentum() {
            res.momentum.push(m);
        }
        let at_x = !opt.gradient_point(&x, &mut point);
        if at_x {
            f.gradient(&x, &mut g);
        } else {
            f.gradient(&point, &mut g);
        }
        evals.gradient += 1;
        if let Some(tol) = opts.tolerance {
            let gn = if at_x {
                stationarity(&x, &g, bounds)
            } else {
                let mut gx = vec![T::zero(); n];
                f.gradient(&x, &mut gx);
                evals.gradient += 1;
                stationarity(&x, &gx, bounds)
            };
            if gn <= tol {
                res.status = Status::Converged;
                res.lr.pop();
                if opt.momentum().is_some() {
                    res.momentum.pop();
                }
                break;
            }
        }
        if !zero_grad_note && g.iter().all(|v| v.is_zero()) && x.iter().any(|v| !v.is_zero()) {
            zero_grad_note = true;
            res.notes.push(format!(
                "step {k}: the gradient is exactly 0 at a point that is not a stationary point of \
                 a smooth bowl (max |x| = {:.3e}); with a numerical gradient this is the lesson of \
                 seed 004: at this scale x ± h rounds to x, so f(x+h) − f(x−h) cancels to 0 and \
                 the descent stalls",
                x.iter().map(|v| v.f64().abs()).fold(0.0, f64::max)
            ));
        }
        let prev = x.clone();
        opt.step(&mut x, &mut g);
        if let Some(b) = bounds {
            b.project(&mut x);
        }
        let fnew = f.value(&x);
        evals.function += 1;
        if !finite(&x) || !fnew.is_finite() || limit.is_some_and(|m| fnew.f64() > m) {
            x = prev;
            res.status = Status::Diverged;
            res.diverged_at = Some(k + 1);
            break;
        }
        fx = fnew;
        after_step(k, fx.f64());
        k += 1;
        res.trajectory.push(crate::float::to_f64s(&x));
        res.f_history.push(fx.f64());
    }
    if res.status == Status::MaxSteps {
        if let Some(tol) = opts.tolerance {
            f.gradient(&x, &mut g);
            evals.gradient += 1;
            if stationarity(&x, &g, bounds) <= tol {
                res.status = Status::Converged;
            }
        }
    }
    res.steps = k;
    res.x = crate::float::to_f64s(&x);
    res.f = fx.f64();
    res.evaluations = evals;
    res.skipped = opt.skipped();
    res
}

/// Runs `opts.steps` outer steps of a [`Solver`] (L-BFGS, Newton, PSO, GD with a line search)
/// on `f` from `x0`, producing the same [`RunResult`] as [`minimize`].
///
/// `trajectory` and `f_history` hold `x` and `f(x)` after each outer step. With a
/// `tolerance`, the gradient at `x0` and after each step is evaluated and the run stops with
/// `Status::Converged` once `‖∇f(x)‖₂ ≤ tolerance`; without one, `f(x)` is evaluated after a
/// step only when the solver does not report it. A non-finite `x` or `f(x)` after step `k`
/// stops the run with `Status::Diverged`, `diverged_at = k + 1`, keeping `x_k`.
/// `evaluations` counts every call of the objective by kind (the solver's and this loop's);
/// `iterations` is the total of the solver's inner iterations.
pub fn solve<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    solver: &mut dyn Solver<T>,
    x0: &[T],
    opts: &RunOptions,
) -> RunResult {
    run_solver(f, solver, x0, opts, None)
}

/// [`solve`] inside a box: the solver is given `bounds` through [`Solver::set_bounds`]
/// before its first step (Newton, L-BFGS and GD with a line search refuse, naming `bounds`
/// and pointing to `lbfgsb`; PSO, GA, CMA-ES, Nelder–Mead and L-BFGS-B search inside it).
///
/// Errors (naming `bounds`, or `x0` and `bounds`) when the box has the wrong number of pairs,
/// `x0` lies outside it, or the solver refuses it. `bounds = None` is [`solve`].
pub fn solve_bounded<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    solver: &mut dyn Solver<T>,
    x0: &[T],
    opts: &RunOptions,
    bounds: Option<&Bounds>,
) -> Result<RunResult> {
    if let Some(b) = bounds {
        b.check_inside(x0)?;
        solver.set_bounds(b)?;
    }
    Ok(run_solver(f, solver, x0, opts, bounds))
}

fn run_solver<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    solver: &mut dyn Solver<T>,
    x0: &[T],
    opts: &RunOptions,
    bounds: Option<&Bounds>,
) -> RunResult {
    let counted = Counted::new(f);
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut prev = x0.to_vec();
    let mut g = vec![T::zero(); n];
    // Inside a box, the norm of the projected gradient `P(x − g) − x`.
    let grad_norm = |x: &[T], g: &mut [T]| -> (T, f64) {
        let v = counted.gradient(x, g);
        (v, stationarity(x, g, bounds))
    };
    let mut gnorm = f64::INFINITY;
    let mut fx = match opts.tolerance {
        Some(_) => {
            let (v, gn) = grad_norm(&x, &mut g);
            gnorm = gn;
            v
        }
        None => counted.value(&x),
    };
    let mut res = RunResult::started(&x, fx.f64(), Evaluations::default(), Some(0));
    if !finite(&x) || !fx.is_finite() {
        res.status = Status::Diverged;
        res.diverged_at = Some(0);
    }
    let converged = |gn: f64| opts.tolerance.is_some_and(|tol| gn <= tol);
    let mut iterations = 0;
    let mut k = 0;
    while res.status != Status::Diverged && k < opts.steps {
        if converged(gnorm) {
            res.status = Status::Converged;
            break;
        }
        res.lr.push(solver.lr());
        prev.copy_from_slice(&x);
        let s = solver.step(&counted, &mut x);
        iterations += s.iterations;
        if s.iterations == 0 && solver.converged() {
            // converged where it stood: no step
            res.lr.pop();
            res.status = Status::Converged;
            break;
        }
        let fnew = match (opts.tolerance, s.value) {
            (Some(_), _) => {
                let (v, gn) = grad_norm(&x, &mut g);
                gnorm = gn;
                v
            }
            (None, Some(v)) => T::of(v),
            (None, None) => counted.value(&x),
        };
        if !finite(&x) || !fnew.is_finite() {
            x.copy_from_slice(&prev);
            res.status = Status::Diverged;
            res.diverged_at = Some(k + 1);
            break;
        }
        fx = fnew;
        k += 1;
        res.trajectory.push(crate::float::to_f64s(&x));
        res.f_history.push(fx.f64());
        if solver.converged() {
            res.status = Status::Converged;
            break;
        }
    }
    if res.status == Status::MaxSteps && converged(gnorm) {
        res.status = Status::Converged;
    }
    res.steps = k;
    res.x = crate::float::to_f64s(&x);
    res.f = fx.f64();
    res.iterations = Some(iterations);
    res.evaluations = Evaluations {
        function: counted.values.get(),
        gradient: counted.gradients.get(),
        hessian: counted.hessians.get(),
    };
    res
}

#[cfg(test)]
mod solve_tests {
    use super::*;
    use crate::optim::{Newton, SolverStep};
    use crate::problems::{Rosenbrock, Sphere};

    /// Moves x by +1 per step, then to NaN at the third.
    struct Blows(usize);
    impl Solver<f64> for Blows {
        fn name(&self) -> &'static str {
            "blows"
        }
        fn lr(&self) -> f64 {
            0.5
        }
        fn step(&mut self, _f: &dyn Objective<f64>, x: &mut [f64]) -> SolverStep {
            self.0 += 1;
            x[0] = if self.0 == 3 { f64::NAN } else { x[0] + 1.0 };
            SolverStep {
                iterations: 2,
                evaluations: 0,
                value: None,
            }
        }
    }

    #[test]
    fn the_divergence_threshold_stops_a_finite_blow_up() {
        // x ← x − 1.1·2x = −1.2x: f grows by 1.44 per step from f(x₀) = 4; 1.44^k · 4 > 40
        // first at k = 7.
        let opts = RunOptions {
            steps: 50,
            tolerance: None,
        };
        let mut opt = crate::optim::Sgd::<f64>::with_lr(1.1).unwrap();
        let r = minimize_guarded(
            &Sphere,
            &mut opt,
            &[2.0],
            &opts,
            Some(10.0),
            |_, _| {},
            |_, _| {},
        );
        assert_eq!(
            (r.status, r.diverged_at, r.steps),
            (Status::Diverged, Some(7), 6)
        );
        assert_eq!(Some(&r.x), r.trajectory.last());
        assert!((r.x[0] - 2.0 * 1.2f64.powi(6)).abs() < 1e-12);
        let mut opt = crate::optim::Sgd::<f64>::with_lr(1.1).unwrap();
        let r = minimize_guarded(&Sphere, &mut opt, &[2.0], &opts, None, |_, _| {}, |_, _| {});
        assert_eq!((r.status, r.steps), (Status::MaxSteps, 50));
    }

    #[test]
    fn divergence_keeps_the_last_finite_point() {
        let opts = RunOptions {
            steps: 10,
            tolerance: None,
        };
        let r = solve(&Sphere, &mut Blows(0), &[0.0], &opts);
        assert_eq!(r.status, Status::Diverged);
        assert_eq!(
            (r.diverged_at, r.steps, r.x.clone()),
            (Some(3), 2, vec![2.0])
        );
        assert_eq!(r.f_history, vec![0.0, 1.0, 4.0]);
        assert_eq!(r.lr, vec![0.5; 3]);
        assert_eq!(r.iterations, Some(6));
        // f(x0) and one value after each step (the solver reports none)
        assert_eq!(r.evaluations.function, 4);
    }

    #[test]
    fn convergence_on_the_gradient_norm_before_each_step() {
        let opts = RunOptions {
            steps: 30,
            tolerance: Some(1e-8),
        };
        // at a stationary point: converged with no step
        let r = solve(
            &Sphere,
            &mut Newton::<f64>::new(Default::default()).unwrap(),
            &[0.0, 0.0],
            &opts,
        );
        assert_eq!(
            (r.status, r.steps, r.trajectory.len()),
            (Status::Converged, 0, 1)
        );
        let r = solve(
            &Rosenbrock,
            &mut Newton::<f64>::new(Default::default()).unwrap(),
            &[-1.2, 1.0],
            &opts,
        );
        assert_eq!(r.status, Status::Converged);
        assert_eq!(r.trajectory.len(), r.steps + 1);
        assert_eq!(r.f_history.len(), r.steps + 1);
        assert!(r.f < 1e-10 && r.steps <= 30);
        assert_eq!(r.evaluations.hessian, r.steps);
    }
}
