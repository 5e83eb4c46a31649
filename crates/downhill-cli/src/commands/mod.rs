//! One module per subcommand. A command module names no other (`tests/module_rules.rs`):
//! what two commands share lives in the library, in `crate::present`, `crate::cli` or
//! `crate::measure`; this file alone declares them and chooses which one runs (the `bench`
//! subcommands; the MPI variants of `train` and `sweep`).

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

use crate::cli::bench::{BenchArgs, BenchCommand};
use crate::cli::{Cli, Command};
use crate::exit::CliResult;

/// Runs the parsed command line; returns the process exit code.
pub fn dispatch(cli: Cli) -> CliResult {
    match cli.command {
        Command::Run(a) => run::cmd(&a),
        Command::Minimize(a) => minimize::cmd(&a),
        Command::Tour(a) => crate::tour::cmd(&a),
        Command::Bench(a) => bench_cmd(&a),
        Command::Plot(a) => plot::cmd(&a),
        Command::Compare(a) => compare::cmd(&a),
        Command::Train(a) => {
            let (cfg, fingerprint) = train::load(&a)?;
            #[cfg(feature = "mpi")]
            if cfg.distributed.distributed.is_some() {
                return train_mpi::cmd(&cfg, &a, fingerprint);
            }
            train::cmd(&cfg, &a, fingerprint)
        }
        Command::Predict(a) => predict::cmd(&a),
        Command::Landscape(a) => landscape::cmd(&a),
        Command::Schedule(a) => schedule::cmd(&a),
        Command::Lab(a) => lab::cmd(&a),
        Command::Sweep(a) => {
            let s = sweep::load(&a)?;
            #[cfg(feature = "mpi")]
            if under_mpirun() {
                return sweep_mpi::cmd(&a, &s);
            }
            sweep::cmd(&a, &s)
        }
        Command::LrFind(a) => lr_find::cmd(&a),
    }
}

/// `downhill bench`: runs the subcommand and prints its report.
fn bench_cmd(a: &BenchArgs) -> CliResult {
    let (report, json) = match &a.what {
        BenchCommand::Step(s) => (bench::step(s)?, s.json),
        BenchCommand::Gradient(g) => (bench::gradient(g)?, g.json),
        BenchCommand::Train(t) => (bench_train::train(t)?, t.json),
    };
    crate::present::report::print(&report, json);
    Ok(0)
}

#[cfg(feature = "mpi")]
/// Whether this process was started by `mpirun` / `mpiexec` (Open MPI, MPICH/Hydra or PMIx).
fn under_mpirun() -> bool {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"]
        .iter()
        .any(|k| std::env::var_os(k).is_some())
}
