//! The seeded train/validation split and feature standardisation.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::Dataset;
use crate::error::check_range;
use crate::{Float, Result};

/// Splits `ds` into (train, validation): the rows are permuted with
/// `ChaCha8Rng::seed_from_u64(seed)`, the first `⌈n · fraction⌉` go to validation (as
/// scikit-learn's `test_size` rounds up), and each part keeps the original row order.
pub fn train_val_split<T: Float>(
    ds: &Dataset<T>,
    fraction: f64,
    seed: u64,
) -> Result<(Dataset<T>, Dataset<T>)> {
    check_range("validation_fraction", fraction, 0.0, 1.0)?;
    let n = ds.n();
    let n_val = ((n as f64) * fraction).ceil() as usize;
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let (val, train) = idx.split_at_mut(n_val.min(n));
    val.sort_unstable();
    train.sort_unstable();
    Ok((ds.select(train), ds.select(val)))
}

/// Per-feature affine scaling `x ← (x − mean) / std`, fitted on one dataset (the training
/// split) and applied to others. Constant columns get `std = 1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Column means.
    pub mean: Vec<f64>,
    /// Column standard deviations (population, `1/n`).
    pub std: Vec<f64>,
}

impl Standardizer {
    /// Fits means and standard deviations of every column of `ds`.
    pub fn fit<T: Float>(ds: &Dataset<T>) -> Self {
        let (n, d) = (ds.n(), ds.d());
        let mut mean = vec![0.0; d];
        let mut var = vec![0.0; d];
        for i in 0..n {
            for (m, v) in mean.iter_mut().zip(ds.row(i)) {
                *m += v.f64();
            }
        }
        let nf = n.max(1) as f64;
        mean.iter_mut().for_each(|m| *m /= nf);
        for i in 0..n {
            for ((s, v), m) in var.iter_mut().zip(ds.row(i)).zip(&mean) {
                *s += (v.f64() - m) * (v.f64() - m);
            }
        }
        let std = var
            .iter()
            .map(|s| {
                let sd = (s / nf).sqrt();
                if sd > 0.0 && sd.is_finite() {
                    sd
                } else {
                    1.0
                }
            })
            .collect();
        Standardizer { mean, std }
    }

    /// Scales the features of `ds` in place.
    pub fn transform<T: Float>(&self, ds: &mut Dataset<T>) {
        let d = ds.d();
        for row in ds.x_mut().chunks_mut(d) {
            self.transform_row(row);
        }
    }

    /// Scales one row in place.
    pub fn transform_row<T: Float>(&self, row: &mut [T]) {
        for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
            *v = T::of((v.f64() - m) / s);
        }
    }
}

/// Splits off a validation set (`validation_fraction` of the rows, seeded) and, with
/// `standardize`, scales both parts with a [`Standardizer`] fitted on the training part only.
pub fn prepare<T: Float>(
    ds: &Dataset<T>,
    validation_fraction: f64,
    seed: u64,
    standardize: bool,
) -> Result<(Dataset<T>, Dataset<T>, Option<Standardizer>)> {
    let (mut train, mut val) = train_val_split(ds, validation_fraction, seed)?;
    if train.n() == 0 {
        return Err(crate::Error::Invalid(
            "validation_fraction leaves no training rows".into(),
        ));
    }
    let scaler = standardize.then(|| Standardizer::fit(&train));
    if let Some(s) = &scaler {
        s.transform(&mut train);
        s.transform(&mut val);
    }
    Ok((train, val, scaler))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Task;

    #[test]
    fn split_is_seeded_disjoint_and_complete() {
        let ds = Dataset::new(
            (0..20).map(f64::from).collect(),
            vec![0.0; 10],
            2,
            Task::Regression,
        )
        .unwrap();
        let (a, b) = train_val_split(&ds, 0.25, 7).unwrap();
        let (a2, b2) = train_val_split(&ds, 0.25, 7).unwrap();
        assert_eq!((a.n(), b.n()), (7, 3));
        assert_eq!((&a, &b), (&a2, &b2));
        let mut all: Vec<f64> = a.x().iter().chain(b.x()).copied().collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..20).map(f64::from).collect::<Vec<_>>());
        assert!(train_val_split(&ds, 1.0, 7).is_err());
    }

    #[test]
    fn standardizer_uses_the_fitted_split_only() {
        let mut tr =
            Dataset::new(vec![1.0, 3.0, 5.0, 7.0], vec![0.0; 2], 2, Task::Regression).unwrap();
        let mut va = Dataset::new(vec![3.0, 5.0], vec![0.0], 2, Task::Regression).unwrap();
        let s = Standardizer::fit(&tr);
        assert_eq!(s.mean, vec![3.0, 5.0]);
        assert_eq!(s.std, vec![2.0, 2.0]);
        s.transform(&mut tr);
        s.transform(&mut va);
        assert_eq!(tr.x(), &[-1.0, -1.0, 1.0, 1.0]);
        assert_eq!(va.x(), &[0.0, 0.0]);
    }
}
