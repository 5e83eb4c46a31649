//! Optimiser configurations: PyTorch's parameter names and defaults, deserialisable from a
//! config table (`name` selects the variant; the other keys are that optimiser's parameters).

use serde::{Deserialize, Serialize};

use super::solver_config::{
    sgd_line_search, BoxedSolver, LbfgsConfig, NewtonConfig, PsoConfig, SgdLineSearch,
};
use super::{Optimizer, Sgd};
use crate::{Error, Float, Result};

/// Every optimiser name accepted by [`OptimizerConfig::from_named`].
pub const NAMES: &[&str] = &["sgd", "lbfgs", "newton", "pso"];

fn default_lr() -> f64 {
    1e-3
}

/// `sgd`: parameters of [`Sgd`] (PyTorch defaults: lr 1e-3, everything else 0/false).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SgdConfig {
    /// Learning rate.
    #[serde(default = "default_lr")]
    pub lr: f64,
    /// Momentum factor.
    #[serde(default)]
    pub momentum: f64,
    /// Dampening for momentum.
    #[serde(default)]
    pub dampening: f64,
    /// L2 penalty.
    #[serde(default)]
    pub weight_decay: f64,
    /// Nesterov momentum.
    #[serde(default)]
    pub nesterov: bool,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
    /// `"armijo"`: backtracking line search from `lr` (plain GD only; run as a solver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_search: Option<SgdLineSearch>,
}

/// A complete optimiser configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum OptimizerConfig {
    /// `torch.optim.SGD`.
    Sgd(SgdConfig),
    /// `torch.optim.LBFGS` (a [`super::Solver`]).
    Lbfgs(LbfgsConfig),
    /// Newton's method (a [`super::Solver`]).
    Newton(NewtonConfig),
    /// Particle swarm (a [`super::Solver`]).
    Pso(PsoConfig),
}

impl OptimizerConfig {
    /// Deserialises the parameters of the optimiser called `name` from `d` (a table without
    /// its `name` key). Unknown names and unknown keys are errors.
    pub fn from_named<'de, D: serde::Deserializer<'de>>(
        name: &str,
        d: D,
    ) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        Ok(match name {
            "sgd" => OptimizerConfig::Sgd(SgdConfig::deserialize(d)?),
            "lbfgs" => OptimizerConfig::Lbfgs(LbfgsConfig::deserialize(d)?),
            "newton" => OptimizerConfig::Newton(NewtonConfig::deserialize(d)?),
            "pso" => OptimizerConfig::Pso(PsoConfig::deserialize(d)?),
            _ => {
                return Err(D::Error::custom(format!(
                    "unknown optimizer `{name}`; known: {}",
                    NAMES.join(", ")
                )))
            }
        })
    }

    /// The configured learning rate (0 for `pso`, which has none).
    pub fn lr(&self) -> f64 {
        match self {
            OptimizerConfig::Sgd(c) => c.lr,
            OptimizerConfig::Lbfgs(c) => c.lr,
            OptimizerConfig::Newton(c) => c.lr,
            OptimizerConfig::Pso(_) => 0.0,
        }
    }

    /// The [`super::Solver`] this config describes, if it is one (`lbfgs`, `newton`, `pso`,
    /// `sgd` with a line search); `Ok(None)` for first-order optimisers (use [`Self::build`]).
    pub fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(match self {
            OptimizerConfig::Lbfgs(c) => Box::new(c.build::<T>()?),
            OptimizerConfig::Newton(c) => Box::new(c.build::<T>()?),
            OptimizerConfig::Pso(c) => Box::new(c.build::<T>()?),
            OptimizerConfig::Sgd(c) if c.line_search.is_some() => Box::new(sgd_line_search(c)?),
            _ => return Ok(None),
        }))
    }

    /// Validates the parameters (as PyTorch's constructors do) and builds the optimiser.
    pub fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        match self {
            OptimizerConfig::Sgd(c) => {
                let o = Sgd::<T>::new(c.lr)
                    .momentum(c.momentum)
                    .dampening(c.dampening)
                    .weight_decay(c.weight_decay)
                    .nesterov(c.nesterov)
                    .maximize(c.maximize);
                if c.line_search.is_some() {
                    return Err(solver_only("sgd with line_search"));
                }
                o.validate()?;
                Ok(Box::new(o))
            }
            OptimizerConfig::Lbfgs(_) => Err(solver_only("lbfgs")),
            OptimizerConfig::Newton(_) => Err(solver_only("newton")),
            OptimizerConfig::Pso(_) => Err(solver_only("pso")),
        }
    }
}

fn solver_only(what: &str) -> Error {
    Error::Invalid(format!(
        "`{what}` evaluates the objective itself and runs only where a whole objective is \
         available (downhill run / minimize, `run::solve`), not as a gradient step"
    ))
}

/// Error for a name that is not an optimiser.
pub fn unknown(name: &str) -> Error {
    Error::Unknown {
        kind: "optimizer".into(),
        name: name.into(),
        known: NAMES.join(", "),
    }
}
