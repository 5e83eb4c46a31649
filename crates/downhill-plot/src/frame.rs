//! The data → pixel frame of a contour figure, for pages that overlay paths on its SVG.

use plotters::prelude::*;

use crate::error::Result;
use crate::figure::{chart, Figure, Plot};
use crate::Range;

/// Where a contour figure draws its data box, in the figure's pixels (origin top left): the
/// data point `(x_range.0, y_range.0)` lands at `(left, bottom)` and `(x_range.1, y_range.1)`
/// at `(right, top)`, linearly in between. A page can overlay paths on the SVG with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// The x range of the box.
    pub x_range: Range,
    /// The y range of the box.
    pub y_range: Range,
    /// Pixel x of `x_range.0`.
    pub left: f64,
    /// Pixel x of `x_range.1`.
    pub right: f64,
    /// Pixel y of `y_range.1`.
    pub top: f64,
    /// Pixel y of `y_range.0`.
    pub bottom: f64,
}

impl Figure {
    /// The data → pixel frame of a contour figure (`None` for other figures).
    pub fn contour_frame(&self) -> Result<Option<Frame>> {
        let Plot::Contour(p) = &self.plot else {
            return Ok(None);
        };
        crate::font::ensure()?;
        let mut sink = String::new();
        let area = SVGBackend::with_string(&mut sink, self.size).into_drawing_area();
        let (xr, yr) = (p.xr, p.yr);
        let ch = chart(&area, &p.opts.labels, xr.0..xr.1, yr.0..yr.1)?;
        let spec = ch.as_coord_spec();
        let (left, bottom) = spec.translate(&(xr.0, yr.0));
        let (right, top) = spec.translate(&(xr.1, yr.1));
        Ok(Some(Frame {
            x_range: xr,
            y_range: yr,
            left: left as f64,
            right: right as f64,
            top: top as f64,
            bottom: bottom as f64,
        }))
    }
}
