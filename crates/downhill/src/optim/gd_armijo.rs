//! [`GdArmijo`]: plain gradient descent with a backtracking Armijo line search
//! (`[optimizer] name = "sgd"` with `line_search = "armijo"`).

use serde::{Deserialize, Serialize};

use super::line_search::Armijo;
use super::solver::{axpy_into, dot, Solver, SolverStep};
use super::SgdConfig;
use crate::{Error, Float, Objective, Result};

/// `line_search` of `sgd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SgdLineSearch {
    /// Backtracking Armijo ([`GdArmijo`]); `lr` is the initial trial step.
    Armijo,
}

/// Gradient descent whose step length is found by [`Armijo`] backtracking.
///
/// Each step: `g = ∇f(x)`, direction `d = −g`, then `t = lr, ρ·lr, ρ²·lr, …` until
/// `f(x − t·g) ≤ f(x) − c₁·t·‖g‖²`, and `x ← x − t·g` (unchanged if no trial passes within
/// `max_evals`). `lr` is thus the initial trial step, not a fixed step; the search restarts
/// from `lr` at every step. Defaults of the search: `c₁ = 1e-4`, `ρ = 0.5`, 30 evaluations.
#[derive(Debug, Clone)]
pub struct GdArmijo<T> {
    lr: f64,
    line_search: Armijo,
    last_t: f64,
    g: Vec<T>,
    trial: Vec<T>,
}

impl<T: Float> GdArmijo<T> {
    /// The solver of an `sgd` config with `line_search = "armijo"`: `lr` is the initial
    /// trial step, the search has its defaults. Only plain gradient descent qualifies
    /// (momentum, dampening, weight decay, Nesterov and maximize at their defaults).
    pub fn from_sgd(c: &SgdConfig) -> Result<Self> {
        let plain = c.momentum == 0.0
            && c.dampening == 0.0
            && c.weight_decay == 0.0
            && !c.nesterov
            && !c.maximize;
        if !plain {
            return Err(Error::param(
                "line_search",
                "\"armijo\"",
                "needs plain gradient descent: momentum, dampening, weight_decay = 0, nesterov \
                 and maximize = false",
            ));
        }
        let line_search = Armijo::default();
        if !(c.lr > 0.0 && c.lr.is_finite()) {
            return Err(Error::param(
                "lr",
                c.lr,
                "must be > 0 (the initial trial step of line_search = \"armijo\")",
            ));
        }
        line_search.validate()?;
        Ok(GdArmijo {
            lr: c.lr,
            line_search,
            last_t: 0.0,
            g: Vec::new(),
            trial: Vec::new(),
        })
    }
    /// The step length accepted by the last step (0 if the search failed).
    pub fn last_step_length(&self) -> f64 {
        self.last_t
    }
}

impl<T: Float> Solver<T> for GdArmijo<T> {
    fn name(&self) -> &'static str {
        "sgd"
    }
    fn lr(&self) -> f64 {
        self.lr
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        let n = x.len();
        super::ensure_len(&mut self.g, n, T::zero());
        super::ensure_len(&mut self.trial, n, T::zero());
        let fx = f.gradient(x, &mut self.g).f64();
        let gtd = -dot(&self.g, &self.g);
        self.g.iter_mut().for_each(|v| *v = -*v);
        let (d, trial) = (&self.g, &mut self.trial);
        let r = self.line_search.search(
            |t| {
                axpy_into(trial, x, t, d);
                f.value(trial).f64()
            },
            fx,
            gtd,
            self.lr,
        );
        self.last_t = r.t;
        if r.success {
            axpy_into(&mut self.trial, x, r.t, &self.g);
            x.copy_from_slice(&self.trial);
        }
        SolverStep {
            iterations: 1,
            evaluations: 1 + r.evals,
            value: Some(r.f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::{IllConditioned, Sphere};

    #[test]
    fn backtracks_from_an_overlong_step() {
        // sphere from (1, 0) with lr = 2: x − t·2x; t = 2 → x = −3 (f 9, fail), t = 1 → −1
        // (f 1 > 1 − 2e-4·... fail), t = 0.5 → 0 (pass).
        let cfg = SgdConfig {
            lr: 2.0,
            ..Default::default()
        };
        let mut o = GdArmijo::<f64>::from_sgd(&cfg).unwrap();
        let mut x = vec![1.0, 0.0];
        let s = o.step(&Sphere, &mut x);
        assert_eq!(x, vec![0.0, 0.0]);
        assert_eq!((o.last_step_length(), s.evaluations), (0.5, 4));
    }

    #[test]
    fn descends_where_a_fixed_step_diverges() {
        // lr = 1 diverges on ill_conditioned with fixed steps (|1 − 4| > 1); Armijo does not.
        let cfg = SgdConfig {
            lr: 1.0,
            ..Default::default()
        };
        let mut o = GdArmijo::<f64>::from_sgd(&cfg).unwrap();
        let mut x = vec![-3.0, 4.0];
        let mut f_prev: f64 = Objective::<f64>::value(&IllConditioned, &x);
        for _ in 0..200 {
            let s = o.step(&IllConditioned, &mut x);
            assert!(s.value.unwrap() <= f_prev);
            f_prev = s.value.unwrap();
        }
        assert!(f_prev < 1e-10, "{f_prev}");
    }
}
