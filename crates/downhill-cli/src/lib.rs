//! The `downhill` CLI as a library: the binary is [`main`]. Configs are parsed and run by the
//! library's `downhill::spec`; the CLI parses arguments, calls it and presents the result.
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
pub mod exit;
mod input;
mod measure;
mod present;
mod tour;

use std::process::ExitCode;

use clap::Parser;

pub use commands::schedule::{schedule_json, Metrics};
pub use tour::{i18n, presets};

use exit::CliError;
use serde_json::Value;

/// What `downhill run --json` prints for the config text `toml` (called `origin` in messages).
pub fn run_json(origin: &str, toml: &str) -> Result<Value, CliError> {
    Ok(downhill::spec::exec::run::run_json(origin, toml)?)
}

/// What `downhill compare --json` prints for the config text `toml`.
pub fn compare_json(origin: &str, toml: &str) -> Result<Value, CliError> {
    Ok(downhill::spec::exec::compare::compare_json(origin, toml)?)
}

/// What `downhill sweep --json` prints for the config text `toml`.
pub fn sweep_json(origin: &str, toml: &str) -> Result<Value, CliError> {
    Ok(downhill::spec::exec::sweep::sweep_json(origin, toml)?)
}

/// What `downhill lr-find --json` prints for the config text `toml`.
pub fn lr_find_json(origin: &str, toml: &str) -> Result<Value, CliError> {
    Ok(downhill::spec::exec::lr_find::lr_find_json(origin, toml)?)
}

/// The TOML text of a JSON object of tables (see `downhill::spec::json`).
pub fn toml_from_json(origin: &str, body: &Value) -> Result<String, CliError> {
    Ok(downhill::spec::json::toml_from_json(origin, body)?)
}

/// Writes the tour to `out` as `downhill tour --out OUT` does (`tour.json`, `index.html`,
/// `figures/`, a summary on stdout) and returns the command's exit code: 0 when no check
/// failed, 1 otherwise. The page is in English; see [`tour_in`] for another language.
pub fn tour(out: &std::path::Path) -> Result<u8, CliError> {
    tour_in(out, tour::i18n::Lang::En)
}

/// [`tour`] with the page in `lang` (`downhill tour --lang zh`).
pub fn tour_in(out: &std::path::Path, lang: tour::i18n::Lang) -> Result<u8, CliError> {
    tour::cmd(&cli::TourArgs {
        out: out.to_path_buf(),
        lang,
    })
}

/// The backend `downhill lab` serves (the library's `downhill::spec`, with the tour's
/// presets), for a host program that starts the lab itself (`downhill_lab::spawn`).
pub fn lab_backend() -> std::sync::Arc<dyn downhill_lab::Backend> {
    std::sync::Arc::new(downhill_lab::Library::new(presets::json()))
}

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
