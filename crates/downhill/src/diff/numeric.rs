//! Numerical differentiation by finite differences: perturb one coordinate in place,
//! evaluate, restore.
//!
//! Central: `∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`; forward: `(f(x + h·eᵢ) − f(x)) / h`.
//! Each gradient costs `2n` (central) or `n + 1` (forward) evaluations of `f`.

use crate::{Float, Objective};

/// Which difference quotient to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Difference {
    /// `(f(x+h) − f(x−h)) / 2h`, error O(h²).
    #[default]
    Central,
    /// `(f(x+h) − f(x)) / h`, error O(h).
    Forward,
}

/// Numerical gradient of `f` at `x`, written into `grad`; `x` is perturbed and restored in place.
///
/// With `Difference::Central`, each coordinate is set to `t + h`, then `t − h` (t its value),
/// `f` evaluated at each, the difference divided by `2h`, and `t` restored: the textbook loop,
/// operation for operation, so with `h = 1e-4` it reproduces its printed digits (e.g.
/// `6.00000000000378` for ∂(x₀² + x₁²)/∂x₀ at (3, 4)).
pub fn numerical_gradient<T: Float, F: FnMut(&[T]) -> T>(
    mut f: F,
    x: &mut [T],
    grad: &mut [T],
    h: f64,
    kind: Difference,
) {
    let h_t = T::of(h);
    let two_h = T::of(2.0 * h);
    let f0 = match kind {
        Difference::Forward => Some(f(x)),
        Difference::Central => None,
    };
    for i in 0..x.len() {
        let tmp = x[i];
        x[i] = tmp + h_t;
        let fxh1 = f(x);
        grad[i] = match f0 {
            None => {
                x[i] = tmp - h_t;
                let fxh2 = f(x);
                (fxh1 - fxh2) / two_h
            }
            Some(f0) => (fxh1 - f0) / h_t,
        };
        x[i] = tmp;
    }
}

/// An [`Objective`] whose gradient is the numerical one of another objective.
#[derive(Debug, Clone)]
pub struct Numeric<O> {
    /// The wrapped objective (only its `value` is used).
    pub inner: O,
    /// Step `h` (default `1e-4`).
    pub h: f64,
    /// Central (default) or forward differences.
    pub kind: Difference,
}

impl<O> Numeric<O> {
    /// Central differences with `h = 1e-4`.
    pub fn new(inner: O) -> Self {
        Numeric {
            inner,
            h: 1e-4,
            kind: Difference::Central,
        }
    }
}

impl<T: Float, O: Objective<T>> Objective<T> for Numeric<O> {
    fn dim(&self) -> Option<usize> {
        self.inner.dim()
    }
    fn value(&self, x: &[T]) -> T {
        self.inner.value(x)
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let mut xx = x.to_vec();
        numerical_gradient(|p| self.inner.value(p), &mut xx, g, self.h, self.kind);
        self.inner.value(x)
    }
}

/// Hessian of `f` at `x` by central differences of its gradient, written row-major into
/// `hess` (`n × n`):
///
/// `Hᵢⱼ ≈ ½·[(∂ᵢf(x + hⱼeⱼ) − ∂ᵢf(x − hⱼeⱼ)) / 2hⱼ + (∂ⱼf(x + hᵢeᵢ) − ∂ⱼf(x − hᵢeᵢ)) / 2hᵢ]`
///
/// with `hⱼ = ε^{1/3}·max(1, |xⱼ|)` (ε the machine epsilon of `T`), i.e. the column
/// differences symmetrised. Costs `2n` gradient evaluations; `x` is perturbed and restored in
/// place; `gp` and `gm` are scratch buffers of length `n`.
pub fn numerical_hessian<T: Float, O: Objective<T> + ?Sized>(
    f: &O,
    x: &mut [T],
    hess: &mut [T],
    gp: &mut [T],
    gm: &mut [T],
) {
    let n = x.len();
    let base = T::epsilon().f64().cbrt();
    for j in 0..n {
        let tmp = x[j];
        let h = base * tmp.f64().abs().max(1.0);
        x[j] = tmp + T::of(h);
        f.gradient(x, gp);
        x[j] = tmp - T::of(h);
        f.gradient(x, gm);
        x[j] = tmp;
        let two_h = T::of(2.0 * h);
        for i in 0..n {
            hess[i * n + j] = (gp[i] - gm[i]) / two_h;
        }
    }
    let half = T::of(0.5);
    for i in 0..n {
        for j in i + 1..n {
            let s = (hess[i * n + j] + hess[j * n + i]) * half;
            hess[i * n + j] = s;
            hess[j * n + i] = s;
        }
    }
}
