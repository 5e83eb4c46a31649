//! MINPACK-2's `dcsrch` line search (Moré & Thuente 1994) as SciPy runs it
//! (`scipy/optimize/_dcsrch.py`, called by `line_search_wolfe1`): a step `t > 0` with
//!
//! `φ(t) ≤ φ(0) + ftol·t·φ'(0)` and `|φ'(t)| ≤ gtol·|φ'(0)|`
//!
//! found by safeguarded cubic / quadratic steps ([`dcstep`]) inside an interval of
//! uncertainty that is extended by factors 1.1–4 until it brackets such a step, then shrunk
//! (bisection whenever it does not shrink by 0.66 in two trials). Stage 1 works on the modified
//! function `ψ(t) = φ(t) − φ(0) − ftol·t·φ'(0)` until some trial has `ψ ≤ 0` and `φ' ≥ 0`.

/// `np.sign`: −1, 0 or 1 (0 for ±0; NaN stays NaN).
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        v
    }
}

/// Python's `max(a, b, c)`: the first of the largest (comparisons with `>`).
fn pymax3(a: f64, b: f64, c: f64) -> f64 {
    let mut m = a;
    if b > m {
        m = b;
    }
    if c > m {
        m = c;
    }
    m
}

/// `np.clip(v, lo, hi)`.
fn clip(v: f64, lo: f64, hi: f64) -> f64 {
    if v < lo {
        lo
    } else if v > hi {
        hi
    } else {
        v
    }
}

/// One end of the interval of uncertainty: step, value, derivative.
#[derive(Debug, Clone, Copy)]
struct End {
    t: f64,
    f: f64,
    d: f64,
}

/// MINPACK's `dcstep`: the safeguarded next trial from the interval ends `x` (best so far) and
/// `y` and the trial `p`; updates the ends and `brackt`, returns the new trial step.
fn dcstep(x: &mut End, y: &mut End, p: End, brackt: &mut bool, stpmin: f64, stpmax: f64) -> f64 {
    let (stx, fx, dx) = (x.t, x.f, x.d);
    let (sty, fy, dy) = (y.t, y.f, y.d);
    let (stp, fp, dp) = (p.t, p.f, p.d);
    let sgnd = sign(dp) * sign(dx);
    let stpf;
    if fp > fx {
        // higher value: the minimum is bracketed
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = pymax3(theta.abs(), dx.abs(), dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
        if stp < stx {
            gamma = -gamma;
        }
        let p_ = (gamma - dx) + theta;
        let q = ((gamma - dx) + gamma) + dp;
        let r = p_ / q;
        let stpc = stx + r * (stp - stx);
        let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
        stpf = if (stpc - stx).abs() <= (stpq - stx).abs() {
            stpc
        } else {
            stpc + (stpq - stpc) / 2.0
        };
        *brackt = true;
    } else if sgnd < 0.0 {
        // derivatives of opposite sign: bracketed
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = pymax3(theta.abs(), dx.abs(), dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
        if stp > stx {
            gamma = -gamma;
        }
        let p_ = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dx;
        let r = p_ / q;
        let stpc = stp + r * (stx - stp);
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        stpf = if (stpc - stp).abs() > (stpq - stp).abs() {
            stpc
        } else {
            stpq
        };
        *brackt = true;
    } else if dp.abs() < dx.abs() {
        // same sign, derivative magnitude decreases
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = pymax3(theta.abs(), dx.abs(), dp.abs());
        let rad = (theta / s).powi(2) - (dx / s) * (dp / s);
        let mut gamma = s * (if rad > 0.0 { rad } else { 0.0 }).sqrt();
        if stp > stx {
            gamma = -gamma;
        }
        let p_ = (gamma - dp) + theta;
        let q = (gamma + (dx - dp)) + gamma;
        let r = p_ / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            stp + r * (stx - stp)
        } else if stp > stx {
            stpmax
        } else {
            stpmin
        };
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        if *brackt {
            let mut f = if (stpc - stp).abs() < (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            let lim = stp + 0.66 * (sty - stp);
            // Python's min(lim, f) / max(lim, f)
            f = if stp > stx {
                if f < lim {
                    f
                } else {
                    lim
                }
            } else if f > lim {
                f
            } else {
                lim
            };
            stpf = f;
        } else {
            let f = if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = clip(f, stpmin, stpmax);
        }
    } else if *brackt {
        // same sign, derivative does not decrease: step to the far end's cubic minimiser
        let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
        let s = pymax3(theta.abs(), dy.abs(), dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dy / s) * (dp / s)).sqrt();
        if stp > sty {
            gamma = -gamma;
        }
        let p_ = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dy;
        let r = p_ / q;
        stpf = stp + r * (sty - stp);
    } else if stp > stx {
        stpf = stpmax;
    } else {
        stpf = stpmin;
    }
    if fp > fx {
        *y = p;
    } else {
        if sgnd < 0.0 {
            *y = *x;
        }
        *x = p;
    }
    stpf
}

/// What [`Dcsrch::iterate`] asks for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Task {
    /// Evaluate `φ` and `φ'` at the returned step.
    Evaluate,
    /// The step satisfies both conditions.
    Converged,
    /// A warning ended the search (rounding, `xtol`, a step bound): SciPy treats it as failure.
    Warning,
    /// Bad input (initial derivative not negative, step outside the bounds).
    Error,
}

/// The state of one `dcsrch` search.
#[derive(Debug, Clone)]
pub(crate) struct Dcsrch {
    ftol: f64,
    gtol: f64,
    xtol: f64,
    stpmin: f64,
    stpmax: f64,
    brackt: bool,
    stage: u8,
    finit: f64,
    ginit: f64,
    gtest: f64,
    width: f64,
    width1: f64,
    x: End,
    y: End,
    stmin: f64,
    stmax: f64,
    started: bool,
}

impl Dcsrch {
    /// A search with sufficient-decrease constant `ftol` (`c1`), curvature constant `gtol`
    /// (`c2`), relative interval tolerance `xtol` and step bounds.
    pub(crate) fn new(ftol: f64, gtol: f64, xtol: f64, stpmin: f64, stpmax: f64) -> Self {
        let e = End {
            t: 0.0,
            f: 0.0,
            d: 0.0,
        };
        Dcsrch {
            ftol,
            gtol,
            xtol,
            stpmin,
            stpmax,
            brackt: false,
            stage: 1,
            finit: 0.0,
            ginit: 0.0,
            gtest: 0.0,
            width: 0.0,
            width1: 0.0,
            x: e,
            y: e,
            stmin: 0.0,
            stmax: 0.0,
            started: false,
        }
    }

    /// One call of `dcsrch`: `(f, g) = (φ(stp), φ'(stp))` (at the first call `φ(0)`, `φ'(0)`
    /// with `stp` the initial trial). Returns the next step and what to do with it.
    pub(crate) fn iterate(&mut self, stp: f64, f: f64, g: f64) -> (f64, Task) {
        const P5: f64 = 0.5;
        const P66: f64 = 0.66;
        const XTRAPL: f64 = 1.1;
        const XTRAPU: f64 = 4.0;
        if !self.started {
            if stp < self.stpmin
                || stp > self.stpmax
                || g >= 0.0
                || self.ftol < 0.0
                || self.gtol < 0.0
                || self.xtol < 0.0
                || self.stpmin < 0.0
                || self.stpmax < self.stpmin
            {
                return (stp, Task::Error);
            }
            self.started = true;
            self.brackt = false;
            self.stage = 1;
            self.finit = f;
            self.ginit = g;
            self.gtest = self.ftol * self.ginit;
            self.width = self.stpmax - self.stpmin;
            self.width1 = self.width / P5;
            self.x = End {
                t: 0.0,
                f: self.finit,
                d: self.ginit,
            };
            self.y = self.x;
            self.stmin = 0.0;
            self.stmax = stp + XTRAPU * stp;
            return (stp, Task::Evaluate);
        }
        let ftest = self.finit + stp * self.gtest;
        if self.stage == 1 && f <= ftest && g >= 0.0 {
            self.stage = 2;
        }
        let mut task = None;
        if self.brackt && (stp <= self.stmin || stp >= self.stmax) {
            task = Some(Task::Warning);
        }
        if self.brackt && self.stmax - self.stmin <= self.xtol * self.stmax {
            task = Some(Task::Warning);
        }
        if stp == self.stpmax && f <= ftest && g <= self.gtest {
            task = Some(Task::Warning);
        }
        if stp == self.stpmin && (f > ftest || g >= self.gtest) {
            task = Some(Task::Warning);
        }
        if f <= ftest && g.abs() <= self.gtol * -self.ginit {
            task = Some(Task::Converged);
        }
        if let Some(t) = task {
            return (stp, t);
        }
        let mut stp = stp;
        if self.stage == 1 && f <= self.x.f && f > ftest {
            // the modified function ψ
            let gt = self.gtest;
            let m = |e: End| End {
                t: e.t,
                f: e.f - e.t * gt,
                d: e.d - gt,
            };
            let (mut xm, mut ym) = (m(self.x), m(self.y));
            let pm = m(End { t: stp, f, d: g });
            stp = dcstep(
                &mut xm,
                &mut ym,
                pm,
                &mut self.brackt,
                self.stmin,
                self.stmax,
            );
            let back = |e: End| End {
                t: e.t,
                f: e.f + e.t * gt,
                d: e.d + gt,
            };
            self.x = back(xm);
            self.y = back(ym);
        } else {
            stp = dcstep(
                &mut self.x,
                &mut self.y,
                End { t: stp, f, d: g },
                &mut self.brackt,
                self.stmin,
                self.stmax,
            );
        }
        if self.brackt {
            if (self.y.t - self.x.t).abs() >= P66 * self.width1 {
                stp = self.x.t + P5 * (self.y.t - self.x.t);
            }
            self.width1 = self.width;
            self.width = (self.y.t - self.x.t).abs();
            self.stmin = self.x.t.min(self.y.t);
            self.stmax = self.x.t.max(self.y.t);
        } else {
            self.stmin = stp + XTRAPL * (stp - self.x.t);
            self.stmax = stp + XTRAPU * (stp - self.x.t);
        }
        stp = clip(stp, self.stpmin, self.stpmax);
        if self.brackt
            && (stp <= self.stmin
                || stp >= self.stmax
                || self.stmax - self.stmin <= self.xtol * self.stmax)
        {
            stp = self.x.t;
        }
        (stp, Task::Evaluate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the search on `φ` from `t0` (at most 100 evaluations, as SciPy).
    fn search(phi: impl Fn(f64) -> (f64, f64), t0: f64, c1: f64, c2: f64) -> Option<(f64, usize)> {
        let (f0, g0) = phi(0.0);
        let mut s = Dcsrch::new(c1, c2, 1e-14, 1e-100, 1e100);
        let (mut stp, mut task) = s.iterate(t0, f0, g0);
        let mut evals = 0;
        while task == Task::Evaluate && evals < 100 {
            let (f, g) = phi(stp);
            evals += 1;
            (stp, task) = s.iterate(stp, f, g);
        }
        (task == Task::Converged).then_some((stp, evals))
    }

    #[test]
    fn accepts_the_minimiser_of_a_parabola_at_once() {
        // φ(t) = (t − 1)², φ'(0) = −2: t = 1 is exact.
        let r = search(|t| ((t - 1.0).powi(2), 2.0 * (t - 1.0)), 1.0, 1e-4, 0.9);
        assert_eq!(r, Some((1.0, 1)));
    }

    #[test]
    fn brackets_and_satisfies_the_strong_wolfe_conditions() {
        // φ(t) = −t·e^{−t} + small: minimum at t = 1; start far too short and far too long.
        let phi = |t: f64| (-t * (-t).exp(), (t - 1.0) * (-t).exp());
        for t0 in [1e-3, 20.0] {
            let (t, evals) = search(phi, t0, 1e-4, 0.1).unwrap();
            let (f, g) = phi(t);
            assert!(f <= -(1e-4 * t));
            assert!(g.abs() <= 0.1, "t0 = {t0}: t = {t}, φ' = {g}");
            assert!(evals < 20, "{evals}");
        }
    }

    #[test]
    fn refuses_an_ascent_direction() {
        let mut s = Dcsrch::new(1e-4, 0.9, 1e-14, 0.0, 10.0);
        assert_eq!(s.iterate(1.0, 0.0, 1.0).1, Task::Error);
        assert_eq!(sign(-0.0), 0.0);
        assert_eq!(pymax3(1.0, 3.0, 2.0), 3.0);
    }
}
