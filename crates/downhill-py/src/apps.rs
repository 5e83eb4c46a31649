//! `downhill.tour()` and `downhill.lab()`: the CLI's tour and the web lab, started from Python
//! (cargo feature `apps`, on in the wheel: it links `downhill-cli` and `downhill-lab`).

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

use crate::threads::{run_detached, Stop};

/// Writes the tour to `out` in `lang` (`"en"` or `"zh"`: what `downhill tour --out OUT --lang
/// LANG` writes) with the GIL released; returns the command's exit code (0: every experiment
/// agrees with its seed). Ctrl-C raises `KeyboardInterrupt` at once; the tour, which has no
/// stop hook, finishes in the background.
#[pyfunction]
#[pyo3(signature = (out, lang = "en"))]
pub fn tour(py: Python<'_>, out: PathBuf, lang: &str) -> PyResult<u8> {
    let lang = match lang {
        "en" => downhill_cli::i18n::Lang::En,
        "zh" => downhill_cli::i18n::Lang::Zh,
        other => {
            return Err(PyValueError::new_err(format!(
                "lang: \"{other}\" is not a language of the tour; use \"en\" or \"zh\""
            )))
        }
    };
    let r = run_detached(py, &Stop::default(), move || {
        downhill_cli::tour_in(&out, lang)
    })?;
    r.map_err(|e| match e.code {
        2 => PyValueError::new_err(e.message),
        _ => PyOSError::new_err(e.message),
    })
}

/// A lab serving on a background thread (`downhill._core.Lab`).
#[pyclass(name = "Lab", module = "downhill._core", frozen)]
pub struct PyLab {
    url: String,
    running: Mutex<Option<downhill_lab::Running>>,
}

#[pymethods]
impl PyLab {
    /// `http://HOST:PORT`.
    #[getter]
    fn url(&self) -> String {
        self.url.clone()
    }
    /// Whether it still serves.
    #[getter]
    fn running(&self) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
    /// Stops the server (running training jobs are cancelled); idempotent.
    fn stop(&self, py: Python<'_>) {
        let taken = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(mut r) = taken {
            py.allow_threads(move || r.stop());
        }
    }
}

/// Starts the lab on `host:port` (port 0: a free one) in a background thread and returns it
/// once the socket is bound.
#[pyfunction]
#[pyo3(signature = (host="127.0.0.1", port=0))]
pub fn lab(py: Python<'_>, host: &str, port: u16) -> PyResult<PyLab> {
    let opts = downhill_lab::LabOptions {
        host: host.to_string(),
        port,
        open: false,
    };
    let running = py
        .allow_threads(|| downhill_lab::spawn(downhill_cli::lab_backend(), &opts))
        .map_err(PyOSError::new_err)?;
    Ok(PyLab {
        url: running.url.clone(),
        running: Mutex::new(Some(running)),
    })
}
