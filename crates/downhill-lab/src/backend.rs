//! What the server asks of its computations: [`Backend`], in the CLI's language.
//!
//! [`crate::Library`] implements it with the library's `downhill::spec`, so that `/api/run`
//! answers exactly what `downhill run --json` prints; the server adds the limits, the HTTP
//! and the page.

use std::sync::atomic::AtomicBool;

use serde_json::Value;

/// An error answered as `{"error": message}` with an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status code (400 bad input, 403, 404, 413, 429, 500, 503).
    pub status: u16,
    /// The message, as the CLI would print it after `error: `.
    pub message: String,
}

impl ApiError {
    /// A 400: the request (config) is invalid.
    pub fn bad_request(message: impl std::fmt::Display) -> Self {
        ApiError::new(400, message)
    }
    /// An error with any status.
    pub fn new(status: u16, message: impl std::fmt::Display) -> Self {
        ApiError {
            status,
            message: message.to_string(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.status)
    }
}

impl std::error::Error for ApiError {}

/// Where a training job reports while it runs: `(kind, record)`, kind `"progress"` (batches
/// done), `"batch"` (a batch's loss and its smoothed value) or `"epoch"` (losses of a finished
/// epoch).
pub type ProgressSink<'a> = &'a mut dyn FnMut(&str, Value);

/// The computations behind the API. Every method takes the tables of the matching TOML
/// config as a JSON object (`{"problem": {...}, "optimizer": {...}, ...}`) and returns what
/// the command's `--json` prints. Methods run on blocking threads and must not panic on any
/// input; an input the CLI would refuse with exit 2 is an [`ApiError::bad_request`].
pub trait Backend: Send + Sync + 'static {
    /// Functions, optimisers, schedules, datasets and models with their parameters.
    fn catalog(&self) -> Value;
    /// The presets the page lists: `[{"id", "title", "state", "url"}]`, `state` being a lab
    /// URL state. None by default.
    fn presets(&self) -> Value {
        Value::Array(Vec::new())
    }
    /// `downhill run --json`.
    fn run(&self, tables: &Value) -> Result<Value, ApiError>;
    /// `downhill compare --json` (on a `[problem]`).
    fn compare(&self, tables: &Value) -> Result<Value, ApiError>;
    /// `downhill schedule --json --steps STEPS`.
    fn schedule(&self, tables: &Value, steps: usize) -> Result<Value, ApiError>;
    /// The TOML text of `tables` (what "Download config" saves), checked as a config of
    /// `command` (`run`, `compare`, `schedule` or `train`).
    fn to_toml(&self, command: &str, tables: &Value) -> Result<String, ApiError>;
    /// Checks a `downhill train` config without running it.
    fn check_train(&self, tables: &Value) -> Result<(), ApiError>;
    /// `downhill train --json`, reporting progress to `sink`; stops soon after `cancel` is
    /// set (the result then has `status: "stopped"`).
    fn train(
        &self,
        tables: &Value,
        sink: ProgressSink<'_>,
        cancel: &AtomicBool,
    ) -> Result<Value, ApiError>;
}
