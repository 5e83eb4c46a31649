//! Every built-in test function written against the vector tape ([`crate::diff::vector`]):
//! one node per operation on the whole of `x` (or, for the 2-D functions, scalar arithmetic on
//! `x₀` and `x₁`), so the AD gradient costs a small multiple of one value at any `d`.
//! [`vector_ad_by_name`] gives them as objectives; they are checked equal to the analytic
//! gradients of `functions.rs`.

use std::f64::consts::{E, TAU};

use crate::diff::vector::{Input, Real, VectorAd, VectorFn};
use crate::{Error, Float, Objective, Result};

use super::functions::*;
use super::NAMES;

/// `(x₀, x₁)` as scalars of the graph.
fn pair<'t>(x: Input<'t>) -> (Real<'t>, Real<'t>) {
    (x.at(0).sum(), x.at(1).sum())
}

macro_rules! vector_fn {
    ($t:ty, $dim:expr, |$x:ident| $body:expr) => {
        impl VectorFn for $t {
            fn dim(&self) -> Option<usize> {
                $dim
            }
            fn eval<'t>(&self, $x: Input<'t>) -> Real<'t> {
                $body
            }
        }
    };
}

/// Each built-in as a [`VectorFn`] (the unit structs of `functions.rs` implement both).
mod impls {
    use super::*;

    vector_fn!(Sphere, None, |x| x.all().square().sum());
    vector_fn!(IllConditioned, Some(2), |x| {
        let (a, b) = pair(x);
        a.square() * 0.1 + b.square() * 2.0
    });
    vector_fn!(Rosenbrock, None, |x| {
        let n = x.len();
        let (head, tail) = (x.slice(0..n - 1), x.slice(1..n));
        (tail - head.square()).square().sum() * 100.0 + head.rsub(1.0).square().sum()
    });
    vector_fn!(Beale, Some(2), |x| {
        let (a, b) = pair(x);
        let t1 = a * b - a + 1.5;
        let t2 = a * b.square() - a + 2.25;
        let t3 = a * b.powi(3) - a + 2.625;
        t1.square() + t2.square() + t3.square()
    });
    vector_fn!(Booth, Some(2), |x| {
        let (a, b) = pair(x);
        (a + b * 2.0 - 7.0).square() + (a * 2.0 + b - 5.0).square()
    });
    vector_fn!(Himmelblau, Some(2), |x| {
        let (a, b) = pair(x);
        (a.square() + b - 11.0).square() + (a + b.square() - 7.0).square()
    });
    vector_fn!(Saddle, Some(2), |x| {
        let (a, b) = pair(x);
        a.square() - b.square()
    });
    vector_fn!(MonkeySaddle, Some(2), |x| {
        let (a, b) = pair(x);
        a.powi(3) - a * b.square() * 3.0
    });
    vector_fn!(Rastrigin, None, |x| {
        let v = x.all();
        (v.square() - (v * TAU).cos() * 10.0).sum() + 10.0 * x.len() as f64
    });
    vector_fn!(Ackley, None, |x| {
        let (v, n) = (x.all(), x.len() as f64);
        let sq = v.square().sum() / n;
        let cs = (v * TAU).cos().sum() / n;
        (sq.sqrt() * -0.2).exp() * -20.0 - cs.exp() + 20.0 + E
    });
    vector_fn!(StyblinskiTang, None, |x| {
        let v = x.all();
        (v.powi(4) - v.square() * 16.0 + v * 5.0).sum() * 0.5
    });
    vector_fn!(SixHumpCamel, Some(2), |x| {
        let (a, b) = pair(x);
        let a2 = a.square();
        (a2.square() / 3.0 - a2 * 2.1 + 4.0) * a2 + a * b + (b.square() * 4.0 - 4.0) * b.square()
    });
    vector_fn!(DoubleWell, None, |x| (x.all().square() - 1.0)
        .square()
        .sum());
}

/// The built-in function called `name` with its gradient from the vector tape
/// (`VectorAd<Rosenbrock>` etc.; no Hessian: Newton differences the gradient).
pub fn vector_ad_by_name<T: Float>(name: &str) -> Result<Box<dyn Objective<T> + Send + Sync>> {
    super::builtin_by_name!(name, VectorAd::new)
}

#[cfg(test)]
mod tests {
    use super::super::by_name;
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / a.abs().max(b.abs()).max(1e-300)
    }

    #[test]
    fn vector_ad_gradient_equals_analytic_for_every_builtin() {
        let mut rng = ChaCha8Rng::seed_from_u64(18);
        for name in NAMES {
            let analytic = by_name::<f64>(name).unwrap();
            let ad = vector_ad_by_name::<f64>(name).unwrap();
            assert_eq!(ad.dim(), analytic.dim(), "{name}");
            let dims = analytic.dim().map_or(vec![5, 1200], |d| vec![d]);
            for n in dims {
                for _ in 0..20 {
                    let x: Vec<f64> = (0..n).map(|_| rng.random_range(-3.0..3.0)).collect();
                    let (mut ga, mut gb) = (vec![0.0; n], vec![0.0; n]);
                    let fa = analytic.gradient(&x, &mut ga);
                    let fb = ad.gradient(&x, &mut gb);
                    assert!(rel(fa, fb) < 1e-12, "{name} f: {fa} vs {fb}");
                    assert_eq!(fb.to_bits(), ad.value(&x).to_bits(), "{name}");
                    // Components are compared relative to the gradient's scale: a component
                    // that cancels to ~0 carries the rounding of its larger terms.
                    let scale = ga.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                    for (i, (a, b)) in ga.iter().zip(&gb).enumerate() {
                        assert!(
                            (a - b).abs() <= 1e-12 * a.abs().max(b.abs()) + 1e-14 * scale,
                            "{name} n={n} component {i}: {a} vs {b}"
                        );
                    }
                }
            }
        }
        assert!(vector_ad_by_name::<f64>("nope").is_err());
    }
}
