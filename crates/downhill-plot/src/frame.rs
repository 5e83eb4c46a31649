//! The data → pixel frame of a contour figure, for pages that overlay paths on its SVG.

use plotters::prelude::*;

use crate::contour::{ContourPlot, BANDS};
use crate::error::Result;
use crate::figure::{chart, Figure, Plot};
use crate::geom::tick_short;
use crate::palette::{lighten, viridis};
use crate::px::Px;
use crate::Range;

/// The colour scale of a contour figure's heat map, for pages that draw their own key beside
/// it: the band colours from the lowest value to the highest and labelled tick positions.
#[derive(Debug, Clone, PartialEq)]
pub struct ColourKey {
    /// The values the colours span (lowest, highest).
    pub range: Range,
    /// Whether colours are spaced logarithmically in `f − min f`.
    pub log: bool,
    /// The heat map's band colours as `#rrggbb`, from the lowest value to the highest (equal
    /// shares of the key).
    pub colours: Vec<String>,
    /// Ticks: the position `t ∈ [0, 1]` along the key (0 the lowest) and the value there, as
    /// the figure's colour bar would label it.
    pub ticks: Vec<(f64, String)>,
}

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
    /// The colour scale of a contour figure (`None` for other figures, or when `f` has no
    /// finite value on the box).
    pub fn contour_key(&self) -> Option<ColourKey> {
        let Plot::Contour(p) = &self.plot else {
            return None;
        };
        key(p)
    }

    /// The data → pixel frame of a contour figure (`None` for other figures).
    pub fn contour_frame(&self) -> Result<Option<Frame>> {
        let Plot::Contour(p) = &self.plot else {
            return Ok(None);
        };
        crate::font::ensure()?;
        // laid out on the SVG's canvas, so the frame is as exact as the SVG
        let px = Px::SVG;
        let mut sink = String::new();
        let canvas = (px.u(self.size.0), px.u(self.size.1));
        let area = SVGBackend::with_string(&mut sink, canvas).into_drawing_area();
        let (xr, yr) = (p.xr, p.yr);
        let ch = chart(&area, &p.opts.labels, xr.0..xr.1, yr.0..yr.1, px)?;
        let spec = ch.as_coord_spec();
        let (left, bottom) = spec.translate(&(xr.0, yr.0));
        let (right, top) = spec.translate(&(xr.1, yr.1));
        let at = |v: i32| px.nominal(f64::from(v));
        Ok(Some(Frame {
            x_range: xr,
            y_range: yr,
            left: at(left),
            right: at(right),
            top: at(top),
            bottom: at(bottom),
        }))
    }
}

/// The heat map's colour key: its band colours and ticks (round values on a linear
/// scale; six evenly spaced positions labelled with their values on a logarithmic one).
fn key(p: &ContourPlot) -> Option<ColourKey> {
    let scale = p.scale?;
    let hex = |c: RGBColor| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2);
    let colours = (0..BANDS)
        .map(|b| hex(lighten(viridis((b as f64 + 0.5) / BANDS as f64), 0.45)))
        .collect();
    let (lo, hi) = scale.range();
    let span = hi - lo;
    let ticks = if scale.is_log() || span.is_nan() || span <= 0.0 || span.is_infinite() {
        (0..=5)
            .map(|k| {
                let t = k as f64 / 5.0;
                (t, tick_short(scale.inverse(t)))
            })
            .collect()
    } else {
        let raw = span / 5.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * mag);
        let first = (lo / step).ceil() as i64;
        let last = (hi / step).floor() as i64;
        (first..=last)
            .map(|k| {
                let v = k as f64 * step;
                (scale.t(v), tick_short(v))
            })
            .collect()
    };
    Some(ColourKey {
        range: (lo, hi),
        log: scale.is_log(),
        colours,
        ticks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colour_key_follows_the_scale() {
        let f = |x: f64, y: f64| x * x + y * y;
        let fig = crate::contour(
            &f,
            (-1.0, 1.0),
            (-1.0, 1.0),
            &[],
            &crate::ContourOptions::default(),
        )
        .unwrap();
        let key = fig.contour_key().unwrap();
        assert!(!key.log && key.range.0 >= 0.0 && key.range.1 <= 2.0 + 1e-12);
        assert_eq!(key.colours.len(), BANDS);
        assert!(key.ticks.len() >= 3);
        assert!(key.ticks.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(key.ticks.iter().all(|(t, _)| (0.0..=1.0).contains(t)));
        let log = crate::ContourOptions {
            log_levels: true,
            ..Default::default()
        };
        let key = crate::contour(&f, (-1.0, 1.0), (-1.0, 1.0), &[], &log)
            .unwrap()
            .contour_key()
            .unwrap();
        assert!(key.log && key.ticks.len() == 6 && key.ticks[0].0 == 0.0);
    }
}
