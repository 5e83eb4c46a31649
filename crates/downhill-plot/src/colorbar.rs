//! A vertical colour bar beside a heat map: the colours of `t ∈ [0, 1]` from bottom to top,
//! labelled with the values they stand for; and the [`Scale`] that maps values to colours.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{draw_err, Result};
use crate::figure::{LABEL_SIZE, TICK_SIZE, TITLE_SIZE};
use crate::px::Px;
use crate::Range;

/// Width in nominal pixels taken from the right of a figure for its colour bar.
pub(crate) const WIDTH: u32 = 120;

/// Colour steps drawn in the bar.
const STEPS: usize = 96;

/// Splits `area` into the plot on the left and the colour bar's strip on the right.
pub(crate) fn split<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    px: Px,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let w = area.dim_in_pixel().0;
    area.split_horizontally(w.saturating_sub(px.u(WIDTH)).max(w / 2))
}

/// Draws the bar in `area` along an axis `u ∈ range`: the bar at `u` has colour `color_of(u)`
/// and the tick at `u` reads `label_of(u)`. For a linear map `u` is the value itself (round
/// ticks); for a logarithmic one, the colour position, labelled with the value it stands for.
/// `label` goes along the bar; `titled` leaves room at the top for the plot's caption, so that
/// the bar spans the plot's height.
pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    titled: bool,
    range: Range,
    color_of: &dyn Fn(f64) -> RGBColor,
    label_of: &dyn Fn(f64) -> String,
    px: Px,
) -> Result<()> {
    let (lo, hi) = crate::geom::sane(range);
    let top = if titled { TITLE_SIZE as u32 + 24 } else { 14 };
    let mut ch = ChartBuilder::on(area)
        .margin_top(px.u(top))
        .margin_bottom(px.u(14 + 52))
        .margin_right(px.u(14))
        .margin_left(px.u(4))
        .y_label_area_size(px.u(if label.is_empty() { 60 } else { 84 }))
        .build_cartesian_2d(0.0..1.0, lo..hi)
        .map_err(draw_err)?;
    // Each step reaches half a step into the next one, drawn after it: steps do not end on
    // whole pixels, and abutting ones would leave anti-aliased light seams.
    ch.draw_series((0..STEPS).map(|k| {
        let v = |k: f64| lo + (hi - lo) * k / STEPS as f64;
        let (a, b) = (v(k as f64), v(k as f64 + 1.0));
        let over = v((k as f64 + 1.5).min(STEPS as f64));
        Rectangle::new([(0.0, a), (1.0, over)], color_of(0.5 * (a + b)).filled())
    }))
    .map_err(draw_err)?;
    let fmt = |u: &f64| label_of(*u);
    ch.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(label)
        .axis_desc_style(px.text(LABEL_SIZE))
        .label_style(px.text(TICK_SIZE))
        .y_label_formatter(&fmt)
        .y_labels(6)
        .set_tick_mark_size(LabelAreaPosition::Left, px.u(6))
        .draw()
        .map_err(draw_err)?;
    Ok(())
}

/// Maps values to [0, 1] linearly or logarithmically in `v − min`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
    shift: f64,
}

impl Scale {
    pub(crate) fn new((lo, hi): Range, log: bool) -> Self {
        Scale {
            lo,
            hi,
            log,
            shift: ((hi - lo) * 1e-4).max(1e-300),
        }
    }
    /// The values mapped to 0 and 1.
    pub(crate) fn range(&self) -> Range {
        (self.lo, self.hi)
    }
    /// Whether the map is logarithmic.
    pub(crate) fn is_log(&self) -> bool {
        self.log
    }
    pub(crate) fn s(&self, v: f64) -> f64 {
        if self.log {
            (v - self.lo + self.shift).max(self.shift).ln()
        } else {
            v
        }
    }
    pub(crate) fn t(&self, v: f64) -> f64 {
        let (a, b) = (self.s(self.lo), self.s(self.hi));
        if b > a {
            ((self.s(v) - a) / (b - a)).clamp(0.0, 1.0)
        } else {
            0.5
        }
    }
    pub(crate) fn inverse(&self, t: f64) -> f64 {
        let (a, b) = (self.s(self.lo), self.s(self.hi));
        let s = a + t * (b - a);
        if self.log {
            s.exp() - self.shift + self.lo
        } else {
            s
        }
    }
}
