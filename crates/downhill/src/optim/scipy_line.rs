//! SciPy's Wolfe line searches for BFGS and CG (`scipy/optimize/_linesearch.py`):
//! [`wolfe12`] runs `line_search_wolfe1` ([`super::dcsrch`], MINPACK's `dcsrch`) and, when it
//! fails or its step fails the caller's extra condition, `line_search_wolfe2` (bracketing by
//! doubling, then `_zoom` with cubic and quadratic interpolation), as `_line_search_wolfe12`.
//!
//! Both look for a step `t` with the strong Wolfe conditions along `d` from `x`
//! (`φ(t) = f(x + t·d)`):
//!
//! `φ(t) ≤ φ(0) + c₁·t·φ'(0)` and `|φ'(t)| ≤ c₂·|φ'(0)|`,
//!
//! starting from `t₀ = min(1, 2.02·(φ(0) − φ₋₁)/φ'(0))` (1 when that is negative), where `φ₋₁`
//! is `f` at the previous iterate (the solvers start with `φ₋₁ = f(x₀) + ‖∇f(x₀)‖/2`, so that
//! the first step moves `x` by about 1).

use super::dcsrch::{Dcsrch, Task};
use crate::{Float, Objective};

/// `φ` along `x + t·d` over an objective: each new `t` costs one gradient call (which gives
/// `f` too; SciPy evaluates `f` and `∇f` at the same points, so the count equals its `nfev`).
/// Arithmetic is `f64`.
pub(crate) struct Line<'a, T> {
    f: &'a dyn Objective<T>,
    x: &'a [f64],
    d: &'a [f64],
    buf: Vec<T>,
    gbuf: Vec<T>,
    /// The last point evaluated: `t`, `f`, `∇f`.
    last: Option<(f64, f64, Vec<f64>)>,
    /// Gradient calls made.
    pub evals: usize,
}

impl<'a, T: Float> Line<'a, T> {
    /// `φ` along `d` from `x`.
    pub(crate) fn new(f: &'a dyn Objective<T>, x: &'a [f64], d: &'a [f64]) -> Self {
        let n = x.len();
        Line {
            f,
            x,
            d,
            buf: vec![T::zero(); n],
            gbuf: vec![T::zero(); n],
            last: None,
            evals: 0,
        }
    }

    /// `(φ(t), φ'(t))`, evaluating only when `t` differs from the last point.
    fn at(&mut self, t: f64) -> (f64, f64) {
        if let Some((lt, lf, g)) = &self.last {
            if *lt == t {
                return (*lf, dot(g, self.d));
            }
        }
        for ((b, &xi), &di) in self.buf.iter_mut().zip(self.x).zip(self.d) {
            *b = T::of(xi + t * di);
        }
        let v = self.f.gradient(&self.buf, &mut self.gbuf).f64();
        self.evals += 1;
        let g: Vec<f64> = self.gbuf.iter().map(|v| v.f64()).collect();
        let dphi = dot(&g, self.d);
        self.last = Some((t, v, g));
        (v, dphi)
    }

    /// `∇f(x + t·d)` (from the cache when `t` was the last point).
    fn gradient(&mut self, t: f64) -> Vec<f64> {
        self.at(t);
        self.last.as_ref().map(|l| l.2.clone()).unwrap_or_default()
    }
}

/// `Σ aᵢbᵢ`.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// An accepted step.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    /// The step length `t`.
    pub t: f64,
    /// `f(x + t·d)`.
    pub f: f64,
    /// `∇f(x + t·d)`.
    pub g: Vec<f64>,
}

/// The constants of a search.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wolfe {
    /// Sufficient decrease `c₁`.
    pub c1: f64,
    /// Curvature `c₂`.
    pub c2: f64,
    /// Smallest step of `dcsrch` (`amin`).
    pub amin: f64,
    /// Largest step (`amax`).
    pub amax: f64,
}

/// Python's `min(1.0, v)` for the first trial, then 1 if negative.
fn first_trial(phi0: f64, old_phi0: f64, derphi0: f64) -> f64 {
    let mut a = 1.0;
    if derphi0 != 0.0 {
        let v = 1.01 * 2.0 * (phi0 - old_phi0) / derphi0;
        if v < 1.0 {
            a = v;
        }
    }
    if a < 0.0 {
        1.0
    } else {
        a
    }
}

/// `line_search_wolfe1`: `dcsrch` with `xtol = 1e-14`, at most 100 evaluations.
fn wolfe1<T: Float>(
    line: &mut Line<'_, T>,
    phi0: f64,
    old_phi0: f64,
    derphi0: f64,
    w: &Wolfe,
) -> Option<Step> {
    let mut alpha = first_trial(phi0, old_phi0, derphi0);
    let mut s = Dcsrch::new(w.c1, w.c2, 1e-14, w.amin, w.amax);
    let (mut f, mut g) = (phi0, derphi0);
    for _ in 0..100 {
        let (stp, task) = s.iterate(alpha, f, g);
        if !stp.is_finite() {
            return None;
        }
        match task {
            Task::Evaluate => {
                alpha = stp;
                (f, g) = line.at(stp);
            }
            Task::Converged => {
                return Some(Step {
                    t: stp,
                    f,
                    g: line.gradient(stp),
                })
            }
            Task::Warning | Task::Error => return None,
        }
    }
    None
}

/// `_cubicmin`: the minimiser of the cubic through `(a, fa)` with slope `fpa`, `(b, fb)` and
/// `(c, fc)`; `None` where SciPy's arithmetic would raise or give a non-finite value.
fn cubicmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64, c: f64, fc: f64) -> Option<f64> {
    let cc = fpa;
    let db = b - a;
    let dc = c - a;
    let denom = (db * dc).powi(2) * (db - dc);
    if denom == 0.0 || !denom.is_finite() {
        return None;
    }
    let (d00, d01, d10, d11) = (dc * dc, -(db * db), -(dc * dc * dc), db * db * db);
    let v0 = fb - fa - cc * db;
    let v1 = fc - fa - cc * dc;
    let aa = (d00 * v0 + d01 * v1) / denom;
    let bb = (d10 * v0 + d11 * v1) / denom;
    let radical = bb * bb - 3.0 * aa * cc;
    if radical.is_nan() || radical < 0.0 || aa == 0.0 {
        return None;
    }
    let xmin = a + (-bb + radical.sqrt()) / (3.0 * aa);
    xmin.is_finite().then_some(xmin)
}

/// `_quadmin`: the minimiser of the parabola through `(a, fa)` with slope `fpa` and `(b, fb)`.
fn quadmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64) -> Option<f64> {
    let db = b - a;
    if db == 0.0 {
        return None;
    }
    let bb = (fb - fa - fpa * db) / (db * db);
    if bb == 0.0 || !bb.is_finite() {
        return None;
    }
    let xmin = a - fpa / (2.0 * bb);
    xmin.is_finite().then_some(xmin)
}

/// The caller's extra acceptance test on `(t, f, ∇f)` (CG's descent condition).
pub(crate) type Extra<'e> = &'e mut dyn FnMut(f64, f64, &[f64]) -> bool;

/// Bracketing values of `_zoom`.
struct Bracket {
    lo: (f64, f64, f64),
    hi: (f64, f64),
}

/// `_zoom`: at most 11 interpolated trials inside `[a_lo, a_hi]`.
fn zoom<T: Float>(
    line: &mut Line<'_, T>,
    mut br: Bracket,
    phi0: f64,
    derphi0: f64,
    w: &Wolfe,
    extra: &mut Option<Extra<'_>>,
) -> Option<f64> {
    let (delta1, delta2) = (0.2, 0.1);
    let (mut phi_rec, mut a_rec) = (phi0, 0.0);
    let mut i = 0;
    loop {
        let (a_lo, phi_lo, derphi_lo) = br.lo;
        let (a_hi, phi_hi) = br.hi;
        let dalpha = a_hi - a_lo;
        let (a, b) = if dalpha < 0.0 {
            (a_hi, a_lo)
        } else {
            (a_lo, a_hi)
        };
        let mut a_j = None;
        let mut cchk = 0.0;
        if i > 0 {
            cchk = delta1 * dalpha;
            a_j = cubicmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi, a_rec, phi_rec);
        }
        let bad = |v: Option<f64>, chk: f64| v.is_none_or(|v| v > b - chk || v < a + chk);
        if i == 0 || bad(a_j, cchk) {
            let qchk = delta2 * dalpha;
            a_j = quadmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi);
            if bad(a_j, qchk) {
                a_j = Some(a_lo + 0.5 * dalpha);
            }
        }
        let a_j = a_j.unwrap_or(a_lo + 0.5 * dalpha);
        let (phi_aj, derphi_aj) = line.at(a_j);
        if phi_aj > phi0 + w.c1 * a_j * derphi0 || phi_aj >= phi_lo {
            (phi_rec, a_rec) = (phi_hi, a_hi);
            br.hi = (a_j, phi_aj);
        } else {
            if derphi_aj.abs() <= -w.c2 * derphi0 && accepts(extra, line, a_j, phi_aj) {
                return Some(a_j);
            }
            if derphi_aj * (a_hi - a_lo) >= 0.0 {
                (phi_rec, a_rec) = (phi_hi, a_hi);
                br.hi = (a_lo, phi_lo);
            } else {
                (phi_rec, a_rec) = (phi_lo, a_lo);
            }
            br.lo = (a_j, phi_aj, derphi_aj);
        }
        i += 1;
        if i > 10 {
            return None;
        }
    }
}

fn accepts<T: Float>(
    extra: &mut Option<Extra<'_>>,
    line: &mut Line<'_, T>,
    t: f64,
    f: f64,
) -> bool {
    match extra {
        None => true,
        Some(e) => {
            let g = line.gradient(t);
            e(t, f, &g)
        }
    }
}

/// `line_search_wolfe2` (`maxiter = 10`; `amax` from the caller).
fn wolfe2<T: Float>(
    line: &mut Line<'_, T>,
    phi0: f64,
    old_phi0: f64,
    derphi0: f64,
    w: &Wolfe,
    extra: &mut Option<Extra<'_>>,
) -> Option<f64> {
    let mut alpha0 = 0.0;
    let mut alpha1 = first_trial(phi0, old_phi0, derphi0);
    if w.amax < alpha1 {
        alpha1 = w.amax;
    }
    let mut phi_a1 = line.at(alpha1).0;
    let (mut phi_a0, mut derphi_a0) = (phi0, derphi0);
    for i in 0..10 {
        if alpha1 == 0.0 || alpha0 > w.amax {
            return None;
        }
        if phi_a1 > phi0 + w.c1 * alpha1 * derphi0 || (phi_a1 >= phi_a0 && i > 0) {
            let br = Bracket {
                lo: (alpha0, phi_a0, derphi_a0),
                hi: (alpha1, phi_a1),
            };
            return zoom(line, br, phi0, derphi0, w, extra);
        }
        let derphi_a1 = line.at(alpha1).1;
        if derphi_a1.abs() <= -w.c2 * derphi0 && accepts(extra, line, alpha1, phi_a1) {
            return Some(alpha1);
        }
        if derphi_a1 >= 0.0 {
            let br = Bracket {
                lo: (alpha1, phi_a1, derphi_a1),
                hi: (alpha0, phi_a0),
            };
            return zoom(line, br, phi0, derphi0, w, extra);
        }
        let alpha2 = if w.amax < 2.0 * alpha1 {
            w.amax
        } else {
            2.0 * alpha1
        };
        alpha0 = alpha1;
        alpha1 = alpha2;
        phi_a0 = phi_a1;
        phi_a1 = line.at(alpha1).0;
        derphi_a0 = derphi_a1;
    }
    // SciPy keeps the last trial when the loop runs out (with a warning)
    Some(alpha1)
}

/// `_line_search_wolfe12`: `wolfe1`, and `wolfe2` when it fails or `extra` rejects its step.
/// `phi0 = f(x)`, `old_phi0` = `f` at the previous iterate, `derphi0 = ∇f(x)ᵀd`. `None` when
/// both fail (SciPy's `_LineSearchError`: "precision loss").
pub(crate) fn wolfe12<T: Float>(
    line: &mut Line<'_, T>,
    phi0: f64,
    old_phi0: f64,
    derphi0: f64,
    w: &Wolfe,
    mut extra: Option<Extra<'_>>,
) -> Option<Step> {
    if let Some(s) = wolfe1(line, phi0, old_phi0, derphi0, w) {
        let ok = match &mut extra {
            None => true,
            Some(e) => e(s.t, s.f, &s.g),
        };
        if ok {
            return Some(s);
        }
    }
    let t = wolfe2(line, phi0, old_phi0, derphi0, w, &mut extra)?;
    let (f, _) = line.at(t);
    Some(Step {
        t,
        f,
        g: line.gradient(t),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::Rosenbrock;

    #[test]
    fn interpolants() {
        // parabola (t − 2)² through (0, 4) with slope −4 and (1, 1): minimum at 2
        assert_eq!(quadmin(0.0, 4.0, -4.0, 1.0, 1.0), Some(2.0));
        assert_eq!(quadmin(1.0, 4.0, -4.0, 1.0, 1.0), None);
        // cubic t³ − 3t (min at 1) through (0, 0) slope −3, (2, 2), (−1, 2)
        let m = cubicmin(0.0, 0.0, -3.0, 2.0, 2.0, -1.0, 2.0).unwrap();
        assert!((m - 1.0).abs() < 1e-12, "{m}");
        assert_eq!(first_trial(1.0, 1.5, -1.0), 1.0);
        assert!((first_trial(1.0, 1.1, -1.0) - 0.202).abs() < 1e-15);
    }

    #[test]
    fn both_searches_satisfy_the_strong_wolfe_conditions_on_rosenbrock() {
        let x = [-1.2, 1.0];
        let mut g = [0.0; 2];
        let f0 = Objective::<f64>::gradient(&Rosenbrock, &x, &mut g);
        let d = [-g[0], -g[1]];
        let derphi0 = dot(&g, &d);
        let w = Wolfe {
            c1: 1e-4,
            c2: 0.9,
            amin: 1e-100,
            amax: 1e100,
        };
        let gn = dot(&g, &g).sqrt();
        let check = |s: &Step| {
            assert!(s.f <= f0 + 1e-4 * s.t * derphi0, "{s:?}");
            assert!(dot(&s.g, &d).abs() <= 0.9 * derphi0.abs(), "{s:?}");
        };
        let mut line = Line::<f64>::new(&Rosenbrock, &x, &d);
        let s = wolfe1(&mut line, f0, f0 + gn / 2.0, derphi0, &w).unwrap();
        check(&s);
        let mut line = Line::<f64>::new(&Rosenbrock, &x, &d);
        let t = wolfe2(&mut line, f0, f0 + gn / 2.0, derphi0, &w, &mut None).unwrap();
        let (f, _) = line.at(t);
        check(&Step {
            t,
            f,
            g: line.gradient(t),
        });
        // an extra condition that refuses everything makes both fail
        let mut line = Line::<f64>::new(&Rosenbrock, &x, &d);
        let mut no = |_: f64, _: f64, _: &[f64]| false;
        assert!(wolfe12(&mut line, f0, f0 + gn / 2.0, derphi0, &w, Some(&mut no)).is_none());
    }
}
