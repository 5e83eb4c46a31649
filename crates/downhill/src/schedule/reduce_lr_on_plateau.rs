//! `reduce_lr_on_plateau`: PyTorch's `ReduceLROnPlateau`, a stepping rule driven by a metric.

use serde::{Deserialize, Serialize};

use super::params::schedule_config;
use super::{Common, Configure, GroupArg, Made};
use crate::Result;

schedule_config! {
    /// `reduce_lr_on_plateau`: the parameters of [`ReduceLrOnPlateau`].
    ReduceLrOnPlateauConfig {
        required {}
        optional {
            /// Whether the metric should go down (min) or up (max).
            mode: PlateauMode = PlateauMode::Min, OneOf(&["min", "max"]);
            /// Reduction factor.
            factor: f64 = 0.1, Open(f64::NEG_INFINITY, 1.0);
            /// Bad steps tolerated before reducing.
            patience: usize = 10, AtLeast(0.0);
            /// Significance threshold.
            threshold: f64 = 1e-4, AtLeast(0.0);
            /// How `threshold` is applied.
            threshold_mode: ThresholdMode = ThresholdMode::Rel, OneOf(&["rel", "abs"]);
            /// Steps to wait after a reduction.
            cooldown: usize = 0, AtLeast(0.0);
            /// Lower bound on the lr; one value, or a list with one per parameter group.
            min_lr: GroupArg<f64> = GroupArg::One(0.0), AtLeast(0.0);
            /// Minimal decay.
            eps: f64 = 1e-8, AtLeast(0.0);
        }
    }
}

impl ReduceLrOnPlateauConfig {
    /// Validates and builds the rule for an optimiser whose lr is `lr`.
    pub fn build(&self, lr: f64) -> Result<ReduceLrOnPlateau> {
        self.check()?;
        let mut rule = ReduceLrOnPlateau::new(lr);
        rule.min_lr = self.min_lr.of_group("min_lr", 0, 1)?;
        rule.c = self.clone();
        rule.best = rule.worst();
        Ok(rule)
    }
}

impl Configure for ReduceLrOnPlateauConfig {
    fn common(&self) -> &Common {
        &self.common
    }
    fn pick_group(&mut self, g: usize, groups: usize) -> Result<()> {
        ReduceLrOnPlateauConfig::pick_group(self, g, groups)
    }
    fn resumable(&self) -> bool {
        false
    }
    fn make(&self, base_lr: f64) -> Result<Made> {
        Ok(Made::Plateau(self.build(base_lr)?))
    }
    fn combinable(&self) -> bool {
        false
    }
}

/// Whether the metric should go down or up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlateauMode {
    /// Lower is better (a loss).
    #[default]
    Min,
    /// Higher is better (an accuracy).
    Max,
}

/// How `threshold` defines a significant improvement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdMode {
    /// Relative: better than `best·(1 ∓ threshold)`.
    #[default]
    Rel,
    /// Absolute: better than `best ∓ threshold`.
    Abs,
}

/// Reduce the lr when a metric stops improving (`torch.optim.lr_scheduler.ReduceLROnPlateau`).
///
/// On each [`step`](Self::step)`(m)`: $m$ improves on `best` when (mode min)
/// $m < \text{best}(1 - \theta)$ (`rel`) or $m < \text{best} - \theta$ (`abs`) (mode max: $>$ and
/// $1 + \theta$, $+\theta$); then `best` ← $m$ and the bad-step count resets, else it grows.
/// During cooldown the bad count is reset. When the bad count exceeds `patience`:
///
/// $$\eta \leftarrow \max(\eta \cdot \text{factor}, \eta_{min}) \quad\text{if the decrease exceeds } \varepsilon,$$
///
/// then cooldown starts and the bad count resets.
#[derive(Debug, Clone, PartialEq)]
pub struct ReduceLrOnPlateau {
    c: ReduceLrOnPlateauConfig,
    /// `min_lr` (of the group this rule drives).
    min_lr: f64,
    lr: f64,
    best: f64,
    num_bad_epochs: usize,
    cooldown_counter: usize,
    last_epoch: usize,
}

impl ReduceLrOnPlateau {
    /// `ReduceLROnPlateau(optimizer)` with PyTorch's defaults, for an optimiser whose lr is `lr`
    /// (other parameters: [`ReduceLrOnPlateauConfig::build`]).
    pub fn new(lr: f64) -> Self {
        ReduceLrOnPlateau {
            c: ReduceLrOnPlateauConfig::default(),
            min_lr: 0.0,
            lr,
            best: f64::INFINITY,
            num_bad_epochs: 0,
            cooldown_counter: 0,
            last_epoch: 0,
        }
    }

    /// The parameters.
    pub fn config(&self) -> &ReduceLrOnPlateauConfig {
        &self.c
    }

    fn worst(&self) -> f64 {
        match self.c.mode {
            PlateauMode::Min => f64::INFINITY,
            PlateauMode::Max => f64::NEG_INFINITY,
        }
    }

    /// The current learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Number of `step` calls so far.
    pub fn steps(&self) -> usize {
        self.last_epoch
    }

    fn is_better(&self, a: f64) -> bool {
        let (best, th) = (self.best, self.c.threshold);
        match (self.c.mode, self.c.threshold_mode) {
            (PlateauMode::Min, ThresholdMode::Rel) => a < best * (1.0 - th),
            (PlateauMode::Min, ThresholdMode::Abs) => a < best - th,
            (PlateauMode::Max, ThresholdMode::Rel) => a > best * (th + 1.0),
            (PlateauMode::Max, ThresholdMode::Abs) => a > best + th,
        }
    }

    /// Reports `metric` (after an optimiser step / epoch); returns the lr for the next one.
    pub fn step(&mut self, metric: f64) -> f64 {
        self.last_epoch += 1;
        if self.is_better(metric) {
            self.best = metric;
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad_epochs = 0;
        }
        if self.num_bad_epochs > self.c.patience {
            let old = self.lr;
            let new = (old * self.c.factor).max(self.min_lr);
            if old - new > self.c.eps {
                self.lr = new;
            }
            self.cooldown_counter = self.c.cooldown;
            self.num_bad_epochs = 0;
        }
        self.lr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_002_decays_after_ten_steps_without_improvement() {
        // "Decay the lr once the loss has not improved for 10 iterations": the defaults
        // (patience 10, factor 0.1).
        let mut r = ReduceLrOnPlateau::new(0.1);
        assert_eq!(r.step(1.0), 0.1); // baseline
        for _ in 0..10 {
            assert_eq!(r.step(1.0), 0.1); // 10 bad steps are tolerated
        }
        assert!((r.step(1.0) - 0.01).abs() < 1e-15); // the 11th reduces
        assert_eq!(r.steps(), 12);
        // An improvement larger than the relative threshold resets the count.
        let mut r = ReduceLrOnPlateau::new(0.1);
        for k in 0..30 {
            assert_eq!(r.step(1.0 - 0.01 * k as f64), 0.1);
        }
    }

    #[test]
    fn max_mode_and_min_lr_and_eps() {
        let mut r = ReduceLrOnPlateauConfig::new()
            .mode(PlateauMode::Max)
            .patience(0)
            .min_lr(0.05.into())
            .build(0.1)
            .unwrap();
        assert_eq!(r.step(1.0), 0.1);
        assert_eq!(r.step(0.5), 0.05); // worse in max mode: reduced, clipped at min_lr
        assert_eq!(r.step(0.4), 0.05); // decrease 0 < eps: ignored
        assert!(ReduceLrOnPlateau::new(0.1).config().check().is_ok());
        let bad = ReduceLrOnPlateauConfig::new().factor(1.0).build(0.1);
        assert!(matches!(bad, Err(crate::Error::InvalidParameter { key, .. }) if key == "factor"));
    }
}
