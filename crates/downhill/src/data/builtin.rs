//! Built-in datasets: synthetic ones (linear regression, Gaussian blobs) and real ones embedded in the binary
//! (gzip'd CSV in `crates/downhill/data/`, sources and licences in `data/LICENSES.md`).

use std::io::Read;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::{Dataset, Task};
use crate::error::check_min;
use crate::{Error, Float, Result};

/// Every name accepted by [`builtin`].
pub const BUILTIN_NAMES: &[&str] = &[
    "synthetic_linreg",
    "synthetic_classification",
    "iris",
    "diabetes",
    "digits",
    "wine_quality",
    "mnist_5k",
];

/// Overrides for the synthetic datasets (every field optional; ignored by real datasets
/// except where an error says otherwise).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticOptions {
    /// Number of samples (1000 for `synthetic_linreg`, 300 for `synthetic_classification`).
    pub n: Option<usize>,
    /// Number of features (2 by default).
    pub features: Option<usize>,
    /// Seed of the generator (0 by default).
    pub seed: Option<u64>,
    /// True weights of `synthetic_linreg` (`[2, −3.4]`).
    pub w: Option<Vec<f64>>,
    /// True bias of `synthetic_linreg` (4.2).
    pub b: Option<f64>,
    /// Standard deviation of the label noise of `synthetic_linreg` (0.01).
    pub noise: Option<f64>,
    /// Number of blobs of `synthetic_classification` (3).
    pub classes: Option<usize>,
    /// Standard deviation of each blob (1.0).
    pub cluster_std: Option<f64>,
}

/// Linear-regression data: `n` rows of `x ~ N(0, I)`, `y = w·x + b + ε`, `ε ~ N(0, noise²)`;
/// defaults n = 1000, w = [2, −3.4], b = 4.2, noise = 0.01. Without `w`, `features ≠ 2`
/// draws `w ~ N(0, 2²)` from the seed.
pub fn synthetic_linreg<T: Float>(o: &SyntheticOptions) -> Result<Dataset<T>> {
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed.unwrap_or(0));
    let d = o
        .features
        .unwrap_or_else(|| o.w.as_ref().map_or(2, Vec::len));
    check_min("features", d as f64, 1.0)?;
    let w = match &o.w {
        Some(w) if w.len() != d => {
            return Err(Error::Invalid(format!(
                "synthetic_linreg: `w` has {} entries but `features` = {d}",
                w.len()
            )))
        }
        Some(w) => w.clone(),
        None if d == 2 => vec![2.0, -3.4],
        None => (0..d)
            .map(|_| 2.0 * Distribution::<f64>::sample(&StandardNormal, &mut rng))
            .collect(),
    };
    let n = o.n.unwrap_or(1000);
    check_min("n", n as f64, 1.0)?;
    let (b, noise) = (o.b.unwrap_or(4.2), o.noise.unwrap_or(0.01));
    check_min("noise", noise, 0.0)?;
    let mut x = super::pages::vec_with_capacity(n * d);
    for _ in 0..n * d {
        let v: f64 = StandardNormal.sample(&mut rng);
        x.push(v);
    }
    let y: Vec<T> = x
        .chunks(d)
        .map(|row| {
            let e: f64 = StandardNormal.sample(&mut rng);
            T::of(row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + b + noise * e)
        })
        .collect();
    Dataset::new(x.into_iter().map(T::of).collect(), y, d, Task::Regression)
}

/// Gaussian blobs (as scikit-learn's `make_blobs`): `classes` centres drawn uniformly in
/// `[−10, 10]^features`, `n` points split evenly over the classes, each `N(centre, σ² I)`,
/// rows shuffled. Defaults n = 300, features = 2, classes = 3, σ = 1.
pub fn synthetic_classification<T: Float>(o: &SyntheticOptions) -> Result<Dataset<T>> {
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed.unwrap_or(0));
    let (n, d, k) = (
        o.n.unwrap_or(300),
        o.features.unwrap_or(2),
        o.classes.unwrap_or(SYNTHETIC_CLASSES),
    );
    check_min("n", n as f64, 1.0)?;
    check_min("features", d as f64, 1.0)?;
    check_min("classes", k as f64, 2.0)?;
    let sd = o.cluster_std.unwrap_or(1.0);
    check_min("cluster_std", sd, 0.0)?;
    let centres: Vec<f64> = (0..k * d).map(|_| rng.random_range(-10.0..10.0)).collect();
    let mut labels: Vec<usize> = (0..n).map(|i| i * k / n).collect();
    rand::seq::SliceRandom::shuffle(&mut labels[..], &mut rng);
    let mut x = super::pages::vec_with_capacity(n * d);
    for &c in &labels {
        for j in 0..d {
            let e: f64 = StandardNormal.sample(&mut rng);
            x.push(T::of(centres[c * d + j] + sd * e));
        }
    }
    let y = labels.iter().map(|&c| T::of(c as f64)).collect();
    Dataset::new(x, y, d, Task::Classification { classes: k })
}

fn gunzip(name: &str, gz: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .map_err(|e| Error::Invalid(format!("embedded dataset `{name}` is corrupt: {e}")))?;
    Ok(out)
}

fn embedded<T: Float>(name: &str, gz: &[u8], task: Task) -> Result<Dataset<T>> {
    let csv = gunzip(name, gz)?;
    let mut ds: Dataset<T> = super::csv::parse_plain(&format!("<embedded {name}>"), &csv)?;
    ds.task = task;
    Ok(ds)
}

/// The default `classes` of `synthetic_classification`.
const SYNTHETIC_CLASSES: usize = 3;

fn class(classes: usize) -> Task {
    Task::Classification { classes }
}

/// The task of the built-in dataset `name` with its default options (the synthetic
/// classification's `classes` may override it), without loading it; `None` for an unknown
/// name.
pub fn builtin_task(name: &str) -> Option<Task> {
    Some(match name {
        "synthetic_linreg" | "diabetes" | "wine_quality" => Task::Regression,
        "synthetic_classification" => class(SYNTHETIC_CLASSES),
        "iris" => class(3),
        "digits" | "mnist_5k" => class(10),
        _ => return None,
    })
}

/// A built-in dataset by name (see [`BUILTIN_NAMES`]). `o` overrides the synthetic
/// generators' parameters; giving one that shapes the data to a real dataset is an error.
/// `o.seed` is not one: it seeds the synthetic generators and is ignored by the real
/// datasets (whose split it seeds elsewhere, in [`super::prepare`]).
pub fn builtin<T: Float>(name: &str, o: &SyntheticOptions) -> Result<Dataset<T>> {
    let real = |ds: Result<Dataset<T>>| {
        let shaping = SyntheticOptions {
            seed: None,
            ..o.clone()
        };
        if shaping != SyntheticOptions::default() {
            return Err(Error::Invalid(format!(
                "dataset `{name}` is fixed; n, features, w, b, noise, classes and \
                 cluster_std apply to the synthetic datasets only (seed seeds the split of any \
                 dataset)"
            )));
        }
        ds
    };
    match name {
        "synthetic_linreg" => synthetic_linreg(o),
        "synthetic_classification" => synthetic_classification(o),
        "iris" => real(embedded(
            name,
            include_bytes!("../../data/iris.csv.gz"),
            class(3),
        )),
        "diabetes" => real(embedded(
            name,
            include_bytes!("../../data/diabetes.csv.gz"),
            Task::Regression,
        )),
        "digits" => real(embedded(
            name,
            include_bytes!("../../data/digits.csv.gz"),
            class(10),
        )),
        "wine_quality" => real(embedded(
            name,
            include_bytes!("../../data/wine_quality.csv.gz"),
            Task::Regression,
        )),
        #[cfg(feature = "mnist")]
        "mnist_5k" => real(embedded(
            name,
            include_bytes!("../../data/mnist_5k.csv.gz"),
            class(10),
        )),
        #[cfg(not(feature = "mnist"))]
        "mnist_5k" => Err(Error::Invalid(
            "dataset `mnist_5k` is not built into this Downhill (the Python wheel leaves its \
             1.1 MB out): install with `MATURIN_PEP517_ARGS=\"--features mnist\" pip install .`, \
             or give its CSV as [data] path"
                .into(),
        )),
        _ => Err(Error::Unknown {
            kind: "dataset".into(),
            name: name.into(),
            known: BUILTIN_NAMES.join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_task_is_the_loaded_task() {
        for &name in BUILTIN_NAMES {
            let ds = builtin::<f64>(name, &SyntheticOptions::default()).unwrap();
            assert_eq!(builtin_task(name), Some(ds.task), "{name}");
        }
        assert_eq!(builtin_task("nope"), None);
    }

    #[test]
    fn real_datasets_have_their_documented_shapes() {
        let none = SyntheticOptions::default();
        for (name, n, d, classes) in [
            ("iris", 150, 4, Some(3)),
            ("diabetes", 442, 10, None),
            ("digits", 1797, 64, Some(10)),
            ("wine_quality", 1599, 11, None),
            ("mnist_5k", 5000, 784, Some(10)),
        ] {
            let ds = builtin::<f32>(name, &none).unwrap();
            assert_eq!((ds.n(), ds.d(), ds.classes()), (n, d, classes), "{name}");
        }
        let iris = builtin::<f64>("iris", &none).unwrap();
        assert_eq!(iris.row(0), &[5.1, 3.5, 1.4, 0.2]);
        let diabetes = builtin::<f64>("diabetes", &none).unwrap();
        assert_eq!(diabetes.row(0)[0], 59.0);
        assert_eq!(diabetes.y()[0], 151.0);
        let e = builtin::<f64>(
            "iris",
            &SyntheticOptions {
                n: Some(3),
                ..none.clone()
            },
        );
        assert!(e.is_err());
        assert!(builtin::<f64>("nope", &none).is_err());
        // `seed` seeds the split of any dataset: a real one accepts it and is unchanged.
        let seeded = SyntheticOptions {
            seed: Some(7),
            ..none.clone()
        };
        let iris = builtin::<f64>("iris", &none).unwrap();
        assert_eq!(builtin::<f64>("iris", &seeded).unwrap().y(), iris.y());
    }

    #[test]
    fn synthetic_linreg_matches_seed_001_statistics() {
        let ds = synthetic_linreg::<f64>(&SyntheticOptions::default()).unwrap();
        assert_eq!((ds.n(), ds.d()), (1000, 2));
        // Residuals against the true model have the noise's scale (σ = 0.01).
        let res: f64 = (0..ds.n())
            .map(|i| {
                let r = ds.row(i);
                let e = ds.y()[i] - (2.0 * r[0] - 3.4 * r[1] + 4.2);
                e * e
            })
            .sum::<f64>()
            / 1000.0;
        assert!((res.sqrt() - 0.01).abs() < 0.001, "{}", res.sqrt());
        let mean: f64 = ds.x().iter().sum::<f64>() / 2000.0;
        assert!(mean.abs() < 0.1);
        let o = SyntheticOptions {
            n: Some(10),
            features: Some(3),
            seed: Some(5),
            ..Default::default()
        };
        let a = synthetic_linreg::<f32>(&o).unwrap();
        assert_eq!((a.n(), a.d()), (10, 3));
        assert_eq!(a, synthetic_linreg::<f32>(&o).unwrap());
    }

    #[test]
    fn blobs_are_balanced() {
        let ds = synthetic_classification::<f64>(&SyntheticOptions::default()).unwrap();
        let count = |c: f64| ds.y().iter().filter(|&&v| v == c).count();
        assert_eq!((count(0.0), count(1.0), count(2.0)), (100, 100, 100));
    }
}
