//! [`Solver`]: methods that need the objective itself, not just one gradient per step
//! (L-BFGS, Newton, particle swarm, gradient descent with a line search). They take the
//! objective as PyTorch's `LBFGS.step` takes its closure; [`crate::run::Run`] drives them.

use std::cell::Cell;

use crate::problems::Bounds;
use crate::{Error, Float, Objective, Result};

/// What one call to [`Solver::step`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolverStep {
    /// Inner iterations made (L-BFGS: PyTorch's `n_iter` increments; 1 for the others).
    pub iterations: usize,
    /// Evaluations of the objective made by the solver, in its own unit (L-BFGS: closure
    /// calls, PyTorch's `func_evals`; PSO: function values; Newton and GD: value and
    /// gradient calls). The run loop counts calls exactly by kind in
    /// [`crate::run::Evaluations`].
    pub evaluations: usize,
    /// `f(x)` at the returned `x`, when the solver knows it exactly (saves the loop an
    /// evaluation); `None` otherwise.
    pub value: Option<f64>,
}

/// Which of its own tests ended a solver: the name of the test (SciPy's message or the
/// option that held: `"pgtol"`, `"factr"`, `"tolerance_grad"`, `"tolerance_change"`,
/// `"xatol_fatol"`, `"maxfev"`, `"maxiter"`, …) and whether it means convergence (a budget
/// such as `maxfev` does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopReason {
    /// The test that held.
    pub test: &'static str,
    /// `true`: a convergence test (the run ends `converged`); `false`: a budget (the run
    /// ends `max_steps`).
    pub converged: bool,
}

impl StopReason {
    /// A convergence test named `test`.
    pub const fn converged(test: &'static str) -> Self {
        StopReason {
            test,
            converged: true,
        }
    }
    /// A budget named `test` ran out.
    pub const fn budget(test: &'static str) -> Self {
        StopReason {
            test,
            converged: false,
        }
    }
}

/// A minimiser that evaluates the objective itself.
pub trait Solver<T: Float>: Send {
    /// Config name (`"lbfgs"`, `"newton"`, `"pso"`, `"sgd"`).
    fn name(&self) -> &'static str;
    /// The learning rate / initial step (reported per step by the run loop).
    fn lr(&self) -> f64;
    /// One outer step: updates `x` in place (PSO writes the swarm's best point).
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep;
    /// Restricts the search to a box (called once, before the first step). Solvers that
    /// search inside a box (PSO, GA, CMA-ES, L-BFGS-B) override this; the default refuses,
    /// naming `bounds`, as Newton and L-BFGS do.
    fn set_bounds(&mut self, _bounds: &Bounds) -> Result<()> {
        Err(Error::param(
            "bounds",
            self.name(),
            "is not supported by this method; use `lbfgsb` for bounded smooth problems",
        ))
    }
    /// Whether the solver has met its own stopping rule (L-BFGS-B's `pgtol` / `factr`,
    /// Nelder–Mead's `xatol` / `fatol`); the run loop then ends with `converged`. Default:
    /// never (the run's `tolerance` and `steps` decide).
    fn converged(&self) -> bool {
        self.stop_reason().is_some_and(|r| r.converged)
    }
    /// Whether, and by which test, the solver has stopped by its own rule (the run loop then
    /// ends and reports `test` as the result's `stop`). Default: never.
    fn stop_reason(&self) -> Option<StopReason> {
        None
    }
    /// Whether the solver has stopped without converging (its own evaluation budget spent,
    /// such as `lm`'s `max_nfev`, or a problem it cannot solve); the run loop then ends with
    /// `max_steps`. Default: never.
    fn exhausted(&self) -> bool {
        false
    }
    /// Why the solver stopped, in words, once it has (added to the run's `notes`).
    fn note(&self) -> Option<String> {
        None
    }
}

impl<T: Float, S: Solver<T> + ?Sized> Solver<T> for Box<S> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn lr(&self) -> f64 {
        (**self).lr()
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        (**self).step(f, x)
    }
    fn set_bounds(&mut self, bounds: &Bounds) -> Result<()> {
        (**self).set_bounds(bounds)
    }
    fn converged(&self) -> bool {
        (**self).converged()
    }
    fn exhausted(&self) -> bool {
        (**self).exhausted()
    }
    fn note(&self) -> Option<String> {
        (**self).note()
    }
    fn stop_reason(&self) -> Option<StopReason> {
        (**self).stop_reason()
    }
}

/// An objective that counts the calls made to it, by kind.
#[derive(Debug)]
pub struct Counted<'a, O: ?Sized> {
    inner: &'a O,
    /// Calls of `value`.
    pub values: Cell<usize>,
    /// Calls of `gradient`.
    pub gradients: Cell<usize>,
    /// Calls of `hessian` that produced a Hessian.
    pub hessians: Cell<usize>,
    /// Calls of `hessian_vector` that produced a product.
    pub hessian_vectors: Cell<usize>,
}

impl<'a, O: ?Sized> Counted<'a, O> {
    /// Wraps `inner` with all counts at 0.
    pub fn new(inner: &'a O) -> Self {
        Counted {
            inner,
            values: Cell::new(0),
            gradients: Cell::new(0),
            hessians: Cell::new(0),
            hessian_vectors: Cell::new(0),
        }
    }
}

fn bump(c: &Cell<usize>) {
    c.set(c.get() + 1);
}

impl<T: Float, O: Objective<T> + ?Sized> Objective<T> for Counted<'_, O> {
    fn dim(&self) -> Option<usize> {
        self.inner.dim()
    }
    fn value(&self, x: &[T]) -> T {
        bump(&self.values);
        self.inner.value(x)
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        bump(&self.gradients);
        self.inner.gradient(x, g)
    }
    fn hessian_vector(&self, x: &[T], v: &[T], hv: &mut [T]) -> bool {
        let ok = self.inner.hessian_vector(x, v, hv);
        if ok {
            bump(&self.hessian_vectors);
        }
        ok
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        let ok = self.inner.hessian(x, h);
        if ok {
            bump(&self.hessians);
        }
        ok
    }
    fn residual_count(&self) -> Option<usize> {
        self.inner.residual_count()
    }
    /// Counted as a function evaluation (SciPy's `nfev`).
    fn residuals(&self, x: &[T], r: &mut [T]) {
        bump(&self.values);
        self.inner.residuals(x, r)
    }
    /// Counted as a gradient evaluation (SciPy's `njev`).
    fn jacobian(&self, x: &[T], jac: &mut [T]) {
        bump(&self.gradients);
        self.inner.jacobian(x, jac)
    }
}

/// `Σ aᵢbᵢ` accumulated in `f64`.
pub(crate) fn dot<T: Float>(a: &[T], b: &[T]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x.f64() * y.f64()).sum()
}

/// `out ← x + t·d`.
pub(crate) fn axpy_into<T: Float>(out: &mut [T], x: &[T], t: f64, d: &[T]) {
    let t = T::of(t);
    for ((o, &xi), &di) in out.iter_mut().zip(x).zip(d) {
        *o = xi + t * di;
    }
}

/// A boxed solver.
pub type BoxedSolver<T> = Box<dyn Solver<T>>;
