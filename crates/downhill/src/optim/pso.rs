//! [`Pso`]: global-best particle swarm optimisation with Clerc's constriction coefficients.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;


use super::params::*;
use super::registry::{Entry, EntryKind};
use super::solver::{BoxedSolver, Solver, SolverStep};
use crate::problems::Bounds;
use crate::{Error, Float, Objective, Result};

crate::hyperparameters! {
    /// `pso`: the hyperparameters of [`Pso`].
    pub struct PsoConfig {
        /// Swarm size.
        particles: usize = 40, [Kind::Int, AtLeast(1.0), "swarm size"],
        /// Inertia weight.
        inertia: f64 = 0.7298, [Kind::Float, AtLeast(0.0), "inertia weight w"],
        /// Cognitive coefficient.
        cognitive: f64 = 1.49618, [Kind::Float, AtLeast(0.0), "pull towards the particle's own best"],
        /// Social coefficient.
        social: f64 = 1.49618, [Kind::Float, AtLeast(0.0), "pull towards the swarm's best"],
        /// Search box `[lo, hi]` of every coordinate.
        #[serde(deserialize_with = "super::exact_pair")]
        bounds: [f64; 2] = [-5.12, 5.12], [Kind::Pair, Any,
            "search box [lo, hi] of every coordinate (lo < hi)"],
        /// Random seed.
        seed: u64 = 0, [Kind::Int, Any, "seed of the random numbers"],
    }
}

impl Entry for PsoConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const DOC: &'static str = "Global-best particle swarm with constriction coefficients.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        0.0
    }
    fn validate(&self) -> Result<()> {
        super::params::check(self, Self::PARAMS)?;
        let [lo, hi] = self.bounds;
        if !(lo < hi && lo.is_finite() && hi.is_finite()) {
            return Err(Error::param(
                "bounds",
                format!("[{lo}, {hi}]"),
                "must be finite with lo < hi",
            ));
        }
        Ok(())
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(Pso::<T>::new(self.clone())?)))
    }
}

/// Particle swarm (`name = "pso"`), global-best topology, synchronous updates.
///
/// The swarm of `particles` positions `xᵢ ∈ [lo, hi]ⁿ` (`bounds = [lo, hi]`, the same box for
/// every coordinate; with a problem box given through [`Solver::set_bounds`], each coordinate
/// has its own box, [`Bounds::search_region`] with this `bounds` pair as the fallback for
/// infinite sides — below, `lo`, `hi` are then per coordinate) is created on the first step: particle 0 starts at the run's `x0`
/// (clamped into the box), the others uniformly in the box; velocities are uniform in
/// `[lo − xᵢⱼ, hi − xᵢⱼ]` (SPSO 2011). All are evaluated; `pᵢ` (each particle's best) and `g`
/// (the swarm's best) are set. Each step (= one iteration, `steps` in `[run]`) then, for every
/// particle and coordinate with fresh `r₁, r₂ ~ U[0, 1)`:
///
/// `vᵢ ← w·vᵢ + c₁·r₁·(pᵢ − xᵢ) + c₂·r₂·(g − xᵢ)`, clamped to `|vᵢⱼ| ≤ hi − lo`;
/// `xᵢ ← xᵢ + vᵢ`; a coordinate that leaves the box is clamped to it and its velocity set to 0;
///
/// then every particle is evaluated, `pᵢ` updated where `f(xᵢ) < f(pᵢ)`, and `g` to the best
/// `pᵢ` (first index on ties). The step writes `g` into `x`; its value is `f(g)`.
///
/// Defaults: `particles = 40`, `inertia w = 0.7298`, `cognitive c₁ = 1.49618`,
/// `social c₂ = 1.49618` (Clerc & Kennedy's constriction, χ = 0.7298 with φ = 4.1),
/// `bounds = [-5.12, 5.12]` (Rastrigin's classic domain), `seed = 0`. Random numbers come
/// from `ChaCha8Rng::seed_from_u64(seed)`, drawn in a fixed order, so a run is reproducible.
/// Evaluations: `particles` function values per step, plus `particles` on the first.
#[derive(Debug, Clone)]
pub struct Pso<T> {
    particles: usize,
    inertia: f64,
    cognitive: f64,
    social: f64,
    bounds: (f64, f64),
    problem: Option<Bounds>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    rng: ChaCha8Rng,
    n: usize,
    pos: Vec<T>,
    vel: Vec<f64>,
    best_pos: Vec<T>,
    best_f: Vec<f64>,
    global: usize,
}

impl<T: Float> Pso<T> {
    /// Validates `cfg` and builds the swarm.
    pub fn new(cfg: PsoConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(Pso {
            particles: cfg.particles,
            inertia: cfg.inertia,
            cognitive: cfg.cognitive,
            social: cfg.social,
            bounds: (cfg.bounds[0], cfg.bounds[1]),
            problem: None,
            lo: Vec::new(),
            hi: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(cfg.seed),
            n: 0,
            pos: Vec::new(),
            vel: Vec::new(),
            best_pos: Vec::new(),
            best_f: Vec::new(),
            global: 0,
        })
    }
    /// The swarm's best value so far (`+∞` before the first step).
    pub fn best_value(&self) -> f64 {
        self.best_f
            .get(self.global)
            .copied()
            .unwrap_or(f64::INFINITY)
    }

    fn update_global(&mut self) {
        for i in 0..self.particles {
            if self.best_f[i] < self.best_f[self.global] || self.best_f[self.global].is_nan() {
                self.global = i;
            }
        }
    }

    /// Evaluates particle `i` and updates its best; NaN values never become a best.
    fn evaluate(&mut self, f: &dyn Objective<T>, i: usize) {
        let n = self.n;
        let v = f.value(&self.pos[i * n..(i + 1) * n]).f64();
        if v < self.best_f[i] {
            self.best_f[i] = v;
            self.best_pos[i * n..(i + 1) * n].copy_from_slice(&self.pos[i * n..(i + 1) * n]);
        }
    }

    fn initialise(&mut self, f: &dyn Objective<T>, x0: &[T]) {
        let (n, m) = (x0.len(), self.particles);
        (self.lo, self.hi) = match &self.problem {
            Some(b) => b.search_region([self.bounds.0, self.bounds.1]),
            None => (vec![self.bounds.0; n], vec![self.bounds.1; n]),
        };
        self.n = n;
        self.pos = vec![T::zero(); m * n];
        self.vel = vec![0.0; m * n];
        self.best_pos = vec![T::zero(); m * n];
        self.best_f = vec![f64::INFINITY; m];
        self.global = 0;
        for i in 0..m {
            for (j, x0j) in x0.iter().enumerate() {
                let (lo, hi) = (self.lo[j], self.hi[j]);
                let x = if i == 0 {
                    x0j.f64().clamp(lo, hi)
                } else {
                    lo + (hi - lo) * self.rng.random::<f64>()
                };
                let v = (lo - x) + (hi - lo) * self.rng.random::<f64>();
                self.pos[i * n + j] = T::of(x);
                self.vel[i * n + j] = v;
            }
            self.evaluate(f, i);
        }
        self.update_global();
    }
}

impl<T: Float> Solver<T> for Pso<T> {
    fn name(&self) -> &'static str {
        "pso"
    }
    fn lr(&self) -> f64 {
        0.0
    }
    fn set_bounds(&mut self, bounds: &Bounds) -> Result<()> {
        self.problem = Some(bounds.clone());
        self.n = 0;
        Ok(())
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        let mut evaluations = 0;
        if self.n != x.len() || self.best_f.len() != self.particles {
            self.initialise(f, x);
            evaluations += self.particles;
        }
        let (n, m) = (self.n, self.particles);
        let g0 = self.global * n;
        for i in 0..m {
            for j in 0..n {
                let (lo, hi) = (self.lo[j], self.hi[j]);
                let vmax = hi - lo;
                let k = i * n + j;
                let xk = self.pos[k].f64();
                let r1: f64 = self.rng.random();
                let r2: f64 = self.rng.random();
                let v = self.inertia * self.vel[k]
                    + self.cognitive * r1 * (self.best_pos[k].f64() - xk)
                    + self.social * r2 * (self.best_pos[g0 + j].f64() - xk);
                let v = v.clamp(-vmax, vmax);
                let xn = xk + v;
                if xn < lo || xn > hi {
                    self.pos[k] = T::of(xn.clamp(lo, hi));
                    self.vel[k] = 0.0;
                } else {
                    self.pos[k] = T::of(xn);
                    self.vel[k] = v;
                }
            }
        }
        for i in 0..m {
            self.evaluate(f, i);
        }
        evaluations += m;
        self.update_global();
        let g = self.global * n;
        x.copy_from_slice(&self.best_pos[g..g + n]);
        SolverStep {
            iterations: 1,
            evaluations,
            value: Some(self.best_f[self.global]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::Sphere;

    #[test]
    fn same_seed_same_swarm_and_best_never_worsens() {
        let run = |seed| {
            let mut p = Pso::<f64>::new(PsoConfig {
                seed,
                ..Default::default()
            })
            .unwrap();
            let mut x = vec![3.0, -2.0];
            let mut fs = Vec::new();
            for _ in 0..30 {
                fs.push(p.step(&Sphere, &mut x).value.unwrap());
            }
            (x, fs)
        };
        let (xa, fa) = run(7);
        let (xb, fb) = run(7);
        assert_eq!((xa.clone(), fa.clone()), (xb, fb));
        assert!(fa.windows(2).all(|w| w[1] <= w[0]));
        assert!(fa[29] < 1e-3, "{fa:?}");
        assert_ne!(run(8).0, xa);
    }

    #[test]
    fn particles_stay_in_the_box_and_evaluations_are_counted() {
        let mut p = Pso::<f64>::new(PsoConfig {
            particles: 5,
            bounds: [-1.0, 2.0],
            ..Default::default()
        })
        .unwrap();
        let mut x = vec![10.0, 10.0, 10.0];
        let s1 = p.step(&Sphere, &mut x);
        let s2 = p.step(&Sphere, &mut x);
        assert_eq!((s1.evaluations, s2.evaluations), (10, 5));
        assert!(p.pos.iter().all(|&v| (-1.0..=2.0).contains(&v)));
    }

    #[test]
    fn a_problem_box_is_searched_per_coordinate() {
        let mut p = Pso::<f64>::new(PsoConfig {
            particles: 8,
            ..Default::default()
        })
        .unwrap();
        let b = Bounds::new(&[[1.0, 2.0], [f64::NEG_INFINITY, f64::INFINITY]]).unwrap();
        p.set_bounds(&b).unwrap();
        let mut x = vec![1.5, 0.0];
        for _ in 0..20 {
            p.step(&Sphere, &mut x);
            assert!(p
                .pos
                .chunks(2)
                .all(|q| (1.0..=2.0).contains(&q[0]) && (-5.12..=5.12).contains(&q[1])));
        }
        assert!((x[0] - 1.0).abs() < 1e-3 && x[1].abs() < 1e-2, "{x:?}");
    }

    #[test]
    fn validation_names_the_key() {
        let bad = |particles, bounds| {
            Pso::<f64>::new(PsoConfig {
                particles,
                bounds,
                ..Default::default()
            })
        };
        let e = bad(40, [1.0, 1.0]).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "bounds"));
        let e = bad(0, [-1.0, 1.0]).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "particles"));
    }
}
