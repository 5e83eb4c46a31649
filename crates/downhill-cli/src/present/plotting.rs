//! The figures of the CLI: a run (contour + trajectory for 2-D built-in functions, otherwise f
//! against step on a log axis when f stays positive) and a comparison of several runs.

use std::path::Path;

use downhill::problems;
use downhill::run::RunResult;
use downhill_plot::{
    contour, fit_ranges, loss_curves, suggest_log_levels, ContourOptions, Figure, Format, Labels,
    Series, Series2d,
};

use crate::exit::CliError;
use downhill::spec::compare::default_label;
use downhill::spec::run::RunConfig;

/// One run as the figures see it.
#[derive(Debug, Clone)]
pub struct RunTrace {
    /// Legend text.
    pub label: String,
    /// Points visited, starting with x0.
    pub trajectory: Vec<Vec<f64>>,
    /// f at each point.
    pub f_history: Vec<f64>,
}

/// Draws a finished run to `out` (nothing when `None`).
pub fn draw_run(cfg: &RunConfig, res: &RunResult, out: Option<&Path>) -> Result<(), CliError> {
    let Some(out) = out else {
        return Ok(());
    };
    let trace = RunTrace {
        label: default_label(&cfg.optimizer),
        trajectory: res.trajectory.to_vecs(),
        f_history: res.f_history.clone(),
    };
    let fig = figure(cfg.problem.label(), &[trace], false)?;
    write(&fig, out)
}

/// Maps a figure error to the CLI's exit codes: unusable input 2, drawing 1 (I/O is 1 too).
fn plot_error(e: downhill_plot::Error) -> CliError {
    match e {
        downhill_plot::Error::Invalid(_) => CliError::input(e),
        _ => CliError::failure(e),
    }
}

/// Writes `fig` as SVG or PNG according to the extension of `out` (atomically, `downhill::io`).
pub fn write(fig: &Figure, out: &Path) -> Result<(), CliError> {
    let format = Format::from_path(out).map_err(plot_error)?;
    let bytes = fig.render(format).map_err(plot_error)?;
    downhill::io::write_atomic(out, &bytes).map_err(CliError::failure)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// The 2-D objective `function` as `f(x, y)`, when it is a built-in accepting 2 coordinates.
fn surface_of(function: &str) -> Option<impl Fn(f64, f64) -> f64> {
    let f = problems::by_name::<f64>(function).ok()?;
    problems::check_dim(f.as_ref(), function, 2).ok()?;
    Some(move |x: f64, y: f64| f.value(&[x, y]))
}

/// The picture of `traces` on `function`: their trajectories on the contour when the function
/// is a known 2-D one (beside the loss curves when `with_losses`), otherwise the loss curves.
pub fn figure(function: &str, traces: &[RunTrace], with_losses: bool) -> Result<Figure, CliError> {
    let two_d = traces
        .iter()
        .all(|t| t.trajectory.iter().all(|p| p.len() == 2));
    let losses = || -> Result<Figure, CliError> {
        let series: Vec<Series> = traces
            .iter()
            .map(|t| Series::indexed(t.label.as_str(), t.f_history.clone()))
            .collect();
        let positive = traces
            .iter()
            .flat_map(|t| t.f_history.iter())
            .filter(|v| v.is_finite())
            .all(|&v| v > 0.0);
        loss_curves(&series, positive, "step", &format!("{function}(x)")).map_err(plot_error)
    };
    let surface = if two_d { surface_of(function) } else { None };
    let Some(f) = surface else {
        return losses();
    };
    let series: Vec<Series2d> = traces
        .iter()
        .map(|t| {
            Series2d::new(
                t.label.as_str(),
                t.trajectory.iter().map(|p| (p[0], p[1])).collect(),
            )
        })
        .collect();
    // Frame the paths within a few times the start's size: a diverging run leaves the box
    // (clipped) instead of stretching it until the landscape is invisible.
    let scale = series
        .iter()
        .filter_map(|s| s.points.first())
        .map(|p| p.0.abs().max(p.1.abs()))
        .filter(|v| v.is_finite())
        .fold(1.0_f64, f64::max);
    let framed: Vec<Series2d> = series
        .iter()
        .map(|s| {
            let near = s.points.iter().copied();
            let near = near.filter(|p| p.0.abs() <= 3.0 * scale && p.1.abs() <= 3.0 * scale);
            Series2d::new("", near.collect())
        })
        .collect();
    let (xr, yr) = fit_ranges(&framed, scale);
    let opts = ContourOptions {
        labels: Labels::new(format!("{function}: trajectories"), "x₀", "x₁"),
        log_levels: suggest_log_levels(&f, xr, yr),
        ..ContourOptions::default()
    };
    let map = contour(&f, xr, yr, &series, &opts).map_err(plot_error)?;
    if with_losses {
        Figure::panels(vec![map, losses()?], 2).map_err(plot_error)
    } else {
        Ok(map)
    }
}

/// The surface as a field: bilinear interpolation between the grid's values.
pub fn field(a: &[f64], b: &[f64], z: &[Vec<f64>]) -> impl Fn(f64, f64) -> f64 + Send + Sync {
    downhill_plot::bilinear(a, b, z)
}
