//! Bar charts: one bar per labelled value (e.g. the largest stable lr of each method), or
//! groups of bars side by side per category (e.g. measured next to theory).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{draw_err, Result};
use crate::figure::{
    titled, Figure, Labels, LegendPosition, Plot, LABEL_SIZE, TICK_MARK, TICK_SIZE,
};
use crate::geom::{bounds, pad, tick};
use crate::legend::{legend, Data};
use crate::palette::okabe_ito;
use crate::px::Px;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Category text under the bar.
    pub label: String,
    /// Height; a non-finite value leaves the slot empty.
    pub value: f64,
}

impl Bar {
    /// A bar from a label and a value.
    pub fn new(label: impl Into<String>, value: f64) -> Self {
        Bar {
            label: label.into(),
            value,
        }
    }
}

/// One group of a grouped bar chart: a legend label and one value per category (a
/// non-finite value, or a missing one, leaves its slot empty).
#[derive(Debug, Clone, PartialEq)]
pub struct BarGroup {
    /// Legend text.
    pub label: String,
    /// Heights, one per category.
    pub values: Vec<f64>,
}

impl BarGroup {
    /// A group from a label and its values.
    pub fn new(label: impl Into<String>, values: Vec<f64>) -> Self {
        BarGroup {
            label: label.into(),
            values,
        }
    }
}

/// The computed bar chart.
#[derive(Debug, Clone)]
pub(crate) struct BarPlot {
    categories: Vec<String>,
    groups: Vec<BarGroup>,
    /// One colour per category (a single unlabelled group) instead of one per group.
    by_category: bool,
    labels: Labels,
    yr: (f64, f64),
}

/// A bar chart, one Okabe–Ito colour per bar, the value printed above each bar.
pub fn bar_chart(bars: &[Bar], labels: &Labels) -> Result<Figure> {
    let categories: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let group = BarGroup::new("", bars.iter().map(|b| b.value).collect());
    Ok(build(categories, vec![group], true, labels))
}

/// Grouped bars: per category, one bar of each group side by side in the group's Okabe–Ito
/// colour, the value printed above it, and a legend entry per group.
pub fn grouped_bar_chart(
    categories: &[String],
    groups: &[BarGroup],
    labels: &Labels,
) -> Result<Figure> {
    Ok(build(categories.to_vec(), groups.to_vec(), false, labels))
}

fn build(
    categories: Vec<String>,
    groups: Vec<BarGroup>,
    by_category: bool,
    labels: &Labels,
) -> Figure {
    let b = bounds(
        groups
            .iter()
            .flat_map(|g| g.values.iter().copied())
            .chain([0.0]),
    );
    let (lo, hi) = pad(b.unwrap_or((0.0, 1.0)), 0.08);
    let yr = (
        if b.is_some_and(|b| b.0 >= 0.0) {
            0.0
        } else {
            lo
        },
        hi,
    );
    Figure::new(Plot::Bars(BarPlot {
        categories,
        groups,
        by_category,
        labels: labels.clone(),
        yr,
    }))
}

impl BarPlot {
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        px: Px,
    ) -> Result<()> {
        let n = self.categories.len().max(1);
        let area = titled(area, 14, &self.labels.title, px)?;
        let ch = ChartBuilder::on(&area)
            .x_label_area_size(px.u(52))
            .y_label_area_size(px.u(84))
            .build_cartesian_2d((0..n - 1).into_segmented(), self.yr.0..self.yr.1)
            .map_err(draw_err)?;
        // the bars go on a continuous x over the same pixels: category i spans [i, i + 1)
        let mut ch = ch.set_secondary_coord(0.0..n as f64, self.yr.0..self.yr.1);
        let names: Vec<String> = self
            .categories
            .iter()
            .map(|c| {
                let mut s: String = c.chars().take(24).collect();
                if c.chars().count() > 24 {
                    s.push('…');
                }
                s
            })
            .collect();
        let fmt = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        ch.configure_mesh()
            .disable_x_mesh()
            .x_desc(self.labels.x.as_str())
            .y_desc(self.labels.y.as_str())
            .axis_desc_style(px.text(LABEL_SIZE))
            .label_style(px.text(TICK_SIZE))
            .set_all_tick_mark_size(px.u(TICK_MARK))
            .x_labels(n)
            .x_label_formatter(&fmt)
            .y_label_formatter(&|v| tick(*v))
            .light_line_style(BLACK.mix(0.04))
            .bold_line_style(BLACK.mix(0.12))
            .draw()
            .map_err(draw_err)?;
        let g = self.groups.len().max(1);
        let width = 0.8 / g as f64;
        let above = px.text(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
        let mut entries: Vec<&str> = Vec::new();
        let mut data = Data::default();
        let (swatch, half) = (px.i(20), px.i(6));
        let label_h = px.i(TICK_SIZE as i32 + 4);
        for (k, group) in self.groups.iter().enumerate() {
            let mut first = true;
            for (i, &v) in group.values.iter().enumerate().take(n) {
                if !v.is_finite() {
                    continue;
                }
                let c = okabe_ito(if self.by_category { i } else { k });
                let x0 = i as f64 + 0.1 + width * k as f64;
                let r = Rectangle::new([(x0, 0.0), (x0 + width, v)], c.filled());
                let sec = ch.borrow_secondary();
                data.add(
                    sec,
                    [(x0, 0.0), (x0, v), (x0 + width, v), (x0 + width, 0.0)],
                );
                // and the value printed above the bar
                let (tx, ty) = sec.as_coord_spec().translate(&(x0 + width / 2.0, v));
                data.add_pixels(vec![(tx, ty), (tx, ty - label_h)]);
                let anno = ch
                    .draw_secondary_series(std::iter::once(r))
                    .map_err(draw_err)?;
                if first && !group.label.is_empty() && !self.by_category {
                    anno.label(group.label.as_str()).legend(move |(x, y)| {
                        Rectangle::new([(x, y - half), (x + swatch, y + half)], c.filled())
                    });
                    entries.push(&group.label);
                }
                first = false;
                ch.draw_secondary_series(std::iter::once(Text::new(
                    tick(v),
                    (x0 + width / 2.0, v),
                    above.clone(),
                )))
                .map_err(draw_err)?;
            }
        }
        legend(&mut ch, LegendPosition::Best, &entries, &data, px)
    }
}
