//! Measured cost of a gradient: one value, one AD gradient on the vector tape
//! (`diff::vector`), one on the scalar tape (`diff::reverse`), the analytic gradient and one
//! numerical gradient of rosenbrock at d = 10, 10², …, 10⁶, and the ratios to one value.
//!
//! Run with `cargo run --release -p downhill --example gradient_cost`.
//! Times are this thread's CPU time (the machine may be shared), best of 5 batches of
//! ≥ 50 ms. The numerical gradient at d = 10⁶ is not run (it would take 2·10⁶ values); its
//! time is extrapolated as 2d × one value.
//!
//! `cargo test` runs this example too (it is a `test = true` target), in a quick mode that
//! skips d = 10⁶ and times single 5 ms batches: it checks that the program runs, not the figures.
//! `DOWNHILL_EXAMPLE_QUICK=1` asks for the quick mode from `cargo run`.

use std::hint::black_box;
use std::time::Instant;

use downhill::diff::{numerical_gradient, Ad, Difference, VectorAd};
use downhill::problems::Rosenbrock;
use downhill::Objective;

/// CPU time of this thread in seconds (Linux `/proc/thread-self/schedstat`, nanoseconds), so
/// that other processes competing for the cores do not inflate the figures; wall-clock time
/// where that file is unavailable.
fn now() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(
            || START.get_or_init(Instant::now).elapsed().as_secs_f64(),
            |ns| ns * 1e-9,
        )
}

/// Seconds per call of `op`: best over 5 batches; a batch runs the operation 1, 2, 4, …
/// times between two clock readings until it lasts ≥ 50 ms (so the clock's own cost is
/// negligible for the nanosecond-scale operations at d = 10).
fn time(mut op: impl FnMut()) -> f64 {
    op(); // warm-up: the first call grows the tape
    let (batches, min_batch) = if quick() { (1, 0.005) } else { (5, 0.05) };
    let mut best = f64::INFINITY;
    for _ in 0..batches {
        let mut reps = 1u64;
        loop {
            let start = now();
            for _ in 0..reps {
                op();
            }
            let t = now() - start;
            if t >= min_batch {
                best = best.min(t / reps as f64);
                break;
            }
            reps *= 2;
        }
    }
    best
}

/// The quick mode: under `cargo test` (which compiles this harness-less test target with
/// `--cfg test`), or when `DOWNHILL_EXAMPLE_QUICK` is set to anything but `0`.
fn quick() -> bool {
    cfg!(test) || std::env::var("DOWNHILL_EXAMPLE_QUICK").is_ok_and(|v| v != "0")
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
    let vad = VectorAd::new(Rosenbrock);
    println!(
        "| d | value | vector-tape AD | vector AD / value | scalar-tape AD | scalar AD / value | analytic gradient | numerical gradient | numeric / value |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let sizes: &[usize] = if quick() {
        &[10, 1_000]
    } else {
        &[10, 100, 1_000, 10_000, 100_000, 1_000_000]
    };
    for &d in sizes {
        let x: Vec<f64> = (0..d).map(|i| -1.2 + 0.3 * ((i % 7) as f64)).collect();
        let mut g = vec![0.0; d];
        let t_value = time(|| {
            black_box(Rosenbrock.value(black_box(&x)));
        });
        let t_vad = time(|| {
            black_box(vad.gradient(black_box(&x), &mut g));
        });
        let t_ad = time(|| {
            black_box(ad.gradient(black_box(&x), &mut g));
        });
        let t_analytic = time(|| {
            black_box(Rosenbrock.gradient(black_box(&x), &mut g));
        });
        let (t_num, note) = if d <= 10_000 {
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
            "| {d} | {} | {} | {:.2} | {} | {:.2} | {} | {}{note} | {:.0} |",
            fmt(t_value),
            fmt(t_vad),
            t_vad / t_value,
            fmt(t_ad),
            t_ad / t_value,
            fmt(t_analytic),
            fmt(t_num),
            t_num / t_value
        );
    }
}
