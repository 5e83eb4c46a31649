//! The vector tape against the scalar tape on the same functions (every operation, both
//! sweeps, several lengths, block boundaries) and against closed forms.

use super::*;
use crate::diff::scalar::{sum, Scalar};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn close(a: &[f64], b: &[f64], tol: f64) {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let d = x.abs().max(y.abs()).max(1e-300);
        assert!((x - y).abs() <= tol * d, "component {i}: {x} vs {y}");
    }
}

/// Every elementwise operation, a dot product and two lengths; affine in its reductions.
struct AllOps;
impl VectorFn for AllOps {
    fn eval<'t>(&self, x: Input<'t>) -> Real<'t> {
        let n = x.len();
        let (a, b) = (x.slice(0..n - 1), x.slice(1..n));
        let pos = a.square() + 1.0;
        let t = (a * b - b / pos).exp() * 0.1
            + (pos.ln() + pos.sqrt()).sin()
            + (-b).cos() * 2.0
            + a.tanh().powi(3)
            + (2.0 - a) * (b.rdiv(1.0) + 3.0 / pos)
            + (b - 0.5) / 4.0;
        let whole = x.all();
        t.sum() * 3.0 - a.dot(b) + whole.dot(whole) / 2.0 + 1.0
    }
}

fn all_ops_scalar<S: Scalar>(x: &[S]) -> S {
    let n = x.len();
    let t = sum(
        x[0],
        (0..n - 1).map(|i| {
            let (a, b) = (x[i], x[i + 1]);
            let pos = a.square() + 1.0;
            (a * b - b / pos).exp() * 0.1
                + (pos.ln() + pos.sqrt()).sin()
                + (-b).cos() * 2.0
                + a.tanh().powi(3)
                + a.rsub(2.0) * (b.rdiv(1.0) + pos.rdiv(3.0))
                + (b - 0.5) / 4.0
        }),
    );
    let ab = sum(x[0], (0..n - 1).map(|i| x[i] * x[i + 1]));
    let xx = sum(x[0], x.iter().map(|&v| v * v));
    t * 3.0 - ab + xx / 2.0 + 1.0
}

/// Not affine in its reductions (ackley-like), so the reductions are swept first.
struct Curved;
impl VectorFn for Curved {
    fn eval<'t>(&self, x: Input<'t>) -> Real<'t> {
        let v = x.all();
        let n = x.len() as f64;
        let s = (v.square().sum() / n).sqrt();
        let c = (v * 2.0).cos().sum();
        (s * -0.2).exp() * -20.0 - (c / n).exp() + s * c + x.at(0).sum().tanh() + 20.0
    }
}

fn curved_scalar<S: Scalar>(x: &[S]) -> S {
    let n = x.len() as f64;
    let s = (sum(x[0], x.iter().map(|&v| v.square())) / n).sqrt();
    let c = sum(x[0], x.iter().map(|&v| (v * 2.0).cos()));
    (s * -0.2).exp() * -20.0 - (c / n).exp() + s * c + x[0].tanh() + 20.0
}

#[test]
fn equals_the_scalar_tape_on_every_operation_across_block_boundaries() {
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let mut ws = Workspace::default();
    for n in [2, 3, 7, 511, 512, 513, 1500] {
        let x: Vec<f64> = (0..n).map(|_| rng.random_range(0.1..1.5)).collect();
        for curved in [false, true] {
            let (mut gv, mut gs) = (vec![0.0; n], vec![0.0; n]);
            let (fv, fs) = if curved {
                (
                    ws.gradient(&Curved, &x, &mut gv),
                    crate::diff::gradient(|v| curved_scalar(v), &x, &mut gs),
                )
            } else {
                (
                    ws.gradient(&AllOps, &x, &mut gv),
                    crate::diff::gradient(|v| all_ops_scalar(v), &x, &mut gs),
                )
            };
            close(&[fv], &[fs], 1e-12);
            close(&gv, &gs, 1e-10);
            let value = if curved {
                ws.value(&Curved, &x)
            } else {
                ws.value(&AllOps, &x)
            };
            assert_eq!(value.to_bits(), fv.to_bits(), "n = {n}");
            assert!(curved || degrees(&ws.tape.graph.get_mut().snodes).last() == Some(&1));
        }
    }
}

use super::exec::degrees;

#[test]
fn dead_nodes_constants_and_repeated_operands() {
    struct F;
    impl VectorFn for F {
        fn eval<'t>(&self, x: Input<'t>) -> Real<'t> {
            let v = x.all();
            let _unused = v.exp().sum();
            let sq = v * v;
            sq.dot(sq) + x.constant(2.0) * 3.0 + (v - v).sum()
        }
    }
    let x = [1.0, -2.0, 0.5];
    let mut g = [0.0; 3];
    let f = gradient(&F, &x, &mut g);
    assert_eq!(f, 1.0 + 16.0 + 0.0625 + 6.0);
    assert_eq!(g, [4.0, -32.0, 0.5]);
    struct C;
    impl VectorFn for C {
        fn eval<'t>(&self, x: Input<'t>) -> Real<'t> {
            x.constant(1.5).exp()
        }
    }
    let mut g = [7.0; 2];
    assert_eq!(gradient(&C, &[1.0, 2.0], &mut g), 1.5f64.exp());
    assert_eq!(g, [0.0, 0.0]);
}

#[test]
fn objective_in_f32_and_f64_and_the_same_bits_every_call() {
    let f = VectorAd::new(AllOps);
    let x: Vec<f64> = (0..1000).map(|i| 0.2 + (i % 13) as f64 * 0.1).collect();
    // The gradient buffer's previous contents never leak in (it is zeroed as the sweep goes).
    let (mut g1, mut g2) = (vec![0.0; 1000], vec![f64::NAN; 1000]);
    let v1 = f.gradient(&x, &mut g1);
    let v2 = f.gradient(&x, &mut g2);
    assert_eq!(v1.to_bits(), v2.to_bits());
    assert!(g1.iter().zip(&g2).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert_eq!(Objective::<f64>::value(&f, &x), v1);
    let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let mut gf = vec![0.0f32; 1000];
    let vf = f.gradient(&xf, &mut gf);
    let xw: Vec<f64> = xf.iter().map(|&v| v as f64).collect();
    let mut gw = vec![0.0; 1000];
    assert_eq!(vf, f.gradient(&xw, &mut gw) as f32);
    assert!(gf.iter().zip(&gw).all(|(&a, &b)| a == b as f32));
    assert_eq!(Objective::<f32>::dim(&f), None);
}
