//! Optimiser configurations: PyTorch's parameter names and defaults, deserialisable from a
//! config table (`name` selects the variant; the other keys are that optimiser's parameters).

use serde::{Deserialize, Serialize};

use super::{Optimizer, Sgd};
use crate::{Error, Float, Result};

/// Every optimiser name accepted by [`OptimizerConfig::from_named`].
pub const NAMES: &[&str] = &["sgd"];

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
}

/// A complete optimiser configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum OptimizerConfig {
    /// `torch.optim.SGD`.
    Sgd(SgdConfig),
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
            _ => {
                return Err(D::Error::custom(format!(
                    "unknown optimizer `{name}`; known: {}",
                    NAMES.join(", ")
                )))
            }
        })
    }

    /// The configured learning rate.
    pub fn lr(&self) -> f64 {
        match self {
            OptimizerConfig::Sgd(c) => c.lr,
        }
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
                o.validate()?;
                Ok(Box::new(o))
            }
        }
    }
}

/// Error for a name that is not an optimiser.
pub fn unknown(name: &str) -> Error {
    Error::Unknown {
        kind: "optimizer".into(),
        name: name.into(),
        known: NAMES.join(", "),
    }
}
