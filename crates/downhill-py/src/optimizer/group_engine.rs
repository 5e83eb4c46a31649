//! Building a group's engine: its library optimiser from the group's hyperparameters, and
//! rebuilt with new ones, keeping its state.

use downhill::optim::Shape;
use pyo3::prelude::*;

use super::PyOptimizer;
use crate::engine::{Engine, Locked};
use crate::errors::value_error;

impl PyOptimizer {
    /// Group `g`'s optimiser over the tensors `shapes` (named as they are reported).
    pub(super) fn build(
        &self,
        g: usize,
        f32: bool,
        shapes: &[(String, Shape)],
    ) -> PyResult<Engine> {
        let group = &self.groups[g];
        let mut e = if f32 {
            let mut o = group.cfg.build::<f32>().map_err(value_error)?;
            downhill::optim::set_named_shapes(o.as_mut(), shapes).map_err(value_error)?;
            Engine::F32(o)
        } else {
            let mut o = group.cfg.build::<f64>().map_err(value_error)?;
            downhill::optim::set_named_shapes(o.as_mut(), shapes).map_err(value_error)?;
            Engine::F64(o)
        };
        e.as_dyn_lr(group.lr);
        if let Some(m) = group.momentum {
            e.set_momentum(m);
        }
        Ok(e)
    }

    /// Group `g`'s optimiser rebuilt from its (new) hyperparameters, with `old`'s state and
    /// the group's scheduled lr and momentum.
    pub(super) fn rebuilt(
        &self,
        g: usize,
        old: &Locked,
        shapes: &[(String, Shape)],
    ) -> PyResult<Locked> {
        let f32 = matches!(
            *old.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            Engine::F32(_)
        );
        let mut e = self.build(g, f32, shapes)?;
        e.load_state(&old.state()).map_err(value_error)?;
        e.as_dyn_lr(self.groups[g].lr);
        if let Some(m) = self.groups[g].momentum {
            e.set_momentum(m);
        }
        Ok(Locked(std::sync::Mutex::new(e)))
    }
}
