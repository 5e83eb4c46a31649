//! A line search for the strong Wolfe conditions on a segment `[0, t_max]` (L-BFGS-B's
//! search along `x + t·d`, where steps beyond `t_max` would leave the box): bracketing and
//! zoom after Nocedal & Wright, *Numerical Optimization*, Algorithms 3.5 and 3.6, with
//! PyTorch's [`cubic_interpolate`] as the trial-step rule.

use super::line_search::cubic_interpolate;

/// One evaluation of the line function: `φ(t)`, `φ'(t) = ∇f(x + t·d)ᵀd` and the gradient.
#[derive(Debug, Clone)]
pub struct LinePoint {
    /// Step.
    pub t: f64,
    /// `φ(t)`.
    pub f: f64,
    /// `φ'(t)`.
    pub dphi: f64,
    /// `∇f(x + t·d)`.
    pub g: Vec<f64>,
}

/// The constants of [`wolfe_on_segment`] (SciPy L-BFGS-B's `dcsrch` settings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentWolfe {
    /// Sufficient decrease `φ(t) ≤ φ(0) + c₁·t·φ'(0)` (SciPy's `ftol = 1e-3`).
    pub c1: f64,
    /// Curvature `|φ'(t)| ≤ c₂·|φ'(0)|` (SciPy's `gtol = 0.9`).
    pub c2: f64,
    /// Maximum evaluations (`maxls`, 20).
    pub max_evals: usize,
}

/// Searches `t ∈ (0, t_max]` from the trial `t0` for a step meeting the strong Wolfe
/// conditions; `phi(t)` evaluates the line function. Returns the accepted point and the number
/// of evaluations, or `None` when no step with sufficient decrease was found within
/// `max_evals`. A step at `t_max` with sufficient decrease and `φ' < 0` is accepted (the
/// function still decreases where the segment ends, as `dcsrch` stops at `stpmax`).
pub fn wolfe_on_segment(
    phi: &mut dyn FnMut(f64) -> LinePoint,
    f0: f64,
    dphi0: f64,
    t0: f64,
    t_max: f64,
    p: &SegmentWolfe,
) -> (Option<LinePoint>, usize) {
    let armijo = |q: &LinePoint| q.f <= f0 + p.c1 * q.t * dphi0;
    let curvature = |q: &LinePoint| q.dphi.abs() <= -p.c2 * dphi0;
    let mut evals = 0;
    let mut prev = LinePoint {
        t: 0.0,
        f: f0,
        dphi: dphi0,
        g: Vec::new(),
    };
    let mut t = t0.min(t_max);
    let (mut lo, mut hi);
    loop {
        let q = phi(t);
        evals += 1;
        if !q.f.is_finite() || !armijo(&q) || (evals > 1 && q.f >= prev.f) {
            (lo, hi) = (prev, q);
            break;
        }
        if curvature(&q) {
            return (Some(q), evals);
        }
        if q.dphi >= 0.0 {
            (lo, hi) = (q, prev);
            break;
        }
        if t >= t_max || evals >= p.max_evals {
            return (Some(q), evals);
        }
        let next = if 1.1 * t >= t_max {
            t_max
        } else {
            let top = (4.0 * t).min(t_max);
            cubic_interpolate(
                prev.t,
                prev.f,
                prev.dphi,
                t,
                q.f,
                q.dphi,
                Some((1.1 * t, top)),
            )
        };
        prev = q;
        t = next;
    }
    // zoom: `lo` has sufficient decrease and the lowest value so far; the minimiser of φ
    // lies between lo.t and hi.t.
    while evals < p.max_evals {
        let (a, b) = (lo.t.min(hi.t), lo.t.max(hi.t));
        if b - a <= 1e-12 * b.max(1.0) {
            break;
        }
        let mut t = if hi.f.is_finite() {
            cubic_interpolate(lo.t, lo.f, lo.dphi, hi.t, hi.f, hi.dphi, None)
        } else {
            0.5 * (a + b)
        };
        let margin = 0.1 * (b - a);
        if !t.is_finite() || t < a + margin || t > b - margin {
            t = 0.5 * (a + b);
        }
        let q = phi(t);
        evals += 1;
        if !q.f.is_finite() || !armijo(&q) || q.f >= lo.f {
            hi = q;
        } else {
            if curvature(&q) {
                return (Some(q), evals);
            }
            if q.dphi * (hi.t - lo.t) >= 0.0 {
                hi = lo;
            }
            lo = q;
        }
    }
    ((lo.t > 0.0).then_some(lo), evals)
}
