//! [`Ga`]: a real-coded genetic algorithm — tournament selection, simulated binary crossover,
//! polynomial mutation and elitism (Deb & Agrawal 1995; Deb 2001, §4.2).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::solver::{BoxedSolver, Solver, SolverStep};
use crate::problems::Bounds;
use crate::{Error, Float, Objective, Result};

crate::hyperparameters! {
    /// `ga`: the hyperparameters of [`Ga`].
    pub struct GaConfig {
        /// Individuals per generation.
        population: usize = 100, [Kind::Int, AtLeast(2.0), "individuals per generation"],
        /// Probability that a pair of parents is crossed.
        crossover_rate: f64 = 0.9, [Kind::Float, Closed(0.0, 1.0), "probability of crossing a pair"],
        /// Probability that a variable of a child is mutated.
        mutation_rate: f64 = 0.1, [Kind::Float, Closed(0.0, 1.0),
            "probability of mutating each variable"],
        /// Distribution index of simulated binary crossover (larger: children nearer their
        /// parents).
        eta_c: f64 = 15.0, [Kind::Float, AtLeast(0.0), "SBX distribution index"],
        /// Distribution index of polynomial mutation.
        eta_m: f64 = 20.0, [Kind::Float, AtLeast(0.0), "polynomial-mutation distribution index"],
        /// Tournament size.
        tournament: usize = 2, [Kind::Int, AtLeast(1.0), "tournament size"],
        /// Best individuals copied unchanged into the next generation.
        elitism: usize = 2, [Kind::Int, Any, "best individuals kept unchanged (< population)"],
        /// Half-width of the search region around `x0` where the problem has no (finite) bound.
        scale: f64 = 5.0, [Kind::Float, Above(0.0),
            "half-width of the search region around x0 where there is no bound"],
        /// Random seed.
        seed: u64 = 0, [Kind::Int, Any, "seed of the random numbers"],
    }
}

impl Entry for GaConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const DOC: &'static str =
        "Real-coded genetic algorithm: tournament, SBX, polynomial mutation, elitism.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        0.0
    }
    fn validate(&self) -> Result<()> {
        super::params::check(self, Self::PARAMS)?;
        if self.elitism >= self.population {
            return Err(Error::param(
                "elitism",
                self.elitism,
                "must be smaller than population",
            ));
        }
        Ok(())
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(Ga::<T>::new(self.clone())?)))
    }
}

/// The genetic algorithm (`name = "ga"`); one step is one generation.
///
/// The search region is the problem's box ([`Solver::set_bounds`]) with each infinite side —
/// every side without a box — at `x0ᵢ ∓ scale` ([`Bounds::region_around`]). Generation 0 is
/// `x0` and `population − 1` points uniform in the region. Each generation keeps the `elitism`
/// best (ties: lower index; NaN last) and fills the rest with children of pairs of parents,
/// each parent the best of `tournament` individuals drawn uniformly (with replacement):
///
/// - **SBX** (probability `crossover_rate` per pair, each variable with probability ½ when the
///   parents differ): with `y₁ < y₂` in `[l, u]`, `u ~ U[0, 1)`, and for each child
///   `β = 1 + 2(y₁ − l)/(y₂ − y₁)` (resp. `1 + 2(u − y₂)/(y₂ − y₁)`), `α = 2 − β^−(η_c+1)`,
///   `β_q = (uα)^{1/(η_c+1)}` if `u ≤ 1/α` else `(1/(2 − uα))^{1/(η_c+1)}`,
///   `c₁,₂ = ½[(y₁ + y₂) ∓ β_q(y₂ − y₁)]`, clipped, swapped with probability ½;
/// - **polynomial mutation** (each variable with probability `mutation_rate`): with
///   `δ₁ = (y − l)/(u − l)`, `δ₂ = (u − y)/(u − l)`, `r ~ U[0, 1)`,
///   `δ_q = [2r + (1 − 2r)(1 − δ₁)^{η_m+1}]^{1/(η_m+1)} − 1` if `r ≤ ½`, else
///   `1 − [2(1 − r) + 2(r − ½)(1 − δ₂)^{η_m+1}]^{1/(η_m+1)}`; `y ← clip(y + δ_q(u − l))`.
///
/// Pair `c` of generation `g` draws its numbers from ChaCha8 stream `(g << 32) | c` of `seed`
/// (individual `i` of generation 0 from stream `i`), so the children are built in parallel
/// (rayon) and a run gives the same bits at any thread count. [`Solver::step`] evaluates the
/// children in order (the run loop's objective is not `Sync`); [`Ga::step_parallel`] evaluates
/// them with rayon for a `Sync` objective and gives the same result. The step writes the best
/// individual; evaluations: `population − elitism` per generation (`population` on the first).
#[derive(Debug, Clone)]
pub struct Ga<T> {
    cfg: GaConfig,
    bounds: Option<Bounds>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    pop: Vec<Vec<f64>>,
    fit: Vec<f64>,
    generation: u64,
    _t: std::marker::PhantomData<T>,
}

fn value_of<T: Float>(f: &(impl Objective<T> + ?Sized), x: &[f64]) -> f64 {
    f.value(&crate::float::vec_of::<T>(x)).f64()
}

impl<T: Float> Ga<T> {
    /// Validates `cfg` and builds the solver.
    pub fn new(cfg: GaConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(Ga {
            cfg,
            bounds: None,
            lo: Vec::new(),
            hi: Vec::new(),
            pop: Vec::new(),
            fit: Vec::new(),
            generation: 0,
            _t: std::marker::PhantomData,
        })
    }

    /// The current population.
    pub fn population(&self) -> &[Vec<f64>] {
        &self.pop
    }

    fn rng(&self, stream: u64) -> ChaCha8Rng {
        let mut r = ChaCha8Rng::seed_from_u64(self.cfg.seed);
        r.set_stream(stream);
        r
    }

    /// Generation 0 (unevaluated).
    fn initial(&mut self, x0: &[T]) -> Vec<Vec<f64>> {
        let x0: Vec<f64> = x0.iter().map(|v| v.f64()).collect();
        (self.lo, self.hi) = Bounds::region_around(self.bounds.as_ref(), &x0, self.cfg.scale);
        (0..self.cfg.population)
            .map(|i| {
                let mut r = self.rng(i as u64);
                x0.iter()
                    .enumerate()
                    .map(|(j, &x)| {
                        let (l, h) = (self.lo[j], self.hi[j]);
                        if i == 0 {
                            x.clamp(l, h)
                        } else {
                            l + (h - l) * r.random::<f64>()
                        }
                    })
                    .collect()
            })
            .collect()
    }

    fn tournament(&self, r: &mut ChaCha8Rng) -> usize {
        let m = self.pop.len();
        let mut best = r.random_range(0..m);
        for _ in 1..self.cfg.tournament {
            let c = r.random_range(0..m);
            if better(self.fit[c], self.fit[best]) || (self.fit[c] == self.fit[best] && c < best) {
                best = c;
            }
        }
        best
    }

    /// The two children of pair `c` of the current generation.
    fn children(&self, c: u64) -> [Vec<f64>; 2] {
        let mut r = self.rng((self.generation << 32) | c);
        let (a, b) = (self.tournament(&mut r), self.tournament(&mut r));
        let (mut c1, mut c2) = (self.pop[a].clone(), self.pop[b].clone());
        if r.random::<f64>() < self.cfg.crossover_rate {
            for j in 0..c1.len() {
                sbx(
                    &mut c1[j],
                    &mut c2[j],
                    self.lo[j],
                    self.hi[j],
                    self.cfg.eta_c,
                    &mut r,
                );
            }
        }
        for child in [&mut c1, &mut c2] {
            for (j, y) in child.iter_mut().enumerate() {
                if r.random::<f64>() < self.cfg.mutation_rate {
                    *y = mutate(*y, self.lo[j], self.hi[j], self.cfg.eta_m, &mut r);
                }
            }
        }
        [c1, c2]
    }

    /// The next generation: the elite, then the children (unevaluated), and the elite's values.
    fn offspring(&mut self) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut order: Vec<usize> = (0..self.pop.len()).collect();
        order.sort_by(|&a, &b| key(self.fit[a]).total_cmp(&key(self.fit[b])));
        let elite: Vec<Vec<f64>> = order[..self.cfg.elitism]
            .iter()
            .map(|&i| self.pop[i].clone())
            .collect();
        let elite_fit = order[..self.cfg.elitism]
            .iter()
            .map(|&i| self.fit[i])
            .collect();
        let need = self.cfg.population - self.cfg.elitism;
        let pairs = need.div_ceil(2) as u64;
        let mut kids: Vec<Vec<f64>> = (0..pairs)
            .into_par_iter()
            .flat_map_iter(|c| self.children(c))
            .collect();
        kids.truncate(need);
        let mut next = elite;
        next.extend(kids);
        (next, elite_fit)
    }

    fn write_best(&self, x: &mut [T]) -> f64 {
        let mut best = 0;
        for i in 1..self.fit.len() {
            if better(self.fit[i], self.fit[best]) {
                best = i;
            }
        }
        for (xi, &v) in x.iter_mut().zip(&self.pop[best]) {
            *xi = T::of(v);
        }
        self.fit[best]
    }

    /// One generation (the first call also builds and evaluates generation 0), evaluating the
    /// new individuals with `eval`.
    fn generation_with(
        &mut self,
        x: &mut [T],
        eval: impl Fn(&[Vec<f64>]) -> Vec<f64>,
    ) -> SolverStep {
        let mut evaluations = 0;
        if self.pop.is_empty() || self.pop[0].len() != x.len() {
            self.pop = self.initial(x);
            self.fit = eval(&self.pop);
            evaluations += self.pop.len();
            self.generation = 1;
        }
        let (next, mut fit) = self.offspring();
        let e = self.cfg.elitism;
        fit.extend(eval(&next[e..]));
        evaluations += next.len() - e;
        self.pop = next;
        self.fit = fit;
        self.generation += 1;
        let value = self.write_best(x);
        SolverStep {
            iterations: 1,
            evaluations,
            value: Some(value),
        }
    }

    /// [`Solver::step`] with the population evaluated in parallel (rayon); the same bits.
    pub fn step_parallel<O: Objective<T> + Sync + ?Sized>(
        &mut self,
        f: &O,
        x: &mut [T],
    ) -> SolverStep {
        self.generation_with(x, |pop| pop.par_iter().map(|p| value_of(f, p)).collect())
    }
}

/// Lower is better; NaN is worst.
fn key(v: f64) -> f64 {
    if v.is_nan() {
        f64::INFINITY
    } else {
        v
    }
}

fn better(a: f64, b: f64) -> bool {
    key(a) < key(b)
}

/// Simulated binary crossover of one variable (Deb's bounded form, as NSGA-II's code).
fn sbx(y1: &mut f64, y2: &mut f64, l: f64, u: f64, eta: f64, r: &mut ChaCha8Rng) {
    if r.random::<f64>() >= 0.5 || (*y1 - *y2).abs() <= 1e-14 || u <= l {
        return;
    }
    let (a, b) = (y1.min(*y2), y1.max(*y2));
    let rand: f64 = r.random();
    let spread = |beta: f64| {
        let alpha = 2.0 - beta.powf(-(eta + 1.0));
        if rand <= 1.0 / alpha {
            (rand * alpha).powf(1.0 / (eta + 1.0))
        } else {
            (1.0 / (2.0 - rand * alpha)).powf(1.0 / (eta + 1.0))
        }
    };
    let bq1 = spread(1.0 + 2.0 * (a - l) / (b - a));
    let bq2 = spread(1.0 + 2.0 * (u - b) / (b - a));
    let c1 = (0.5 * ((a + b) - bq1 * (b - a))).clamp(l, u);
    let c2 = (0.5 * ((a + b) + bq2 * (b - a))).clamp(l, u);
    if r.random::<f64>() < 0.5 {
        (*y1, *y2) = (c2, c1);
    } else {
        (*y1, *y2) = (c1, c2);
    }
}

/// Polynomial mutation of one variable (Deb's bounded form).
fn mutate(y: f64, l: f64, u: f64, eta: f64, r: &mut ChaCha8Rng) -> f64 {
    if u <= l {
        return y;
    }
    let (d1, d2) = ((y - l) / (u - l), (u - y) / (u - l));
    let rnd: f64 = r.random();
    let pow = 1.0 / (eta + 1.0);
    let dq = if rnd <= 0.5 {
        let v = 2.0 * rnd + (1.0 - 2.0 * rnd) * (1.0 - d1).powf(eta + 1.0);
        v.powf(pow) - 1.0
    } else {
        let v = 2.0 * (1.0 - rnd) + 2.0 * (rnd - 0.5) * (1.0 - d2).powf(eta + 1.0);
        1.0 - v.powf(pow)
    };
    (y + dq * (u - l)).clamp(l, u)
}

impl<T: Float> Solver<T> for Ga<T> {
    fn name(&self) -> &'static str {
        "ga"
    }
    fn lr(&self) -> f64 {
        0.0
    }
    fn set_bounds(&mut self, bounds: &Bounds) -> Result<()> {
        self.bounds = Some(bounds.clone());
        self.pop.clear();
        Ok(())
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        self.generation_with(x, |pop| pop.iter().map(|p| value_of(f, p)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::Sphere;

    #[test]
    fn operators_stay_in_the_box() {
        let mut r = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..10_000 {
            let (mut a, mut b) = (r.random_range(-1.0..2.0), r.random_range(-1.0..2.0));
            sbx(&mut a, &mut b, -1.0, 2.0, 2.0, &mut r);
            let m = mutate(a, -1.0, 2.0, 1.0, &mut r);
            assert!([a, b, m].iter().all(|v| (-1.0..=2.0).contains(v)));
        }
    }

    #[test]
    fn same_seed_same_bits_sequential_or_parallel() {
        let run = |par: bool, threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut g = Ga::<f64>::new(GaConfig {
                    seed: 5,
                    ..Default::default()
                })
                .unwrap();
                let mut x = vec![3.0, -2.0, 1.0];
                let mut fs = Vec::new();
                for _ in 0..40 {
                    let s = if par {
                        g.step_parallel(&Sphere, &mut x)
                    } else {
                        g.step(&Sphere, &mut x)
                    };
                    fs.push(s.value.unwrap());
                }
                (x, fs, g.pop.clone())
            })
        };
        let a = run(false, 1);
        assert_eq!(a, run(true, 1));
        assert_eq!(a, run(true, 2));
        assert_eq!(a, run(false, 2));
        assert_eq!(a, run(true, 4));
        assert_eq!(a, run(false, 3));
        assert!(
            a.1.windows(2).all(|w| w[1] <= w[0]),
            "elitism keeps the best"
        );
        assert!(a.1[39] < 1e-3, "{:?}", a.1);
    }

    #[test]
    fn validation_names_the_key() {
        let e = Ga::<f64>::new(GaConfig {
            elitism: 100,
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "elitism"));
    }
}
