//! [`TrustNcg`]: trust-region Newton-CG as `scipy.optimize.minimize(method="trust-ncg")` runs
//! it, with exact Hessian-vector products.


use super::bfgs::{eval, MAXITER};
use super::params::*;
use super::registry::{Entry, EntryKind, Need};
use super::scipy_opts::{drive, iterative_solver, Iterative, Progress, Stop};
use super::solver::{BoxedSolver, Solver, SolverStep};
use super::trust_region::{Curvature, Outcome, Point, Region};
use crate::{Error, Float, Objective, Result};

crate::hyperparameters! {
    /// `trust_ncg`: the options of [`TrustNcg`], named as SciPy's.
    pub struct TrustNcgConfig {
        /// First trust radius `Δ₀`.
        initial_trust_radius: f64 = 1.0, [INITIAL_TRUST_RADIUS],
        /// Largest trust radius `Δ_max`.
        max_trust_radius: f64 = 1000.0, [MAX_TRUST_RADIUS],
        /// Accept a step when `ρ > eta` (`0 ≤ eta < ¼`).
        eta: f64 = 0.15, [ETA],
        /// Stop when `‖∇f‖₂ < gtol`.
        gtol: f64 = 1e-4, [Kind::Float, AtLeast(0.0), "stop when the gradient's 2-norm is below this"],
        /// Maximum iterations (`None`: SciPy's `200·n`).
        maxiter: Option<usize> = None, [MAXITER],
    }
}

/// The trust-region rows of a `PARAMS` table (also Newton's).
pub(crate) const INITIAL_TRUST_RADIUS: ParamSpec = float(
    "initial_trust_radius",
    Above(0.0),
    "first trust radius (below max_trust_radius)",
);
/// `max_trust_radius`.
pub(crate) const MAX_TRUST_RADIUS: ParamSpec =
    float("max_trust_radius", Above(0.0), "largest trust radius");
/// `eta`.
pub(crate) const ETA: ParamSpec = float(
    "eta",
    HalfOpen(0.0, 0.25),
    "accept a step when actual/predicted reduction exceeds eta",
);

/// SciPy's `initial_trust_radius < max_trust_radius`, naming the first.
pub(crate) fn check_radii(initial: f64, max: f64) -> Result<()> {
    if initial < max {
        Ok(())
    } else {
        Err(Error::param(
            "initial_trust_radius",
            initial,
            &format!("must be less than max_trust_radius ({max})"),
        ))
    }
}

impl Entry for TrustNcgConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const NEEDS: &'static [Need] = &[Need::HessianVector];
    const DOC: &'static str =
        "Trust-region Newton-CG with exact Hessian-vector products (scipy.optimize trust-ncg, a solver).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        0.0
    }
    fn validate(&self) -> Result<()> {
        check(self, Self::PARAMS)?;
        check_radii(self.initial_trust_radius, self.max_trust_radius)
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(TrustNcg::<T>::new(self.clone())?)))
    }
}

/// Trust-region Newton-CG (`name = "trust_ncg"`), as SciPy's `_minimize_trust_ncg`.
///
/// The model at `x_k` is `m(p) = f + gᵀp + ½pᵀ∇²f(x_k)p`, used only through products
/// `∇²f·v`: exact ones from the objective ([`Objective::hessian_vector`]; automatic
/// differentiation forms them with hyper-dual numbers), else from its Hessian, else central
/// differences of the gradient. One step (= one iteration) with radius `Δ`
/// (`initial_trust_radius` = 1):
///
/// 1. Steihaug's CG from `p = 0` until the residual `‖∇m(p)‖ < min(½, √‖g‖)·‖g‖`, a direction
///    of non-positive curvature, or the boundary `‖p‖ = Δ`;
/// 2. `ρ = (f(x) − f(x + p)) / (m(0) − m(p))`: `Δ ← Δ/4` if `ρ < ¼`,
///    `Δ ← min(2Δ, max_trust_radius)` if `ρ > ¾` and `‖p‖ = Δ`; `x ← x + p` if `ρ > eta`.
///
/// It stops (`converged`, [`TrustNcg::stop`] saying why) when `‖g‖₂ < gtol` (1e-4, also at
/// `x₀`), after `maxiter` iterations (default `200·n`), or when `m(0) − m(p) ≤ 0`.
/// Evaluations are SciPy's `nfev`: one `f` per proposal (plus `x₀`); the gradient is evaluated
/// at accepted points only (`njev`); products are counted by the run as `hessian_vector`.
#[derive(Debug, Clone)]
pub struct TrustNcg<T> {
    cfg: TrustNcgConfig,
    region: Region,
    pt: Point,
    curvature: Curvature,
    progress: Progress,
    _t: std::marker::PhantomData<T>,
}

impl<T: Float> TrustNcg<T> {
    /// Validates `cfg` and builds the solver.
    pub fn new(cfg: TrustNcgConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(TrustNcg {
            region: Region {
                radius: cfg.initial_trust_radius,
                max_radius: cfg.max_trust_radius,
                eta: cfg.eta,
            },
            cfg,
            pt: Point::default(),
            curvature: Curvature::default(),
            progress: Progress::default(),
            _t: std::marker::PhantomData,
        })
    }

    /// The current trust radius.
    pub fn trust_radius(&self) -> f64 {
        self.region.radius
    }
}

impl<T: Float> Iterative<T> for TrustNcg<T> {
    fn progress(&self) -> &Progress {
        &self.progress
    }
    fn current(&self) -> (&[f64], f64) {
        (&self.pt.x, self.pt.f)
    }
    fn start(&mut self, f: &dyn Objective<T>, x: &[T]) {
        let n = x.len();
        self.pt.x = x.iter().map(|v| v.f64()).collect();
        self.pt.g = vec![0.0; n];
        self.pt.f = eval(f, &self.pt.x, &mut self.pt.g);
        self.region.radius = self.cfg.initial_trust_radius;
        self.curvature = Curvature::default();
        let at_gtol = self.pt.gnorm() < self.cfg.gtol;
        self.progress.begin(self.cfg.maxiter, n, at_gtol);
    }
    /// One iteration; returns the `f` evaluations made.
    fn iterate(&mut self, f: &dyn Objective<T>) -> usize {
        let mut evaluations = 0;
        let curvature = &mut self.curvature;
        let mut hessp = |x: &[f64], v: &[f64], out: &mut [f64]| curvature.product(f, x, v, out);
        match self
            .region
            .iterate(f, &mut self.pt, &mut hessp, &mut evaluations)
        {
            Outcome::NoDecrease => self.progress.stop = Some(Stop::NoPredictedDecrease),
            o => {
                if o == Outcome::Accepted {
                    self.curvature.moved();
                }
                self.progress.advance(self.pt.gnorm() < self.cfg.gtol);
            }
        }
        evaluations
    }
}

iterative_solver!(TrustNcg, "trust_ncg");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Ad, Scalar, ScalarFn};
    use crate::optim::solver::Counted;
    use crate::problems::Rosenbrock;

    struct Rosen;
    impl ScalarFn for Rosen {
        fn eval<S: Scalar>(&self, x: &[S]) -> S {
            (x[0].rsub(1.0)).square() + (x[1] - x[0].square()).square() * 100.0
        }
    }

    fn run(f: &dyn Objective<f64>) -> (Vec<f64>, TrustNcg<f64>) {
        let mut s = TrustNcg::<f64>::new(TrustNcgConfig::default()).unwrap();
        let mut x = vec![-1.2, 1.0];
        for _ in 0..1000 {
            s.step(f, &mut x);
            if s.converged() {
                break;
            }
        }
        (x, s)
    }

    #[test]
    fn rosenbrock_with_ad_products_and_with_the_analytic_hessian() {
        let ad = Ad::new(Rosen);
        let counted = Counted::new(&ad);
        let (x, s) = run(&counted);
        assert_eq!(s.stop(), Some(Stop::Gtol));
        assert!(
            (x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6,
            "{x:?}"
        );
        assert!(counted.hessian_vectors.get() > 0);
        assert_eq!(counted.hessians.get(), 0);
        // the analytic Hessian gives the same iterates
        let (x2, s2) = run(&Rosenbrock);
        assert_eq!(s.iterations(), s2.iterations());
        assert!((x[0] - x2[0]).abs() < 1e-12, "{x:?} {x2:?}");
    }

    #[test]
    fn validation_names_the_key() {
        let key = |c: TrustNcgConfig| match TrustNcg::<f64>::new(c) {
            Err(Error::InvalidParameter { key, .. }) => key,
            other => panic!("{:?}", other.err()),
        };
        let radii = TrustNcgConfig {
            initial_trust_radius: 2000.0,
            ..Default::default()
        };
        assert_eq!(key(radii), "initial_trust_radius");
        let eta = TrustNcgConfig {
            eta: 0.3,
            ..Default::default()
        };
        assert_eq!(key(eta), "eta");
    }
}
