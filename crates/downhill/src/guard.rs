//! The divergence rule, shared by [`crate::run`] and the training loop (its divergence guard
//! and loss log, in `train::callbacks`).
//!
//! A value $f$ after step $k$ (1-based) counts as diverged when it is not finite, or when a
//! threshold $\tau$ is set and
//!
//! $$ f > \tau \cdot \max(|f_0|, 1), $$
//!
//! where $f_0$ is the reference (the value at the start). The run then ends as diverged at
//! step $k$ and keeps the last finite parameters, those from before step $k$ ([`LastFinite`]).

use serde::Deserialize;

use crate::data::pages;
use crate::{Error, Float, Result};

/// Reads a divergence threshold: a number, or `false` (off). Shared by `[train]` and `[run]`.
pub fn divergence_threshold<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Threshold {
        Switch(bool),
        Factor(f64),
    }
    match Option::<Threshold>::deserialize(d)? {
        None | Some(Threshold::Switch(false)) => Ok(None),
        Some(Threshold::Switch(true)) => Err(serde::de::Error::custom(
            "divergence_threshold: give a factor (a number >= 1) or `false` to switch it off",
        )),
        Some(Threshold::Factor(v)) => Ok(Some(v)),
    }
}

/// Checks a divergence threshold (a factor `>= 1`; `inf` means off), naming `key`.
pub fn check_divergence_threshold(key: &str, t: Option<f64>) -> Result<()> {
    match t {
        Some(v) if v.is_nan() || v < 1.0 => Err(Error::param(
            key,
            v,
            "must be a factor >= 1 (or `false` to switch the check off)",
        )),
        _ => Ok(()),
    }
}

/// The value above which a loss counts as diverged: `threshold · max(|reference|, 1)`
/// (`None`, or a non-finite reference, means no limit).
pub fn divergence_limit(threshold: Option<f64>, reference: f64) -> Option<f64> {
    let t = threshold?;
    reference.is_finite().then(|| t * reference.abs().max(1.0))
}

/// The rule with its reference fixed: which values are allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limit(Option<f64>);

impl Limit {
    /// The limit `threshold · max(|reference|, 1)` ([`divergence_limit`]); `threshold = None`
    /// or a non-finite reference: only non-finite values are refused.
    pub fn new(threshold: Option<f64>, reference: f64) -> Limit {
        Limit(divergence_limit(threshold, reference))
    }
    /// The largest allowed value, if there is one.
    pub fn value(&self) -> Option<f64> {
        self.0
    }
    /// Whether `f` is finite and not above the limit.
    #[inline]
    pub fn allows(&self, f: f64) -> bool {
        f.is_finite() && self.0.is_none_or(|m| f <= m)
    }
}

/// The last parameters that passed the check. After each step, [`LastFinite::accept`] copies
/// the step's result into a spare buffer while it checks it (one pass) and swaps the two when
/// it is finite; otherwise it puts the last finite parameters back. Both buffers are
/// allocated once (huge pages for large vectors, as the parameters).
#[derive(Debug)]
pub struct LastFinite<T> {
    prev: Vec<T>,
    spare: Vec<T>,
}

impl<T> Default for LastFinite<T> {
    /// Empty buffers (for a guard that is started later).
    fn default() -> Self {
        LastFinite {
            prev: Vec::new(),
            spare: Vec::new(),
        }
    }
}

impl<T: Float> LastFinite<T> {
    /// Starts from `params`.
    pub fn new(params: &[T]) -> Self {
        LastFinite {
            prev: pages::copied(params),
            spare: pages::copied(params),
        }
    }

    /// After a step: when `value_ok` (the step's value passed, see [`Limit::allows`]) and
    /// every element of `params` is finite, `params` become the last finite parameters and
    /// the result is `true`; otherwise `params` are overwritten with the last finite ones and
    /// the result is `false` (the run has diverged).
    #[inline]
    pub fn accept(&mut self, params: &mut [T], value_ok: bool) -> bool {
        if value_ok && crate::kernels::copy_if_finite(params, &mut self.spare) {
            std::mem::swap(&mut self.prev, &mut self.spare);
            true
        } else {
            params.copy_from_slice(&self.prev);
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_scales_with_the_reference_but_not_below_one() {
        assert_eq!(Limit::new(Some(10.0), 4.0).value(), Some(40.0));
        assert_eq!(Limit::new(Some(10.0), -0.5).value(), Some(10.0));
        assert_eq!(Limit::new(Some(10.0), f64::NAN).value(), None);
        assert_eq!(Limit::new(None, 4.0).value(), None);
        let l = Limit::new(Some(10.0), 4.0);
        assert!(l.allows(40.0) && !l.allows(40.000001));
        assert!(!l.allows(f64::NAN) && !Limit::default().allows(f64::INFINITY));
        assert!(Limit::default().allows(1e300));
    }

    #[test]
    fn a_rejected_step_puts_the_last_finite_parameters_back() {
        let mut last = LastFinite::new(&[1.0f64, 2.0]);
        let mut x = [3.0, 4.0];
        assert!(last.accept(&mut x, true));
        x = [5.0, f64::NAN];
        assert!(!last.accept(&mut x, true));
        assert_eq!(x, [3.0, 4.0]);
        x = [6.0, 7.0];
        assert!(!last.accept(&mut x, false));
        assert_eq!(x, [3.0, 4.0]);
    }

    #[test]
    fn thresholds_below_one_are_refused_naming_the_key() {
        assert!(check_divergence_threshold("k", Some(1.0)).is_ok());
        assert!(check_divergence_threshold("k", None).is_ok());
        let e = check_divergence_threshold("k", Some(0.5)).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "k"));
    }
}
