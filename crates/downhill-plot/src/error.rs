//! The error type of figure building and rendering.

/// What can go wrong while building or rendering a figure (this crate writes no files).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Unusable input data or options (named in the message).
    #[error("invalid figure input: {0}")]
    Invalid(String),
    /// The drawing backend failed.
    #[error("drawing failed: {0}")]
    Draw(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maps any displayable backend error into [`Error::Draw`].
pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> Error {
    Error::Draw(e.to_string())
}
