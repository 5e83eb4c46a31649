//! The line search of L-BFGS-B on a segment `[0, t_max]` (steps beyond `t_max` would leave the
//! box): Moré & Thuente's (1994) search for a step meeting
//! `φ(t) ≤ φ(0) + c₁·t·φ'(0)` and `|φ'(t)| ≤ c₂·|φ'(0)|`, as SciPy's L-BFGS-B runs it
//! (`dcsrch` with `ftol = 10⁻³`, `gtol = 0.9`, `xtol = 0.1`, `stpmin = 0`, `stpmax = t_max`,
//! at most `maxls` evaluations), written here from the paper's algorithm.

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

/// Relative width of the interval of uncertainty at which the search ends (`xtol`).
const XTOL: f64 = 0.1;
/// Extrapolation bounds while no minimiser is bracketed: `[t + 1.1(t − tₓ), t + 4(t − tₓ)]`.
const XTRAPL: f64 = 1.1;
const XTRAPU: f64 = 4.0;

/// One end of the interval of uncertainty: step, value, derivative.
#[derive(Debug, Clone, Copy)]
struct End {
    t: f64,
    f: f64,
    d: f64,
}

/// Searches `t ∈ (0, t_max]` from the trial `t0`; `phi(t)` evaluates the line function.
/// Returns the accepted point and the number of evaluations, or `None` when `max_evals`
/// evaluations did not end the search.
///
/// Moré–Thuente: the interval of uncertainty `[tₓ, t_y]` (`tₓ` the best step so far) is
/// updated by [`step`] (cubic and quadratic interpolation, extrapolation while nothing is
/// bracketed); while `φ(t) > φ(0) + c₁tφ'(0)` or `φ'(t) < 0` on the first stage, the
/// modified function `ψ(t) = φ(t) − φ(0) − c₁tφ'(0)` is used. A bracket that fails to shrink to
/// ⅔ of its width in two steps is bisected. The search stops (accepting the last step) at
/// convergence, when the interval is narrower than `xtol` relative, at `t_max` with
/// sufficient decrease and `φ' ≤ c₁φ'(0)`, or on rounding errors (the trial leaves the
/// interval) — `dcsrch`'s warnings, which L-BFGS-B accepts as it does convergence.
pub fn wolfe_on_segment(
    phi: &mut dyn FnMut(f64) -> LinePoint,
    f0: f64,
    dphi0: f64,
    t0: f64,
    t_max: f64,
    p: &SegmentWolfe,
) -> (Option<LinePoint>, usize) {
    let (stpmin, stpmax) = (0.0, t_max);
    let gtest = p.c1 * dphi0;
    let mut width = stpmax - stpmin;
    let mut width1 = 2.0 * width;
    let mut brackt = false;
    let mut stage1 = true;
    let mut x = End {
        t: 0.0,
        f: f0,
        d: dphi0,
    };
    let mut y = x;
    let mut t = t0.min(t_max);
    let (mut stmin, mut stmax) = (0.0, t + XTRAPU * t);
    let mut evals = 0;
    while evals < p.max_evals {
        let q = phi(t);
        evals += 1;
        let (f, g) = (q.f, q.dphi);
        let ftest = f0 + t * gtest;
        if stage1 && f <= ftest && g >= 0.0 {
            stage1 = false;
        }
        let warn = (brackt && (t <= stmin || t >= stmax || stmax - stmin <= XTOL * stmax))
            || (t == stpmax && f <= ftest && g <= gtest)
            || (t == stpmin && (f > ftest || g >= gtest));
        if !f.is_finite() || !g.is_finite() {
            // beyond the function's domain: the minimiser lies before t; halve towards tₓ
            (y, brackt) = (End { t, f, d: g }, true);
            (stmin, stmax) = (x.t.min(t), x.t.max(t));
            t = x.t + 0.5 * (t - x.t);
            continue;
        }
        if warn || (f <= ftest && g.abs() <= -p.c2 * dphi0) {
            return (Some(q), evals);
        }
        let now = End { t, f, d: g };
        let next = if stage1 && now.f <= x.f && now.f > ftest {
            // the modified function ψ
            let m = |e: End| End {
                t: e.t,
                f: e.f - e.t * gtest,
                d: e.d - gtest,
            };
            let (mut xm, mut ym) = (m(x), m(y));
            let s = step(&mut xm, &mut ym, m(now), &mut brackt, stmin, stmax);
            let un = |e: End| End {
                t: e.t,
                f: e.f + e.t * gtest,
                d: e.d + gtest,
            };
            (x, y) = (un(xm), un(ym));
            s
        } else {
            step(&mut x, &mut y, now, &mut brackt, stmin, stmax)
        };
        t = if next.is_finite() {
            next
        } else {
            x.t + 0.5 * (y.t - x.t)
        };
        if brackt {
            if (y.t - x.t).abs() >= 0.66 * width1 {
                t = x.t + 0.5 * (y.t - x.t);
            }
            width1 = width;
            width = (y.t - x.t).abs();
            stmin = x.t.min(y.t);
            stmax = x.t.max(y.t);
        } else {
            stmin = t + XTRAPL * (t - x.t);
            stmax = t + XTRAPU * (t - x.t);
        }
        t = t.clamp(stpmin, stpmax);
        if brackt && (t <= stmin || t >= stmax || stmax - stmin <= XTOL * stmax) {
            t = x.t;
        }
    }
    (None, evals)
}

/// `dcstep`: the next trial step from the interval ends `x` (best so far), `y` and the new
/// point `p`, updating the interval (and `brackt` once a minimiser is bracketed); `lo`, `hi`
/// bound the step.
fn step(x: &mut End, y: &mut End, p: End, brackt: &mut bool, lo: f64, hi: f64) -> f64 {
    let sgnd = p.d * x.d.signum();
    // θ = 3(f_a − f_b)/(t_b − t_a) + φ'_a + φ'_b and γ = √(θ² − φ'_a φ'_b), scaled by
    // s = max(|θ|, |φ'_a|, |φ'_b|) against overflow: the cubic through a and b.
    let cubic_gamma = |a: End, b: End| {
        let theta = 3.0 * (a.f - b.f) / (b.t - a.t) + a.d + b.d;
        let s = theta.abs().max(a.d.abs()).max(b.d.abs());
        (
            theta,
            s * ((theta / s).powi(2) - (a.d / s) * (b.d / s))
                .max(0.0)
                .sqrt(),
        )
    };
    let tf = if p.f > x.f {
        // 1: higher value — the minimiser is bracketed
        let (theta, mut gamma) = cubic_gamma(*x, p);
        if p.t < x.t {
            gamma = -gamma;
        }
        let pp = (gamma - x.d) + theta;
        let q = ((gamma - x.d) + gamma) + p.d;
        let tc = x.t + pp / q * (p.t - x.t);
        let tq = x.t + x.d / ((x.f - p.f) / (p.t - x.t) + x.d) / 2.0 * (p.t - x.t);
        *brackt = true;
        if (tc - x.t).abs() < (tq - x.t).abs() {
            tc
        } else {
            tc + (tq - tc) / 2.0
        }
    } else if sgnd < 0.0 {
        // 2: lower value, derivatives of opposite sign — bracketed
        let (theta, mut gamma) = cubic_gamma(*x, p);
        if p.t > x.t {
            gamma = -gamma;
        }
        let pp = (gamma - p.d) + theta;
        let q = ((gamma - p.d) + gamma) + x.d;
        let tc = p.t + pp / q * (x.t - p.t);
        let tq = p.t + p.d / (p.d - x.d) * (x.t - p.t);
        *brackt = true;
        if (tc - p.t).abs() > (tq - p.t).abs() {
            tc
        } else {
            tq
        }
    } else if p.d.abs() < x.d.abs() {
        // 3: lower value, same sign, the derivative decreases in magnitude
        let (theta, mut gamma) = cubic_gamma(*x, p);
        if p.t > x.t {
            gamma = -gamma;
        }
        let pp = (gamma - p.d) + theta;
        let q = (gamma + (x.d - p.d)) + gamma;
        let r = pp / q;
        let tc = if r < 0.0 && gamma != 0.0 {
            p.t + r * (x.t - p.t)
        } else if p.t > x.t {
            hi
        } else {
            lo
        };
        let tq = p.t + p.d / (p.d - x.d) * (x.t - p.t);
        if *brackt {
            let tf = if (tc - p.t).abs() < (tq - p.t).abs() {
                tc
            } else {
                tq
            };
            let bound = p.t + 0.66 * (y.t - p.t);
            if p.t > x.t {
                tf.min(bound)
            } else {
                tf.max(bound)
            }
        } else {
            let tf = if (tc - p.t).abs() > (tq - p.t).abs() {
                tc
            } else {
                tq
            };
            tf.clamp(lo, hi)
        }
    } else if *brackt {
        // 4: lower value, same sign, the derivative does not decrease: cubic towards y
        let (theta, mut gamma) = cubic_gamma(p, *y);
        if p.t > y.t {
            gamma = -gamma;
        }
        let pp = (gamma - p.d) + theta;
        let q = ((gamma - p.d) + gamma) + y.d;
        p.t + pp / q * (y.t - p.t)
    } else if p.t > x.t {
        hi
    } else {
        lo
    };
    if p.f > x.f {
        *y = p;
    } else {
        if sgnd < 0.0 {
            *y = *x;
        }
        *x = p;
    }
    tf
}
