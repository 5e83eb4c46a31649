//! Kernels against plain scalar loops: bit-identical at every dispatch level and thread count.

use super::dispatch::{detected, set_max_level, Level};
use super::*;

fn data(n: usize, seed: u32) -> Vec<f32> {
    // A cheap deterministic spread of magnitudes and signs.
    (0..n)
        .map(|i| {
            let k = (i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8;
            (k as f32 / (1u32 << 24) as f32 - 0.5) * 3.0
        })
        .collect()
}

fn adam_ref(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], c: &AdamStep<f32>) {
    for i in 0..p.len() {
        let mut gi = g[i] * c.sign;
        let mut pi = p[i];
        match c.decay {
            Decay::None => {}
            Decay::L2(wd) => gi += wd * pi,
            Decay::Decoupled(f) => pi *= f,
        }
        m[i] = if c.one_minus_beta1 >= 0.5 {
            gi - (gi - m[i]) * (1.0 - c.one_minus_beta1)
        } else {
            m[i] + c.one_minus_beta1 * (gi - m[i])
        };
        v[i] = v[i] * c.beta2 + c.one_minus_beta2 * gi * gi;
        let denom = v[i].sqrt() / c.bias_correction2_sqrt + c.eps;
        p[i] = pi + c.neg_step_size * m[i] / denom;
    }
}

fn adam_coeffs(decay: Decay<f32>, b1: f64) -> AdamStep<f32> {
    let (b2, lr, t) = (0.999f64, 1e-3f64, 3);
    AdamStep {
        neg_step_size: (-lr / (1.0 - b1.powi(t))) as f32,
        one_minus_beta1: (1.0 - b1) as f32,
        beta2: b2 as f32,
        one_minus_beta2: (1.0 - b2) as f32,
        bias_correction2_sqrt: (1.0 - b2.powi(t)).sqrt() as f32,
        eps: 1e-8,
        decay,
        sign: 1.0,
    }
}

fn levels() -> Vec<Level> {
    [Level::Baseline, Level::Avx2, Level::Avx512]
        .into_iter()
        .filter(|l| *l <= detected())
        .collect()
}

#[test]
fn adam_matches_scalar_loop_bitwise_at_every_level_and_length() {
    let decays = [Decay::None, Decay::L2(0.01), Decay::Decoupled(1.0 - 1e-5)];
    for (decay, b1) in decays.into_iter().flat_map(|d| [(d, 0.9), (d, 0.3)]) {
        let c = adam_coeffs(decay, b1);
        for n in [0, 1, 7, 8, 17, 1000, par::PAR_MIN + 13] {
            let (p0, g, m0, v0) = (data(n, 1), data(n, 2), data(n, 3), data(n, 4));
            let v0: Vec<f32> = v0.iter().map(|x| x * x).collect();
            let (mut pr, mut mr, mut vr) = (p0.clone(), m0.clone(), v0.clone());
            adam_ref(&mut pr, &g, &mut mr, &mut vr, &c);
            for l in levels() {
                set_max_level(l);
                let (mut p, mut m, mut v) = (p0.clone(), m0.clone(), v0.clone());
                adam(&mut p, &g, &mut m, &mut v, &c);
                let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&p), bits(&pr), "{l:?} n={n}");
                assert_eq!(bits(&m), bits(&mr));
                assert_eq!(bits(&v), bits(&vr));
            }
        }
    }
    set_max_level(Level::Avx512);
}

/// The scalar loop `optim::Sgd::step` had before it called the kernels.
fn sgd_ref(p: &mut [f32], g: &[f32], buf: &mut Vec<f32>, mu: f32, nesterov: bool, wd: f32) {
    let first = buf.is_empty();
    if mu != 0.0 && first {
        buf.resize(p.len(), 0.0);
    }
    for i in 0..p.len() {
        let mut d = g[i];
        if wd != 0.0 {
            d += wd * p[i];
        }
        if mu != 0.0 {
            buf[i] = if first { d } else { buf[i] * mu + d * 1.0 };
            d = if nesterov { d + buf[i] * mu } else { buf[i] };
        }
        p[i] += -0.01f32 * d;
    }
}

#[test]
fn sgd_kernels_and_optimizer_match_the_scalar_loop() {
    use crate::optim::{Optimizer, Sgd};
    let n = par::PAR_MIN + 5;
    for (mu, nesterov, wd) in [
        (0.0, false, 0.0),
        (0.0, false, 0.1),
        (0.9, false, 0.0),
        (0.9, true, 0.01),
    ] {
        let (g1, g2) = (data(n, 5), data(n, 6));
        let mut pr = data(n, 7);
        let mut po = pr.clone();
        let mut pk = pr.clone();
        let mut br = Vec::new();
        let mut opt = Sgd::<f32>::new(crate::optim::SgdConfig {
            lr: 0.01,
            momentum: mu,
            nesterov,
            weight_decay: wd,
            ..Default::default()
        })
        .unwrap();
        let mut b = vec![0.0f32; n];
        for (k, g) in [&g1, &g2].into_iter().enumerate() {
            sgd_ref(&mut pr, g, &mut br, mu as f32, nesterov, wd as f32);
            opt.step(&mut po, &mut g.clone());
            let c = SgdStep {
                neg_lr: -0.01f32,
                wd: wd as f32,
                weight_decay: wd != 0.0,
                sign: 1.0,
                mu: mu as f32,
                one_minus_damp: 1.0,
                nesterov,
                first: k == 0,
            };
            if mu == 0.0 {
                sgd(&mut pk, g, &c);
            } else {
                sgd_momentum(&mut pk, g, &mut b, &c);
            }
        }
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&po), bits(&pr));
        assert_eq!(bits(&pk), bits(&pr));
    }
}

#[test]
fn sum_sq_is_deterministic_across_thread_counts_and_accurate() {
    let x = data(3 * par::PAR_MIN + 11, 9);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let three = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let a = one.install(|| sum_sq(&x));
    let b = three.install(|| sum_sq(&x));
    assert_eq!(a.to_bits(), b.to_bits());
    let naive: f64 = x.iter().map(|v| (*v as f64) * (*v as f64)).sum();
    assert!((a - naive).abs() <= 1e-12 * naive);
    assert!((norm2(&[3.0f64, 4.0]) - 5.0).abs() < 1e-15);
}

#[test]
fn axpy_and_scale() {
    let mut a = data(par::PAR_MIN + 3, 1);
    let b = data(par::PAR_MIN + 3, 2);
    let want: Vec<f32> = a.iter().zip(&b).map(|(x, y)| x + 0.5 * y).collect();
    axpy(&mut a, &b, 0.5);
    assert_eq!(a, want);
    scale(&mut a, 2.0);
    assert!(a.iter().zip(&want).all(|(x, y)| *x == 2.0 * y));
}

#[test]
fn all_finite_finds_any_nan_or_infinity() {
    for n in [0usize, 1, 15, 16, 17, 100, (1 << 18) + 3] {
        let mut x = vec![1.5f32; n];
        assert!(super::all_finite(&x), "n = {n}");
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for at in [0, n / 2, n.saturating_sub(1)] {
                if n == 0 {
                    continue;
                }
                let keep = x[at];
                x[at] = bad;
                assert!(!super::all_finite(&x), "n = {n}, at = {at}, {bad}");
                x[at] = keep;
            }
        }
    }
    assert!(super::all_finite(&[f64::MAX, -f64::MAX, 0.0, -0.0]));
}

#[test]
fn copy_if_finite_copies_and_reports_non_finite_values() {
    for n in [0usize, 5, 16, 37, crate::kernels::par::PAR_MIN + 3] {
        let src: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 3.0).collect();
        let mut dst = vec![9.0f32; n];
        assert!(crate::kernels::copy_if_finite(&src, &mut dst), "n = {n}");
        assert_eq!(src, dst);
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            if n == 0 {
                continue;
            }
            let mut s = src.clone();
            s[n - 1] = bad;
            let mut d = vec![0.0f32; n];
            assert!(
                !crate::kernels::copy_if_finite(&s, &mut d),
                "n = {n}, {bad}"
            );
        }
    }
}

#[test]
fn relu_kernels_map_nan_and_non_positive_to_zero() {
    let mut z = [1.5f64, -2.0, 0.0, -0.0, f64::NAN, f64::INFINITY, 3.0];
    crate::kernels::update::relu(&mut z);
    assert_eq!(
        z.map(f64::to_bits),
        [1.5, 0.0, 0.0, 0.0, 0.0, f64::INFINITY, 3.0].map(f64::to_bits)
    );
    let a = [1.0f32, 0.0, -1.0, f32::NAN, 2.0];
    let mut d = [5.0f32, 5.0, 5.0, 5.0, f32::NAN];
    crate::kernels::update::relu_backward(&mut d, &a);
    assert_eq!(d[..4], [5.0, 0.0, 0.0, 0.0]);
    assert!(d[4].is_nan());
}
