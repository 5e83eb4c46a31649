//! The embedded font: DejaVu Sans (Bitstream Vera licence, see `assets/DejaVu-LICENSE.txt`),
//! registered once with plotters' `ab_glyph` font table as `sans-serif`.

use std::sync::OnceLock;

use plotters::style::FontStyle;

use crate::error::{Error, Result};

static DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTERED: OnceLock<bool> = OnceLock::new();

/// The family name every figure uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the embedded font (idempotent). Every style falls back to the regular face.
pub(crate) fn ensure() -> Result<()> {
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Draw(
            "the embedded DejaVu Sans font could not be loaded".into(),
        ))
    }
}
