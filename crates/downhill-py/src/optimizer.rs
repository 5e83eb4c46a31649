//! `downhill._core.Optimizer`: the engine behind every class of `downhill.optim`.
//!
//! One library optimiser per tensor (a NumPy array), built lazily on its first step in the
//! array's precision (f32 or f64) and shape (2-D arrays are matrices, as `nn.Linear.weight`),
//! from the hyperparameters of the tensor's parameter group. PyTorch keeps per-tensor state
//! the same way, so a list of arrays steps exactly as a list of tensors does. The step works
//! on the arrays' own memory: zero copies.
//!
//! The rules whose step couples the tensors it updates (`Entry::COUPLES_TENSORS` in the
//! catalogue: prodigy and D-Adaptation's one d, polyak_sgd's global gradient norm, sgld's one
//! noise stream) instead get one library optimiser per parameter group (see [`joint`]); sgld's
//! group g draws stream g of its seed. The rules whose packages keep ONE state for all their
//! parameter groups (prodigy, dadapt_adam, dadapt_sgd: one d) get one library optimiser over
//! every group's arrays (`downhill::optim::Shared`), stepped with all of them, their lrs equal
//! or 0 (a ValueError naming `param_groups[k].lr` otherwise, where the packages raise).

use downhill::optim::{Optimizer, OptimizerState, Shape};
use numpy::{PyArray1, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use serde_json::{Map, Value};

use crate::engine::{dtype_error, shape_of, Engine, Group, Joint, Locked, Slot};

mod group_engine;
mod joint;

/// Arrays at least this long are stepped with the GIL released, in the thread pool.
const PARALLEL_LEN: usize = 1 << 16;

/// The engine of one optimiser class (see the module docs).
#[pyclass(subclass, module = "downhill._core", name = "Optimizer")]
pub struct PyOptimizer {
    name: String,
    groups: Vec<Group>,
    /// Tensors per group, when the parameters were given at construction.
    sizes: Option<Vec<usize>>,
    slots: Vec<Option<Slot>>,
    pending: Vec<Option<OptimizerState>>,
    /// Whether the rule couples the tensors of a group (then `joints`, not `slots`, step).
    coupled: bool,
    /// Whether its groups (more than one) share one state, as prodigy's and D-Adaptation's
    /// packages keep one d: then `joints[0]` steps every group's arrays at once.
    shared: bool,
    /// Per group, its engine once stepped (coupled rules only).
    joints: Vec<Option<Joint>>,
}

macro_rules! step_typed {
    ($self:ident, $py:ident, $i:ident, $pa:ident, $p:ident, $g:ident, $t:ty, $variant:ident) => {{
        let pa = $pa;
        let ga = $g
            .downcast::<PyArrayDyn<$t>>()
            .map_err(|_| dtype_error(&format!("grad[{}] (same dtype as its parameter)", $i), $g))?;
        if !pa.is_c_contiguous() {
            return Err(dtype_error(
                &format!("params[{}] (not C-contiguous)", $i),
                $p,
            ));
        }
        if !ga.is_c_contiguous() {
            return Err(dtype_error(&format!("grad[{}] (not C-contiguous)", $i), $g));
        }
        let shape = shape_of(pa.shape());
        if ga.len() != pa.len() {
            return Err(PyValueError::new_err(format!(
                "grad[{}] has {} elements but its parameter has {}",
                $i,
                ga.len(),
                pa.len()
            )));
        }
        let mut pw = pa
            .try_readwrite()
            .map_err(|e| PyValueError::new_err(format!("params[{}]: {e}", $i)))?;
        let mut gw = ga
            .try_readwrite()
            .map_err(|e| PyValueError::new_err(format!("grad[{}]: {e}", $i)))?;
        let ps = pw
            .as_slice_mut()
            .map_err(|_| dtype_error(&format!("params[{}]", $i), $p))?;
        let gs = gw
            .as_slice_mut()
            .map_err(|_| dtype_error(&format!("grad[{}]", $i), $g))?;
        let slot = $self.slot($i, shape)?;
        let Engine::$variant(o) = slot.engine.get() else {
            return Err(PyTypeError::new_err(format!(
                "params[{}] changed dtype since its first step",
                $i
            )));
        };
        if ps.len() >= PARALLEL_LEN {
            $py.allow_threads(|| crate::threads::with_pool(|| o.step(ps, gs)))?;
        } else {
            o.step(ps, gs);
        }
        Ok(())
    }};
}

impl PyOptimizer {
    fn group_of(&self, i: usize) -> PyResult<usize> {
        let Some(sizes) = &self.sizes else {
            return Ok(0);
        };
        let mut end = 0;
        for (g, n) in sizes.iter().enumerate() {
            end += n;
            if i < end {
                return Ok(g);
            }
        }
        Err(PyIndexError::new_err(format!(
            "tensor {i}: the optimiser was built with {end} parameters"
        )))
    }

    /// Tensor `i`'s slot (made by `prepare`), checked against the array's shape.
    fn slot(&mut self, i: usize, shape: Shape) -> PyResult<&mut Slot> {
        let slot = self
            .slots
            .get_mut(i)
            .and_then(Option::as_mut)
            .ok_or_else(|| PyValueError::new_err(format!("params[{i}]: no optimiser state")))?;
        if slot.len != shape.len() || slot.shape != shape {
            return Err(PyValueError::new_err(format!(
                "params[{i}] has shape {shape:?}, but {:?} at its first step",
                slot.shape
            )));
        }
        Ok(slot)
    }

    fn prepare(&mut self, i: usize, f32: bool, shape: Shape) -> PyResult<()> {
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        if self.slots[i].is_some() {
            return Ok(());
        }
        let g = self.group_of(i)?;
        let mut engine = self.build(g, f32, &[("params".to_string(), shape)])?;
        if let Some(st) = self.pending.get_mut(i).and_then(Option::take) {
            engine
                .load_state(&st)
                .map_err(|e| PyValueError::new_err(format!("state of tensor {i}: {e}")))?;
        }
        self.slots[i] = Some(Slot {
            engine: Locked(std::sync::Mutex::new(engine)),
            len: shape.len(),
            shape,
        });
        Ok(())
    }

    fn step_one(
        &mut self,
        py: Python<'_>,
        i: usize,
        p: &Bound<'_, PyAny>,
        g: &Bound<'_, PyAny>,
        loss: Option<f64>,
    ) -> PyResult<()> {
        if let Ok(a) = p.downcast::<PyArrayDyn<f64>>() {
            self.prepare(i, false, shape_of(a.shape()))?;
            self.give_loss(i, loss);
            step_typed!(self, py, i, a, p, g, f64, F64)
        } else if let Ok(a) = p.downcast::<PyArrayDyn<f32>>() {
            self.prepare(i, true, shape_of(a.shape()))?;
            self.give_loss(i, loss);
            step_typed!(self, py, i, a, p, g, f32, F32)
        } else {
            Err(dtype_error(&format!("params[{i}]"), p))
        }
    }

    /// A point of tensor `i` that `which` (`gradient_point`, `eval_point`) writes: a new
    /// array shaped as `params`, or None when it is `params` itself.
    fn point<'py>(
        &mut self,
        py: Python<'py>,
        params: &Bound<'py, PyAny>,
        i: usize,
        what: &str,
        which: impl Fn(&dyn Optimizer<f64>, &[f64], &mut [f64]) -> bool,
    ) -> PyResult<Option<Bound<'py, PyArrayDyn<f64>>>> {
        let a = params
            .downcast::<PyArrayDyn<f64>>()
            .map_err(|_| dtype_error(&format!("params (float64 for {what})"), params))?;
        let shape = shape_of(a.shape());
        let ro = a.readonly();
        let x = ro.as_slice()?;
        let mut out = vec![0.0; x.len()];
        if self.coupled {
            if !self.joint_point(i, shape, what, x, &mut out, which)? {
                return Ok(None);
            }
        } else {
            self.prepare(i, false, shape)?;
            let Engine::F64(o) = self.slot(i, shape)?.engine.get() else {
                return Err(PyTypeError::new_err("params: float64 expected"));
            };
            if !which(o.as_ref(), x, &mut out) {
                return Ok(None);
            }
        }
        let arr = PyArray1::from_vec(py, out).reshape(a.shape())?;
        Ok(Some(arr))
    }

    /// Gives tensor `i`'s optimiser the loss of the step (`Optimizer::set_loss`), if any.
    fn give_loss(&mut self, i: usize, loss: Option<f64>) {
        if let (Some(l), Some(Some(slot))) = (loss, self.slots.get_mut(i)) {
            match slot.engine.get() {
                Engine::F64(o) => o.set_loss(l),
                Engine::F32(o) => o.set_loss(l),
            }
        }
    }

    fn each_group(&self, group: Option<usize>) -> PyResult<std::ops::Range<usize>> {
        match group {
            None => Ok(0..self.groups.len()),
            Some(g) if g < self.groups.len() => Ok(g..g + 1),
            Some(g) => Err(PyIndexError::new_err(format!(
                "param group {g}: there are {}",
                self.groups.len()
            ))),
        }
    }

    /// Calls `f` with each engine that steps group `g` and the group's index in it.
    fn apply_to_group(&mut self, g: usize, mut f: impl FnMut(&mut Engine, usize)) -> PyResult<()> {
        if self.shared {
            if let Some(Some(j)) = self.joints.get_mut(0) {
                f(j.engine.get(), g);
            }
            return Ok(());
        }
        if let Some(Some(j)) = self.joints.get_mut(g) {
            f(j.engine.get(), 0);
        }
        for i in 0..self.slots.len() {
            if self.group_of(i)? == g {
                if let Some(s) = self.slots[i].as_mut() {
                    f(s.engine.get(), 0);
                }
            }
        }
        Ok(())
    }
}

fn parse_group(text: &str) -> PyResult<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(PyValueError::new_err(format!(
            "hyperparameters: not a JSON object: {text}"
        ))),
    }
}

#[pymethods]
impl PyOptimizer {
    /// `Optimizer(name, groups, sizes=None)`: `groups` is one JSON object of hyperparameters
    /// per parameter group; `sizes` the number of tensors in each group.
    #[new]
    #[pyo3(signature = (name, groups, sizes=None))]
    fn new(name: &str, groups: Vec<String>, sizes: Option<Vec<usize>>) -> PyResult<Self> {
        if groups.is_empty() {
            return Err(PyValueError::new_err(
                "at least one parameter group is needed",
            ));
        }
        if let Some(s) = &sizes {
            if s.len() != groups.len() {
                return Err(PyValueError::new_err("one size per parameter group"));
            }
        }
        if !downhill::optim::FIRST_ORDER.contains(&name) {
            return Err(PyValueError::new_err(format!(
                "`{name}` is not a first-order optimiser; known: {}",
                downhill::optim::FIRST_ORDER.join(", ")
            )));
        }
        let groups = groups
            .iter()
            .map(|t| Group::new(name, parse_group(t)?))
            .collect::<PyResult<Vec<_>>>()?;
        let coupled = downhill::optim::catalog()
            .iter()
            .any(|e| e.name == name && e.couples_tensors);
        let shared = groups.len() > 1 && downhill::optim::shares_groups(&groups[0].cfg);
        if shared && sizes.is_none() {
            return Err(PyValueError::new_err(format!(
                "`{name}` steps its parameter groups together: give each group's number of \
                 tensors (sizes)"
            )));
        }
        Ok(PyOptimizer {
            shared,
            name: name.to_string(),
            joints: (0..groups.len()).map(|_| None).collect(),
            groups,
            sizes,
            slots: Vec::new(),
            pending: Vec::new(),
            coupled,
        })
    }

    /// Updates `params` in place from `grad`: one array each, or lists of arrays (one per
    /// tensor, in order). `grad` is the step's scratch and may be overwritten. `loss` is the
    /// loss where `grad` was taken (what `polyak_sgd` needs; the others ignore it). A rule
    /// that couples a group's tensors steps each group's arrays together, so every group
    /// given must be given whole.
    #[pyo3(signature = (params, grad, loss=None))]
    fn step(
        &mut self,
        py: Python<'_>,
        params: &Bound<'_, PyAny>,
        grad: &Bound<'_, PyAny>,
        loss: Option<f64>,
    ) -> PyResult<()> {
        let ps: Vec<Bound<'_, PyAny>> = if let Ok(l) = params.downcast::<PyList>() {
            l.iter().collect()
        } else if let Ok(t) = params.downcast::<PyTuple>() {
            t.iter().collect()
        } else if self.coupled {
            let (p, g) = (std::slice::from_ref(params), std::slice::from_ref(grad));
            return self.step_coupled(py, p, g, loss);
        } else {
            // One array (anything else is refused by step_one, naming the dtype).
            return self.step_one(py, 0, params, grad, loss);
        };
        let gs: Vec<Bound<'_, PyAny>> = if let Ok(l) = grad.downcast::<PyList>() {
            l.iter().collect()
        } else if let Ok(t) = grad.downcast::<PyTuple>() {
            t.iter().collect()
        } else {
            return Err(PyTypeError::new_err(
                "grad: a list of arrays, as params is a list",
            ));
        };
        if ps.len() != gs.len() {
            return Err(PyValueError::new_err(format!(
                "{} parameters but {} gradients",
                ps.len(),
                gs.len()
            )));
        }
        if self.coupled {
            return self.step_coupled(py, &ps, &gs, loss);
        }
        for (i, (p, g)) in ps.iter().zip(&gs).enumerate() {
            self.step_one(py, i, p, g, loss)?;
        }
        Ok(())
    }

    /// Where the next gradient of tensor `i` (params `params`) must be taken, for
    /// look-ahead methods (seed 003's Nesterov variants of `momentum`): a new array, or None
    /// when it is `params` itself.
    #[pyo3(signature = (params, i=0))]
    fn gradient_point<'py>(
        &mut self,
        py: Python<'py>,
        params: &Bound<'py, PyAny>,
        i: usize,
    ) -> PyResult<Option<Bound<'py, PyArrayDyn<f64>>>> {
        self.point(py, params, i, "gradient_point", |o, x, out| {
            o.gradient_point(x, out)
        })
    }

    /// The point to evaluate for tensor `i` (params `params`), for the schedule-free
    /// optimisers, whose params are the training point y: the average x that the
    /// `schedulefree` package's `optimizer.eval()` swaps in, as a new array; None for the
    /// other optimisers (params itself).
    #[pyo3(signature = (params, i=0))]
    fn eval_point<'py>(
        &mut self,
        py: Python<'py>,
        params: &Bound<'py, PyAny>,
        i: usize,
    ) -> PyResult<Option<Bound<'py, PyArrayDyn<f64>>>> {
        self.point(py, params, i, "eval_point", |o, x, out| {
            o.eval_point(x, out)
        })
    }

    /// The registry name (`"adam"`).
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// Number of parameter groups.
    #[getter]
    fn num_groups(&self) -> usize {
        self.groups.len()
    }

    /// Number of tensors stepped (or with state loaded) so far.
    #[getter]
    fn num_tensors(&self) -> usize {
        let joint_end = self.joints.iter().flatten().map(|j| j.tensors().end);
        joint_end
            .max()
            .unwrap_or(0)
            .max(self.slots.len())
            .max(self.pending.len())
    }

    /// Learning rate of group `group` (default 0).
    #[pyo3(signature = (group=0))]
    fn get_lr(&self, group: usize) -> PyResult<f64> {
        let r = self.each_group(Some(group))?;
        Ok(self.groups[r.start].lr)
    }

    /// Sets the learning rate of group `group`, or of every group.
    #[pyo3(signature = (lr, group=None))]
    fn set_lr(&mut self, lr: f64, group: Option<usize>) -> PyResult<()> {
        if !(lr.is_finite() && lr >= 0.0) {
            return Err(PyValueError::new_err(format!(
                "lr = {lr}: must be a finite number >= 0"
            )));
        }
        for g in self.each_group(group)? {
            self.groups[g].lr = lr;
            self.apply_to_group(g, |e, k| e.set_group_lr(k, lr))?;
        }
        Ok(())
    }

    /// Momentum of group `group` (SGD/RMSprop `momentum`, the Adam family's β₁), or None.
    #[pyo3(signature = (group=0))]
    fn get_momentum(&self, group: usize) -> PyResult<Option<f64>> {
        let r = self.each_group(Some(group))?;
        Ok(self.groups[r.start].momentum)
    }

    /// Sets the momentum of group `group`, or of every group.
    #[pyo3(signature = (momentum, group=None))]
    fn set_momentum(&mut self, momentum: f64, group: Option<usize>) -> PyResult<()> {
        if !(momentum.is_finite() && (0.0..1.0).contains(&momentum)) {
            return Err(PyValueError::new_err(format!(
                "momentum = {momentum}: must be in [0, 1)"
            )));
        }
        for g in self.each_group(group)? {
            if self.groups[g].momentum.is_none() {
                return Err(PyValueError::new_err(format!(
                    "momentum: `{}` has no momentum",
                    self.name
                )));
            }
            self.groups[g].momentum = Some(momentum);
            self.apply_to_group(g, |e, k| e.set_group_momentum(k, momentum))?;
        }
        Ok(())
    }

    /// Group `group`'s hyperparameters with every default filled in (JSON), with its
    /// current lr.
    fn group_config(&self, group: usize) -> PyResult<String> {
        let r = self.each_group(Some(group))?;
        let g = &self.groups[r.start];
        let mut v =
            serde_json::to_value(&g.cfg).map_err(|e| PyValueError::new_err(e.to_string()))?;
        if let Some(m) = v.as_object_mut() {
            m.remove("name");
            m.insert("lr".into(), Value::from(g.lr));
        }
        Ok(v.to_string())
    }

    /// Sets hyperparameter `key` of group `group` to `value` (JSON). Tensors already stepped
    /// keep their state (it is carried into the rebuilt optimiser).
    fn set_group_param(&mut self, group: usize, key: &str, value: &str) -> PyResult<()> {
        let g = self.each_group(Some(group))?.start;
        let v: Value = serde_json::from_str(value)
            .map_err(|e| PyValueError::new_err(format!("{key}: {e}")))?;
        if key == "lr" {
            let lr = v
                .as_f64()
                .ok_or_else(|| PyValueError::new_err("lr: a number"))?;
            return self.set_lr(lr, Some(g));
        }
        let mut given = self.groups[g].given.clone();
        given.insert(key.to_string(), v);
        given.insert("lr".into(), Value::from(self.groups[g].lr));
        let new = Group::new(&self.name, given)?;
        self.groups[g] = new;
        let jg = if self.shared { 0 } else { g };
        if let Some(mut j) = self.joints[jg].take() {
            let e = self.rebuilt(g, &j.engine, &j.named_shapes())?;
            j.engine = e;
            self.joints[jg] = Some(j);
        }
        for i in 0..self.slots.len() {
            if self.group_of(i)? != g {
                continue;
            }
            if let Some(s) = self.slots[i].take() {
                let e = self.rebuilt(g, &s.engine, &[("params".to_string(), s.shape)])?;
                self.slots[i] = Some(Slot { engine: e, ..s });
            }
        }
        Ok(())
    }

    /// Tensor `i`'s state: (scalars as JSON, buffers as float64 arrays), or None before its
    /// first step.
    fn tensor_state<'py>(
        &self,
        py: Python<'py>,
        i: usize,
    ) -> PyResult<Option<(String, Bound<'py, PyDict>)>> {
        let joint = self.joint_of(i);
        let st = match (self.slots.get(i).and_then(Option::as_ref), joint) {
            (Some(s), _) => s.engine.state(),
            (None, Some(j)) if j.first == i => j.engine.state(),
            (None, Some(_)) => return Ok(None),
            (None, None) => match self.pending.get(i).and_then(Option::as_ref) {
                Some(p) => p.clone(),
                None => return Ok(None),
            },
        };
        let bufs = PyDict::new(py);
        for (k, b) in &st.buffers {
            bufs.set_item(k, PyArray1::from_slice(py, b))?;
        }
        let scalars =
            serde_json::to_string(&st.scalars).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Some((scalars, bufs)))
    }

    /// Loads tensor `i`'s state (what `tensor_state` gave); applied now, or at the tensor's
    /// first step.
    fn load_tensor_state(
        &mut self,
        i: usize,
        scalars: &str,
        buffers: &Bound<'_, PyDict>,
    ) -> PyResult<()> {
        let mut st = OptimizerState::new(&self.name);
        st.scalars = serde_json::from_str(scalars)
            .map_err(|e| PyValueError::new_err(format!("state[{i}]: {e}")))?;
        for (k, v) in buffers.iter() {
            let key: String = k.extract()?;
            let a = v
                .call_method1("astype", ("float64",))?
                .call_method0("ravel")?;
            let a = a.downcast::<PyArrayDyn<f64>>()?;
            st.buffers.insert(key, a.to_vec()?);
        }
        if self.coupled && self.load_joint_state(i, &st)? {
            return Ok(());
        }
        if let Some(s) = self.slots.get_mut(i).and_then(Option::as_mut) {
            s.engine
                .get()
                .load_state(&st)
                .map_err(|e| PyValueError::new_err(format!("state[{i}]: {e}")))?;
        } else {
            if i >= self.pending.len() {
                self.pending.resize_with(i + 1, || None);
            }
            self.pending[i] = Some(st);
        }
        Ok(())
    }

    /// Replaces the parameter groups (JSON objects) and their sizes, dropping all state.
    #[pyo3(signature = (groups, sizes=None))]
    fn reset(&mut self, groups: Vec<String>, sizes: Option<Vec<usize>>) -> PyResult<()> {
        let fresh = PyOptimizer::new(&self.name, groups, sizes)?;
        *self = fresh;
        Ok(())
    }
}
