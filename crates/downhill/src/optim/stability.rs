//! The largest stable learning rate of a momentum method on a quadratic.
//!
//! On f(x) = ½ L x² (or along the eigenvector of the largest Hessian eigenvalue L of any
//! quadratic: the other directions are stable first), write h = αL. Every method below is a
//! linear recursion on (xₖ, vₖ) whose characteristic polynomial is
//!
//! z² + a₁ z + a₀,   a₀ = β(1 − c·h),   a₁ = −(1 + β − h − cβh),
//!
//! where c is the fraction of the velocity in the point where the gradient is taken
//! (θ + cβv): c = 0 for heavy ball (PyTorch `sgd` with `momentum`, dampening 0, and the
//! `momentum` optimiser's `heavy_ball`), c = 1 for Nesterov (`sgd` with `nesterov = true`,
//! `momentum`'s `nesterov`), c = ½ for `momentum`'s `nesterov_midpoint`. For the heavy ball
//! this is Polyak's xₖ₊₁ = xₖ − h xₖ + β(xₖ − xₖ₋₁): z² − (1 + β − h)z + β.
//!
//! Both roots lie inside the unit circle (Schur–Cohn / Jury) iff |a₀| < 1 and |a₁| < 1 + a₀.
//! The lower side of the second inequality gives h > 0; the upper side, once h is large
//! enough that a₁ > 0, gives h(1 + 2cβ) < 2(1 + β), so the edge is
//!
//! α* = 2(1 + β) / ((1 + 2cβ) L):
//!
//! - heavy ball (c = 0): α* = 2(1 + β)/L, for −1 < β < 1;
//! - Nesterov (c = 1): α* = 2(1 + β)/((1 + 2β)L), for 0 ≤ β < 1;
//! - the midpoint rule (c = ½): α* = 2/L for every 0 ≤ β < 1 (the look-ahead exactly cancels
//!   the range momentum adds);
//! - plain gradient descent (β = 0, any c): α* = 2/L.
//!
//! At α* a root sits at z = −1 (the iterates flip sign with constant amplitude); above it
//! they grow. The condition |a₀| < 1 holds along the whole range for these β.

use serde::Serialize;

use super::momentum::MomentumVariant;
use super::OptimizerConfig;

/// A momentum method whose stable range on a quadratic has a closed form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Gradient at θ: Polyak's heavy ball (β = 0: gradient descent).
    HeavyBall,
    /// Gradient at the look-ahead point θ + βv.
    Nesterov,
    /// Gradient at θ + (β/2)v, the midpoint of the implicit scheme.
    NesterovMidpoint,
}

impl Method {
    /// The method of a `momentum` optimiser variant.
    pub fn of_variant(v: MomentumVariant) -> Self {
        match v {
            MomentumVariant::HeavyBall => Method::HeavyBall,
            MomentumVariant::Nesterov => Method::Nesterov,
            MomentumVariant::NesterovMidpoint => Method::NesterovMidpoint,
        }
    }

    /// The look-ahead fraction c: the gradient is taken at θ + cβv.
    pub fn lookahead(self) -> f64 {
        match self {
            Method::HeavyBall => 0.0,
            Method::Nesterov => 1.0,
            Method::NesterovMidpoint => 0.5,
        }
    }

    /// The edge as a formula in β and L, e.g. `2(1+β)/L`.
    pub fn formula(self) -> &'static str {
        match self {
            Method::HeavyBall => "2(1+β)/L",
            Method::Nesterov => "2(1+β)/((1+2β)L)",
            Method::NesterovMidpoint => "2/L",
        }
    }

    /// A name for people: `heavy ball`, `Nesterov`, `midpoint Nesterov`.
    pub fn label(self) -> &'static str {
        match self {
            Method::HeavyBall => "heavy ball",
            Method::Nesterov => "Nesterov",
            Method::NesterovMidpoint => "midpoint Nesterov",
        }
    }

    /// The β range in which [`edge`]'s formula holds: (−1, 1) for the heavy ball, [0, 1)
    /// with a look-ahead.
    pub fn valid_beta(self, beta: f64) -> bool {
        match self {
            Method::HeavyBall => beta > -1.0 && beta < 1.0,
            _ => (0.0..1.0).contains(&beta),
        }
    }
}

/// The largest stable learning rate α* of `method` with momentum `beta` on a quadratic whose
/// largest Hessian eigenvalue is `l` (see the module docs for the derivation):
///
/// α* = 2(1 + β)/L (heavy ball), 2(1 + β)/((1 + 2β)L) (Nesterov), 2/L (midpoint Nesterov);
/// with β = 0 every one is gradient descent's 2/L.
///
/// NaN when `beta` is outside [`Method::valid_beta`] (for |β| ≥ 1 no learning rate is stable)
/// or `l` is not a positive finite number.
pub fn edge(method: Method, beta: f64, l: f64) -> f64 {
    if !(method.valid_beta(beta) && l > 0.0 && l.is_finite()) {
        return f64::NAN;
    }
    match method {
        Method::HeavyBall => 2.0 * (1.0 + beta) / l,
        Method::Nesterov => 2.0 * (1.0 + beta) / (1.0 + 2.0 * beta) / l,
        Method::NesterovMidpoint => 2.0 / l,
    }
}

/// The method and β of an optimiser config when [`edge`] describes it: `sgd` with
/// dampening 0 (heavy ball, or Nesterov with `nesterov = true`; β = `momentum`, 0 for plain
/// GD) and the `momentum` optimiser (its `variant`, β = `momentum`). `None` for any other
/// optimiser, for `maximize`, and for a weight decay (which shifts the curvature to
/// L + `weight_decay`).
pub fn of_config(cfg: &OptimizerConfig) -> Option<(Method, f64)> {
    match cfg {
        OptimizerConfig::Sgd(c) => {
            let plain = c.dampening == 0.0
                && c.weight_decay == 0.0
                && !c.maximize
                && c.line_search.is_none();
            let method = if c.nesterov {
                Method::Nesterov
            } else {
                Method::HeavyBall
            };
            plain.then_some((method, c.momentum))
        }
        OptimizerConfig::Momentum(c) => {
            (!c.maximize).then_some((Method::of_variant(c.variant), c.momentum))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spectral radius of the (x, v) recursion of `method` at h = αL, from its
    /// characteristic polynomial z² + a₁z + a₀ (complex roots: √a₀).
    fn radius(method: Method, beta: f64, h: f64) -> f64 {
        let c = method.lookahead();
        let a0 = beta * (1.0 - c * h);
        let a1 = -(1.0 + beta - h - c * beta * h);
        let disc = a1 * a1 - 4.0 * a0;
        if disc < 0.0 {
            a0.abs().sqrt()
        } else {
            let s = disc.sqrt();
            ((-a1 + s) / 2.0).abs().max(((-a1 - s) / 2.0).abs())
        }
    }

    /// Iterates the optimiser's own update rule on f = ½Lx² for `steps` steps from x = 1 (or
    /// until |x| passes 10⁶); returns |x|.
    fn iterate(method: Method, beta: f64, lr: f64, l: f64, steps: usize) -> f64 {
        let c = method.lookahead();
        let (mut x, mut v) = (1.0f64, 0.0f64);
        for _ in 0..steps {
            let g = l * (x + c * beta * v);
            v = beta * v - lr * g;
            x += v;
            if x.abs() > 1e6 {
                break; // grown: stop before it overflows
            }
        }
        x.abs()
    }

    #[test]
    fn closed_forms() {
        let l = 4.0;
        assert_eq!(edge(Method::HeavyBall, 0.9, l), 2.0 * 1.9 / 4.0);
        assert_eq!(edge(Method::Nesterov, 0.9, l), 2.0 * 1.9 / 2.8 / 4.0);
        assert_eq!(edge(Method::NesterovMidpoint, 0.9, l), 0.5);
        for m in [
            Method::HeavyBall,
            Method::Nesterov,
            Method::NesterovMidpoint,
        ] {
            assert_eq!(edge(m, 0.0, l), 2.0 / l, "{m:?} at β = 0 is GD");
            assert!(edge(m, 1.0, l).is_nan());
            assert!(edge(m, 0.5, 0.0).is_nan());
        }
        assert_eq!(edge(Method::HeavyBall, -0.5, 2.0), 0.5);
        assert!(edge(Method::Nesterov, -0.5, 2.0).is_nan());
    }

    /// The spectral radius is below 1 just under the edge and above 1 just over it, and the
    /// iterates of the update rule shrink and grow accordingly.
    #[test]
    fn the_edge_is_where_the_radius_crosses_one() {
        let l = 3.0;
        for m in [
            Method::HeavyBall,
            Method::Nesterov,
            Method::NesterovMidpoint,
        ] {
            for beta in [0.0, 0.3, 0.5, 0.9, 0.99] {
                let a = edge(m, beta, l);
                let (below, above) = (a * (1.0 - 1e-3), a * (1.0 + 1e-3));
                assert!(radius(m, beta, below * l) < 1.0, "{m:?} β={beta} below");
                assert!(radius(m, beta, above * l) > 1.0, "{m:?} β={beta} above");
                assert!(
                    (radius(m, beta, a * l) - 1.0).abs() < 1e-12,
                    "{m:?} β={beta} at"
                );
                let (n, start) = (20_000, 1.0);
                assert!(iterate(m, beta, below, l, n) < start, "{m:?} β={beta}");
                assert!(iterate(m, beta, above, l, n) > start, "{m:?} β={beta}");
            }
        }
    }

    #[test]
    fn configs() {
        use serde_json::json;
        let cfg = |name: &str, v: serde_json::Value| {
            OptimizerConfig::from_named(name, v).map_err(|e| e.to_string())
        };
        let sgd = cfg("sgd", json!({"momentum": 0.9})).unwrap();
        assert_eq!(of_config(&sgd), Some((Method::HeavyBall, 0.9)));
        let nag = cfg("sgd", json!({"momentum": 0.9, "nesterov": true})).unwrap();
        assert_eq!(of_config(&nag), Some((Method::Nesterov, 0.9)));
        let damp = cfg("sgd", json!({"momentum": 0.9, "dampening": 0.1})).unwrap();
        assert_eq!(of_config(&damp), None);
        let mid = cfg("momentum", json!({"variant": "nesterov_midpoint"})).unwrap();
        assert_eq!(of_config(&mid), Some((Method::NesterovMidpoint, 0.9)));
        assert_eq!(of_config(&cfg("adam", json!({})).unwrap()), None);
    }
}
