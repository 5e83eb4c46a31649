//! Building a group's engine: its library optimiser from the group's hyperparameters, and
//! rebuilt with new ones, keeping its state. For a rule whose groups share one state
//! (prodigy and D-Adaptation's one d, `downhill::optim::shared`), one engine over every
//! group's arrays.

use downhill::optim::{OptimizerConfig, Shape, SharedGroup};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::PyOptimizer;
use crate::engine::{Engine, Locked};
use crate::errors::value_error;

impl PyOptimizer {
    /// Group `g`'s optimiser over the tensors `shapes` (named as they are reported); for a
    /// rule whose groups share one state, the one optimiser of every group (`shapes` all the
    /// tensors, in order).
    pub(super) fn build(
        &self,
        g: usize,
        f32: bool,
        shapes: &[(String, Shape)],
    ) -> PyResult<Engine> {
        if self.shared {
            return self.build_shared(f32, shapes);
        }
        self.build_one(g, f32, shapes)
    }

    /// Group `g`'s own optimiser over `shapes`, told its stream (sgld: group g draws
    /// stream g of its seed).
    pub(super) fn build_one(
        &self,
        g: usize,
        f32: bool,
        shapes: &[(String, Shape)],
    ) -> PyResult<Engine> {
        let group = &self.groups[g];
        let mut e = if f32 {
            let mut o = group.cfg.build::<f32>().map_err(value_error)?;
            downhill::optim::set_named_shapes(o.as_mut(), shapes).map_err(value_error)?;
            o.set_stream(g as u64);
            Engine::F32(o)
        } else {
            let mut o = group.cfg.build::<f64>().map_err(value_error)?;
            downhill::optim::set_named_shapes(o.as_mut(), shapes).map_err(value_error)?;
            o.set_stream(g as u64);
            Engine::F64(o)
        };
        e.set_group_lr(0, group.lr);
        if let Some(m) = group.momentum {
            e.set_group_momentum(0, m);
        }
        Ok(e)
    }

    /// The one optimiser of every group of a rule that shares its state across groups, over
    /// `shapes` (every group's tensors, in order), with each group's lr and momentum.
    fn build_shared(&self, f32: bool, shapes: &[(String, Shape)]) -> PyResult<Engine> {
        let Some(sizes) = &self.sizes else {
            return Err(PyValueError::new_err("the groups' sizes are unknown"));
        };
        let mut groups = Vec::with_capacity(sizes.len());
        let mut at = 0;
        for (k, (g, &n)) in self.groups.iter().zip(sizes).enumerate() {
            let mine = shapes.get(at..at + n).unwrap_or_default();
            groups.push(SharedGroup {
                cfg: &g.cfg,
                shapes: mine.iter().map(|s| s.1).collect(),
                lr: g.lr,
                lr_key: format!("param_groups[{k}].lr"),
            });
            at += n;
        }
        let none = || PyValueError::new_err(format!("`{}` keeps no shared state", self.name));
        let mut e = if f32 {
            let o = OptimizerConfig::build_shared::<f32>(&groups).map_err(value_error)?;
            Engine::F32(o.ok_or_else(none)?)
        } else {
            let o = OptimizerConfig::build_shared::<f64>(&groups).map_err(value_error)?;
            Engine::F64(o.ok_or_else(none)?)
        };
        self.set_hypers(&mut e);
        Ok(e)
    }

    /// Sets every group's lr and momentum of the shared engine `e`.
    fn set_hypers(&self, e: &mut Engine) {
        for (k, g) in self.groups.iter().enumerate() {
            e.set_group_lr(k, g.lr);
            if let Some(m) = g.momentum {
                e.set_group_momentum(k, m);
            }
        }
    }

    /// The groups' lrs by the packages' rule (each the largest or 0), for a rule whose groups
    /// share one state: a ValueError naming `param_groups[k].lr` otherwise.
    pub(super) fn check_shared_lrs(&self) -> PyResult<()> {
        let lrs: Vec<(String, f64)> = (self.groups.iter().enumerate())
            .map(|(k, g)| (format!("param_groups[{k}].lr"), g.lr))
            .collect();
        downhill::optim::check_shared_lrs(&self.name, &lrs).map_err(value_error)
    }

    /// Group `g`'s optimiser rebuilt from its (new) hyperparameters, with `old`'s state and
    /// the group's scheduled lr and momentum (every group's, for a shared engine).
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
        if self.shared {
            self.set_hypers(&mut e);
        } else {
            e.set_group_lr(0, self.groups[g].lr);
            if let Some(m) = self.groups[g].momentum {
                e.set_group_momentum(0, m);
            }
        }
        Ok(Locked(std::sync::Mutex::new(e)))
    }
}
