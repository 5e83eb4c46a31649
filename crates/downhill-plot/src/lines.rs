//! Line charts: loss against step or epoch (optionally semilogy), schedules.

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{draw_err, Error, Result};
use crate::figure::{chart, mesh, Figure, Labels, LegendPosition, Plot, LABEL_SIZE};
use crate::geom::{bounds, decimate, pad, sane, Polyline};
use crate::legend::{legend, Data};
use crate::palette::okabe_ito;
use crate::px::Px;
use crate::Range;

/// A labelled curve `ys` against `xs` (same length).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text (empty: no legend entry).
    pub label: String,
    /// Horizontal values.
    pub xs: Vec<f64>,
    /// Vertical values; non-finite (and, on a log axis, non-positive) values leave gaps.
    pub ys: Vec<f64>,
}

impl Series {
    /// A series from a label and coordinates.
    pub fn new(label: impl Into<String>, xs: Vec<f64>, ys: Vec<f64>) -> Self {
        Series {
            label: label.into(),
            xs,
            ys,
        }
    }

    /// `ys` against 0, 1, 2, ….
    pub fn indexed(label: impl Into<String>, ys: Vec<f64>) -> Self {
        let xs = (0..ys.len()).map(|i| i as f64).collect();
        Series::new(label, xs, ys)
    }
}

/// Options of [`line_chart`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineOptions {
    /// Title and axis labels.
    pub labels: Labels,
    /// Logarithmic y axis (values ≤ 0 and non-finite ones are skipped, never an error).
    pub log_y: bool,
    /// Fixed y range instead of the data's (ignored where unusable, e.g. ≤ 0 on a log axis).
    pub y_range: Option<Range>,
    /// A dot on every point (of curves with at most 200 drawn points; denser ones would be a
    /// smear and a heavy SVG).
    pub markers: bool,
    /// Indices of series drawn with a dot on every point whatever their length (e.g. the
    /// iterates of a descent drawn on the curve they descend), joined by their line.
    pub marked: Vec<usize>,
    /// Dashed vertical lines across the plot (e.g. the epoch a run stopped), each with its
    /// own colour after the series' and a legend entry.
    pub vlines: Vec<VLine>,
    /// Where the legend goes.
    pub legend: LegendPosition,
}

/// A labelled vertical line at `x` (see [`LineOptions::vlines`]).
#[derive(Debug, Clone, PartialEq)]
pub struct VLine {
    /// Legend text.
    pub label: String,
    /// Where it crosses the x axis (a non-finite one is not drawn).
    pub x: f64,
}

impl VLine {
    /// A vertical line from a label and its abscissa.
    pub fn new(label: impl Into<String>, x: f64) -> Self {
        VLine {
            label: label.into(),
            x,
        }
    }
}

/// The computed line chart.
#[derive(Debug, Clone)]
pub(crate) struct LinePlot {
    opts: LineOptions,
    xr: Range,
    yr: Range,
    /// Per series: label and drawable pieces.
    series: Vec<(String, Vec<Polyline>)>,
    /// Text drawn inside the plot when nothing is drawable.
    note: Option<String>,
}

/// Curves with more drawn points than this get no dots even with `markers`.
const MAX_MARKERS: usize = 200;

/// Points per series kept for drawing (extremes of each bucket).
const BUCKETS: usize = 1000;

/// A line chart of `series`, one Okabe–Ito colour and legend entry each.
pub fn line_chart(series: &[Series], opts: &LineOptions) -> Result<Figure> {
    let mut pieces_all = Vec::with_capacity(series.len());
    for s in series {
        if s.xs.len() != s.ys.len() {
            return Err(Error::Invalid(format!(
                "series `{}`: {} x values but {} y values",
                s.label,
                s.xs.len(),
                s.ys.len()
            )));
        }
        let ok = |x: f64, y: f64| x.is_finite() && y.is_finite() && (!opts.log_y || y > 0.0);
        let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut cur = Vec::new();
        for (&x, &y) in s.xs.iter().zip(&s.ys) {
            if ok(x, y) {
                cur.push((x, y));
            } else if !cur.is_empty() {
                pieces.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() {
            pieces.push(cur);
        }
        let pieces: Vec<Vec<(f64, f64)>> = pieces.iter().map(|p| decimate(p, BUCKETS)).collect();
        pieces_all.push((s.label.clone(), pieces));
    }
    let pts = || pieces_all.iter().flat_map(|(_, p)| p.iter().flatten());
    let vx = opts.vlines.iter().map(|v| v.x).filter(|x| x.is_finite());
    let xb = bounds(pts().map(|p| p.0).chain(vx));
    let yb = bounds(pts().map(|p| p.1));
    let note = xb.is_none().then(|| {
        if opts.log_y {
            "no positive finite values to draw on a log axis".to_string()
        } else {
            "no finite values to draw".to_string()
        }
    });
    let xr = sane(xb.unwrap_or((0.0, 1.0)));
    let yr = match opts.y_range {
        Some((lo, hi))
            if lo.is_finite() && hi.is_finite() && lo < hi && (!opts.log_y || lo > 0.0) =>
        {
            (lo, hi)
        }
        _ if opts.log_y => {
            let (lo, hi) = yb.unwrap_or((1.0, 10.0));
            let (lo, hi) = if hi / lo < 2.0 {
                let m = (lo * hi).sqrt();
                (m / 2f64.sqrt(), m * 2f64.sqrt())
            } else {
                (lo, hi)
            };
            let (l, h) = (lo.log10(), hi.log10());
            let w = (h - l) * 0.05;
            (
                10f64.powf(l - w).max(f64::MIN_POSITIVE),
                10f64.powf(h + w).min(f64::MAX),
            )
        }
        _ => pad(sane(yb.unwrap_or((0.0, 1.0))), 0.05),
    };
    Ok(Figure::new(Plot::Lines(LinePlot {
        opts: opts.clone(),
        xr,
        yr,
        series: pieces_all,
        note,
    })))
}

/// Loss curves: `series` against step or epoch, semilogy when `log_y`.
pub fn loss_curves(series: &[Series], log_y: bool, x_label: &str, y_label: &str) -> Result<Figure> {
    let title = if log_y { "Loss (log scale)" } else { "Loss" };
    line_chart(
        series,
        &LineOptions {
            labels: Labels::new(title, x_label, y_label),
            log_y,
            ..LineOptions::default()
        },
    )
}

/// The learning rate per step, and below it the momentum per step when given.
pub fn schedule_plot(lr: &[f64], momentum: Option<&[f64]>) -> Result<Figure> {
    let lr_fig = line_chart(
        &[Series::indexed("", lr.to_vec())],
        &LineOptions {
            labels: Labels::new("Learning-rate schedule", "step", "learning rate"),
            ..LineOptions::default()
        },
    )?;
    match momentum {
        None => Ok(lr_fig),
        Some(m) => {
            let m_fig = line_chart(
                &[Series::indexed("", m.to_vec())],
                &LineOptions {
                    labels: Labels::new("Momentum schedule", "step", "momentum"),
                    ..LineOptions::default()
                },
            )?;
            Ok(Figure::panels(
                vec![lr_fig.with_size(800, 300), m_fig.with_size(800, 300)],
                1,
            )?)
        }
    }
}

/// Tick values of a log axis over `(lo, hi)`: labelled ones (1-2-…-9, 1-2-5 or powers of ten,
/// thinned to about 8, by the decades spanned) and the 1…9 minor grid. At least three are
/// labelled: a range under a decade that holds fewer of those gets the 1…9 multiples, and
/// failing that evenly spaced round values.
fn log_ticks((lo, hi): Range) -> (Vec<f64>, Vec<f64>) {
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let decades = (b - a).max(1);
    let mults: &[f64] = match decades {
        1 => &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        2..=3 => &[1.0, 2.0, 5.0],
        _ => &[1.0],
    };
    let step = (decades + 7) / 8;
    let inside = |v: &f64| *v >= lo && *v <= hi;
    let mut bold = Vec::new();
    let mut light = Vec::new();
    for e in a..=b {
        let p = 10f64.powi(e);
        if (e - a) % step == 0 {
            bold.extend(mults.iter().map(|m| m * p).filter(inside));
        }
        if decades <= 12 {
            light.extend((1..10).map(|m| m as f64 * p).filter(inside));
        }
    }
    if bold.len() < 3 && light.len() >= 3 {
        bold.clone_from(&light);
    } else if bold.len() < 3 {
        bold = linear_ticks((lo, hi));
        light.clone_from(&bold);
    }
    (bold, light)
}

/// Multiples of the largest 1-2-5 step that fits three times into `(lo, hi)`.
fn linear_ticks((lo, hi): Range) -> Vec<f64> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return vec![lo];
    }
    let p = 10f64.powf((span / 3.0).log10().floor());
    let step = [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * p)
        .find(|s| *s <= span / 3.0)
        .unwrap_or(p);
    let first = (lo / step).ceil() as i64;
    (first..)
        .map(|k| k as f64 * step)
        .take_while(|v| *v <= hi)
        .take(20)
        .collect()
}

impl LinePlot {
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        px: Px,
    ) -> Result<()> {
        let (xr, yr) = (self.xr, self.yr);
        if self.opts.log_y {
            let (bold, light) = log_ticks(yr);
            let y = (yr.0..yr.1)
                .log_scale()
                .with_key_points(bold)
                .with_light_points(light);
            let ch = chart(area, &self.opts.labels, xr.0..xr.1, y, px)?;
            self.draw_on(ch, px)
        } else {
            let ch = chart(area, &self.opts.labels, xr.0..xr.1, yr.0..yr.1, px)?;
            self.draw_on(ch, px)
        }
    }

    fn draw_on<'a, DB, Y>(
        &self,
        mut ch: ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
        px: Px,
    ) -> Result<()>
    where
        DB: DrawingBackend + 'a,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        mesh(&mut ch, &self.opts.labels, true, px)?;
        let mut entries: Vec<&str> = Vec::new();
        let mut data = Data::default();
        let swatch = px.i(20);
        for (idx, (label, pieces)) in self.series.iter().enumerate() {
            let color = okabe_ito(idx);
            let style = color.stroke_width(2);
            let mut first = true;
            let empty = vec![Vec::new()];
            let drawn = if pieces.is_empty() { &empty } else { pieces };
            for piece in drawn {
                data.add(&ch, piece.iter().copied());
                let anno = ch
                    .draw_series(LineSeries::new(piece.iter().copied(), style))
                    .map_err(draw_err)?;
                if first && !label.is_empty() {
                    anno.label(label.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + swatch, y)], style)
                    });
                    entries.push(label);
                }
                first = false;
                let marked = self.opts.marked.contains(&idx);
                if (self.opts.markers && piece.len() <= MAX_MARKERS) || piece.len() == 1 || marked {
                    ch.draw_series(
                        piece
                            .iter()
                            .map(|&p| Circle::new(p, px.u(3), color.filled())),
                    )
                    .map_err(draw_err)?;
                }
            }
        }
        self.draw_vlines(&mut ch, px, &mut entries, &mut data)?;
        if let Some(note) = &self.note {
            let area = ch.plotting_area();
            let (w, h) = area.dim_in_pixel();
            let style = px
                .text(LABEL_SIZE)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ));
            let root = area.strip_coord_spec();
            root.draw_text(note, &style, (w as i32 / 2, h as i32 / 2))
                .map_err(draw_err)?;
        }
        legend(&mut ch, self.opts.legend, &entries, &data, px)
    }
}

impl LinePlot {
    /// The dashed vertical lines; the labels of those with a legend entry go to `entries`.
    fn draw_vlines<'a, 's, DB, Y>(
        &'s self,
        ch: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
        px: Px,
        entries: &mut Vec<&'s str>,
        data: &mut Data,
    ) -> Result<()>
    where
        DB: DrawingBackend + 'a,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let (lo, hi) = (self.yr.0, self.yr.1);
        let (dash, gap) = (px.u(8), px.u(5));
        let [a, b, c] = [px.i(8), px.i(13), px.i(20)];
        for (k, v) in self.opts.vlines.iter().enumerate() {
            if !v.x.is_finite() {
                continue;
            }
            let style = okabe_ito(self.series.len() + k).stroke_width(2);
            data.add(ch, [(v.x, lo), (v.x, hi)]);
            let anno = ch
                .draw_series(DashedLineSeries::new(
                    [(v.x, lo), (v.x, hi)],
                    dash,
                    gap,
                    style,
                ))
                .map_err(draw_err)?;
            if !v.label.is_empty() {
                anno.label(v.label.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + a, y), (x + b, y), (x + c, y)], style)
                });
                entries.push(&v.label);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_label_narrow_and_wide_ranges() {
        let (bold, _) = log_ticks((0.5, 0.95));
        assert_eq!(bold.len(), 5);
        assert!((bold[0] - 0.5).abs() < 1e-12 && (bold[4] - 0.9).abs() < 1e-12);
        let (bold, light) = log_ticks((1e-6, 100.0));
        assert_eq!(bold.len(), 9);
        assert!(light.len() > 50);
        let (bold, _) = log_ticks((1e-300, 1e300));
        assert!((5..=9).contains(&bold.len()), "{}", bold.len());
    }

    #[test]
    fn log_axes_under_a_decade_label_at_least_three_ticks() {
        // seed 001's batch-10, lr-0.002 loss spans about 7.5…12: 1-2-5 labels only "10"
        for range in [
            (7.5, 12.0),
            (11.0, 19.0),
            (0.101, 0.104),
            (3.0e-5, 4.1e-5),
            (95.0, 105.0),
        ] {
            let (bold, _) = log_ticks(range);
            assert!(bold.len() >= 3, "{range:?}: {bold:?}");
            assert!(
                bold.iter().all(|v| *v >= range.0 && *v <= range.1),
                "{range:?}: {bold:?}"
            );
            assert!(bold.windows(2).all(|w| w[0] < w[1]), "{bold:?}");
        }
        assert_eq!(log_ticks((7.5, 12.0)).0, vec![8.0, 9.0, 10.0]);
        assert_eq!(linear_ticks((11.0, 19.0)), vec![12.0, 14.0, 16.0, 18.0]);
    }
}
