//! Every config a front end reads — `run`, `compare`, `train`, `schedule`, `sweep`,
//! `lr-find`, `landscape` — parsed, validated with `file:line:col: [table] key `k`` messages,
//! and executed.
//!
//! The one-call entry is [`execute`]: a command name, a config text (TOML) and the name to give
//! it in messages in, the very `serde_json::Value` that `downhill <command> FILE --json` prints
//! out. Beneath it each command has a typed path: parse (the types of this module, e.g.
//! [`run::RunConfig`], built from the span-preserving [`ConfigDoc`]) → execute (the functions of
//! [`exec`], in the precision the config names, chosen in one place: [`Precision::dispatch`]) →
//! a report with its `to_json`. A config given as JSON, with the same tables, is parsed by
//! [`json::Tables`] (or run by [`json::execute_json`]) through the same parser, so it gets the
//! same checks and messages.
//!
//! ```
//! let toml = "[problem]\nfunction = \"sphere\"\nx0 = [1.0, 2.0]\n\
//!             [optimizer]\nname = \"sgd\"\nlr = 0.25\n[run]\nsteps = 2\n";
//! let v = downhill::spec::execute("run", toml, "c.toml").unwrap();
//! assert_eq!(v["status"], "max_steps");
//! assert_eq!(v["x"][1].as_f64(), Some(0.5));
//! let e = downhill::spec::execute("run", &toml.replace("0.25", "-1"), "c.toml").unwrap_err();
//! assert!(e.to_string().starts_with("c.toml:6:1: [optimizer] key `lr`"), "{e}");
//! ```

mod check;
pub mod compare;
mod doc;
pub mod exec;
pub mod json;
pub mod keys;
pub mod landscape;
pub mod least_squares;
pub mod lr_find;
pub mod optim;
pub mod run;
pub mod schedule;
pub mod sweep;
pub mod train;

use std::fmt::Display;

use serde::Deserialize;
use serde_json::Value;

pub use doc::{line_col, missing_table, ConfigDoc};
pub use keys::Keys;

use crate::model::Scalar;
use crate::Error;

/// A bad-input error with a finished message (`file:line:col: [table] key `k`: …`).
pub(crate) fn input(message: impl Display) -> Error {
    Error::Invalid(message.to_string())
}

/// The commands [`execute`] runs.
pub const COMMANDS: &[&str] = &[
    "run",
    "compare",
    "train",
    "schedule",
    "sweep",
    "lr-find",
    "landscape",
];

/// Runs the config text `toml` (named `origin` in messages) as `downhill <command> FILE --json`
/// does and returns what it prints. A run that diverged is a result (`"status": "diverged"`).
/// `schedule` tabulates `[run] steps` steps (the CLI's `--steps` is
/// [`exec::schedule::table`]'s argument).
pub fn execute(command: &str, toml: &str, origin: &str) -> Result<Value, Error> {
    match command {
        "run" => exec::run::run_json(origin, toml),
        "compare" => exec::compare::compare_json(origin, toml),
        "train" => {
            let cfg = train::parse(origin, toml)?;
            Ok(exec::train::fit_with(&cfg, None, &mut |_, _| {})?.1)
        }
        "schedule" => Ok(exec::schedule::table(origin, toml, None, None)?.json()),
        "sweep" => exec::sweep::sweep_json(origin, toml),
        "lr-find" => exec::lr_find::lr_find_json(origin, toml),
        "landscape" => {
            let cfg = landscape::parse(origin, toml)?;
            Ok(exec::landscape::compute(origin, &cfg, exec::landscape::Endpoints::Train)?.json())
        }
        other => Err(Error::Unknown {
            kind: "command".into(),
            name: other.into(),
            known: COMMANDS.join(", "),
        }),
    }
}

/// Floating-point precision of a run or a training (`precision = "f64" | "f32"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// 64-bit.
    #[default]
    F64,
    /// 32-bit.
    F32,
}

/// Work generic over the precision, run by [`Precision::dispatch`].
pub trait InPrecision {
    /// What the work gives.
    type Output;
    /// Does the work in precision `T`.
    fn run<T: Scalar>(self) -> Self::Output;
}

impl Precision {
    /// Runs `work` in this precision: the one `match` over precisions.
    pub fn dispatch<W: InPrecision>(self, work: W) -> W::Output {
        match self {
            Precision::F64 => work.run::<f64>(),
            Precision::F32 => work.run::<f32>(),
        }
    }
}
