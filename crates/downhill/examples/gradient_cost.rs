//! Measured cost of a gradient: one value, one AD gradient, one numerical gradient of
//! rosenbrock at d = 10, 10³, 10⁶, and the ratios to one value.
//!
//! Run with `cargo run --release -p downhill --example gradient_cost`.
//! Each time is the best of several batches (a batch repeats the operation until it has run
//! for ≥ 50 ms). The numerical gradient at d = 10⁶ is not run (it would take 2·10⁶ values);
//! its time is extrapolated as 2d × one value.

use std::hint::black_box;
use std::time::Instant;

use downhill::diff::{numerical_gradient, Ad, Difference};
use downhill::problems::Rosenbrock;
use downhill::Objective;

/// Seconds per call of `op`: best over 5 batches of ≥ 50 ms.
fn time(mut op: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        let mut reps = 0u64;
        while start.elapsed().as_secs_f64() < 0.05 || reps == 0 {
            op();
            reps += 1;
        }
        best = best.min(start.elapsed().as_secs_f64() / reps as f64);
    }
    best
}

fn fmt(s: f64) -> String {
    if s < 1e-6 {
        format!("{:.1} ns", s * 1e9)
    } else if s < 1e-3 {
        format!("{:.2} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} s", s)
    }
}

fn main() {
    let ad = Ad::new(Rosenbrock);
    println!(
        "| d | value | AD gradient | AD / value | analytic gradient | numerical gradient | numeric / value |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for d in [10usize, 1_000, 1_000_000] {
        let x: Vec<f64> = (0..d).map(|i| -1.2 + 0.3 * ((i % 7) as f64)).collect();
        let mut g = vec![0.0; d];
        let t_value = time(|| {
            black_box(Rosenbrock.value(black_box(&x)));
        });
        let t_ad = time(|| {
            black_box(ad.gradient(black_box(&x), &mut g));
        });
        let t_analytic = time(|| {
            black_box(Rosenbrock.gradient(black_box(&x), &mut g));
        });
        let (t_num, note) = if d <= 1_000 {
            let mut xx = x.clone();
            let t = time(|| {
                numerical_gradient(
                    |p: &[f64]| Rosenbrock.value(p),
                    &mut xx,
                    &mut g,
                    1e-4,
                    Difference::Central,
                );
                black_box(&g);
            });
            (t, "")
        } else {
            (2.0 * d as f64 * t_value, " (extrapolated: 2d × value)")
        };
        println!(
            "| {d} | {} | {} | {:.2} | {} | {}{note} | {:.0} |",
            fmt(t_value),
            fmt(t_ad),
            t_ad / t_value,
            fmt(t_analytic),
            fmt(t_num),
            t_num / t_value
        );
    }
}
