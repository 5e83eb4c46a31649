//! Image encodings in memory: this crate renders figures to bytes and writes no files (the
//! caller decides where and how, e.g. through `downhill::io::write_atomic`).

use image::ImageEncoder;

use crate::error::{draw_err, Result};

/// Packed RGB pixels (`w × h × 3` bytes, rows top to bottom) as a PNG file's bytes: the same
/// encoder and settings plotters' bitmap backend uses when it saves a `.png`.
pub(crate) fn png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(rgb, w, h, image::ColorType::Rgb8)
        .map_err(draw_err)?;
    Ok(out)
}
