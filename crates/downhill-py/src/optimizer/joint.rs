//! The rules that couple the tensors of a parameter group (`couples_tensors` in the
//! catalogue, `Entry::COUPLES_TENSORS` in the library): one library optimiser per group,
//! stepped on the group's arrays gathered into one flat vector in order, told their shapes
//! by `set_shapes` (as the library steps a group of `Network::tensors()`), the result
//! scattered back in place. A group of one array is stepped in place, as the other rules.
//!
//! The group's state is saved as tensor `first`'s (its first array): scalars and buffers over
//! the concatenation of the group's arrays; its other arrays have no entry.

use downhill::optim::{Optimizer, OptimizerState, Shape};
use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use super::{PyOptimizer, PARALLEL_LEN};
use crate::engine::{dtype_error, named, shape_of, Elem, Engine, Joint, Locked};

/// `o.step(params, grad)`, with the GIL released in the thread pool for long vectors.
fn run<T: Elem>(
    py: Python<'_>,
    o: &mut Box<dyn Optimizer<T>>,
    params: &mut [T],
    grad: &mut [T],
) -> PyResult<()> {
    if params.len() >= PARALLEL_LEN {
        py.allow_threads(|| crate::threads::with_pool(|| o.step(params, grad)))?;
    } else {
        o.step(params, grad);
    }
    Ok(())
}

impl PyOptimizer {
    /// The group engine stepping tensor `i`, if any.
    pub(super) fn joint_of(&self, i: usize) -> Option<&Joint> {
        self.joints
            .iter()
            .flatten()
            .find(|j| j.tensors().contains(&i))
    }

    /// The tensors of group `g` (all `n` given when the groups' sizes are unknown; every
    /// group's when they share one state).
    fn group_range(&self, g: usize, n: usize) -> std::ops::Range<usize> {
        match &self.sizes {
            Some(sizes) if self.shared => 0..sizes.iter().sum(),
            Some(sizes) => {
                let start = sizes[..g].iter().sum();
                start..start + sizes[g]
            }
            None => 0..n,
        }
    }

    /// `step` of a coupled rule: each group's arrays, which must be given whole, as one.
    pub(super) fn step_coupled(
        &mut self,
        py: Python<'_>,
        ps: &[Bound<'_, PyAny>],
        gs: &[Bound<'_, PyAny>],
        loss: Option<f64>,
    ) -> PyResult<()> {
        if self.shared {
            self.check_shared_lrs()?;
        }
        let mut i = 0;
        while i < ps.len() {
            let g = if self.shared { 0 } else { self.group_of(i)? };
            let r = self.group_range(g, ps.len());
            if self.shared && (r.start != i || r.end != ps.len()) {
                return Err(PyValueError::new_err(format!(
                    "`{}` shares one d across its parameter groups (as its package), so every \
                     group's arrays (params[{}..{}]) are stepped together: give them all, in \
                     order (opt.step(opt.params, grads))",
                    self.name, r.start, r.end
                )));
            }
            if r.start != i || r.end > ps.len() {
                return Err(PyValueError::new_err(format!(
                    "params[{i}]: `{}` couples the tensors of a parameter group (one state per \
                     group), so group {g}'s {} arrays (params[{}..{}]) are stepped together: \
                     give them all, in order",
                    self.name,
                    r.len(),
                    r.start,
                    r.end
                )));
            }
            let (p, g_) = (&ps[r.clone()], &gs[r.clone()]);
            if p[0].downcast::<PyArrayDyn<f64>>().is_ok() {
                self.step_joint::<f64>(py, g, i, p, g_, loss)?;
            } else if p[0].downcast::<PyArrayDyn<f32>>().is_ok() {
                self.step_joint::<f32>(py, g, i, p, g_, loss)?;
            } else {
                return Err(dtype_error(&format!("params[{i}]"), &p[0]));
            }
            i = r.end;
        }
        Ok(())
    }

    /// Steps group `g`, whose arrays `ps` (tensors `first..`) are all of type `T`.
    fn step_joint<T: Elem>(
        &mut self,
        py: Python<'_>,
        g: usize,
        first: usize,
        ps: &[Bound<'_, PyAny>],
        gs: &[Bound<'_, PyAny>],
        loss: Option<f64>,
    ) -> PyResult<()> {
        let mut pas = Vec::with_capacity(ps.len());
        let mut gas = Vec::with_capacity(ps.len());
        for (k, (p, gr)) in ps.iter().zip(gs).enumerate() {
            let i = first + k;
            let pa = p.downcast::<PyArrayDyn<T>>().map_err(|_| {
                let dt = |a: &Bound<'_, PyAny>| {
                    a.getattr("dtype")
                        .map(|d| d.to_string())
                        .unwrap_or_else(|_| a.get_type().to_string())
                };
                PyTypeError::new_err(format!(
                    "params[{i}] is {} but params[{first}] is {}: `{}` steps a parameter \
                     group's arrays as one vector, in one dtype (convert them with \
                     .astype, or put them in separate groups)",
                    dt(p),
                    dt(&ps[0]),
                    self.name
                ))
            })?;
            let ga = gr.downcast::<PyArrayDyn<T>>().map_err(|_| {
                dtype_error(&format!("grad[{i}] (same dtype as its parameter)"), gr)
            })?;
            if !pa.is_c_contiguous() {
                return Err(dtype_error(&format!("params[{i}] (not C-contiguous)"), p));
            }
            if !ga.is_c_contiguous() {
                return Err(dtype_error(&format!("grad[{i}] (not C-contiguous)"), gr));
            }
            if ga.len() != pa.len() {
                return Err(PyValueError::new_err(format!(
                    "grad[{i}] has {} elements but its parameter has {}",
                    ga.len(),
                    pa.len()
                )));
            }
            pa.try_readwrite()
                .map_err(|e| PyValueError::new_err(format!("params[{i}]: {e}")))?;
            pas.push(pa);
            gas.push(ga);
        }
        let shapes: Vec<Shape> = pas.iter().map(|a| shape_of(a.shape())).collect();
        self.prepare_joint(g, T::F32, first, &shapes)?;
        let Some(joint) = self.joints[g].as_mut() else {
            return Err(PyValueError::new_err(format!("group {g}: no optimiser")));
        };
        let engine = joint.engine.get();
        if let Some(l) = loss {
            match engine {
                Engine::F64(o) => o.set_loss(l),
                Engine::F32(o) => o.set_loss(l),
            }
        }
        let Some(o) = T::optimizer(engine) else {
            return Err(PyTypeError::new_err(format!(
                "params[{first}] changed dtype since the group's first step"
            )));
        };
        if let ([pa], [ga]) = (&pas[..], &gas[..]) {
            // One array: in place, as the other rules.
            let mut pw = pa
                .try_readwrite()
                .map_err(|e| PyValueError::new_err(format!("params[{first}]: {e}")))?;
            let mut gw = ga
                .try_readwrite()
                .map_err(|e| PyValueError::new_err(format!("grad[{first}]: {e}")))?;
            let ps = pw.as_slice_mut()?;
            let gs = gw.as_slice_mut()?;
            return run(py, o, ps, gs);
        }
        let total: usize = shapes.iter().map(Shape::len).sum();
        let (mut pb, mut gb) = (Vec::with_capacity(total), Vec::with_capacity(total));
        for (k, (pa, ga)) in pas.iter().zip(&gas).enumerate() {
            let busy = |what: &str, e| PyValueError::new_err(format!("{what}[{}]: {e}", first + k));
            pb.extend_from_slice(
                pa.try_readonly()
                    .map_err(|e| busy("params", e))?
                    .as_slice()?,
            );
            gb.extend_from_slice(ga.try_readonly().map_err(|e| busy("grad", e))?.as_slice()?);
        }
        run(py, o, &mut pb, &mut gb)?;
        let mut at = 0;
        for (k, pa) in pas.iter().enumerate() {
            let mut pw = pa
                .try_readwrite()
                .map_err(|e| PyValueError::new_err(format!("params[{}]: {e}", first + k)))?;
            let s = pw.as_slice_mut()?;
            s.copy_from_slice(&pb[at..at + s.len()]);
            at += s.len();
        }
        Ok(())
    }

    /// Makes group `g`'s engine over tensors `first..` of `shapes` at its first step (with
    /// the state loaded for it, if any), or checks them against the existing one.
    fn prepare_joint(
        &mut self,
        g: usize,
        f32: bool,
        first: usize,
        shapes: &[Shape],
    ) -> PyResult<()> {
        if let Some(j) = &self.joints[g] {
            if j.first != first || j.shapes != shapes {
                return Err(PyValueError::new_err(format!(
                    "params[{first}..{}] have shapes {shapes:?}, but params[{}..{}] had {:?} \
                     at the group's first step",
                    first + shapes.len(),
                    j.first,
                    j.tensors().end,
                    j.shapes
                )));
            }
            return Ok(());
        }
        let end = first + shapes.len();
        if let Some(k) = (first + 1..end).find(|&k| matches!(self.pending.get(k), Some(Some(_)))) {
            return Err(PyValueError::new_err(format!(
                "state of tensor {k}: `{}` keeps one state per parameter group, saved as its \
                 first tensor's (params[{first}]); this state_dict has one per array (saved \
                 before the group's arrays were stepped together) and cannot be resumed",
                self.name
            )));
        }
        let mut engine = self.build(g, f32, &named(first, shapes))?;
        if let Some(st) = self.pending.get_mut(first).and_then(Option::take) {
            engine
                .load_state(&st)
                .map_err(|e| PyValueError::new_err(format!("state of tensor {first}: {e}")))?;
        }
        self.joints[g] = Some(Joint {
            engine: Locked(std::sync::Mutex::new(engine)),
            first,
            shapes: shapes.to_vec(),
        });
        Ok(())
    }

    /// `gradient_point`/`eval_point` (`what`) of tensor `i` at `x` into `out`: from its
    /// group's engine when the group is that one array; otherwise only a rule without such a
    /// point (asked of a fresh optimiser) is answered (false).
    pub(super) fn joint_point(
        &mut self,
        i: usize,
        shape: Shape,
        what: &str,
        x: &[f64],
        out: &mut [f64],
        which: impl Fn(&dyn Optimizer<f64>, &[f64], &mut [f64]) -> bool,
    ) -> PyResult<bool> {
        let g = self.group_of(i)?;
        if let Some(j) = self.joints[if self.shared { 0 } else { g }].as_mut() {
            if j.first == i && j.shapes == [shape] {
                let Engine::F64(o) = j.engine.get() else {
                    return Err(PyTypeError::new_err("params: float64 expected"));
                };
                return Ok(which(o.as_ref(), x, out));
            }
        }
        let Engine::F64(probe) = self.build_one(g, false, &named(i, &[shape]))? else {
            return Err(PyTypeError::new_err("params: float64 expected"));
        };
        if which(probe.as_ref(), x, out) {
            return Err(PyValueError::new_err(format!(
                "{what} of params[{i}]: `{}` keeps one state per parameter group; its {what} \
                 is available for a group of one array only",
                self.name
            )));
        }
        Ok(false)
    }

    /// Loads state `st` of tensor `i` into its group's engine, if the group has stepped
    /// (false: not yet, keep it pending).
    pub(super) fn load_joint_state(&mut self, i: usize, st: &OptimizerState) -> PyResult<bool> {
        let name = self.name.clone();
        let first = self.group_range(self.group_of(i)?, i + 1).start;
        if first != i {
            return Err(PyValueError::new_err(format!(
                "state[{i}]: `{name}` keeps one state per parameter group, saved as its first \
                 tensor's (params[{first}]); this state_dict has one per array (saved before \
                 a group's arrays were stepped together) and cannot be resumed"
            )));
        }
        let Some(j) = self
            .joints
            .iter_mut()
            .flatten()
            .find(|j| j.tensors().contains(&i))
        else {
            return Ok(false);
        };
        if j.first != i {
            return Err(PyValueError::new_err(format!(
                "state[{i}]: `{name}` keeps one state per parameter group, as its first \
                 tensor's (params[{}])",
                j.first
            )));
        }
        j.engine
            .get()
            .load_state(st)
            .map_err(|e| PyValueError::new_err(format!("state[{i}]: {e}")))?;
        Ok(true)
    }
}
