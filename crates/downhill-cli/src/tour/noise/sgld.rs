//! Seed 003's "SGD as a Langevin process", answered by sampling on purpose: SGLD (Welling &
//! Teh 2011) on the same double well, its samples checked against exp(−U/T) by a
//! Kolmogorov–Smirnov test (`downhill::stats`, which `sgld`'s own tests use
//! too).

use std::sync::Arc;

use downhill::optim::OptimizerConfig;
use downhill::problems::DoubleWell;
use downhill::stats::{ks_p_value, ks_statistic, Cdf};
use downhill::Objective;
use serde_json::json;

use crate::tour::figure::Figure;
use crate::tour::Experiment;

/// Temperature T of exp(−U/T) (the noisy-GD experiment's σ² = 0.5).
const TEMP: f64 = 0.5;
/// SGLD's lr ε: each step is a step ε/2 of the Langevin diffusion.
const LR: f64 = 0.01;
/// Steps before the first sample.
const BURN: usize = 10_000;
/// Samples for the KS test, one every `THIN` steps (far apart enough to be nearly
/// independent: thousands of steps between crossings of the barrier).
const KS_SAMPLES: usize = 2000;
const THIN: usize = 2000;
/// Every `HIST_EVERY`-th iterate goes into the histogram.
const HIST_EVERY: usize = 10;

/// The experiment `seed003-sgld`.
pub(crate) fn experiment() -> Experiment {
    let mut e = Experiment::new(
        "003",
        "sgld",
        "The answer to SGD as a Langevin process: SGLD samples exp(−U/T) on purpose",
        "Seed 003 reads SGD's noise as a temperature. SGLD (Welling & Teh 2011) makes it exact: θ ← θ − (ε/2)·∇U + N(0, ε·T), the Euler scheme of the Langevin diffusion whose stationary density is ∝ exp(−U/T). On the double well U = (θ² − 1)² at T = 0.5 (the density of the noisy-GD experiment above) with ε = 0.01 and seed 7, after 10 000 steps of burn-in: a Kolmogorov–Smirnov test of 2000 samples taken 2000 steps apart (nearly independent) against the closed-form CDF, and the histogram of every 10th of the 4 000 000 iterates against the density.",
    );
    let f = DoubleWell;
    let mut opt = match OptimizerConfig::from_named(
        "sgld",
        json!({"lr": LR, "temperature": TEMP, "seed": 7}),
    )
    .map_err(|e| e.to_string())
    .and_then(|c| c.build::<f64>().map_err(|e| e.to_string()))
    {
        Ok(o) => o,
        Err(msg) => {
            e.require(false, &format!("sgld builds ({msg})"));
            return e;
        }
    };
    let (mut x, mut g) = ([0.0], [0.0]);
    let total = BURN + KS_SAMPLES * THIN;
    let mut ks = Vec::with_capacity(KS_SAMPLES);
    let mut hist = Vec::with_capacity(total / HIST_EVERY);
    for k in 0..total {
        f.gradient(&x, &mut g);
        opt.step(&mut x, &mut g);
        if k >= BURN {
            let j = k - BURN + 1;
            if j.is_multiple_of(THIN) {
                ks.push(x[0]);
            }
            if j.is_multiple_of(HIST_EVERY) {
                hist.push(x[0]);
            }
        }
    }
    let density = move |t: f64| (-(t * t - 1.0f64).powi(2) / TEMP).exp();
    let cdf = Cdf::of_density(density, -3.0, 3.0, 6000);
    // Normalising constant of the drawn density (the CDF's, on the same grid).
    let z = {
        let n = 6000;
        let h = 6.0 / n as f64;
        (0..n)
            .map(|i| 0.5 * h * (density(-3.0 + i as f64 * h) + density(-3.0 + (i + 1) as f64 * h)))
            .sum::<f64>()
    };
    let n = ks.len();
    let d = ks_statistic(&mut ks, &cdf);
    let p = ks_p_value(d, n);
    let left = hist.iter().filter(|&&s| s < 0.0).count() as f64 / hist.len().max(1) as f64;
    e.value("KS statistic D", d)
        .value("KS p-value", p)
        .value("KS samples", n as u64)
        .value("fraction of iterates in the left well", left)
        .expect("KS p-value", "> 0.01")
        .expect("fraction of iterates in the left well", 0.5)
        .require(
            n == KS_SAMPLES && p > 0.01,
            "closed-form stationary density exp(−U/T): the KS test of the samples against its CDF does not reject at the 1% level (p > 0.01)",
        )
        .checks(&["KS p-value", "KS statistic D"])
        .figure(Figure::Histogram {
            title: "SGLD on (θ² − 1)², T = 0.5: iterates vs exp(−U/T)".into(),
            samples: hist,
            bins: 80,
            range: (-2.0, 2.0),
            density_label: "exp(−U/T) / Z".into(),
            density: Arc::new(move |t: f64| density(t) / z),
        });
    e
}
