//! Criterion benchmark of gradient cost on rosenbrock: one value, one AD gradient, the
//! analytic gradient, and (for d ≤ 10³) one central-difference gradient.
//!
//! `cargo bench -p downhill --bench gradient`; the table in bench/README.md comes from the
//! `gradient_cost` example, which measures the same operations.

use std::hint::black_box;

use criterion::{criterion_main, BenchmarkId, Criterion};
use downhill::diff::{numerical_gradient, Ad, Difference};
use downhill::problems::Rosenbrock;
use downhill::Objective;

fn bench(c: &mut Criterion) {
    let ad = Ad::new(Rosenbrock);
    let mut group = c.benchmark_group("rosenbrock");
    group.sample_size(10);
    for d in [10usize, 1_000, 1_000_000] {
        let x: Vec<f64> = (0..d).map(|i| -1.2 + 0.3 * ((i % 7) as f64)).collect();
        let mut g = vec![0.0; d];
        group.bench_with_input(BenchmarkId::new("value", d), &x, |b, x| {
            b.iter(|| Rosenbrock.value(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("ad_gradient", d), &x, |b, x| {
            b.iter(|| ad.gradient(black_box(x), &mut g))
        });
        group.bench_with_input(BenchmarkId::new("analytic_gradient", d), &x, |b, x| {
            b.iter(|| Rosenbrock.gradient(black_box(x), &mut g))
        });
        if d <= 1_000 {
            let mut xx = x.clone();
            group.bench_function(BenchmarkId::new("numerical_gradient", d), |b| {
                b.iter(|| {
                    numerical_gradient(
                        |p: &[f64]| Rosenbrock.value(p),
                        &mut xx,
                        &mut g,
                        1e-4,
                        Difference::Central,
                    )
                })
            });
        }
    }
    group.finish();
}

mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(group::benches);
