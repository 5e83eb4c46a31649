//! [`Scalar`]: the number type a function is written against once, and then evaluated as
//! plain `f64`, as a reverse-mode tape variable ([`super::reverse::Var`]) or as a hyper-dual
//! number ([`super::dual::HyperDual`]).
//!
//! Every elementary function is expressed by the chain rule through two primitives:
//! [`Scalar::chain`] (a unary function with its first and second derivative at the point) and
//! [`Scalar::chain2`] (a binary one with its gradient and Hessian). `f64` overrides every method
//! with the plain operation, so a generic function costs the same as a hand-written one there.

use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Second-order local derivatives of a binary operation `f(a, b)` at the point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Partials2 {
    /// `f(a, b)`.
    pub f: f64,
    /// `∂f/∂a`.
    pub fa: f64,
    /// `∂f/∂b`.
    pub fb: f64,
    /// `∂²f/∂a²`.
    pub faa: f64,
    /// `∂²f/∂a∂b`.
    pub fab: f64,
    /// `∂²f/∂b²`.
    pub fbb: f64,
}

/// A differentiable real number: the operations a test function or expression needs.
///
/// Write `fn f<S: Scalar>(x: &[S]) -> S` once; `f::<f64>` evaluates it, the tape variable
/// differentiates it in one backward pass, the hyper-dual number gives second derivatives.
/// Constants enter through the `f64` operator overloads (`x * 100.0`, `x - 1.0`) or
/// [`Scalar::constant`] (a constant in the same context as an existing scalar).
pub trait Scalar:
    Copy
    + Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// The plain value.
    fn value(&self) -> f64;
    /// The constant `c`, living where `self` lives (the same tape, for a tape variable).
    fn constant(&self, c: f64) -> Self;
    /// `g(self)` for a unary `g` with `g(a) = f`, `g'(a) = df`, `g''(a) = d2f`.
    fn chain(self, f: f64, df: f64, d2f: f64) -> Self;
    /// `g(self, other)` for a binary `g` with the given value and derivatives.
    fn chain2(self, other: Self, p: Partials2) -> Self;

    /// `self + Σ terms` (`self` is usually the constant 0). A tape variable records one node
    /// for the whole sum instead of one per addition.
    fn sum_of<I: Iterator<Item = Self>>(self, terms: I) -> Self {
        terms.fold(self, |s, t| s + t)
    }
    /// `c − self`.
    fn rsub(self, c: f64) -> Self {
        -self + c
    }
    /// `c / self`.
    fn rdiv(self, c: f64) -> Self {
        self.recip() * c
    }
    /// `1 / self`.
    fn recip(self) -> Self {
        let a = self.value();
        self.chain(1.0 / a, -1.0 / (a * a), 2.0 / (a * a * a))
    }
    /// `self²` (same as `powi(2)`).
    fn square(self) -> Self {
        self.powi(2)
    }
    /// `selfⁿ` for an integer `n`.
    fn powi(self, n: i32) -> Self {
        let a = self.value();
        let d1 = if n == 0 {
            0.0
        } else {
            n as f64 * a.powi(n - 1)
        };
        let d2 = if n == 0 || n == 1 {
            0.0
        } else {
            n as f64 * (n - 1) as f64 * a.powi(n - 2)
        };
        self.chain(a.powi(n), d1, d2)
    }
    /// `selfᵖ` for a constant real `p`.
    fn powf(self, p: f64) -> Self {
        let a = self.value();
        let d1 = if p == 0.0 { 0.0 } else { p * a.powf(p - 1.0) };
        let d2 = if p == 0.0 || p == 1.0 {
            0.0
        } else {
            p * (p - 1.0) * a.powf(p - 2.0)
        };
        self.chain(a.powf(p), d1, d2)
    }
    /// `selfᵇ` for a variable exponent (`exp(b·ln a)`; derivative in `b` needs `a > 0`).
    fn pow(self, b: Self) -> Self {
        let (a, e) = (self.value(), b.value());
        let f = a.powf(e);
        let ln = a.ln();
        let am1 = if e == 0.0 { 0.0 } else { a.powf(e - 1.0) };
        let am2 = if e == 0.0 || e == 1.0 {
            0.0
        } else {
            a.powf(e - 2.0)
        };
        self.chain2(
            b,
            Partials2 {
                f,
                fa: e * am1,
                fb: f * ln,
                faa: e * (e - 1.0) * am2,
                fab: am1 * (1.0 + e * ln),
                fbb: f * ln * ln,
            },
        )
    }
    /// `eˢᵉˡᶠ`.
    fn exp(self) -> Self {
        let e = self.value().exp();
        self.chain(e, e, e)
    }
    /// Natural logarithm.
    fn ln(self) -> Self {
        let a = self.value();
        self.chain(a.ln(), 1.0 / a, -1.0 / (a * a))
    }
    /// Base-10 logarithm.
    fn log10(self) -> Self {
        let a = self.value();
        let k = std::f64::consts::LN_10;
        self.chain(a.log10(), 1.0 / (a * k), -1.0 / (a * a * k))
    }
    /// Square root (derivative infinite at 0).
    fn sqrt(self) -> Self {
        let a = self.value();
        let s = a.sqrt();
        self.chain(s, 0.5 / s, -0.25 / (s * a))
    }
    /// Sine.
    fn sin(self) -> Self {
        let (s, c) = self.value().sin_cos();
        self.chain(s, c, -s)
    }
    /// Cosine.
    fn cos(self) -> Self {
        let (s, c) = self.value().sin_cos();
        self.chain(c, -s, -c)
    }
    /// Tangent.
    fn tan(self) -> Self {
        let t = self.value().tan();
        let d = 1.0 + t * t;
        self.chain(t, d, 2.0 * t * d)
    }
    /// Hyperbolic tangent.
    fn tanh(self) -> Self {
        let t = self.value().tanh();
        let d = 1.0 - t * t;
        self.chain(t, d, -2.0 * t * d)
    }
    /// Absolute value (derivative taken as 0 at 0).
    fn abs(self) -> Self {
        let a = self.value();
        self.chain(a.abs(), sign_of(a), 0.0)
    }
    /// Hyperbolic sine.
    fn sinh(self) -> Self {
        let a = self.value();
        let s = a.sinh();
        self.chain(s, a.cosh(), s)
    }
    /// Hyperbolic cosine.
    fn cosh(self) -> Self {
        let a = self.value();
        let c = a.cosh();
        self.chain(c, a.sinh(), c)
    }
    /// Arc tangent: `d/da atan a = 1/(1+a²)`, `d² = −2a/(1+a²)²`.
    fn atan(self) -> Self {
        let a = self.value();
        let d = 1.0 / (1.0 + a * a);
        self.chain(a.atan(), d, -2.0 * a * d * d)
    }
    /// Arc sine on [−1, 1]: `d = 1/√(1−a²)`, `d² = a/(1−a²)^{3/2}` (infinite at ±1).
    fn asin(self) -> Self {
        let a = self.value();
        let d = 1.0 / (1.0 - a * a).sqrt();
        self.chain(a.asin(), d, a * d * d * d)
    }
    /// Arc cosine on [−1, 1]: minus the derivatives of `asin`.
    fn acos(self) -> Self {
        let a = self.value();
        let d = 1.0 / (1.0 - a * a).sqrt();
        self.chain(a.acos(), -d, -a * d * d * d)
    }
    /// `atan2(self, x)`: the angle of the point `(x, self)` in (−π, π], as C's and NumPy's
    /// `atan2(y, x)`. With `r² = x² + y²`: `∂/∂y = x/r²`, `∂/∂x = −y/r²`.
    fn atan2(self, x: Self) -> Self {
        let (y, xv) = (self.value(), x.value());
        let r2 = xv * xv + y * y;
        let r4 = r2 * r2;
        self.chain2(
            x,
            Partials2 {
                f: y.atan2(xv),
                fa: xv / r2,
                fb: -y / r2,
                faa: -2.0 * xv * y / r4,
                fab: (y * y - xv * xv) / r4,
                fbb: 2.0 * xv * y / r4,
            },
        )
    }
    /// The sign, as `torch.sign`: −1, 0 or 1 (NaN stays NaN); derivative 0.
    fn sign(self) -> Self {
        self.chain(sign_of(self.value()), 0.0, 0.0)
    }
    /// The larger of the two (the first on ties; NaN if either is NaN, as `torch.maximum`);
    /// its derivatives are those of the one chosen.
    fn max(self, other: Self) -> Self {
        if other.value() > self.value() || other.value().is_nan() {
            other
        } else {
            self
        }
    }
    /// The smaller of the two (the first on ties; NaN if either is NaN, as `torch.minimum`).
    fn min(self, other: Self) -> Self {
        if other.value() < self.value() || other.value().is_nan() {
            other
        } else {
            self
        }
    }
    /// `then` where `self ≠ 0` (NaN counts as true, as in C and NumPy), else `otherwise`;
    /// the derivatives are those of the branch taken (the condition's are not used).
    fn select(self, then: Self, otherwise: Self) -> Self {
        if self.value() != 0.0 {
            then
        } else {
            otherwise
        }
    }
}

impl Scalar for f64 {
    #[inline(always)]
    fn value(&self) -> f64 {
        *self
    }
    #[inline(always)]
    fn constant(&self, c: f64) -> Self {
        c
    }
    #[inline(always)]
    fn chain(self, f: f64, _df: f64, _d2f: f64) -> Self {
        f
    }
    #[inline(always)]
    fn chain2(self, _other: Self, p: Partials2) -> Self {
        p.f
    }
    #[inline(always)]
    fn rsub(self, c: f64) -> Self {
        c - self
    }
    #[inline(always)]
    fn rdiv(self, c: f64) -> Self {
        c / self
    }
    #[inline(always)]
    fn recip(self) -> Self {
        1.0 / self
    }
    #[inline(always)]
    fn square(self) -> Self {
        self * self
    }
    #[inline(always)]
    fn powi(self, n: i32) -> Self {
        f64::powi(self, n)
    }
    #[inline(always)]
    fn powf(self, p: f64) -> Self {
        f64::powf(self, p)
    }
    #[inline(always)]
    fn pow(self, b: Self) -> Self {
        f64::powf(self, b)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline(always)]
    fn ln(self) -> Self {
        f64::ln(self)
    }
    #[inline(always)]
    fn log10(self) -> Self {
        f64::log10(self)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn sin(self) -> Self {
        f64::sin(self)
    }
    #[inline(always)]
    fn cos(self) -> Self {
        f64::cos(self)
    }
    #[inline(always)]
    fn tan(self) -> Self {
        f64::tan(self)
    }
    #[inline(always)]
    fn tanh(self) -> Self {
        f64::tanh(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f64::abs(self)
    }
    #[inline(always)]
    fn sinh(self) -> Self {
        f64::sinh(self)
    }
    #[inline(always)]
    fn cosh(self) -> Self {
        f64::cosh(self)
    }
    #[inline(always)]
    fn atan(self) -> Self {
        f64::atan(self)
    }
    #[inline(always)]
    fn asin(self) -> Self {
        f64::asin(self)
    }
    #[inline(always)]
    fn acos(self) -> Self {
        f64::acos(self)
    }
    #[inline(always)]
    fn atan2(self, x: Self) -> Self {
        f64::atan2(self, x)
    }
}

/// `torch.sign`: −1, 0 (keeping the zero's sign) or 1; NaN for NaN.
fn sign_of(a: f64) -> f64 {
    if a > 0.0 {
        1.0
    } else if a < 0.0 {
        -1.0
    } else {
        a * 0.0
    }
}

/// `Σ terms`, starting from the constant 0 in the context of `like`.
pub fn sum<S: Scalar>(like: S, terms: impl Iterator<Item = S>) -> S {
    like.constant(0.0).sum_of(terms)
}
