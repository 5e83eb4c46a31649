//! The descent animation (seed 004): the contour with the path growing frame by frame, as GIF.

use plotters::prelude::*;

use crate::contour::{ContourOptions, ContourPlot};
use crate::error::{draw_err, Error, Result};
use crate::geom::{check_finite_ranges, sane};
use crate::{encode, font, Range, Series2d};

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

/// A descent animation, ready to be rendered.
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
        check_finite_ranges("animation", x_range, y_range)?;
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
        frame_steps.extend(std::iter::repeat_n(hold, HOLD_FRAMES));
        Ok(Animation {
            plot,
            frame_steps,
            opts: opts.clone(),
        })
    }

    /// Number of pictures shown, held final frames included (identical consecutive pictures
    /// are stored as one GIF frame with a longer delay).
    pub fn frame_count(&self) -> usize {
        self.frame_steps.len()
    }

    /// Frame `frame` (clamped to the last) as a PNG still, e.g. a poster for the GIF.
    pub fn frame_png(&self, frame: usize) -> Result<Vec<u8>> {
        font::ensure()?;
        let k = self.frame_steps[frame.min(self.frame_steps.len() - 1)];
        let mut plot = self.plot.clone();
        plot.opts.labels.title = format!("{} — step {k}", plot.opts.labels.title);
        encode::png(&render_rgb(&plot, k, self.opts.size)?, self.opts.size)
    }

    /// The animated GIF: the bytes of a `.gif` file. After the first, each frame stores only
    /// the rectangle that changed; a frame identical to the one before lengthens its delay
    /// instead.
    pub fn to_gif(&self) -> Result<Vec<u8>> {
        font::ensure()?;
        let (w, h) = self.opts.size;
        if w > u16::MAX as u32 || h > u16::MAX as u32 {
            return Err(Error::Invalid(format!("GIF size {w}×{h} is too large")));
        }
        let delay_cs = (self.opts.frame_delay_ms / 10).clamp(1, u16::MAX as u32) as u16;
        let title = self.plot.opts.labels.title.clone();
        let mut out = Vec::new();
        {
            let mut enc = gif::Encoder::new(&mut out, w as u16, h as u16, &[]).map_err(draw_err)?;
            enc.set_repeat(gif::Repeat::Infinite).map_err(draw_err)?;
            let mut plot = self.plot.clone();
            let mut prev: Option<Vec<u8>> = None;
            let mut pending: Option<gif::Frame<'static>> = None;
            for &k in &self.frame_steps {
                plot.opts.labels.title = format!("{title} — step {k}");
                let rgb = render_rgb(&plot, k, (w, h))?;
                let rect = match &prev {
                    None => Some((0, 0, w, h)),
                    Some(p) => changed_rect(p, &rgb, w, h),
                };
                match (rect, pending.as_mut()) {
                    (None, Some(f)) => f.delay = f.delay.saturating_add(delay_cs),
                    (None, None) => {}
                    (Some((x0, y0, x1, y1)), _) => {
                        if let Some(f) = pending.take() {
                            enc.write_frame(&f).map_err(draw_err)?;
                        }
                        let mut sub = Vec::with_capacity(((x1 - x0) * (y1 - y0) * 3) as usize);
                        for y in y0..y1 {
                            let row = ((y * w + x0) * 3) as usize..((y * w + x1) * 3) as usize;
                            sub.extend_from_slice(&rgb[row]);
                        }
                        let mut f = gif::Frame::from_rgb_speed(
                            (x1 - x0) as u16,
                            (y1 - y0) as u16,
                            &sub,
                            10,
                        );
                        f.left = x0 as u16;
                        f.top = y0 as u16;
                        f.delay = delay_cs;
                        pending = Some(f);
                    }
                }
                prev = Some(rgb);
            }
            if let Some(f) = pending.take() {
                enc.write_frame(&f).map_err(draw_err)?;
            }
            // Dropping the encoder writes the GIF trailer.
        }
        Ok(out)
    }
}

/// One frame as packed RGB.
fn render_rgb(plot: &ContourPlot, k: usize, (w, h): (u32, u32)) -> Result<Vec<u8>> {
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        plot.draw(&root, Some(k), crate::px::Px::ONE)?;
        root.present().map_err(draw_err)?;
    }
    Ok(buf)
}

/// The bounding box `(x0, y0, x1, y1)` (end-exclusive) of the pixels that differ, if any.
fn changed_rect(a: &[u8], b: &[u8], w: u32, h: u32) -> Option<(u32, u32, u32, u32)> {
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        for x in 0..w {
            let i = ((y * w + x) * 3) as usize;
            if a[i..i + 3] != b[i..i + 3] {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x + 1);
                y1 = y1.max(y + 1);
            }
        }
    }
    (x1 > x0).then_some((x0, y0, x1, y1))
}

/// The animated GIF (file bytes) of one descent: `trajectory` growing on the contour of `f`.
pub fn animation_gif(
    f: &dyn Fn(f64, f64) -> f64,
    x_range: Range,
    y_range: Range,
    trajectory: &Series2d,
    frame_delay_ms: u32,
) -> Result<Vec<u8>> {
    let opts = AnimationOptions {
        frame_delay_ms,
        ..AnimationOptions::default()
    };
    Animation::new(f, x_range, y_range, std::slice::from_ref(trajectory), &opts)?.to_gif()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Composes the decoded GIF frames on a canvas (as a viewer does) and compares every
    /// picture with the frame rendered directly: quantisation aside, they must agree.
    #[test]
    fn delta_frames_compose_to_the_full_pictures() {
        let f = |x: f64, y: f64| x * x + 3.0 * y * y;
        let mut p = (-3.0, 2.0);
        let mut pts = vec![p];
        for _ in 0..20 {
            p = (p.0 * 0.8, p.1 * 0.4);
            pts.push(p);
        }
        let opts = AnimationOptions {
            size: (200, 150),
            frames: 8,
            ..AnimationOptions::default()
        };
        let anim = Animation::new(
            &f,
            (-4.0, 4.0),
            (-3.0, 3.0),
            &[Series2d::new("a", pts)],
            &opts,
        )
        .unwrap();
        let bytes = anim.to_gif().unwrap();
        let mut o = gif::DecodeOptions::new();
        o.set_color_output(gif::ColorOutput::RGBA);
        let mut dec = o.read_info(bytes.as_slice()).unwrap();
        let (w, h) = (200usize, 150usize);
        let mut canvas = vec![0u8; w * h * 3];
        let mut shown = 0;
        let title = anim.plot.opts.labels.title.clone();
        let mut plot = anim.plot.clone();
        while let Some(fr) = dec.read_next_frame().unwrap() {
            let (l, t, fw) = (fr.left as usize, fr.top as usize, fr.width as usize);
            for (i, px) in fr.buffer.chunks(4).enumerate() {
                let (x, y) = (l + i % fw, t + i / fw);
                canvas[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&px[..3]);
            }
            let k = anim.frame_steps[shown];
            plot.opts.labels.title = format!("{title} — step {k}");
            let want = render_rgb(&plot, k, (200, 150)).unwrap();
            let err: f64 = want
                .iter()
                .zip(&canvas)
                .map(|(a, b)| (*a as f64 - *b as f64).abs())
                .sum::<f64>()
                / want.len() as f64;
            assert!(err < 4.0, "frame {shown}: mean abs error {err}");
            shown += (fr.delay as usize / 15).max(1);
        }
        assert_eq!(shown, anim.frame_count());
    }
}
