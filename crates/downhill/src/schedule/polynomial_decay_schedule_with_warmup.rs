//! `polynomial_decay_schedule_with_warmup`: Hugging Face transformers'
//! `get_polynomial_decay_schedule_with_warmup`.

use super::multiplier::{with_warmup, Multiplied, Multiplier};
use super::params::{pytorch_scheduler, schedule_config};
use crate::{Error, Result};

schedule_config! {
    /// `polynomial_decay_schedule_with_warmup`: the parameters of
    /// [`PolynomialDecayScheduleWithWarmup`].
    PolynomialDecayScheduleWithWarmupConfig {
        required {
            /// Steps of the linear warm-up from 0 to the initial lr.
            num_warmup_steps: usize, AtLeast(0.0), example = 100;
            /// Total steps: the lr reaches `lr_end` there.
            num_training_steps: usize, AtLeast(0.0), also "not num_warmup_steps", example = 1000;
        }
        optional {
            /// The final lr (absolute, not a factor).
            lr_end: f64 = 1e-7, AtLeast(0.0), also "< the optimizer's lr";
            /// Power of the polynomial.
            power: f64 = 1.0, AtLeast(0.0), example = 2.0;
        }
    }
}

/// Linear warm-up from 0 to the initial lr, then polynomial decay to `lr_end`
/// (transformers' `get_polynomial_decay_schedule_with_warmup`, a `LambdaLR`): with $W$ =
/// `num_warmup_steps`, $N$ = `num_training_steps`, $p$ = `power` and $\eta_i$ the optimizer's
/// own lr (`optimizer.defaults["lr"]`, the top-level `[optimizer] lr`),
///
/// $$\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\
/// \bigl((\eta_i - \eta_{end})(1 - \tfrac{t - W}{N - W})^p + \eta_{end}\bigr) / \eta_i
///   & W \le t \le N \\ \eta_{end} / \eta_i & t > N \end{cases}$$
///
/// so with one parameter group ($\eta_0 = \eta_i$) the lr decays to `lr_end`. As in
/// transformers, `lr_end` must be below the optimizer's lr. `num_training_steps =
/// num_warmup_steps` is refused (transformers divides by zero at that step).
pub type PolynomialDecayScheduleWithWarmup = Multiplied<PolynomialDecayScheduleWithWarmupConfig>;
pytorch_scheduler!(
    PolynomialDecayScheduleWithWarmupConfig => PolynomialDecayScheduleWithWarmup,
    multiplier
);

impl Multiplier for PolynomialDecayScheduleWithWarmupConfig {
    fn rules(&self) -> Result<()> {
        if self.num_training_steps == self.num_warmup_steps {
            return Err(Error::param(
                "num_training_steps",
                self.num_training_steps,
                "must differ from num_warmup_steps (the decay would have no steps; \
                 transformers divides by zero there)",
            ));
        }
        Ok(())
    }
    fn rules_for(&self, optimizer_lr: f64) -> Result<()> {
        if optimizer_lr.is_nan() || optimizer_lr <= self.lr_end {
            return Err(Error::param(
                "lr_end",
                self.lr_end,
                &format!("must be smaller than the optimizer's initial lr ({optimizer_lr})"),
            ));
        }
        Ok(())
    }
    fn multiplier(&self, t: i64, lr_init: f64) -> f64 {
        with_warmup(t, self.num_warmup_steps, self.num_training_steps, |w, n| {
            if t > n {
                return self.lr_end / lr_init;
            }
            let lr_range = lr_init - self.lr_end;
            let pct_remaining = 1.0 - (t - w) as f64 / (n - w) as f64;
            let decay = lr_range * pct_remaining.powf(self.power) + self.lr_end;
            decay / lr_init
        })
    }
}
