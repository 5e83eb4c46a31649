//! Loss landscapes of a trained model: the 1-D interpolation of Goodfellow et al. 2015, the
//! 2-D surface of Li et al. 2018 (filter-normalised random directions, or the principal
//! directions of the training trajectory), and two sharpness measures (the largest Hessian
//! eigenvalue; Keskar et al. 2017's ε-sharpness).
//!
//! Every loss here is [`Network::loss`] over all rows of a split — the very call
//! [`crate::train::Trainer`] logs the training loss with — so the values at α = 0, α = 1 and
//! (0, 0) equal the run's first logged loss and its `final_train_loss` bit for bit. Grid
//! points are evaluated in parallel (rayon), each on its own network workspace and written to
//! its own slot, so results do not depend on the thread count.

pub mod directions;
pub mod sharpness;
mod snapshots;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::error::check_min;
use crate::model::{Fit, Network, OnBatch, Scalar};
use crate::{Error, Result};

pub use snapshots::Snapshots;

/// How the two directions of the surface are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionKind {
    /// Seeded Gaussian directions, filter normalised (Li et al. §4).
    #[default]
    Random,
    /// The first two principal components of the epoch-end trajectory (Li et al. §6); the
    /// trajectory is drawn on the contour.
    Pca,
}

/// The `[landscape]` table: grids, directions and sharpness settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LandscapeConfig {
    /// `[lo, hi]` of the interpolation coefficient α (must contain 0 and 1; default
    /// `[-0.5, 1.5]`).
    pub alpha_range: [f64; 2],
    /// Grid points per unit of α: α takes the values `i / alpha_resolution` in the range, so
    /// 0.0 and 1.0 are exact (default 20, a step of 0.05).
    pub alpha_resolution: usize,
    /// The surface spans `a, b ∈ [−surface_range, surface_range]` (random directions; default 1).
    pub surface_range: f64,
    /// Points per surface axis, odd so that 0.0 is one (default 41).
    pub surface_points: usize,
    /// `"random"` (default) or `"pca"`.
    pub directions: DirectionKind,
    /// Seed of the random directions, the power iteration's start and the ε-sharpness start.
    pub seed: u64,
    /// Zero the bias entries of the directions (Li et al.'s default `ignore = 'biasbn'`).
    pub ignore_bias: bool,
    /// Power iterations per run for the largest Hessian eigenvalue (default 200).
    pub power_iterations: usize,
    /// Relative change of the Rayleigh quotient that ends the power iteration (default 1e-10).
    pub power_tol: f64,
    /// ε of Keskar et al.'s ε-sharpness (default 1e-3, as in their tables).
    pub epsilon: f64,
    /// Ascent steps of the ε-sharpness maximisation (default 20).
    pub epsilon_steps: usize,
}

impl Default for LandscapeConfig {
    fn default() -> Self {
        LandscapeConfig {
            alpha_range: [-0.5, 1.5],
            alpha_resolution: 20,
            surface_range: 1.0,
            surface_points: 41,
            directions: DirectionKind::Random,
            seed: 0,
            ignore_bias: true,
            power_iterations: 200,
            power_tol: 1e-10,
            epsilon: 1e-3,
            epsilon_steps: 20,
        }
    }
}

impl LandscapeConfig {
    /// Checks every setting, naming the key of the first bad one.
    pub fn validate(&self) -> Result<()> {
        let [lo, hi] = self.alpha_range;
        if !(lo.is_finite() && hi.is_finite() && lo <= 0.0 && hi >= 1.0) {
            return Err(Error::param(
                "alpha_range",
                format!("[{lo}, {hi}]"),
                "finite [lo, hi] with lo <= 0 and hi >= 1",
            ));
        }
        if self.alpha_resolution == 0 || self.alpha_resolution > 10_000 {
            return Err(Error::param(
                "alpha_resolution",
                self.alpha_resolution,
                "1..=10000",
            ));
        }
        if (hi - lo) * self.alpha_resolution as f64 > 100_000.0 {
            return Err(Error::param(
                "alpha_range",
                format!("[{lo}, {hi}]"),
                "at most 100000 points (alpha_range width × alpha_resolution)",
            ));
        }
        check_min("surface_range", self.surface_range, f64::MIN_POSITIVE)?;
        if self.surface_points < 3
            || self.surface_points.is_multiple_of(2)
            || self.surface_points > 401
        {
            return Err(Error::param(
                "surface_points",
                self.surface_points,
                "an odd number in 3..=401 (0.0 must be a grid point)",
            ));
        }
        if self.power_iterations == 0 {
            return Err(Error::param("power_iterations", 0, ">= 1"));
        }
        check_min("power_tol", self.power_tol, 0.0)?;
        check_min("epsilon", self.epsilon, f64::MIN_POSITIVE)?;
        Ok(())
    }

    /// The α grid: `i / alpha_resolution` for every integer `i` with the value in
    /// `alpha_range` (0.0 and 1.0 exactly).
    pub fn alphas(&self) -> Vec<f64> {
        let k = self.alpha_resolution as f64;
        let lo = (self.alpha_range[0] * k - 1e-9).ceil() as i64;
        let hi = (self.alpha_range[1] * k + 1e-9).floor() as i64;
        (lo..=hi).map(|i| i as f64 / k).collect()
    }

    /// A surface axis of `surface_points` values `r·(i − m)/m`, `m = (points − 1)/2` (0.0 is
    /// the middle one, exactly).
    pub fn axis(&self, r: f64) -> Vec<f64> {
        let m = (self.surface_points / 2) as f64;
        (0..self.surface_points)
            .map(|i| (i as f64 - m) * r / m)
            .collect()
    }
}

/// The 1-D interpolation `θ(α) = (1 − α)·θ₀ + α·θ₁`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interpolation {
    /// The α values (0.0 and 1.0 among them).
    pub alpha: Vec<f64>,
    /// Mean training loss at each α.
    pub train_loss: Vec<f64>,
    /// Mean validation loss at each α (empty without a validation split).
    pub val_loss: Vec<f64>,
}

/// The 2-D surface `L(θ₁ + a·δ + b·η)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Surface {
    /// The a values (0.0 among them).
    pub a: Vec<f64>,
    /// The b values (0.0 among them).
    pub b: Vec<f64>,
    /// `train_loss[j][i]` is the training loss at `(a[i], b[j])`.
    pub train_loss: Vec<Vec<f64>>,
    /// Which directions δ, η are.
    pub directions: DirectionKind,
    /// With PCA directions: the trajectory's coordinates `(a, b)`, one per snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trajectory: Option<Vec<[f64; 2]>>,
    /// With PCA directions: the variance fraction along δ and η.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explained_variance_ratio: Option<[f64; 2]>,
}

/// Sharpness of `θ₁` on the training set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sharpness {
    /// λ_max of the training loss's Hessian ([`sharpness::hessian_max_eigenvalue`]).
    pub hessian_max_eigenvalue: f64,
    /// Keskar et al.'s ε-sharpness in percent ([`sharpness::epsilon_sharpness`]).
    pub epsilon_sharpness: f64,
}

/// Everything `downhill landscape` computes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Landscape {
    /// The 1-D interpolation.
    pub interpolation: Interpolation,
    /// The 2-D surface around θ₁.
    pub surface: Surface,
    /// The sharpness at θ₁.
    pub sharpness: Sharpness,
}

/// The mean loss of `params` over all rows of `data`: [`Network::loss`] exactly as the
/// trainer's loss log calls it.
pub fn full_loss<T: Scalar>(net: &Network<T>, params: &[T], data: &Dataset<T>) -> f64 {
    let all: Vec<usize> = (0..data.n()).collect();
    net.loss(params, data, &all, None).f64()
}

/// The losses on `data` of `n` parameter vectors, the `i`-th written by `point(i, buf)`;
/// evaluated in parallel, each worker with its own network (workspace), in index order.
pub fn losses<T: Scalar>(
    net: &Network<T>,
    data: &Dataset<T>,
    n: usize,
    point: impl Fn(usize, &mut [T]) + Sync,
) -> Vec<f64> {
    let spec = net.spec().clone();
    let np = net.n_params();
    let all: Vec<usize> = (0..data.n()).collect();
    (0..n)
        .into_par_iter()
        .map_init(
            || (Network::<T>::new(spec.clone()).ok(), vec![T::zero(); np]),
            |(net, buf), i| {
                point(i, buf);
                net.as_ref()
                    .map_or(f64::NAN, |net| net.loss(buf, data, &all, None).f64())
            },
        )
        .collect()
}

/// [`Interpolation`] of the training (and validation) loss from `theta0` to `theta1`. At
/// α = 0 and α = 1 the endpoints themselves are evaluated.
pub fn interpolate<T: Scalar>(
    net: &Network<T>,
    train: &Dataset<T>,
    val: Option<&Dataset<T>>,
    theta0: &[T],
    theta1: &[T],
    alpha: Vec<f64>,
) -> Interpolation {
    let point = |i: usize, buf: &mut [T]| {
        let a = alpha[i];
        if a == 0.0 {
            buf.copy_from_slice(theta0);
        } else if a == 1.0 {
            buf.copy_from_slice(theta1);
        } else {
            let (s, t) = (T::of(1.0 - a), T::of(a));
            for ((b, &x), &y) in buf.iter_mut().zip(theta0).zip(theta1) {
                *b = s * x + t * y;
            }
        }
    };
    let train_loss = losses(net, train, alpha.len(), point);
    let val_loss = match val.filter(|v| v.n() > 0) {
        Some(v) => losses(net, v, alpha.len(), point),
        None => Vec::new(),
    };
    Interpolation {
        alpha,
        train_loss,
        val_loss,
    }
}

/// The training loss on the grid `theta + a[i]·dx + b[j]·dy` (zero coefficients add nothing,
/// so the middle point is `theta` itself).
pub fn surface_losses<T: Scalar>(
    net: &Network<T>,
    train: &Dataset<T>,
    theta: &[T],
    dirs: [&[T]; 2],
    a: &[f64],
    b: &[f64],
) -> Vec<Vec<f64>> {
    let na = a.len();
    let flat = losses(net, train, na * b.len(), |k, buf: &mut [T]| {
        buf.copy_from_slice(theta);
        for (c, d) in [(a[k % na], dirs[0]), (b[k / na], dirs[1])] {
            if c != 0.0 {
                let c = T::of(c);
                buf.iter_mut().zip(d).for_each(|(p, &v)| *p += c * v);
            }
        }
    });
    flat.chunks(na.max(1)).map(<[f64]>::to_vec).collect()
}

/// The landscape of `net` around `theta1` (the trained or loaded solution), interpolating
/// from `theta0`; `trajectory` (epoch-end snapshots, [`Snapshots`]) is needed for PCA
/// directions.
pub fn compute<T: Scalar>(
    net: &Network<T>,
    train: &Dataset<T>,
    val: Option<&Dataset<T>>,
    theta0: &[T],
    theta1: &[T],
    trajectory: Option<&[Vec<T>]>,
    cfg: &LandscapeConfig,
) -> Result<Landscape> {
    cfg.validate()?;
    let np = net.n_params();
    if theta0.len() != np || theta1.len() != np {
        return Err(Error::Invalid(format!(
            "the model has {np} parameters, the endpoints {} and {}",
            theta0.len(),
            theta1.len()
        )));
    }
    let interpolation = interpolate(net, train, val, theta0, theta1, cfg.alphas());
    let surface = surface(net, train, theta1, trajectory, cfg)?;
    let objective = OnBatch {
        fit: Fit { net, data: train },
        batch: (0..train.n()).collect(),
    };
    let eig = sharpness::hessian_max_eigenvalue(
        &objective,
        theta1,
        cfg.power_iterations,
        cfg.power_tol,
        cfg.seed,
    );
    let eps =
        sharpness::epsilon_sharpness(&objective, theta1, cfg.epsilon, cfg.epsilon_steps, cfg.seed);
    Ok(Landscape {
        interpolation,
        surface,
        sharpness: Sharpness {
            hessian_max_eigenvalue: eig.value,
            epsilon_sharpness: eps,
        },
    })
}

/// The [`Surface`] around `theta` with the directions `cfg` asks for.
pub fn surface<T: Scalar>(
    net: &Network<T>,
    train: &Dataset<T>,
    theta: &[T],
    trajectory: Option<&[Vec<T>]>,
    cfg: &LandscapeConfig,
) -> Result<Surface> {
    let shapes = net.shapes();
    let (dirs, extent, traj, ratio) = match cfg.directions {
        DirectionKind::Random => {
            let d = |s| directions::random_direction(&shapes, theta, cfg.seed, s, cfg.ignore_bias);
            ([d(0), d(1)], cfg.surface_range, None, None)
        }
        DirectionKind::Pca => {
            let snaps = trajectory.ok_or_else(|| {
                Error::param(
                    "directions",
                    "pca",
                    "\"random\" here: PCA directions need a training run's trajectory",
                )
            })?;
            let p = directions::pca(&shapes, snaps, theta, cfg.ignore_bias).ok_or_else(|| {
                Error::param(
                    "directions",
                    "pca",
                    "\"random\": the trajectory has fewer than 3 distinct epoch-end points",
                )
            })?;
            let xy = directions::project(snaps, theta, &p.axes[0], &p.axes[1]);
            let far = xy.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
            let [ax, ay] = p.axes;
            let to_t = |v: Vec<f64>| v.into_iter().map(T::of).collect::<Vec<T>>();
            (
                [to_t(ax), to_t(ay)],
                1.25 * far.max(1e-12),
                Some(xy),
                Some(p.explained_variance_ratio),
            )
        }
    };
    let (a, b) = (cfg.axis(extent), cfg.axis(extent));
    let train_loss = surface_losses(net, train, theta, [&dirs[0], &dirs[1]], &a, &b);
    Ok(Surface {
        a,
        b,
        train_loss,
        directions: cfg.directions,
        trajectory: traj,
        explained_variance_ratio: ratio,
    })
}
