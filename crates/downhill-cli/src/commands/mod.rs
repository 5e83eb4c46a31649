//! One module per subcommand.

pub mod bench;
pub mod minimize;
pub mod run;
pub mod schedule;

use crate::cli::{Cli, Command};
use crate::exit::CliResult;

/// Runs the parsed command line; returns the process exit code.
pub fn dispatch(cli: Cli) -> CliResult {
    match cli.command {
        Command::Run(a) => run::cmd(&a),
        Command::Minimize(a) => minimize::cmd(&a),
        Command::Tour(a) => crate::tour::cmd(&a),
        Command::Bench(a) => bench::cmd(&a),
        Command::Schedule(a) => schedule::cmd(&a),
    }
}
