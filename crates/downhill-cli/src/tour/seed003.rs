//! Seed 003: momentum as a leapfrog integrator, and SGD as a Langevin process.

use std::sync::Arc;

use downhill::optim::{Optimizer, Sgd};
use downhill::problems::{DoubleWell, IllConditioned};
use downhill::run::{minimize, RunOptions, RunResult};
use downhill::Objective;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::figure::{Figure, Path2, Series};
use super::Experiment;

const SEED: &str = "003";

/// The seed's experiments.
pub fn experiments() -> Vec<Experiment> {
    vec![momentum_vs_gd(), langevin()]
}

fn steps_to(r: &RunResult, target: f64) -> Option<usize> {
    r.f_history.iter().position(|&f| f < target)
}

fn momentum_vs_gd() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "momentum-speedup",
        "Momentum vs plain GD in an ill-conditioned valley, same lr",
        "With the same learning rate α = 0.01, heavy-ball momentum (v ← βv − α∇L, θ ← θ + v, β = 0.9) moves along the flat direction with an effective step α/(1 − β): the seed's 'step √α instead of α' (1/√α = 10 here) — counted in steps to f < 1e-6.",
    );
    let f = IllConditioned;
    let x0 = [-4.0, 2.0];
    let opts = RunOptions {
        steps: 5000,
        tolerance: None,
    };
    let mut gd = Sgd::new(0.01);
    let r_gd = minimize(&f, &mut gd, &x0, &opts, |_, _| {});
    // PyTorch-form momentum b ← βb + g, θ ← θ − αb is exactly heavy ball with v = −αb.
    let mut hb = Sgd::new(0.01).momentum(0.9);
    let r_hb = minimize(&f, &mut hb, &x0, &opts, |_, _| {});
    let (s_gd, s_hb) = (steps_to(&r_gd, 1e-6), steps_to(&r_hb, 1e-6));
    let ratio = match (s_gd, s_hb) {
        (Some(a), Some(b)) if b > 0 => a as f64 / b as f64,
        _ => f64::NAN,
    };
    e.value("GD steps to f < 1e-6", s_gd.map_or(-1, |s| s as i64))
        .value("momentum steps to f < 1e-6", s_hb.map_or(-1, |s| s as i64))
        .value("speed-up", ratio)
        .expect("speed-up", "≈ 1/(1 − β) = 1/√α = 10")
        .require((5.0..20.0).contains(&ratio), "speed-up between 5× and 20×")
        .figure(Figure::Contour {
            title: "0.1·x0² + 2·x1², lr = 0.01: GD vs momentum (first 400 steps)".into(),
            f: Arc::new(|x, y| 0.1 * x * x + 2.0 * y * y),
            x: (-4.5, 4.5),
            y: (-2.5, 2.5),
            log_levels: false,
            paths: vec![
                Path2::from_trajectory("GD", &r_gd.trajectory[..400]),
                Path2::from_trajectory("momentum β = 0.9", &r_hb.trajectory[..400]),
            ],
        })
        .figure(Figure::Curves {
            title: "loss per step".into(),
            x_label: "step".into(),
            y_label: "f".into(),
            log_y: true,
            series: vec![
                Series::indexed("GD", r_gd.f_history[..1500].to_vec()),
                Series::indexed(
                    "momentum β = 0.9",
                    r_hb.f_history[..1500.min(r_hb.f_history.len())].to_vec(),
                ),
            ],
        });
    e
}

fn langevin() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "langevin",
        "SGD as a Langevin process: iterates sample exp(−L/σ²)",
        "Gradient descent with Gaussian gradient noise on the double well L = (θ² − 1)² is the Euler scheme of dθ = −∇L dt + noise; its iterates are distributed with density ∝ exp(−L/σ²), σ² = lr·(noise std)²/2 = 0.5 here. The histogram of 800 000 iterates matches that density — both wells visited.",
    );
    let f = DoubleWell;
    let lr: f64 = 0.01;
    let temp: f64 = 0.5;
    let sd = (2.0 * temp / lr).sqrt();
    let noise = Normal::new(0.0, sd).unwrap_or_else(|_| unreachable!("sd > 0"));
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut opt = Sgd::new(lr);
    let mut x = [1.0];
    let mut g = [0.0];
    let mut samples = Vec::with_capacity(800_000);
    for k in 0..802_000 {
        f.gradient(&x, &mut g);
        g[0] += noise.sample(&mut rng);
        opt.step(&mut x, &mut g);
        if k >= 2000 {
            samples.push(x[0]);
        }
    }
    let (lo, hi, bins) = (-2.0, 2.0, 80);
    let w = (hi - lo) / bins as f64;
    let mut hist = vec![0.0; bins];
    for &s in &samples {
        let b = ((s - lo) / w).floor();
        if b >= 0.0 && (b as usize) < bins {
            hist[b as usize] += 1.0;
        }
    }
    let centers: Vec<f64> = (0..bins).map(|i| lo + (i as f64 + 0.5) * w).collect();
    let unnorm: Vec<f64> = centers
        .iter()
        .map(|&c| (-f.value(&[c]) / temp).exp())
        .collect();
    let z: f64 = unnorm.iter().sum::<f64>() * w;
    let density: Vec<f64> = unnorm.iter().map(|d| d / z).collect();
    let n = samples.len() as f64;
    let tv: f64 = 0.5
        * hist
            .iter()
            .zip(&density)
            .map(|(h, d)| (h / n - d * w).abs())
            .sum::<f64>();
    let left = samples.iter().filter(|&&s| s < 0.0).count() as f64 / n;
    e.value("total-variation distance", tv)
        .value("fraction in the left well", left)
        .expect("total-variation distance", "< 0.05")
        .expect("fraction in the left well", 0.5)
        .require(
            tv < 0.05 && (0.4..0.6).contains(&left),
            "histogram within 0.05 TV of exp(−L/σ²); both wells equally visited",
        )
        .figure(Figure::Histogram {
            title: "iterates of noisy GD on (θ² − 1)² vs exp(−L/σ²)".into(),
            samples,
            bins,
            density: Series {
                label: "∝ exp(−L/σ²)".into(),
                xs: centers,
                ys: density,
            },
        });
    e
}
