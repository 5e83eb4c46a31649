//! Contour plots: a banded heat map of `f` on a grid, iso-lines by marching squares (chained
//! into polylines to keep SVGs small), and trajectories on top with a legend entry each.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::colorbar::{self, Scale};
use crate::error::{draw_err, Result};
use crate::figure::{chart, mesh, Chart2d, Figure, Labels, LegendPosition, Plot};
use crate::geom::{
    bounds, check_finite_ranges, clip_polyline, sane, split_sharp_turns, thin, Polyline,
};
use crate::isolines::marching_squares;
use crate::legend::{legend, Data};
use crate::palette::{lighten, okabe_ito, viridis};
use crate::px::Px;
use crate::{Range, Series2d};

/// A labelled special point (a minimum, a saddle, a start).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Legend text.
    pub label: String,
    /// Where.
    pub point: (f64, f64),
}

/// Options of [`contour`].
#[derive(Debug, Clone, PartialEq)]
pub struct ContourOptions {
    /// Title and axis labels (default: "f(x, y)", "x", "y").
    pub labels: Labels,
    /// Number of iso-lines (default 12).
    pub levels: usize,
    /// Space levels and colours logarithmically in `f − min f` (for Rosenbrock-like valleys).
    pub log_levels: bool,
    /// Grid nodes per axis (default 90, clamped to 8..=400).
    pub grid: usize,
    /// Draw the filled heat map under the iso-lines (default true).
    pub heatmap: bool,
    /// Special points drawn as black crosses with legend entries.
    pub markers: Vec<Marker>,
    /// Dots on every trajectory point when a path has at most this many points (default 60).
    pub max_dotted_points: usize,
    /// Where the legend goes.
    pub legend: LegendPosition,
    /// The values the colours span (default `None`: the range of `f` on the box). Give panels
    /// that are compared one range, so that one colour means one value in all of them.
    pub value_range: Option<Range>,
    /// One unit on x as long as one unit on y (for isotropic functions), the plot narrowed or
    /// shortened to fit (default false).
    pub equal_aspect: bool,
    /// A colour bar on the right, with this label (default `None`: no bar, the plot takes the
    /// whole width, as the lab's backgrounds need).
    pub colorbar: Option<String>,
}

impl Default for ContourOptions {
    fn default() -> Self {
        ContourOptions {
            labels: Labels::new("f(x, y)", "x", "y"),
            levels: 12,
            log_levels: false,
            grid: 90,
            heatmap: true,
            markers: Vec::new(),
            max_dotted_points: 60,
            legend: LegendPosition::default(),
            value_range: None,
            equal_aspect: false,
            colorbar: None,
        }
    }
}

/// Colour bands of the heat map (adjacent cells of one band are merged into one rectangle).
pub(crate) const BANDS: usize = 24;

/// A heat-map rectangle as drawn: lower-left corner, upper-right corner, colour band.
type CellRect = ((f64, f64), (f64, f64), usize);

/// The computed contour picture.
#[derive(Debug, Clone)]
pub(crate) struct ContourPlot {
    pub(crate) xr: Range,
    pub(crate) yr: Range,
    /// Heat-map cells: (x0, y0, x1, y1, band), already run-length merged along rows.
    cells: Vec<(f64, f64, f64, f64, usize)>,
    /// Iso-lines: (colour position in [0, 1], polylines).
    isolines: Vec<(f64, Vec<Polyline>)>,
    pub(crate) trajectories: Vec<Series2d>,
    pub(crate) opts: ContourOptions,
    /// The colour scale (none when `f` has no finite value on the box).
    pub(crate) scale: Option<Scale>,
}

/// The part of `area` (from its top left) in which [`chart`] leaves a plotting area with one
/// unit of x as long as one unit of y; the layout is measured on a scratch SVG, since building
/// a chart draws its caption.
fn equal_aspect<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &crate::figure::Labels,
    xr: Range,
    yr: Range,
    px: Px,
) -> Result<DrawingArea<DB, Shift>> {
    let (w, h) = area.dim_in_pixel();
    let mut scratch = String::new();
    let (pw, ph) = {
        let root = SVGBackend::with_string(&mut scratch, (w, h)).into_drawing_area();
        let ch = chart(&root, labels, xr.0..xr.1, yr.0..yr.1, px)?;
        ch.plotting_area().dim_in_pixel()
    };
    let (pw, ph) = (pw as f64, ph as f64);
    let ratio = (xr.1 - xr.0) / (yr.1 - yr.0);
    Ok(if pw > ratio * ph {
        area.split_horizontally(w - (pw - ratio * ph).round() as u32)
            .0
    } else {
        area.split_vertically(h - (ph - pw / ratio).round() as u32)
            .0
    })
}

/// Contour plot of `f` on `x_range × y_range` with `trajectories` drawn on top.
///
/// `f` is sampled on a `grid × grid` lattice when the figure is built. Non-finite values of
/// `f` leave holes; trajectory points outside the box are clipped, non-finite ones break the
/// path. Each trajectory gets an Okabe–Ito colour and a legend entry; its start is a hollow
/// circle and its end a filled one.
pub fn contour(
    f: &dyn Fn(f64, f64) -> f64,
    x_range: Range,
    y_range: Range,
    trajectories: &[Series2d],
    opts: &ContourOptions,
) -> Result<Figure> {
    check_finite_ranges("contour", x_range, y_range)?;
    let plot = ContourPlot::build(f, sane(x_range), sane(y_range), trajectories, opts);
    Ok(Figure::new(Plot::Contour(Box::new(plot))))
}

/// Whether `f` on the box is valley-like enough for logarithmic levels: the median of
/// `f − min f` over a 15×15 sample is below 15 % of its maximum (Rosenbrock, Beale), so linear
/// levels would all crowd the walls.
pub fn suggest_log_levels(f: &dyn Fn(f64, f64) -> f64, x_range: Range, y_range: Range) -> bool {
    let (xr, yr) = (sane(x_range), sane(y_range));
    let n = 15;
    let mut v: Vec<f64> = (0..n * n)
        .map(|k| {
            let (i, j) = (k % n, k / n);
            let x = xr.0 + (xr.1 - xr.0) * i as f64 / (n - 1) as f64;
            let y = yr.0 + (yr.1 - yr.0) * j as f64 / (n - 1) as f64;
            f(x, y)
        })
        .filter(|v| v.is_finite())
        .collect();
    if v.len() < 3 {
        return false;
    }
    v.sort_by(f64::total_cmp);
    let lo = v[0];
    let (median, max) = (v[v.len() / 2] - lo, v[v.len() - 1] - lo);
    max > 0.0 && median < 0.15 * max
}

impl ContourPlot {
    pub(crate) fn build(
        f: &dyn Fn(f64, f64) -> f64,
        xr: Range,
        yr: Range,
        trajectories: &[Series2d],
        opts: &ContourOptions,
    ) -> Self {
        let n = opts.grid.clamp(8, 400);
        let xs: Vec<f64> = (0..n)
            .map(|i| xr.0 + (xr.1 - xr.0) * i as f64 / (n - 1) as f64)
            .collect();
        let ys: Vec<f64> = (0..n)
            .map(|j| yr.0 + (yr.1 - yr.0) * j as f64 / (n - 1) as f64)
            .collect();
        let nodes: Vec<f64> = ys
            .iter()
            .flat_map(|&y| xs.iter().map(move |&x| f(x, y)))
            .collect();
        let centre = |i: usize, j: usize| f((xs[i] + xs[i + 1]) / 2.0, (ys[j] + ys[j + 1]) / 2.0);
        let centres: Vec<f64> = (0..n - 1)
            .flat_map(|j| (0..n - 1).map(move |i| (i, j)))
            .map(|(i, j)| centre(i, j))
            .collect();
        let mut plot = ContourPlot {
            xr,
            yr,
            cells: Vec::new(),
            isolines: Vec::new(),
            trajectories: trajectories.to_vec(),
            opts: opts.clone(),
            scale: None,
        };
        let range = opts
            .value_range
            .or_else(|| bounds(nodes.iter().chain(centres.iter()).copied()));
        let Some(range) = range else {
            return plot;
        };
        let scale = Scale::new(range, opts.log_levels);
        plot.scale = Some(scale);
        if opts.heatmap {
            for j in 0..n - 1 {
                let mut i = 0;
                while i < n - 1 {
                    let v = centres[j * (n - 1) + i];
                    if !v.is_finite() {
                        i += 1;
                        continue;
                    }
                    let band = ((scale.t(v) * BANDS as f64) as usize).min(BANDS - 1);
                    let mut k = i + 1;
                    while k < n - 1 {
                        let w = centres[j * (n - 1) + k];
                        if !w.is_finite()
                            || ((scale.t(w) * BANDS as f64) as usize).min(BANDS - 1) != band
                        {
                            break;
                        }
                        k += 1;
                    }
                    plot.cells.push((xs[i], ys[j], xs[k], ys[j + 1], band));
                    i = k;
                }
            }
        }
        let levels = opts.levels.min(60);
        for l in 1..=levels {
            let t = l as f64 / (levels + 1) as f64;
            let level = scale.inverse(t);
            let lines = marching_squares(&nodes, &centres, &xs, &ys, level);
            if !lines.is_empty() {
                plot.isolines.push((t, lines));
            }
        }
        plot
    }

    /// The heat-map rectangles for a plotting area of `(width, height)` nominal pixels: each cell grows
    /// by one pixel to the right and upwards (clamped to the box), under the cell drawn after
    /// it, so that no anti-aliased light seam shows between bands when the SVG is scaled.
    fn cell_rects(&self, (w, h): (u32, u32)) -> Vec<CellRect> {
        let ox = (self.xr.1 - self.xr.0) / f64::from(w.max(1));
        let oy = (self.yr.1 - self.yr.0) / f64::from(h.max(1));
        self.cells
            .iter()
            .map(|&(x0, y0, x1, y1, band)| {
                let x1 = (x1 + ox).min(self.xr.1);
                let y1 = (y1 + oy).min(self.yr.1);
                ((x0, y0), (x1, y1), band)
            })
            .collect()
    }

    /// Draws the contour; with `upto = Some(k)` only the first `k + 1` points of each path.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        upto: Option<usize>,
        px: Px,
    ) -> Result<()> {
        let (xr, yr) = (self.xr, self.yr);
        let main;
        let area = match (&self.opts.colorbar, self.scale) {
            (Some(label), Some(scale)) => {
                let (plot, bar) = colorbar::split(area, px);
                let band = |t: f64| {
                    ((t * BANDS as f64).floor().min(BANDS as f64 - 1.0) + 0.5) / BANDS as f64
                };
                colorbar::draw(
                    &bar,
                    label,
                    !self.opts.labels.title.is_empty(),
                    (0.0, 1.0),
                    &|t| lighten(viridis(band(t)), 0.45),
                    &|t| crate::geom::tick_short(scale.inverse(t)),
                    px,
                )?;
                main = plot;
                &main
            }
            _ => area,
        };
        let fitted;
        let area = if self.opts.equal_aspect {
            fitted = equal_aspect(area, &self.opts.labels, xr, yr, px)?;
            &fitted
        } else {
            area
        };
        let mut ch = chart(area, &self.opts.labels, xr.0..xr.1, yr.0..yr.1, px)?;
        mesh(&mut ch, &self.opts.labels, false, px)?;
        let (pw, ph) = ch.plotting_area().dim_in_pixel();
        let nominal = (pw / px.k(), ph / px.k());
        ch.draw_series(self.cell_rects(nominal).into_iter().map(|(a, b, band)| {
            let c = lighten(viridis((band as f64 + 0.5) / BANDS as f64), 0.45);
            Rectangle::new([a, b], c.filled())
        }))
        .map_err(draw_err)?;
        for (t, lines) in &self.isolines {
            let c = viridis(*t).mix(0.9).stroke_width(1);
            ch.draw_series(lines.iter().map(|l| PathElement::new(l.clone(), c)))
                .map_err(draw_err)?;
        }
        let mut entries: Vec<&str> = Vec::new();
        let mut data = Data::default();
        let swatch = px.i(20);
        for (idx, s) in self.trajectories.iter().enumerate() {
            let color = okabe_ito(idx);
            let pts = match upto {
                Some(k) => &s.points[..s.points.len().min(k + 1)],
                None => &s.points[..],
            };
            // a quarter (nominal) pixel: invisible, and keeps SVGs of long runs small
            let ex = (xr.1 - xr.0) / (4.0 * nominal.0.max(1) as f64);
            let ey = (yr.1 - yr.0) / (4.0 * nominal.1.max(1) as f64);
            let pieces: Vec<Polyline> = clip_polyline(pts, xr, yr)
                .iter()
                .flat_map(|p| split_sharp_turns(&thin(p, ex, ey)))
                .collect();
            // Earlier paths are wider, so that one drawn over another still shows beside it.
            let style = color.stroke_width(2 + (self.trajectories.len() - 1 - idx).min(3) as u32);
            let legend_style = style;
            let mut first = true;
            for piece in pieces.iter().chain(pieces.is_empty().then(Vec::new).iter()) {
                data.add(&ch, piece.iter().copied());
                let anno = ch
                    .draw_series(std::iter::once(PathElement::new(piece.clone(), style)))
                    .map_err(draw_err)?;
                if first && !s.label.is_empty() {
                    anno.label(s.label.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + swatch, y)], legend_style)
                    });
                    entries.push(&s.label);
                }
                first = false;
            }
            let inside = |p: &&(f64, f64)| {
                p.0.is_finite()
                    && p.1.is_finite()
                    && p.0 >= xr.0
                    && p.0 <= xr.1
                    && p.1 >= yr.0
                    && p.1 <= yr.1
            };
            if pts.len() <= self.opts.max_dotted_points {
                ch.draw_series(
                    pts.iter()
                        .filter(inside)
                        .map(|&p| Circle::new(p, px.u(3), color.filled())),
                )
                .map_err(draw_err)?;
            }
            if let Some(p) = pts.first().filter(inside) {
                ch.draw_series(std::iter::once(Circle::new(
                    *p,
                    px.u(6),
                    color.stroke_width(2),
                )))
                .map_err(draw_err)?;
            }
            if let Some(p) = pts.last().filter(inside) {
                ch.draw_series(std::iter::once(Circle::new(*p, px.u(5), color.filled())))
                    .map_err(draw_err)?;
            }
        }
        draw_markers(&mut ch, &self.opts.markers, px, &mut entries)?;
        for m in &self.opts.markers {
            data.add(&ch, [m.point]);
        }
        legend(&mut ch, self.opts.legend, &entries, &data, px)
    }
}

/// Draws `markers` as black crosses, each labelled one with a legend entry (its label goes to
/// `entries`).
pub(crate) fn draw_markers<'m, DB: DrawingBackend>(
    ch: &mut Chart2d<'_, DB, RangedCoordf64, RangedCoordf64>,
    markers: &'m [Marker],
    px: Px,
    entries: &mut Vec<&'m str>,
) -> Result<()> {
    let (size, at, small) = (px.u(7), px.i(10), px.u(6));
    for m in markers {
        let anno = ch
            .draw_series(std::iter::once(Cross::new(
                m.point,
                size,
                BLACK.stroke_width(3),
            )))
            .map_err(draw_err)?;
        if !m.label.is_empty() {
            anno.label(m.label.as_str())
                .legend(move |(x, y)| Cross::new((x + at, y), small, BLACK.stroke_width(3)));
            entries.push(&m.label);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circle_level_is_one_closed_loop_at_the_right_radius() {
        let n = 41;
        let xs: Vec<f64> = (0..n).map(|i| -2.0 + 4.0 * i as f64 / 40.0).collect();
        let ys = xs.clone();
        let f = |x: f64, y: f64| x * x + y * y;
        let nodes: Vec<f64> = ys
            .iter()
            .flat_map(|&y| xs.iter().map(move |&x| f(x, y)))
            .collect();
        let centres: Vec<f64> = (0..n - 1)
            .flat_map(|j| (0..n - 1).map(move |i| (i, j)))
            .map(|(i, j)| f((xs[i] + xs[i + 1]) / 2.0, (ys[j] + ys[j + 1]) / 2.0))
            .collect();
        let lines = marching_squares(&nodes, &centres, &xs, &ys, 1.0);
        assert_eq!(lines.len(), 1);
        let l = &lines[0];
        assert_eq!(l.first(), l.last(), "closed");
        for p in l {
            let r = (p.0 * p.0 + p.1 * p.1).sqrt();
            assert!((r - 1.0).abs() < 0.02, "r = {r}");
        }
    }

    #[test]
    fn log_levels_suggested_for_valleys_only() {
        let rosen = |x: f64, y: f64| (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
        assert!(suggest_log_levels(&rosen, (-2.0, 2.0), (-1.0, 3.0)));
        assert!(!suggest_log_levels(
            &|x, y| x * x + y * y,
            (-2.0, 2.0),
            (-2.0, 2.0)
        ));
        assert!(!suggest_log_levels(
            &|_, _| f64::NAN,
            (-2.0, 2.0),
            (-2.0, 2.0)
        ));
    }

    #[test]
    fn heat_map_cells_overlap_their_neighbours() {
        let f = |x: f64, y: f64| x * x + 3.0 * y * y;
        let p = ContourPlot::build(
            &f,
            (-2.0, 2.0),
            (-1.0, 1.0),
            &[],
            &ContourOptions::default(),
        );
        let rects = p.cell_rects((700, 500));
        assert!(rects.len() > 100, "{} cells", rects.len());
        let (ox, oy) = (4.0 / 700.0, 2.0 / 500.0);
        let eps = 1e-12;
        // every interior edge is covered twice: a cell reaches one pixel into the next one
        for (k, &((x0, y0), (x1, y1), _)) in rects.iter().enumerate() {
            let (cx1, cy1) = (p.cells[k].2, p.cells[k].3);
            assert!(x1 >= (cx1 + ox).min(2.0) - eps && y1 >= (cy1 + oy).min(1.0) - eps);
            assert!(x1 <= 2.0 && y1 <= 1.0 && x0 >= -2.0 && y0 >= -1.0);
            if cy1 < 1.0 - eps {
                // the cell above, drawn later, starts inside this one
                let above = rects[k + 1..]
                    .iter()
                    .find(|r| (r.0 .1 - cy1).abs() < eps && r.0 .0 <= x0 + eps && r.1 .0 > x0);
                assert!(
                    above.is_some_and(|r| r.0 .1 < y1),
                    "cell {k} has nothing above"
                );
            }
        }
        // and the SVG is drawn from these overlapping rectangles
        let svg = Figure::new(Plot::Contour(Box::new(p)))
            .to_svg()
            .unwrap_or_default();
        assert!(svg.matches("<rect").count() >= rects.len());
    }

    #[test]
    fn log_scale_round_trips() {
        let s = Scale::new((0.0, 2500.0), true);
        for t in [0.1, 0.5, 0.9] {
            assert!((s.t(s.inverse(t)) - t).abs() < 1e-9);
        }
        assert!(s.inverse(0.5) < 100.0, "log levels crowd near the minimum");
    }
}
