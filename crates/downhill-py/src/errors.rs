//! Library errors as Python exceptions, and the slot where an exception raised inside a
//! Python callback waits until the run has ended.

use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

/// A library error as `ValueError` (its message names the key: "invalid value for `lr`: …").
pub fn value_error(e: downhill::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The first exception raised by a Python callback during a run.
#[derive(Clone, Default)]
pub struct ErrSlot(Arc<Mutex<Option<PyErr>>>);

impl ErrSlot {
    /// Keeps `e` unless an earlier exception is already kept.
    pub fn keep(&self, e: PyErr) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if g.is_none() {
            *g = Some(e);
        }
    }
    /// The kept exception, if any.
    pub fn take(&self) -> Option<PyErr> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}
