//! Figure descriptions produced by the experiments, and their rendering.
#![allow(dead_code)] // fields are read by the renderer, wired to downhill-plot next

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::exit::CliError;

/// A scalar field `f(x, y)`.
pub type Field = Arc<dyn Fn(f64, f64) -> f64 + Send + Sync>;
/// A vector field `(x, y) ↦ ∇f(x, y)`.
pub type VectorField = Arc<dyn Fn(f64, f64) -> (f64, f64) + Send + Sync>;

/// A labelled curve.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Abscissae.
    pub xs: Vec<f64>,
    /// Ordinates.
    pub ys: Vec<f64>,
}

impl Series {
    /// A curve `ys` against `0, 1, 2, …`.
    pub fn indexed(label: &str, ys: Vec<f64>) -> Self {
        Series {
            label: label.to_string(),
            xs: (0..ys.len()).map(|i| i as f64).collect(),
            ys,
        }
    }
}

/// A labelled 2-D path.
#[derive(Debug, Clone)]
pub struct Path2 {
    /// Legend label.
    pub label: String,
    /// Points in order.
    pub points: Vec<[f64; 2]>,
}

impl Path2 {
    /// From a run's trajectory (each entry at least 2 long).
    pub fn from_trajectory(label: &str, t: &[Vec<f64>]) -> Self {
        Path2 {
            label: label.to_string(),
            points: t
                .iter()
                .map(|p| {
                    [
                        p.first().copied().unwrap_or(0.0),
                        p.get(1).copied().unwrap_or(0.0),
                    ]
                })
                .collect(),
        }
    }
}

/// What to draw.
pub enum Figure {
    /// Contour / heat map of `f` with trajectories.
    Contour {
        /// Title.
        title: String,
        /// The function.
        f: Field,
        /// x range.
        x: (f64, f64),
        /// y range.
        y: (f64, f64),
        /// Log-spaced levels (for valleys such as Rosenbrock's).
        log_levels: bool,
        /// Trajectories.
        paths: Vec<Path2>,
    },
    /// Curves, optionally on a log y axis.
    Curves {
        /// Title.
        title: String,
        /// x-axis label.
        x_label: String,
        /// y-axis label.
        y_label: String,
        /// Log-scaled y.
        log_y: bool,
        /// The curves.
        series: Vec<Series>,
    },
    /// Negative-gradient arrows on a grid.
    Quiver {
        /// Title.
        title: String,
        /// The gradient.
        grad: VectorField,
        /// x range.
        x: (f64, f64),
        /// y range.
        y: (f64, f64),
        /// Grid spacing.
        spacing: f64,
    },
    /// 3-D surface with a path on it.
    Surface {
        /// Title.
        title: String,
        /// The function.
        f: Field,
        /// x range.
        x: (f64, f64),
        /// y range.
        y: (f64, f64),
        /// The path.
        path: Path2,
    },
    /// Animated GIF of a descent on the contour.
    Animation {
        /// Title.
        title: String,
        /// The function.
        f: Field,
        /// x range.
        x: (f64, f64),
        /// y range.
        y: (f64, f64),
        /// The path, one frame per point.
        path: Path2,
    },
    /// Histogram of samples with a density curve over it.
    Histogram {
        /// Title.
        title: String,
        /// The samples.
        samples: Vec<f64>,
        /// Number of bins.
        bins: usize,
        /// Histogram range.
        range: (f64, f64),
        /// Legend label of the density.
        density_label: String,
        /// Density to overlay (normalised to integrate to 1 over `range`).
        density: Arc<dyn Fn(f64) -> f64 + Send + Sync>,
    },
}

impl fmt::Debug for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, title) = match self {
            Figure::Contour { title, .. } => ("Contour", title),
            Figure::Curves { title, .. } => ("Curves", title),
            Figure::Quiver { title, .. } => ("Quiver", title),
            Figure::Surface { title, .. } => ("Surface", title),
            Figure::Animation { title, .. } => ("Animation", title),
            Figure::Histogram { title, .. } => ("Histogram", title),
        };
        write!(f, "{kind}({title:?})")
    }
}

impl Figure {
    /// File extension of the rendered figure.
    pub fn extension(&self) -> &'static str {
        match self {
            Figure::Animation { .. } => "gif",
            _ => "svg",
        }
    }
}

/// Renders `fig` to `path`. Returns `false` when this build cannot draw it.
pub fn render(_fig: &Figure, _path: &Path) -> Result<bool, CliError> {
    Ok(false)
}
