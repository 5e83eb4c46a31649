//! `cosine_with_hard_restarts_schedule_with_warmup`: Hugging Face transformers'
//! `get_cosine_with_hard_restarts_schedule_with_warmup`.

use std::f64::consts::PI;

use super::multiplier::{at_least_zero, progress, with_warmup, Multiplied, Multiplier};
use super::params::{pytorch_scheduler, schedule_config};

schedule_config! {
    /// `cosine_with_hard_restarts_schedule_with_warmup`: the parameters of
    /// [`CosineWithHardRestartsScheduleWithWarmup`].
    CosineWithHardRestartsScheduleWithWarmupConfig {
        required {
            /// Steps of the linear warm-up from 0 to the initial lr.
            num_warmup_steps: usize, AtLeast(0.0), example = 100;
            /// Total steps: the lr is 0 from there on.
            num_training_steps: usize, AtLeast(0.0), example = 1000;
        }
        optional {
            /// Number of half-cosines from the initial lr to 0 (hard restarts between them).
            num_cycles: usize = 1, AtLeast(0.0), example = 3;
        }
    }
}

/// Linear warm-up from 0 to the initial lr, then `num_cycles` half-cosines down to 0, each
/// restarting at the initial lr (transformers'
/// `get_cosine_with_hard_restarts_schedule_with_warmup`, a `LambdaLR`): with $W$ =
/// `num_warmup_steps`, $N$ = `num_training_steps`, $c$ = `num_cycles` and
/// $p = (t - W) / \max(1, N - W)$,
///
/// $$\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\
/// \tfrac12\bigl(1 + \cos(\pi\,((c\,p) \bmod 1))\bigr) & t \ge W,\ p < 1 \\
/// 0 & p \ge 1 \end{cases}$$
pub type CosineWithHardRestartsScheduleWithWarmup =
    Multiplied<CosineWithHardRestartsScheduleWithWarmupConfig>;
pytorch_scheduler!(
    CosineWithHardRestartsScheduleWithWarmupConfig => CosineWithHardRestartsScheduleWithWarmup,
    multiplier
);

impl Multiplier for CosineWithHardRestartsScheduleWithWarmupConfig {
    fn multiplier(&self, t: i64, _optimizer_lr: f64) -> f64 {
        with_warmup(t, self.num_warmup_steps, self.num_training_steps, |w, n| {
            let p = progress(t, w, n);
            if p >= 1.0 {
                return 0.0;
            }
            let phase = (self.num_cycles as f64 * p) % 1.0;
            at_least_zero(0.5 * (1.0 + (PI * phase).cos()))
        })
    }
}
