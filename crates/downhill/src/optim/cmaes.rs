//! [`Cmaes`]: the covariance matrix adaptation evolution strategy, (μ/μ_w, λ)-CMA-ES as in
//! Hansen's tutorial (arXiv:1604.00772, 2016), with optional IPOP restarts (Auger & Hansen
//! 2005).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::dense::symmetric_eigen;
use super::params::*;
use super::registry::{Entry, EntryKind};
use super::solver::{BoxedSolver, Solver, SolverStep};
use crate::problems::Bounds;
use crate::{Float, Objective, Result};

crate::hyperparameters! {
    /// `cmaes`: the hyperparameters of [`Cmaes`].
    pub struct CmaesConfig {
        /// Initial step size σ₀.
        sigma0: f64 = 0.5, [Kind::Float, Above(0.0), "initial step size"],
        /// Offspring per generation λ; 0 = the default `4 + ⌊3 ln n⌋`.
        population: usize = 0, [Kind::Int, Any,
            "offspring per generation λ (0: 4 + ⌊3 ln n⌋; else ≥ 2)"],
        /// IPOP restarts, each with twice the population, after a stop criterion.
        restarts: usize = 0, [Kind::Int, Any, "IPOP restarts, each doubling the population"],
        /// Half-width of the region around `x0` where the problem has no (finite) bound, from
        /// which restarts draw their mean.
        scale: f64 = 5.0, [Kind::Float, Above(0.0),
            "half-width of the region around x0 where there is no bound"],
        /// Random seed.
        seed: u64 = 0, [Kind::Int, Any, "seed of the random numbers"],
    }
}

impl Entry for CmaesConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const DOC: &'static str = "CMA-ES (Hansen's tutorial), optional IPOP restarts (a solver).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        0.0
    }
    fn validate(&self) -> Result<()> {
        super::params::check(self, Self::PARAMS)?;
        if self.population == 1 {
            return Err(crate::Error::param(
                "population",
                1,
                "must be 0 (default) or >= 2",
            ));
        }
        Ok(())
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(Cmaes::<T>::new(self.clone())?)))
    }
}

/// The state of one CMA-ES run (between restarts).
#[derive(Debug, Clone)]
struct Run {
    lambda: usize,
    weights: Vec<f64>,
    mueff: f64,
    cs: f64,
    ds: f64,
    cc: f64,
    c1: f64,
    cmu: f64,
    chi_n: f64,
    mean: Vec<f64>,
    sigma: f64,
    ps: Vec<f64>,
    pc: Vec<f64>,
    /// `C`, `B` (eigenvectors in columns) and `D` (√eigenvalues).
    c: Vec<f64>,
    b: Vec<f64>,
    d: Vec<f64>,
    eigen_at: usize,
    generation: usize,
    history: Vec<f64>,
}

impl Run {
    fn new(mean: Vec<f64>, sigma: f64, lambda: usize) -> Run {
        let n = mean.len();
        let nf = n as f64;
        let mu = lambda / 2;
        let raw: Vec<f64> = (1..=mu)
            .map(|i| ((lambda as f64 + 1.0) / 2.0).ln() - (i as f64).ln())
            .collect();
        let total: f64 = raw.iter().sum();
        let weights: Vec<f64> = raw.iter().map(|w| w / total).collect();
        let mueff = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        let cs = (mueff + 2.0) / (nf + mueff + 5.0);
        let ds = 1.0 + 2.0 * (((mueff - 1.0) / (nf + 1.0)).sqrt() - 1.0).max(0.0) + cs;
        let cc = (4.0 + mueff / nf) / (nf + 4.0 + 2.0 * mueff / nf);
        let c1 = 2.0 / ((nf + 1.3).powi(2) + mueff);
        let cmu = (1.0 - c1).min(2.0 * (mueff - 2.0 + 1.0 / mueff) / ((nf + 2.0).powi(2) + mueff));
        let mut eye = vec![0.0; n * n];
        for i in 0..n {
            eye[i * n + i] = 1.0;
        }
        Run {
            lambda,
            weights,
            mueff,
            cs,
            ds,
            cc,
            c1,
            cmu,
            chi_n: nf.sqrt() * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf)),
            mean,
            sigma,
            ps: vec![0.0; n],
            pc: vec![0.0; n],
            c: eye.clone(),
            b: eye,
            d: vec![1.0; n],
            eigen_at: 0,
            generation: 0,
            history: Vec::new(),
        }
    }
}

/// CMA-ES (`name = "cmaes"`); one step is one generation.
///
/// With `n` variables, `λ = population` (default `4 + ⌊3 ln n⌋`), `μ = ⌊λ/2⌋`, weights
/// `wᵢ ∝ ln((λ+1)/2) − ln i` (positive, summing to 1), `μ_eff = 1/Σwᵢ²` and the tutorial's
/// defaults `c_σ = (μ_eff + 2)/(n + μ_eff + 5)`, `d_σ = 1 + 2 max(0, √((μ_eff−1)/(n+1)) − 1)
/// + c_σ`, `c_c = (4 + μ_eff/n)/(n + 4 + 2μ_eff/n)`, `c₁ = 2/((n + 1.3)² + μ_eff)`,
/// `c_μ = min(1 − c₁, 2(μ_eff − 2 + 1/μ_eff)/((n + 2)² + μ_eff))`, each generation:
///
/// - sample `y_k = B D z_k`, `z_k ~ N(0, I)`, `x_k = m + σ y_k` (k = 1…λ);
/// - rank by `f(P(x_k)) + ‖x_k − P(x_k)‖²` where `P` clips into the problem's box (**bounds
///   by clipping with a quadratic penalty**; only `P(x_k)`, inside the box, is evaluated);
/// - `⟨y⟩ = Σᵢ wᵢ y_{i:λ}`, `m ← m + σ⟨y⟩`;
/// - `p_σ ← (1 − c_σ)p_σ + √(c_σ(2 − c_σ)μ_eff) C^{−½}⟨y⟩`,
///   `σ ← σ exp((c_σ/d_σ)(‖p_σ‖/E‖N(0, I)‖ − 1))`;
/// - `h_σ = [‖p_σ‖/√(1 − (1 − c_σ)^{2(g+1)}) < (1.4 + 2/(n + 1)) E‖N(0, I)‖]`,
///   `p_c ← (1 − c_c)p_c + h_σ√(c_c(2 − c_c)μ_eff)⟨y⟩`;
/// - `C ← (1 − c₁ − c_μ + (1 − h_σ)c₁c_c(2 − c_c))C + c₁p_c p_cᵀ + c_μ Σᵢ wᵢ y_{i:λ}y_{i:λ}ᵀ`,
///   decomposed `C = B D² Bᵀ` (Jacobi) every `max(1, ⌊λ/(10n(c₁ + c_μ))⌋)` generations.
///
/// Stop criteria (tutorial, appendix B): the best values of the last `10 + ⌈30n/λ⌉`
/// generations span less than 1e-12, `σ·max(√Cᵢᵢ, |p_c,ᵢ|) < 1e-12·σ₀`, or `cond(C) > 1e14`.
/// Then, while `restarts` remain, a new run starts with `λ` doubled (IPOP) and its mean drawn
/// uniformly in the search region (the box, with infinite sides at `x0ᵢ ∓ scale`); otherwise
/// the solver reports `converged`. The first run starts at `x0` with `σ₀ = sigma0`. The step
/// writes the best point found so far; evaluations are function values (λ per generation).
/// Random numbers: `ChaCha8Rng::seed_from_u64(seed)`, drawn in a fixed order.
#[derive(Debug, Clone)]
pub struct Cmaes<T> {
    cfg: CmaesConfig,
    bounds: Option<Bounds>,
    region: (Vec<f64>, Vec<f64>),
    rng: ChaCha8Rng,
    run: Option<Run>,
    restarts_left: usize,
    best_x: Vec<f64>,
    best_f: f64,
    done: bool,
    _t: std::marker::PhantomData<T>,
}

impl<T: Float> Cmaes<T> {
    /// Validates `cfg` and builds the solver.
    pub fn new(cfg: CmaesConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(Cmaes {
            rng: ChaCha8Rng::seed_from_u64(cfg.seed),
            restarts_left: cfg.restarts,
            cfg,
            bounds: None,
            region: (Vec::new(), Vec::new()),
            run: None,
            best_x: Vec::new(),
            best_f: f64::INFINITY,
            done: false,
            _t: std::marker::PhantomData,
        })
    }

    /// The current step size σ.
    pub fn sigma(&self) -> f64 {
        self.run.as_ref().map_or(self.cfg.sigma0, |r| r.sigma)
    }

    /// The current population size λ.
    pub fn population(&self) -> usize {
        self.run.as_ref().map_or(0, |r| r.lambda)
    }

    fn clip(&self, x: &mut [f64]) {
        if let Some(b) = &self.bounds {
            b.project(x);
        }
    }

    fn generation(&mut self, f: &dyn Objective<T>) -> usize {
        let Some(mut r) = self.run.take() else {
            return 0;
        };
        let n = r.mean.len();
        let mut ys = Vec::with_capacity(r.lambda);
        let mut ranked = Vec::with_capacity(r.lambda);
        for k in 0..r.lambda {
            let z: Vec<f64> = (0..n).map(|_| self.rng.sample(StandardNormal)).collect();
            let y: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| r.b[i * n + j] * r.d[j] * z[j]).sum())
                .collect();
            let x: Vec<f64> = (0..n).map(|i| r.mean[i] + r.sigma * y[i]).collect();
            let mut p = x.clone();
            self.clip(&mut p);
            let fx = f.value(&crate::float::vec_of::<T>(&p)).f64();
            let pen: f64 = x.iter().zip(&p).map(|(a, b)| (a - b) * (a - b)).sum();
            if fx < self.best_f || self.best_f.is_nan() {
                self.best_f = fx;
                self.best_x = p;
            }
            let fit = if fx.is_nan() { f64::INFINITY } else { fx + pen };
            ranked.push((fit, k));
            ys.push(y);
        }
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mu = r.weights.len();
        let mut yw = vec![0.0; n];
        for (w, &(_, k)) in r.weights.iter().zip(&ranked[..mu]) {
            for (a, y) in yw.iter_mut().zip(&ys[k]) {
                *a += w * y;
            }
        }
        for (m, y) in r.mean.iter_mut().zip(&yw) {
            *m += r.sigma * y;
        }
        // C^{-1/2} ⟨y⟩ = B D⁻¹ Bᵀ ⟨y⟩
        let bty: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|i| r.b[i * n + j] * yw[i]).sum::<f64>() / r.d[j])
            .collect();
        let cs_f = (r.cs * (2.0 - r.cs) * r.mueff).sqrt();
        for i in 0..n {
            let v: f64 = (0..n).map(|j| r.b[i * n + j] * bty[j]).sum();
            r.ps[i] = (1.0 - r.cs) * r.ps[i] + cs_f * v;
        }
        let ps_norm = r.ps.iter().map(|v| v * v).sum::<f64>().sqrt();
        r.sigma *= ((r.cs / r.ds) * (ps_norm / r.chi_n - 1.0)).exp();
        let g = r.generation as i32 + 1;
        let hs = ps_norm / (1.0 - (1.0 - r.cs).powi(2 * g)).sqrt()
            < (1.4 + 2.0 / (n as f64 + 1.0)) * r.chi_n;
        let cc_f = (r.cc * (2.0 - r.cc) * r.mueff).sqrt();
        for (pc, y) in r.pc.iter_mut().zip(&yw) {
            *pc = (1.0 - r.cc) * *pc + if hs { cc_f * y } else { 0.0 };
        }
        let delta = if hs { 0.0 } else { r.cc * (2.0 - r.cc) };
        let keep = 1.0 - r.c1 - r.cmu + r.c1 * delta;
        for i in 0..n {
            for j in 0..n {
                let rank_mu: f64 = r
                    .weights
                    .iter()
                    .zip(&ranked[..mu])
                    .map(|(w, &(_, k))| w * ys[k][i] * ys[k][j])
                    .sum();
                r.c[i * n + j] = keep * r.c[i * n + j] + r.c1 * r.pc[i] * r.pc[j] + r.cmu * rank_mu;
            }
        }
        r.generation += 1;
        let gap = ((r.lambda as f64) / (10.0 * n as f64 * (r.c1 + r.cmu))).floor() as usize;
        if r.generation - r.eigen_at >= gap.max(1) {
            let (l, b) = symmetric_eigen(&r.c, n);
            r.d = l.iter().map(|v| v.max(1e-300).sqrt()).collect();
            r.b = b;
            r.eigen_at = r.generation;
        }
        r.history.push(ranked[0].0);
        let evals = r.lambda;
        let stop = self.should_stop(&r);
        self.run = Some(r);
        if stop {
            self.restart();
        }
        evals
    }

    fn should_stop(&self, r: &Run) -> bool {
        let n = r.mean.len();
        let len = 10 + (30 * n).div_ceil(r.lambda);
        let h = &r.history;
        let flat = h.len() >= len && {
            let tail = &h[h.len() - len..];
            let (lo, hi) = tail
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            hi - lo < 1e-12
        };
        let tolx = (0..n)
            .all(|i| r.sigma * r.c[i * n + i].sqrt().max(r.pc[i].abs()) < 1e-12 * self.cfg.sigma0);
        let (dmin, dmax) =
            r.d.iter()
                .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
        let cond = (dmax / dmin).powi(2) > 1e14;
        flat || tolx || cond || !r.sigma.is_finite()
    }

    fn restart(&mut self) {
        let Some(old) = self.run.take() else {
            return;
        };
        if self.restarts_left == 0 {
            self.run = Some(old);
            self.done = true;
            return;
        }
        self.restarts_left -= 1;
        let (lo, hi) = self.region.clone();
        let mean: Vec<f64> = lo
            .iter()
            .zip(&hi)
            .map(|(&l, &h)| l + (h - l) * self.rng.random::<f64>())
            .collect();
        self.run = Some(Run::new(mean, self.cfg.sigma0, 2 * old.lambda));
    }

    fn start(&mut self, x: &[T]) {
        let mut x0: Vec<f64> = x.iter().map(|v| v.f64()).collect();
        self.clip(&mut x0);
        self.region = Bounds::region_around(self.bounds.as_ref(), &x0, self.cfg.scale);
        let n = x0.len().max(1);
        let lambda = match self.cfg.population {
            0 => 4 + (3.0 * (n as f64).ln()).floor() as usize,
            p => p,
        };
        self.best_x = x0.clone();
        self.best_f = f64::INFINITY;
        self.run = Some(Run::new(x0, self.cfg.sigma0, lambda));
    }
}

impl<T: Float> Solver<T> for Cmaes<T> {
    fn name(&self) -> &'static str {
        "cmaes"
    }
    fn lr(&self) -> f64 {
        0.0
    }
    fn set_bounds(&mut self, bounds: &Bounds) -> Result<()> {
        self.bounds = Some(bounds.clone());
        self.run = None;
        Ok(())
    }
    fn converged(&self) -> bool {
        self.done
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        if self.run.as_ref().is_none_or(|r| r.mean.len() != x.len()) {
            self.start(x);
        }
        let (mut iterations, mut evaluations) = (0, 0);
        if !self.done {
            evaluations = self.generation(f);
            iterations = 1;
        }
        for (xi, &v) in x.iter_mut().zip(&self.best_x) {
            *xi = T::of(v);
        }
        SolverStep {
            iterations,
            evaluations,
            value: self.best_f.is_finite().then_some(self.best_f),
        }
    }
}
