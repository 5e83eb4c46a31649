//! Configurations of the [`Solver`]s (`lbfgs`, `newton`, `pso`, and `sgd` with
//! `line_search = "armijo"`): PyTorch's names and defaults where PyTorch has the method.

use serde::{Deserialize, Serialize};

use super::config::SgdConfig;
use super::line_search::Armijo;
use super::{GdArmijo, Lbfgs, LineSearchFn, Newton, Pso, Solver};
use crate::{Error, Float, Result};

fn one() -> f64 {
    1.0
}
fn twenty() -> usize {
    20
}
fn tolerance_grad() -> f64 {
    1e-7
}
fn tolerance_change() -> f64 {
    1e-9
}
fn history_size() -> usize {
    100
}

/// `lbfgs`: parameters of [`Lbfgs`] (`torch.optim.LBFGS`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LbfgsConfig {
    /// Learning rate (1).
    #[serde(default = "one")]
    pub lr: f64,
    /// Maximum inner iterations per step (20).
    #[serde(default = "twenty")]
    pub max_iter: usize,
    /// Maximum evaluations per step (default `max_iter·5/4`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_eval: Option<usize>,
    /// Termination tolerance on first-order optimality (1e-7).
    #[serde(default = "tolerance_grad")]
    pub tolerance_grad: f64,
    /// Termination tolerance on function value / parameter changes (1e-9).
    #[serde(default = "tolerance_change")]
    pub tolerance_change: f64,
    /// Update history size (100).
    #[serde(default = "history_size")]
    pub history_size: usize,
    /// `"none"` (default) or `"strong_wolfe"`.
    #[serde(default)]
    pub line_search_fn: LineSearchFn,
    /// Maximise instead of minimise.
    #[serde(default)]
    pub maximize: bool,
}

fn damping() -> f64 {
    1e-3
}
fn damping_factor() -> f64 {
    2.0
}
fn c1() -> f64 {
    super::line_search::DEFAULT_C1
}
fn shrink() -> f64 {
    0.5
}
fn max_ls() -> usize {
    30
}

/// `newton`: parameters of [`Newton`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewtonConfig {
    /// First trial step of the backtracking (1 = the full Newton step).
    #[serde(default = "one")]
    pub lr: f64,
    /// `β`: smallest identity shift when the Hessian is not positive definite (1e-3).
    #[serde(default = "damping")]
    pub damping: f64,
    /// `γ`: growth factor of the shift after a failed Cholesky (2).
    #[serde(default = "damping_factor")]
    pub damping_factor: f64,
    /// Armijo constant (1e-4).
    #[serde(default = "c1")]
    pub c1: f64,
    /// Backtracking factor (0.5).
    #[serde(default = "shrink")]
    pub shrink: f64,
    /// Maximum evaluations of the backtracking per step (30).
    #[serde(default = "max_ls")]
    pub max_ls: usize,
}

fn particles() -> usize {
    40
}
fn inertia() -> f64 {
    0.7298
}
fn accel() -> f64 {
    1.49618
}
fn bounds() -> [f64; 2] {
    [-5.12, 5.12]
}

/// `pso`: parameters of [`Pso`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PsoConfig {
    /// Swarm size (40).
    #[serde(default = "particles")]
    pub particles: usize,
    /// Inertia weight (0.7298).
    #[serde(default = "inertia")]
    pub inertia: f64,
    /// Cognitive coefficient (1.49618).
    #[serde(default = "accel")]
    pub cognitive: f64,
    /// Social coefficient (1.49618).
    #[serde(default = "accel")]
    pub social: f64,
    /// Search box `[lo, hi]` of every coordinate (`[-5.12, 5.12]`).
    #[serde(default = "bounds")]
    pub bounds: [f64; 2],
    /// Random seed (0).
    #[serde(default)]
    pub seed: u64,
}

/// `line_search` of `sgd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SgdLineSearch {
    /// Backtracking Armijo ([`GdArmijo`]); `lr` is the initial trial step.
    Armijo,
}

impl LbfgsConfig {
    /// Validates and builds.
    pub fn build<T: Float>(&self) -> Result<Lbfgs<T>> {
        let mut o = Lbfgs::new(self.lr).max_iter(self.max_iter);
        if let Some(e) = self.max_eval {
            o = o.max_eval(e);
        }
        let o = o
            .tolerance_grad(self.tolerance_grad)
            .tolerance_change(self.tolerance_change)
            .history_size(self.history_size)
            .line_search_fn(self.line_search_fn)
            .maximize(self.maximize);
        o.validate()?;
        Ok(o)
    }
}

impl NewtonConfig {
    /// Validates and builds.
    pub fn build<T: Float>(&self) -> Result<Newton<T>> {
        let o = Newton::new(self.lr)
            .damping(self.damping)
            .damping_factor(self.damping_factor)
            .line_search(Armijo {
                c1: self.c1,
                shrink: self.shrink,
                max_evals: self.max_ls,
            });
        o.validate()
            .map_err(|e| rename_key(e, "max_evals", "max_ls"))?;
        Ok(o)
    }
}

impl PsoConfig {
    /// Validates and builds.
    pub fn build<T: Float>(&self) -> Result<Pso<T>> {
        let o = Pso::new()
            .particles(self.particles)
            .inertia(self.inertia)
            .cognitive(self.cognitive)
            .social(self.social)
            .bounds(self.bounds[0], self.bounds[1])
            .seed(self.seed);
        o.validate()?;
        Ok(o)
    }
}

fn rename_key(e: Error, from: &str, to: &str) -> Error {
    match e {
        Error::InvalidParameter {
            key,
            value,
            allowed,
        } if key == from => Error::InvalidParameter {
            key: to.into(),
            value,
            allowed,
        },
        e => e,
    }
}

/// Builds the [`GdArmijo`] solver for an `sgd` config with `line_search = "armijo"`; only
/// plain gradient descent qualifies (momentum, dampening, weight decay, Nesterov and maximize
/// at their defaults).
pub fn sgd_line_search<T: Float>(c: &SgdConfig) -> Result<GdArmijo<T>> {
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
    let o = GdArmijo::new(c.lr);
    o.validate()?;
    Ok(o)
}

/// A boxed solver.
pub type BoxedSolver<T> = Box<dyn Solver<T>>;
