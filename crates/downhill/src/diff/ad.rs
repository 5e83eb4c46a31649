//! [`Ad`]: an [`Objective`] from a function written once over [`Scalar`] ([`ScalarFn`]), with
//! the reverse-mode gradient and the hyper-dual Hessian.

use std::sync::{Mutex, MutexGuard};

use super::dual::{hessian, hessian_vector, HyperDual};
use super::reverse::{gradient_with, Workspace};
use super::scalar::Scalar;
use crate::{Float, Objective};

/// A function `ℝⁿ → ℝ` written once, generically over the [`Scalar`] number type.
///
/// ```
/// use downhill::diff::{Ad, Scalar, ScalarFn};
/// use downhill::Objective;
///
/// struct Bowl;
/// impl ScalarFn for Bowl {
///     fn eval<S: Scalar>(&self, x: &[S]) -> S {
///         (x[0] - 1.0).square() + x[1].square() * 10.0
///     }
/// }
/// let f = Ad::new(Bowl);
/// let mut g = [0.0; 2];
/// assert_eq!(f.gradient(&[3.0_f64, 1.0], &mut g), 14.0);
/// assert_eq!(g, [4.0, 20.0]);
/// ```
pub trait ScalarFn {
    /// The required length of `x`, or `None` when any length works.
    fn dim(&self) -> Option<usize> {
        None
    }
    /// `f(x)`.
    fn eval<S: Scalar>(&self, x: &[S]) -> S;
}

impl<F: ScalarFn + ?Sized> ScalarFn for &F {
    fn dim(&self) -> Option<usize> {
        (**self).dim()
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        (**self).eval(x)
    }
}

#[derive(Debug, Default)]
struct Scratch {
    ws: Workspace,
    x: Vec<f64>,
    g: Vec<f64>,
}

/// The objective of a [`ScalarFn`]: `value` evaluates it as `f64`, `gradient` records it on a
/// reused tape and sweeps back once, `hessian` uses hyper-dual numbers (`n(n+1)/2` passes).
///
/// Evaluation is in `f64` whatever `T` is (for `f32` the point is widened and the results
/// rounded); the working memory sits behind a `Mutex`, so `Ad` is `Send + Sync`.
#[derive(Debug)]
pub struct Ad<F> {
    /// The function.
    pub f: F,
    scratch: Mutex<Scratch>,
}

impl<F: ScalarFn> Ad<F> {
    /// Wraps `f`.
    pub fn new(f: F) -> Self {
        Ad {
            f,
            scratch: Mutex::new(Scratch::default()),
        }
    }

    fn scratch(&self) -> MutexGuard<'_, Scratch> {
        self.scratch.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<F: ScalarFn + Clone> Clone for Ad<F> {
    fn clone(&self) -> Self {
        Ad::new(self.f.clone())
    }
}

fn widen<T: Float>(x: &[T], buf: &mut Vec<f64>) {
    buf.clear();
    buf.extend(x.iter().map(|v| v.f64()));
}

impl<T: Float, F: ScalarFn> Objective<T> for Ad<F> {
    fn dim(&self) -> Option<usize> {
        self.f.dim()
    }

    fn value(&self, x: &[T]) -> T {
        if let Some(x) = T::as_f64s(x) {
            return T::of(self.f.eval(x));
        }
        let mut s = self.scratch();
        widen(x, &mut s.x);
        T::of(self.f.eval(&s.x[..]))
    }

    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let mut guard = self.scratch();
        let s = &mut *guard;
        let f = &self.f;
        if let (Some(xs), Some(gs)) = (T::as_f64s(x), T::as_f64s_mut(g)) {
            return T::of(gradient_with(&mut s.ws, |v| f.eval(v), xs, gs));
        }
        widen(x, &mut s.x);
        s.g.clear();
        s.g.resize(x.len(), 0.0);
        let fx = gradient_with(&mut s.ws, |v| f.eval(v), &s.x, &mut s.g);
        for (gi, &v) in g.iter_mut().zip(&s.g) {
            *gi = T::of(v);
        }
        T::of(fx)
    }

    fn hessian_vector(&self, x: &[T], v: &[T], hv: &mut [T]) -> bool {
        let xs: Vec<f64> = x.iter().map(|v| v.f64()).collect();
        let vs: Vec<f64> = v.iter().map(|v| v.f64()).collect();
        let mut out = vec![0.0; xs.len()];
        hessian_vector(|p: &[HyperDual]| self.f.eval(p), &xs, &vs, &mut out);
        for (o, &r) in hv.iter_mut().zip(&out) {
            *o = T::of(r);
        }
        true
    }

    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        let xs: Vec<f64> = x.iter().map(|v| v.f64()).collect();
        let mut hs = vec![0.0; xs.len() * xs.len()];
        hessian(|v: &[HyperDual]| self.f.eval(v), &xs, &mut hs);
        for (hi, &v) in h.iter_mut().zip(&hs) {
            *hi = T::of(v);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Cubic;
    impl ScalarFn for Cubic {
        fn dim(&self) -> Option<usize> {
            Some(2)
        }
        fn eval<S: Scalar>(&self, x: &[S]) -> S {
            x[0].powi(3) * x[1] + x[1].exp()
        }
    }

    #[test]
    fn value_gradient_hessian_in_f64_and_f32() {
        let f = Ad::new(Cubic);
        let x = [2.0_f64, 0.5];
        let mut g = [0.0; 2];
        let v = f.gradient(&x, &mut g);
        assert_eq!(v, 4.0 + 0.5f64.exp());
        assert_eq!(Objective::<f64>::value(&f, &x), v);
        assert_eq!(g, [6.0, 8.0 + 0.5f64.exp()]);
        let mut h = [0.0; 4];
        assert!(f.hessian(&x, &mut h));
        assert_eq!(h, [6.0, 12.0, 12.0, 0.5f64.exp()]);
        let xf = [2.0_f32, 0.5];
        let mut gf = [0.0_f32; 2];
        let vf = f.gradient(&xf, &mut gf);
        assert_eq!(vf, v as f32);
        assert_eq!(gf, [6.0, (8.0 + 0.5f64.exp()) as f32]);
        assert_eq!(Objective::<f32>::dim(&f), Some(2));
    }

    #[test]
    fn ad_objective_is_send_and_sync() {
        fn check<O: Send + Sync>(_: &O) {}
        check(&Ad::new(Cubic));
    }
}
