//! `multiplicative_lr`: PyTorch's `MultiplicativeLR`, the lambda written as a formula in
//! `epoch`.

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, GroupArg, Scheduler};
use super::lambda_lr::{Lambda, CLOSURE};

schedule_config! {
    /// `multiplicative_lr`: the parameters of [`MultiplicativeLr`].
    MultiplicativeLrConfig {
        required {
            /// The factor λ(epoch), a formula in `epoch`, or a list with one per parameter group (`"0.95"`, `"1 - 0.01 * epoch"`).
            lr_lambda: GroupArg<String>, Formula("epoch"), example = "0.995";
        }
        optional {}
    }
}
pytorch_scheduler!(MultiplicativeLrConfig => MultiplicativeLr, lambda);

/// Multiplies the lr by a factor of the epoch at every step
/// (`torch.optim.lr_scheduler.MultiplicativeLR`).
///
/// $$\eta_0 = \eta, \qquad \eta_t = \eta_{t-1}\,\lambda(t) \quad (t > 0)$$
///
/// with $\lambda$ the formula `lr_lambda` in the variable `epoch` ($t$). Chainable: it acts on
/// the lr the previous scheduler left; no closed form (inside `sequential_lr` a jump to epoch 0
/// multiplies by $\lambda(0)$, as in PyTorch).
#[derive(Debug, Clone)]
pub struct MultiplicativeLr {
    c: MultiplicativeLrConfig,
    lambda: Lambda,
    e: Epochs,
}

impl MultiplicativeLr {
    /// `MultiplicativeLR(optimizer, lr_lambda)` with a closure of the epoch (its config shows
    /// `lr_lambda = "<closure>"`).
    pub fn from_fn(lr_lambda: impl Fn(usize) -> f64 + Send + Sync + 'static) -> Self {
        MultiplicativeLr {
            c: MultiplicativeLrConfig::new(CLOSURE.into()),
            lambda: Lambda::Closure(std::sync::Arc::new(lr_lambda)),
            e: Epochs::default(),
        }
    }
}

impl Scheduler for MultiplicativeLr {
    scheduler_boilerplate!();
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        if self.e.is_initial {
            g.lr
        } else {
            g.lr * self.lambda.at(self.e.last_epoch)
        }
    }
}
