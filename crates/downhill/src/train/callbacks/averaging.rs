//! [`Averaging`]: stochastic weight averaging (SWA, with its annealed learning rate),
//! snapshot averaging, or an exponential moving average of the weights (EMA); the run ends
//! with the average.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Scalar;
use crate::schedule::AnnealStrategy;
use crate::train::callback::{from_state, to_state, Callback, Context};
use crate::train::config::{EmaConfig, SwaConfig};
use crate::train::TrainStatus;
use crate::Result;

/// Running average of parameters (SWA or snapshots): the checkpointed state of [`Averaging`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AverageState {
    /// Number of parameter vectors averaged.
    pub n: usize,
    /// Their mean.
    pub mean: Vec<f64>,
    /// The learning rate when SWA started.
    pub swa_lr0: Option<f64>,
    /// With several parameter groups, each group's learning rate when SWA started.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swa_lr0s: Vec<f64>,
}

impl AverageState {
    /// `AveragedModel.update_parameters` with `get_ema_multi_avg_fn(decay)`: the first update
    /// copies θ, later ones `ema ← lerp(ema, θ, 1 − decay)` (`torch._foreach_lerp_`, ATen's
    /// order: `ema + w(θ − ema)` for `w < ½`).
    fn ema<T: Scalar>(&mut self, params: &[T], decay: f64) {
        if self.n == 0 || self.mean.len() != params.len() {
            self.mean = params.iter().map(|p| p.f64()).collect();
        } else {
            let w = 1.0 - decay;
            for (m, p) in self.mean.iter_mut().zip(params) {
                *m = crate::optim::lerp(*m, p.f64(), w);
            }
        }
        self.n += 1;
    }

    fn add<T: Scalar>(&mut self, params: &[T]) {
        if self.mean.len() != params.len() {
            self.mean = vec![0.0; params.len()];
        }
        self.n += 1;
        let inv = 1.0 / self.n as f64;
        for (m, p) in self.mean.iter_mut().zip(params) {
            *m += (p.f64() - *m) * inv;
        }
    }
}

/// SWA ([`SwaConfig`]): from epoch `swa_start` on, the lr anneals to `swa_lr` (set through
/// `ctx.lr_override`, which replaces the schedule) and the parameters after each such epoch
/// join the running mean. Snapshot averaging: the parameters after every `every`-th epoch
/// join it. EMA ([`EmaConfig`]): after every optimiser step `ema ← decay·ema + (1 − decay)·θ`
/// (the first step copies θ), and validation is measured on the EMA weights (through
/// `ctx.eval_params`). Unless the run diverged, it ends with the average (the last trained
/// parameters are kept in [`Averaging::last`]).
#[derive(Debug, Clone, Default)]
pub struct Averaging {
    swa: Option<SwaConfig>,
    every: Option<usize>,
    ema: Option<EmaConfig>,
    swa_lr: Option<f64>,
    /// The average so far.
    pub state: AverageState,
    /// The trained parameters at the end, before the average replaced them.
    pub last: Option<Vec<f64>>,
}

impl Averaging {
    /// The checkpoint key.
    pub const NAME: &'static str = "averaging";

    /// SWA with `swa`, or snapshots every `every` epochs (`None` if neither is set).
    pub fn new(swa: Option<SwaConfig>, every: Option<usize>) -> Option<Self> {
        (swa.is_some() || every.is_some()).then(|| Averaging {
            swa,
            every,
            ..Averaging::default()
        })
    }

    /// An exponential moving average of the weights.
    pub fn ema(ema: EmaConfig) -> Self {
        Averaging {
            ema: Some(ema),
            ..Averaging::default()
        }
    }

    /// Puts the EMA weights where validation reads them.
    fn publish<T: Scalar>(&self, ctx: &mut Context<'_, T>) {
        if self.ema.is_none() || self.state.n == 0 {
            return;
        }
        let eval = ctx.eval_params.get_or_insert_with(|| ctx.params.clone());
        for (e, &m) in eval.iter_mut().zip(&self.state.mean) {
            *e = T::of(m);
        }
    }

    /// SWA's learning rate for epoch `epoch` (0-based) in group `g`, whose lr was `lr0` when
    /// SWA started (`SWALR` per param group).
    fn group_swa_lr(&self, epoch: usize, g: usize, lr0: f64) -> Option<f64> {
        let swa = self.swa.as_ref()?;
        let groups = self.state.swa_lr0s.len().max(1);
        let swa_lr = swa.swa_lr.of_group("swa.swa_lr", g, groups).ok()?;
        if epoch < swa.swa_start {
            return None;
        }
        let j = (epoch - swa.swa_start) as f64;
        let t = if swa.anneal_epochs == 0 {
            1.0
        } else {
            ((j + 1.0) / swa.anneal_epochs as f64).min(1.0)
        };
        let alpha = match swa.anneal_strategy {
            AnnealStrategy::Cos => (1.0 - (std::f64::consts::PI * t).cos()) / 2.0,
            AnnealStrategy::Linear => t,
        };
        Some(swa_lr * alpha + lr0 * (1.0 - alpha))
    }

    /// SWA's learning rate for epoch `epoch` (0-based) in group 0, once SWA has started.
    fn swa_lr(&self, epoch: usize) -> Option<f64> {
        self.group_swa_lr(epoch, 0, self.state.swa_lr0?)
    }
}

impl<T: Scalar> Callback<T> for Averaging {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn per_step(&self) -> bool {
        self.ema.is_some()
    }
    fn on_train_begin(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        self.publish(ctx);
        Ok(())
    }
    fn on_step_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if let Some(e) = &self.ema {
            self.state.ema(&ctx.params, e.decay);
            self.publish(ctx);
        }
        Ok(())
    }
    fn on_epoch_begin(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        let started = self.swa.as_ref().is_some_and(|s| ctx.epoch >= s.swa_start);
        if started && self.state.swa_lr0.is_none() {
            self.state.swa_lr0 = Some(ctx.lr);
            if ctx.group_lrs.len() > 1 {
                self.state.swa_lr0s = ctx.group_lrs.clone();
            }
        }
        self.swa_lr = self.swa_lr(ctx.epoch);
        ctx.lr_override = self.swa_lr;
        ctx.group_lr_override = match self.swa_lr {
            Some(_) => (0..self.state.swa_lr0s.len())
                .map(|g| {
                    let lr0 = self.state.swa_lr0s[g];
                    self.group_swa_lr(ctx.epoch, g, lr0).unwrap_or(lr0)
                })
                .collect(),
            None => Vec::new(),
        };
        Ok(())
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if self.swa_lr.is_some() || self.every.is_some_and(|k| ctx.epoch.is_multiple_of(k)) {
            self.state.add(&ctx.params);
        }
        Ok(())
    }
    fn on_train_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if ctx.status() != TrainStatus::Diverged && self.state.n > 0 {
            self.last = Some(ctx.params_f64());
            ctx.set_params(&self.state.mean);
        }
        ctx.eval_params = None;
        Ok(())
    }
    fn state(&self) -> Result<Value> {
        to_state(Self::NAME, &self.state)
    }
    fn load_state(&mut self, state: Value) -> Result<()> {
        self.state = from_state(Self::NAME, state)?;
        Ok(())
    }
}
