//! Exit codes and the CLI's error type.

use std::fmt::Display;

/// Bad input: config, data, flags.
pub const BAD_INPUT: u8 = 2;
/// A run diverged.
pub const DIVERGED: u8 = 3;
/// Anything else (I/O while writing output, …).
pub const FAILURE: u8 = 1;

/// An error that ends the process with `code`.
#[derive(Debug)]
pub struct CliError {
    /// Process exit code.
    pub code: u8,
    /// What to print after `error: `.
    pub message: String,
}

impl CliError {
    /// A bad-input error (exit 2).
    pub fn input(message: impl Display) -> Self {
        CliError {
            code: BAD_INPUT,
            message: message.to_string(),
        }
    }
    /// A generic failure (exit 1).
    pub fn failure(message: impl Display) -> Self {
        CliError {
            code: FAILURE,
            message: message.to_string(),
        }
    }
}

impl From<downhill::Error> for CliError {
    fn from(e: downhill::Error) -> Self {
        CliError::input(e)
    }
}

/// `Result` of a command: the exit code on success.
pub type CliResult<T = u8> = Result<T, CliError>;
