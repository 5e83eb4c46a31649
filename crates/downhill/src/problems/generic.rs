//! Every built-in test function written once over [`Scalar`] ([`ScalarFn`]), so that it is
//! evaluated as `f64` and differentiated by AD: the "AD path" of each function, checked
//! against the analytic gradients of `functions.rs`. [`ad_by_name`] gives them as objectives.

use crate::diff::scalar::sum;
use crate::diff::{Ad, Scalar, ScalarFn};
use crate::{Error, Float, Objective, Result};

use super::functions::*;
use super::NAMES;

impl ScalarFn for Sphere {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        sum(x[0], x.iter().map(|&v| v.square()))
    }
}

impl ScalarFn for IllConditioned {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        x[0].square() * 0.1 + x[1].square() * 2.0
    }
}

impl ScalarFn for Rosenbrock {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        sum(
            x[0],
            x.windows(2)
                .map(|w| (w[1] - w[0].square()).square() * 100.0 + w[0].rsub(1.0).square()),
        )
    }
}

impl ScalarFn for Beale {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        let (a, b) = (x[0], x[1]);
        let t1 = a * b - a + 1.5;
        let t2 = a * b.square() - a + 2.25;
        let t3 = a * b.powi(3) - a + 2.625;
        t1.square() + t2.square() + t3.square()
    }
}

impl ScalarFn for Booth {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        (x[0] + x[1] * 2.0 - 7.0).square() + (x[0] * 2.0 + x[1] - 5.0).square()
    }
}

impl ScalarFn for Himmelblau {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        (x[0].square() + x[1] - 11.0).square() + (x[0] + x[1].square() - 7.0).square()
    }
}

impl ScalarFn for Saddle {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        x[0].square() - x[1].square()
    }
}

impl ScalarFn for MonkeySaddle {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        x[0].powi(3) - x[0] * x[1].square() * 3.0
    }
}

impl ScalarFn for Rastrigin {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        let tau = std::f64::consts::TAU;
        sum(x[0], x.iter().map(|&v| v.square() - (v * tau).cos() * 10.0)) + 10.0 * x.len() as f64
    }
}

impl ScalarFn for Ackley {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        let n = x.len() as f64;
        let tau = std::f64::consts::TAU;
        let sq = sum(x[0], x.iter().map(|&v| v.square())) / n;
        let cs = sum(x[0], x.iter().map(|&v| (v * tau).cos())) / n;
        (sq.sqrt() * -0.2).exp() * -20.0 - cs.exp() + 20.0 + std::f64::consts::E
    }
}

impl ScalarFn for StyblinskiTang {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        sum(
            x[0],
            x.iter().map(|&v| v.powi(4) - v.square() * 16.0 + v * 5.0),
        ) * 0.5
    }
}

impl ScalarFn for SixHumpCamel {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        let (a, b) = (x[0], x[1]);
        let a2 = a.square();
        (a2.square() / 3.0 - a2 * 2.1 + 4.0) * a2 + a * b + (b.square() * 4.0 - 4.0) * b.square()
    }
}

impl ScalarFn for DoubleWell {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        sum(x[0], x.iter().map(|&v| (v.square() - 1.0).square()))
    }
}

/// The built-in function called `name` with its AD gradient (and hyper-dual Hessian) in
/// place of the analytic one: `Ad<Rosenbrock>` etc.
pub fn ad_by_name<T: Float>(name: &str) -> Result<Box<dyn Objective<T> + Send + Sync>> {
    super::builtin_by_name!(name, Ad::new)
}

#[cfg(test)]
mod tests {
    use super::super::by_name;
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// `|aᵢ − bᵢ| ≤ tol · max(|aᵢ|, |bᵢ|)` for every component (exact zeros compare equal).
    fn rel_close(a: &[f64], b: &[f64], tol: f64) -> std::result::Result<(), String> {
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            let denom = x.abs().max(y.abs()).max(1e-300);
            if (x - y).abs() > tol * denom {
                return Err(format!(
                    "component {i}: {x} vs {y} (rel {})",
                    (x - y).abs() / denom
                ));
            }
        }
        Ok(())
    }

    #[test]
    fn ad_gradient_equals_analytic_at_20_random_points_for_every_builtin() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for name in NAMES {
            let analytic = by_name::<f64>(name).unwrap();
            let ad = ad_by_name::<f64>(name).unwrap();
            let n = analytic.dim().unwrap_or(5);
            assert_eq!(ad.dim(), analytic.dim(), "{name}");
            for _ in 0..20 {
                let x: Vec<f64> = (0..n).map(|_| rng.random_range(-3.0..3.0)).collect();
                let (mut ga, mut gb) = (vec![0.0; n], vec![0.0; n]);
                let fa = analytic.gradient(&x, &mut ga);
                let fb = ad.gradient(&x, &mut gb);
                rel_close(&[fa], &[fb], 1e-12).unwrap_or_else(|e| panic!("{name} f at {x:?}: {e}"));
                rel_close(&[fa], &[ad.value(&x)], 1e-12).unwrap();
                rel_close(&ga, &gb, 1e-12).unwrap_or_else(|e| panic!("{name} at {x:?}: {e}"));
            }
        }
    }

    #[test]
    fn ad_hessian_matches_central_differences_of_analytic_gradient() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for name in NAMES {
            let analytic = by_name::<f64>(name).unwrap();
            let ad = ad_by_name::<f64>(name).unwrap();
            let n = analytic.dim().unwrap_or(3);
            let x: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
            let mut h = vec![0.0; n * n];
            assert!(ad.hessian(&x, &mut h));
            let eps = 1e-6;
            for j in 0..n {
                let (mut xp, mut xm) = (x.clone(), x.clone());
                xp[j] += eps;
                xm[j] -= eps;
                let (mut gp, mut gm) = (vec![0.0; n], vec![0.0; n]);
                analytic.gradient(&xp, &mut gp);
                analytic.gradient(&xm, &mut gm);
                for i in 0..n {
                    let fd = (gp[i] - gm[i]) / (2.0 * eps);
                    let e = (h[i * n + j] - fd).abs() / fd.abs().max(1.0);
                    assert!(e < 1e-5, "{name} H[{i}][{j}] = {} vs {fd}", h[i * n + j]);
                }
            }
        }
    }

    #[test]
    fn unknown_name_is_an_error() {
        assert!(matches!(
            ad_by_name::<f64>("nope"),
            Err(Error::Unknown { .. })
        ));
    }
}
