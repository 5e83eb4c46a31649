//! A normalised histogram of samples against a density curve (seed 003's Langevin view: SGD
//! iterates on a double well against the stationary density ∝ exp(−L/σ²)).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{draw_err, Error, Result};
use crate::figure::{chart, mesh, Figure, Labels, LegendPosition, Plot};
use crate::geom::{bounds, pad, sane};
use crate::legend::{legend, Data};
use crate::palette::{lighten, okabe_ito};
use crate::px::Px;
use crate::Range;

/// Options of [`histogram_density`].
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramOptions {
    /// Title and axis labels (default: "Samples against density", "x", "density").
    pub labels: Labels,
    /// Number of bins (default 40, clamped to 1..=1000).
    pub bins: usize,
    /// Histogram range (default: the samples' finite range).
    pub range: Option<Range>,
    /// Legend text of the histogram.
    pub sample_label: String,
    /// Legend text of the curve.
    pub density_label: String,
    /// Rescale the curve to integrate to 1 over the range (trapezoid rule), so an
    /// unnormalised density such as exp(−L/σ²) can be passed as is (default true).
    pub normalize: bool,
    /// Where the legend goes.
    pub legend: LegendPosition,
}

impl Default for HistogramOptions {
    fn default() -> Self {
        HistogramOptions {
            labels: Labels::new("Samples against density", "x", "density"),
            bins: 40,
            range: None,
            sample_label: "samples".into(),
            density_label: "density".into(),
            normalize: true,
            legend: LegendPosition::default(),
        }
    }
}

/// The computed histogram.
#[derive(Debug, Clone)]
pub(crate) struct HistogramPlot {
    opts: HistogramOptions,
    xr: Range,
    ymax: f64,
    /// (left edge, right edge, density).
    bars: Vec<(f64, f64, f64)>,
    curve: Vec<(f64, f64)>,
}

/// Points on the density curve.
const CURVE_POINTS: usize = 300;

/// A histogram of `samples` scaled to unit area (non-finite samples and samples outside the
/// range are ignored), with `density` drawn over it when given.
pub fn histogram_density(
    samples: &[f64],
    density: Option<&dyn Fn(f64) -> f64>,
    opts: &HistogramOptions,
) -> Result<Figure> {
    let xr = match opts.range {
        Some(r) if r.0.is_finite() && r.1.is_finite() && r.0 < r.1 => r,
        Some(r) => {
            return Err(Error::Invalid(format!(
                "histogram range {r:?} must be finite and increasing"
            )))
        }
        None => sane(bounds(samples.iter().copied()).unwrap_or((-1.0, 1.0))),
    };
    let bins = opts.bins.clamp(1, 1000);
    let width = (xr.1 - xr.0) / bins as f64;
    let mut counts = vec![0usize; bins];
    let mut n = 0usize;
    for &s in samples {
        if s.is_finite() && s >= xr.0 && s <= xr.1 {
            let b = (((s - xr.0) / width) as usize).min(bins - 1);
            counts[b] += 1;
            n += 1;
        }
    }
    let bars: Vec<(f64, f64, f64)> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let d = if n > 0 {
                c as f64 / (n as f64 * width)
            } else {
                0.0
            };
            (xr.0 + i as f64 * width, xr.0 + (i + 1) as f64 * width, d)
        })
        .collect();
    let mut curve: Vec<(f64, f64)> = match density {
        Some(p) => (0..CURVE_POINTS)
            .map(|i| {
                let x = xr.0 + (xr.1 - xr.0) * i as f64 / (CURVE_POINTS - 1) as f64;
                (x, p(x))
            })
            .filter(|q| q.1.is_finite())
            .collect(),
        None => Vec::new(),
    };
    if opts.normalize && curve.len() >= 2 {
        let area: f64 = curve
            .windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0)
            .sum();
        if area.is_finite() && area > 0.0 {
            curve.iter_mut().for_each(|q| q.1 /= area);
        }
    }
    let ymax = bounds(bars.iter().map(|b| b.2).chain(curve.iter().map(|q| q.1)))
        .map_or(1.0, |b| b.1)
        .max(1e-300);
    Ok(Figure::new(Plot::Histogram(HistogramPlot {
        opts: opts.clone(),
        xr,
        ymax: pad((0.0, ymax), 0.05).1,
        bars,
        curve,
    })))
}

impl HistogramPlot {
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        px: Px,
    ) -> Result<()> {
        let mut ch = chart(
            area,
            &self.opts.labels,
            self.xr.0..self.xr.1,
            0.0..self.ymax,
            px,
        )?;
        mesh(&mut ch, &self.opts.labels, true, px)?;
        let (swatch, half) = (px.i(20), px.i(5));
        let mut entries = vec![self.opts.sample_label.as_str()];
        let mut data = Data::default();
        for &(a, b, d) in &self.bars {
            data.add(&ch, [(a, 0.0), (a, d), (b, d), (b, 0.0)]);
        }
        data.add(&ch, self.curve.iter().copied());
        let fill = lighten(okabe_ito(0), 0.45);
        let edge = okabe_ito(0);
        ch.draw_series(
            self.bars
                .iter()
                .map(|&(a, b, d)| Rectangle::new([(a, 0.0), (b, d)], fill.filled())),
        )
        .map_err(draw_err)?
        .label(self.opts.sample_label.as_str())
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - half), (x + swatch, y + half)], fill.filled())
        });
        ch.draw_series(
            self.bars
                .iter()
                .map(|&(a, b, d)| Rectangle::new([(a, 0.0), (b, d)], edge.stroke_width(1))),
        )
        .map_err(draw_err)?;
        if !self.curve.is_empty() {
            let style = okabe_ito(1).stroke_width(3);
            ch.draw_series(LineSeries::new(self.curve.iter().copied(), style))
                .map_err(draw_err)?
                .label(self.opts.density_label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + swatch, y)], style));
            entries.push(&self.opts.density_label);
        }
        legend(&mut ch, self.opts.legend, &entries, &data, px)
    }
}
