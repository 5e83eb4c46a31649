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
    /// Every value's config name.
    pub const NAMES: &'static [&'static str] = &["full", "bf16"];
    /// Whether this is `Bf16`.
    pub fn is_bf16(self) -> bool {
        self == StatePrecision::Bf16
    }
}
