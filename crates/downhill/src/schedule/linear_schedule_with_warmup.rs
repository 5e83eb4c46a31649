//! `linear_schedule_with_warmup`: Hugging Face transformers' `get_linear_schedule_with_warmup`.

use super::multiplier::{at_least_zero, with_warmup, Multiplied, Multiplier};
use super::params::{pytorch_scheduler, schedule_config};

schedule_config! {
    /// `linear_schedule_with_warmup`: the parameters of [`LinearScheduleWithWarmup`].
    LinearScheduleWithWarmupConfig {
        required {
            /// Steps of the linear warm-up from 0 to the initial lr.
            num_warmup_steps: usize, AtLeast(0.0), example = 100;
            /// Total steps: the lr reaches 0 there.
            num_training_steps: usize, AtLeast(0.0), example = 1000;
        }
        optional {}
    }
}

/// Linear warm-up from 0 to the initial lr, then linear decay to 0 at `num_training_steps`
/// (transformers' `get_linear_schedule_with_warmup`, a `LambdaLR`): with $W$ =
/// `num_warmup_steps`, $N$ = `num_training_steps`,
///
/// $$\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\
/// \max\bigl(0, (N - t) / \max(1, N - W)\bigr) & t \ge W \end{cases}$$
pub type LinearScheduleWithWarmup = Multiplied<LinearScheduleWithWarmupConfig>;
pytorch_scheduler!(LinearScheduleWithWarmupConfig => LinearScheduleWithWarmup, multiplier);

impl Multiplier for LinearScheduleWithWarmupConfig {
    fn multiplier(&self, t: i64, _optimizer_lr: f64) -> f64 {
        with_warmup(t, self.num_warmup_steps, self.num_training_steps, |w, n| {
            at_least_zero((n - t) as f64 / (n - w).max(1) as f64)
        })
    }
}
