//! `lambda_lr`: PyTorch's `LambdaLR`, the lambda written as a formula in `epoch`.

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, Scheduler};
use crate::expr::Expr;
use crate::{Error, Result};

schedule_config! {
    /// `lambda_lr`: the parameters of [`LambdaLr`].
    LambdaLrConfig {
        required {
            /// The factor λ(epoch), a formula in `epoch` (`"0.95^epoch"`, `"1 / (1 + epoch)"`).
            lr_lambda: String, "a formula in `epoch`", example = "0.995^epoch";
        }
        optional {}
    }
}
pytorch_scheduler!(LambdaLrConfig => LambdaLr, lambda);

/// Parses `lr_lambda` with the crate's expression engine ([`Expr`]), in the one variable
/// `epoch`; a syntax error or another name is refused, naming `lr_lambda` and the column.
pub(crate) fn parse_lambda(src: &str) -> Result<Expr> {
    Expr::parse(src, &["epoch"]).map_err(|e| {
        Error::param(
            "lr_lambda",
            src,
            &format!("a formula in `epoch`; column {}: {}", e.column, e.message),
        )
    })
}

/// Sets the lr to the initial lr times a factor of the epoch
/// (`torch.optim.lr_scheduler.LambdaLR`).
///
/// $$\eta_t = \eta_0\,\lambda(t)$$
///
/// with $\lambda$ the formula `lr_lambda` in the variable `epoch` ($t$). PyTorch has no closed
/// form for it: inside `sequential_lr` it restarts at $\eta_0\,\lambda(0)$.
#[derive(Debug, Clone)]
pub struct LambdaLr {
    c: LambdaLrConfig,
    lambda: Expr,
    e: Epochs,
}

impl Scheduler for LambdaLr {
    scheduler_boilerplate!();
    fn get_lr(&mut self, _g: &mut Group) -> f64 {
        self.e.base_lr * self.lambda.value(&[self.e.last_epoch as f64])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{IntoSchedule, Schedule};

    #[test]
    fn scales_the_initial_lr() {
        let mut s = LambdaLrConfig::new("1 / (1 + epoch)".into())
            .build()
            .unwrap()
            .schedule(0.5, None)
            .unwrap();
        assert_eq!([s.lr(0), s.lr(1), s.lr(3)], [0.5, 0.25, 0.125]);
    }

    #[test]
    fn a_bad_formula_names_lr_lambda_and_the_column() {
        for (src, col) in [("0.95^", "column 6"), ("0.95^step", "column 6")] {
            let e = LambdaLrConfig::new(src.into()).build().unwrap_err();
            let Error::InvalidParameter { key, allowed, .. } = &e else {
                panic!("{e}");
            };
            assert_eq!(key, "lr_lambda");
            assert!(allowed.contains(col), "{src}: {e}");
        }
    }
}
