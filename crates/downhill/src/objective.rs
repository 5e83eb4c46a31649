//! What optimisers and the training loop see of a problem: [`Objective`] (a deterministic
//! function with a gradient) and [`SampledObjective`] (a mean of per-sample losses).

use crate::Float;

/// A differentiable function `f: ℝⁿ → ℝ`.
pub trait Objective<T: Float> {
    /// The required length of `x`, or `None` when any length ≥ 1 works.
    fn dim(&self) -> Option<usize> {
        None
    }
    /// `f(x)`.
    fn value(&self, x: &[T]) -> T;
    /// Writes `∇f(x)` into `g` (same length as `x`) and returns `f(x)`.
    fn gradient(&self, x: &[T], g: &mut [T]) -> T;
    /// Writes the Hessian-vector product `∇²f(x)·v` into `hv` and returns `true`, if this
    /// objective can form it without the whole Hessian (automatic differentiation: [`crate::diff::Ad`]);
    /// the default returns `false` (callers then use [`Objective::hessian`] or differences of
    /// the gradient).
    fn hessian_vector(&self, _x: &[T], _v: &[T], _hv: &mut [T]) -> bool {
        false
    }
    /// Writes the Hessian `∇²f(x)` (row-major, `n × n`) into `h` and returns `true`, if this
    /// objective can; the default returns `false` (callers then use another source).
    fn hessian(&self, _x: &[T], _h: &mut [T]) -> bool {
        false
    }
    /// For a least-squares objective `f(x) = ½‖r(x)‖²` (SciPy's `cost`): the number `m` of
    /// residuals `rᵢ(x)`; `None` (the default) for any other objective. When `Some`,
    /// [`Objective::residuals`] and [`Objective::jacobian`] must be implemented; `lm` needs it.
    fn residual_count(&self) -> Option<usize> {
        None
    }
    /// Writes the residuals `r(x)` into `r` (length [`Objective::residual_count`]).
    fn residuals(&self, _x: &[T], _r: &mut [T]) {}
    /// Writes the Jacobian `J(x) = ∂r/∂x` (row-major, `m × n`) into `jac`.
    fn jacobian(&self, _x: &[T], _jac: &mut [T]) {}
}

/// `Objective` for a pointer type that forwards every method to the objective it points at.
macro_rules! forward_objective {
    ($($ptr:ty),*) => {$(
        impl<T: Float, O: Objective<T> + ?Sized> Objective<T> for $ptr {
            fn dim(&self) -> Option<usize> {
                (**self).dim()
            }
            fn value(&self, x: &[T]) -> T {
                (**self).value(x)
            }
            fn gradient(&self, x: &[T], g: &mut [T]) -> T {
                (**self).gradient(x, g)
            }
            fn hessian_vector(&self, x: &[T], v: &[T], hv: &mut [T]) -> bool {
                (**self).hessian_vector(x, v, hv)
            }
            fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
                (**self).hessian(x, h)
            }
            fn residual_count(&self) -> Option<usize> {
                (**self).residual_count()
            }
            fn residuals(&self, x: &[T], r: &mut [T]) {
                (**self).residuals(x, r)
            }
            fn jacobian(&self, x: &[T], jac: &mut [T]) {
                (**self).jacobian(x, jac)
            }
        }
    )*};
}
forward_objective!(&O, Box<O>);

/// A loss that is a mean over `n_samples()` per-sample losses, `L(θ) = (1/n) Σᵢ ℓᵢ(θ)`.
///
/// SGD, mini-batch SGD and full-batch GD differ only in which index batch they pass here.
pub trait SampledObjective<T: Float> {
    /// Number of samples `n`.
    fn n_samples(&self) -> usize;
    /// Number of parameters.
    fn n_params(&self) -> usize;
    /// Mean loss over `batch` (indices into the samples; repeats allowed).
    fn batch_value(&self, params: &[T], batch: &[usize]) -> T;
    /// Writes the gradient of the mean loss over `batch` into `g` and returns that loss.
    fn batch_gradient(&self, params: &[T], batch: &[usize], g: &mut [T]) -> T;
}

/// Euclidean norm `‖g‖₂`, accumulated in `f64`.
pub fn norm2<T: Float>(g: &[T]) -> f64 {
    g.iter().map(|v| v.f64() * v.f64()).sum::<f64>().sqrt()
}
