//! Heat maps of values on a grid of cells — a sweep's lr × β, say — with a colour bar, holes
//! for missing values (a run that diverged) in their own colour and legend entry, and lines on
//! top (a theory edge).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::colorbar;
use crate::error::{draw_err, Error, Result};
use crate::figure::{chart, mesh, Figure, Labels, LegendPosition, Plot};
use crate::legend::{legend, Data};
use crate::palette::{okabe_ito, viridis};
use crate::px::Px;
use crate::{Range, Series2d};

/// Options of [`heatmap`].
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapOptions {
    /// Title and axis labels.
    pub labels: Labels,
    /// What the colours measure, written along the colour bar.
    pub value_label: String,
    /// Legend text of the cells with no finite value (empty: no legend entry).
    pub missing_label: String,
    /// Where the legend goes.
    pub legend: LegendPosition,
}

impl Default for HeatmapOptions {
    fn default() -> Self {
        HeatmapOptions {
            labels: Labels::new("", "x", "y"),
            value_label: "value".into(),
            missing_label: "no value".into(),
            legend: LegendPosition::default(),
        }
    }
}

/// The colour of a cell with no finite value.
const MISSING: RGBColor = RGBColor(214, 214, 214);

/// The computed heat map.
#[derive(Debug, Clone)]
pub(crate) struct HeatmapPlot {
    /// Cell edges along x and y (one more than the centres).
    x_edges: Vec<f64>,
    y_edges: Vec<f64>,
    /// `z[i][j]`: the value of the cell at x centre `i`, y centre `j`.
    z: Vec<Vec<f64>>,
    /// The finite values' range.
    range: Range,
    lines: Vec<Series2d>,
    opts: HeatmapOptions,
}

/// Edges of cells centred on increasing `c`: midpoints, and half a spacing beyond each end.
fn edges(c: &[f64]) -> Vec<f64> {
    let half = |a: f64, b: f64| 0.5 * (b - a);
    let first = if c.len() > 1 { half(c[0], c[1]) } else { 0.5 };
    let last = if c.len() > 1 {
        half(c[c.len() - 2], c[c.len() - 1])
    } else {
        0.5
    };
    let mut e = vec![c[0] - first];
    e.extend(c.windows(2).map(|w| 0.5 * (w[0] + w[1])));
    e.push(c[c.len() - 1] + last);
    e
}

/// A heat map of `z[i][j]` on the cells centred at `(xs[i], ys[j])`, with `lines` on top.
///
/// `xs` and `ys` must be finite and strictly increasing, and `z` must have `xs.len()` rows of
/// `ys.len()` values. Non-finite values are drawn as missing cells (light grey) under one legend
/// entry, [`HeatmapOptions::missing_label`]. Colours are viridis, linear in the value between
/// the smallest and largest finite value, with a colour bar on the right.
pub fn heatmap(
    xs: &[f64],
    ys: &[f64],
    z: &[Vec<f64>],
    lines: &[Series2d],
    opts: &HeatmapOptions,
) -> Result<Figure> {
    let increasing = |v: &[f64]| {
        !v.is_empty() && v.iter().all(|x| x.is_finite()) && v.windows(2).all(|w| w[0] < w[1])
    };
    if !increasing(xs) || !increasing(ys) {
        return Err(Error::Invalid(
            "heatmap: the cell centres must be finite and strictly increasing".into(),
        ));
    }
    if z.len() != xs.len() || z.iter().any(|row| row.len() != ys.len()) {
        return Err(Error::Invalid(format!(
            "heatmap: the values must be {} rows of {}",
            xs.len(),
            ys.len()
        )));
    }
    let finite = z.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let range = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
    Ok(Figure::new(Plot::Heatmap(HeatmapPlot {
        x_edges: edges(xs),
        y_edges: edges(ys),
        z: z.to_vec(),
        range,
        lines: lines.to_vec(),
        opts: opts.clone(),
    })))
}

impl HeatmapPlot {
    /// Where `v` falls in the colour range, in [0, 1].
    fn t(&self, v: f64) -> f64 {
        let (lo, hi) = self.range;
        if hi > lo {
            ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
        } else {
            0.5
        }
    }

    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        px: Px,
    ) -> Result<()> {
        let (main, bar) = colorbar::split(area, px);
        let (lo, hi) = self.range;
        colorbar::draw(
            &bar,
            &self.opts.value_label,
            !self.opts.labels.title.is_empty(),
            (lo, hi),
            &|v| viridis(self.t(v)),
            &crate::geom::tick,
            px,
        )?;
        let (xe, ye) = (&self.x_edges, &self.y_edges);
        let (xr, yr) = ((xe[0], xe[xe.len() - 1]), (ye[0], ye[ye.len() - 1]));
        let mut ch = chart(&main, &self.opts.labels, xr.0..xr.1, yr.0..yr.1, px)?;
        mesh(&mut ch, &self.opts.labels, false, px)?;
        // Each cell reaches one (nominal) pixel into its right and upper neighbours, which are
        // drawn after it: cell edges do not fall on whole pixels, and abutting cells would
        // leave anti-aliased light seams.
        let (pw, ph) = ch.plotting_area().dim_in_pixel();
        let ox = px.f(xr.1 - xr.0) / f64::from(pw.max(1));
        let oy = px.f(yr.1 - yr.0) / f64::from(ph.max(1));
        // (Missing cells, drawn last, keep to their own area.)
        let cell = |i: usize, j: usize, grow: f64| {
            let x1 = (xe[i + 1] + grow * ox).min(xr.1);
            let y1 = (ye[j + 1] + grow * oy).min(yr.1);
            [(xe[i], ye[j]), (x1, y1)]
        };
        let cells = || (0..self.z.len()).flat_map(|i| (0..self.z[i].len()).map(move |j| (i, j)));
        ch.draw_series(
            cells()
                .filter(|&(i, j)| self.z[i][j].is_finite())
                .map(|(i, j)| {
                    Rectangle::new(cell(i, j, 1.0), viridis(self.t(self.z[i][j])).filled())
                }),
        )
        .map_err(draw_err)?;
        let missing: Vec<_> = cells()
            .filter(|&(i, j)| !self.z[i][j].is_finite())
            .collect();
        let mut entries: Vec<&str> = Vec::new();
        let mut data = Data::default();
        let (swatch, half) = (px.i(20), px.i(6));
        if !missing.is_empty() {
            let anno = ch
                .draw_series(
                    missing
                        .iter()
                        .map(|&(i, j)| Rectangle::new(cell(i, j, 0.0), MISSING.filled())),
                )
                .map_err(draw_err)?;
            if !self.opts.missing_label.is_empty() {
                anno.label(self.opts.missing_label.as_str())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - half), (x + swatch, y + half)], MISSING.filled())
                    });
                entries.push(&self.opts.missing_label);
            }
        }
        for (idx, s) in self.lines.iter().enumerate() {
            let style = okabe_ito(idx + 1).stroke_width(3);
            let inside: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|p| p.0 >= xr.0 && p.0 <= xr.1 && p.1 >= yr.0 && p.1 <= yr.1)
                .collect();
            data.add(&ch, inside.iter().copied());
            let anno = ch
                .draw_series(std::iter::once(PathElement::new(inside, style)))
                .map_err(draw_err)?;
            if !s.label.is_empty() {
                anno.label(s.label.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + swatch, y)], style));
                entries.push(&s.label);
            }
        }
        legend(&mut ch, self.opts.legend, &entries, &data, px)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_surround_the_centres() {
        assert_eq!(edges(&[1.0, 2.0, 4.0]), vec![0.5, 1.5, 3.0, 5.0]);
        assert_eq!(edges(&[3.0]), vec![2.5, 3.5]);
    }

    #[test]
    fn draws_values_holes_and_a_colour_bar() -> Result<()> {
        let z = vec![vec![1.0, f64::NAN], vec![3.0, 2.0]];
        let line = Series2d::new("edge", vec![(0.0, 0.0), (2.0, 2.0)]);
        let opts = HeatmapOptions {
            value_label: "log10 f".into(),
            missing_label: "diverged".into(),
            ..HeatmapOptions::default()
        };
        let svg = heatmap(&[0.0, 1.0], &[0.0, 1.0], &z, &[line], &opts)?.to_svg()?;
        assert!(svg.contains("diverged") && svg.contains("log10 f") && svg.contains("edge"));
        Ok(())
    }

    #[test]
    fn rejects_bad_grids() {
        let z = vec![vec![1.0]];
        assert!(heatmap(&[1.0, 0.0], &[0.0], &z, &[], &HeatmapOptions::default()).is_err());
        assert!(heatmap(&[0.0], &[0.0, 1.0], &z, &[], &HeatmapOptions::default()).is_err());
    }
}
