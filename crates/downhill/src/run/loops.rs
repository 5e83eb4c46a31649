//! The two loops behind [`Run::run`](super::Run::run): first-order optimisers and solvers.
//! Both share the recording, the observers, the schedule driver
//! ([`crate::schedule::apply`]) and the divergence guard ([`crate::guard`]).

use super::observe::{Flow, Observer, Step};
use super::record::{Record, Trajectory};
use super::{Evaluations, RunResult, Status};
use crate::guard::{LastFinite, Limit};
use crate::objective::norm2;
use crate::optim::solver::Counted;
use crate::optim::{Optimizer, Solver};
use crate::problems::Bounds;
use crate::schedule::Driver;
use crate::{Float, Objective};

/// Everything of a run but the method and the objective.
pub(super) struct Common<'a, T> {
    pub bounds: Option<&'a Bounds>,
    pub tolerance: Option<f64>,
    pub threshold: Option<f64>,
    pub driver: Option<Driver>,
    pub observers: Vec<Box<dyn Observer<T> + 'a>>,
    pub record: Record,
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

impl RunResult {
    /// The result before the first step: at `x` with value `fx`, still `MaxSteps`.
    fn started<T: Float>(x: &[T], fx: f64, record: Record, iterations: Option<usize>) -> Self {
        let mut trajectory = Trajectory::new(x.len(), record.stride().unwrap_or(1));
        if record.stride().is_some() {
            trajectory.push(0, x);
        }
        RunResult {
            x: Vec::new(),
            f: 0.0,
            steps: 0,
            status: Status::MaxSteps,
            diverged_at: if finite(x) && fx.is_finite() {
                None
            } else {
                Some(0)
            },
            trajectory,
            f_history: if record.values() {
                vec![fx]
            } else {
                Vec::new()
            },
            lr: Vec::new(),
            momentum: Vec::new(),
            evaluations: Evaluations::default(),
            iterations,
            stopped_by: None,
            skipped: 0,
            notes: Vec::new(),
            std_errors: None,
        }
    }

    /// Records the lr and momentum of the step about to be taken.
    fn push_rates(&mut self, record: Record, lr: f64, momentum: Option<f64>) {
        if record.values() {
            self.lr.push(lr);
            self.momentum.extend(momentum);
        }
    }

    /// Takes back [`RunResult::push_rates`] (the run converged before the step).
    fn pop_rates(&mut self, record: Record, momentum: bool) {
        if record.values() {
            self.lr.pop();
            if momentum {
                self.momentum.pop();
            }
        }
    }

    /// Records the point and value after step `k` (1-based).
    fn push_point<T: Float>(&mut self, record: Record, k: usize, x: &[T], fx: f64) {
        if record.values() {
            self.f_history.push(fx);
        }
        if record.stride().is_some_and(|s| k.is_multiple_of(s)) {
            self.trajectory.push(k, x);
        }
    }

    /// Ends the result after `k` steps at `x` with value `fx`: the last point is recorded
    /// even when it falls between strides.
    fn finish<T: Float>(&mut self, record: Record, k: usize, x: &[T], fx: f64) {
        if record.stride().is_some_and(|s| !k.is_multiple_of(s)) {
            self.trajectory.push(k, x);
        }
        self.steps = k;
        self.x = crate::float::to_f64s(x);
        self.f = fx;
    }
}

/// The point a first-order run reports (records, values, observes and returns): the
/// optimiser's evaluation point when it has one ([`Optimizer::eval_point`]: schedule-free's
/// average x, projected into the box too), else the iterate itself. The loop steps the
/// iterate (schedule-free's y) and takes the gradient there; the tolerance tests that
/// gradient.
struct Shown<T> {
    /// Whether the optimiser has an evaluation point.
    on: bool,
    /// The evaluation point of the current iterate.
    at: Vec<T>,
    /// The last one that passed the divergence check (reported after a divergence).
    ok: Vec<T>,
}

impl<T: Float> Shown<T> {
    fn new(opt: &dyn Optimizer<T>, x: &[T]) -> Self {
        let mut at = vec![T::zero(); x.len()];
        let on = opt.eval_point(x, &mut at);
        if on {
            Shown {
                on,
                ok: at.clone(),
                at,
            }
        } else {
            Shown {
                on,
                at: Vec::new(),
                ok: Vec::new(),
            }
        }
    }
    /// Recomputes the evaluation point of `x` after a step.
    fn update(&mut self, opt: &dyn Optimizer<T>, x: &[T], bounds: Option<&Bounds>) {
        if self.on {
            opt.eval_point(x, &mut self.at);
            if let Some(b) = bounds {
                b.project(&mut self.at);
            }
        }
    }
    /// The step passed the divergence check.
    fn accept(&mut self) {
        if self.on {
            self.ok.copy_from_slice(&self.at);
        }
    }
    /// The point to report for iterate `x`.
    fn point<'s>(&'s self, x: &'s [T]) -> &'s [T] {
        if self.on {
            &self.at
        } else {
            x
        }
    }
    /// The last accepted point to report (`x`, the last finite iterate, without one).
    fn accepted<'s>(&'s self, x: &'s [T]) -> &'s [T] {
        if self.on {
            &self.ok
        } else {
            x
        }
    }
}

impl<'a, T: Float> Common<'a, T> {
    /// Shows step `s` to every observer; whether all of them let the run go on.
    fn notify(&mut self, s: &Step<'_, T>) -> bool {
        let mut go_on = true;
        for o in &mut self.observers {
            go_on &= o.on_step(s) == Flow::Continue;
        }
        go_on
    }

    pub(super) fn first_order<O: Objective<T> + ?Sized>(
        &mut self,
        f: &O,
        opt: &mut dyn Optimizer<T>,
        x0: &[T],
        steps: usize,
    ) -> RunResult {
        let (bounds, record) = (self.bounds, self.record);
        let n = x0.len();
        let mut x = x0.to_vec();
        let mut g = vec![T::zero(); n];
        let mut point = vec![T::zero(); n];
        let mut second = vec![T::zero(); n];
        let mut evals = Evaluations::default();
        let mut fx = f.value(&x);
        evals.function += 1;
        let limit = Limit::new(self.threshold, fx.f64());
        let mut last = LastFinite::new(&x);
        let mut res = RunResult::started(&x, fx.f64(), record, None);
        if res.diverged_at.is_some() {
            res.status = Status::Diverged;
        }
        let mut shown = Shown::new(opt, &x);
        let mut zero_grad_note = false;
        let mut k = 0;
        while res.status == Status::MaxSteps && k < steps {
            let lr = match &mut self.driver {
                Some(d) => crate::schedule::apply(d, k, 1.0, opt),
                None => opt.lr(),
            };
            let momentum = opt.momentum();
            res.push_rates(record, lr, momentum);
            let at_x = !opt.gradient_point(&x, &mut point);
            let loss = if at_x {
                f.gradient(&x, &mut g)
            } else {
                f.gradient(&point, &mut g)
            };
            evals.gradient += 1;
            opt.set_loss(loss.f64());
            if let Some(tol) = self.tolerance {
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
                    res.pop_rates(record, momentum.is_some());
                    break;
                }
            }
            if !zero_grad_note && g.iter().all(|v| v.is_zero()) && x.iter().any(|v| !v.is_zero()) {
                zero_grad_note = true;
                res.notes.push(format!(
                    "step {k}: the gradient is exactly 0 at a point that is not a stationary \
                     point of a smooth bowl (max |x| = {:.3e}); with a numerical gradient this \
                     is the lesson of seed 004: at this scale x ± h rounds to x, so f(x+h) − \
                     f(x−h) cancels to 0 and the descent stalls",
                    x.iter().map(|v| v.f64().abs()).fold(0.0, f64::max)
                ));
            }
            // SAM: the step's gradient is the one at a second point.
            let at = if at_x { &x } else { &point };
            if opt.second_point(at, &g, &mut second) {
                f.gradient(&second, &mut g);
                evals.gradient += 1;
            }
            opt.step(&mut x, &mut g);
            if let Some(b) = bounds {
                b.project(&mut x);
            }
            shown.update(opt, &x, bounds);
            let fnew = f.value(shown.point(&x));
            evals.function += 1;
            if !last.accept(&mut x, limit.allows(fnew.f64())) {
                res.status = Status::Diverged;
                res.diverged_at = Some(k + 1);
                break;
            }
            shown.accept();
            fx = fnew;
            if let Some(d) = &mut self.driver {
                d.report(fx.f64());
            }
            k += 1;
            res.push_point(record, k, shown.point(&x), fx.f64());
            let step = Step {
                step: k,
                x: shown.point(&x),
                f: fx.f64(),
                lr,
                momentum,
            };
            if !self.notify(&step) {
                res.status = Status::Stopped;
            }
        }
        if res.status == Status::MaxSteps {
            if let Some(tol) = self.tolerance {
                f.gradient(&x, &mut g);
                evals.gradient += 1;
                if stationarity(&x, &g, bounds) <= tol {
                    res.status = Status::Converged;
                }
            }
        }
        let x = shown.accepted(&x);
        res.finish(record, k, x, fx.f64());
        res.evaluations = evals;
        res.skipped = opt.skipped();
        res.std_errors = crate::lsq::std_errors(f, x);
        res
    }

    pub(super) fn solver<O: Objective<T> + ?Sized>(
        &mut self,
        f: &O,
        solver: &mut dyn Solver<T>,
        x0: &[T],
        steps: usize,
    ) -> RunResult {
        let (bounds, record, tolerance) = (self.bounds, self.record, self.tolerance);
        let counted = Counted::new(f);
        let n = x0.len();
        let mut x = x0.to_vec();
        let mut g = vec![T::zero(); n];
        // Inside a box, the norm of the projected gradient `P(x − g) − x`.
        let grad_norm = |x: &[T], g: &mut [T]| -> (T, f64) {
            let v = counted.gradient(x, g);
            (v, stationarity(x, g, bounds))
        };
        let mut gnorm = f64::INFINITY;
        let mut fx = match tolerance {
            Some(_) => {
                let (v, gn) = grad_norm(&x, &mut g);
                gnorm = gn;
                v
            }
            None => counted.value(&x),
        };
        let limit = Limit::new(self.threshold, fx.f64());
        let mut last = LastFinite::new(&x);
        let mut res = RunResult::started(&x, fx.f64(), record, Some(0));
        if res.diverged_at.is_some() {
            res.status = Status::Diverged;
        }
        let converged = |gn: f64| tolerance.is_some_and(|tol| gn <= tol);
        let mut iterations = 0;
        let mut k = 0;
        while res.status == Status::MaxSteps && k < steps {
            if converged(gnorm) {
                res.status = Status::Converged;
                break;
            }
            let lr = solver.lr();
            res.push_rates(record, lr, None);
            let s = solver.step(&counted, &mut x);
            iterations += s.iterations;
            let stop = solver.stop_reason();
            let halted = solver.converged() || solver.exhausted() || stop.is_some();
            if s.iterations == 0 && halted {
                // stopped where it stood (converged, or its own budget spent): no step
                res.pop_rates(record, false);
                res.status = ended(solver.converged());
                res.stopped_by = stop.map(|r| r.test);
                break;
            }
            let fnew = match (tolerance, s.value) {
                (Some(_), _) => {
                    let (v, gn) = grad_norm(&x, &mut g);
                    gnorm = gn;
                    v
                }
                (None, Some(v)) => T::of(v),
                (None, None) => counted.value(&x),
            };
            if !last.accept(&mut x, limit.allows(fnew.f64())) {
                res.status = Status::Diverged;
                res.diverged_at = Some(k + 1);
                break;
            }
            fx = fnew;
            k += 1;
            res.push_point(record, k, &x, fx.f64());
            let go_on = self.notify(&Step {
                step: k,
                x: &x,
                f: fx.f64(),
                lr,
                momentum: None,
            });
            if halted {
                res.status = ended(solver.converged());
                res.stopped_by = stop.map(|r| r.test);
                break;
            } else if !go_on {
                res.status = Status::Stopped;
            }
        }
        if res.status == Status::MaxSteps && converged(gnorm) {
            res.status = Status::Converged;
        }
        res.finish(record, k, &x, fx.f64());
        res.iterations = Some(iterations);
        res.notes.extend(solver.note());
        res.std_errors = crate::lsq::std_errors(f, &x);
        res.evaluations = Evaluations {
            function: counted.values.get(),
            gradient: counted.gradients.get(),
            hessian: counted.hessians.get(),
            hessian_vector: counted.hessian_vectors.get(),
        };
        res
    }
}

/// How a solver run that stopped by its own rule ended: `Converged` on a convergence test,
/// else a budget (`MaxSteps`).
fn ended(converged: bool) -> Status {
    if converged {
        Status::Converged
    } else {
        Status::MaxSteps
    }
}
