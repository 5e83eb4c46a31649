//! `downhill.plot`'s drawing: figures of `downhill-plot` (the crate the CLI draws with), built
//! from plain data the Python half extracts from results, rendered as SVG or PNG.

use downhill::expr::Expr;
use downhill::problems;
use downhill_plot::{
    bilinear, contour, fit_ranges, line_chart, schedule_plot, suggest_log_levels, ContourOptions,
    Figure, Format, Labels, LineOptions, Series, Series2d, VLine,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::ErrSlot;
use crate::objective::formula_vars;

fn plot_error(e: downhill_plot::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A figure, rendered on demand (`downhill._core.Figure`; `downhill.plot.Figure` wraps it).
#[pyclass(name = "Figure", module = "downhill._core", frozen)]
pub struct PyFigure(Figure);

#[pymethods]
impl PyFigure {
    /// The figure as an SVG document.
    fn svg(&self, py: Python<'_>) -> PyResult<String> {
        let f = &self.0;
        py.allow_threads(|| f.to_svg()).map_err(plot_error)
    }
    /// The figure as the bytes of a PNG file.
    fn png<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let f = &self.0;
        let bytes = py.allow_threads(|| f.to_png()).map_err(plot_error)?;
        Ok(PyBytes::new(py, &bytes))
    }
    /// Writes the figure to `path`, as SVG or PNG by its extension (atomically).
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let format = Format::from_path(&path).map_err(plot_error)?;
        let f = &self.0;
        let bytes = py.allow_threads(|| f.render(format)).map_err(plot_error)?;
        downhill::io::write_atomic(&path, &bytes)
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("{}: {e}", path.display())))
    }
    /// Width and height in pixels.
    #[getter]
    fn size(&self) -> (u32, u32) {
        self.0.size()
    }
    /// The same figure at `width × height` pixels.
    fn resized(&self, width: u32, height: u32) -> PyFigure {
        PyFigure(self.0.clone().with_size(width, height))
    }
}

/// Figures side by side, `cols` per row.
#[pyfunction]
pub fn plot_panels(figures: Vec<PyRef<'_, PyFigure>>, cols: usize) -> PyResult<PyFigure> {
    let items = figures.iter().map(|f| f.0.clone()).collect();
    Ok(PyFigure(
        Figure::panels(items, cols.max(1)).map_err(plot_error)?,
    ))
}

/// Curves `(label, xs, ys)` with dashed vertical lines `(label, x)`.
#[pyfunction]
#[pyo3(signature = (series, title, x_label, y_label, log_y=false, vlines=Vec::new()))]
pub fn plot_lines(
    series: Vec<(String, Vec<f64>, Vec<f64>)>,
    title: &str,
    x_label: &str,
    y_label: &str,
    log_y: bool,
    vlines: Vec<(String, f64)>,
) -> PyResult<PyFigure> {
    let series: Vec<Series> = series
        .into_iter()
        .map(|(l, x, y)| Series::new(l, x, y))
        .collect();
    let opts = LineOptions {
        labels: Labels::new(title, x_label, y_label),
        log_y,
        vlines: vlines.into_iter().map(|(l, x)| VLine::new(l, x)).collect(),
        ..LineOptions::default()
    };
    Ok(PyFigure(line_chart(&series, &opts).map_err(plot_error)?))
}

/// The lr (and momentum) against step.
#[pyfunction]
#[pyo3(signature = (lr, momentum=None))]
pub fn plot_schedule(lr: Vec<f64>, momentum: Option<Vec<f64>>) -> PyResult<PyFigure> {
    Ok(PyFigure(
        schedule_plot(&lr, momentum.as_deref()).map_err(plot_error)?,
    ))
}

/// The surface of a contour: a built-in (by name), a formula in two variables (`vars`,
/// default: in order of first use), a Python
/// callable `f(x, y)`, or a grid `(xs, ys, z)` (`z[j][i]` at `(xs[i], ys[j])`, bilinear between).
fn surface(
    fun: &Bound<'_, PyAny>,
    vars: Option<Vec<String>>,
    slot: &ErrSlot,
) -> PyResult<Box<dyn Fn(f64, f64) -> f64>> {
    if let Ok(name) = fun.extract::<String>() {
        if problems::NAMES.contains(&name.as_str()) {
            let f = problems::by_name::<f64>(&name).map_err(crate::errors::value_error)?;
            problems::check_dim(f.as_ref(), &name, 2).map_err(crate::errors::value_error)?;
            return Ok(Box::new(move |x, y| f.value(&[x, y])));
        }
        let vars = vars.unwrap_or_else(|| formula_vars(&name));
        if vars.len() != 2 {
            return Err(PyValueError::new_err(format!(
                "fun: `{name}` is neither a built-in nor a formula in two variables (it has {}: {})",
                vars.len(),
                vars.join(", ")
            )));
        }
        let e = Expr::parse(&name, &vars)
            .map_err(|e| PyValueError::new_err(format!("fun: `{name}`: {e}")))?;
        return Ok(Box::new(move |x, y| e.value(&[x, y])));
    }
    if let Ok((xs, ys, z)) = fun.extract::<(Vec<f64>, Vec<f64>, Vec<Vec<f64>>)>() {
        return Ok(Box::new(bilinear(&xs, &ys, &z)));
    }
    if fun.is_callable() {
        let f: Py<PyAny> = fun.clone().unbind();
        let slot = slot.clone();
        // Called on this thread, which holds the GIL (the figure is built before returning).
        return Ok(Box::new(move |x, y| {
            Python::with_gil(
                |py| match f.call1(py, (x, y)).and_then(|v| v.extract::<f64>(py)) {
                    Ok(v) => v,
                    Err(e) => {
                        slot.keep(e);
                        f64::NAN
                    }
                },
            )
        }));
    }
    Err(PyTypeError::new_err(
        "fun: a built-in name, a formula in two variables, a callable f(x, y) or a grid (xs, ys, z)",
    ))
}

/// A contour of `fun` with trajectories `(label, points)`, on `x_range × y_range` (default: the
/// paths' box, padded, at least `min_half_width` either side), iso-lines spaced linearly or
/// (`log_levels`, default: when the surface is valley-like) logarithmically.
#[pyfunction]
#[pyo3(signature = (fun, paths, x_range=None, y_range=None, log_levels=None, levels=12, title=None, x_label="x", y_label="y", min_half_width=1.0, vars=None))]
#[allow(clippy::too_many_arguments)]
pub fn plot_contour(
    fun: &Bound<'_, PyAny>,
    paths: Vec<(String, Vec<(f64, f64)>)>,
    x_range: Option<(f64, f64)>,
    y_range: Option<(f64, f64)>,
    log_levels: Option<bool>,
    levels: usize,
    title: Option<String>,
    x_label: &str,
    y_label: &str,
    min_half_width: f64,
    vars: Option<Vec<String>>,
) -> PyResult<PyFigure> {
    let slot = ErrSlot::default();
    let f = surface(fun, vars, &slot)?;
    let series: Vec<Series2d> = paths
        .into_iter()
        .map(|(l, p)| Series2d::new(l, p))
        .collect();
    let (fx, fy) = fit_ranges(&series, min_half_width);
    let (xr, yr) = (x_range.unwrap_or(fx), y_range.unwrap_or(fy));
    let log = match log_levels {
        Some(l) => l,
        None => suggest_log_levels(&f, xr, yr),
    };
    let title = title.unwrap_or_else(|| match fun.extract::<String>() {
        Ok(s) => s,
        Err(_) => "f(x, y)".into(),
    });
    let opts = ContourOptions {
        labels: Labels::new(title, x_label, y_label),
        log_levels: log,
        levels: levels.max(1),
        ..ContourOptions::default()
    };
    let fig = contour(&f, xr, yr, &series, &opts);
    if let Some(e) = slot.take() {
        return Err(e);
    }
    Ok(PyFigure(fig.map_err(plot_error)?))
}
