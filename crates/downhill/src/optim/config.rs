//! Optimiser configurations: PyTorch's parameter names and defaults, deserialisable from a
//! config table (`name` selects the variant; the other keys are that optimiser's parameters).

use serde::{Deserialize, Serialize};

use super::solver_config::{
    sgd_line_search, BoxedSolver, LbfgsConfig, NewtonConfig, PsoConfig, SgdLineSearch,
};
use super::{
    Adadelta, Adagrad, Adam, AdamW, Adamax, Lion, Momentum, MomentumVariant, NAdam, Optimizer,
    RAdam, RmsProp, Sgd, StatePrecision,
};
use crate::{Error, Float, Result};

/// Every optimiser name accepted by [`OptimizerConfig::from_named`]: the first-order ones
/// ([`FIRST_ORDER`]) and the solvers (`lbfgs`, `newton`, `pso`).
pub const NAMES: &[&str] = &[
    "sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw", "nadam", "radam", "adamax",
    "adadelta", "lion", "lbfgs", "newton", "pso",
];

/// The names of the first-order optimisers, built by [`OptimizerConfig::build`] (the others
/// in [`NAMES`] are solvers, built by [`OptimizerConfig::solver`]).
pub const FIRST_ORDER: &[&str] = &[
    "sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw", "nadam", "radam", "adamax",
    "adadelta", "lion",
];

fn lr_1e_3() -> f64 {
    1e-3
}
fn lr_1e_2() -> f64 {
    1e-2
}
fn lr_2e_3() -> f64 {
    2e-3
}
fn lr_1e_4() -> f64 {
    1e-4
}
fn one() -> f64 {
    1.0
}
fn eps_1e_8() -> f64 {
    1e-8
}
/// Deserialises a pair `[a, b]`, refusing any other length (serde's array impl would silently
/// ignore a third element).
fn exact_pair<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<[f64; 2], D::Error> {
    let v = Vec::<f64>::deserialize(d)?;
    <[f64; 2]>::try_from(v.as_slice())
        .map_err(|_| serde::de::Error::invalid_length(v.len(), &"a pair [beta1, beta2]"))
}

fn adam_betas() -> [f64; 2] {
    [0.9, 0.999]
}

/// `sgd`: parameters of [`Sgd`] (PyTorch defaults: lr 1e-3, everything else 0/false).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SgdConfig {
    /// Learning rate.
    #[serde(default = "lr_1e_3")]
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
    /// Storage of the momentum buffer: `"full"` (default) or `"bf16"`.
    #[serde(default)]
    pub state_precision: StatePrecision,
}

fn default_momentum() -> f64 {
    0.9
}

/// `momentum`: parameters of [`Momentum`] (seed 003; lr 1e-3, momentum 0.9, heavy ball).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MomentumConfig {
    /// Learning rate α.
    #[serde(default = "lr_1e_3")]
    pub lr: f64,
    /// Momentum β.
    #[serde(default = "default_momentum")]
    pub momentum: f64,
    /// `heavy_ball`, `nesterov` or `nesterov_midpoint`.
    #[serde(default)]
    pub variant: MomentumVariant,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
}

fn eps_1e_10() -> f64 {
    1e-10
}

/// `adagrad`: parameters of [`Adagrad`] (PyTorch defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdagradConfig {
    /// Learning rate (1e-2).
    #[serde(default = "lr_1e_2")]
    pub lr: f64,
    /// Learning-rate decay (0).
    #[serde(default)]
    pub lr_decay: f64,
    /// L2 penalty (0).
    #[serde(default)]
    pub weight_decay: f64,
    /// Initial accumulator value (0).
    #[serde(default)]
    pub initial_accumulator_value: f64,
    /// ε (1e-10).
    #[serde(default = "eps_1e_10")]
    pub eps: f64,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
}

fn alpha_099() -> f64 {
    0.99
}

/// `rmsprop`: parameters of [`RmsProp`] (PyTorch defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RmsPropConfig {
    /// Learning rate (1e-2).
    #[serde(default = "lr_1e_2")]
    pub lr: f64,
    /// Smoothing constant (0.99).
    #[serde(default = "alpha_099")]
    pub alpha: f64,
    /// ε (1e-8).
    #[serde(default = "eps_1e_8")]
    pub eps: f64,
    /// L2 penalty (0).
    #[serde(default)]
    pub weight_decay: f64,
    /// Momentum (0).
    #[serde(default)]
    pub momentum: f64,
    /// Centred RMSprop (false).
    #[serde(default)]
    pub centered: bool,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
}

/// `adam`: parameters of [`Adam`] (PyTorch defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamConfig {
    /// Learning rate (1e-3).
    #[serde(default = "lr_1e_3")]
    pub lr: f64,
    /// (β₁, β₂) ((0.9, 0.999)).
    #[serde(default = "adam_betas", deserialize_with = "exact_pair")]
    pub betas: [f64; 2],
    /// ε (1e-8).
    #[serde(default = "eps_1e_8")]
    pub eps: f64,
    /// Weight decay (0).
    #[serde(default)]
    pub weight_decay: f64,
    /// AMSGrad (false).
    #[serde(default)]
    pub amsgrad: bool,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
    /// Decoupled (AdamW) weight decay (false).
    #[serde(default)]
    pub decoupled_weight_decay: bool,
    /// Storage of the moments: `"full"` (default) or `"bf16"`.
    #[serde(default)]
    pub state_precision: StatePrecision,
}

fn wd_1e_2() -> f64 {
    1e-2
}

/// `adamw`: parameters of `AdamW` (PyTorch defaults; weight_decay 1e-2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamWConfig {
    /// Learning rate (1e-3).
    #[serde(default = "lr_1e_3")]
    pub lr: f64,
    /// (β₁, β₂) ((0.9, 0.999)).
    #[serde(default = "adam_betas", deserialize_with = "exact_pair")]
    pub betas: [f64; 2],
    /// ε (1e-8).
    #[serde(default = "eps_1e_8")]
    pub eps: f64,
    /// Decoupled weight decay (1e-2).
    #[serde(default = "wd_1e_2")]
    pub weight_decay: f64,
    /// AMSGrad (false).
    #[serde(default)]
    pub amsgrad: bool,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
    /// Storage of the moments: `"full"` (default) or `"bf16"`.
    #[serde(default)]
    pub state_precision: StatePrecision,
}

fn momentum_decay() -> f64 {
    4e-3
}

/// `nadam`: parameters of [`NAdam`] (PyTorch defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NAdamConfig {
    /// Learning rate (2e-3).
    #[serde(default = "lr_2e_3")]
    pub lr: f64,
    /// (β₁, β₂) ((0.9, 0.999)).
    #[serde(default = "adam_betas", deserialize_with = "exact_pair")]
    pub betas: [f64; 2],
    /// ε (1e-8).
    #[serde(default = "eps_1e_8")]
    pub eps: f64,
    /// Weight decay (0).
    #[serde(default)]
    pub weight_decay: f64,
    /// Momentum decay ψ (4e-3).
    #[serde(default = "momentum_decay")]
    pub momentum_decay: f64,
    /// Decoupled (AdamW-style) weight decay (false).
    #[serde(default)]
    pub decoupled_weight_decay: bool,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
}

/// `radam`: parameters of [`RAdam`] (PyTorch defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RAdamConfig {
    /// Learning rate (1e-3).
    #[serde(default = "lr_1e_3")]
    pub lr: f64,
    /// (β₁, β₂) ((0.9, 0.999)).
    #[serde(default = "adam_betas", deserialize_with = "exact_pair")]
    pub betas: [f64; 2],
    /// ε (1e-8).
    #[serde(default = "eps_1e_8")]
    pub eps: f64,
    /// Weight decay (0).
    #[serde(default)]
    pub weight_decay: f64,
    /// Decoupled (AdamW-style) weight decay (false).
    #[serde(default)]
    pub decoupled_weight_decay: bool,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
}

/// `adamax`: parameters of [`Adamax`] (PyTorch defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamaxConfig {
    /// Learning rate (2e-3).
    #[serde(default = "lr_2e_3")]
    pub lr: f64,
    /// (β₁, β₂) ((0.9, 0.999)).
    #[serde(default = "adam_betas", deserialize_with = "exact_pair")]
    pub betas: [f64; 2],
    /// ε (1e-8).
    #[serde(default = "eps_1e_8")]
    pub eps: f64,
    /// Weight decay (0).
    #[serde(default)]
    pub weight_decay: f64,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
}

fn rho_09() -> f64 {
    0.9
}
fn eps_1e_6() -> f64 {
    1e-6
}

/// `adadelta`: parameters of [`Adadelta`] (PyTorch defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdadeltaConfig {
    /// Learning rate (1.0).
    #[serde(default = "one")]
    pub lr: f64,
    /// ρ (0.9).
    #[serde(default = "rho_09")]
    pub rho: f64,
    /// ε (1e-6).
    #[serde(default = "eps_1e_6")]
    pub eps: f64,
    /// Weight decay (0).
    #[serde(default)]
    pub weight_decay: f64,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
}

fn lion_betas() -> [f64; 2] {
    [0.9, 0.99]
}

/// `lion`: parameters of [`Lion`] (the paper's defaults: lr 1e-4, betas (0.9, 0.99)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LionConfig {
    /// Learning rate (1e-4).
    #[serde(default = "lr_1e_4")]
    pub lr: f64,
    /// (β₁, β₂) ((0.9, 0.99)).
    #[serde(default = "lion_betas")]
    pub betas: [f64; 2],
    /// Decoupled weight decay (0).
    #[serde(default)]
    pub weight_decay: f64,
    /// Gradient ascent.
    #[serde(default)]
    pub maximize: bool,
}

/// A complete optimiser configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name")]
pub enum OptimizerConfig {
    /// `torch.optim.SGD`.
    #[serde(rename = "sgd")]
    Sgd(SgdConfig),
    /// Seed 003's heavy ball / Nesterov / Nesterov-midpoint momentum.
    #[serde(rename = "momentum")]
    Momentum(MomentumConfig),
    /// `torch.optim.Adagrad`.
    #[serde(rename = "adagrad")]
    Adagrad(AdagradConfig),
    /// `torch.optim.RMSprop`.
    #[serde(rename = "rmsprop")]
    RmsProp(RmsPropConfig),
    /// `torch.optim.Adam`.
    #[serde(rename = "adam")]
    Adam(AdamConfig),
    /// `torch.optim.AdamW`.
    #[serde(rename = "adamw")]
    AdamW(AdamWConfig),
    /// `torch.optim.NAdam`.
    #[serde(rename = "nadam")]
    NAdam(NAdamConfig),
    /// `torch.optim.RAdam`.
    #[serde(rename = "radam")]
    RAdam(RAdamConfig),
    /// `torch.optim.Adamax`.
    #[serde(rename = "adamax")]
    Adamax(AdamaxConfig),
    /// `torch.optim.Adadelta`.
    #[serde(rename = "adadelta")]
    Adadelta(AdadeltaConfig),
    /// Lion.
    #[serde(rename = "lion")]
    Lion(LionConfig),
    /// `torch.optim.LBFGS` (a [`super::Solver`]).
    #[serde(rename = "lbfgs")]
    Lbfgs(LbfgsConfig),
    /// Newton's method (a [`super::Solver`]).
    #[serde(rename = "newton")]
    Newton(NewtonConfig),
    /// Particle swarm (a [`super::Solver`]).
    #[serde(rename = "pso")]
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
        use OptimizerConfig as C;
        Ok(match name {
            "sgd" => C::Sgd(SgdConfig::deserialize(d)?),
            "momentum" => C::Momentum(MomentumConfig::deserialize(d)?),
            "adagrad" => C::Adagrad(AdagradConfig::deserialize(d)?),
            "rmsprop" => C::RmsProp(RmsPropConfig::deserialize(d)?),
            "adam" => C::Adam(AdamConfig::deserialize(d)?),
            "adamw" => C::AdamW(AdamWConfig::deserialize(d)?),
            "nadam" => C::NAdam(NAdamConfig::deserialize(d)?),
            "radam" => C::RAdam(RAdamConfig::deserialize(d)?),
            "adamax" => C::Adamax(AdamaxConfig::deserialize(d)?),
            "adadelta" => C::Adadelta(AdadeltaConfig::deserialize(d)?),
            "lion" => C::Lion(LionConfig::deserialize(d)?),
            "lbfgs" => C::Lbfgs(LbfgsConfig::deserialize(d)?),
            "newton" => C::Newton(NewtonConfig::deserialize(d)?),
            "pso" => C::Pso(PsoConfig::deserialize(d)?),
            _ => {
                return Err(D::Error::custom(format!(
                    "unknown optimizer `{name}`; known: {}",
                    NAMES.join(", ")
                )))
            }
        })
    }

    /// The optimiser's config name.
    pub fn name(&self) -> &'static str {
        use OptimizerConfig as C;
        match self {
            C::Sgd(_) => "sgd",
            C::Momentum(_) => "momentum",
            C::Adagrad(_) => "adagrad",
            C::RmsProp(_) => "rmsprop",
            C::Adam(_) => "adam",
            C::AdamW(_) => "adamw",
            C::NAdam(_) => "nadam",
            C::RAdam(_) => "radam",
            C::Adamax(_) => "adamax",
            C::Adadelta(_) => "adadelta",
            C::Lion(_) => "lion",
            C::Lbfgs(_) => "lbfgs",
            C::Newton(_) => "newton",
            C::Pso(_) => "pso",
        }
    }

    /// The configured learning rate (0 for `pso`, which has none).
    pub fn lr(&self) -> f64 {
        use OptimizerConfig as C;
        match self {
            C::Sgd(c) => c.lr,
            C::Momentum(c) => c.lr,
            C::Adagrad(c) => c.lr,
            C::RmsProp(c) => c.lr,
            C::Adam(c) => c.lr,
            C::AdamW(c) => c.lr,
            C::NAdam(c) => c.lr,
            C::RAdam(c) => c.lr,
            C::Adamax(c) => c.lr,
            C::Adadelta(c) => c.lr,
            C::Lion(c) => c.lr,
            C::Lbfgs(c) => c.lr,
            C::Newton(c) => c.lr,
            C::Pso(_) => 0.0,
        }
    }

    /// The [`super::Solver`] this config describes, if it is one (`lbfgs`, `newton`, `pso`,
    /// `sgd` with a line search); `Ok(None)` for first-order optimisers (use [`Self::build`]).
    pub fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        use OptimizerConfig as C;
        Ok(Some(match self {
            C::Lbfgs(c) => Box::new(c.build::<T>()?),
            C::Newton(c) => Box::new(c.build::<T>()?),
            C::Pso(c) => Box::new(c.build::<T>()?),
            C::Sgd(c) if c.line_search.is_some() => Box::new(sgd_line_search(c)?),
            _ => return Ok(None),
        }))
    }

    /// Validates the parameters (as PyTorch's constructors do) and builds the optimiser.
    pub fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        use OptimizerConfig as C;
        Ok(match self {
            C::Sgd(c) => {
                let o = Sgd::<T>::new(c.lr)
                    .momentum(c.momentum)
                    .dampening(c.dampening)
                    .weight_decay(c.weight_decay)
                    .nesterov(c.nesterov)
                    .maximize(c.maximize)
                    .state_precision(c.state_precision);
                if c.line_search.is_some() {
                    return Err(solver_only("sgd with line_search"));
                }
                o.validate()?;
                Box::new(o)
            }
            C::Momentum(c) => {
                let o = Momentum::<T>::new(c.lr)
                    .momentum(c.momentum)
                    .variant(c.variant)
                    .maximize(c.maximize);
                o.validate()?;
                Box::new(o)
            }
            C::Adagrad(c) => {
                let o = Adagrad::<T>::new(c.lr)
                    .lr_decay(c.lr_decay)
                    .weight_decay(c.weight_decay)
                    .initial_accumulator_value(c.initial_accumulator_value)
                    .eps(c.eps)
                    .maximize(c.maximize);
                o.validate()?;
                Box::new(o)
            }
            C::RmsProp(c) => {
                let o = RmsProp::<T>::new(c.lr)
                    .alpha(c.alpha)
                    .eps(c.eps)
                    .weight_decay(c.weight_decay)
                    .momentum(c.momentum)
                    .centered(c.centered)
                    .maximize(c.maximize);
                o.validate()?;
                Box::new(o)
            }
            C::Adam(c) => {
                let o = Adam::<T>::new(c.lr)
                    .betas(c.betas[0], c.betas[1])
                    .eps(c.eps)
                    .weight_decay(c.weight_decay)
                    .amsgrad(c.amsgrad)
                    .maximize(c.maximize)
                    .decoupled_weight_decay(c.decoupled_weight_decay)
                    .state_precision(c.state_precision);
                o.validate()?;
                Box::new(o)
            }
            C::AdamW(c) => {
                let o = AdamW::new::<T>(c.lr)
                    .betas(c.betas[0], c.betas[1])
                    .eps(c.eps)
                    .weight_decay(c.weight_decay)
                    .amsgrad(c.amsgrad)
                    .maximize(c.maximize)
                    .state_precision(c.state_precision);
                o.validate()?;
                Box::new(o)
            }
            C::NAdam(c) => {
                let o = NAdam::<T>::new(c.lr)
                    .betas(c.betas[0], c.betas[1])
                    .eps(c.eps)
                    .weight_decay(c.weight_decay)
                    .momentum_decay(c.momentum_decay)
                    .decoupled_weight_decay(c.decoupled_weight_decay)
                    .maximize(c.maximize);
                o.validate()?;
                Box::new(o)
            }
            C::RAdam(c) => {
                let o = RAdam::<T>::new(c.lr)
                    .betas(c.betas[0], c.betas[1])
                    .eps(c.eps)
                    .weight_decay(c.weight_decay)
                    .decoupled_weight_decay(c.decoupled_weight_decay)
                    .maximize(c.maximize);
                o.validate()?;
                Box::new(o)
            }
            C::Adamax(c) => {
                let o = Adamax::<T>::new(c.lr)
                    .betas(c.betas[0], c.betas[1])
                    .eps(c.eps)
                    .weight_decay(c.weight_decay)
                    .maximize(c.maximize);
                o.validate()?;
                Box::new(o)
            }
            C::Adadelta(c) => {
                let o = Adadelta::<T>::new(c.lr)
                    .rho(c.rho)
                    .eps(c.eps)
                    .weight_decay(c.weight_decay)
                    .maximize(c.maximize);
                o.validate()?;
                Box::new(o)
            }
            C::Lion(c) => {
                let o = Lion::<T>::new(c.lr)
                    .betas(c.betas[0], c.betas[1])
                    .weight_decay(c.weight_decay)
                    .maximize(c.maximize);
                o.validate()?;
                Box::new(o)
            }
            C::Lbfgs(_) => return Err(solver_only("lbfgs")),
            C::Newton(_) => return Err(solver_only("newton")),
            C::Pso(_) => return Err(solver_only("pso")),
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn named(name: &str, v: serde_json::Value) -> std::result::Result<OptimizerConfig, String> {
        OptimizerConfig::from_named(name, v).map_err(|e| e.to_string())
    }

    #[test]
    fn every_name_parses_with_defaults_and_builds() {
        for &n in NAMES {
            let c = named(n, json!({})).unwrap();
            assert_eq!(c.name(), n);
            let is_solver = c.solver::<f64>().unwrap().is_some();
            assert_eq!(is_solver, !FIRST_ORDER.contains(&n), "{n}");
        }
        for &n in FIRST_ORDER {
            let c = named(n, json!({})).unwrap();
            assert_eq!(c.name(), n);
            let o = c.build::<f64>().unwrap();
            assert_eq!(o.name(), n);
            assert_eq!(o.lr(), c.lr());
        }
    }

    #[test]
    fn pytorch_defaults() {
        let lr = |n: &str| named(n, json!({})).unwrap().lr();
        assert_eq!(lr("adagrad"), 1e-2);
        assert_eq!(lr("rmsprop"), 1e-2);
        assert_eq!(lr("adam"), 1e-3);
        assert_eq!(lr("nadam"), 2e-3);
        assert_eq!(lr("adamax"), 2e-3);
        assert_eq!(lr("adadelta"), 1.0);
        assert_eq!(lr("lion"), 1e-4);
        let OptimizerConfig::AdamW(w) = named("adamw", json!({})).unwrap() else {
            panic!("not adamw")
        };
        assert_eq!(w.weight_decay, 1e-2);
        assert_eq!(w.betas, [0.9, 0.999]);
    }

    #[test]
    fn unknown_keys_and_names_are_errors() {
        let e = named("adam", json!({"momentum": 0.9})).unwrap_err();
        assert!(e.contains("momentum"), "{e}");
        let e = named("adamm", json!({})).unwrap_err();
        assert!(e.contains("adamm"), "{e}");
        let e = named("momentum", json!({"variant": "sideways"})).unwrap_err();
        assert!(e.contains("sideways"), "{e}");
    }

    #[test]
    fn validation_names_the_key() {
        let bad = [
            ("adam", json!({"betas": [0.9, 1.0]}), "betas[1]"),
            ("adam", json!({"lr": -1.0}), "lr"),
            ("adamw", json!({"eps": -1.0}), "eps"),
            ("rmsprop", json!({"alpha": -0.5}), "alpha"),
            ("rmsprop", json!({"momentum": -0.5}), "momentum"),
            ("adagrad", json!({"lr_decay": -0.5}), "lr_decay"),
            (
                "adagrad",
                json!({"initial_accumulator_value": -1}),
                "initial_accumulator_value",
            ),
            ("nadam", json!({"momentum_decay": -1.0}), "momentum_decay"),
            ("radam", json!({"weight_decay": -1.0}), "weight_decay"),
            ("adamax", json!({"betas": [-0.1, 0.9]}), "betas[0]"),
            ("adadelta", json!({"rho": 1.5}), "rho"),
            ("lion", json!({"betas": [0.9, 1.5]}), "betas[1]"),
            ("momentum", json!({"momentum": -0.5}), "momentum"),
            ("sgd", json!({"nesterov": true}), "nesterov"),
        ];
        for (n, v, key) in bad {
            let c = named(n, v).unwrap();
            match c.build::<f64>() {
                Err(Error::InvalidParameter { key: k, .. }) => assert_eq!(k, key, "{n}"),
                other => panic!(
                    "{n}: expected InvalidParameter({key}), got {:?}",
                    other.err()
                ),
            }
        }
        // rho = 1 is allowed, as in PyTorch (closed interval).
        assert!(named("adadelta", json!({"rho": 1.0}))
            .unwrap()
            .build::<f64>()
            .is_ok());
    }

    #[test]
    fn serialises_with_its_name() {
        let c = named("rmsprop", json!({"centered": true})).unwrap();
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["name"], "rmsprop");
        assert_eq!(v["centered"], true);
        // The tagged form deserialises back, still refusing unknown keys.
        let back: OptimizerConfig = serde_json::from_value(v).unwrap();
        assert_eq!(back, c);
        let bad = serde_json::from_value::<OptimizerConfig>(json!({"name": "lion", "eps": 1.0}));
        assert!(bad.is_err());
    }
}
