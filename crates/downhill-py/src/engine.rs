//! The per-tensor engines behind `downhill._core.Optimizer`: one library optimiser per array,
//! in its precision, and the parameter groups they are built from.

use downhill::optim::{Optimizer, OptimizerConfig, OptimizerState, Shape};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use serde_json::{Map, Value};

use crate::errors::value_error;

/// One tensor's library optimiser, in the array's precision.
pub(crate) enum Engine {
    /// A float64 array's.
    F64(Box<dyn Optimizer<f64>>),
    /// A float32 array's.
    F32(Box<dyn Optimizer<f32>>),
}

impl Engine {
    pub(crate) fn as_dyn_lr(&mut self, lr: f64) {
        match self {
            Engine::F64(o) => o.set_lr(lr),
            Engine::F32(o) => o.set_lr(lr),
        }
    }
    pub(crate) fn set_momentum(&mut self, m: f64) {
        match self {
            Engine::F64(o) => o.set_momentum(m),
            Engine::F32(o) => o.set_momentum(m),
        }
    }
    pub(crate) fn state(&self) -> OptimizerState {
        match self {
            Engine::F64(o) => o.state(),
            Engine::F32(o) => o.state(),
        }
    }
    pub(crate) fn load_state(&mut self, s: &OptimizerState) -> downhill::Result<()> {
        match self {
            Engine::F64(o) => o.load_state(s),
            Engine::F32(o) => o.load_state(s),
        }
    }
}

/// A `Sync` home for an engine (library optimisers are `Send` only): `&mut` access needs no
/// lock (`Mutex::get_mut`); only reading the state from `&self` locks.
pub(crate) struct Locked(pub(crate) std::sync::Mutex<Engine>);

impl Locked {
    pub(crate) fn get(&mut self) -> &mut Engine {
        self.0
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    pub(crate) fn state(&self) -> OptimizerState {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .state()
    }
}

/// One tensor: its engine, length and shape.
pub(crate) struct Slot {
    pub(crate) engine: Locked,
    pub(crate) len: usize,
    pub(crate) shape: Shape,
}

/// One parameter group: its hyperparameters as given, its config, and its scheduled lr and
/// momentum.
pub(crate) struct Group {
    /// The hyperparameters as given (without `name`).
    pub(crate) given: Map<String, Value>,
    pub(crate) cfg: OptimizerConfig,
    pub(crate) lr: f64,
    pub(crate) momentum: Option<f64>,
}

impl Group {
    pub(crate) fn new(name: &str, given: Map<String, Value>) -> PyResult<Group> {
        let cfg = OptimizerConfig::from_named(name, Value::Object(given.clone()))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let probe = cfg.build::<f64>().map_err(value_error)?;
        Ok(Group {
            lr: probe.lr(),
            momentum: probe.momentum(),
            given,
            cfg,
        })
    }
}

/// The library shape of an array with `dims` (2-D: a matrix).
pub(crate) fn shape_of(dims: &[usize]) -> Shape {
    match dims {
        [rows, cols] => Shape::Matrix {
            rows: *rows,
            cols: *cols,
        },
        _ => Shape::Vector(dims.iter().product()),
    }
}

/// The error for an array that cannot be stepped in place.
pub(crate) fn dtype_error(what: &str, a: &Bound<'_, PyAny>) -> PyErr {
    let dtype = a
        .getattr("dtype")
        .map(|d| d.to_string())
        .unwrap_or_else(|_| a.get_type().to_string());
    PyTypeError::new_err(format!(
        "{what}: a C-contiguous, writeable float32 or float64 numpy array is needed, got {dtype} \
         (no copy is made: convert with np.ascontiguousarray(a, dtype=np.float64))"
    ))
}
