//! The engines behind `downhill._core.Optimizer`: one library optimiser per array (or per
//! parameter group, for the rules that couple a group's tensors), in its precision, and the
//! parameter groups they are built from.

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
    /// Sets group `g`'s lr (0 but for an engine of several groups).
    pub(crate) fn set_group_lr(&mut self, g: usize, lr: f64) {
        match self {
            Engine::F64(o) => o.set_group_lr(g, lr),
            Engine::F32(o) => o.set_group_lr(g, lr),
        }
    }
    /// Sets group `g`'s momentum.
    pub(crate) fn set_group_momentum(&mut self, g: usize, m: f64) {
        match self {
            Engine::F64(o) => o.set_group_momentum(g, m),
            Engine::F32(o) => o.set_group_momentum(g, m),
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

/// An element type of the arrays an engine steps: `f64` or `f32`.
pub(crate) trait Elem: downhill::Float + numpy::Element {
    /// Whether it is `f32`.
    const F32: bool;
    /// The engine's optimiser, if the engine is in this precision.
    fn optimizer(e: &mut Engine) -> Option<&mut Box<dyn Optimizer<Self>>>;
}

impl Elem for f64 {
    const F32: bool = false;
    fn optimizer(e: &mut Engine) -> Option<&mut Box<dyn Optimizer<f64>>> {
        match e {
            Engine::F64(o) => Some(o),
            Engine::F32(_) => None,
        }
    }
}

impl Elem for f32 {
    const F32: bool = true;
    fn optimizer(e: &mut Engine) -> Option<&mut Box<dyn Optimizer<f32>>> {
        match e {
            Engine::F32(o) => Some(o),
            Engine::F64(_) => None,
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

/// The engine of a parameter group of a rule that couples its tensors
/// (`Entry::COUPLES_TENSORS`): its arrays are tensors `first..first + shapes.len()`, stepped
/// as one vector.
pub(crate) struct Joint {
    pub(crate) engine: Locked,
    /// The index of the group's first tensor (where its state is saved).
    pub(crate) first: usize,
    /// The shapes of its tensors, in order.
    pub(crate) shapes: Vec<Shape>,
}

impl Joint {
    /// The tensors it steps.
    pub(crate) fn tensors(&self) -> std::ops::Range<usize> {
        self.first..self.first + self.shapes.len()
    }

    /// Its tensors' shapes, named `params[i]` for errors.
    pub(crate) fn named_shapes(&self) -> Vec<(String, Shape)> {
        named(self.first, &self.shapes)
    }
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

/// `shapes` named `params[first]`, `params[first + 1]`, … (what errors about them say).
pub(crate) fn named(first: usize, shapes: &[Shape]) -> Vec<(String, Shape)> {
    let name = |k: usize| format!("params[{}]", first + k);
    shapes
        .iter()
        .enumerate()
        .map(|(k, s)| (name(k), *s))
        .collect()
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
