//! The library's one error type.

use thiserror::Error;

/// Everything that can go wrong in a fallible public function of the library.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// A hyperparameter outside its allowed range (named as in PyTorch).
    #[error("invalid value for `{key}`: {value} ({allowed})")]
    InvalidParameter {
        /// Parameter name, e.g. `lr` or `betas[0]`.
        key: String,
        /// The offending value, printed.
        value: String,
        /// What would have been accepted, e.g. `must be >= 0`.
        allowed: String,
    },
    /// A starting point or parameter vector whose length does not fit the problem.
    #[error("dimension mismatch: {what} has length {got}, expected {expected}")]
    Dimension {
        /// Which vector.
        what: String,
        /// Its length.
        got: usize,
        /// The length required.
        expected: String,
    },
    /// A name that is not known (function, optimiser, schedule, dataset, …).
    #[error("unknown {kind} `{name}`; known: {known}")]
    Unknown {
        /// What kind of name.
        kind: String,
        /// The name given.
        name: String,
        /// The accepted names, comma separated.
        known: String,
    },
    /// Input data that cannot be read; names the file, line and column/field where known.
    #[error("{file}:{line}: {field}: {message}")]
    Parse {
        /// File name as given by the user.
        file: String,
        /// 1-based line (0 when not applicable).
        line: usize,
        /// Column or field name.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A run produced a non-finite loss or parameter.
    #[error("diverged at step {step}: {reason}")]
    Diverged {
        /// The step at which the non-finite value appeared.
        step: usize,
        /// What became non-finite.
        reason: String,
    },
    /// An I/O failure, with the path.
    #[error("{path}: {message}")]
    Io {
        /// The path involved.
        path: String,
        /// The operating-system message.
        message: String,
    },
    /// Anything else that is the caller's mistake.
    #[error("{0}")]
    Invalid(String),
}

/// `Result` with the library's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn param(key: &str, value: impl std::fmt::Display, allowed: &str) -> Self {
        Error::InvalidParameter {
            key: key.to_string(),
            value: value.to_string(),
            allowed: allowed.to_string(),
        }
    }
}

/// Checks `lo <= x` (PyTorch's "Invalid learning rate" style checks) and that `x` is finite
/// (PyTorch lets an infinite lr or eps through; it is always a mistake).
pub fn check_min(key: &str, x: f64, lo: f64) -> Result<()> {
    if x.is_nan() || x < lo {
        return Err(Error::param(key, x, &format!("must be >= {lo}")));
    }
    if x.is_infinite() {
        return Err(Error::param(key, x, &format!("must be finite and >= {lo}")));
    }
    Ok(())
}

/// Checks `lo <= x < hi`.
pub fn check_range(key: &str, x: f64, lo: f64, hi: f64) -> Result<()> {
    if x.is_nan() || x < lo || x >= hi {
        return Err(Error::param(key, x, &format!("must be in [{lo}, {hi})")));
    }
    Ok(())
}
