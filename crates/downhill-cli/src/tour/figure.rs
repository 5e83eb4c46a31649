//! Figure descriptions produced by the experiments, and their rendering.

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
    pub fn from_trajectory<'t>(label: &str, t: impl IntoIterator<Item = &'t [f64]>) -> Self {
        Path2 {
            label: label.to_string(),
            points: t
                .into_iter()
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

/// Curves with some series dotted at every point and labelled vertical lines: the richer
/// form of [`Figure::Curves`].
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// Title.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Log-scaled y.
    pub log_y: bool,
    /// The curves.
    pub series: Vec<Series>,
    /// Indices of the series drawn as dots joined by lines (e.g. iterates).
    pub marked: Vec<usize>,
    /// Dashed vertical lines: (legend label, x).
    pub vlines: Vec<(String, f64)>,
    /// Where the legend goes (default `Best`: the corner covering the least of the data).
    pub legend: downhill_plot::LegendPosition,
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
        /// The values the colours span (`None`: the range of `f` on the box); panels that are
        /// compared share one.
        value_range: Option<(f64, f64)>,
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
    /// Curves with marked series and vertical lines.
    Chart(Chart),
    /// Bars side by side per category, one colour and legend entry per group.
    Bars {
        /// Title.
        title: String,
        /// x-axis label.
        x_label: String,
        /// y-axis label.
        y_label: String,
        /// Category names under the axis.
        categories: Vec<String>,
        /// Groups: (legend label, one value per category).
        groups: Vec<(String, Vec<f64>)>,
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
    /// Values on a grid of cells (a sweep's map) with a colour bar, and lines on top.
    Heatmap(Heatmap),
}

/// A heat map: `z[i][j]` is the value of the cell centred at `(xs[i], ys[j])`; non-finite
/// values are drawn as missing cells under `missing_label`.
#[derive(Debug, Clone, Default)]
pub struct Heatmap {
    /// Title.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// What the colours measure (the colour bar's label).
    pub value_label: String,
    /// Legend text of the missing cells.
    pub missing_label: String,
    /// Cell centres along x.
    pub xs: Vec<f64>,
    /// Cell centres along y.
    pub ys: Vec<f64>,
    /// The values, one row per x centre.
    pub z: Vec<Vec<f64>>,
    /// Lines drawn on top (a theory edge).
    pub lines: Vec<Path2>,
}

impl fmt::Debug for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, title) = match self {
            Figure::Contour { title, .. } => ("Contour", title),
            Figure::Curves { title, .. } => ("Curves", title),
            Figure::Chart(c) => ("Chart", &c.title),
            Figure::Bars { title, .. } => ("Bars", title),
            Figure::Quiver { title, .. } => ("Quiver", title),
            Figure::Surface { title, .. } => ("Surface", title),
            Figure::Animation { title, .. } => ("Animation", title),
            Figure::Histogram { title, .. } => ("Histogram", title),
            Figure::Heatmap(h) => ("Heatmap", &h.title),
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

/// Renders `fig` with `downhill-plot` (SVG or PNG by the path's extension, GIF for animations)
/// and writes it to `path` through `downhill::io`. Returns `false` when this build cannot draw
/// it (never, since downhill-plot).
pub fn render(fig: &Figure, path: &Path) -> Result<bool, CliError> {
    use downhill_plot as dp;
    let series2d = |p: &Path2| {
        dp::Series2d::new(
            p.label.as_str(),
            p.points.iter().map(|q| (q[0], q[1])).collect(),
        )
    };
    let labels = |title: &str, x: &str, y: &str| dp::Labels::new(title, x, y);
    let file = |g: dp::Figure| dp::Format::from_path(path).and_then(|format| g.render(format));
    let drawn = match fig {
        Figure::Contour {
            title,
            f,
            x,
            y,
            log_levels,
            paths,
            value_range,
        } => {
            let opts = dp::ContourOptions {
                labels: labels(title, "x₀", "x₁"),
                log_levels: *log_levels,
                colorbar: Some("f".into()),
                value_range: *value_range,
                equal_aspect: square(*x, *y),
                ..dp::ContourOptions::default()
            };
            let paths: Vec<dp::Series2d> = paths.iter().map(series2d).collect();
            dp::contour(&|a, b| f(a, b), *x, *y, &paths, &opts).and_then(file)
        }
        Figure::Curves {
            title,
            x_label,
            y_label,
            log_y,
            series,
        } => line_chart(&Chart {
            title: title.clone(),
            x_label: x_label.clone(),
            y_label: y_label.clone(),
            log_y: *log_y,
            series: series.clone(),
            ..Chart::default()
        })
        .and_then(file),
        Figure::Chart(c) => line_chart(c).and_then(file),
        Figure::Bars {
            title,
            x_label,
            y_label,
            categories,
            groups,
        } => {
            let groups: Vec<dp::BarGroup> = groups
                .iter()
                .map(|(label, values)| dp::BarGroup::new(label.as_str(), values.clone()))
                .collect();
            dp::grouped_bar_chart(categories, &groups, &labels(title, x_label, y_label))
                .and_then(file)
        }
        Figure::Quiver {
            title,
            grad,
            x,
            y,
            spacing,
        } => {
            let opts = dp::QuiverOptions {
                labels: labels(title, "x₀", "x₁"),
                ..dp::QuiverOptions::default()
            };
            dp::quiver(&|a, b| grad(a, b), *x, *y, *spacing, &opts).and_then(file)
        }
        Figure::Surface {
            title,
            f,
            x,
            y,
            path: p,
        } => {
            let opts = dp::SurfaceOptions {
                labels: labels(title, "x₀", "x₁"),
                ..dp::SurfaceOptions::default()
            };
            dp::surface3d(&|a, b| f(a, b), *x, *y, Some(&series2d(p)), &opts).and_then(file)
        }
        Figure::Animation {
            title,
            f,
            x,
            y,
            path: p,
        } => {
            let opts = dp::AnimationOptions {
                contour: dp::ContourOptions {
                    labels: labels(title, "x₀", "x₁"),
                    equal_aspect: square(*x, *y),
                    ..dp::ContourOptions::default()
                },
                ..dp::AnimationOptions::default()
            };
            dp::Animation::new(&|a, b| f(a, b), *x, *y, &[series2d(p)], &opts)
                .and_then(|a| a.to_gif())
        }
        Figure::Histogram {
            title,
            samples,
            bins,
            range,
            density_label,
            density,
        } => {
            let opts = dp::HistogramOptions {
                labels: labels(title, "x", "density"),
                bins: *bins,
                range: Some(*range),
                density_label: density_label.clone(),
                normalize: false,
                ..dp::HistogramOptions::default()
            };
            dp::histogram_density(samples, Some(&|v| density(v)), &opts).and_then(file)
        }
        Figure::Heatmap(h) => {
            let opts = dp::HeatmapOptions {
                labels: labels(&h.title, &h.x_label, &h.y_label),
                value_label: h.value_label.clone(),
                missing_label: h.missing_label.clone(),
                ..dp::HeatmapOptions::default()
            };
            let lines: Vec<dp::Series2d> = h.lines.iter().map(series2d).collect();
            dp::heatmap(&h.xs, &h.ys, &h.z, &lines, &opts).and_then(file)
        }
    };
    let bytes = drawn.map_err(|e| CliError::failure(format!("{}: {e}", path.display())))?;
    downhill::io::write_atomic(path, &bytes).map_err(CliError::failure)?;
    Ok(true)
}

/// Whether a box is square, so that its function is drawn with equal aspect (the tour draws
/// isotropic functions, and the loss along two normalised directions, on square boxes).
fn square(x: (f64, f64), y: (f64, f64)) -> bool {
    ((x.1 - x.0) - (y.1 - y.0)).abs() <= 1e-9 * (x.1 - x.0).abs()
}

/// The downhill-plot line chart of a [`Chart`].
fn line_chart(c: &Chart) -> downhill_plot::Result<downhill_plot::Figure> {
    use downhill_plot as dp;
    let series: Vec<dp::Series> = c
        .series
        .iter()
        .map(|s| dp::Series::new(s.label.as_str(), s.xs.clone(), s.ys.clone()))
        .collect();
    let opts = dp::LineOptions {
        labels: dp::Labels::new(c.title.as_str(), c.x_label.as_str(), c.y_label.as_str()),
        log_y: c.log_y,
        marked: c.marked.clone(),
        vlines: c
            .vlines
            .iter()
            .map(|(label, x)| dp::VLine::new(label.as_str(), *x))
            .collect(),
        legend: c.legend,
        ..dp::LineOptions::default()
    };
    dp::line_chart(&series, &opts)
}
