//! What a schedule parameter accepts, typed: its `schedule_config!` line declares a [`Valid`]
//! once; [`Check`] checks a value against it when the schedule is built (naming the key), and
//! its words are the catalogue's `range`. Checks between parameters stay in each schedule's
//! `validate`.

use std::fmt;

use crate::hyper::Range;
use crate::{Error, Result};

/// The values a schedule parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Valid {
    /// A number in this range: a real (always finite), an integer, and each number of an
    /// `Option`, a per-group list or a list. `In(Any)` on a real is "finite".
    In(Range),
    /// A number in both ranges (`Both(Above(0.0), AtMost(1.0))` is `(0, 1]`).
    Both(Range, Range),
    /// A list of steps, strictly increasing.
    Increasing,
    /// A list with at least one element.
    NonEmpty,
    /// One of these names (an enum's serde names, which serde alone accepts; a registry test
    /// reads each back).
    OneOf(&'static [&'static str]),
    /// A formula in the named variable, parsed (naming the key and column) when built.
    Formula(&'static str),
}

/// `true | false`.
pub const EITHER: Valid = Valid::OneOf(&["true", "false"]);

impl From<Range> for Valid {
    fn from(r: Range) -> Self {
        Valid::In(r)
    }
}

impl Valid {
    /// Whether the number `x` is valid (finite, and in the range(s)).
    pub fn admits(&self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Valid::In(r) => r.admits(x),
                Valid::Both(a, b) => a.admits(x) && b.admits(x),
                _ => true,
            }
    }

    /// What an invalid number is told: `must be >= 1`, `must be in [0, 1]`, `must be finite
    /// and > 0`.
    fn rule(&self, x: f64) -> String {
        let words = self.to_string();
        let set = if words.starts_with(['[', '(']) {
            format!("in {words}")
        } else {
            words
        };
        match (x.is_finite(), self) {
            (_, Valid::In(Range::Any)) => "must be finite".into(),
            (false, _) => format!("must be finite and {set}"),
            (true, _) => format!("must be {set}"),
        }
    }

    /// Checks the number `x` (shown as `shown`) for the parameter `key`.
    pub fn check_number(&self, key: &str, x: f64, shown: impl fmt::Display) -> Result<()> {
        if self.admits(x) {
            Ok(())
        } else {
            Err(Error::param(key, shown, &self.rule(x)))
        }
    }
}

/// The words of the catalogue: `>= 1`, `[0, 1]`, `(0, 1]`, `finite`, `strictly increasing`,
/// `min | max`, ``a formula in `epoch` ``.
impl fmt::Display for Valid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Valid::In(Range::Any) => f.write_str("finite"),
            Valid::In(r) => r.fmt(f),
            Valid::Both(Range::Above(lo), Range::AtMost(hi)) => write!(f, "({lo}, {hi}]"),
            Valid::Both(a, b) => write!(f, "{a} and {b}"),
            Valid::Increasing => f.write_str("strictly increasing"),
            Valid::NonEmpty => f.write_str("at least one"),
            Valid::OneOf(names) => f.write_str(&names.join(" | ")),
            Valid::Formula(var) => write!(f, "a formula in `{var}`"),
        }
    }
}

/// A parameter's value checked against its [`Valid`]: numbers (and options, per-group lists
/// and lists of them) against the range, lists of steps for order, lists for length. The
/// other types (flags, names, formulas) are checked by serde or when they are parsed.
pub trait Check {
    /// Checks `self`, the value of parameter `key`.
    fn check(&self, _key: &str, _valid: &Valid) -> Result<()> {
        Ok(())
    }
    /// The catalogue's words for `valid` on this type.
    fn words(valid: &Valid) -> String {
        valid.to_string()
    }
}

impl Check for f64 {
    fn check(&self, key: &str, valid: &Valid) -> Result<()> {
        valid.check_number(key, *self, self)
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl Check for $t {
            fn check(&self, key: &str, valid: &Valid) -> Result<()> {
                valid.check_number(key, *self as f64, self)
            }
        }
    )*};
}
integers!(usize, i64);

impl<T: Check> Check for Option<T> {
    fn check(&self, key: &str, valid: &Valid) -> Result<()> {
        self.as_ref().map_or(Ok(()), |v| v.check(key, valid))
    }
    fn words(valid: &Valid) -> String {
        T::words(valid)
    }
}

impl<T: Check> Check for super::GroupArg<T> {
    fn check(&self, key: &str, valid: &Valid) -> Result<()> {
        match self {
            super::GroupArg::One(v) => v.check(key, valid),
            super::GroupArg::Each(vs) => vs.iter().try_for_each(|v| v.check(key, valid)),
        }
    }
    fn words(valid: &Valid) -> String {
        format!("{}; one or one per group", T::words(valid))
    }
}

impl Check for Vec<usize> {
    fn check(&self, key: &str, valid: &Valid) -> Result<()> {
        match valid {
            Valid::Increasing => increasing(key, self),
            Valid::NonEmpty => non_empty(key, self),
            v => self.iter().try_for_each(|x| x.check(key, v)),
        }
    }
}

impl Check for Vec<super::ScheduleConfig> {
    fn check(&self, key: &str, valid: &Valid) -> Result<()> {
        match valid {
            Valid::NonEmpty => non_empty(key, self),
            _ => Ok(()),
        }
    }
}

/// Errors unless `xs` has an element.
fn non_empty<T>(key: &str, xs: &[T]) -> Result<()> {
    if xs.is_empty() {
        return Err(Error::param(key, "[]", "needs at least one"));
    }
    Ok(())
}

/// Errors unless `steps` is strictly increasing.
///
/// PyTorch's `MultiStepLR` keeps a `Counter` and so accepts a repeated milestone, applying
/// `gamma` once per repetition (`[2, 2]` multiplies by γ² at step 2); it also accepts any
/// order. Downhill refuses both (the hardening issue asks it): a repeated or out-of-order
/// milestone is almost surely a typo, and `gamma = γ²` says the same thing explicitly.
pub(crate) fn increasing(key: &str, steps: &[usize]) -> Result<()> {
    if let Some(w) = steps.windows(2).find(|w| w[1] <= w[0]) {
        return Err(Error::param(
            key,
            format!("{steps:?}"),
            &format!("must be strictly increasing ({} after {})", w[1], w[0]),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hyper::Range::*;

    #[test]
    fn words_and_messages_come_from_the_range() {
        assert_eq!(Valid::In(AtLeast(1.0)).to_string(), ">= 1");
        assert_eq!(Valid::Both(Above(0.0), AtMost(1.0)).to_string(), "(0, 1]");
        assert_eq!(Valid::In(Open(f64::NEG_INFINITY, 1.0)).to_string(), "< 1");
        assert_eq!(
            <super::super::GroupArg<f64>>::words(&Any.into()),
            "finite; one or one per group"
        );
        let e = 0usize.check("t_max", &AtLeast(1.0).into()).unwrap_err();
        assert_eq!(
            e.to_string(),
            Error::param("t_max", 0, "must be >= 1").to_string()
        );
        let e = 1.5.check("factor", &Closed(0.0, 1.0).into()).unwrap_err();
        assert!(e.to_string().contains("must be in [0, 1]"), "{e}");
        let e = f64::INFINITY.check("x", &AtLeast(0.0).into()).unwrap_err();
        assert!(e.to_string().contains("must be finite and >= 0"), "{e}");
        assert!(f64::NAN.check("gamma", &Any.into()).is_err());
        assert!(Some(0usize).check("k", &AtLeast(1.0).into()).is_err());
        assert!(None::<usize>.check("k", &AtLeast(1.0).into()).is_ok());
        assert!(vec![2usize, 2]
            .check("milestones", &Valid::Increasing)
            .is_err());
    }
}
