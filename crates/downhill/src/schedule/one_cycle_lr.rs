//! `one_cycle_lr`: PyTorch's `OneCycleLR` (Smith's 1cycle policy), with momentum cycling.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use super::params::{pytorch_scheduler, schedule_config};
use super::cyclic_lr::cycle_momentum;
use super::{
    attach_base, scheduler_boilerplate, Epochs, Group, GroupArg, Scheduler,
};
use crate::{Error, Result};

schedule_config! {
    /// `one_cycle_lr`: the parameters of [`OneCycleLr`]; `total_steps`, or `epochs` and
    /// `steps_per_epoch`.
    OneCycleLrConfig {
        required {
            /// Peak lr; one value, or a list with one per parameter group.
            max_lr: GroupArg<f64>, Any, example = 0.1;
        }
        optional {
            /// The cycle length (or give `epochs` and `steps_per_epoch`).
            total_steps: Option<usize> = None, AtLeast(1.0), example = 1000;
            /// With `steps_per_epoch`, when `total_steps` is absent.
            epochs: Option<usize> = None, AtLeast(1.0);
            /// With `epochs`, when `total_steps` is absent.
            steps_per_epoch: Option<usize> = None, AtLeast(1.0);
            /// Fraction of the cycle spent increasing the lr.
            pct_start: f64 = 0.3, Closed(0.0, 1.0), also "no phase of zero length";
            /// Cosine or linear annealing.
            anneal_strategy: AnnealStrategy = AnnealStrategy::Cos, OneOf(&["cos", "linear"]);
            /// Cycle momentum inversely to the lr (needs an optimizer with momentum).
            cycle_momentum: bool = true, EITHER;
            /// Momentum at the peak lr.
            base_momentum: f64 = 0.85, Any;
            /// Momentum at the ends.
            max_momentum: f64 = 0.95, Any;
            /// Initial lr = max_lr / div_factor.
            div_factor: f64 = 25.0, Any;
            /// Final lr = initial lr / final_div_factor.
            final_div_factor: f64 = 1e4, Any;
            /// Use three phases (the original paper) instead of two (fastai).
            three_phase: bool = false, EITHER;
        }
    }
}
pytorch_scheduler!(OneCycleLrConfig => OneCycleLr, custom);

/// How [`OneCycleLr`] interpolates inside a phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnealStrategy {
    /// $a(s, e, p) = e + \frac{s - e}{2}(1 + \cos \pi p)$.
    #[default]
    Cos,
    /// $a(s, e, p) = (e - s)p + s$.
    Linear,
}

impl AnnealStrategy {
    fn apply(self, start: f64, end: f64, pct: f64) -> f64 {
        match self {
            AnnealStrategy::Cos => end + (start - end) / 2.0 * ((PI * pct).cos() + 1.0),
            AnnealStrategy::Linear => (end - start) * pct + start,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Key {
    Initial,
    Max,
    Min,
    MaxMomentum,
    BaseMomentum,
}

fn read(g: &Group, k: Key) -> f64 {
    match k {
        Key::Initial => g.initial_lr.unwrap_or(g.lr),
        Key::Max => g.max_lr,
        Key::Min => g.min_lr,
        Key::MaxMomentum => g.max_momentum,
        Key::BaseMomentum => g.base_momentum,
    }
}

/// One phase: (end_step, start_lr, end_lr, start_momentum, end_momentum).
type Phase = (f64, Key, Key, Key, Key);

/// The 1cycle policy (`torch.optim.lr_scheduler.OneCycleLR`).
///
/// With $\eta_{init} = \eta_{max}/\text{div\_factor}$, $\eta_{min} = \eta_{init} /
/// \text{final\_div\_factor}$, $p$ = `pct_start`, $T$ = `total_steps`, the phases end at steps
/// $pT - 1$ and $T - 1$ (or, with `three_phase`, $pT - 1$, $2pT - 2$, $T - 1$), and in the phase
/// $[a, b]$ from $\eta_s$ to $\eta_e$
///
/// $$\eta_t = A\!\left(\eta_s, \eta_e, \frac{t - a}{b - a}\right)$$
///
/// with $A$ the cosine or linear [`AnnealStrategy`]: $\eta_{init} \to \eta_{max} \to
/// \eta_{min}$ (or $\eta_{init} \to \eta_{max} \to \eta_{init} \to \eta_{min}$). Momentum runs
/// the other way between `max_momentum` and `base_momentum` when `cycle_momentum` is true.
/// PyTorch raises after more than `total_steps` steps; here the lr then stays at $\eta_{min}$
/// (and the momentum at the end value of the last phase).
#[derive(Debug, Clone)]
pub struct OneCycleLr {
    c: OneCycleLrConfig,
    /// `max_lr` (of the group this scheduler drives).
    max_lr: f64,
    /// The cycle length (`total_steps`, or `epochs` × `steps_per_epoch`).
    total_steps: usize,
    e: Epochs,
}

impl OneCycleLr {
    fn from_config(c: OneCycleLrConfig) -> Result<Self> {
        let total_steps = match (c.total_steps, c.epochs, c.steps_per_epoch) {
            (Some(t), ..) => t,
            (None, Some(e), Some(s)) => e.saturating_mul(s).min(i64::MAX as usize),
            _ => {
                return Err(Error::param(
                    "total_steps",
                    "none",
                    "give total_steps, or epochs and steps_per_epoch",
                ))
            }
        };
        Ok(OneCycleLr {
            max_lr: c.max_lr.of_group("max_lr", 0, 1)?,
            c,
            total_steps,
            e: Epochs::default(),
        })
    }

    fn phases(&self) -> ([Phase; 3], usize) {
        let t = self.total_steps as f64;
        let p = self.c.pct_start;
        use Key::*;
        if self.c.three_phase {
            (
                [
                    (p * t - 1.0, Initial, Max, MaxMomentum, BaseMomentum),
                    (2.0 * p * t - 2.0, Max, Initial, BaseMomentum, MaxMomentum),
                    (t - 1.0, Initial, Min, MaxMomentum, MaxMomentum),
                ],
                3,
            )
        } else {
            let last = (t - 1.0, Max, Min, BaseMomentum, MaxMomentum);
            (
                [
                    (p * t - 1.0, Initial, Max, MaxMomentum, BaseMomentum),
                    last,
                    last,
                ],
                2,
            )
        }
    }
}

impl Scheduler for OneCycleLr {
    scheduler_boilerplate!();
    fn validate(&self) -> Result<()> {
        let mut start = 0.0;
        let (phases, n) = self.phases();
        for &(end, ..) in &phases[..n] {
            if end == start {
                return Err(Error::param(
                    "pct_start",
                    self.c.pct_start,
                    "gives a phase of zero length with this total_steps (PyTorch divides by zero)",
                ));
            }
            start = end;
        }
        Ok(())
    }
    fn attach(&mut self, g: &mut Group, last_epoch: i64) -> Result<()> {
        self.validate()?;
        let initial = self.max_lr / self.c.div_factor;
        if last_epoch == -1 {
            g.initial_lr = Some(initial);
        }
        // PyTorch writes these keys into the group only on a fresh start and reads them back
        // from the group on a resume, where they are still there from the run being resumed:
        // this same one-cycle's values. `initial_lr` is the group's own (required).
        g.max_lr = self.max_lr;
        g.min_lr = initial / self.c.final_div_factor;
        if self.c.cycle_momentum {
            cycle_momentum(g, self.c.base_momentum, self.c.max_momentum, last_epoch)?;
            (g.max_momentum, g.base_momentum) = (self.c.max_momentum, self.c.base_momentum);
        }
        attach_base(self, g, last_epoch)
    }
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let step = self.e.last_epoch;
        let (phases, n) = self.phases();
        if usize::try_from(step).is_ok_and(|s| s > self.total_steps) {
            // Past the cycle (PyTorch raises): hold the end values of the last phase.
            let (_, _, e_lr, _, e_m) = phases[n - 1];
            if self.c.cycle_momentum {
                g.momentum = Some(read(g, e_m));
            }
            return read(g, e_lr);
        }
        let mut start = 0.0;
        for (i, &(end, s_lr, e_lr, s_m, e_m)) in phases[..n].iter().enumerate() {
            if step as f64 <= end || i == n - 1 {
                let pct = (step as f64 - start) / (end - start);
                let lr = self
                    .c
                    .anneal_strategy
                    .apply(read(g, s_lr), read(g, e_lr), pct);
                if self.c.cycle_momentum {
                    let m = self
                        .c
                        .anneal_strategy
                        .apply(read(g, s_m), read(g, e_m), pct);
                    g.momentum = Some(m);
                }
                return lr;
            }
            start = end;
        }
        g.lr
    }
    fn drives_momentum(&self) -> bool {
        self.c.cycle_momentum
    }
}
