//! [`Lbfgsb`]: L-BFGS-B, the limited-memory quasi-Newton method for box constraints of Byrd,
//! Lu, Nocedal & Zhu (1995), with the subspace step of Morales & Nocedal (2011, SciPy's
//! L-BFGS-B 3.0).


use super::bounded_search::{wolfe_on_segment, LinePoint, SegmentWolfe};
use super::lbfgsb_memory::Memory;
use super::lbfgsb_subspace::reduced_newton;
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::solver::{BoxedSolver, Solver, SolverStep, StopReason};
use crate::kernels::rows::dot;
use crate::problems::Bounds;
use crate::{Float, Objective, Result};

crate::hyperparameters! {
    /// `lbfgsb`: the hyperparameters of [`Lbfgsb`], named as SciPy's `fmin_l_bfgs_b`.
    pub struct LbfgsbConfig {
        /// Correction pairs kept (`minimize`'s `maxcor`).
        m: usize = 10, [Kind::Int, AtLeast(1.0), "correction pairs kept (SciPy's maxcor)"],
        /// Stop when `maxᵢ |proj gᵢ| ≤ pgtol` (`minimize`'s `gtol`).
        pgtol: f64 = 1e-5, [Kind::Float, AtLeast(0.0),
            "stop when the projected gradient's max norm is at most this (SciPy's gtol)"],
        /// Stop when `(f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ factr·ε_mach`
        /// (`minimize`'s `ftol = factr·ε_mach` = 2.22e-9 by default).
        factr: f64 = 1e7, [Kind::Float, AtLeast(0.0),
            "stop when the relative decrease of f is at most factr·eps (SciPy's ftol/eps)"],
        /// Maximum evaluations of one line search.
        maxls: usize = 20, [Kind::Int, AtLeast(1.0), "maximum evaluations of one line search"],
    }
}

impl Entry for LbfgsbConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const DOC: &'static str = "L-BFGS-B: limited-memory BFGS with box constraints (a solver).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        0.0
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(Lbfgsb::<T>::new(self.clone())?)))
    }
}

/// L-BFGS-B (`name = "lbfgsb"`): minimises `f` over the box `l ≤ x ≤ u` given by
/// [`Solver::set_bounds`] (no box: unconstrained L-BFGS with the same machinery).
///
/// The Hessian model is the compact limited-memory BFGS matrix of the last `m` pairs
/// `sᵢ = xᵢ₊₁ − xᵢ`, `yᵢ = gᵢ₊₁ − gᵢ` (kept when `sᵀy > ε·(−gᵢᵀsᵢ)`, as `mainlb` tests
/// `dr > epsmch·ddum`):
///
/// `B = θI − W M Wᵀ`, `W = [Y  θS]`, `M = [[−D, Lᵀ], [L, θSᵀS]]⁻¹`, `θ = yᵀy / sᵀy`,
///
/// with `D = diag(sᵢᵀyᵢ)` and `L` the strictly lower part of `SᵀY`. One step (= one
/// iteration, SciPy's `nit`):
///
/// 1. **Generalised Cauchy point** `x^c`: the first local minimiser of the quadratic model
///    `m(x) = f + gᵀ(x − x_k) + ½(x − x_k)ᵀB(x − x_k)` along the projected steepest-descent
///    path `P(x_k − t·g)`, found by walking its breakpoints `tᵢ` in order and updating
///    `f' = ∂m/∂t`, `f'' = ∂²m/∂t²` in `O(m)` per breakpoint (Byrd et al., Algorithm CP).
/// 2. **Subspace minimisation** over the variables free at `x^c` (direct primal method):
///    `d̂ = −B̂⁻¹ r` with the reduced gradient `r = Zᵀ(g + θ(x^c − x_k) − W M c)` and
///    `B̂⁻¹ = θ⁻¹I + θ⁻² ZᵀW K⁻¹ WᵀZ`, `K = M⁻¹ − θ⁻¹WᵀZZᵀW` (Sherman–Morrison–Woodbury),
///    `K` factored by blocks as L-BFGS-B's `formk`; `M` itself is applied
///    through the Cholesky factor of `θSᵀS + L D⁻¹ Lᵀ` (`bmv`), never inverted; then
///    `x̄ = P(x^c + d̂)` if no bound cut the step or `(x̄ − x_k)ᵀg ≤ 0`, else `x^c + α*d̂`
///    with the largest feasible `α* ≤ 1` (Morales & Nocedal 2011).
/// 3. **Line search** along `d = x̄ − x_k` for the strong Wolfe conditions (`c₁ = 10⁻³`,
///    `c₂ = 0.9`; Moré–Thuente as SciPy's `dcsrch`, [`wolfe_on_segment`]) on `t ∈ (0, t_max]`, `t_max` the largest step keeping `x` in the
///    box (1 on the first iteration of a constrained problem); the first trial is `t = 1`,
///    or `min(1/‖d‖, t_max)` on the first iteration when some variable is not boxed.
///
/// It stops (the run reports `converged`, and `stopped_by` the test, as SciPy's message) when
/// `‖P(x − g) − x‖_∞ ≤ pgtol` (`"pgtol"`) or when
/// `(f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ factr·ε_mach` (`"factr"`). Evaluations count gradient
/// calls (each gives `f` too): SciPy's `nfev`. A failed line search or an ascent direction
/// clears the memory and retries once from steepest descent; failing again, it stops
/// without converging (`"abnormal_termination_in_lnsrch"`, status `max_steps`).
/// Arithmetic is `f64` whatever `T` is.
#[derive(Debug, Clone)]
pub struct Lbfgsb<T> {
    cfg: LbfgsbConfig,
    bounds: Option<Bounds>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    x: Vec<f64>,
    g: Vec<f64>,
    f: f64,
    mem: Memory,
    iter: usize,
    started: bool,
    stop: Option<StopReason>,
    buf: Vec<T>,
    gbuf: Vec<T>,
}

impl<T: Float> Lbfgsb<T> {
    /// Validates `cfg` and builds the solver.
    pub fn new(cfg: LbfgsbConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(Lbfgsb {
            cfg,
            bounds: None,
            lo: Vec::new(),
            hi: Vec::new(),
            x: Vec::new(),
            g: Vec::new(),
            f: f64::NAN,
            mem: Memory::new(),
            iter: 0,
            started: false,
            stop: None,
            buf: Vec::new(),
            gbuf: Vec::new(),
        })
    }

    /// Iterations made so far (SciPy's `nit`).
    pub fn iterations(&self) -> usize {
        self.iter
    }

    /// `maxᵢ |P(x − g)ᵢ − xᵢ|` at the current point (SciPy's `projgr`).
    pub fn projected_gradient_norm(&self) -> f64 {
        projected_gradient(&self.x, &self.g, &self.lo, &self.hi)
            .iter()
            .fold(0.0, |a, v| a.max(v.abs()))
    }

    fn eval(&mut self, f: &dyn Objective<T>, x: &[f64], g: &mut [f64]) -> f64 {
        for (b, &v) in self.buf.iter_mut().zip(x) {
            *b = T::of(v);
        }
        let v = f.gradient(&self.buf, &mut self.gbuf).f64();
        for (gi, b) in g.iter_mut().zip(&self.gbuf) {
            *gi = b.f64();
        }
        v
    }

    fn start(&mut self, f: &dyn Objective<T>, x: &[T]) {
        let n = x.len();
        (self.lo, self.hi) = match &self.bounds {
            Some(b) if b.len() == n => (b.lo().to_vec(), b.hi().to_vec()),
            _ => (vec![f64::NEG_INFINITY; n], vec![f64::INFINITY; n]),
        };
        self.x = x
            .iter()
            .zip(self.lo.iter().zip(&self.hi))
            .map(|(v, (&l, &h))| v.f64().clamp(l, h))
            .collect();
        self.buf = vec![T::zero(); n];
        self.gbuf = vec![T::zero(); n];
        self.g = vec![0.0; n];
        let (x0, mut g) = (self.x.clone(), vec![0.0; n]);
        self.f = self.eval(f, &x0, &mut g);
        self.g = g;
        self.mem.clear();
        self.started = true;
        self.stop = (self.projected_gradient_norm() <= self.cfg.pgtol).then_some(PGTOL);
    }

    /// The generalised Cauchy point and `c = Wᵀ(x^c − x)`.
    fn cauchy(&self) -> (Vec<f64>, Vec<f64>) {
        let n = self.x.len();
        let k2 = self.mem.width();
        let (x, g, th) = (&self.x, &self.g, self.mem.theta);
        let mut d = vec![0.0; n];
        let mut breaks = Vec::new();
        // every moving variable has a breakpoint (`cauchy`'s `bnded`)
        let mut bounded = true;
        for i in 0..n {
            let t = if g[i] < 0.0 && self.hi[i].is_finite() {
                (x[i] - self.hi[i]) / g[i]
            } else if g[i] > 0.0 && self.lo[i].is_finite() {
                (x[i] - self.lo[i]) / g[i]
            } else {
                f64::INFINITY
            };
            if t > 0.0 {
                d[i] = -g[i];
                if t.is_finite() {
                    breaks.push((t, i));
                } else {
                    bounded &= g[i] == 0.0;
                }
            }
        }
        breaks.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut p = self.mem.wt_times(&d);
        let mut wb = Vec::with_capacity(k2);
        let mut c = vec![0.0; k2];
        let mut fp = -dot(&d, &d);
        let mut fpp = -th * fp - dot(&p, &self.mem.m_times(&p));
        let fpp0 = fpp;
        let mut dtmin = -fp / fpp;
        let mut told = 0.0;
        let mut xc = x.clone();
        let mut passed = 0;
        for &(tb, b) in &breaks {
            let dt = tb - told;
            if dtmin < dt {
                break;
            }
            passed += 1;
            let xcb = if d[b] > 0.0 { self.hi[b] } else { self.lo[b] };
            let zb = xcb - x[b];
            xc[b] = xcb;
            for (cj, pj) in c.iter_mut().zip(&p) {
                *cj += dt * pj;
            }
            let gb = g[b];
            self.mem.row_into(b, &mut wb);
            let mw = self.mem.m_times(&wb);
            fp += dt * fpp + gb * gb + th * gb * zb - gb * dot(&mw, &c);
            fpp -= th * gb * gb + 2.0 * gb * dot(&mw, &p) + gb * gb * dot(&mw, &wb);
            fpp = fpp.max(f64::EPSILON * fpp0);
            for (pj, wj) in p.iter_mut().zip(&wb) {
                *pj += gb * wj;
            }
            d[b] = 0.0;
            dtmin = -fp / fpp;
            told = tb;
        }
        if passed == breaks.len() && passed > 0 && bounded {
            // every variable reached its bound: the path ends there
            dtmin = 0.0;
        }
        let dtmin = if dtmin.is_finite() {
            dtmin.max(0.0)
        } else {
            0.0
        };
        told += dtmin;
        for i in 0..n {
            if d[i] != 0.0 {
                xc[i] = (x[i] + told * d[i]).clamp(self.lo[i], self.hi[i]);
            }
        }
        for (cj, pj) in c.iter_mut().zip(&p) {
            *cj += dtmin * pj;
        }
        (xc, c)
    }

    /// The subspace step from the Cauchy point: `x̄` (`None`: the middle matrix of the
    /// subspace problem is not numerically definite).
    fn subspace(&self, xc: &[f64], c: &[f64]) -> Option<Vec<f64>> {
        let (x, g, th) = (&self.x, &self.g, self.mem.theta);
        let (free, active): (Vec<usize>, Vec<usize>) =
            (0..x.len()).partition(|&i| self.lo[i] < xc[i] && xc[i] < self.hi[i]);
        if free.is_empty() {
            return Some(xc.to_vec());
        }
        // r = Zᵀ(g + B(x^c − x)) with B(x^c − x) = θ(x^c − x) − W M c
        let mc = self.mem.m_times(c);
        let mut wrow = Vec::with_capacity(mc.len());
        let r: Vec<f64> = free
            .iter()
            .map(|&i| {
                self.mem.row_into(i, &mut wrow);
                g[i] + th * (xc[i] - x[i]) - dot(&wrow, &mc)
            })
            .collect();
        let du = reduced_newton(&self.mem, &free, &active, &r)?;
        // Morales & Nocedal (2011): the projected Newton point if no bound cut it or if it
        // still descends from x_k; else back along d̂ to the first bound
        let mut xbar = xc.to_vec();
        let mut clipped = false;
        for (&i, &dui) in free.iter().zip(&du) {
            xbar[i] = (xc[i] + dui).clamp(self.lo[i], self.hi[i]);
            clipped |= xbar[i] == self.lo[i] || xbar[i] == self.hi[i];
        }
        let slope: f64 = (0..x.len()).map(|i| (xbar[i] - x[i]) * g[i]).sum();
        if !clipped || slope <= 0.0 {
            return Some(xbar);
        }
        let mut alpha: f64 = 1.0;
        let mut hit = None;
        for (j, (&i, &dui)) in free.iter().zip(&du).enumerate() {
            let t = if dui < 0.0 && self.lo[i].is_finite() {
                (self.lo[i] - xc[i]) / dui
            } else if dui > 0.0 && self.hi[i].is_finite() {
                (self.hi[i] - xc[i]) / dui
            } else {
                continue;
            };
            if t.max(0.0) < alpha {
                alpha = t.max(0.0);
                hit = Some(j);
            }
        }
        let mut xbar = xc.to_vec();
        for (j, (&i, &dui)) in free.iter().zip(&du).enumerate() {
            xbar[i] = if hit == Some(j) {
                // the variable that limits α lands on its bound exactly
                if dui > 0.0 {
                    self.hi[i]
                } else {
                    self.lo[i]
                }
            } else {
                (xc[i] + alpha * dui).clamp(self.lo[i], self.hi[i])
            };
        }
        Some(xbar)
    }

    /// One iteration; `false` when no acceptable step was found.
    fn iterate(&mut self, f: &dyn Objective<T>, evals: &mut usize) -> bool {
        let (xc, c) = self.cauchy();
        let Some(xbar) = self.subspace(&xc, &c) else {
            return false;
        };
        let n = self.x.len();
        let d: Vec<f64> = xbar.iter().zip(&self.x).map(|(a, b)| a - b).collect();
        let dphi0 = dot(&self.g, &d);
        if dphi0.is_nan() || dphi0 >= 0.0 {
            return false;
        }
        let constrained = self.lo.iter().chain(&self.hi).any(|v| v.is_finite());
        let boxed = (0..n).all(|i| self.lo[i].is_finite() && self.hi[i].is_finite());
        let t_max = if !constrained {
            1e10
        } else if self.iter == 0 {
            1.0
        } else {
            (0..n).fold(1e10, |m: f64, i| {
                if d[i] < 0.0 && self.lo[i].is_finite() {
                    m.min((self.lo[i] - self.x[i]) / d[i])
                } else if d[i] > 0.0 && self.hi[i].is_finite() {
                    m.min((self.hi[i] - self.x[i]) / d[i])
                } else {
                    m
                }
            })
        };
        let dnorm = dot(&d, &d).sqrt();
        let t0 = if self.iter == 0 && !boxed {
            (1.0 / dnorm).min(t_max)
        } else {
            1.0
        };
        let params = SegmentWolfe {
            c1: 1e-3,
            c2: 0.9,
            max_evals: self.cfg.maxls,
        };
        let (x0, f0) = (self.x.clone(), self.f);
        let (lo, hi) = (self.lo.clone(), self.hi.clone());
        let mut phi = |t: f64| {
            let xt: Vec<f64> = (0..n)
                .map(|i| (x0[i] + t * d[i]).clamp(lo[i], hi[i]))
                .collect();
            let mut g = vec![0.0; n];
            let f = self.eval(f, &xt, &mut g);
            LinePoint {
                t,
                f,
                dphi: dot(&g, &d),
                g,
            }
        };
        let (found, used) = wolfe_on_segment(&mut phi, f0, dphi0, t0, t_max, &params);
        *evals += used;
        let Some(q) = found else {
            return false;
        };
        let xnew: Vec<f64> = (0..n)
            .map(|i| (x0[i] + q.t * d[i]).clamp(lo[i], hi[i]))
            .collect();
        let s: Vec<f64> = xnew.iter().zip(&self.x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = q.g.iter().zip(&self.g).map(|(a, b)| a - b).collect();
        let (sy, yy) = (dot(&s, &y), dot(&y, &y));
        // SciPy's test (`dr ≤ epsmch·ddum` skips): against the decrease predicted along s, not
        // against yᵀy, which on a badly scaled problem drops the pairs SciPy keeps.
        if sy > f64::EPSILON * (-dphi0 * q.t) {
            self.mem.push(s, y, self.cfg.m, sy, yy);
        }
        let fold = self.f;
        self.x = xnew;
        self.g = q.g;
        self.f = q.f;
        self.iter += 1;
        let rel = (fold - self.f) / fold.abs().max(self.f.abs()).max(1.0);
        self.stop = if self.projected_gradient_norm() <= self.cfg.pgtol {
            Some(PGTOL)
        } else if rel <= self.cfg.factr * f64::EPSILON {
            Some(FACTR)
        } else {
            None
        };
        true
    }
}

/// SciPy's "NORM OF PROJECTED GRADIENT <= PGTOL".
const PGTOL: StopReason = StopReason::converged("pgtol");
/// SciPy's "RELATIVE REDUCTION OF F <= FACTR*EPSMCH".
const FACTR: StopReason = StopReason::converged("factr");
/// SciPy's "ABNORMAL_TERMINATION_IN_LNSRCH": no acceptable step even from steepest descent.
const LNSRCH: StopReason = StopReason::budget("abnormal_termination_in_lnsrch");

/// `P(x − g) − x` componentwise.
fn projected_gradient(x: &[f64], g: &[f64], lo: &[f64], hi: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| (x[i] - g[i]).clamp(lo[i], hi[i]) - x[i])
        .collect()
}

impl<T: Float> Solver<T> for Lbfgsb<T> {
    fn name(&self) -> &'static str {
        "lbfgsb"
    }
    fn lr(&self) -> f64 {
        0.0
    }
    fn set_bounds(&mut self, bounds: &Bounds) -> Result<()> {
        self.bounds = Some(bounds.clone());
        self.started = false;
        Ok(())
    }
    fn stop_reason(&self) -> Option<StopReason> {
        self.stop
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        let mut evaluations = 0;
        if !self.started || self.x.len() != x.len() {
            self.start(f, x);
            evaluations += 1;
        }
        let mut iterations = 0;
        if self.stop.is_none() {
            if self.iterate(f, &mut evaluations) {
                iterations = 1;
            } else if !self.mem.is_empty() {
                self.mem.clear();
                if self.iterate(f, &mut evaluations) {
                    iterations = 1;
                } else {
                    self.stop = Some(LNSRCH);
                }
            } else {
                self.stop = Some(LNSRCH);
            }
        }
        for (xi, &v) in x.iter_mut().zip(&self.x) {
            *xi = T::of(v);
        }
        SolverStep {
            iterations,
            evaluations,
            value: Some(self.f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::{Rosenbrock, Sphere};

    fn run(b: &[[f64; 2]], x0: &[f64], f: &dyn Objective<f64>) -> (Vec<f64>, Lbfgsb<f64>) {
        let mut s = Lbfgsb::<f64>::new(LbfgsbConfig {
            pgtol: 1e-10,
            factr: 0.0,
            ..Default::default()
        })
        .unwrap();
        s.set_bounds(&Bounds::new(b).unwrap()).unwrap();
        let mut x = x0.to_vec();
        for _ in 0..500 {
            s.step(f, &mut x);
            if s.stop_reason().is_some() {
                break;
            }
        }
        (x, s)
    }

    #[test]
    fn sphere_in_a_box_stops_on_the_faces() {
        let (x, s) = run(
            &[[1.0, 2.0], [-3.0, -0.5], [-1.0, 1.0]],
            &[1.5, -1.0, 0.7],
            &Sphere,
        );
        assert_eq!(x, vec![1.0, -0.5, 0.0]);
        assert!(s.projected_gradient_norm() <= 1e-10);
    }

    #[test]
    fn rosenbrock_inside_and_on_the_boundary() {
        let inf = f64::INFINITY;
        let (x, _) = run(&[[-2.0, 2.0], [-2.0, 2.0]], &[-1.2, 1.0], &Rosenbrock);
        assert!(
            (x[0] - 1.0).abs() < 1e-7 && (x[1] - 1.0).abs() < 1e-7,
            "{x:?}"
        );
        let (x, _) = run(&[[-inf, 0.5], [-inf, inf]], &[-1.2, 1.0], &Rosenbrock);
        assert_eq!(x[0], 0.5);
        assert!((x[1] - 0.25).abs() < 1e-9, "{x:?}");
    }

    #[test]
    fn validation_names_the_key() {
        let e = Lbfgsb::<f64>::new(LbfgsbConfig {
            m: 0,
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(e, crate::Error::InvalidParameter { ref key, .. } if key == "m"));
    }
}
