//! The error type of figure building and writing.

use std::path::PathBuf;

/// What can go wrong while drawing or writing a figure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Unusable input data or options (named in the message).
    #[error("invalid figure input: {0}")]
    Invalid(String),
    /// The drawing backend failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// Writing the output failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maps any displayable backend error into [`Error::Draw`].
pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> Error {
    Error::Draw(e.to_string())
}
