//! [`Cg`]: nonlinear conjugate gradients (Polak–Ribière+) as
//! `scipy.optimize.minimize(method="CG")` runs it.


use super::bfgs::{check_c1_c2, eval, C1, C2, MAXITER, NORM};
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::scipy_line::{dot, wolfe12, Line, Wolfe};
use super::scipy_opts::{drive, iterative_solver, Iterative, Norm, Progress, Stop};
use super::solver::{BoxedSolver, Solver, SolverStep};
use crate::{Float, Objective, Result};

crate::hyperparameters! {
    /// `cg`: the options of [`Cg`], named as SciPy's.
    pub struct CgConfig {
        /// Stop when `‖∇f‖_norm ≤ gtol`.
        gtol: f64 = 1e-5, [Kind::Float, AtLeast(0.0), "stop when the gradient norm is at most this"],
        /// Order of the norm in the `gtol` test (`inf`: the largest `|gᵢ|`).
        norm: Norm = Norm::default(), [NORM],
        /// Maximum iterations (`None`: SciPy's `200·n`).
        maxiter: Option<usize> = None, [MAXITER],
        /// Sufficient-decrease constant of the Wolfe search.
        c1: f64 = 1e-4, [C1],
        /// Curvature constant of the Wolfe search.
        c2: f64 = 0.4, [C2],
    }
}

impl Entry for CgConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const DOC: &'static str =
        "Nonlinear conjugate gradients, Polak-Ribiere+ (scipy.optimize CG, a solver).";
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
        Ok(Some(Box::new(Cg::<T>::new(self.clone())?)))
    }
}

/// Nonlinear conjugate gradients (`name = "cg"`), as SciPy's `_minimize_cg`.
///
/// `p₀ = −g₀`. One step (= one iteration) at `x_k`:
///
/// 1. `α_k` from SciPy's Wolfe search (`c1` = 1e-4, `c2` = 0.4; MINPACK's `dcsrch`, falling
///    back to `line_search_wolfe2`; first trial from `f_{k−1}`, with
///    `f₋₁ = f(x₀) + ‖g₀‖₂/2`), which also requires of the step (SciPy's `extra_condition`)
///    that the next direction descends enough: `‖g_{k+1}‖_norm ≤ gtol` or
///    `p_{k+1}ᵀg_{k+1} ≤ −σ₃‖g_{k+1}‖₂²` with `σ₃ = 0.01`;
/// 2. `x_{k+1} = x_k + α_k p_k`, and with Polak–Ribière+ (Powell's non-negative `β`)
///
///    `β_k = max(0, (g_{k+1} − g_k)ᵀg_{k+1} / g_kᵀg_k)`,  `p_{k+1} = −g_{k+1} + β_k p_k`.
///
/// It stops (`converged`, [`Cg::stop`] saying why) when `‖g‖_norm ≤ gtol` (also at `x₀`),
/// after `maxiter` iterations (default `200·n`) or when the line search fails (SciPy's
/// "precision loss"; `x` stays). Evaluations are gradient calls: SciPy's `nfev`.
#[derive(Debug, Clone)]
pub struct Cg<T> {
    cfg: CgConfig,
    x: Vec<f64>,
    g: Vec<f64>,
    p: Vec<f64>,
    f: f64,
    old_old: f64,
    progress: Progress,
    _t: std::marker::PhantomData<T>,
}

/// The next direction and gradient norm from an accepted `(α, g_{k+1})`.
struct Next {
    t: f64,
    p: Vec<f64>,
    gnorm: f64,
}

impl<T: Float> Cg<T> {
    /// Validates `cfg` and builds the solver.
    pub fn new(cfg: CgConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(Cg {
            cfg,
            x: Vec::new(),
            g: Vec::new(),
            p: Vec::new(),
            f: f64::NAN,
            old_old: f64::NAN,
            progress: Progress::default(),
            _t: std::marker::PhantomData,
        })
    }

    /// `polak_ribiere_powell_step`.
    fn next(&self, t: f64, g1: &[f64], deltak: f64) -> Next {
        let num: f64 = g1.iter().zip(&self.g).map(|(a, b)| (a - b) * a).sum();
        let v = num / deltak;
        let beta = if v > 0.0 { v } else { 0.0 };
        let p = g1
            .iter()
            .zip(&self.p)
            .map(|(gi, pi)| -gi + beta * pi)
            .collect();
        Next {
            t,
            p,
            gnorm: self.cfg.norm.of(g1),
        }
    }
}

impl<T: Float> Iterative<T> for Cg<T> {
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
        self.p = self.g.iter().map(|v| -v).collect();
        let at_gtol = self.cfg.norm.of(&self.g) <= self.cfg.gtol;
        self.progress.begin(self.cfg.maxiter, n, at_gtol);
    }
    /// One iteration; returns the gradient calls made.
    fn iterate(&mut self, f: &dyn Objective<T>) -> usize {
        let deltak = dot(&self.g, &self.g);
        let w = Wolfe {
            c1: self.cfg.c1,
            c2: self.cfg.c2,
            amin: 1e-100,
            amax: 1e100,
        };
        let derphi0 = dot(&self.g, &self.p);
        let mut cached: Option<Next> = None;
        let (found, evals) = {
            let this = &*self;
            let mut descent = |t: f64, _f: f64, g1: &[f64]| {
                let nx = this.next(t, g1, deltak);
                let ok = nx.gnorm <= this.cfg.gtol || dot(&nx.p, g1) <= -0.01 * dot(g1, g1);
                cached = Some(nx);
                ok
            };
            let mut line = Line::new(f, &this.x, &this.p);
            let found = wolfe12(
                &mut line,
                this.f,
                this.old_old,
                derphi0,
                &w,
                Some(&mut descent),
            );
            (found, line.evals)
        };
        let Some(step) = found else {
            self.progress.stop = Some(Stop::LineSearch);
            return evals;
        };
        let nx = match cached {
            Some(c) if c.t == step.t => c,
            _ => self.next(step.t, &step.g, deltak),
        };
        for (xi, pi) in self.x.iter_mut().zip(&self.p) {
            *xi += step.t * pi;
        }
        self.p = nx.p;
        self.g = step.g;
        self.old_old = self.f;
        self.f = step.f;
        self.progress.advance(nx.gnorm <= self.cfg.gtol);
        evals
    }
}

iterative_solver!(Cg, "cg");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::{IllConditioned, Rosenbrock};

    fn run(cfg: CgConfig, f: &dyn Objective<f64>, x0: &[f64]) -> (Vec<f64>, Cg<f64>) {
        let mut s = Cg::<f64>::new(cfg).unwrap();
        let mut x = x0.to_vec();
        for _ in 0..10_000 {
            s.step(f, &mut x);
            if s.converged() {
                break;
            }
        }
        (x, s)
    }

    #[test]
    fn rosenbrock_to_gtol() {
        let (x, s) = run(CgConfig::default(), &Rosenbrock, &[-1.2, 1.0]);
        assert_eq!(s.stop(), Some(Stop::Gtol));
        assert!(
            (x[0] - 1.0).abs() < 1e-5 && (x[1] - 1.0).abs() < 1e-5,
            "{x:?}"
        );
    }

    #[test]
    fn two_dimensional_quadratic_in_few_steps() {
        // exact line searches would take 2 steps; the Wolfe search takes a few more
        let (x, s) = run(CgConfig::default(), &IllConditioned, &[-3.0, 4.0]);
        assert_eq!(s.stop(), Some(Stop::Gtol));
        assert!(s.iterations() <= 10, "{}", s.iterations());
        assert!(x.iter().all(|v| v.abs() < 1e-4), "{x:?}");
    }

    #[test]
    fn validation_names_the_key() {
        let e = Cg::<f64>::new(CgConfig {
            c2: 1.5,
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(e, crate::Error::InvalidParameter { ref key, .. } if key == "c2"));
    }
}
