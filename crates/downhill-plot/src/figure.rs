//! [`Figure`]: a computed picture that renders to SVG or PNG bytes; panels of figures.

use std::path::Path;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{draw_err, Error, Result};
use crate::{bars, contour, encode, font, heatmap, histogram, lines, quiver, surface};

/// Default width and height in pixels (readable at 800×600).
pub const DEFAULT_SIZE: (u32, u32) = (800, 600);

pub(crate) const TITLE_SIZE: f64 = 22.0;
pub(crate) const LABEL_SIZE: f64 = 17.0;
pub(crate) const TICK_SIZE: f64 = 14.0;
pub(crate) const LEGEND_SIZE: f64 = 15.0;

/// A text style of the embedded font.
pub(crate) fn text(size: f64) -> TextStyle<'static> {
    (font::FAMILY, size).into_font().color(&BLACK)
}

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
    /// Top right corner (default).
    #[default]
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

    /// Draws onto a drawing area (any plotters backend).
    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE).map_err(draw_err)?;
        match &self.plot {
            Plot::Contour(p) => p.draw(area, None),
            Plot::Lines(p) => p.draw(area),
            Plot::Quiver(p) => p.draw(area),
            Plot::Surface(p) => p.draw(area),
            Plot::Histogram(p) => p.draw(area),
            Plot::Heatmap(p) => p.draw(area),
            Plot::Bars(p) => p.draw(area),
            Plot::Panels { cols, items } => {
                let rows = items.len().div_ceil(*cols);
                let cells = area.split_evenly((rows, *cols));
                for (fig, cell) in items.iter().zip(cells.iter()) {
                    fig.draw(cell)?;
                }
                Ok(())
            }
        }
    }

    /// The figure as an SVG document.
    pub fn to_svg(&self) -> Result<String> {
        font::ensure()?;
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, self.size).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(draw_err)?;
        }
        Ok(out)
    }

    /// The figure as a PNG image: the bytes of a `.png` file.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        font::ensure()?;
        let (w, h) = self.size;
        let mut rgb = vec![0u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, self.size).into_drawing_area();
            self.draw(&root)?;
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

/// A 2-D chart with the house style: caption, margins and room for tick labels.
pub(crate) fn chart<'a, DB, X, Y>(
    area: &'a DrawingArea<DB, Shift>,
    labels: &Labels,
    x: X,
    y: Y,
) -> Result<Chart2d<'a, DB, X::CoordDescType, Y::CoordDescType>>
where
    DB: DrawingBackend,
    X: AsRangedCoord,
    Y: AsRangedCoord,
{
    let mut b = ChartBuilder::on(area);
    b.margin(14)
        .x_label_area_size(if labels.x.is_empty() { 30 } else { 52 })
        .y_label_area_size(if labels.y.is_empty() { 60 } else { 84 });
    if !labels.title.is_empty() {
        b.caption(&labels.title, text(TITLE_SIZE));
    }
    b.build_cartesian_2d(x, y).map_err(draw_err)
}

/// Axes, ticks, axis descriptions and (optionally) a light grid, with numeric tick labels.
pub(crate) fn mesh<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    labels: &Labels,
    grid: bool,
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
        .axis_desc_style(text(LABEL_SIZE))
        .label_style(text(TICK_SIZE))
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

/// The legend box of the labelled series.
pub(crate) fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    at: LegendPosition,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    let position = match at {
        LegendPosition::Hidden => return Ok(()),
        LegendPosition::UpperRight => SeriesLabelPosition::UpperRight,
        LegendPosition::UpperLeft => SeriesLabelPosition::UpperLeft,
        LegendPosition::LowerRight => SeriesLabelPosition::LowerRight,
        LegendPosition::LowerLeft => SeriesLabelPosition::LowerLeft,
    };
    chart
        .configure_series_labels()
        .label_font(text(LEGEND_SIZE))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.5))
        .position(position)
        .draw()
        .map_err(draw_err)
}
