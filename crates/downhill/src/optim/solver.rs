//! [`Solver`]: methods that need the objective itself, not just one gradient per step
//! (L-BFGS, Newton, particle swarm, gradient descent with a line search). They take the
//! objective as PyTorch's `LBFGS.step` takes its closure; [`crate::run::solve`] drives them.

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
        false
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
}

impl<'a, O: ?Sized> Counted<'a, O> {
    /// Wraps `inner` with all counts at 0.
    pub fn new(inner: &'a O) -> Self {
        Counted {
            inner,
            values: Cell::new(0),
            gradients: Cell::new(0),
            hessians: Cell::new(0),
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
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        let ok = self.inner.hessian(x, h);
        if ok {
            bump(&self.hessians);
        }
        ok
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
