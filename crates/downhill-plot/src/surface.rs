//! A 3-D surface of `f(x, y)` with a descent path drawn on it.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{draw_err, Result};
use crate::figure::{
    titled, Figure, Labels, LegendPosition, Plot, LABEL_SIZE, TICK_MARK, TICK_SIZE,
};
use crate::geom::{bounds, check_finite_ranges, pad, sane};
use crate::legend::{legend, Data};
use crate::palette::{okabe_ito, viridis};
use crate::px::Px;
use crate::{Range, Series2d};

/// Options of [`surface3d`].
#[derive(Debug, Clone, PartialEq)]
pub struct SurfaceOptions {
    /// Title and the x and y axis labels (written beside the base of the box; the vertical
    /// axis is `f`, named on the colour bar).
    pub labels: Labels,
    /// Grid nodes per axis (default 30, clamped to 4..=120).
    pub grid: usize,
    /// Rotation about the vertical axis in radians (default 0.7).
    pub yaw: f64,
    /// Elevation in radians (default 0.45).
    pub pitch: f64,
}

impl Default for SurfaceOptions {
    fn default() -> Self {
        SurfaceOptions {
            labels: Labels::new("Surface of f", "x", "y"),
            grid: 30,
            yaw: 0.7,
            pitch: 0.45,
        }
    }
}

/// A point (x, f, y) of the 3-D chart (plotters' y axis is the vertical one).
type Point3 = (f64, f64, f64);

/// The computed surface.
#[derive(Debug, Clone)]
pub(crate) struct SurfacePlot {
    opts: SurfaceOptions,
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// Row-major by y: `values[j * xs.len() + i] = f(xs[i], ys[j])`.
    values: Vec<f64>,
    zr: Range,
    /// (label, points (x, f, y)) — the path lifted onto the surface.
    path: Option<(String, Vec<Point3>)>,
}

/// `f` over `x_range × y_range` as a coloured surface, with `path` (if any) lifted onto it.
/// Non-finite values of `f` are drawn at the lowest finite height; path points outside the box
/// or with a non-finite value are skipped.
pub fn surface3d(
    f: &dyn Fn(f64, f64) -> f64,
    x_range: Range,
    y_range: Range,
    path: Option<&Series2d>,
    opts: &SurfaceOptions,
) -> Result<Figure> {
    check_finite_ranges("surface", x_range, y_range)?;
    let (xr, yr) = (sane(x_range), sane(y_range));
    let n = opts.grid.clamp(4, 120);
    let axis = |r: Range| -> Vec<f64> {
        (0..n)
            .map(|i| r.0 + (r.1 - r.0) * i as f64 / (n - 1) as f64)
            .collect()
    };
    let (xs, ys) = (axis(xr), axis(yr));
    let mut values: Vec<f64> = ys
        .iter()
        .flat_map(|&y| xs.iter().map(move |&x| f(x, y)))
        .collect();
    let zb = sane(bounds(values.iter().copied()).unwrap_or((0.0, 1.0)));
    values
        .iter_mut()
        .filter(|v| !v.is_finite())
        .for_each(|v| *v = zb.0);
    let path = path.map(|s| {
        let pts = s
            .points
            .iter()
            .filter(|p| p.0 >= xr.0 && p.0 <= xr.1 && p.1 >= yr.0 && p.1 <= yr.1)
            .map(|&(x, y)| (x, f(x, y), y))
            .filter(|p| p.1.is_finite())
            .collect();
        (s.label.clone(), pts)
    });
    Ok(Figure::new(Plot::Surface(Box::new(SurfacePlot {
        opts: opts.clone(),
        xs,
        ys,
        values,
        zr: pad(zb, 0.02),
        path,
    }))))
}

impl SurfacePlot {
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        px: Px,
    ) -> Result<()> {
        let (x0, x1) = (self.xs[0], self.xs[self.xs.len() - 1]);
        let (y0, y1) = (self.ys[0], self.ys[self.ys.len() - 1]);
        let (zlo, zhi) = self.zr;
        let (area, bar) = crate::colorbar::split(area, px);
        let t = |v: f64| ((v - zlo) / (zhi - zlo)).clamp(0.0, 1.0);
        crate::colorbar::draw(
            &bar,
            "f",
            !self.opts.labels.title.is_empty(),
            self.zr,
            &|v| viridis(t(v)),
            &crate::geom::tick,
            px,
        )?;
        let area = titled(&area, 20, &self.opts.labels.title, px)?;
        let mut ch = ChartBuilder::on(&area)
            .build_cartesian_3d(x0..x1, self.zr.0..self.zr.1, y0..y1)
            .map_err(draw_err)?;
        let (yaw, pitch) = (self.opts.yaw, self.opts.pitch);
        ch.with_projection(|mut pb| {
            pb.yaw = yaw;
            pb.pitch = pitch;
            pb.scale = 0.8;
            pb.into_matrix()
        });
        ch.configure_axes()
            .light_grid_style(BLACK.mix(0.12))
            .max_light_lines(3)
            .label_style(px.text(TICK_SIZE))
            .tick_size(px.i(TICK_MARK as i32))
            .x_formatter(&|v| crate::geom::tick(*v))
            .y_formatter(&|v| crate::geom::tick(*v))
            .z_formatter(&|v| crate::geom::tick(*v))
            .draw()
            .map_err(draw_err)?;
        let n = self.xs.len();
        let idx = |v: f64, lo: f64, hi: f64| -> usize {
            (((v - lo) / (hi - lo) * (n - 1) as f64).round().max(0.0) as usize).min(n - 1)
        };
        // Axis names beside the base of the box, past the tick labels.
        let names = [
            (
                &self.opts.labels.x,
                (0.5 * (x0 + x1), zlo, y0 - 0.3 * (y1 - y0)),
            ),
            (
                &self.opts.labels.y,
                (x1 + 0.3 * (x1 - x0), zlo, 0.5 * (y0 + y1)),
            ),
        ];
        ch.draw_series(
            names
                .into_iter()
                .filter(|(s, _)| !s.is_empty())
                .map(|(s, at)| Text::new(s.clone(), at, px.text(LABEL_SIZE))),
        )
        .map_err(draw_err)?;
        let value = |x: f64, y: f64| self.values[idx(y, y0, y1) * n + idx(x, x0, x1)];
        ch.draw_series(
            SurfaceSeries::xoz(self.xs.iter().copied(), self.ys.iter().copied(), value)
                .style_func(&|&v| viridis((v - zlo) / (zhi - zlo)).mix(0.9).filled()),
        )
        .map_err(draw_err)?;
        if let Some((label, pts)) = &self.path {
            let color = okabe_ito(1);
            let style = color.stroke_width(3);
            let swatch = px.i(20);
            let anno = ch
                .draw_series(LineSeries::new(pts.iter().copied(), style))
                .map_err(draw_err)?;
            if !label.is_empty() {
                anno.label(label.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + swatch, y)], style));
            }
            if let Some(&p) = pts.first() {
                ch.draw_series(std::iter::once(Circle::new(
                    p,
                    px.u(6),
                    color.stroke_width(2),
                )))
                .map_err(draw_err)?;
            }
            if let Some(&p) = pts.last() {
                ch.draw_series(std::iter::once(Circle::new(p, px.u(5), color.filled())))
                    .map_err(draw_err)?;
            }
            if !label.is_empty() {
                // above the surface's box, where nothing is drawn
                let none = Data::default();
                legend(&mut ch, LegendPosition::UpperRight, &[label], &none, px)?;
            }
        }
        Ok(())
    }
}
