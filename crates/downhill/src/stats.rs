//! The one-sample Kolmogorov–Smirnov test against a density known up to a constant: what
//! checks that SGLD samples exp(−U/T) (`sgld`'s tests and the tour's seed-003 experiment).
//!
//! ```
//! use downhill::stats::{ks_p_value, ks_statistic, Cdf};
//!
//! // 999 evenly spread points of [0, 1] against the uniform density.
//! let cdf = Cdf::of_density(|_| 1.0, 0.0, 1.0, 1000);
//! let mut xs: Vec<f64> = (1..1000).map(|i| i as f64 / 1000.0).collect();
//! let d = ks_statistic(&mut xs, &cdf);
//! assert!(d < 2e-3 && ks_p_value(d, xs.len()) > 0.99);
//! ```

/// The CDF of a density on `[lo, hi]` (given up to a constant factor) by the trapezoid rule on
/// `n` intervals, normalised to 1 at `hi`; read by linear interpolation (0 below `lo`, 1 above
/// `hi`).
#[derive(Debug, Clone)]
pub struct Cdf {
    lo: f64,
    h: f64,
    c: Vec<f64>,
}

impl Cdf {
    /// Tabulates the CDF of `density` on `[lo, hi]` with `n` ≥ 1 trapezoids.
    pub fn of_density(density: impl Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> Cdf {
        let n = n.max(1);
        let h = (hi - lo) / n as f64;
        let mut c = vec![0.0; n + 1];
        for i in 1..=n {
            let (a, b) = (lo + (i - 1) as f64 * h, lo + i as f64 * h);
            c[i] = c[i - 1] + 0.5 * h * (density(a) + density(b));
        }
        let z = c[n];
        c.iter_mut().for_each(|v| *v /= z);
        Cdf { lo, h, c }
    }

    /// F(x).
    pub fn at(&self, x: f64) -> f64 {
        let t = (x - self.lo) / self.h;
        if t <= 0.0 {
            return 0.0;
        }
        let i = t.floor() as usize;
        match (self.c.get(i), self.c.get(i + 1)) {
            (Some(a), Some(b)) => a + (t - i as f64) * (b - a),
            _ => 1.0,
        }
    }
}

/// The Kolmogorov–Smirnov statistic D = sup |F_n − F| of `samples` (sorted here) against
/// `cdf`.
pub fn ks_statistic(samples: &mut [f64], cdf: &Cdf) -> f64 {
    samples.sort_by(f64::total_cmp);
    let n = samples.len() as f64;
    samples
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf.at(x);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max)
}

/// P(D > d) for `n` independent samples, by the Kolmogorov distribution:
/// Q(λ) = 2 Σₖ (−1)^(k−1) e^(−2k²λ²) with λ = (√n + 0.12 + 0.11/√n)·d (Stephens'
/// correction, as Numerical Recipes' `probks`).
pub fn ks_p_value(d: f64, n: usize) -> f64 {
    let rn = (n as f64).sqrt();
    let lambda = (rn + 0.12 + 0.11 / rn) * d;
    if lambda < 0.2 {
        return 1.0;
    }
    let q: f64 = (1..=100)
        .map(|k| {
            let k = k as f64;
            let sign = if k % 2.0 == 1.0 { 1.0 } else { -1.0 };
            sign * 2.0 * (-2.0 * k * k * lambda * lambda).exp()
        })
        .sum();
    q.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Kolmogorov distribution's classic critical values: Q(1.3581) = 0.05,
    /// Q(1.6276) = 0.01 (Smirnov's table), for large n.
    #[test]
    fn p_values_match_the_kolmogorov_table() {
        let n = 1_000_000;
        let q = |lambda: f64| ks_p_value(lambda / (n as f64).sqrt(), n);
        assert!((q(1.3581) - 0.05).abs() < 2e-4, "{}", q(1.3581));
        assert!((q(1.6276) - 0.01).abs() < 1e-4, "{}", q(1.6276));
    }

    /// The CDF of a triangle density is the closed form x²/2 on [0, 1].
    #[test]
    fn the_cdf_is_the_closed_form() {
        let cdf = Cdf::of_density(|x| if x < 1.0 { x } else { 2.0 - x }, 0.0, 2.0, 2000);
        for x in [0.1, 0.5, 0.9] {
            assert!((cdf.at(x) - x * x / 2.0).abs() < 1e-6);
        }
        assert_eq!((cdf.at(-1.0), cdf.at(3.0)), (0.0, 1.0));
    }
}
