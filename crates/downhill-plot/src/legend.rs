//! The legend box: sized from its entries, and put in a corner of the plot, by default
//! ([`LegendPosition::Best`]) the corner where it covers the least of the plotted data.

use plotters::element::MultiLineText;
use plotters::prelude::*;
use plotters_backend::BackendCoord;

use crate::error::{draw_err, Result};
use crate::figure::{LegendPosition, LEGEND_SIZE};
use crate::geom::clip_segment;
use crate::px::Px;

/// Padding inside the legend box, room for each entry's swatch, and the gap between the box
/// and the plot's edge (plotters' defaults, in nominal pixels).
const MARGIN: u32 = 10;
const SWATCH: u32 = 30;
const GAP: i32 = 5;

/// How far (nominal pixels) around the box data still counts as covered: line widths and
/// marker radii.
const CLEARANCE: i32 = 4;

/// The corners [`LegendPosition::Best`] chooses from, in order of preference.
const CORNERS: [LegendPosition; 4] = [
    LegendPosition::UpperRight,
    LegendPosition::UpperLeft,
    LegendPosition::LowerRight,
    LegendPosition::LowerLeft,
];

/// What a legend should not cover: the plotted data as polylines in canvas pixels (a
/// one-point polyline is a marker).
#[derive(Debug, Default)]
pub(crate) struct Data {
    lines: Vec<Vec<BackendCoord>>,
}

impl Data {
    /// A polyline (one point: a marker) given in `ch`'s coordinates; its points must be
    /// finite.
    pub(crate) fn add<DB, CT>(
        &mut self,
        ch: &ChartContext<'_, DB, CT>,
        points: impl IntoIterator<Item = CT::From>,
    ) where
        DB: DrawingBackend,
        CT: CoordTranslate,
    {
        let spec = ch.as_coord_spec();
        self.add_pixels(points.into_iter().map(|p| spec.translate(&p)).collect());
    }

    /// A polyline given in canvas pixels.
    pub(crate) fn add_pixels(&mut self, line: Vec<BackendCoord>) {
        if !line.is_empty() {
            self.lines.push(line);
        }
    }

    /// How many segments (and markers) reach into the rectangle `(x0, y0)–(x1, y1)`.
    fn covered(&self, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> usize {
        let (xr, yr) = (
            (f64::from(x0), f64::from(x1)),
            (f64::from(y0), f64::from(y1)),
        );
        let f = |p: &BackendCoord| (f64::from(p.0), f64::from(p.1));
        self.lines
            .iter()
            .map(|l| match l.as_slice() {
                [p] => usize::from(p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1),
                _ => l
                    .windows(2)
                    .filter(|w| clip_segment(f(&w[0]), f(&w[1]), xr, yr).is_some())
                    .count(),
            })
            .sum()
    }
}

/// The legend box of the labelled series: `entries` are their labels, one per series that was
/// given one, in drawing order (the box is sized from them); `data` is what it should not
/// cover when `at` is [`LegendPosition::Best`].
pub(crate) fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    at: LegendPosition,
    entries: &[&str],
    data: &Data,
    px: Px,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    if at == LegendPosition::Hidden || entries.is_empty() {
        return Ok(());
    }
    let font = px.text(LEGEND_SIZE);
    let size = box_size(&font, entries, px)?;
    let area = chart.plotting_area().dim_in_pixel();
    let (bx, by) = chart.plotting_area().get_base_pixel();
    let place = |c: LegendPosition| corner(c, size, area, px);
    let at = if at == LegendPosition::Best {
        let c = px.i(CLEARANCE);
        let score = |corner: LegendPosition| {
            let (x, y) = place(corner);
            data.covered((
                bx + x - c,
                by + y - c,
                bx + x + size.0 + c,
                by + y + size.1 + c,
            ))
        };
        CORNERS
            .into_iter()
            .enumerate()
            .min_by_key(|&(k, corner)| (score(corner), k))
            .map_or(LegendPosition::UpperRight, |(_, corner)| corner)
    } else {
        at
    };
    let (x, y) = place(at);
    chart
        .configure_series_labels()
        .label_font(font)
        .margin(px.u(MARGIN))
        .legend_area_size(px.u(SWATCH))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.5))
        .position(SeriesLabelPosition::Coordinate(x, y))
        .draw()
        .map_err(draw_err)
}

/// The box's top left corner in the plotting area, for a box of `(w, h)` in an area of
/// `(aw, ah)` (canvas pixels).
fn corner(at: LegendPosition, (w, h): (i32, i32), (aw, ah): (u32, u32), px: Px) -> (i32, i32) {
    let (aw, ah) = (aw as i32, ah as i32);
    let gap = px.i(GAP);
    match at {
        LegendPosition::UpperLeft => (gap, gap),
        LegendPosition::LowerRight => (aw - w - gap, ah - h - gap),
        LegendPosition::LowerLeft => (gap, ah - h - gap),
        LegendPosition::UpperRight | LegendPosition::Best | LegendPosition::Hidden => {
            (aw - w - gap, gap)
        }
    }
}

/// The box's width and height in canvas pixels, as plotters lays it out.
fn box_size(font: &TextStyle<'_>, entries: &[&str], px: Px) -> Result<(i32, i32)> {
    let mut lines = MultiLineText::<_, &str>::new((0, 0), font);
    for e in entries {
        lines.push_line(*e);
    }
    let (w, h) = lines.estimate_dimension().map_err(draw_err)?;
    let margin = px.i(MARGIN as i32);
    Ok((w + px.i(SWATCH as i32) + 2 * margin, h + 2 * margin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_markers_count_where_they_reach_the_box() {
        let mut d = Data::default();
        d.add_pixels(vec![(0, 0), (100, 100)]); // crosses (40..60)²
        d.add_pixels(vec![(0, 100), (30, 100)]); // stays out
        d.add_pixels(vec![(50, 45)]); // a marker inside
        d.add_pixels(vec![(90, 10)]); // a marker outside
        assert_eq!(d.covered((40, 40, 60, 60)), 2);
        assert_eq!(d.covered((70, 0, 95, 20)), 1);
        assert_eq!(d.covered((0, 200, 10, 210)), 0);
    }
}
