//! `inverse_sqrt_schedule`: Hugging Face transformers' `get_inverse_sqrt_schedule`.

use super::multiplier::{int, warmup, Multiplied, Multiplier};
use super::params::{pytorch_scheduler, schedule_config};

schedule_config! {
    /// `inverse_sqrt_schedule`: the parameters of [`InverseSqrtSchedule`].
    InverseSqrtScheduleConfig {
        required {
            /// Steps of the linear warm-up from 0 to the initial lr.
            num_warmup_steps: usize, AtLeast(0.0), example = 100;
        }
        optional {
            /// Time scale of the decay (absent: `num_warmup_steps`, or 10 000 without warm-up).
            timescale: Option<usize> = None, AtLeast(1.0);
        }
    }
}

/// Linear warm-up from 0 to the initial lr, then inverse square-root decay (transformers'
/// `get_inverse_sqrt_schedule`, a `LambdaLR`, after big_vision): with $W$ =
/// `num_warmup_steps` and $\tau$ = `timescale` (default $W$, or 10 000 when $W = 0$),
///
/// $$\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\
/// 1 / \sqrt{(t + \tau - W) / \tau} & t \ge W \end{cases}$$
pub type InverseSqrtSchedule = Multiplied<InverseSqrtScheduleConfig>;
pytorch_scheduler!(InverseSqrtScheduleConfig => InverseSqrtSchedule, multiplier);

impl Multiplier for InverseSqrtScheduleConfig {
    fn multiplier(&self, t: i64, _optimizer_lr: f64) -> f64 {
        let w = int(self.num_warmup_steps);
        let timescale = match self.timescale {
            Some(s) => int(s),
            None if w == 0 => 10_000,
            None => w,
        };
        if t < w {
            return warmup(t, w);
        }
        let shift = timescale - w;
        1.0 / ((t + shift) as f64 / timescale as f64).sqrt()
    }
}
