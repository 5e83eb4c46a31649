//! The descent animation (seed 004): the contour with the path growing frame by frame, as GIF.

use std::path::Path;

use plotters::prelude::*;

use crate::contour::{ContourOptions, ContourPlot};
use crate::error::{draw_err, Error, Result};
use crate::geom::sane;
use crate::{font, io, Range, Series2d};

/// Options of an [`Animation`].
#[derive(Debug, Clone, PartialEq)]
pub struct AnimationOptions {
    /// The background contour and its labels.
    pub contour: ContourOptions,
    /// At most this many frames showing progress (default 30); the last frame is held.
    pub frames: usize,
    /// Delay between frames in milliseconds (default 150).
    pub frame_delay_ms: u32,
    /// Width and height in pixels (default 600×450, small enough for a fast, light GIF).
    pub size: (u32, u32),
}

impl Default for AnimationOptions {
    fn default() -> Self {
        AnimationOptions {
            contour: ContourOptions::default(),
            frames: 30,
            frame_delay_ms: 150,
            size: (600, 450),
        }
    }
}

/// How many frames repeat the final picture at the end of the loop.
const HOLD_FRAMES: usize = 4;

/// A descent animation, ready to be written.
#[derive(Debug, Clone)]
pub struct Animation {
    plot: ContourPlot,
    /// Trajectory index shown by each frame.
    frame_steps: Vec<usize>,
    opts: AnimationOptions,
}

impl Animation {
    /// The animation of `trajectories` on the contour of `f` (paths grow together).
    pub fn new(
        f: &dyn Fn(f64, f64) -> f64,
        x_range: Range,
        y_range: Range,
        trajectories: &[Series2d],
        opts: &AnimationOptions,
    ) -> Result<Self> {
        if !(x_range.0.is_finite()
            && x_range.1.is_finite()
            && y_range.0.is_finite()
            && y_range.1.is_finite())
        {
            return Err(Error::Invalid(format!(
                "animation ranges must be finite, got x {x_range:?}, y {y_range:?}"
            )));
        }
        let plot = ContourPlot::build(f, sane(x_range), sane(y_range), trajectories, &opts.contour);
        let last = trajectories
            .iter()
            .map(|s| s.points.len())
            .max()
            .unwrap_or(1)
            .max(1)
            - 1;
        let frames = opts.frames.clamp(2, 500).min(last + 1).max(2);
        let mut frame_steps: Vec<usize> = (0..frames)
            .map(|k| ((k * last) as f64 / (frames - 1) as f64).round() as usize)
            .collect();
        frame_steps.dedup();
        let hold = frame_steps.last().copied().unwrap_or(0);
        frame_steps.extend(std::iter::repeat(hold).take(HOLD_FRAMES));
        Ok(Animation {
            plot,
            frame_steps,
            opts: opts.clone(),
        })
    }

    /// Number of frames the GIF will have.
    pub fn frame_count(&self) -> usize {
        self.frame_steps.len()
    }

    /// Writes frame `frame` (clamped to the last) as a PNG still, e.g. a poster for the GIF.
    pub fn write_frame_png(&self, frame: usize, path: &Path) -> Result<()> {
        font::ensure()?;
        let k = self.frame_steps[frame.min(self.frame_steps.len() - 1)];
        let mut plot = self.plot.clone();
        plot.opts.labels.title = format!("{} — step {k}", plot.opts.labels.title);
        io::with_temp(path, |tmp| {
            let root = BitMapBackend::new(tmp, self.opts.size).into_drawing_area();
            root.fill(&WHITE).map_err(draw_err)?;
            plot.draw(&root, Some(k))?;
            root.present().map_err(draw_err)
        })
    }

    /// Writes the GIF to `path` (atomically).
    pub fn write_gif(&self, path: &Path) -> Result<()> {
        font::ensure()?;
        let title = self.plot.opts.labels.title.clone();
        io::with_temp(path, |tmp| {
            let root = BitMapBackend::gif(tmp, self.opts.size, self.opts.frame_delay_ms.max(10))
                .map_err(draw_err)?
                .into_drawing_area();
            let mut plot = self.plot.clone();
            for &k in &self.frame_steps {
                plot.opts.labels.title = format!("{title} — step {k}");
                root.fill(&WHITE).map_err(draw_err)?;
                plot.draw(&root, Some(k))?;
                root.present().map_err(draw_err)?;
            }
            Ok(())
        })
    }
}

/// Writes the animated GIF of one descent: `trajectory` growing on the contour of `f`.
pub fn animation_gif(
    f: &dyn Fn(f64, f64) -> f64,
    x_range: Range,
    y_range: Range,
    trajectory: &Series2d,
    path: &Path,
    frame_delay_ms: u32,
) -> Result<()> {
    let opts = AnimationOptions {
        frame_delay_ms,
        ..AnimationOptions::default()
    };
    Animation::new(f, x_range, y_range, std::slice::from_ref(trajectory), &opts)?.write_gif(path)
}
