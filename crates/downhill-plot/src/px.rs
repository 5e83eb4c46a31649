//! Sub-pixel SVG: plotters hands its backends whole-pixel coordinates (`i32`), so an SVG drawn
//! at its nominal size snaps every path point, tick and label to the pixel grid. Figures are
//! therefore laid out in nominal pixels and drawn on a canvas [`SVG_SCALE`] times larger, whose
//! `viewBox` is shown at the nominal `width × height`: a point lands within 1/[`SVG_SCALE`] of
//! a pixel, and the picture looks as it did at its nominal size.
//!
//! Scaling happens in two places only:
//! - every length the figure code chooses (margins, label areas, font sizes, marker radii,
//!   legend swatches, tick marks, offsets) goes through a [`Px`];
//! - every stroke width goes through the [`Scaled`] backend, because plotters draws some lines
//!   (3-D axes, default mesh lines) with a fixed one-pixel width that no setting reaches.
//!
//! PNG and GIF output draw at the nominal size ([`Px::ONE`], no wrapper).

use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use crate::error::{Error, Result};

/// How many canvas pixels an SVG draws per nominal pixel.
pub(crate) const SVG_SCALE: u32 = 10;

/// The scale of a canvas: canvas pixels per nominal pixel. Every length the figure code
/// chooses is written in nominal pixels and converted here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Px(u32);

impl Px {
    /// A canvas at the nominal size (PNG, GIF).
    pub(crate) const ONE: Px = Px(1);
    /// The SVG canvas.
    pub(crate) const SVG: Px = Px(SVG_SCALE);

    /// Canvas pixels per nominal pixel.
    pub(crate) fn k(self) -> u32 {
        self.0
    }

    /// A length of `n` nominal pixels (sizes, margins).
    pub(crate) fn u(self, n: u32) -> u32 {
        n * self.0
    }

    /// An offset of `n` nominal pixels.
    pub(crate) fn i(self, n: i32) -> i32 {
        n * self.0 as i32
    }

    /// `v` nominal pixels.
    pub(crate) fn f(self, v: f64) -> f64 {
        v * f64::from(self.0)
    }

    /// Canvas pixels as nominal ones.
    pub(crate) fn nominal(self, v: f64) -> f64 {
        v / f64::from(self.0)
    }

    /// The embedded font at `size` nominal pixels, in black.
    pub(crate) fn text(self, size: f64) -> TextStyle<'static> {
        (crate::font::FAMILY, self.f(size))
            .into_font()
            .color(&BLACK)
    }
}

/// A backend that draws every stroke `k` times wider than asked (see the module's note).
pub(crate) struct Scaled<DB> {
    inner: DB,
    k: u32,
}

impl<DB> Scaled<DB> {
    /// `inner`, whose size is the canvas's, with strokes scaled by `px`.
    pub(crate) fn new(inner: DB, px: Px) -> Self {
        Scaled { inner, k: px.k() }
    }
}

/// A style with its stroke width scaled.
struct Wide<'s, S> {
    style: &'s S,
    k: u32,
}

impl<S: BackendStyle> BackendStyle for Wide<'_, S> {
    fn color(&self) -> BackendColor {
        self.style.color()
    }
    fn stroke_width(&self) -> u32 {
        self.style.stroke_width() * self.k
    }
}

impl<DB: DrawingBackend> Scaled<DB> {
    fn wide<'s, S: BackendStyle>(&self, style: &'s S) -> Wide<'s, S> {
        Wide { style, k: self.k }
    }
}

type Drawn<E> = std::result::Result<(), DrawingErrorKind<E>>;

impl<DB: DrawingBackend> DrawingBackend for Scaled<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Drawn<DB::ErrorType> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Drawn<DB::ErrorType> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn<DB::ErrorType> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn<DB::ErrorType> {
        let style = self.wide(style);
        self.inner.draw_line(from, to, &style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn<DB::ErrorType> {
        let style = self.wide(style);
        if fill || self.k == 1 {
            return self.inner.draw_rect(upper_left, bottom_right, &style, fill);
        }
        // An outline: plotters' SVG backend gives a `<rect>` no stroke width, so it goes
        // round as a path (past its start, so that the first corner is joined too).
        let ((x0, y0), (x1, y1)) = (upper_left, bottom_right);
        let ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0), (x1, y0)];
        self.inner.draw_path(ring, &style)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn<DB::ErrorType> {
        let style = self.wide(style);
        self.inner.draw_path(path, &style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn<DB::ErrorType> {
        let style = self.wide(style);
        self.inner.draw_circle(center, radius, &style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn<DB::ErrorType> {
        let style = self.wide(style);
        self.inner.fill_polygon(vert, &style)
    }
    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Drawn<DB::ErrorType> {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> std::result::Result<(u32, u32), DrawingErrorKind<DB::ErrorType>> {
        self.inner.estimate_text_size(text, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Drawn<DB::ErrorType> {
        self.inner.blit_bitmap(pos, size, src)
    }
}

/// An SVG document drawn on a canvas `px.k()` times larger than `(w, h)`, shown at `w × h`:
/// its opening tag's `width` and `height` become the nominal size; its `viewBox` stays the
/// canvas's.
pub(crate) fn nominal_svg(svg: String, (w, h): (u32, u32), px: Px) -> Result<String> {
    let drawn = format!("<svg width=\"{}\" height=\"{}\" ", px.u(w), px.u(h));
    match svg.strip_prefix(&drawn) {
        Some(rest) => Ok(format!("<svg width=\"{w}\" height=\"{h}\" {rest}")),
        None => Err(Error::Draw(
            "the SVG backend wrote an unexpected opening tag".into(),
        )),
    }
}
