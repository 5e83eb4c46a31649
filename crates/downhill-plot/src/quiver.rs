//! The negative-gradient field: one arrow per grid point (seed 004's quiver plot).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::contour::{draw_markers, Marker};
use crate::error::{draw_err, Error, Result};
use crate::figure::{chart, mesh, Figure, Labels, LegendPosition, Plot};
use crate::geom::sane;
use crate::legend::{legend, Data};
use crate::palette::okabe_ito;
use crate::px::Px;
use crate::Range;

/// Options of [`quiver`].
#[derive(Debug, Clone, PartialEq)]
pub struct QuiverOptions {
    /// Title and axis labels (default: "Negative gradient field", "x₀", "x₁").
    pub labels: Labels,
    /// Special points drawn as black crosses with legend entries.
    pub markers: Vec<Marker>,
}

impl Default for QuiverOptions {
    fn default() -> Self {
        QuiverOptions {
            labels: Labels::new("Negative gradient field", "x₀", "x₁"),
            markers: Vec::new(),
        }
    }
}

/// The computed arrows.
#[derive(Debug, Clone)]
pub(crate) struct QuiverPlot {
    xr: Range,
    yr: Range,
    /// (tail, vector) in data units, already scaled.
    arrows: Vec<((f64, f64), (f64, f64))>,
    opts: QuiverOptions,
}

/// Arrows of `−grad(x, y)` at every multiple of `spacing` in the box (seed 004: spacing 0.25
/// on [−2, 2]²), scaled together so that the longest is 0.9 × `spacing`; directions and
/// relative lengths are exact. Non-finite gradients are skipped.
pub fn quiver(
    grad: &dyn Fn(f64, f64) -> (f64, f64),
    x_range: Range,
    y_range: Range,
    spacing: f64,
    opts: &QuiverOptions,
) -> Result<Figure> {
    let (xr, yr) = (sane(x_range), sane(y_range));
    if !(spacing.is_finite() && spacing > 0.0) {
        return Err(Error::Invalid(format!(
            "quiver spacing must be positive, got {spacing}"
        )));
    }
    let count = |r: Range| ((r.1 - r.0) / spacing + 1e-9).floor() as usize + 1;
    let (nx, ny) = (count(xr), count(yr));
    if nx * ny > 10_000 {
        return Err(Error::Invalid(format!(
            "quiver spacing {spacing} gives {nx}×{ny} arrows; at most 10 000"
        )));
    }
    let mut raw = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        for i in 0..nx {
            let p = (xr.0 + i as f64 * spacing, yr.0 + j as f64 * spacing);
            let (gx, gy) = grad(p.0, p.1);
            if gx.is_finite() && gy.is_finite() {
                raw.push((p, (-gx, -gy)));
            }
        }
    }
    let longest = raw
        .iter()
        .map(|(_, v)| v.0.hypot(v.1))
        .fold(0.0_f64, f64::max);
    let k = if longest > 0.0 {
        0.9 * spacing / longest
    } else {
        0.0
    };
    let arrows = raw
        .into_iter()
        .map(|(p, v)| (p, (v.0 * k, v.1 * k)))
        .collect();
    let pad = spacing * 0.6;
    Ok(Figure::new(Plot::Quiver(QuiverPlot {
        xr: (xr.0 - pad, xr.1 + pad),
        yr: (yr.0 - pad, yr.1 + pad),
        arrows,
        opts: opts.clone(),
    })))
}

impl QuiverPlot {
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        px: Px,
    ) -> Result<()> {
        let (xr, yr) = (self.xr, self.yr);
        let mut ch = chart(area, &self.opts.labels, xr.0..xr.1, yr.0..yr.1, px)?;
        mesh(&mut ch, &self.opts.labels, true, px)?;
        let (w, h) = ch.plotting_area().dim_in_pixel();
        // canvas pixels per data unit, to shape arrow heads in screen space
        let sx = w.max(1) as f64 / (xr.1 - xr.0);
        let sy = h.max(1) as f64 / (yr.1 - yr.0);
        let color = okabe_ito(0);
        let style = color.stroke_width(2);
        let swatch = px.i(20);
        let (dot, max_head) = (px.f(1.0), px.f(9.0));
        let mut paths = Vec::with_capacity(self.arrows.len() * 2);
        let mut dots = Vec::new();
        for &(p, v) in &self.arrows {
            let (px, py) = (v.0 * sx, v.1 * sy);
            let len = px.hypot(py);
            if len < dot {
                dots.push(p);
                continue;
            }
            let tip = (p.0 + v.0, p.1 + v.1);
            let head = (len * 0.35).min(max_head);
            let (ux, uy) = (px / len, py / len);
            let wing = |s: f64| {
                let (bx, by) = (-ux * head, -uy * head);
                let (qx, qy) = (-uy * head * 0.5 * s, ux * head * 0.5 * s);
                (tip.0 + (bx + qx) / sx, tip.1 + (by + qy) / sy)
            };
            paths.push(vec![p, tip]);
            paths.push(vec![wing(1.0), tip, wing(-1.0)]);
        }
        let mut data = Data::default();
        for p in &paths {
            data.add(&ch, p.iter().copied());
        }
        for &p in &dots {
            data.add(&ch, [p]);
        }
        ch.draw_series(paths.into_iter().map(|pts| PathElement::new(pts, style)))
            .map_err(draw_err)?
            .label("−∇f")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + swatch, y)], style));
        ch.draw_series(
            dots.into_iter()
                .map(|p| Circle::new(p, px.u(2), color.filled())),
        )
        .map_err(draw_err)?;
        let mut entries = vec!["−∇f"];
        draw_markers(&mut ch, &self.opts.markers, px, &mut entries)?;
        for m in &self.opts.markers {
            data.add(&ch, [m.point]);
        }
        legend(&mut ch, LegendPosition::Best, &entries, &data, px)
    }
}
