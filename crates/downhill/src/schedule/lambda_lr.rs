//! `lambda_lr`: PyTorch's `LambdaLR`, the lambda written as a formula in `epoch`.

use super::params::{pytorch_scheduler, schedule_config};
use super::{scheduler_boilerplate, Epochs, Group, GroupArg, Scheduler};
use std::sync::Arc;

use crate::expr::Expr;
use crate::{Error, Result};

schedule_config! {
    /// `lambda_lr`: the parameters of [`LambdaLr`].
    LambdaLrConfig {
        required {
            /// The factor λ(epoch), a formula in `epoch`, or a list with one per parameter group (`"0.95^epoch"`, `"1 / (1 + epoch)"`).
            lr_lambda: GroupArg<String>, Formula("epoch"), example = "0.995^epoch";
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

/// The factor λ of [`LambdaLr`] and [`super::multiplicative_lr::MultiplicativeLr`]: a formula
/// in `epoch` (from a config), or, in the library, a closure of the epoch (PyTorch's
/// `lr_lambda` callable).
#[derive(Clone)]
pub enum Lambda {
    /// A formula in `epoch`.
    Formula(Expr),
    /// A closure `epoch ↦ λ(epoch)`.
    Closure(Arc<dyn Fn(usize) -> f64 + Send + Sync>),
}

impl std::fmt::Debug for Lambda {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lambda::Formula(e) => e.fmt(f),
            Lambda::Closure(_) => f.write_str("<closure>"),
        }
    }
}

impl Lambda {
    /// λ(epoch) (the scheduler's `last_epoch`, ≥ 0 whenever a scheduler asks).
    pub fn at(&self, epoch: i64) -> f64 {
        match self {
            Lambda::Formula(e) => e.value(&[epoch as f64]),
            Lambda::Closure(f) => f(usize::try_from(epoch).unwrap_or(0)),
        }
    }
}

/// What a config built from a closure shows as its `lr_lambda`.
pub(crate) const CLOSURE: &str = "<closure>";

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
    lambda: Lambda,
    e: Epochs,
}

impl LambdaLr {
    /// `LambdaLR(optimizer, lr_lambda)` with a closure of the epoch (its config shows
    /// `lr_lambda = "<closure>"`).
    pub fn from_fn(lr_lambda: impl Fn(usize) -> f64 + Send + Sync + 'static) -> Self {
        LambdaLr {
            c: LambdaLrConfig::new(CLOSURE.into()),
            lambda: Lambda::Closure(Arc::new(lr_lambda)),
            e: Epochs::default(),
        }
    }
}

impl Scheduler for LambdaLr {
    scheduler_boilerplate!();
    fn get_lr(&mut self, _g: &mut Group) -> f64 {
        self.e.base_lr * self.lambda.at(self.e.last_epoch)
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

    /// A closure gives the sequence its formula gives.
    #[test]
    fn a_closure_equals_its_formula() {
        let mut by_formula = LambdaLrConfig::new("0.95^epoch".into())
            .build()
            .unwrap()
            .schedule(0.1, None)
            .unwrap();
        let mut by_closure = LambdaLr::from_fn(|e| 0.95f64.powf(e as f64))
            .schedule(0.1, None)
            .unwrap();
        for k in 0..30 {
            let (a, b) = (by_formula.lr(k), by_closure.lr(k));
            assert!((a - b).abs() <= 1e-14 * a, "{k}: {a} vs {b}");
        }
    }

    #[test]
    fn multiplicative_takes_a_closure_too() {
        let m = crate::schedule::multiplicative_lr::MultiplicativeLr::from_fn(|_| 0.5);
        let mut s = m.schedule(0.1, None).unwrap();
        assert_eq!([s.lr(0), s.lr(1), s.lr(2)], [0.1, 0.05, 0.025]);
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
