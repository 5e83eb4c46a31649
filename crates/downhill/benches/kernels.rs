//! Criterion benches of the hot kernels: `cargo bench -p downhill --bench kernels`.
//!
//! Sizes: 1e5 f32 (in cache: shows what SIMD width buys) and 1e7 f32 (beyond the L3:
//! memory-bound). Throughput is counted in bytes moved per step (see `downhill bench step`).
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use downhill::kernels::{self, dispatch, AdamStep, Decay, SgdStep};
use std::hint::black_box;

fn adam_coeffs() -> AdamStep<f32> {
    AdamStep {
        neg_step_size: -1e-2,
        one_minus_beta1: 0.1,
        beta2: 0.999,
        one_minus_beta2: 1e-3,
        bias_correction2_sqrt: 0.05,
        eps: 1e-8,
        decay: Decay::None,
        sign: 1.0,
    }
}

fn sgd_coeffs() -> SgdStep<f32> {
    SgdStep {
        neg_lr: -1e-3,
        wd: 0.0,
        weight_decay: false,
        sign: 1.0,
        mu: 0.9,
        one_minus_damp: 1.0,
        nesterov: false,
        first: false,
    }
}

fn levels() -> Vec<dispatch::Level> {
    let best = dispatch::detected();
    let mut v = vec![dispatch::Level::Baseline];
    if best > dispatch::Level::Baseline {
        v.push(best);
    }
    v
}

fn bench(c: &mut Criterion) {
    for n in [100_000usize, 10_000_000] {
        let mut g = c.benchmark_group(format!("kernels_{n}"));
        if n > 1_000_000 {
            g.sample_size(10);
        }
        let mut p = vec![1.0f32; n];
        let grad: Vec<f32> = (0..n).map(|i| (i % 1000) as f32 * 1e-3 - 0.5).collect();
        let mut m = vec![0.0f32; n];
        let mut v = vec![0.0f32; n];
        for level in levels() {
            dispatch::set_max_level(level);
            let id = |k: &str| BenchmarkId::new(k, level.name());
            g.throughput(Throughput::Bytes(12 * n as u64));
            g.bench_function(id("axpy"), |b| {
                b.iter(|| kernels::axpy(black_box(&mut p), black_box(&grad), 1e-7))
            });
            g.throughput(Throughput::Bytes(20 * n as u64));
            let c = sgd_coeffs();
            g.bench_function(id("sgd_momentum"), |b| {
                b.iter(|| kernels::sgd_momentum(black_box(&mut p), black_box(&grad), &mut m, &c))
            });
            g.throughput(Throughput::Bytes(28 * n as u64));
            let c = adam_coeffs();
            g.bench_function(id("adam"), |b| {
                b.iter(|| kernels::adam(black_box(&mut p), black_box(&grad), &mut m, &mut v, &c))
            });
            g.throughput(Throughput::Bytes(20 * n as u64));
            let (mut m16, mut v16) = (vec![0u16; n], vec![0u16; n]);
            g.bench_function(id("adam_bf16"), |b| {
                b.iter(|| {
                    kernels::adam_bf16(
                        black_box(&mut p),
                        black_box(&grad),
                        &mut m16,
                        &mut v16,
                        &c,
                        7,
                    )
                })
            });
            g.throughput(Throughput::Bytes(16 * n as u64));
            let c = sgd_coeffs();
            g.bench_function(id("sgd_momentum_bf16"), |b| {
                b.iter(|| {
                    kernels::sgd_momentum_bf16(black_box(&mut p), black_box(&grad), &mut m16, &c, 7)
                })
            });
            g.throughput(Throughput::Bytes(4 * n as u64));
            g.bench_function(id("sum_sq"), |b| {
                b.iter(|| kernels::sum_sq(black_box(&grad)))
            });
        }
        dispatch::set_max_level(dispatch::Level::Avx512);
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
