//! `wsd_schedule`: Hugging Face transformers' `get_wsd_schedule` (warmup-stable-decay).

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use super::multiplier::{at_least_zero, int, Multiplied, Multiplier};
use super::params::{plain_values, pytorch_scheduler, schedule_config};
use crate::{Error, Result};

schedule_config! {
    /// `wsd_schedule`: the parameters of [`WsdSchedule`]; `num_training_steps` or
    /// `num_stable_steps`.
    WsdScheduleConfig {
        required {
            /// Steps of the warm-up from `min_lr_ratio` times the initial lr to the initial lr.
            num_warmup_steps: usize, AtLeast(0.0), example = 100;
            /// Steps of the decay from the initial lr to `min_lr_ratio` times it.
            num_decay_steps: usize, AtLeast(0.0), example = 200;
        }
        optional {
            /// Total steps; the stable phase is what warm-up and decay leave (or give
            /// `num_stable_steps`).
            num_training_steps: Option<usize> = None, AtLeast(0.0),
                also ">= num_warmup_steps + num_decay_steps", example = 1000;
            /// Steps of the stable phase (used when both it and `num_training_steps` are given).
            num_stable_steps: Option<usize> = None, AtLeast(0.0);
            /// The shape of the warm-up.
            warmup_type: WsdShape = WsdShape::Linear, OneOf(&["linear", "cosine", "1-sqrt"]);
            /// The shape of the decay.
            decay_type: WsdShape = WsdShape::Cosine, OneOf(&["linear", "cosine", "1-sqrt"]);
            /// The lowest lr, as a fraction of the initial lr.
            min_lr_ratio: f64 = 0.0, Closed(0.0, 1.0);
            /// Number of cosine waves in a cosine decay (0.5: one half-cosine).
            num_cycles: f64 = 0.5, Any;
        }
    }
}

/// The shape of [`WsdSchedule`]'s warm-up or decay (transformers' `warmup_type`,
/// `decay_type`), over the phase's progress $p \in [0, 1)$.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WsdShape {
    /// Warm-up $p$; decay $1 - p$.
    #[default]
    Linear,
    /// Warm-up $\tfrac12(1 - \cos \pi p)$; decay $\tfrac12(1 + \cos(2\pi c\,p))$.
    Cosine,
    /// Warm-up $1 - \sqrt{1 - p}$; decay $1 - \sqrt p$.
    #[serde(rename = "1-sqrt")]
    OneMinusSqrt,
}
plain_values!(numbers: ; others: WsdShape);

/// Warmup-stable-decay (transformers' `get_wsd_schedule`, a `LambdaLR`): with $W$, $S$, $D$ the
/// warm-up, stable and decay steps ($S$ = `num_stable_steps`, or `num_training_steps` −
/// $W$ − $D$), $r$ = `min_lr_ratio` and the shapes $w$, $d$ of [`WsdShape`],
///
/// $$\eta_t = \eta_0 \cdot \begin{cases}
/// \max(0, r + (1 - r)\,w(t / \max(1, W))) & t < W \\ 1 & t < W + S \\
/// \max(0, r + (1 - r)\,d((t - W - S) / \max(1, D))) & t < W + S + D \\ r & \text{after}
/// \end{cases}$$
pub type WsdSchedule = Multiplied<WsdScheduleConfig>;
pytorch_scheduler!(WsdScheduleConfig => WsdSchedule, multiplier);

impl WsdScheduleConfig {
    /// The stable steps: `num_stable_steps`, else what the others leave of `num_training_steps`.
    fn stable_steps(&self) -> i64 {
        match (self.num_stable_steps, self.num_training_steps) {
            (Some(s), _) => int(s),
            (None, Some(n)) => {
                int(n) - int(self.num_warmup_steps) - int(self.num_decay_steps)
            }
            (None, None) => 0,
        }
    }
}

impl Multiplier for WsdScheduleConfig {
    fn rules(&self) -> Result<()> {
        if self.num_training_steps.is_none() && self.num_stable_steps.is_none() {
            return Err(Error::param(
                "num_training_steps",
                "none",
                "give num_training_steps or num_stable_steps",
            ));
        }
        if self.stable_steps() < 0 {
            return Err(Error::param(
                "num_training_steps",
                self.num_training_steps.unwrap_or(0),
                &format!(
                    "must be >= num_warmup_steps + num_decay_steps ({})",
                    self.num_warmup_steps.saturating_add(self.num_decay_steps)
                ),
            ));
        }
        Ok(())
    }
    fn multiplier(&self, t: i64, _optimizer_lr: f64) -> f64 {
        let (w, d, s) = (
            int(self.num_warmup_steps),
            int(self.num_decay_steps),
            self.stable_steps(),
        );
        let r = self.min_lr_ratio;
        if t < w {
            let p = t as f64 / w.max(1) as f64;
            let f = match self.warmup_type {
                WsdShape::Linear => p,
                WsdShape::Cosine => 0.5 * (1.0 - (PI * p).cos()),
                WsdShape::OneMinusSqrt => 1.0 - (1.0 - p).sqrt(),
            };
            return at_least_zero(f * (1.0 - r) + r);
        }
        if t < w + s {
            return 1.0;
        }
        if t < w + s + d {
            let p = (t - w - s) as f64 / d.max(1) as f64;
            let f = match self.decay_type {
                WsdShape::Linear => 1.0 - p,
                WsdShape::Cosine => 0.5 * (1.0 + (PI * self.num_cycles * 2.0 * p).cos()),
                WsdShape::OneMinusSqrt => 1.0 - p.sqrt(),
            };
            return at_least_zero(f * (1.0 - r) + r);
        }
        r
    }
}
