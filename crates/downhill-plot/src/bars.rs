//! Bar charts: one bar per labelled value (e.g. the largest stable lr of each method).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{draw_err, Result};
use crate::figure::{text, Figure, Labels, Plot, LABEL_SIZE, TICK_SIZE, TITLE_SIZE};
use crate::geom::{bounds, pad, tick};
use crate::palette::okabe_ito;

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

/// The computed bar chart.
#[derive(Debug, Clone)]
pub(crate) struct BarPlot {
    bars: Vec<Bar>,
    labels: Labels,
    yr: (f64, f64),
}

/// A bar chart, one Okabe–Ito colour per bar, the value printed above each bar.
pub fn bar_chart(bars: &[Bar], labels: &Labels) -> Result<Figure> {
    let b = bounds(bars.iter().map(|b| b.value).chain([0.0]));
    let (lo, hi) = pad(b.unwrap_or((0.0, 1.0)), 0.08);
    let yr = (
        if b.is_some_and(|b| b.0 >= 0.0) {
            0.0
        } else {
            lo
        },
        hi,
    );
    Ok(Figure::new(Plot::Bars(BarPlot {
        bars: bars.to_vec(),
        labels: labels.clone(),
        yr,
    })))
}

impl BarPlot {
    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let n = self.bars.len().max(1);
        let mut b = ChartBuilder::on(area);
        b.margin(14).x_label_area_size(52).y_label_area_size(84);
        if !self.labels.title.is_empty() {
            b.caption(&self.labels.title, text(TITLE_SIZE));
        }
        let mut ch = b
            .build_cartesian_2d((0..n - 1).into_segmented(), self.yr.0..self.yr.1)
            .map_err(draw_err)?;
        let names: Vec<String> = self
            .bars
            .iter()
            .map(|b| {
                let mut s: String = b.label.chars().take(24).collect();
                if b.label.chars().count() > 24 {
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
            .axis_desc_style(text(LABEL_SIZE))
            .label_style(text(TICK_SIZE))
            .x_labels(n)
            .x_label_formatter(&fmt)
            .y_label_formatter(&|v| tick(*v))
            .light_line_style(BLACK.mix(0.04))
            .bold_line_style(BLACK.mix(0.12))
            .draw()
            .map_err(draw_err)?;
        for (i, bar) in self.bars.iter().enumerate() {
            if !bar.value.is_finite() {
                continue;
            }
            let c = okabe_ito(i);
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), bar.value),
                ],
                c.filled(),
            );
            r.set_margin(0, 0, 12, 12);
            ch.draw_series(std::iter::once(r)).map_err(draw_err)?;
            ch.draw_series(std::iter::once(Text::new(
                tick(bar.value),
                (SegmentValue::CenterOf(i), bar.value),
                text(TICK_SIZE).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Bottom,
                )),
            )))
            .map_err(draw_err)?;
        }
        Ok(())
    }
}
