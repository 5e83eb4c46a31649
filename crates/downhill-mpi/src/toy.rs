//! A minimal linear-regression model and seed 001's synthetic data: enough to drive and test
//! data-parallel training without the full model zoo (`downhill::model`).

use downhill::{Float, SampledObjective};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// Linear regression with loss `ℓᵢ = ½(xᵢ·w + b − yᵢ)²`, averaged over a batch (seed 001).
/// Parameters are laid out `[w₀, …, w_{d−1}, b]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearRegression<T> {
    x: Vec<T>,
    y: Vec<T>,
    d: usize,
}

impl<T: Float> LinearRegression<T> {
    /// A model over `y.len()` rows of `d` features (`x` row-major, `y.len() × d`).
    ///
    /// Returns `None` when `x.len() != y.len() · d`.
    pub fn new(x: Vec<T>, y: Vec<T>, d: usize) -> Option<Self> {
        (x.len() == y.len() * d).then_some(LinearRegression { x, y, d })
    }
    /// Number of features.
    pub fn features(&self) -> usize {
        self.d
    }
    fn residual(&self, params: &[T], i: usize) -> T {
        let row = &self.x[i * self.d..(i + 1) * self.d];
        let mut yhat = params[self.d];
        for (w, x) in params[..self.d].iter().zip(row) {
            yhat += *w * *x;
        }
        yhat - self.y[i]
    }
}

impl<T: Float> SampledObjective<T> for LinearRegression<T> {
    fn n_samples(&self) -> usize {
        self.y.len()
    }
    fn n_params(&self) -> usize {
        self.d + 1
    }
    fn batch_value(&self, params: &[T], batch: &[usize]) -> T {
        let half = T::of(0.5);
        let mut s = T::zero();
        for &i in batch {
            let r = self.residual(params, i);
            s += half * r * r;
        }
        s / T::of(batch.len().max(1) as f64)
    }
    fn batch_gradient(&self, params: &[T], batch: &[usize], g: &mut [T]) -> T {
        let half = T::of(0.5);
        g.iter_mut().for_each(|v| *v = T::zero());
        let mut s = T::zero();
        for &i in batch {
            let r = self.residual(params, i);
            s += half * r * r;
            let row = &self.x[i * self.d..(i + 1) * self.d];
            for (gj, x) in g[..self.d].iter_mut().zip(row) {
                *gj += r * *x;
            }
            g[self.d] += r;
        }
        let m = T::of(batch.len().max(1) as f64);
        g.iter_mut().for_each(|v| *v /= m);
        s / m
    }
}

/// Seed 001's data: `n` rows with features `~ N(0, 1)`, `y = x·w + b + ε`, `ε ~ N(0, noise²)`,
/// drawn from `ChaCha8Rng::seed_from_u64(seed)` (features row by row, then the noise).
/// Returns `(x row-major, y)`.
pub fn synthetic_linreg(
    n: usize,
    w: &[f64],
    b: f64,
    noise: f64,
    seed: u64,
) -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let std = Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!("N(0, 1) is valid"));
    let x: Vec<f64> = (0..n * w.len()).map(|_| std.sample(&mut rng)).collect();
    let y = x
        .chunks_exact(w.len().max(1))
        .take(n)
        .map(|row| {
            let clean: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() + b;
            clean + noise * std.sample(&mut rng)
        })
        .collect();
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_central_differences() {
        let (x, y) = synthetic_linreg(20, &[2.0, -3.4], 4.2, 0.01, 3);
        let m = LinearRegression::new(x, y, 2).unwrap();
        let p = [0.3, -0.2, 0.1];
        let batch = [0, 3, 3, 7, 19];
        let mut g = [0.0; 3];
        m.batch_gradient(&p, &batch, &mut g);
        let h = 1e-6;
        for j in 0..3 {
            let (mut a, mut b) = (p, p);
            a[j] += h;
            b[j] -= h;
            let num = (m.batch_value(&a, &batch) - m.batch_value(&b, &batch)) / (2.0 * h);
            assert!((num - g[j]).abs() < 1e-6, "{j}: {num} vs {}", g[j]);
        }
    }

    #[test]
    fn synthetic_data_follows_the_seed_model() {
        let (x, y) = synthetic_linreg(1000, &[2.0, -3.4], 4.2, 0.01, 0);
        let max_res = x
            .chunks(2)
            .zip(&y)
            .map(|(r, y)| (2.0 * r[0] - 3.4 * r[1] + 4.2 - y).abs())
            .fold(0.0, f64::max);
        assert!(max_res < 0.05 && max_res > 0.0, "{max_res}");
        assert_eq!(
            synthetic_linreg(5, &[1.0], 0.0, 0.1, 9),
            synthetic_linreg(5, &[1.0], 0.0, 0.1, 9)
        );
    }
}
