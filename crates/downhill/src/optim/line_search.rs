//! Line searches along a direction `d` from `x`: `φ(t) = f(x + t·d)`, `φ'(t) = ∇f(x + t·d)ᵀd`.
//!
//! * [`Armijo`] — backtracking until the sufficient-decrease (Armijo) condition
//!   `φ(t) ≤ φ(0) + c₁·t·φ'(0)` holds, shrinking `t ← ρ·t`. Used by [`crate::optim::Newton`]
//!   and by plain gradient descent with `line_search = "armijo"` ([`crate::optim::GdArmijo`]).
//! * [`strong_wolfe`] — PyTorch's `_strong_wolfe` (torch/optim/lbfgs.py, itself a port of
//!   `lswolfe.lua`), operation for operation: a bracketing phase with cubic extrapolation
//!   ([`cubic_interpolate`]) followed by the zoom phase, stopping at a point satisfying the
//!   strong Wolfe conditions
//!   `φ(t) ≤ φ(0) + c₁·t·φ'(0)` and `|φ'(t)| ≤ −c₂·φ'(0)`,
//!   or when the bracket is shorter than `tolerance_change / max|dᵢ|`, or after `max_ls`
//!   evaluations. Used by [`crate::optim::Lbfgs`] with `line_search_fn = "strong_wolfe"`.
//!
//! Scalars of the search (`t`, `φ`, `φ'`) are `f64` for both `f32` and `f64` parameters.

use super::solver::dot;
use crate::Float;

/// Sufficient-decrease constant `c₁` used by default (Armijo and strong Wolfe).
pub const DEFAULT_C1: f64 = 1e-4;

/// Result of a line search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineSearchResult {
    /// The accepted step `t` (0 when none was acceptable).
    pub t: f64,
    /// `φ(t)` (`φ(0)` when `t = 0`).
    pub f: f64,
    /// Evaluations of `φ` made.
    pub evals: usize,
    /// Whether the condition was met.
    pub success: bool,
}

/// Backtracking Armijo line search.
///
/// Tries `t = t₀, ρt₀, ρ²t₀, …` and accepts the first `t` with
/// `φ(t) ≤ φ(0) + c₁·t·φ'(0)` (a non-finite `φ(t)` never satisfies it), making at most
/// `max_evals` evaluations. If `φ'(0) ≥ 0` (not a descent direction) it evaluates nothing and
/// fails with `t = 0`; if no trial passes it fails with `t = 0` and `φ(0)`, so a caller that
/// applies `t` leaves `x` unchanged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Armijo {
    /// Sufficient-decrease constant `c₁ ∈ (0, 1)` (default 1e-4).
    pub c1: f64,
    /// Shrink factor `ρ ∈ (0, 1)` (default 0.5).
    pub shrink: f64,
    /// Maximum evaluations of `φ` (default 30).
    pub max_evals: usize,
}

impl Default for Armijo {
    fn default() -> Self {
        Armijo {
            c1: DEFAULT_C1,
            shrink: 0.5,
            max_evals: 30,
        }
    }
}

impl Armijo {
    /// Validates `c1 ∈ (0, 1)`, `shrink ∈ (0, 1)`, `max_evals ≥ 1`.
    pub fn validate(&self) -> crate::Result<()> {
        let open = |k: &str, v: f64| {
            if v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(crate::Error::param(k, v, "must be in (0, 1)"))
            }
        };
        open("c1", self.c1)?;
        open("shrink", self.shrink)?;
        if self.max_evals == 0 {
            return Err(crate::Error::param("max_evals", 0, "must be >= 1"));
        }
        Ok(())
    }

    /// Searches from `t0` given `φ(0) = f0` and `φ'(0) = gtd`; `phi(t)` evaluates `φ`.
    pub fn search(
        &self,
        mut phi: impl FnMut(f64) -> f64,
        f0: f64,
        gtd: f64,
        t0: f64,
    ) -> LineSearchResult {
        let fail = |evals| LineSearchResult {
            t: 0.0,
            f: f0,
            evals,
            success: false,
        };
        if gtd.is_nan() || gtd >= 0.0 {
            return fail(0);
        }
        let mut t = t0;
        for k in 1..=self.max_evals {
            let f = phi(t);
            if f <= f0 + self.c1 * t * gtd {
                return LineSearchResult {
                    t,
                    f,
                    evals: k,
                    success: true,
                };
            }
            t *= self.shrink;
        }
        fail(self.max_evals)
    }
}

/// Python's `max(a, b)`: `a` unless `b > a`.
fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)`: `a` unless `b < a`.
fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// PyTorch's `_cubic_interpolate`: the minimiser of the cubic through `(x₁, f₁, g₁)` and
/// `(x₂, f₂, g₂)`, clamped to `bounds` (default: the interval between `x₁` and `x₂`):
///
/// `d₁ = g₁ + g₂ − 3(f₁ − f₂)/(x₁ − x₂)`, `d₂ = √(d₁² − g₁g₂)`,
/// `t = x₂ − (x₂ − x₁)·(g₂ + d₂ − d₁)/(g₂ − g₁ + 2d₂)` (for `x₁ ≤ x₂`; mirrored otherwise);
/// when `d₁² − g₁g₂ < 0` the midpoint of the bounds.
pub fn cubic_interpolate(
    x1: f64,
    f1: f64,
    g1: f64,
    x2: f64,
    f2: f64,
    g2: f64,
    bounds: Option<(f64, f64)>,
) -> f64 {
    let (xmin_bound, xmax_bound) = match bounds {
        Some(b) => b,
        None if x1 <= x2 => (x1, x2),
        None => (x2, x1),
    };
    let d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    let d2_square = d1 * d1 - g1 * g2;
    if d2_square >= 0.0 {
        let d2 = d2_square.sqrt();
        let min_pos = if x1 <= x2 {
            x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
        } else {
            x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
        };
        py_min(py_max(min_pos, xmin_bound), xmax_bound)
    } else {
        (xmin_bound + xmax_bound) / 2.0
    }
}

/// Parameters of [`strong_wolfe`] (PyTorch's defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WolfeParams {
    /// Sufficient-decrease constant (1e-4).
    pub c1: f64,
    /// Curvature constant (0.9).
    pub c2: f64,
    /// Stop zooming when `|t_hi − t_lo|·max|dᵢ| < tolerance_change` (1e-9).
    pub tolerance_change: f64,
    /// Maximum evaluations of the objective in the search (25; L-BFGS passes
    /// `max_eval − evaluations so far`).
    pub max_ls: i64,
}

impl Default for WolfeParams {
    fn default() -> Self {
        WolfeParams {
            c1: DEFAULT_C1,
            c2: 0.9,
            tolerance_change: 1e-9,
            max_ls: 25,
        }
    }
}

/// Gradient buffers of [`strong_wolfe`], kept between calls so a search allocates nothing
/// after the first.
#[derive(Debug, Clone, Default)]
pub struct WolfeWorkspace<T> {
    g_new: Vec<T>,
    g_prev: Vec<T>,
    bracket_g: [Vec<T>; 2],
}

/// PyTorch's `_strong_wolfe`, operation for operation.
///
/// `obj(t, g)` evaluates the objective at `x + t·d`, writes its gradient into `g` and returns
/// the value. `f`, `g`, `gtd = gᵀd` describe the starting point and `t` is the first trial
/// step. On return `g` holds the gradient at the accepted step; the result carries `t`,
/// `φ(t)` and the number of evaluations (`success` is `true` when the strong Wolfe
/// conditions were met).
#[allow(clippy::too_many_arguments)]
pub fn strong_wolfe<T: Float>(
    obj: &mut dyn FnMut(f64, &mut [T]) -> f64,
    d: &[T],
    mut t: f64,
    f: f64,
    g: &mut [T],
    gtd: f64,
    p: &WolfeParams,
    ws: &mut WolfeWorkspace<T>,
) -> LineSearchResult {
    let n = d.len();
    let [b0, b1] = &mut ws.bracket_g;
    for b in [&mut ws.g_new, &mut ws.g_prev, b0, b1] {
        crate::optim::ensure_len(b, n, T::zero());
    }
    let (c1, c2, max_ls) = (p.c1, p.c2, p.max_ls);
    let d_norm = d.iter().map(|v| v.f64().abs()).fold(0.0, py_max);
    // evaluate objective and gradient using the initial step
    let mut f_new = obj(t, &mut ws.g_new);
    let mut ls_func_evals = 1;
    let mut gtd_new = dot(&ws.g_new, d);
    // bracket an interval containing a point satisfying the Wolfe criteria
    let (mut t_prev, mut f_prev, mut gtd_prev) = (0.0, f, gtd);
    ws.g_prev.copy_from_slice(g);
    let mut done = false;
    let mut ls_iter: i64 = 0;
    let mut bracket = [0.0; 2];
    let mut bracket_f = [0.0; 2];
    let mut bracket_gtd = [0.0; 2];
    while ls_iter < max_ls {
        let armijo_fails = f_new > f + c1 * t * gtd || (ls_iter > 1 && f_new >= f_prev);
        if !armijo_fails && gtd_new.abs() <= -c2 * gtd {
            bracket = [t, t];
            bracket_f = [f_new, f_new];
            ws.bracket_g[0].copy_from_slice(&ws.g_new);
            done = true;
            break;
        }
        if armijo_fails || gtd_new >= 0.0 {
            bracket = [t_prev, t];
            bracket_f = [f_prev, f_new];
            ws.bracket_g[0].copy_from_slice(&ws.g_prev);
            ws.bracket_g[1].copy_from_slice(&ws.g_new);
            bracket_gtd = [gtd_prev, gtd_new];
            break;
        }
        // interpolate
        let min_step = t + 0.01 * (t - t_prev);
        let max_step = t * 10.0;
        let tmp = t;
        t = cubic_interpolate(
            t_prev,
            f_prev,
            gtd_prev,
            t,
            f_new,
            gtd_new,
            Some((min_step, max_step)),
        );
        // next step
        t_prev = tmp;
        f_prev = f_new;
        std::mem::swap(&mut ws.g_prev, &mut ws.g_new);
        gtd_prev = gtd_new;
        f_new = obj(t, &mut ws.g_new);
        ls_func_evals += 1;
        gtd_new = dot(&ws.g_new, d);
        ls_iter += 1;
    }
    // reached the maximum number of iterations?
    if ls_iter == max_ls {
        bracket = [0.0, t];
        bracket_f = [f, f_new];
        ws.bracket_g[0].copy_from_slice(g);
        ws.bracket_g[1].copy_from_slice(&ws.g_new);
    }
    // zoom phase: we now have a point satisfying the criteria, or a bracket around it;
    // refine the bracket until we find the exact point satisfying the criteria
    let mut insuf_progress = false;
    let (mut low_pos, mut high_pos) = if bracket_f[0] <= bracket_f[1] {
        (0, 1)
    } else {
        (1, 0)
    };
    while !done && ls_iter < max_ls {
        // line-search bracket is so small
        if (bracket[1] - bracket[0]).abs() * d_norm < p.tolerance_change {
            break;
        }
        // compute the new trial value
        t = cubic_interpolate(
            bracket[0],
            bracket_f[0],
            bracket_gtd[0],
            bracket[1],
            bracket_f[1],
            bracket_gtd[1],
            None,
        );
        // test that we are making sufficient progress: if `t` is close to the boundary,
        // mark insufficient progress, and if we already made insufficient progress in the
        // last step, or `t` is at one of the boundaries, move `t` to 0.1·len(bracket) away
        // from the nearest boundary point.
        let b_max = py_max(bracket[0], bracket[1]);
        let b_min = py_min(bracket[0], bracket[1]);
        let eps = 0.1 * (b_max - b_min);
        if py_min(b_max - t, t - b_min) < eps {
            if insuf_progress || t >= b_max || t <= b_min {
                t = if (t - b_max).abs() < (t - b_min).abs() {
                    b_max - eps
                } else {
                    b_min + eps
                };
                insuf_progress = false;
            } else {
                insuf_progress = true;
            }
        } else {
            insuf_progress = false;
        }
        // evaluate the new point
        f_new = obj(t, &mut ws.g_new);
        ls_func_evals += 1;
        gtd_new = dot(&ws.g_new, d);
        ls_iter += 1;
        if f_new > f + c1 * t * gtd || f_new >= bracket_f[low_pos] {
            // Armijo condition not satisfied or not lower than the lowest point
            bracket[high_pos] = t;
            bracket_f[high_pos] = f_new;
            ws.bracket_g[high_pos].copy_from_slice(&ws.g_new);
            bracket_gtd[high_pos] = gtd_new;
            (low_pos, high_pos) = if bracket_f[0] <= bracket_f[1] {
                (0, 1)
            } else {
                (1, 0)
            };
        } else {
            if gtd_new.abs() <= -c2 * gtd {
                // Wolfe conditions satisfied
                done = true;
            } else if gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0.0 {
                // old high becomes new low
                bracket[high_pos] = bracket[low_pos];
                bracket_f[high_pos] = bracket_f[low_pos];
                let (lo, hi) = ws.bracket_g.split_at_mut(1);
                if high_pos == 1 {
                    hi[0].copy_from_slice(&lo[0]);
                } else {
                    lo[0].copy_from_slice(&hi[0]);
                }
                bracket_gtd[high_pos] = bracket_gtd[low_pos];
            }
            // new point becomes new low
            bracket[low_pos] = t;
            bracket_f[low_pos] = f_new;
            ws.bracket_g[low_pos].copy_from_slice(&ws.g_new);
            bracket_gtd[low_pos] = gtd_new;
        }
    }
    g.copy_from_slice(&ws.bracket_g[low_pos]);
    LineSearchResult {
        t: bracket[low_pos],
        f: bracket_f[low_pos],
        evals: ls_func_evals,
        success: done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armijo_accepts_the_first_step_on_a_quadratic_with_the_exact_step() {
        // φ(t) = (1 − t)², φ(0) = 1, φ'(0) = −2: t = 1 gives 0 ≤ 1 − 2e-4.
        let r = Armijo::default().search(|t| (1.0 - t) * (1.0 - t), 1.0, -2.0, 1.0);
        assert_eq!((r.t, r.f, r.evals, r.success), (1.0, 0.0, 1, true));
    }

    #[test]
    fn armijo_halves_until_sufficient_decrease() {
        // φ(t) = (1 − t)², t0 = 4: φ(4) = 9 (fail), φ(2) = 1 > 1 − 4e-4 (fail),
        // φ(1) = 0 (pass): three evaluations, t = 1.
        let mut seen = Vec::new();
        let r = Armijo::default().search(
            |t| {
                seen.push(t);
                (1.0 - t) * (1.0 - t)
            },
            1.0,
            -2.0,
            4.0,
        );
        assert_eq!(seen, vec![4.0, 2.0, 1.0]);
        assert_eq!((r.t, r.evals, r.success), (1.0, 3, true));
    }

    #[test]
    fn armijo_condition_is_exactly_c1_t_gtd() {
        // φ linear with slope −1 scaled by 0.5 beyond t: φ(t) = 1 − 0.5·c·t... choose
        // φ(t) = 1 − 0.3·t and c1 = 0.3: equality passes (≤), c1 = 0.31 fails for every t.
        let lin = |t: f64| 1.0 - 0.3 * t;
        let pass = Armijo {
            c1: 0.25,
            ..Default::default()
        }
        .search(lin, 1.0, -1.0, 1.0);
        assert!(pass.success && pass.t == 1.0);
        let fail = Armijo {
            c1: 0.31,
            shrink: 0.5,
            max_evals: 5,
        }
        .search(lin, 1.0, -1.0, 1.0);
        assert_eq!(
            (fail.t, fail.f, fail.evals, fail.success),
            (0.0, 1.0, 5, false)
        );
    }

    #[test]
    fn armijo_rejects_ascent_directions_and_non_finite_values() {
        let r = Armijo::default().search(|_| 0.0, 1.0, 0.5, 1.0);
        assert_eq!((r.t, r.evals, r.success), (0.0, 0, false));
        // NaN beyond t = 0.3: backtracks 1 → 0.5 → 0.25 (finite, decreasing).
        let r =
            Armijo::default().search(|t| if t > 0.3 { f64::NAN } else { 1.0 - t }, 1.0, -1.0, 1.0);
        assert_eq!((r.t, r.evals, r.success), (0.25, 3, true));
    }

    #[test]
    fn armijo_validation_names_the_key() {
        let bad = Armijo {
            shrink: 1.0,
            ..Default::default()
        };
        assert!(
            matches!(bad.validate(), Err(crate::Error::InvalidParameter { key, .. }) if key == "shrink")
        );
        assert!(Armijo::default().validate().is_ok());
    }

    #[test]
    fn cubic_interpolation_finds_the_minimum_of_a_cubic() {
        // φ(t) = (t − 1)² + 1: φ(0) = 2, φ'(0) = −2; φ(3) = 5, φ'(3) = 4 → minimum at 1.
        let t = cubic_interpolate(0.0, 2.0, -2.0, 3.0, 5.0, 4.0, None);
        assert!((t - 1.0).abs() < 1e-15);
        // mirrored argument order gives the same point
        let t = cubic_interpolate(3.0, 5.0, 4.0, 0.0, 2.0, -2.0, None);
        assert!((t - 1.0).abs() < 1e-15);
        // clamped to the bounds
        let t = cubic_interpolate(0.0, 2.0, -2.0, 3.0, 5.0, 4.0, Some((2.0, 2.5)));
        assert_eq!(t, 2.0);
    }

    #[test]
    fn strong_wolfe_on_a_quadratic_accepts_the_unit_step() {
        // f(x) = x², x = 1, d = −1: t = 1 is exact and satisfies both conditions.
        let mut obj = |t: f64, g: &mut [f64]| {
            let x = 1.0 - t;
            g[0] = 2.0 * x;
            x * x
        };
        let mut g = vec![2.0];
        let r = strong_wolfe(
            &mut obj,
            &[-1.0],
            1.0,
            1.0,
            &mut g,
            -2.0,
            &WolfeParams::default(),
            &mut WolfeWorkspace::default(),
        );
        assert_eq!((r.t, r.f, r.evals, r.success), (1.0, 0.0, 1, true));
        assert_eq!(g, vec![0.0]);
    }

    #[test]
    fn strong_wolfe_satisfies_the_conditions_after_zooming() {
        // f(x) = x⁴ − x from x = 0 along d = 1 with an overlong first step t = 4.
        let f = |x: f64| x.powi(4) - x;
        let df = |x: f64| 4.0 * x.powi(3) - 1.0;
        let mut obj = |t: f64, g: &mut [f64]| {
            g[0] = df(t);
            f(t)
        };
        let mut g = vec![df(0.0)];
        let p = WolfeParams::default();
        let r = strong_wolfe(
            &mut obj,
            &[1.0],
            4.0,
            0.0,
            &mut g,
            -1.0,
            &p,
            &mut WolfeWorkspace::default(),
        );
        assert!(r.success && r.evals > 1);
        assert!(r.f <= -(p.c1 * r.t));
        assert!(df(r.t).abs() <= p.c2);
        assert_eq!(g[0], df(r.t));
    }
}
