//! [`Figure`]: a computed picture that renders to SVG or PNG bytes; panels of figures.

use std::path::Path;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{draw_err, Error, Result};
use crate::px::{nominal_svg, Px, Scaled};
use crate::{bars, contour, encode, font, heatmap, histogram, lines, quiver, surface};

/// Default width and height in pixels (readable at 800×600).
pub const DEFAULT_SIZE: (u32, u32) = (800, 600);

pub(crate) const TITLE_SIZE: f64 = 22.0;
pub(crate) const LABEL_SIZE: f64 = 17.0;
pub(crate) const TICK_SIZE: f64 = 14.0;
pub(crate) const LEGEND_SIZE: f64 = 15.0;

/// Title and axis labels of a figure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    /// Caption above the plot.
    pub title: String,
    /// Horizontal axis description.
    pub x: String,
    /// Vertical axis description.
    pub y: String,
}

impl Labels {
    /// Title, x label, y label.
    pub fn new(title: impl Into<String>, x: impl Into<String>, y: impl Into<String>) -> Self {
        Labels {
            title: title.into(),
            x: x.into(),
            y: y.into(),
        }
    }
}

/// Where the legend box goes (inside the plot area).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LegendPosition {
    /// The corner where the box covers the least of the plotted data (lines, paths, markers,
    /// bars), preferring upper right, upper left, lower right, lower left in that order
    /// (default; matplotlib's `"best"`).
    #[default]
    Best,
    /// Top right corner.
    UpperRight,
    /// Top left corner.
    UpperLeft,
    /// Bottom right corner.
    LowerRight,
    /// Bottom left corner.
    LowerLeft,
    /// No legend.
    Hidden,
}

/// An output file format (what [`Figure::render`] produces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Scalable vector graphics.
    Svg,
    /// Portable network graphics.
    Png,
}

impl Format {
    /// The format named by a path's extension (`.svg` or `.png`, any case).
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("svg") => Ok(Format::Svg),
            Some("png") => Ok(Format::Png),
            _ => Err(Error::Invalid(format!(
                "{}: the file name must end in .svg or .png",
                path.display()
            ))),
        }
    }
}

/// What a figure shows.
#[derive(Debug, Clone)]
pub(crate) enum Plot {
    Contour(Box<contour::ContourPlot>),
    Lines(lines::LinePlot),
    Quiver(quiver::QuiverPlot),
    Surface(Box<surface::SurfacePlot>),
    Histogram(histogram::HistogramPlot),
    Heatmap(heatmap::HeatmapPlot),
    Bars(bars::BarPlot),
    Panels { cols: usize, items: Vec<Figure> },
}

/// A picture with its data computed, ready to be rendered as SVG or PNG.
#[derive(Debug, Clone)]
pub struct Figure {
    pub(crate) size: (u32, u32),
    pub(crate) plot: Plot,
}

impl Figure {
    pub(crate) fn new(plot: Plot) -> Self {
        Figure {
            size: DEFAULT_SIZE,
            plot,
        }
    }

    /// The same figure at `width × height` pixels (each at least 100).
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.size = (width.clamp(100, 8000), height.clamp(100, 8000));
        self
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Figures side by side, `cols` per row; the size is the grid of the members' largest size.
    pub fn panels(items: Vec<Figure>, cols: usize) -> Result<Figure> {
        if items.is_empty() {
            return Err(Error::Invalid("panels: no figures".into()));
        }
        let cols = cols.clamp(1, items.len());
        let rows = items.len().div_ceil(cols);
        let w = items
            .iter()
            .map(|f| f.size.0)
            .max()
            .unwrap_or(DEFAULT_SIZE.0);
        let h = items
            .iter()
            .map(|f| f.size.1)
            .max()
            .unwrap_or(DEFAULT_SIZE.1);
        let size = ((w * cols as u32).min(8000), (h * rows as u32).min(8000));
        Ok(Figure {
            size,
            plot: Plot::Panels { cols, items },
        })
    }

    /// Draws onto a drawing area (any plotters backend) of `px` canvas pixels per nominal one.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        px: Px,
    ) -> Result<()> {
        area.fill(&WHITE).map_err(draw_err)?;
        match &self.plot {
            Plot::Contour(p) => p.draw(area, None, px),
            Plot::Lines(p) => p.draw(area, px),
            Plot::Quiver(p) => p.draw(area, px),
            Plot::Surface(p) => p.draw(area, px),
            Plot::Histogram(p) => p.draw(area, px),
            Plot::Heatmap(p) => p.draw(area, px),
            Plot::Bars(p) => p.draw(area, px),
            Plot::Panels { cols, items } => {
                let rows = items.len().div_ceil(*cols);
                let cells = area.split_evenly((rows, *cols));
                for (fig, cell) in items.iter().zip(cells.iter()) {
                    fig.draw(cell, px)?;
                }
                Ok(())
            }
        }
    }

    /// The figure as an SVG document: `width` and `height` are the figure's size, and its
    /// coordinates carry a tenth of a pixel (it is drawn on a canvas ten times larger, its
    /// `viewBox`).
    pub fn to_svg(&self) -> Result<String> {
        font::ensure()?;
        let px = Px::SVG;
        let mut out = String::new();
        {
            let canvas = (px.u(self.size.0), px.u(self.size.1));
            let svg = SVGBackend::with_string(&mut out, canvas);
            let root = Scaled::new(svg, px).into_drawing_area();
            self.draw(&root, px)?;
            root.present().map_err(draw_err)?;
        }
        nominal_svg(out, self.size, px)
    }

    /// The figure as a PNG image: the bytes of a `.png` file.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        font::ensure()?;
        let (w, h) = self.size;
        let mut rgb = vec![0u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, self.size).into_drawing_area();
            self.draw(&root, Px::ONE)?;
            root.present().map_err(draw_err)?;
        }
        encode::png(&rgb, self.size)
    }

    /// The figure's file in `format`: the SVG text as bytes, or the PNG image.
    pub fn render(&self, format: Format) -> Result<Vec<u8>> {
        match format {
            Format::Svg => self.to_svg().map(String::into_bytes),
            Format::Png => self.to_png(),
        }
    }
}

/// A plotters chart over a 2-D cartesian coordinate system.
pub(crate) type Chart2d<'a, DB, X, Y> = ChartContext<'a, DB, Cartesian2d<X, Y>>;

/// `area` inside a margin of `margin` nominal pixels and below its caption `title` (none
/// when empty), laid out as plotters' `ChartBuilder::margin` and `caption` do, but with the
/// caption's padding in nominal pixels.
pub(crate) fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    margin: u32,
    title: &str,
    px: Px,
) -> Result<DrawingArea<DB, Shift>> {
    let m = px.i(margin as i32);
    let area = area.margin(m, m, m, m);
    if title.is_empty() {
        return Ok(area);
    }
    let style = px.text(TITLE_SIZE);
    let (_, th) = area.estimate_text_size(title, &style).map_err(draw_err)?;
    let pad = (th / 2).min(px.u(5));
    let w = area.dim_in_pixel().0;
    let top = style.pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(title, &top, ((w / 2) as i32, pad as i32))
        .map_err(draw_err)?;
    Ok(area.split_vertically(2 * pad + th).1)
}

/// A 2-D chart with the house style: caption, margins and room for tick labels.
pub(crate) fn chart<'a, DB, X, Y>(
    area: &DrawingArea<DB, Shift>,
    labels: &Labels,
    x: X,
    y: Y,
    px: Px,
) -> Result<Chart2d<'a, DB, X::CoordDescType, Y::CoordDescType>>
where
    DB: DrawingBackend,
    X: AsRangedCoord,
    Y: AsRangedCoord,
{
    let area = titled(area, 14, &labels.title, px)?;
    ChartBuilder::on(&area)
        .x_label_area_size(px.u(if labels.x.is_empty() { 30 } else { 52 }))
        .y_label_area_size(px.u(if labels.y.is_empty() { 60 } else { 84 }))
        .build_cartesian_2d(x, y)
        .map_err(draw_err)
}

/// Axes, ticks, axis descriptions and (optionally) a light grid, with numeric tick labels.
pub(crate) fn mesh<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    labels: &Labels,
    grid: bool,
    px: Px,
) -> Result<()>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let xt = |v: &f64| crate::geom::tick(crate::geom::snap_zero(*v, (xr.start, xr.end)));
    let yt = |v: &f64| crate::geom::tick(crate::geom::snap_zero(*v, (yr.start, yr.end)));
    let mut m = chart.configure_mesh();
    m.x_desc(labels.x.as_str())
        .y_desc(labels.y.as_str())
        .axis_desc_style(px.text(LABEL_SIZE))
        .label_style(px.text(TICK_SIZE))
        .set_all_tick_mark_size(px.u(TICK_MARK))
        .x_label_formatter(&xt)
        .y_label_formatter(&yt)
        .x_labels(8)
        .y_labels(8);
    if grid {
        m.light_line_style(BLACK.mix(0.04))
            .bold_line_style(BLACK.mix(0.12));
    } else {
        m.disable_mesh();
    }
    m.draw().map_err(draw_err)
}

/// Length of a tick mark (plotters' default at the nominal size).
pub(crate) const TICK_MARK: u32 = 5;
