//! The `downhill` CLI as a library: the binary is [`main`], and the config parsers and the
//! commands' `--json` results are functions, so that the lab, fuzz targets and tests can drive
//! them without a process.
//!
//! [`run_json`], [`compare_json`] and [`schedule_json`] take a config *text* (TOML) and the
//! name to give it in messages, and return the very `serde_json::Value` that
//! `downhill run --json`, `compare --json` and `schedule --json` print (the commands print what
//! these functions return), or the [`CliError`](exit::CliError) with the message and exit code
//! the command would end with. [`sweep_json`] and [`lr_find_json`] do the same for
//! `downhill sweep --json` and `downhill lr-find --json`. [`toml_from_json`] turns a JSON object of tables into TOML text,
//! so a JSON body goes through the same parser and gets the same messages.

mod cli;
mod commands;
pub mod config;
pub mod exit;
mod tour;

use std::process::ExitCode;

use clap::Parser;

pub use commands::compare::compare_json;
pub use commands::lr_find::lr_find_json;
pub use commands::run::run_json;
pub use commands::schedule::{schedule_json, Metrics};
pub use commands::sweep::sweep_json;
pub use config::json::toml_from_json;
pub use tour::presets;

/// The `downhill` binary: parses the command line, runs the command and returns its exit code
/// (printing `error: …` on stderr for a failure).
pub fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match commands::dispatch(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
