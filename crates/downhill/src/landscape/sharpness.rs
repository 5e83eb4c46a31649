//! Sharpness of a minimum: the largest Hessian eigenvalue by power iteration on
//! Hessian-vector products, and Keskar et al.'s ε-sharpness.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::{Float, Objective};

/// The result of [`hessian_max_eigenvalue`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eigen {
    /// The largest eigenvalue λ_max of `∇²f(x)`.
    pub value: f64,
    /// Hessian-vector products used (both phases).
    pub products: usize,
    /// Whether the Rayleigh quotient settled to `tol` within the iteration budget.
    pub converged: bool,
}

/// `H·v` by central differences of the gradient,
/// `Hv ≈ (∇f(x + h·v) − ∇f(x − h·v)) / (2h)` for a unit `v`, with
/// `h = ε^{1/3} · max(1, ‖x‖₂)` (ε the machine epsilon of `T`: the step balancing the O(h²)
/// truncation error against the O(ε/h) rounding error). The result is exact up to rounding
/// when `f` is quadratic (linear regression), since then the gradient is affine in `x`.
fn hvp<T: Float>(f: &dyn Objective<T>, x: &[T], v: &[f64], buf: &mut Bufs<T>) -> Vec<f64> {
    let h = T::epsilon().f64().cbrt() * norm(x).max(1.0);
    for (sign, g) in [(1.0, 0), (-1.0, 1)] {
        for ((p, &xi), &vi) in buf.point.iter_mut().zip(x).zip(v) {
            *p = T::of(xi.f64() + sign * h * vi);
        }
        f.gradient(&buf.point, &mut buf.grads[g]);
    }
    buf.grads[0]
        .iter()
        .zip(&buf.grads[1])
        .map(|(a, b)| (a.f64() - b.f64()) / (2.0 * h))
        .collect()
}

struct Bufs<T> {
    point: Vec<T>,
    grads: [Vec<T>; 2],
}

fn norm<T: Float>(v: &[T]) -> f64 {
    v.iter().map(|x| x.f64() * x.f64()).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Power iteration on `v ↦ H·v − shift·v` from a seeded Gaussian start: `v ← w/‖w‖`, with the
/// Rayleigh quotient `μ = vᵀ(H − shift)v` until `|μₖ − μₖ₋₁| ≤ tol·|μₖ|`. Returns
/// (μ, products, converged).
fn power<T: Float>(
    f: &dyn Objective<T>,
    x: &[T],
    shift: f64,
    iterations: usize,
    tol: f64,
    rng: &mut ChaCha8Rng,
    buf: &mut Bufs<T>,
) -> (f64, usize, bool) {
    let mut v: Vec<f64> = (0..x.len()).map(|_| StandardNormal.sample(rng)).collect();
    let n0 = dot(&v, &v).sqrt();
    v.iter_mut().for_each(|e| *e /= n0);
    let mut mu = f64::NAN;
    for k in 1..=iterations {
        let mut w = hvp(f, x, &v, buf);
        w.iter_mut().zip(&v).for_each(|(a, b)| *a -= shift * b);
        let next = dot(&v, &w);
        let len = dot(&w, &w).sqrt();
        let settled = (next - mu).abs() <= tol * next.abs();
        mu = next;
        if settled || len == 0.0 || !len.is_finite() {
            return (mu, k, settled || len == 0.0);
        }
        v = w.into_iter().map(|e| e / len).collect();
    }
    (mu, iterations, false)
}

/// The largest eigenvalue of the Hessian of `f` at `x`, by power iteration on finite-difference
/// Hessian-vector products (see `hvp`: central differences of the gradient, so any
/// [`Objective`] works and nothing beyond its gradient is needed).
///
/// Power iteration converges to the eigenvalue of largest magnitude, λ₁. When λ₁ < 0 (a
/// saddle or maximum), a second run on `H − λ₁·I`, whose spectrum is shifted to be ≥ 0, gives
/// `λ_max − λ₁` as its dominant eigenvalue, hence λ_max. `iterations` bounds each run.
pub fn hessian_max_eigenvalue<T: Float>(
    f: &dyn Objective<T>,
    x: &[T],
    iterations: usize,
    tol: f64,
    seed: u64,
) -> Eigen {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut buf = Bufs {
        point: x.to_vec(),
        grads: [x.to_vec(), x.to_vec()],
    };
    let (l1, k1, ok1) = power(f, x, 0.0, iterations, tol, &mut rng, &mut buf);
    if l1 >= 0.0 || !l1.is_finite() {
        return Eigen {
            value: l1,
            products: k1,
            converged: ok1,
        };
    }
    let (mu, k2, ok2) = power(f, x, l1, iterations, tol, &mut rng, &mut buf);
    Eigen {
        value: mu + l1,
        products: k1 + k2,
        converged: ok1 && ok2,
    }
}

/// Keskar et al. 2017's ε-sharpness (their metric 2.1 with `A = I`, in percent):
///
/// `φ(x, ε) = 100 · (max_{y ∈ C_ε} f(x + y) − f(x)) / (1 + f(x))`,
/// `C_ε = { y : |yᵢ| ≤ ε·(|xᵢ| + 1) }`.
///
/// Keskar et al. solve the inner maximisation with L-BFGS-B; here it is projected
/// sign-gradient ascent (the L∞-box form of projected gradient ascent): from a seeded
/// uniform point of the box, `steps` updates `yᵢ ← clip(yᵢ + (εᵢ/2)·sign(∂ᵢf(x + y)), ±εᵢ)`
/// with `εᵢ = ε·(|xᵢ| + 1)`, keeping the largest value seen. Like theirs, it is a local
/// method: the result is a lower bound of the maximum, exact when `f` is linear or a
/// separable convex quadratic on the box.
pub fn epsilon_sharpness<T: Float>(
    f: &dyn Objective<T>,
    x: &[T],
    epsilon: f64,
    steps: usize,
    seed: u64,
) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let width: Vec<f64> = x.iter().map(|v| epsilon * (v.f64().abs() + 1.0)).collect();
    let mut y: Vec<f64> = width.iter().map(|&w| rng.random_range(-w..=w)).collect();
    let fx = f.value(x).f64();
    let mut point = x.to_vec();
    let mut g = x.to_vec();
    let mut best = f64::NEG_INFINITY;
    for k in 0..=steps {
        for ((p, &xi), &yi) in point.iter_mut().zip(x).zip(&y) {
            *p = T::of(xi.f64() + yi);
        }
        let v = if k < steps {
            f.gradient(&point, &mut g).f64()
        } else {
            f.value(&point).f64()
        };
        if v > best || best.is_nan() {
            best = v;
        }
        if k < steps {
            for ((yi, gi), &w) in y.iter_mut().zip(&g).zip(&width) {
                let s = gi.f64();
                let dir = if s > 0.0 {
                    1.0
                } else if s < 0.0 {
                    -1.0
                } else {
                    0.0
                };
                *yi = (*yi + 0.5 * w * dir).clamp(-w, w);
            }
        }
    }
    100.0 * (best - fx) / (1.0 + fx)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `½ Σ hᵢ (xᵢ − mᵢ)² + c`.
    struct Quad {
        h: Vec<f64>,
        m: Vec<f64>,
        c: f64,
    }

    impl Objective<f64> for Quad {
        fn value(&self, x: &[f64]) -> f64 {
            let s: f64 = (0..x.len())
                .map(|i| 0.5 * self.h[i] * (x[i] - self.m[i]).powi(2))
                .sum();
            s + self.c
        }
        fn gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
            for i in 0..x.len() {
                g[i] = self.h[i] * (x[i] - self.m[i]);
            }
            self.value(x)
        }
    }

    #[test]
    fn epsilon_sharpness_of_a_separable_quadratic_is_its_corner_value() {
        let q = Quad {
            h: vec![4.0, 0.5, 2.0],
            m: vec![1.0, -2.0, 0.25],
            c: 0.3,
        };
        let eps = 1e-3;
        let want: f64 = (0..3)
            .map(|i| 0.5 * q.h[i] * (eps * (q.m[i].abs() + 1.0)).powi(2))
            .sum::<f64>()
            * 100.0
            / 1.3;
        let got = epsilon_sharpness(&q, &q.m, eps, 20, 5);
        assert!((got - want).abs() <= 1e-9 * want, "{got} vs {want}");
    }

    #[test]
    fn power_iteration_finds_the_largest_eigenvalue_even_when_another_is_more_negative() {
        let q = Quad {
            h: vec![3.0, -7.0, 1.0, 0.5],
            m: vec![0.0; 4],
            c: 0.0,
        };
        let e = hessian_max_eigenvalue(&q, &[0.3, -0.2, 0.1, 1.0], 500, 1e-13, 1);
        assert!(e.converged && (e.value - 3.0).abs() < 1e-6, "{e:?}");
    }
}
