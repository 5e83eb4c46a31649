//! [`NelderMead`]: the downhill simplex method as `scipy.optimize.minimize(method =
//! "Nelder-Mead")` runs it, with the adaptive parameters of Gao & Han (2012) and bounds by
//! clipping (SciPy ≥ 1.7).


use super::params::*;
use super::registry::{Entry, EntryKind};
use super::solver::{BoxedSolver, Solver, SolverStep, StopReason};
use crate::problems::Bounds;
use crate::{Float, Objective, Result};

crate::hyperparameters! {
    /// `nelder_mead`: the hyperparameters of [`NelderMead`], named as SciPy's options.
    pub struct NelderMeadConfig {
        /// Stop when every vertex is within `xatol` of the best, coordinatewise…
        xatol: f64 = 1e-4, [Kind::Float, AtLeast(0.0), "simplex size in x at which to stop"],
        /// …and every vertex's value within `fatol` of the best one.
        fatol: f64 = 1e-4, [Kind::Float, AtLeast(0.0), "spread of f over the simplex at which to stop"],
        /// Gao & Han's dimension-dependent coefficients (`true`); `false` (SciPy's default):
        /// ρ = 1, χ = 2, ψ = σ = ½.
        adaptive: bool = false, [Kind::Bool, Any,
            "Gao & Han's coefficients for the dimension (SciPy's adaptive=True)"],
        /// Iteration budget, SciPy's `maxiter` (`200·n` when neither budget is given; unlimited
        /// when only `maxfev` is).
        #[serde(skip_serializing_if = "Option::is_none")]
        maxiter: Option<usize> = None, [Kind::Int, AtLeast(1.0),
            "iteration budget (default 200·n with maxfev unset, else none)"],
        /// Evaluation budget, SciPy's `maxfev` (`200·n` when neither budget is given; unlimited
        /// when only `maxiter` is).
        #[serde(skip_serializing_if = "Option::is_none")]
        maxfev: Option<usize> = None, [Kind::Int, AtLeast(1.0),
            "evaluation budget (default 200·n with maxiter unset, else none)"],
    }
}

impl NelderMeadConfig {
    /// `(maxiter, maxfev)` for `n` variables, as SciPy resolves them (`usize::MAX`: none).
    pub fn budgets(&self, n: usize) -> (usize, usize) {
        let default = n.saturating_mul(200);
        match (self.maxiter, self.maxfev) {
            (None, None) => (default, default),
            (Some(i), None) => (i, usize::MAX),
            (None, Some(f)) => (usize::MAX, f),
            (Some(i), Some(f)) => (i, f),
        }
    }
}

impl Entry for NelderMeadConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const DOC: &'static str = "Nelder-Mead simplex, SciPy's algorithm (a solver).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        0.0
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(NelderMead::<T>::new(self.clone())?)))
    }
}

/// Nelder–Mead (`name = "nelder_mead"`), operation for operation as SciPy's
/// `_minimize_neldermead`.
///
/// Coefficients for `n` variables: reflection `ρ = 1`, expansion `χ = 1 + 2/n`, contraction
/// `ψ = ¾ − 1/(2n)`, shrink `σ = 1 − 1/n` (Gao & Han; `adaptive = false`: `χ = 2`,
/// `ψ = σ = ½`). The initial simplex is `x0` and `x0` with coordinate `k` scaled by 1.05 (set
/// to 0.00025 when it is 0). Inside a box, vertices above `hi` are reflected to `2·hi − v`
/// and every vertex is clipped into the box; so is every trial point. One step (= one
/// iteration) with the vertices sorted `f(x₀) ≤ … ≤ f(xₙ)` and the centroid
/// `x̄ = (1/n) Σ_{i<n} xᵢ`:
///
/// - reflect `x_r = (1 + ρ)x̄ − ρxₙ`; if `f_r < f₀` expand `x_e = (1 + ρχ)x̄ − ρχxₙ` and keep
///   the better of the two;
/// - else if `f_r < f_{n−1}` keep `x_r`;
/// - else if `f_r < fₙ` contract outside `x_c = (1 + ψρ)x̄ − ψρxₙ`, kept if `f_c ≤ f_r`;
/// - else contract inside `x_cc = (1 − ψ)x̄ + ψxₙ`, kept if `f_cc < fₙ`;
/// - when a contraction is rejected, shrink `xᵢ ← x₀ + σ(xᵢ − x₀)` for `i ≥ 1`;
///
/// then sort again (stable, NaN last). Before an iteration it stops on a budget when
/// `maxfev` evaluations or `maxiter` iterations (counted from 1, as SciPy's `nit`) are spent
/// (`stopped_by = "maxfev"` / `"maxiter"`, status `max_steps`); else (`converged`,
/// `"xatol_fatol"`) when `maxᵢ ‖xᵢ − x₀‖_∞ ≤ xatol` and `maxᵢ |fᵢ − f₀| ≤ fatol`. As in
/// SciPy, an evaluation beyond `maxfev` is never made: the iteration it belongs to ends there,
/// keeping what it had changed. The step writes the best vertex; evaluations are function
/// values (`n + 1` for the first simplex).
#[derive(Debug, Clone)]
pub struct NelderMead<T> {
    cfg: NelderMeadConfig,
    bounds: Option<Bounds>,
    sim: Vec<Vec<f64>>,
    fsim: Vec<f64>,
    stop: Option<StopReason>,
    fcalls: usize,
    nit: usize,
    maxiter: usize,
    maxfev: usize,
    buf: Vec<T>,
}

impl<T: Float> NelderMead<T> {
    /// Validates `cfg` and builds the solver.
    pub fn new(cfg: NelderMeadConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(NelderMead {
            cfg,
            bounds: None,
            sim: Vec::new(),
            fsim: Vec::new(),
            stop: None,
            fcalls: 0,
            nit: 1,
            maxiter: 0,
            maxfev: 0,
            buf: Vec::new(),
        })
    }

    /// The simplex, best vertex first.
    pub fn simplex(&self) -> &[Vec<f64>] {
        &self.sim
    }

    /// `f(x)`, or `None` once `maxfev` evaluations are spent (SciPy's `_MaxFuncCallError`).
    fn value(&mut self, f: &dyn Objective<T>, x: &[f64], evals: &mut usize) -> Option<f64> {
        if self.fcalls >= self.maxfev {
            return None;
        }
        for (b, &v) in self.buf.iter_mut().zip(x) {
            *b = T::of(v);
        }
        *evals += 1;
        self.fcalls += 1;
        Some(f.value(&self.buf).f64())
    }

    /// Iterations so far, counted from 1 as SciPy's `nit`.
    pub fn nit(&self) -> usize {
        self.nit
    }

    /// SciPy's loop test before an iteration: a budget, then `xatol` and `fatol`.
    fn check(&mut self) {
        self.stop = if self.fcalls >= self.maxfev {
            Some(StopReason::budget("maxfev"))
        } else if self.nit >= self.maxiter {
            Some(StopReason::budget("maxiter"))
        } else if self.small() {
            Some(StopReason::converged("xatol_fatol"))
        } else {
            None
        };
    }

    fn clip(&self, x: &mut [f64]) {
        if let Some(b) = &self.bounds {
            b.project(x);
        }
    }

    fn start(&mut self, f: &dyn Objective<T>, x0: &[T], evals: &mut usize) {
        let n = x0.len();
        self.buf = vec![T::zero(); n];
        (self.maxiter, self.maxfev) = self.cfg.budgets(n);
        (self.fcalls, self.nit) = (0, 1);
        let mut x0: Vec<f64> = x0.iter().map(|v| v.f64()).collect();
        self.clip(&mut x0);
        let mut sim = vec![x0.clone()];
        for k in 0..n {
            let mut y = x0.clone();
            y[k] = if y[k] != 0.0 { 1.05 * y[k] } else { 0.00025 };
            sim.push(y);
        }
        if let Some(b) = &self.bounds {
            for v in &mut sim {
                for (vi, &hi) in v.iter_mut().zip(b.hi()) {
                    if *vi > hi {
                        *vi = 2.0 * hi - *vi;
                    }
                }
                b.project(v);
            }
        }
        self.fsim = vec![f64::INFINITY; n + 1];
        for (k, v) in sim.iter().enumerate() {
            match self.value(f, v, evals) {
                Some(fv) => self.fsim[k] = fv,
                None => break,
            }
        }
        self.sim = sim;
        self.sort();
        self.check();
    }

    fn sort(&mut self) {
        let key = |v: f64| if v.is_nan() { f64::INFINITY } else { v };
        let mut idx: Vec<usize> = (0..self.fsim.len()).collect();
        idx.sort_by(|&a, &b| key(self.fsim[a]).total_cmp(&key(self.fsim[b])));
        self.sim = idx.iter().map(|&i| self.sim[i].clone()).collect();
        self.fsim = idx.iter().map(|&i| self.fsim[i]).collect();
    }

    fn small(&self) -> bool {
        let best = &self.sim[0];
        let dx = self.sim[1..]
            .iter()
            .flat_map(|v| v.iter().zip(best).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        let df = self.fsim[1..]
            .iter()
            .map(|v| (self.fsim[0] - v).abs())
            .fold(0.0, f64::max);
        dx <= self.cfg.xatol && df <= self.cfg.fatol
    }

    /// `a·x̄ + b·xₙ`, clipped.
    fn point(&self, xbar: &[f64], a: f64, b: f64) -> Vec<f64> {
        let worst = &self.sim[self.sim.len() - 1];
        let mut p: Vec<f64> = xbar.iter().zip(worst).map(|(c, w)| a * c + b * w).collect();
        self.clip(&mut p);
        p
    }

    /// One iteration; `None` when it ran out of evaluations part way.
    fn iterate(&mut self, f: &dyn Objective<T>, evals: &mut usize) -> Option<()> {
        let n = self.sim.len() - 1;
        let nf = n as f64;
        let (rho, chi, psi, sigma) = if self.cfg.adaptive {
            (1.0, 1.0 + 2.0 / nf, 0.75 - 1.0 / (2.0 * nf), 1.0 - 1.0 / nf)
        } else {
            (1.0, 2.0, 0.5, 0.5)
        };
        let mut xbar = vec![0.0; n];
        for v in &self.sim[..n] {
            for (c, x) in xbar.iter_mut().zip(v) {
                *c += x;
            }
        }
        for c in &mut xbar {
            *c /= nf;
        }
        let xr = self.point(&xbar, 1.0 + rho, -rho);
        let fxr = self.value(f, &xr, evals)?;
        let mut shrink = false;
        if fxr < self.fsim[0] {
            let xe = self.point(&xbar, 1.0 + rho * chi, -rho * chi);
            let fxe = self.value(f, &xe, evals)?;
            if fxe < fxr {
                self.replace_worst(xe, fxe);
            } else {
                self.replace_worst(xr, fxr);
            }
        } else if fxr < self.fsim[n - 1] {
            self.replace_worst(xr, fxr);
        } else if fxr < self.fsim[n] {
            let xc = self.point(&xbar, 1.0 + psi * rho, -psi * rho);
            let fxc = self.value(f, &xc, evals)?;
            if fxc <= fxr {
                self.replace_worst(xc, fxc);
            } else {
                shrink = true;
            }
        } else {
            let xcc = self.point(&xbar, 1.0 - psi, psi);
            let fxcc = self.value(f, &xcc, evals)?;
            if fxcc < self.fsim[n] {
                self.replace_worst(xcc, fxcc);
            } else {
                shrink = true;
            }
        }
        if shrink {
            for j in 1..=n {
                let mut v: Vec<f64> = self.sim[j]
                    .iter()
                    .zip(&self.sim[0])
                    .map(|(x, b)| b + sigma * (x - b))
                    .collect();
                self.clip(&mut v);
                self.sim[j] = v;
                let v = self.sim[j].clone();
                self.fsim[j] = self.value(f, &v, evals)?;
            }
        }
        self.nit += 1;
        Some(())
    }

    fn replace_worst(&mut self, x: Vec<f64>, fx: f64) {
        let n = self.sim.len() - 1;
        self.sim[n] = x;
        self.fsim[n] = fx;
    }
}

impl<T: Float> Solver<T> for NelderMead<T> {
    fn name(&self) -> &'static str {
        "nelder_mead"
    }
    fn lr(&self) -> f64 {
        0.0
    }
    fn set_bounds(&mut self, bounds: &Bounds) -> Result<()> {
        self.bounds = Some(bounds.clone());
        self.sim.clear();
        Ok(())
    }
    fn stop_reason(&self) -> Option<StopReason> {
        self.stop
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        let mut evaluations = 0;
        if self.sim.len() != x.len() + 1 || x.is_empty() {
            self.start(f, x, &mut evaluations);
        }
        let mut iterations = 0;
        if self.stop.is_none() && !x.is_empty() {
            if self.iterate(f, &mut evaluations).is_some() {
                iterations = 1;
            }
            self.sort();
            self.check();
        }
        if let Some(best) = self.sim.first() {
            for (xi, &v) in x.iter_mut().zip(best) {
                *xi = T::of(v);
            }
        }
        SolverStep {
            iterations,
            evaluations,
            value: self.fsim.first().copied(),
        }
    }
}
