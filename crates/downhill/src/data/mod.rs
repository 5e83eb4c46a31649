//! Data: the [`Dataset`] type, loaders (CSV, `.npy`), built-in datasets, the seeded
//! train/validation split, standardisation and mini-batch [`sampler`]s.
//!
//! Features are stored row-major in one contiguous `Vec<T>` (`n × d`), targets in a `Vec<T>`;
//! [`ndarray`] views are offered at the public boundary ([`Dataset::features`],
//! [`Dataset::targets`], [`Dataset::from_arrays`]).

pub mod builtin;
pub mod csv;
pub mod npy;
pub mod pages;
pub mod sampler;
pub mod split;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::{Error, Float, Result};

pub use builtin::{builtin, synthetic_classification, synthetic_linreg, BUILTIN_NAMES};
pub use sampler::{Sampler, Sampling};
pub use split::{prepare, train_val_split, Standardizer};

/// What the target of a dataset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// A real-valued target.
    Regression,
    /// Class labels `0..classes` (stored as floats).
    Classification {
        /// Number of classes.
        classes: usize,
    },
}

/// Features (`n × d`, row-major, contiguous) and one target per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset<T: Float> {
    x: Vec<T>,
    y: Vec<T>,
    n: usize,
    d: usize,
    /// Column names of the features (`x0`, `x1`, … when the source has none).
    pub feature_names: Vec<String>,
    /// Regression or classification.
    pub task: Task,
}

impl<T: Float> Dataset<T> {
    /// A dataset from row-major features `x` (`n × d`) and targets `y` (`n`).
    pub fn new(x: Vec<T>, y: Vec<T>, d: usize, task: Task) -> Result<Self> {
        let n = y.len();
        if x.len() != n * d {
            return Err(Error::Dimension {
                what: "features".into(),
                got: x.len(),
                expected: format!("{n} × {d} = {}", n * d),
            });
        }
        if let Task::Classification { classes } = task {
            if let Some(bad) = y
                .iter()
                .find(|v| v.f64() < 0.0 || v.f64().fract() != 0.0 || v.f64() >= classes as f64)
            {
                return Err(Error::Invalid(format!(
                    "class label {bad} is not an integer in 0..{classes}"
                )));
            }
        }
        Ok(Dataset {
            x,
            y,
            n,
            d,
            feature_names: (0..d).map(|j| format!("x{j}")).collect(),
            task,
        })
    }

    /// A dataset from ndarray features (`n × d`) and targets.
    pub fn from_arrays(x: ArrayView2<'_, T>, y: ArrayView1<'_, T>, task: Task) -> Result<Self> {
        if x.nrows() != y.len() {
            return Err(Error::Dimension {
                what: "targets".into(),
                got: y.len(),
                expected: format!("{} (rows of the features)", x.nrows()),
            });
        }
        let d = x.ncols();
        Self::new(x.iter().copied().collect(), y.to_vec(), d, task)
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Number of feature columns.
    pub fn d(&self) -> usize {
        self.d
    }
    /// Number of classes (`None` for regression).
    pub fn classes(&self) -> Option<usize> {
        match self.task {
            Task::Classification { classes } => Some(classes),
            Task::Regression => None,
        }
    }
    /// Row `i` of the features.
    pub fn row(&self, i: usize) -> &[T] {
        &self.x[i * self.d..(i + 1) * self.d]
    }
    /// The raw row-major features.
    pub fn x(&self) -> &[T] {
        &self.x
    }
    /// Mutable raw row-major features (for in-place scaling).
    pub fn x_mut(&mut self) -> &mut [T] {
        &mut self.x
    }
    /// The targets.
    pub fn y(&self) -> &[T] {
        &self.y
    }
    /// Features as an `n × d` view.
    pub fn features(&self) -> ArrayView2<'_, T> {
        ArrayView2::from_shape((self.n, self.d), &self.x).expect("n × d = len by construction")
    }
    /// Targets as a view.
    pub fn targets(&self) -> ArrayView1<'_, T> {
        ArrayView1::from(&self.y[..])
    }
    /// Owned copies as ndarray arrays.
    pub fn to_arrays(&self) -> (Array2<T>, Array1<T>) {
        (self.features().to_owned(), self.targets().to_owned())
    }
    /// The rows `idx` (in that order) as a new dataset.
    pub fn select(&self, idx: &[usize]) -> Self {
        let mut x = pages::vec_with_capacity(idx.len() * self.d);
        for &i in idx {
            x.extend_from_slice(self.row(i));
        }
        Dataset {
            x,
            y: idx.iter().map(|&i| self.y[i]).collect(),
            n: idx.len(),
            d: self.d,
            feature_names: self.feature_names.clone(),
            task: self.task,
        }
    }
    /// Converts to another precision.
    pub fn cast<U: Float>(&self) -> Dataset<U> {
        Dataset {
            x: {
                let mut x = pages::vec_with_capacity(self.x.len());
                x.extend(self.x.iter().map(|v| U::of(v.f64())));
                x
            },
            y: self.y.iter().map(|v| U::of(v.f64())).collect(),
            n: self.n,
            d: self.d,
            feature_names: self.feature_names.clone(),
            task: self.task,
        }
    }
}

/// Infers the task from targets: classification when every target is a non-negative integer
/// below 100 with at most 20 distinct values (the class count is then `max + 1`), else
/// regression.
pub fn infer_task(y: &[f64]) -> Task {
    let integral = !y.is_empty()
        && y.iter()
            .all(|v| *v >= 0.0 && v.fract() == 0.0 && *v < 100.0);
    if integral {
        let mut seen = [false; 100];
        for v in y {
            seen[*v as usize] = true;
        }
        if seen.iter().filter(|s| **s).count() <= 20 {
            let max = y.iter().fold(0.0f64, |a, b| a.max(*b));
            return Task::Classification {
                classes: max as usize + 1,
            };
        }
    }
    Task::Regression
}
