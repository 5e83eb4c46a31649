//! `cosine_schedule_with_warmup`: Hugging Face transformers' `get_cosine_schedule_with_warmup`.

use std::f64::consts::PI;

use super::multiplier::{at_least_zero, progress, with_warmup, Multiplied, Multiplier};
use super::params::{pytorch_scheduler, schedule_config};

schedule_config! {
    /// `cosine_schedule_with_warmup`: the parameters of [`CosineScheduleWithWarmup`].
    CosineScheduleWithWarmupConfig {
        required {
            /// Steps of the linear warm-up from 0 to the initial lr.
            num_warmup_steps: usize, AtLeast(0.0), example = 100;
            /// Total steps.
            num_training_steps: usize, AtLeast(0.0), example = 1000;
        }
        optional {
            /// Number of cosine waves after the warm-up (0.5: one half-cosine down to 0).
            num_cycles: f64 = 0.5, Any;
        }
    }
}

/// Linear warm-up from 0 to the initial lr, then a cosine (transformers'
/// `get_cosine_schedule_with_warmup`, a `LambdaLR`): with $W$ = `num_warmup_steps`, $N$ =
/// `num_training_steps`, $c$ = `num_cycles` and $p = (t - W) / \max(1, N - W)$,
///
/// $$\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\
/// \max\bigl(0, \tfrac12(1 + \cos(2\pi c\,p))\bigr) & t \ge W \end{cases}$$
pub type CosineScheduleWithWarmup = Multiplied<CosineScheduleWithWarmupConfig>;
pytorch_scheduler!(CosineScheduleWithWarmupConfig => CosineScheduleWithWarmup, multiplier);

impl Multiplier for CosineScheduleWithWarmupConfig {
    fn multiplier(&self, t: i64, _optimizer_lr: f64) -> f64 {
        with_warmup(t, self.num_warmup_steps, self.num_training_steps, |w, n| {
            let p = progress(t, w, n);
            at_least_zero(0.5 * (1.0 + (PI * self.num_cycles * 2.0 * p).cos()))
        })
    }
}
