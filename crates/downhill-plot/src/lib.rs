//! Figures for Downhill, drawn with plotters from plain data (no solver types).
//!
//! Every figure function returns a [`Figure`]: the data it needs, already computed (grids are
//! sampled when the figure is built), so that one figure renders as SVG ([`Figure::to_svg`]) and
//! as PNG ([`Figure::to_png`], or [`Figure::render`] by [`Format`]), or goes beside others with
//! [`Figure::panels`]. The descent animation is an [`Animation`] rendered as a GIF
//! ([`Animation::to_gif`]).
//!
//! The crate writes no files: it returns the bytes, and the caller chooses where they go (the
//! `downhill` CLI writes every figure through `downhill::io::write_atomic`).
//!
//! | function | picture |
//! | --- | --- |
//! | [`contour`] | heat map + iso-lines of `f(x, y)` with trajectories (one legend entry each) |
//! | [`loss_curves`] / [`line_chart`] | curves of y against x, optionally on a log y axis |
//! | [`schedule_plot`] | learning rate (and momentum) against step |
//! | [`heatmap`] | values on a grid of cells (a sweep) with a colour bar and lines on top |
//! | [`quiver`] | the field of negative gradients |
//! | [`surface3d`] | a 3-D surface of `f` with a path on it |
//! | [`histogram_density`] | a normalised histogram of samples against a density curve |
//! | [`bar_chart`] / [`grouped_bar_chart`] | one bar per labelled value, or groups of bars per category |
//! | [`animation_gif`] | an animated GIF of a descent on the contour |
//!
//! ```
//! use downhill_plot::{contour, loss_curves, ContourOptions, Figure, Series, Series2d};
//!
//! let path = Series2d::new("sgd (lr = 0.1)", vec![(-3.0, 4.0), (-2.4, 3.2), (-1.92, 2.56)]);
//! let f = |x: f64, y: f64| x * x + y * y;
//! let map = contour(&f, (-4.0, 4.0), (-4.0, 5.0), &[path], &ContourOptions::default())?;
//! let loss = loss_curves(&[Series::indexed("sgd", vec![25.0, 16.0, 10.24])], true, "step", "f")?;
//! let both = Figure::panels(vec![map, loss], 2)?; // 1600×600, side by side
//! assert!(both.to_svg()?.starts_with("<svg"));
//! # Ok::<(), downhill_plot::Error>(())
//! ```
//!
//! Text is drawn with an embedded DejaVu Sans registered through plotters' `ab_glyph`
//! support, so no system font or fontconfig is needed. Colours: the Okabe–Ito palette for
//! series, viridis for heat maps (both colour-blind safe).

mod animation;
mod bars;
mod colorbar;
mod contour;
mod encode;
mod error;
mod figure;
mod font;
mod frame;
mod geom;
mod heatmap;
mod histogram;
mod isolines;
mod legend;
mod lines;
mod palette;
mod px;
mod quiver;
mod surface;

pub use animation::{animation_gif, Animation, AnimationOptions};
pub use bars::{bar_chart, grouped_bar_chart, Bar, BarGroup};
pub use contour::{contour, suggest_log_levels, ContourOptions, Marker};
pub use error::{Error, Result};
pub use figure::{Figure, Format, Labels, LegendPosition};
pub use frame::{ColourKey, Frame};
pub use geom::{bilinear, fit_ranges};
pub use heatmap::{heatmap, HeatmapOptions};
pub use histogram::{histogram_density, HistogramOptions};
pub use lines::{line_chart, loss_curves, schedule_plot, LineOptions, Series, VLine};
pub use palette::{okabe_ito, viridis, OKABE_ITO};
pub use quiver::{quiver, QuiverOptions};
pub use surface::{surface3d, SurfaceOptions};

/// A labelled 2-D path (an optimiser's trajectory).
#[derive(Debug, Clone, PartialEq)]
pub struct Series2d {
    /// Legend text.
    pub label: String,
    /// Points `(x, y)` in order; non-finite points break the path.
    pub points: Vec<(f64, f64)>,
}

impl Series2d {
    /// A series from a label and points.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series2d {
            label: label.into(),
            points,
        }
    }
}

/// A closed interval `[lo, hi]` of one axis.
pub type Range = (f64, f64);
