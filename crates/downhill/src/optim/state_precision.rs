//! [`StatePrecision`]: in which type an optimiser keeps its per-parameter state.

use serde::{Deserialize, Serialize};

/// The storage type of optimiser state (`state_precision` in a config).
///
/// `bf16` keeps Adam's/AdamW's moments or SGD's momentum buffer as bfloat16 (2 bytes per
/// parameter each) and writes them with stochastic rounding (see [`crate::kernels::bf16`]):
/// an Adam step then moves 20 instead of 28 bytes per `f32` parameter. The update itself
/// is computed in `f32`. Not available with AMSGrad.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatePrecision {
    /// The parameters' own type (default).
    #[default]
    #[serde(alias = "fp32", alias = "f32", alias = "f64")]
    Full,
    /// bfloat16 with stochastic rounding.
    Bf16,
}

impl StatePrecision {
    /// Whether this is `Bf16`.
    pub fn is_bf16(self) -> bool {
        self == StatePrecision::Bf16
    }
}

/// Resizes a bfloat16 buffer to `n` zeros on first use (never reallocates after).
pub(crate) fn ensure_len16(buf: &mut Vec<u16>, n: usize) {
    super::ensure_len(buf, n, 0);
}

/// bfloat16 buffer → `f64` values (exact), for checkpoints.
pub(crate) fn widen16(buf: &[u16]) -> Vec<f64> {
    buf.iter()
        .map(|&b| crate::kernels::bf16::to_f32(b) as f64)
        .collect()
}

/// `f64` values → bfloat16 (round to nearest even), when loading checkpoints.
pub(crate) fn narrow16(v: &[f64]) -> Vec<u16> {
    v.iter()
        .map(|&x| crate::kernels::bf16::from_f32_nearest(x as f32))
        .collect()
}
