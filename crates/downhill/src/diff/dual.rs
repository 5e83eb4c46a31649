//! Forward mode with hyper-dual numbers, for second derivatives (Newton's Hessian and
//! Hessian-vector products).
//!
//! A hyper-dual number is `a + b·ε₁ + c·ε₂ + d·ε₁ε₂` with `ε₁² = ε₂² = 0`. Evaluating `f` at
//! `x + u·ε₁ + v·ε₂` gives `f(x) + (∇f·u)ε₁ + (∇f·v)ε₂ + (uᵀ∇²f v)ε₁ε₂` exactly, with no step
//! size: for `u = eᵢ, v = eⱼ` the `ε₁ε₂` part is `Hᵢⱼ`. Chain rule of a unary `g`:
//!
//! ```text
//! g(a + bε₁ + cε₂ + dε₁ε₂) = g(a) + g'(a)b ε₁ + g'(a)c ε₂ + (g'(a)d + g''(a)bc) ε₁ε₂
//! ```
//!
//! Hand-written rather than the `num-dual` crate: the [`Scalar`] trait already supplies every
//! function's first and second derivative through `chain`/`chain2`, so the number type is the
//! two chain rules below, and no dependency (with its own trait hierarchy to bridge) is needed.

use std::ops::{Add, Div, Mul, Neg, Sub};

use super::scalar::{Partials2, Scalar};

/// `re + e1·ε₁ + e2·ε₂ + e12·ε₁ε₂`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HyperDual {
    /// Real part `f`.
    pub re: f64,
    /// `ε₁` part (directional derivative along the first seed).
    pub e1: f64,
    /// `ε₂` part (directional derivative along the second seed).
    pub e2: f64,
    /// `ε₁ε₂` part (second derivative `uᵀ∇²f v`).
    pub e12: f64,
}

/// `x·y`, but 0 when `y` is exactly 0 (so that an infinite or NaN local derivative does not
/// contaminate a direction the value does not depend on).
#[inline(always)]
fn m(x: f64, y: f64) -> f64 {
    if y == 0.0 {
        0.0
    } else {
        x * y
    }
}

impl HyperDual {
    /// A constant.
    pub fn cst(re: f64) -> Self {
        HyperDual {
            re,
            ..Default::default()
        }
    }
}

impl Scalar for HyperDual {
    fn value(&self) -> f64 {
        self.re
    }
    fn constant(&self, c: f64) -> Self {
        HyperDual::cst(c)
    }
    fn chain(self, f: f64, df: f64, d2f: f64) -> Self {
        HyperDual {
            re: f,
            e1: m(df, self.e1),
            e2: m(df, self.e2),
            e12: m(df, self.e12) + m(d2f, self.e1 * self.e2),
        }
    }
    fn chain2(self, b: Self, p: Partials2) -> Self {
        let a = self;
        HyperDual {
            re: p.f,
            e1: m(p.fa, a.e1) + m(p.fb, b.e1),
            e2: m(p.fa, a.e2) + m(p.fb, b.e2),
            e12: m(p.fa, a.e12)
                + m(p.fb, b.e12)
                + m(p.faa, a.e1 * a.e2)
                + m(p.fab, a.e1 * b.e2 + a.e2 * b.e1)
                + m(p.fbb, b.e1 * b.e2),
        }
    }
}

impl Add for HyperDual {
    type Output = Self;
    fn add(self, b: Self) -> Self {
        HyperDual {
            re: self.re + b.re,
            e1: self.e1 + b.e1,
            e2: self.e2 + b.e2,
            e12: self.e12 + b.e12,
        }
    }
}

impl Sub for HyperDual {
    type Output = Self;
    fn sub(self, b: Self) -> Self {
        self + (-b)
    }
}

impl Mul for HyperDual {
    type Output = Self;
    fn mul(self, b: Self) -> Self {
        HyperDual {
            re: self.re * b.re,
            e1: self.re * b.e1 + self.e1 * b.re,
            e2: self.re * b.e2 + self.e2 * b.re,
            e12: self.re * b.e12 + self.e1 * b.e2 + self.e2 * b.e1 + self.e12 * b.re,
        }
    }
}

impl Div for HyperDual {
    type Output = Self;
    fn div(self, b: Self) -> Self {
        let (x, y) = (self.re, b.re);
        let r = 1.0 / y;
        self.chain2(
            b,
            Partials2 {
                f: x / y,
                fa: r,
                fb: -x * r * r,
                faa: 0.0,
                fab: -r * r,
                fbb: 2.0 * x * r * r * r,
            },
        )
    }
}

impl Neg for HyperDual {
    type Output = Self;
    fn neg(self) -> Self {
        self * -1.0
    }
}

impl Add<f64> for HyperDual {
    type Output = Self;
    fn add(self, c: f64) -> Self {
        HyperDual {
            re: self.re + c,
            ..self
        }
    }
}

impl Sub<f64> for HyperDual {
    type Output = Self;
    fn sub(self, c: f64) -> Self {
        self + -c
    }
}

impl Mul<f64> for HyperDual {
    type Output = Self;
    fn mul(self, c: f64) -> Self {
        HyperDual {
            re: self.re * c,
            e1: self.e1 * c,
            e2: self.e2 * c,
            e12: self.e12 * c,
        }
    }
}

impl Div<f64> for HyperDual {
    type Output = Self;
    fn div(self, c: f64) -> Self {
        HyperDual {
            re: self.re / c,
            e1: self.e1 / c,
            e2: self.e2 / c,
            e12: self.e12 / c,
        }
    }
}

/// Seeds `x + u·ε₁ + v·ε₂` into `buf` and evaluates `f` there.
fn eval_at<F: Fn(&[HyperDual]) -> HyperDual>(
    f: &F,
    x: &[f64],
    u: impl Fn(usize) -> f64,
    v: impl Fn(usize) -> f64,
    buf: &mut Vec<HyperDual>,
) -> HyperDual {
    buf.clear();
    buf.extend(x.iter().enumerate().map(|(k, &re)| HyperDual {
        re,
        e1: u(k),
        e2: v(k),
        e12: 0.0,
    }));
    f(buf)
}

/// The Hessian of `f` at `x`, row-major `n × n` into `h`; returns `f(x)`.
///
/// `n(n+1)/2` hyper-dual evaluations (one per entry of the upper triangle, mirrored), exact to
/// rounding. Meant for the small `n` of Newton's method.
pub fn hessian<F: Fn(&[HyperDual]) -> HyperDual>(f: F, x: &[f64], h: &mut [f64]) -> f64 {
    let n = x.len();
    assert_eq!(h.len(), n * n, "hessian: h must have n² entries");
    let mut buf = Vec::with_capacity(n);
    let mut fx = f64::NAN;
    for i in 0..n {
        for j in i..n {
            let r = eval_at(
                &f,
                x,
                |k| f64::from(k == i),
                |k| f64::from(k == j),
                &mut buf,
            );
            fx = r.re;
            h[i * n + j] = r.e12;
            h[j * n + i] = r.e12;
        }
    }
    if n == 0 {
        fx = f(&[]).re;
    }
    fx
}

/// The Hessian-vector product `∇²f(x)·v` into `hv` (`n` hyper-dual evaluations); returns `f(x)`.
pub fn hessian_vector<F: Fn(&[HyperDual]) -> HyperDual>(
    f: F,
    x: &[f64],
    v: &[f64],
    hv: &mut [f64],
) -> f64 {
    let mut buf = Vec::with_capacity(x.len());
    let mut fx = f(&x.iter().map(|&re| HyperDual::cst(re)).collect::<Vec<_>>()).re;
    for (i, out) in hv.iter_mut().enumerate() {
        let r = eval_at(&f, x, |k| f64::from(k == i), |k| v[k], &mut buf);
        fx = r.re;
        *out = r.e12;
    }
    fx
}

/// The directional derivative `∇f(x)·v` (one evaluation); returns `(f(x), ∇f(x)·v)`.
pub fn directional<F: Fn(&[HyperDual]) -> HyperDual>(f: F, x: &[f64], v: &[f64]) -> (f64, f64) {
    let mut buf = Vec::with_capacity(x.len());
    let r = eval_at(&f, x, |k| v[k], |_| 0.0, &mut buf);
    (r.re, r.e1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn hessian_of_rosenbrock_2d() {
        let f =
            |x: &[HyperDual]| (x[0].rsub(1.0)).square() + (x[1] - x[0].square()).square() * 100.0;
        let (a, b) = (-1.2, 1.0);
        let mut h = [0.0; 4];
        let fx = hessian(f, &[a, b], &mut h);
        assert!(close(
            fx,
            (1.0 - a) * (1.0 - a) + 100.0 * (b - a * a) * (b - a * a)
        ));
        let want = [
            1200.0 * a * a - 400.0 * b + 2.0,
            -400.0 * a,
            -400.0 * a,
            200.0,
        ];
        for k in 0..4 {
            assert!(close(h[k], want[k]), "{k}: {} vs {}", h[k], want[k]);
        }
        let mut hv = [0.0; 2];
        hessian_vector(f, &[a, b], &[1.0, 2.0], &mut hv);
        assert!(close(hv[0], want[0] + 2.0 * want[1]) && close(hv[1], want[2] + 2.0 * want[3]));
        let (_, d) = directional(f, &[a, b], &[0.0, 1.0]);
        assert!(close(d, 200.0 * (b - a * a)));
    }

    #[test]
    fn second_derivatives_of_elementary_functions() {
        let a = 0.6_f64;
        type Case = (fn(HyperDual) -> HyperDual, f64);
        let cases: Vec<Case> = vec![
            (|x| x.exp(), a.exp()),
            (|x| x.ln(), -1.0 / (a * a)),
            (|x| x.sqrt(), -0.25 * a.powf(-1.5)),
            (|x| x.sin(), -a.sin()),
            (|x| x.cos(), -a.cos()),
            (|x| x.tan(), 2.0 * a.tan() / (a.cos() * a.cos())),
            (|x| x.tanh(), -2.0 * a.tanh() * (1.0 - a.tanh() * a.tanh())),
            (|x| x.powi(4), 12.0 * a * a),
            (|x| x.powf(0.5), -0.25 * a.powf(-1.5)),
            (|x| x.recip(), 2.0 / (a * a * a)),
            (|x| x / (x + 1.0), -2.0 / (a + 1.0).powi(3)),
            (|x| x.pow(x), a.powf(a) * ((a.ln() + 1.0).powi(2) + 1.0 / a)),
            (|x| x.log10(), -1.0 / (a * a * std::f64::consts::LN_10)),
        ];
        for (k, (f, d2)) in cases.into_iter().enumerate() {
            let mut h = [0.0];
            hessian(|v| f(v[0]), &[a], &mut h);
            assert!(close(h[0], d2), "case {k}: {} vs {d2}", h[0]);
        }
    }
}
