//! [`Newton`]: Newton's method with the exact Hessian, globalised by a trust region (Steihaug's
//! CG, as SciPy's trust-ncg, on the whole Hessian) or, with `globalization = "line_search"`, by
//! a damped Cholesky solve and Armijo backtracking.

use serde::{Deserialize, Serialize};

use super::line_search::Armijo;
use super::params::*;
use super::registry::{Entry, EntryKind, Need};
use super::solver::{axpy_into, dot, BoxedSolver, Solver, SolverStep};
use super::trust_ncg::{check_radii, ETA, INITIAL_TRUST_RADIUS, MAX_TRUST_RADIUS};
use super::trust_region::{Outcome, Point, Region};
use crate::{Float, Objective, Result};

crate::hyperparameters! {
    /// `newton`: the hyperparameters of [`Newton`].
    pub struct NewtonConfig {
        /// First trial step of the backtracking (1 = the full Newton step).
        lr: f64 = 1.0, [Kind::Float, Above(0.0), "first trial step (1 = the full Newton step)"],
        /// `β`: smallest identity shift when the Hessian is not positive definite.
        damping: f64 = 1e-3, [Kind::Float, Above(0.0), "smallest identity shift β"],
        /// `γ`: growth factor of the shift after a failed Cholesky.
        damping_factor: f64 = 2.0, [Kind::Float, Above(1.0), "growth factor γ of the shift"],
        /// Armijo constant.
        c1: f64 = super::line_search::DEFAULT_C1, [Kind::Float, Open(0.0, 1.0), "Armijo constant"],
        /// Backtracking factor.
        shrink: f64 = 0.5, [Kind::Float, Open(0.0, 1.0), "backtracking factor"],
        /// Maximum evaluations of the backtracking per step.
        max_ls: usize = 30, [Kind::Int, AtLeast(1.0), "maximum evaluations of the backtracking"],
        /// How a step is made safe far from the minimum: `trust_region` or `line_search`
        /// (damped Cholesky + Armijo; `lr`, `damping`, … apply only to it).
        globalization: Globalization = Globalization::TrustRegion, [
            Kind::Choice(&["trust_region", "line_search"]),
            Any,
            "trust region (Steihaug CG) or damped Cholesky + Armijo backtracking"
        ],
        /// Trust region: first radius (SciPy's).
        initial_trust_radius: f64 = 1.0, [INITIAL_TRUST_RADIUS],
        /// Trust region: largest radius.
        max_trust_radius: f64 = 1000.0, [MAX_TRUST_RADIUS],
        /// Trust region: accept a step when `ρ > eta`.
        eta: f64 = 0.15, [ETA],
    }
}

/// Newton's globalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Globalization {
    /// Steihaug–CG trust region on the exact Hessian.
    #[default]
    TrustRegion,
    /// Damped Cholesky direction and Armijo backtracking (the method before the trust region).
    LineSearch,
}

impl Entry for NewtonConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const NEEDS: &'static [Need] = &[Need::Hessian];
    const DOC: &'static str =
        "Newton's method with the exact Hessian: trust region (Steihaug CG) or damped line search.";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn validate(&self) -> Result<()> {
        check(self, Self::PARAMS)?;
        check_radii(self.initial_trust_radius, self.max_trust_radius)
    }
    fn lr(&self) -> f64 {
        self.lr
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(Newton::<T>::new(self.clone())?)))
    }
}

/// Newton's method (`name = "newton"`).
///
/// `H = ∇²f(x)` comes from [`Objective::hessian`] (analytic, or automatic differentiation); if
/// the objective has none, from central differences of the gradient
/// ([`crate::diff::numerical_hessian`], `2n` gradient evaluations).
///
/// **Trust region** (`globalization = "trust_region"`, the default): each step is one iteration
/// of SciPy's trust-region loop ([`super::trust_region`]) on the model
/// `m(p) = f + gᵀp + ½pᵀHp`: Steihaug's CG gives `p` with `‖p‖ ≤ Δ` (following a direction
/// of negative curvature to the boundary where `H` is indefinite), `ρ = (f(x) − f(x + p)) /
/// (m(0) − m(p))` shrinks `Δ` by 4 when `ρ < ¼`, doubles it (up to `max_trust_radius`) when
/// `ρ > ¾` on the boundary, and `x ← x + p` when `ρ > eta`. `H` and `g` are evaluated again only
/// after an accepted step. When `m(0) − m(p) ≤ 0` (at a stationary point) it stops
/// (`converged`). This reaches the minimum where the Hessian is singular or indefinite along
/// the way (Box 3-D, Osborne 1, Biggs EXP6 from their standard starts).
///
/// **Line search** (`globalization = "line_search"`), each step at `x`:
///
/// 1. `H` comes from [`Objective::hessian`] (analytic, or automatic differentiation); if the
///    objective has none, from central differences of the gradient
///    ([`crate::diff::numerical_hessian`], `2n` gradient evaluations).
/// 2. Damping (Nocedal & Wright, *Numerical Optimization*, Algorithm 3.3, "Cholesky with added
///    multiple of the identity"): `τ₀ = 0` if `minᵢ Hᵢᵢ > 0`, else `τ₀ = −minᵢ Hᵢᵢ + β`;
///    try the Cholesky factorisation `H + τₖI = LLᵀ`; on failure `τₖ₊₁ = max(γ·τₖ, β)`. At most
///    `max_damping_tries` factorisations; if all fail (e.g. a non-finite Hessian) the direction
///    falls back to steepest descent `p = −g`. With `β = damping` (default 1e-3) and
///    `γ = damping_factor` (default 2, as Nocedal & Wright).
/// 3. The direction solves `(H + τI)·p = −g` (forward and back substitution with `L`); it is
///    a descent direction, `gᵀp < 0`, whenever `g ≠ 0`.
/// 4. Backtracking ([`Armijo`]): `t = lr, ρ·lr, ρ²·lr, …` until
///    `f(x + t·p) ≤ f(x) + c₁·t·gᵀp` (`c1` = 1e-4, `ρ = shrink` = 0.5, at most `max_ls` = 30
///    evaluations); then `x ← x + t·p`. If no trial passes, `x` is left unchanged.
///
/// On a positive-definite quadratic the first trial `t = lr = 1` is the exact minimiser and is
/// accepted, so Newton lands on the minimum in one step. The `n × n` factorisation is a small
/// dense Cholesky of our own in `f64` (Newton is meant for the small problems of this toolkit;
/// `O(n³)` per step, no heavy linear-algebra dependency).
#[derive(Debug, Clone)]
pub struct Newton<T> {
    lr: f64,
    damping: f64,
    damping_factor: f64,
    max_damping_tries: usize,
    line_search: Armijo,
    last_damping: f64,
    globalization: Globalization,
    region: Region,
    initial_radius: f64,
    pt: Point,
    hess: Vec<f64>,
    stale: bool,
    done: bool,
    // work buffers
    g: Vec<T>,
    h: Vec<T>,
    l: Vec<f64>,
    p: Vec<T>,
    rhs: Vec<f64>,
    trial: Vec<T>,
    gp: Vec<T>,
    gm: Vec<T>,
}

impl<T: Float> Newton<T> {
    /// Validates `cfg` and builds Newton's method.
    pub fn new(cfg: NewtonConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(Newton {
            lr: cfg.lr,
            damping: cfg.damping,
            damping_factor: cfg.damping_factor,
            max_damping_tries: 100,
            line_search: Armijo {
                c1: cfg.c1,
                shrink: cfg.shrink,
                max_evals: cfg.max_ls,
            },
            last_damping: 0.0,
            globalization: cfg.globalization,
            region: Region {
                radius: cfg.initial_trust_radius,
                max_radius: cfg.max_trust_radius,
                eta: cfg.eta,
            },
            initial_radius: cfg.initial_trust_radius,
            pt: Point::default(),
            hess: Vec::new(),
            stale: true,
            done: false,
            g: Vec::new(),
            h: Vec::new(),
            l: Vec::new(),
            p: Vec::new(),
            rhs: Vec::new(),
            trial: Vec::new(),
            gp: Vec::new(),
            gm: Vec::new(),
        })
    }
    /// The shift `τ` used by the last step (0 when `H` was positive definite).
    pub fn last_damping(&self) -> f64 {
        self.last_damping
    }

    /// Computes the Newton direction into `self.p`; returns the shift used (`None` when no
    /// shift made `H + τI` factorable and `p = −g` was used).
    fn direction(&mut self, n: usize) -> Option<f64> {
        let min_diag = (0..n)
            .map(|i| self.h[i * n + i].f64())
            .fold(f64::INFINITY, f64::min);
        let mut tau = if min_diag > 0.0 {
            0.0
        } else {
            -min_diag + self.damping
        };
        for _ in 0..self.max_damping_tries {
            for (li, hi) in self.l.iter_mut().zip(&self.h) {
                *li = hi.f64();
            }
            for i in 0..n {
                self.l[i * n + i] += tau;
            }
            if cholesky(&mut self.l, n) {
                for (r, gi) in self.rhs.iter_mut().zip(&self.g) {
                    *r = -gi.f64();
                }
                cholesky_solve(&self.l, n, &mut self.rhs);
                for (pi, &r) in self.p.iter_mut().zip(&self.rhs) {
                    *pi = T::of(r);
                }
                return Some(tau);
            }
            tau = (self.damping_factor * tau).max(self.damping);
        }
        for (pi, &gi) in self.p.iter_mut().zip(&self.g) {
            *pi = -gi;
        }
        None
    }
}

/// In-place Cholesky factorisation of the symmetric `n × n` row-major matrix `a`: on success the
/// lower triangle holds `L` with `a = LLᵀ` and the function returns `true`; it returns `false`
/// when a pivot is not positive and finite (the matrix is not positive definite).
pub(crate) fn cholesky(a: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if !(d > 0.0 && d.is_finite()) {
            return false;
        }
        let ljj = d.sqrt();
        a[j * n + j] = ljj;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / ljj;
        }
    }
    true
}

/// Solves `LLᵀ·z = b` in place (`L` from [`cholesky`]).
pub(crate) fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

impl<T: Float> Solver<T> for Newton<T> {
    fn name(&self) -> &'static str {
        "newton"
    }
    fn lr(&self) -> f64 {
        self.lr
    }
    fn converged(&self) -> bool {
        self.done
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        match self.globalization {
            Globalization::TrustRegion => self.trust_region_step(f, x),
            Globalization::LineSearch => self.line_search_step(f, x),
        }
    }
}

impl<T: Float> Newton<T> {
    /// The Hessian at `self.pt.x` into `self.hess` (`f64`); returns the gradient calls made.
    fn hessian_at_point(&mut self, f: &dyn Objective<T>) -> usize {
        let n = self.pt.x.len();
        for b in [&mut self.trial, &mut self.gp, &mut self.gm] {
            super::ensure_len(b, n, T::zero());
        }
        super::ensure_len(&mut self.h, n * n, T::zero());
        for (t, &v) in self.trial.iter_mut().zip(&self.pt.x) {
            *t = T::of(v);
        }
        let mut calls = 0;
        if !f.hessian(&self.trial, &mut self.h) {
            crate::diff::numerical_hessian(
                f,
                &mut self.trial,
                &mut self.h,
                &mut self.gp,
                &mut self.gm,
            );
            calls = 2 * n;
        }
        self.hess.clear();
        self.hess.extend(self.h.iter().map(|v| v.f64()));
        calls
    }

    /// One trust-region iteration (restarting when `x` is not the point it left).
    fn trust_region_step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        let n = x.len();
        let mut evaluations = 0;
        let moved = self.pt.x.len() != n || x.iter().zip(&self.pt.x).any(|(a, &b)| a.f64() != b);
        if moved {
            self.pt.x = x.iter().map(|v| v.f64()).collect();
            self.pt.g = vec![0.0; n];
            self.pt.f = super::bfgs::eval(f, &self.pt.x, &mut self.pt.g);
            self.region.radius = self.initial_radius;
            self.stale = true;
            self.done = false;
            evaluations += 1;
        }
        let mut iterations = 0;
        if !self.done {
            if self.stale {
                evaluations += self.hessian_at_point(f);
                self.stale = false;
            }
            let hess = &self.hess;
            let mut hessp = |_: &[f64], v: &[f64], out: &mut [f64]| {
                for (i, o) in out.iter_mut().enumerate() {
                    *o = hess[i * n..(i + 1) * n]
                        .iter()
                        .zip(v)
                        .map(|(a, b)| a * b)
                        .sum();
                }
            };
            match self
                .region
                .iterate(f, &mut self.pt, &mut hessp, &mut evaluations)
            {
                Outcome::NoDecrease => self.done = true,
                Outcome::Accepted => {
                    self.stale = true;
                    evaluations += 1;
                    iterations = 1;
                }
                Outcome::Rejected => iterations = 1,
            }
        }
        for (xi, &v) in x.iter_mut().zip(&self.pt.x) {
            *xi = T::of(v);
        }
        SolverStep {
            iterations,
            evaluations,
            value: Some(self.pt.f),
        }
    }

    /// One damped-Newton step with Armijo backtracking.
    fn line_search_step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        let n = x.len();
        for b in [
            &mut self.g,
            &mut self.p,
            &mut self.trial,
            &mut self.gp,
            &mut self.gm,
        ] {
            super::ensure_len(b, n, T::zero());
        }
        super::ensure_len(&mut self.h, n * n, T::zero());
        self.l.resize(n * n, 0.0);
        self.rhs.resize(n, 0.0);
        let fx = f.gradient(x, &mut self.g).f64();
        let mut evaluations = 1;
        if !f.hessian(x, &mut self.h) {
            self.trial.copy_from_slice(x);
            crate::diff::numerical_hessian(
                f,
                &mut self.trial,
                &mut self.h,
                &mut self.gp,
                &mut self.gm,
            );
            evaluations += 2 * n;
        }
        self.last_damping = self.direction(n).unwrap_or(f64::NAN);
        let gtd = dot(&self.g, &self.p);
        let (p, trial) = (&self.p, &mut self.trial);
        let r = self.line_search.search(
            |t| {
                axpy_into(trial, x, t, p);
                f.value(trial).f64()
            },
            fx,
            gtd,
            self.lr,
        );
        if r.success {
            axpy_into(&mut self.trial, x, r.t, &self.p);
            x.copy_from_slice(&self.trial);
        }
        SolverStep {
            iterations: 1,
            evaluations: evaluations + r.evals,
            value: Some(r.f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::{Ackley, IllConditioned, Rosenbrock, Saddle};

    #[test]
    fn cholesky_factors_and_solves() {
        // A = [[4, 2], [2, 3]] = LLᵀ with L = [[2, 0], [1, √2]]; A·(1, 2) = (8, 8).
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        assert!(cholesky(&mut a, 2));
        assert_eq!((a[0], a[2]), (2.0, 1.0));
        assert!((a[3] - 2f64.sqrt()).abs() < 1e-15);
        let mut b = vec![8.0, 8.0];
        cholesky_solve(&a, 2, &mut b);
        assert!((b[0] - 1.0).abs() < 1e-15 && (b[1] - 2.0).abs() < 1e-15);
        let mut indefinite = vec![1.0, 0.0, 0.0, -1.0];
        assert!(!cholesky(&mut indefinite, 2));
        let mut nan = vec![f64::NAN];
        assert!(!cholesky(&mut nan, 1));
    }

    fn line_search() -> NewtonConfig {
        NewtonConfig {
            globalization: Globalization::LineSearch,
            ..Default::default()
        }
    }

    #[test]
    fn one_step_on_a_quadratic() {
        let mut o = Newton::<f64>::new(line_search()).unwrap();
        let mut x = vec![-3.0, 4.0];
        let s = o.step(&IllConditioned, &mut x);
        assert!(x.iter().all(|v| v.abs() < 1e-15), "{x:?}");
        assert_eq!(o.last_damping(), 0.0);
        assert_eq!(s.evaluations, 2); // one gradient, one trial value
    }

    #[test]
    fn indefinite_hessian_is_damped_and_still_descends() {
        // saddle: H = diag(2, −2); τ₀ = 2 + 1e-3 fails? 2 − 2 + ... = 1e-3 > 0 succeeds.
        let mut o = Newton::<f64>::new(line_search()).unwrap();
        let mut x = vec![0.5, 0.25];
        let f0 = Objective::<f64>::value(&Saddle, &x);
        o.step(&Saddle, &mut x);
        assert!((o.last_damping() - (2.0 + 1e-3)).abs() < 1e-15);
        assert!(Objective::<f64>::value(&Saddle, &x) < f0);
    }

    #[test]
    fn finite_difference_hessian_when_the_objective_has_none() {
        // Ackley has no analytic Hessian; near the minimum Newton converges quickly.
        let mut o = Newton::<f64>::new(line_search()).unwrap();
        let mut x = vec![0.05, -0.03];
        let s = o.step(&Ackley, &mut x);
        assert!(s.evaluations > 5); // 1 gradient + 2n for the Hessian + the line search
        let v: f64 = Objective::<f64>::value(&Ackley, &x);
        assert!(v < Objective::<f64>::value(&Ackley, &[0.05, -0.03]));
    }

    #[test]
    fn rosenbrock_converges() {
        for cfg in [line_search(), NewtonConfig::default()] {
            let mut o = Newton::<f64>::new(cfg).unwrap();
            let mut x = vec![-1.2, 1.0];
            for _ in 0..30 {
                o.step(&Rosenbrock, &mut x);
            }
            assert!(
                (x[0] - 1.0).abs() < 1e-10 && (x[1] - 1.0).abs() < 1e-10,
                "{x:?}"
            );
        }
    }

    #[test]
    fn trust_region_grows_to_the_newton_step_on_a_quadratic() {
        // from (−3, 4) the Newton step has length 5: the radius doubles from 1 until it holds it
        let mut o = Newton::<f64>::new(NewtonConfig::default()).unwrap();
        let mut x: Vec<f64> = vec![-3.0, 4.0];
        let mut steps = 0;
        while !x.iter().all(|v| v.abs() < 1e-12) && steps < 10 {
            o.step(&IllConditioned, &mut x);
            steps += 1;
        }
        assert_eq!(steps, 4, "{x:?}");
    }

    #[test]
    fn trust_region_leaves_a_saddle_along_negative_curvature() {
        // at the saddle's stationary direction the line search's damped step stalls on the
        // x-axis; the trust region follows the negative curvature of y.
        let mut o = Newton::<f64>::new(NewtonConfig::default()).unwrap();
        let mut x = vec![0.5, 1e-3];
        let f0 = Objective::<f64>::value(&Saddle, &x);
        for _ in 0..3 {
            o.step(&Saddle, &mut x);
        }
        assert!(Objective::<f64>::value(&Saddle, &x) < f0 - 1.0, "{x:?}");
    }

    #[test]
    fn validation_names_the_key() {
        use crate::Error;
        let cfg = |lr, damping| NewtonConfig {
            lr,
            damping,
            ..Default::default()
        };
        let e = Newton::<f64>::new(cfg(1.0, 0.0)).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "damping"));
        let e = Newton::<f64>::new(cfg(0.0, 1e-3)).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "lr"));
    }
}
