//! One module per subcommand.

pub mod bench;
pub mod bench_train;
pub mod compare;
pub mod lab;
pub mod landscape;
pub mod lr_find;
pub mod minimize;
pub mod plot;
pub mod predict;
pub mod run;
pub mod schedule;
pub mod sweep;
#[cfg(feature = "mpi")]
pub mod sweep_mpi;
pub mod train;
#[cfg(feature = "mpi")]
pub mod train_mpi;

use crate::cli::{Cli, Command};
use crate::exit::CliResult;

/// Runs the parsed command line; returns the process exit code.
pub fn dispatch(cli: Cli) -> CliResult {
    match cli.command {
        Command::Run(a) => run::cmd(&a),
        Command::Minimize(a) => minimize::cmd(&a),
        Command::Tour(a) => crate::tour::cmd(&a),
        Command::Bench(a) => bench::cmd(&a),
        Command::Plot(a) => plot::cmd(&a),
        Command::Compare(a) => compare::cmd(&a),
        Command::Train(a) => train::cmd(&a),
        Command::Predict(a) => predict::cmd(&a),
        Command::Landscape(a) => landscape::cmd(&a),
        Command::Schedule(a) => schedule::cmd(&a),
        Command::Lab(a) => lab::cmd(&a),
        Command::Sweep(a) => sweep::cmd(&a),
        Command::LrFind(a) => lr_find::cmd(&a),
    }
}
