//! `cyclic_lr`: PyTorch's `CyclicLR` (Smith's cyclical learning rates), with momentum cycling.

use serde::{Deserialize, Serialize};

use super::params::{pytorch_scheduler, schedule_config};
use super::{
    attach_base, scheduler_boilerplate, Epochs, Group, GroupArg, Scheduler,
};
use crate::expr::Expr;
use crate::{Error, Result};

schedule_config! {
    /// `cyclic_lr`: the parameters of [`CyclicLr`].
    CyclicLrConfig {
        required {
            /// Lower lr boundary (replaces the optimiser's lr, as in PyTorch); one value, or a
            /// list with one per parameter group.
            base_lr: GroupArg<f64>, Any, example = 0.001;
            /// Upper lr boundary; one value, or one per parameter group.
            max_lr: GroupArg<f64>, Any, example = 0.1;
        }
        optional {
            /// Steps in the increasing half.
            step_size_up: usize = 2000, AtLeast(1.0), example = 100;
            /// Steps in the decreasing half (absent: `step_size_up`).
            step_size_down: Option<usize> = None, AtLeast(0.0);
            /// Amplitude policy.
            mode: CyclicMode = CyclicMode::Triangular, OneOf(&["triangular", "triangular2", "exp_range"]);
            /// `exp_range` constant.
            gamma: f64 = 1.0, Any;
            /// Cycle the momentum inversely to the lr (needs an optimizer with momentum).
            cycle_momentum: bool = true, EITHER;
            /// Lower momentum boundary.
            base_momentum: f64 = 0.8, Any;
            /// Upper momentum boundary.
            max_momentum: f64 = 0.9, Any;
            /// A custom amplitude scale as a formula in `x` (PyTorch's `scale_fn`; replaces
            /// `mode`), e.g. `"1/(2^(x - 1))"` or `"0.99^x"`.
            scale_fn: Option<String> = None, Formula("x");
            /// What `x` is in `scale_fn`: the cycle number (from 1) or the step.
            scale_mode: ScaleMode = ScaleMode::Cycle, OneOf(&["cycle", "iterations"]);
        }
    }
}
pytorch_scheduler!(CyclicLrConfig => CyclicLr, custom);

impl CyclicLr {
    fn from_config(c: CyclicLrConfig) -> Result<Self> {
        let scale_fn = c.scale_fn.as_deref().map(parse_scale_fn).transpose()?;
        Ok(CyclicLr {
            base_lr: c.base_lr.of_group("base_lr", 0, 1)?,
            max_lr: c.max_lr.of_group("max_lr", 0, 1)?,
            c,
            scale_fn,
            e: Epochs::default(),
        })
    }
}

/// `scale_fn` as a formula in `x`, or the error naming the key and the column.
fn parse_scale_fn(src: &str) -> Result<Expr> {
    Expr::parse(src, &["x"]).map_err(|e| {
        Error::param(
            "scale_fn",
            src,
            &format!("a formula in `x`; column {}: {}", e.column, e.message),
        )
    })
}

/// What `x` is in [`CyclicLrConfig::scale_fn`] (PyTorch's `scale_mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMode {
    /// The cycle number $c$ (from 1).
    #[default]
    Cycle,
    /// The step $t$.
    Iterations,
}

/// Amplitude policy of [`CyclicLr`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CyclicMode {
    /// Constant amplitude: $s = 1$.
    #[default]
    Triangular,
    /// Amplitude halved each cycle: $s = 2^{-(c-1)}$.
    Triangular2,
    /// Amplitude scaled per iteration: $s = \gamma^{t}$.
    ExpRange,
}

/// Cyclical learning rate (`torch.optim.lr_scheduler.CyclicLR`).
///
/// With $S = u + d$ ($u$ = `step_size_up`, $d$ = `step_size_down`, default $d = u$),
/// cycle $c = \lfloor 1 + t/S \rfloor$, position $x = 1 + t/S - c$ and
/// $h = x / (u/S)$ if $x \le u/S$ else $(x - 1)/(u/S - 1)$:
///
/// $$\eta_t = \eta_{base} + (\eta_{max} - \eta_{base})\,h\,s, \qquad
///   \beta_t = \beta_{max} - (\beta_{max} - \beta_{base})\,h\,s$$
///
/// with $s = 1$ (`triangular`), $2^{-(c-1)}$ (`triangular2`) or $\gamma^t$ (`exp_range`), or
/// with a custom `scale_fn` $s = f(c)$ (`scale_mode = "cycle"`) or $f(t)$ (`"iterations"`).
/// Momentum is cycled (inversely to the lr) when `cycle_momentum` is true (the default); the
/// optimiser must then have a momentum (sgd `momentum`, adam `betas[0]`).
#[derive(Debug, Clone)]
pub struct CyclicLr {
    c: CyclicLrConfig,
    /// `base_lr` (of the group this scheduler drives).
    base_lr: f64,
    /// `max_lr` (of the group).
    max_lr: f64,
    scale_fn: Option<Expr>,
    e: Epochs,
}

impl CyclicLr {
    fn scale(&self, cycle: f64, t: i64) -> f64 {
        if let Some(f) = &self.scale_fn {
            return match self.c.scale_mode {
                ScaleMode::Cycle => f.value(&[cycle]),
                ScaleMode::Iterations => f.value(&[t as f64]),
            };
        }
        match self.c.mode {
            CyclicMode::Triangular => 1.0,
            CyclicMode::Triangular2 => 1.0 / 2.0_f64.powf(cycle - 1.0),
            CyclicMode::ExpRange => self.c.gamma.powf(t as f64),
        }
    }
}

impl Scheduler for CyclicLr {
    scheduler_boilerplate!();
    fn attach(&mut self, g: &mut Group, last_epoch: i64) -> Result<()> {
        self.validate()?;
        // A fresh start writes base_lr (and max_momentum) into the group; a resume leaves the
        // group as it is, and the initial step uses `initial_lr` as the base, as in PyTorch
        // (whose `base_lrs` is set to `base_lr` only after the base constructor's step).
        if last_epoch == -1 {
            g.lr = self.base_lr;
        }
        if self.c.cycle_momentum {
            cycle_momentum(g, self.c.base_momentum, self.c.max_momentum, last_epoch)?;
        }
        attach_base(self, g, last_epoch)?;
        self.e.base_lr = self.base_lr;
        Ok(())
    }
    fn get_lr(&mut self, g: &mut Group) -> f64 {
        let t = self.e.last_epoch;
        let up = self.c.step_size_up as f64;
        let down = self.c.step_size_down.map_or(up, |d| d as f64);
        let total = up + down;
        let ratio = up / total;
        let cycle = (1.0 + t as f64 / total).floor();
        let x = 1.0 + t as f64 / total - cycle;
        let h = if x <= ratio {
            x / ratio
        } else {
            (x - 1.0) / (ratio - 1.0)
        };
        let s = self.scale(cycle, t);
        let lr = self.e.base_lr + (self.max_lr - self.e.base_lr) * h * s;
        if self.c.cycle_momentum {
            let m = self.c.max_momentum - (self.c.max_momentum - self.c.base_momentum) * h * s;
            g.momentum = Some(m);
        }
        lr
    }
    fn drives_momentum(&self) -> bool {
        self.c.cycle_momentum
    }
}

/// Sets `g` up for a cyclic momentum between `base` and `max`, starting at `max` (as `CyclicLR`
/// and `OneCycleLR` do when `cycle_momentum` is set, on a fresh start: `last_epoch = -1`);
/// the optimiser must have a momentum.
pub(super) fn cycle_momentum(g: &mut Group, base: f64, max: f64, last_epoch: i64) -> Result<()> {
    if g.momentum.is_none() {
        return Err(Error::param(
            "cycle_momentum",
            true,
            "the optimizer must support momentum or betas[0]",
        ));
    }
    if last_epoch == -1 {
        g.momentum = Some(max);
        g.max_momentum = max;
        g.base_momentum = base;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{IntoSchedule, Schedule};

    #[test]
    fn seed_002_triangular2_halves_the_amplitude_each_cycle() {
        let cfg = CyclicLrConfig::new(0.0.into(), 1.0.into()).step_size_up(4);
        let mut s = cfg
            .clone()
            .mode(CyclicMode::Triangular2)
            .build()
            .unwrap()
            .schedule(0.5, Some(0.9))
            .unwrap();
        let peaks: Vec<f64> = (0..4).map(|c| s.lr(4 + 8 * c)).collect();
        assert_eq!(peaks, [1.0, 0.5, 0.25, 0.125]);
        assert_eq!(s.lr(8), 0.0); // back to base_lr at the end of each cycle
        assert_eq!(s.momentum(4), Some(0.8)); // momentum at its low at the lr peak
                                              // Triangular keeps the amplitude.
        let mut t = cfg.build().unwrap().schedule(0.5, Some(0.9)).unwrap();
        assert!((0..4).all(|c| t.lr(4 + 8 * c) == 1.0));
        // cycle_momentum needs an optimiser with momentum.
        let c = CyclicLrConfig::new(0.0.into(), 1.0.into()).build().unwrap();
        assert!(c.schedule(0.5, None).is_err());
    }
}
