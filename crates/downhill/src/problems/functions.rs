//! The test functions themselves (see the table in the module docs).

use crate::{Float, Objective};

#[inline(always)]
fn c<T: Float>(x: f64) -> T {
    T::of(x)
}

/// Writes the diagonal Hessian `diag(d(x₀), …, d(xₙ₋₁))` of a separable function.
fn diagonal<T: Float>(x: &[T], h: &mut [T], d: impl Fn(T) -> T) -> bool {
    let n = x.len();
    h.iter_mut().for_each(|v| *v = T::zero());
    for (i, &v) in x.iter().enumerate() {
        h[i * n + i] = d(v);
    }
    true
}

macro_rules! unit {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name;
    };
}

unit!(
    /// `Σ xᵢ²`.
    Sphere
);
unit!(
    /// `0.1·x₀² + 2·x₁²`: condition number 20, a narrow valley.
    IllConditioned
);
unit!(
    /// `Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²`, any dimension ≥ 2.
    Rosenbrock
);
unit!(
    /// Beale's function (2-D).
    Beale
);
unit!(
    /// Booth's function (2-D).
    Booth
);
unit!(
    /// Himmelblau's function (2-D), four global minima.
    Himmelblau
);
unit!(
    /// `x₀² − x₁²`, a saddle at the origin.
    Saddle
);
unit!(
    /// `x₀³ − 3x₀x₁²`, the monkey saddle.
    MonkeySaddle
);
unit!(
    /// Rastrigin with A = 10, any dimension.
    Rastrigin
);
unit!(
    /// Ackley with a = 20, b = 0.2, c = 2π, any dimension.
    Ackley
);
unit!(
    /// Styblinski–Tang, any dimension.
    StyblinskiTang
);
unit!(
    /// Six-hump camel (2-D).
    SixHumpCamel
);
unit!(
    /// `Σ (xᵢ² − 1)²`, two wells per coordinate.
    DoubleWell
);

impl<T: Float> Objective<T> for Sphere {
    fn value(&self, x: &[T]) -> T {
        x.iter().fold(T::zero(), |s, &v| s + v * v)
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        for (gi, &xi) in g.iter_mut().zip(x) {
            *gi = c::<T>(2.0) * xi;
        }
        self.value(x)
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        diagonal(x, h, |_| c::<T>(2.0))
    }
}

impl<T: Float> Objective<T> for IllConditioned {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn value(&self, x: &[T]) -> T {
        c::<T>(0.1) * x[0] * x[0] + c::<T>(2.0) * x[1] * x[1]
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        g[0] = c::<T>(0.2) * x[0];
        g[1] = c::<T>(4.0) * x[1];
        self.value(x)
    }
    fn hessian(&self, _x: &[T], h: &mut [T]) -> bool {
        h.copy_from_slice(&[c::<T>(0.2), T::zero(), T::zero(), c::<T>(4.0)]);
        true
    }
}

impl<T: Float> Objective<T> for Rosenbrock {
    fn value(&self, x: &[T]) -> T {
        let mut s = T::zero();
        for i in 0..x.len().saturating_sub(1) {
            let a = x[i + 1] - x[i] * x[i];
            let b = T::one() - x[i];
            s += c::<T>(100.0) * a * a + b * b;
        }
        s
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        g.iter_mut().for_each(|v| *v = T::zero());
        for i in 0..x.len().saturating_sub(1) {
            let a = x[i + 1] - x[i] * x[i];
            let b = T::one() - x[i];
            g[i] += c::<T>(-400.0) * x[i] * a - c::<T>(2.0) * b;
            g[i + 1] += c::<T>(200.0) * a;
        }
        self.value(x)
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        let n = x.len();
        h.iter_mut().for_each(|v| *v = T::zero());
        for i in 0..n.saturating_sub(1) {
            let a = x[i + 1] - x[i] * x[i];
            h[i * n + i] += c::<T>(-400.0) * a + c::<T>(800.0) * x[i] * x[i] + c::<T>(2.0);
            h[i * n + i + 1] += c::<T>(-400.0) * x[i];
            h[(i + 1) * n + i] += c::<T>(-400.0) * x[i];
            h[(i + 1) * n + i + 1] += c::<T>(200.0);
        }
        true
    }
}

impl<T: Float> Objective<T> for Beale {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn value(&self, x: &[T]) -> T {
        let (a, b) = (x[0], x[1]);
        let t1 = c::<T>(1.5) - a + a * b;
        let t2 = c::<T>(2.25) - a + a * b * b;
        let t3 = c::<T>(2.625) - a + a * b * b * b;
        t1 * t1 + t2 * t2 + t3 * t3
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let (a, b) = (x[0], x[1]);
        let two = c::<T>(2.0);
        let t1 = c::<T>(1.5) - a + a * b;
        let t2 = c::<T>(2.25) - a + a * b * b;
        let t3 = c::<T>(2.625) - a + a * b * b * b;
        g[0] = two * t1 * (b - T::one())
            + two * t2 * (b * b - T::one())
            + two * t3 * (b * b * b - T::one());
        g[1] = two * t1 * a + two * t2 * two * a * b + two * t3 * c::<T>(3.0) * a * b * b;
        t1 * t1 + t2 * t2 + t3 * t3
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        // f = Σ tᵢ², H = 2 Σ (∇tᵢ ∇tᵢᵀ + tᵢ ∇²tᵢ)
        let (a, b) = (x[0], x[1]);
        let (one, two, three) = (T::one(), c::<T>(2.0), c::<T>(3.0));
        let t = [
            c::<T>(1.5) - a + a * b,
            c::<T>(2.25) - a + a * b * b,
            c::<T>(2.625) - a + a * b * b * b,
        ];
        let da = [b - one, b * b - one, b * b * b - one];
        let db = [a, two * a * b, three * a * b * b];
        let dab = [one, two * b, three * b * b];
        let dbb = [T::zero(), two * a, c::<T>(6.0) * a * b];
        let (mut haa, mut hab, mut hbb) = (T::zero(), T::zero(), T::zero());
        for i in 0..3 {
            haa += two * da[i] * da[i];
            hab += two * (da[i] * db[i] + t[i] * dab[i]);
            hbb += two * (db[i] * db[i] + t[i] * dbb[i]);
        }
        h.copy_from_slice(&[haa, hab, hab, hbb]);
        true
    }
}

impl<T: Float> Objective<T> for Booth {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn value(&self, x: &[T]) -> T {
        let p = x[0] + c::<T>(2.0) * x[1] - c::<T>(7.0);
        let q = c::<T>(2.0) * x[0] + x[1] - c::<T>(5.0);
        p * p + q * q
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let p = x[0] + c::<T>(2.0) * x[1] - c::<T>(7.0);
        let q = c::<T>(2.0) * x[0] + x[1] - c::<T>(5.0);
        g[0] = c::<T>(2.0) * p + c::<T>(4.0) * q;
        g[1] = c::<T>(4.0) * p + c::<T>(2.0) * q;
        p * p + q * q
    }
    fn hessian(&self, _x: &[T], h: &mut [T]) -> bool {
        h.copy_from_slice(&[c::<T>(10.0), c::<T>(8.0), c::<T>(8.0), c::<T>(10.0)]);
        true
    }
}

impl<T: Float> Objective<T> for Himmelblau {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn value(&self, x: &[T]) -> T {
        let p = x[0] * x[0] + x[1] - c::<T>(11.0);
        let q = x[0] + x[1] * x[1] - c::<T>(7.0);
        p * p + q * q
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let p = x[0] * x[0] + x[1] - c::<T>(11.0);
        let q = x[0] + x[1] * x[1] - c::<T>(7.0);
        g[0] = c::<T>(4.0) * x[0] * p + c::<T>(2.0) * q;
        g[1] = c::<T>(2.0) * p + c::<T>(4.0) * x[1] * q;
        p * p + q * q
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        let p = x[0] * x[0] + x[1] - c::<T>(11.0);
        let q = x[0] + x[1] * x[1] - c::<T>(7.0);
        let off = c::<T>(4.0) * (x[0] + x[1]);
        h.copy_from_slice(&[
            c::<T>(4.0) * p + c::<T>(8.0) * x[0] * x[0] + c::<T>(2.0),
            off,
            off,
            c::<T>(2.0) + c::<T>(4.0) * q + c::<T>(8.0) * x[1] * x[1],
        ]);
        true
    }
}

impl<T: Float> Objective<T> for Saddle {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn value(&self, x: &[T]) -> T {
        x[0] * x[0] - x[1] * x[1]
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        g[0] = c::<T>(2.0) * x[0];
        g[1] = c::<T>(-2.0) * x[1];
        self.value(x)
    }
    fn hessian(&self, _x: &[T], h: &mut [T]) -> bool {
        h.copy_from_slice(&[c::<T>(2.0), T::zero(), T::zero(), c::<T>(-2.0)]);
        true
    }
}

impl<T: Float> Objective<T> for MonkeySaddle {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn value(&self, x: &[T]) -> T {
        x[0] * x[0] * x[0] - c::<T>(3.0) * x[0] * x[1] * x[1]
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        g[0] = c::<T>(3.0) * x[0] * x[0] - c::<T>(3.0) * x[1] * x[1];
        g[1] = c::<T>(-6.0) * x[0] * x[1];
        self.value(x)
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        let off = c::<T>(-6.0) * x[1];
        h.copy_from_slice(&[c::<T>(6.0) * x[0], off, off, c::<T>(-6.0) * x[0]]);
        true
    }
}

impl<T: Float> Objective<T> for Rastrigin {
    fn value(&self, x: &[T]) -> T {
        let tau = T::TAU();
        x.iter().fold(c::<T>(10.0 * x.len() as f64), |s, &v| {
            s + v * v - c::<T>(10.0) * (tau * v).cos()
        })
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let tau = T::TAU();
        for (gi, &v) in g.iter_mut().zip(x) {
            *gi = c::<T>(2.0) * v + c::<T>(10.0) * tau * (tau * v).sin();
        }
        self.value(x)
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        let tau = T::TAU();
        diagonal(x, h, |v| {
            c::<T>(2.0) + c::<T>(10.0) * tau * tau * (tau * v).cos()
        })
    }
}

impl<T: Float> Objective<T> for Ackley {
    fn value(&self, x: &[T]) -> T {
        let n = c::<T>(x.len() as f64);
        let tau = T::TAU();
        let sq = x.iter().fold(T::zero(), |s, &v| s + v * v) / n;
        let cs = x.iter().fold(T::zero(), |s, &v| s + (tau * v).cos()) / n;
        c::<T>(-20.0) * (c::<T>(-0.2) * sq.sqrt()).exp() - cs.exp() + c::<T>(20.0) + T::E()
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let n = c::<T>(x.len() as f64);
        let tau = T::TAU();
        let sq = x.iter().fold(T::zero(), |s, &v| s + v * v) / n;
        let cs = x.iter().fold(T::zero(), |s, &v| s + (tau * v).cos()) / n;
        let r = sq.sqrt();
        let e1 = (c::<T>(-0.2) * r).exp();
        let e2 = cs.exp();
        for (gi, &v) in g.iter_mut().zip(x) {
            // d/dx of −20·exp(−0.2 r) = 4·exp(−0.2 r)·x/(n r); 0 at r = 0 by symmetry.
            let t1 = if r > T::zero() {
                c::<T>(4.0) * e1 * v / (n * r)
            } else {
                T::zero()
            };
            *gi = t1 + e2 * tau * (tau * v).sin() / n;
        }
        c::<T>(-20.0) * e1 - e2 + c::<T>(20.0) + T::E()
    }
}

impl<T: Float> Objective<T> for StyblinskiTang {
    fn value(&self, x: &[T]) -> T {
        x.iter().fold(T::zero(), |s, &v| {
            s + v * v * v * v - c::<T>(16.0) * v * v + c::<T>(5.0) * v
        }) * c::<T>(0.5)
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        for (gi, &v) in g.iter_mut().zip(x) {
            *gi = c::<T>(2.0) * v * v * v - c::<T>(16.0) * v + c::<T>(2.5);
        }
        self.value(x)
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        diagonal(x, h, |v| c::<T>(6.0) * v * v - c::<T>(16.0))
    }
}

impl<T: Float> Objective<T> for SixHumpCamel {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn value(&self, x: &[T]) -> T {
        let (a, b) = (x[0], x[1]);
        let a2 = a * a;
        (c::<T>(4.0) - c::<T>(2.1) * a2 + a2 * a2 / c::<T>(3.0)) * a2
            + a * b
            + (c::<T>(-4.0) + c::<T>(4.0) * b * b) * b * b
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let (a, b) = (x[0], x[1]);
        let a2 = a * a;
        g[0] = c::<T>(8.0) * a - c::<T>(8.4) * a2 * a + c::<T>(2.0) * a2 * a2 * a + b;
        g[1] = a - c::<T>(8.0) * b + c::<T>(16.0) * b * b * b;
        self.value(x)
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        let (a, b) = (x[0], x[1]);
        let a2 = a * a;
        h.copy_from_slice(&[
            c::<T>(8.0) - c::<T>(25.2) * a2 + c::<T>(10.0) * a2 * a2,
            T::one(),
            T::one(),
            c::<T>(-8.0) + c::<T>(48.0) * b * b,
        ]);
        true
    }
}

impl<T: Float> Objective<T> for DoubleWell {
    fn value(&self, x: &[T]) -> T {
        x.iter().fold(T::zero(), |s, &v| {
            let w = v * v - T::one();
            s + w * w
        })
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        for (gi, &v) in g.iter_mut().zip(x) {
            *gi = c::<T>(4.0) * v * (v * v - T::one());
        }
        self.value(x)
    }
    fn hessian(&self, x: &[T], h: &mut [T]) -> bool {
        diagonal(x, h, |v| c::<T>(12.0) * v * v - c::<T>(4.0))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{by_name, NAMES};
    use crate::diff::check_gradient;

    #[test]
    fn analytic_gradients_match_central_differences() {
        let points: [[f64; 2]; 4] = [[0.3, -0.7], [1.1, 0.4], [-1.3, 2.2], [2.0, -0.5]];
        for name in NAMES {
            let f = by_name::<f64>(name).unwrap();
            for p in &points {
                let chk = check_gradient(f.as_ref(), p, 1e-5);
                assert!(chk.max_rel_error < 1e-6, "{name} at {p:?}: {chk:?}");
            }
        }
    }

    #[test]
    fn analytic_hessians_match_differences_of_the_gradient() {
        let points: [[f64; 2]; 4] = [[0.3, -0.7], [1.1, 0.4], [-1.3, 2.2], [2.0, -0.5]];
        let mut with_hessian = 0;
        for name in NAMES {
            let f = by_name::<f64>(name).unwrap();
            for p in &points {
                let mut h = [0.0; 4];
                if !f.hessian(p, &mut h) {
                    continue;
                }
                with_hessian += 1;
                let (mut x, mut hn, mut gp, mut gm) = (p.to_vec(), [0.0; 4], [0.0; 2], [0.0; 2]);
                crate::diff::numerical_hessian(f.as_ref(), &mut x, &mut hn, &mut gp, &mut gm);
                for k in 0..4 {
                    let err = (h[k] - hn[k]).abs() / h[k].abs().max(hn[k].abs()).max(1.0);
                    assert!(err < 1e-6, "{name} at {p:?}: {h:?} vs {hn:?}");
                }
                assert_eq!(h[1], h[2], "{name}: symmetric");
            }
        }
        // every built-in function but ackley
        assert_eq!(with_hessian, 4 * (NAMES.len() - 1));
        // rosenbrock in 3-D: tridiagonal
        let f = by_name::<f64>("rosenbrock").unwrap();
        let p = [0.5, -0.2, 1.3];
        let (mut h, mut hn) = ([0.0; 9], [0.0; 9]);
        assert!(f.hessian(&p, &mut h));
        let (mut x, mut gp, mut gm) = (p.to_vec(), [0.0; 3], [0.0; 3]);
        crate::diff::numerical_hessian(f.as_ref(), &mut x, &mut hn, &mut gp, &mut gm);
        for k in 0..9 {
            assert!(
                (h[k] - hn[k]).abs() < 1e-5 * h[k].abs().max(1.0),
                "{h:?} vs {hn:?}"
            );
        }
        assert_eq!((h[2], h[6]), (0.0, 0.0));
    }

    #[test]
    fn known_minima() {
        let cases: [(&str, [f64; 2], f64); 6] = [
            ("rosenbrock", [1.0, 1.0], 0.0),
            ("beale", [3.0, 0.5], 0.0),
            ("booth", [1.0, 3.0], 0.0),
            ("himmelblau", [3.0, 2.0], 0.0),
            ("ackley", [0.0, 0.0], 0.0),
            ("rastrigin", [0.0, 0.0], 0.0),
        ];
        for (name, x, fx) in cases {
            let f = by_name::<f64>(name).unwrap();
            assert!((f.value(&x) - fx).abs() < 1e-12, "{name}");
        }
        let st = by_name::<f64>("styblinski_tang").unwrap();
        assert!((st.value(&[-2.903534, -2.903534]) + 2.0 * 39.16617).abs() < 1e-4);
        let camel = by_name::<f64>("six_hump_camel").unwrap();
        assert!((camel.value(&[0.0898, -0.7126]) + 1.0316).abs() < 1e-4);
    }
}
