//! The registry of optimisers and solvers. Everything that enumerates them is derived from
//! the one `registry!` table in `optim/mod.rs`: the [`OptimizerConfig`] enum, [`NAMES`],
//! [`FIRST_ORDER`], `from_named`, `name`, `lr`, `build`, `solver`, the "known: …" lists of
//! errors, and the [`catalog`]. Adding an optimiser is one file (its config struct with an
//! [`Entry`] impl, its state and its update) plus one line in that table.

use serde::de::DeserializeOwned;
use serde::Serialize;

pub(crate) use super::params::describe;
use super::params::{ParamInfo, ParamSpec};
use super::shared::SharedGroup;
use super::solver::BoxedSolver;
use super::Optimizer;
pub use super::{catalog, OptimizerConfig, FIRST_ORDER, NAMES};
use crate::{Error, Float, Result};

/// Whether an entry is a first-order optimiser (one gradient per step) or a solver (it
/// evaluates the objective itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Built by [`OptimizerConfig::build`].
    FirstOrder,
    /// Built by [`OptimizerConfig::solver`].
    Solver,
}

/// What a method asks of the objective beyond values and gradients (the catalogue lists it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// The Hessian `∇²f` (exact from the objective, else central differences of the gradient).
    Hessian,
    /// Hessian-vector products `∇²f·v` (exact from AD, else from the Hessian, else
    /// differences of the gradient).
    HessianVector,
    /// Residuals `r(x)` and their Jacobian: a least-squares problem (`lm`).
    Residuals,
}

/// What a config struct tells the registry. Implemented in each optimiser's file.
pub trait Entry: Named + Serialize + DeserializeOwned + Default + Clone {
    /// First-order optimiser or solver.
    const KIND: EntryKind;
    /// What it needs of the objective beyond `f` and `∇f` (default: nothing).
    const NEEDS: &'static [Need] = &[];
    /// Whether its step couples the tensors it updates: a quantity reduced over the whole
    /// parameter vector (one adapted step size d, a global gradient norm, one noise stream)
    /// makes a tensor's update depend on the others stepped with it. Such a rule gives the
    /// reference's numbers only when a parameter group's tensors are stepped at once (one
    /// optimiser over their concatenation, told their layout by [`Optimizer::set_shapes`]);
    /// the others (default `false`) give the same numbers stepped one tensor at a time, as
    /// torch keeps one state per tensor.
    const COUPLES_TENSORS: bool = false;
    /// Every parameter, once: key, type, range, doc (defaults come from `Default`).
    const PARAMS: &'static [ParamSpec];
    /// One line about the method.
    const DOC: &'static str;
    /// The configured learning rate (0 where there is none).
    fn lr(&self) -> f64;
    /// Checks the parameters as PyTorch's constructor does: by default the ranges of
    /// [`Entry::PARAMS`]; entries with cross-parameter rules add them.
    fn validate(&self) -> Result<()> {
        super::params::check(self, Self::PARAMS)
    }
    /// Validates and builds the first-order optimiser (solvers: an error saying so).
    fn build<T: Float>(&self) -> Result<Box<dyn Optimizer<T>>> {
        Err(solver_only(Self::NAME))
    }
    /// Validates and builds the solver (`Ok(None)` for a first-order optimiser).
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(None)
    }
    /// Builds ONE optimiser over several parameter groups of this rule when its reference
    /// keeps one state for all of them ([`super::Shared`]: prodigy and D-Adaptation's one d);
    /// `Ok(None)` (the default) where each group steps as its own optimiser.
    fn build_shared<T: Float>(
        _groups: &[SharedGroup<'_, Self>],
    ) -> Result<Option<Box<dyn Optimizer<T>>>> {
        Ok(None)
    }
}

/// The registry name of a config type (implemented by `registry!` from its table line).
pub trait Named {
    /// Config name (`"sgd"`, …).
    const NAME: &'static str;
}

/// One entry of the [`catalog`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogEntry {
    /// Config name.
    pub name: &'static str,
    /// `first_order` or `solver`.
    pub kind: EntryKind,
    /// One line about the method.
    pub doc: &'static str,
    /// What it needs of the objective beyond `f` and `∇f` (`hessian`, `hessian_vector`).
    pub needs: &'static [Need],
    /// [`Entry::COUPLES_TENSORS`]: the step couples the tensors of a parameter group, which
    /// must then be stepped together (one state per group, not per tensor).
    pub couples_tensors: bool,
    /// Its parameters with types, defaults, ranges and docs.
    pub params: Vec<ParamInfo>,
}

pub(crate) fn solver_only(what: &str) -> Error {
    Error::Invalid(format!(
        "`{what}` evaluates the objective itself and runs only where a whole objective is \
         available (downhill run / minimize, `run::Run` with `Method::Solver`), not as a gradient step"
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

/// The one table of optimisers and solvers, invoked in `optim/mod.rs`: each line
/// `module: "name" => Variant(Config), "doc";` declares `optim::module` (its file), re-exports
/// `module::{Variant, Config}` (the optimiser type and its config), and adds the variant to
/// everything derived from the table.
macro_rules! registry {
    ($($module:ident: $lit:literal => $variant:ident($cfg:ident), $doc:literal;)*) => {
        $(
            pub mod $module;
            pub use $module::{$variant, $cfg};
        )*

        /// A complete optimiser configuration (`name` selects the variant).
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "name")]
        pub enum OptimizerConfig {
            $(
                #[doc = $doc]
                #[serde(rename = $lit)]
                $variant($cfg),
            )*
        }

        $(impl $crate::optim::registry::Named for $cfg {
            const NAME: &'static str = $lit;
        })*

        /// Every optimiser name accepted by [`OptimizerConfig::from_named`], in table order.
        pub const NAMES: &[&str] = &[$($lit),*];

        /// The names of the first-order optimisers (built by [`OptimizerConfig::build`]; the
        /// others in [`NAMES`] are solvers, built by [`OptimizerConfig::solver`]).
        pub const FIRST_ORDER: &[&str] = {
            const ALL: [(&str, $crate::optim::registry::EntryKind); NAMES.len()] = [$(($lit, <$cfg as $crate::optim::registry::Entry>::KIND)),*];
            const N: usize = {
                let mut n = 0;
                let mut i = 0;
                while i < ALL.len() {
                    if matches!(ALL[i].1, $crate::optim::registry::EntryKind::FirstOrder) {
                        n += 1;
                    }
                    i += 1;
                }
                n
            };
            const OUT: [&str; N] = {
                let mut out = [""; N];
                let (mut i, mut j) = (0, 0);
                while i < ALL.len() {
                    if matches!(ALL[i].1, $crate::optim::registry::EntryKind::FirstOrder) {
                        out[j] = ALL[i].0;
                        j += 1;
                    }
                    i += 1;
                }
                out
            };
            &OUT
        };

        /// The machine-readable catalogue of every optimiser and solver: kind, doc and each
        /// parameter's type, default, valid range and doc (what the lab builds controls from).
        pub fn catalog() -> Vec<$crate::optim::registry::CatalogEntry> {
            vec![$($crate::optim::registry::CatalogEntry {
                name: $lit,
                kind: <$cfg as $crate::optim::registry::Entry>::KIND,
                doc: <$cfg as $crate::optim::registry::Entry>::DOC,
                needs: <$cfg as $crate::optim::registry::Entry>::NEEDS,
                couples_tensors: <$cfg as $crate::optim::registry::Entry>::COUPLES_TENSORS,
                params: $crate::optim::registry::describe(&<$cfg>::default(), <$cfg as $crate::optim::registry::Entry>::PARAMS),
            }),*]
        }

        impl OptimizerConfig {
            /// Deserialises the parameters of the optimiser called `name` from `d` (a table
            /// without its `name` key). Unknown names and unknown keys are errors.
            pub fn from_named<'de, D: serde::Deserializer<'de>>(
                name: &str,
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                use serde::de::Error as _;
                match name {
                    $($lit => Ok(OptimizerConfig::$variant(<$cfg as serde::Deserialize>::deserialize(d)?)),)*
                    _ => Err(D::Error::custom(format!(
                        "unknown optimizer `{name}`; known: {}",
                        NAMES.join(", ")
                    ))),
                }
            }

            /// The optimiser's config name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(OptimizerConfig::$variant(_) => $lit,)*
                }
            }

            /// Whether the method needs a least-squares problem (residuals), as `lm` does.
            pub fn needs_residuals(&self) -> bool {
                match self {
                    $(OptimizerConfig::$variant(_) => <$cfg as $crate::optim::registry::Entry>::NEEDS.contains(&$crate::optim::registry::Need::Residuals),)*
                }
            }

            /// The configured learning rate (0 for `pso`, which has none).
            pub fn lr(&self) -> f64 {
                match self {
                    $(OptimizerConfig::$variant(c) => $crate::optim::registry::Entry::lr(c),)*
                }
            }

            /// Validates the parameters (as PyTorch's constructors do) and builds the
            /// first-order optimiser; a solver's config is an error here.
            pub fn build<T: $crate::Float>(&self) -> $crate::Result<Box<dyn Optimizer<T>>> {
                match self {
                    $(OptimizerConfig::$variant(c) => $crate::optim::registry::Entry::build::<T>(c),)*
                }
            }

            /// One optimiser over the parameter groups `groups` (in order) that share one
            /// state, when they all are of one rule whose reference keeps one
            /// ([`Entry::build_shared`]); `Ok(None)` otherwise (each group steps alone).
            pub fn build_shared<T: $crate::Float>(
                groups: &[$crate::optim::shared::SharedGroup<'_, OptimizerConfig>],
            ) -> $crate::Result<Option<Box<dyn Optimizer<T>>>> {
                match groups.first().map(|g| g.cfg) {
                    $(Some(OptimizerConfig::$variant(_)) => {
                        let mut typed = Vec::with_capacity(groups.len());
                        for g in groups {
                            let OptimizerConfig::$variant(cfg) = g.cfg else {
                                return Ok(None);
                            };
                            typed.push($crate::optim::shared::SharedGroup {
                                cfg,
                                shapes: g.shapes.clone(),
                                lr: g.lr,
                                lr_key: g.lr_key.clone(),
                            });
                        }
                        <$cfg as $crate::optim::registry::Entry>::build_shared::<T>(&typed)
                    })*
                    None => Ok(None),
                }
            }

            /// The [`super::Solver`] this config describes, if it is one (`lbfgs`, `newton`,
            /// `pso`, `sgd` with a line search); `Ok(None)` for first-order optimisers.
            pub fn solver<T: $crate::Float>(&self) -> $crate::Result<Option<BoxedSolver<T>>> {
                match self {
                    $(OptimizerConfig::$variant(c) => $crate::optim::registry::Entry::solver::<T>(c),)*
                }
            }
        }
    };
}
pub(crate) use registry;

/// The config key that sets the momentum of the optimiser called `name` — what a momentum
/// schedule drives through [`Optimizer::set_hyper`]:
/// `momentum` (sgd, rmsprop, muon, `momentum`) or `betas[0]` (the Adam family, lion). `None`
/// for an optimiser without one, a solver, or an unknown name.
pub fn momentum_key(name: &str) -> Option<&'static str> {
    let cfg = OptimizerConfig::from_named(name, serde_json::json!({})).ok()?;
    cfg.build::<f64>().ok()?.momentum()?;
    let table = serde_json::to_value(&cfg).ok()?;
    if table.get("momentum").is_some() {
        Some("momentum")
    } else if table.get("betas").is_some() {
        Some("betas[0]")
    } else {
        None
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
    fn momentum_keys() {
        for n in ["sgd", "rmsprop", "muon", "momentum"] {
            assert_eq!(momentum_key(n), Some("momentum"), "{n}");
        }
        for n in ["adam", "adamw", "nadam", "radam", "adamax", "lion"] {
            assert_eq!(momentum_key(n), Some("betas[0]"), "{n}");
        }
        for n in [
            "adagrad", "adadelta", "rprop", "asgd", "lbfgs", "pso", "nope",
        ] {
            assert_eq!(momentum_key(n), None, "{n}");
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
        let OptimizerConfig::Adamw(w) = named("adamw", json!({})).unwrap() else {
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

    /// The catalogue lists every entry, and every parameter of each config once: the keys of
    /// its `PARAMS` table are exactly the keys its `Default` serialises to (optional ones aside).
    #[test]
    fn catalog_covers_every_parameter_once() {
        let cat = catalog();
        assert_eq!(cat.iter().map(|e| e.name).collect::<Vec<_>>(), NAMES);
        for &n in NAMES {
            let c = named(n, json!({})).unwrap();
            let v = serde_json::to_value(&c).unwrap();
            let entry = cat.iter().find(|e| e.name == n).unwrap();
            let mut keys: Vec<_> = v
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "name")
                .collect();
            // A parameter whose default is "unset" (`None`, skipped when serialised) is listed
            // but has no key in the default config.
            let mut listed: Vec<_> = entry
                .params
                .iter()
                .filter(|p| !p.default.is_null() || keys.iter().any(|k| k.as_str() == p.name))
                .map(|p| p.name)
                .collect();
            keys.sort();
            listed.sort();
            assert_eq!(keys, listed, "{n}");
            let lr = entry.params.iter().find(|p| p.name == "lr");
            if let Some(lr) = lr {
                assert_eq!(lr.default, json!(c.lr()), "{n}");
            }
        }
        let json = serde_json::to_value(&cat).unwrap();
        let rprop = json
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "rprop")
            .unwrap();
        assert_eq!(rprop["kind"], "first_order");
        assert_eq!(rprop["needs"], json!([]));
        let needs = |n: &str| {
            json.as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"] == n)
                .unwrap()["needs"]
                .clone()
        };
        assert_eq!(needs("trust_ncg"), json!(["hessian_vector"]));
        assert_eq!(needs("newton"), json!(["hessian"]));
        assert_eq!(needs("bfgs"), json!([]));
        // Whether each rule couples its tensors is checked by what it does
        // (tests/couples_tensors.rs); here only that the catalogue carries it.
        assert_eq!(rprop["couples_tensors"], false);
        assert_eq!(rprop["params"][1]["name"], "etas");
        assert_eq!(rprop["params"][1]["type"], "pair");
        assert_eq!(rprop["params"][1]["default"], json!([0.5, 1.2]));
        assert_eq!(rprop["params"][1]["ranges"][1]["min"], 1.0);
        assert_eq!(rprop["params"][0]["range"]["min_inclusive"], true);
        let sgd = &json[0]["params"];
        assert_eq!(sgd[7]["name"], "state_precision");
        assert_eq!(sgd[7]["choices"], json!(["full", "bf16"]));
    }
}
