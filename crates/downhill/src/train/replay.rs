//! [`Replayed`]: makes any deterministic metric-driven lr rule checkpointable by recording the
//! metrics it was fed; restoring replays them into a fresh copy of the rule.

use super::trainer::PlateauRule;
use crate::Result;

/// A metric-driven rule `R` (e.g. reduce-on-plateau) seen through [`PlateauRule`].
///
/// `step(rule, metric)` feeds one metric and returns the rule's learning rate afterwards. The
/// trainer's lr is multiplied by `lr_after / lr_before`, so the rule composes with schedules.
/// The state is the list of metrics fed so far; [`PlateauRule::load_state`] replays it into a
/// copy of the rule as first given, which reproduces the rule's state exactly.
#[derive(Debug, Clone)]
pub struct Replayed<R: Clone + Send> {
    initial: R,
    rule: R,
    lr: f64,
    initial_lr: f64,
    history: Vec<f64>,
    step: fn(&mut R, f64) -> f64,
    factors: Option<fn(&R) -> Vec<f64>>,
}

impl<R: Clone + Send> Replayed<R> {
    /// Wraps `rule`, whose learning rate is `lr` before any metric.
    pub fn new(rule: R, lr: f64, step: fn(&mut R, f64) -> f64) -> Self {
        Replayed {
            initial: rule.clone(),
            rule,
            lr,
            initial_lr: lr,
            history: Vec::new(),
            step,
            factors: None,
        }
    }

    /// The same, for a rule over several parameter groups: `factors(rule)` gives each group's
    /// lr factor relative to group 0's (see [`PlateauRule::group_factors`]).
    pub fn with_group_factors(mut self, factors: fn(&R) -> Vec<f64>) -> Self {
        self.factors = Some(factors);
        self
    }
}

impl<R: Clone + Send> PlateauRule for Replayed<R> {
    fn step(&mut self, metric: f64, lr: f64) -> f64 {
        self.history.push(metric);
        let after = (self.step)(&mut self.rule, metric);
        let before = std::mem::replace(&mut self.lr, after);
        if before == 0.0 {
            lr
        } else {
            lr * (after / before)
        }
    }
    fn state(&self) -> Vec<f64> {
        self.history.clone()
    }
    fn group_factors(&self) -> Vec<f64> {
        self.factors.map_or_else(Vec::new, |f| f(&self.rule))
    }
    fn load_state(&mut self, state: &[f64]) -> Result<()> {
        self.rule = self.initial.clone();
        self.lr = self.initial_lr;
        self.history.clear();
        for &m in state {
            self.history.push(m);
            self.lr = (self.step)(&mut self.rule, m);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Halve after two non-improving metrics.
    #[derive(Clone)]
    struct Toy {
        lr: f64,
        best: f64,
        bad: usize,
    }

    fn toy_step(t: &mut Toy, m: f64) -> f64 {
        if m < t.best {
            t.best = m;
            t.bad = 0;
        } else {
            t.bad += 1;
            if t.bad >= 2 {
                t.lr /= 2.0;
                t.bad = 0;
            }
        }
        t.lr
    }

    #[test]
    fn scales_the_lr_and_replays_its_state() {
        let toy = Toy {
            lr: 1.0,
            best: f64::INFINITY,
            bad: 0,
        };
        let mut a = Replayed::new(toy.clone(), 1.0, toy_step);
        assert_eq!(a.step(3.0, 0.4), 0.4);
        assert_eq!(a.step(3.0, 0.4), 0.4);
        assert_eq!(a.step(3.0, 0.4), 0.2);
        let mut b = Replayed::new(toy, 1.0, toy_step);
        b.load_state(&a.state()).unwrap();
        for m in [3.0, 3.0, 1.0, 2.0] {
            assert_eq!(a.step(m, 0.2), b.step(m, 0.2));
        }
    }
}
