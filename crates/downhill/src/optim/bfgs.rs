//! [`Bfgs`]: the BFGS quasi-Newton method as `scipy.optimize.minimize(method="BFGS")` runs it.


use super::params::*;
use super::registry::{Entry, EntryKind};
use super::scipy_line::{dot, wolfe12, Line, Wolfe};
use super::scipy_opts::{drive, iterative_solver, Iterative, Norm, Progress, Stop};
use super::solver::{BoxedSolver, Solver, SolverStep};
use crate::{Error, Float, Objective, Result};

crate::hyperparameters! {
    /// `bfgs`: the options of [`Bfgs`], named as SciPy's.
    pub struct BfgsConfig {
        /// Stop when `‖∇f‖_norm ≤ gtol`.
        gtol: f64 = 1e-5, [Kind::Float, AtLeast(0.0), "stop when the gradient norm is at most this"],
        /// Order of the norm in the `gtol` test (`inf`: the largest `|gᵢ|`).
        norm: Norm = Norm::default(), [NORM],
        /// Maximum iterations (`None`: SciPy's `200·n`).
        maxiter: Option<usize> = None, [MAXITER],
        /// Stop when the step `‖s‖₂ ≤ xrtol·(xrtol + ‖x‖₂)` (0: never).
        xrtol: f64 = 0.0, [Kind::Float, AtLeast(0.0),
            "stop when the step is at most xrtol relative to x (0: never)"],
        /// Sufficient-decrease constant of the Wolfe search.
        c1: f64 = 1e-4, [C1],
        /// Curvature constant of the Wolfe search.
        c2: f64 = 0.9, [C2],
    }
}

/// The `norm` row of a `PARAMS` table.
pub(crate) const NORM: ParamSpec = float(
    "norm",
    Any,
    "order of the gradient norm in the gtol test (inf = max |g_i|, -inf = min |g_i|)",
);
/// The `maxiter` row (default 200·n).
pub(crate) const MAXITER: ParamSpec = int(
    "maxiter",
    AtLeast(1.0),
    "maximum iterations (default 200 times the number of variables)",
);

/// The `c1` row (the Wolfe line search's sufficient-decrease constant).
pub(crate) const C1: ParamSpec = float(
    "c1",
    Open(0.0, 1.0),
    "sufficient-decrease constant (0 < c1 < c2 < 1)",
);
/// The `c2` row (the Wolfe line search's curvature constant).
pub(crate) const C2: ParamSpec =
    float("c2", Open(0.0, 1.0), "curvature constant (0 < c1 < c2 < 1)");

/// `0 < c1 < c2 < 1`, as SciPy's `_check_c1_c2`, naming the key.
pub(crate) fn check_c1_c2(c1: f64, c2: f64) -> Result<()> {
    if !(c1 > 0.0 && c1 < 1.0) {
        return Err(Error::param("c1", c1, "must satisfy 0 < c1 < c2 < 1"));
    }
    if !(c2 > c1 && c2 < 1.0) {
        return Err(Error::param("c2", c2, "must satisfy 0 < c1 < c2 < 1"));
    }
    Ok(())
}

impl Entry for BfgsConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const DOC: &'static str = "BFGS with SciPy's Wolfe line search (scipy.optimize, a solver).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        0.0
    }
    fn validate(&self) -> Result<()> {
        check(self, Self::PARAMS)?;
        self.norm.validate()?;
        check_c1_c2(self.c1, self.c2)
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(Bfgs::<T>::new(self.clone())?)))
    }
}

/// `f`, `∇f` at a point, read into `f64`.
pub(crate) fn eval<T: Float>(f: &dyn Objective<T>, x: &[f64], g: &mut [f64]) -> f64 {
    let xt: Vec<T> = x.iter().map(|&v| T::of(v)).collect();
    let mut gt = vec![T::zero(); x.len()];
    let v = f.gradient(&xt, &mut gt).f64();
    for (gi, b) in g.iter_mut().zip(&gt) {
        *gi = b.f64();
    }
    v
}

/// BFGS (`name = "bfgs"`), as SciPy's `_minimize_bfgs`.
///
/// The inverse-Hessian estimate starts at `H₀ = I`. One step (= one iteration, SciPy's `nit`)
/// at `x_k` with `g_k = ∇f(x_k)`:
///
/// 1. `p_k = −H_k g_k`;
/// 2. `α_k` from SciPy's Wolfe search (`c1`, `c2`; MINPACK's `dcsrch`, falling back to
///    `line_search_wolfe2`), whose first trial uses `f_{k−1}` — at `k = 0`,
///    `f₋₁ = f(x₀) + ‖g₀‖₂/2`, so that the first step has length about 1;
/// 3. `s_k = α_k p_k`, `x_{k+1} = x_k + s_k`, `y_k = g_{k+1} − g_k`, `ρ_k = 1/(y_kᵀs_k)`
///    (1000 when `y_kᵀs_k = 0`), and
///
///    `H_{k+1} = (I − ρ_k s_k y_kᵀ) H_k (I − ρ_k y_k s_kᵀ) + ρ_k s_k s_kᵀ`.
///
/// It stops (`converged`, with [`Bfgs::stop`] saying why) when `‖g‖_norm ≤ gtol` (also at
/// `x₀`), when `α_k‖p_k‖₂ ≤ xrtol·(xrtol + ‖x_{k+1}‖₂)`, after `maxiter` iterations (default
/// `200·n`), when the line search fails (SciPy's "precision loss"; `x` stays) or `f` is not
/// finite. Evaluations are gradient calls (each gives `f`): SciPy's `nfev`. Arithmetic is
/// `f64` whatever `T` is; `H` is a dense `n × n` matrix.
#[derive(Debug, Clone)]
pub struct Bfgs<T> {
    cfg: BfgsConfig,
    x: Vec<f64>,
    g: Vec<f64>,
    f: f64,
    old_old: f64,
    h: Vec<f64>,
    progress: Progress,
    _t: std::marker::PhantomData<T>,
}

impl<T: Float> Bfgs<T> {
    /// Validates `cfg` and builds the solver.
    pub fn new(cfg: BfgsConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(Bfgs {
            cfg,
            x: Vec::new(),
            g: Vec::new(),
            f: f64::NAN,
            old_old: f64::NAN,
            h: Vec::new(),
            progress: Progress::default(),
            _t: std::marker::PhantomData,
        })
    }

    /// The inverse-Hessian estimate `H_k` (row-major `n × n`; SciPy's `hess_inv`).
    pub fn hess_inv(&self) -> &[f64] {
        &self.h
    }
}

impl<T: Float> Iterative<T> for Bfgs<T> {
    fn progress(&self) -> &Progress {
        &self.progress
    }
    fn current(&self) -> (&[f64], f64) {
        (&self.x, self.f)
    }
    fn start(&mut self, f: &dyn Objective<T>, x: &[T]) {
        let n = x.len();
        self.x = x.iter().map(|v| v.f64()).collect();
        self.g = vec![0.0; n];
        self.f = eval(f, &self.x, &mut self.g);
        self.old_old = self.f + dot(&self.g, &self.g).sqrt() / 2.0;
        self.h = vec![0.0; n * n];
        for i in 0..n {
            self.h[i * n + i] = 1.0;
        }
        let at_gtol = self.cfg.norm.of(&self.g) <= self.cfg.gtol;
        self.progress.begin(self.cfg.maxiter, n, at_gtol);
    }
    /// One iteration; returns the gradient calls made.
    fn iterate(&mut self, f: &dyn Objective<T>) -> usize {
        let n = self.x.len();
        let p: Vec<f64> = (0..n)
            .map(|i| -dot(&self.h[i * n..(i + 1) * n], &self.g))
            .collect();
        let w = Wolfe {
            c1: self.cfg.c1,
            c2: self.cfg.c2,
            amin: 1e-100,
            amax: 1e100,
        };
        let derphi0 = dot(&self.g, &p);
        let mut line = Line::new(f, &self.x, &p);
        let found = wolfe12(&mut line, self.f, self.old_old, derphi0, &w, None);
        let evals = line.evals;
        let Some(step) = found else {
            self.progress.stop = Some(Stop::LineSearch);
            return evals;
        };
        let s: Vec<f64> = p.iter().map(|pi| step.t * pi).collect();
        for (xi, si) in self.x.iter_mut().zip(&s) {
            *xi += si;
        }
        let y: Vec<f64> = step.g.iter().zip(&self.g).map(|(a, b)| a - b).collect();
        self.old_old = self.f;
        self.f = step.f;
        self.g = step.g;
        self.progress
            .advance(self.cfg.norm.of(&self.g) <= self.cfg.gtol);
        if self.progress.stop == Some(Stop::Gtol) {
            return evals;
        }
        let xr = self.cfg.xrtol;
        if step.t * dot(&p, &p).sqrt() <= xr * (xr + dot(&self.x, &self.x).sqrt()) {
            self.progress.stop = Some(Stop::Xrtol);
            return evals;
        }
        if !self.f.is_finite() {
            self.progress.stop = Some(Stop::NonFinite);
            return evals;
        }
        let rho_inv = dot(&y, &s);
        let rho = if rho_inv == 0.0 {
            1000.0
        } else {
            1.0 / rho_inv
        };
        // (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ = H − ρ(s(Hy)ᵀ + (Hy)sᵀ) + (ρ²·yᵀHy + ρ)ssᵀ
        let hy: Vec<f64> = (0..n)
            .map(|i| dot(&self.h[i * n..(i + 1) * n], &y))
            .collect();
        let yhy = dot(&y, &hy);
        let c = rho * rho * yhy + rho;
        for i in 0..n {
            for j in 0..n {
                self.h[i * n + j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + c * s[i] * s[j];
            }
        }
        evals
    }
}

iterative_solver!(Bfgs, "bfgs");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::Rosenbrock;

    fn run(cfg: BfgsConfig, f: &dyn Objective<f64>, x0: &[f64]) -> (Vec<f64>, Bfgs<f64>, usize) {
        let mut s = Bfgs::<f64>::new(cfg).unwrap();
        let mut x = x0.to_vec();
        let mut evals = 0;
        for _ in 0..10_000 {
            evals += s.step(f, &mut x).evaluations;
            if s.converged() {
                break;
            }
        }
        (x, s, evals)
    }

    #[test]
    fn rosenbrock_to_gtol() {
        let (x, s, evals) = run(BfgsConfig::default(), &Rosenbrock, &[-1.2, 1.0]);
        assert_eq!(s.stop(), Some(Stop::Gtol));
        assert!(
            (x[0] - 1.0).abs() < 1e-5 && (x[1] - 1.0).abs() < 1e-5,
            "{x:?}"
        );
        // SciPy 1.17: nit 32, nfev 39 (tests/reference/scipy_solver_refs.json)
        assert!(
            s.iterations() < 45 && evals < 60,
            "{} {evals}",
            s.iterations()
        );
    }

    #[test]
    fn the_update_satisfies_the_secant_condition() {
        // after one iteration H₁y₀ = s₀
        let mut s = Bfgs::<f64>::new(BfgsConfig::default()).unwrap();
        let x0 = [-1.2, 1.0];
        let mut x = x0.to_vec();
        s.step(&Rosenbrock, &mut x);
        assert_eq!(s.iterations(), 1);
        let (mut g0, mut g1) = ([0.0; 2], [0.0; 2]);
        Objective::<f64>::gradient(&Rosenbrock, &x0, &mut g0);
        Objective::<f64>::gradient(&Rosenbrock, &x, &mut g1);
        let y = [g1[0] - g0[0], g1[1] - g0[1]];
        let h = s.hess_inv();
        for i in 0..2 {
            let hy = h[2 * i] * y[0] + h[2 * i + 1] * y[1];
            assert!(
                (hy - (x[i] - x0[i])).abs() < 1e-12,
                "{hy} vs {}",
                x[i] - x0[i]
            );
        }
        assert!((h[1] - h[2]).abs() <= 1e-15 * h[1].abs());
    }

    #[test]
    fn maxiter_and_validation() {
        let (_, s, _) = run(
            BfgsConfig {
                maxiter: Some(3),
                ..Default::default()
            },
            &Rosenbrock,
            &[-1.2, 1.0],
        );
        assert_eq!((s.stop(), s.iterations()), (Some(Stop::MaxIter), 3));
        let key = |c: BfgsConfig| match Bfgs::<f64>::new(c) {
            Err(Error::InvalidParameter { key, .. }) => key,
            other => panic!("{:?}", other.err()),
        };
        let c2 = BfgsConfig {
            c1: 0.5,
            c2: 0.4,
            ..Default::default()
        };
        assert_eq!(key(c2), "c2");
        let gtol = BfgsConfig {
            gtol: -1.0,
            ..Default::default()
        };
        assert_eq!(key(gtol), "gtol");
        let norm = BfgsConfig {
            norm: Norm(0.0),
            ..Default::default()
        };
        assert_eq!(key(norm), "norm");
    }
}
