//! Gradient checker: compares an objective's gradient with the central-difference one.

use super::numeric::{numerical_gradient, Difference};
use crate::{Float, Objective};

/// Result of [`check_gradient`].
#[derive(Debug, Clone, PartialEq)]
pub struct GradientCheck {
    /// `max_i |gᵢ − ĝᵢ| / max(|gᵢ|, |ĝᵢ|, floor)`.
    pub max_rel_error: f64,
    /// Coordinate where the maximum is reached.
    pub worst_index: usize,
    /// The objective's gradient.
    pub analytic: Vec<f64>,
    /// The numerical gradient.
    pub numeric: Vec<f64>,
}

/// Compares `obj.gradient(x)` with central differences of step `h`.
///
/// The relative error uses a floor of `1e-8` in the denominator so that coordinates whose
/// true derivative is 0 are compared absolutely.
pub fn check_gradient<T: Float, O: Objective<T> + ?Sized>(
    obj: &O,
    x: &[T],
    h: f64,
) -> GradientCheck {
    let mut g = vec![T::zero(); x.len()];
    obj.gradient(x, &mut g);
    let mut xn = x.to_vec();
    let mut gn = vec![T::zero(); x.len()];
    numerical_gradient(|p| obj.value(p), &mut xn, &mut gn, h, Difference::Central);
    let mut worst = (0.0f64, 0usize);
    for i in 0..x.len() {
        let (a, b) = (g[i].f64(), gn[i].f64());
        let denom = a.abs().max(b.abs()).max(1e-8);
        let e = (a - b).abs() / denom;
        if e > worst.0 || e.is_nan() {
            worst = (e, i);
        }
    }
    GradientCheck {
        max_rel_error: worst.0,
        worst_index: worst.1,
        analytic: g.iter().map(|v| v.f64()).collect(),
        numeric: gn.iter().map(|v| v.f64()).collect(),
    }
}
