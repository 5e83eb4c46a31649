//! `downhill lr-find FILE.toml [--json] [--plot F]`: the learning-rate range test (Smith 2017,
//! "Cyclical Learning Rates for Training Neural Networks" §3.3; fastai's `Learner.lr_find`).
//!
//! On a `downhill train` config (its `[data]`, `[model]`, `[optimizer]`, `[wrappers]` and
//! `[train] batch_size`, `sampling`, `seed`), with an optional `[lr_find]` table of fastai's
//! names and defaults — `start_lr = 1e-7`, `end_lr = 10`, `num_it = 100`, `stop_div = true`:
//!
//! - mini-batch `k = 0, 1, …, num_it − 1` is stepped with the exponential ramp
//!   `lr_k = start_lr · (end_lr / start_lr)^(k / (num_it − 1))` (the config's `[schedule]`,
//!   early stopping, averaging and checkpoints are not used);
//! - the loss `ℓ_k` of each batch (before its step) is smoothed as fastai's `AvgSmoothLoss`
//!   does, `a_k = β a_{k−1} + (1 − β) ℓ_k`, `s_k = a_k / (1 − β^(k+1))`, `β = 0.98`, `a_{−1} = 0`;
//! - with `stop_div` the test stops after the first `k` with `s_k > 4 · min_{j≤k} s_j` (or at a
//!   non-finite loss);
//! - the suggestion (`suggest`, fastai's suggestion functions) looks at the recorded points
//!   without the first `num_it / 10` and the last 5 (all points when fewer than 2 would remain):
//!   - `valley` (the default, as in fastai ≥ 2.5): the longest decreasing subsequence of the
//!     smoothed loss, `len_i = 1 + max{len_j : j < i, s_i < s_j}`, ending at `max_end`, with
//!     `max_start = max_end − len` one before its first point; the suggestion is the lr at
//!     `max_start + ⌊m/3⌋ + ⌊m/6⌋`, `m = max_end − max_start`, two thirds down the valley;
//!   - `steep`: the lr where `(s_{k+1} − s_k) / (ln lr_{k+1} − ln lr_k)` is lowest, the steepest
//!     descent of the smoothed loss against log lr (single-step slopes: noise can win);
//! - a `warning` is given when the curve is too noisy to trust: when the median of
//!   `|ℓ_k − s_k| / s_k` over the recorded points exceeds 0.5 (the batch losses scatter by more
//!   than half the smoothed loss), or when the valley spans fewer than 5 points;
//! - `cyclic_lr` bounds: `max_lr` = the suggestion (the loss still falls fastest there, below the
//!   divergence edge: fastai passes this lr as `fit_one_cycle`'s maximum) and
//!   `base_lr = max_lr / 4` (Smith 2017 §3.3: "set base_lr to 1/3 or 1/4 of max_lr").

use serde_json::{json, Value};

use crate::model::Scalar;
use crate::schedule::Unit;
use crate::spec::exec::train::{optimizer, Setup};
use crate::spec::lr_find::{parse, LrFindConfig, Suggest, BETA, STOP_FACTOR};
use crate::spec::train::TrainFile;
use crate::spec::{input, InPrecision};
use crate::train::{Callback, Context, LrFn, TrainStatus, Trainer};
use crate::Error;

/// The result of a range test.
#[derive(Debug, Clone)]
pub struct RangeTest {
    /// Learning rate of each recorded step.
    pub lr: Vec<f64>,
    /// Smoothed loss of each recorded step.
    pub loss: Vec<f64>,
    /// Raw batch loss of each recorded step.
    pub batch_loss: Vec<f64>,
    /// Why the test ended: `num_it`, `stop_div` or `diverged`.
    pub stopped: &'static str,
    /// The rule that made the suggestion.
    pub suggest: Suggest,
    /// The suggested lr.
    pub suggested_lr: f64,
    /// Why the suggestion should not be trusted, if it should not.
    pub warning: Option<String>,
}

impl RangeTest {
    /// `cyclic_lr`'s (`base_lr`, `max_lr`).
    pub fn cyclic(&self) -> (f64, f64) {
        (self.suggested_lr / 4.0, self.suggested_lr)
    }

    /// The JSON object `--json` prints.
    pub fn to_json(&self) -> Value {
        let (base_lr, max_lr) = self.cyclic();
        json!({
            "lr": self.lr,
            "loss": self.loss,
            "batch_loss": self.batch_loss,
            "stopped": self.stopped,
            "suggest": self.suggest.name(),
            "suggested_lr": self.suggested_lr,
            "warning": self.warning,
            "cyclic": {"base_lr": base_lr, "max_lr": max_lr},
        })
    }
}

/// The recorder (fastai's `Recorder` with `AvgSmoothLoss`, and `LRFinder`'s stop rule).
struct Recorder<'r> {
    cfg: &'r LrFindConfig,
    avg: f64,
    best: f64,
    out: &'r mut (Vec<f64>, Vec<f64>, Vec<f64>, &'static str),
}

impl<T: Scalar> Callback<T> for Recorder<'_> {
    fn name(&self) -> &str {
        "lr_find"
    }
    fn on_step_end(&mut self, ctx: &mut Context<'_, T>) -> crate::Result<()> {
        let k = ctx.step - 1;
        let loss = ctx.batch_loss;
        self.avg = BETA * self.avg + (1.0 - BETA) * loss;
        let smooth = self.avg / (1.0 - BETA.powi(k as i32 + 1));
        self.out.0.push(self.cfg.lr(k));
        self.out.1.push(smooth);
        self.out.2.push(loss);
        self.best = self.best.min(smooth);
        if self.cfg.stop_div && (smooth > STOP_FACTOR * self.best || !smooth.is_finite()) {
            self.out.3 = "stop_div";
            ctx.stop(TrainStatus::Stopped);
        } else if ctx.step >= self.cfg.num_it {
            ctx.stop(TrainStatus::Completed);
        }
        Ok(())
    }
}

/// The points the suggestion looks at: without the first `num_it / 10` and the last 5 (all of
/// them when fewer than 2 would remain).
fn trimmed<'a>(lr: &'a [f64], loss: &'a [f64], num_it: usize) -> (&'a [f64], &'a [f64]) {
    let (a, b) = (num_it / 10, lr.len().saturating_sub(5));
    if b >= a + 2 {
        (&lr[a..b], &loss[a..b])
    } else {
        (lr, loss)
    }
}

/// fastai's `steep`: the lr where the smoothed loss falls fastest against log lr.
pub fn steepest(lr: &[f64], loss: &[f64], num_it: usize) -> Option<f64> {
    let (lr, loss) = trimmed(lr, loss, num_it);
    let mut best: Option<(usize, f64)> = None;
    for k in 0..lr.len().saturating_sub(1) {
        let g = (loss[k + 1] - loss[k]) / (lr[k + 1].ln() - lr[k].ln());
        if g.is_finite() && best.is_none_or(|(_, b)| g < b) {
            best = Some((k, g));
        }
    }
    best.map(|(k, _)| lr[k])
}

/// The longest decreasing subsequence of `loss` (fastai's `valley` search): fastai's
/// `(max_start, max_end)`, where `max_start = max_end − len` lies one before the run's first
/// point (so it is −1 when the run starts at 0).
fn longest_valley(loss: &[f64]) -> (isize, usize) {
    let mut len = vec![1usize; loss.len()];
    let (mut start, mut end) = (0isize, 0usize);
    for i in 1..loss.len() {
        for j in 0..i {
            if loss[i] < loss[j] && len[i] < len[j] + 1 {
                len[i] = len[j] + 1;
            }
            if len[end] < len[i] {
                end = i;
                start = end as isize - len[end] as isize;
            }
        }
    }
    (start, end)
}

/// fastai's `valley`: the lr at `max_start + ⌊m/3⌋ + ⌊m/6⌋`, `m = max_end − max_start`, about
/// two thirds of the way into the longest decreasing run of the smoothed loss, and `m` (the
/// run's length in points).
pub fn valley(lr: &[f64], loss: &[f64], num_it: usize) -> Option<(f64, usize)> {
    let (lr, loss) = trimmed(lr, loss, num_it);
    if lr.is_empty() {
        return None;
    }
    let (start, end) = longest_valley(loss);
    let m = (end as isize - start) as usize;
    let idx = (start + (m / 3 + m / 6) as isize).clamp(0, lr.len() as isize - 1);
    Some((lr[idx as usize], m))
}

/// Why the suggestion should not be trusted: batch losses that scatter by more than half the
/// smoothed loss (median of `|ℓ_k − s_k| / s_k`), or a valley of fewer than 5 points.
fn noise_warning(t: &RangeTest, valley_points: Option<usize>) -> Option<String> {
    let mut rel: Vec<f64> = (t.batch_loss.iter().zip(&t.loss))
        .map(|(&b, &s)| ((b - s) / s).abs())
        .filter(|v| v.is_finite())
        .collect();
    rel.sort_by(f64::total_cmp);
    let median = rel.get(rel.len() / 2).copied().unwrap_or(0.0);
    if median > 0.5 {
        return Some(format!(
            "the batch losses scatter by {:.0} % of the smoothed loss (median): the curve is too \
             noisy to trust; raise batch_size, or lower start_lr and raise num_it",
            100.0 * median
        ));
    }
    match valley_points {
        Some(m) if m < 5 => Some(format!(
            "the loss falls steadily over only {m} recorded point(s): the suggestion is a guess; \
             widen the ramp (start_lr, end_lr) or raise num_it"
        )),
        _ => None,
    }
}

/// Runs the range test of a parsed train config.
pub fn range_test(cfg: &TrainFile, lf: &LrFindConfig) -> Result<RangeTest, Error> {
    cfg.data.precision.dispatch(Test(cfg, lf))
}

struct Test<'a>(&'a TrainFile, &'a LrFindConfig);

impl InPrecision for Test<'_> {
    type Output = Result<RangeTest, Error>;
    fn run<T: Scalar>(self) -> Self::Output {
        let Test(cfg, lf) = self;
        let setup = Setup::<T>::load(cfg)?;
        let mut opt = optimizer::<T>(cfg, &setup.net)?;
        let mut tc = cfg.train.clone();
        (tc.epochs, tc.log_interval, tc.log_train_loss) = (lf.num_it, None, false);
        (tc.early_stopping, tc.swa, tc.snapshot_every) = (None, None, None);
        (tc.checkpoint_every, tc.plateau_monitor) = (None, None);
        let mut out = (Vec::new(), Vec::new(), Vec::new(), "num_it");
        let status = {
            let mut trainer = Trainer::new(&setup.net, &setup.train, tc);
            trainer.write_checkpoints = false;
            trainer.schedule = Some((Box::new(LrFn(|k| lf.lr(k))), Unit::Step));
            trainer.callbacks.push(Box::new(Recorder {
                cfg: lf,
                avg: 0.0,
                best: f64::INFINITY,
                out: &mut out,
            }));
            let res = trainer.run(opt.as_mut(), &setup.net.init(cfg.train.seed), None)?;
            res.status
        };
        let (lr, loss, batch_loss, mut stopped) = out;
        if status == TrainStatus::Diverged {
            stopped = "diverged";
        }
        let (suggestion, valley_points) = match lf.suggest {
            Suggest::Valley => match valley(&lr, &loss, lf.num_it) {
                Some((v, m)) => (Some(v), Some(m)),
                None => (None, None),
            },
            Suggest::Steep => (steepest(&lr, &loss, lf.num_it), None),
        };
        let suggested_lr = suggestion.ok_or_else(|| {
            input(format!(
                "the range test recorded {} step(s) before it stopped ({stopped}); lower \
                 [lr_find] start_lr or raise num_it",
                lr.len()
            ))
        })?;
        let mut t = RangeTest {
            lr,
            loss,
            batch_loss,
            stopped,
            suggest: lf.suggest,
            suggested_lr,
            warning: None,
        };
        t.warning = noise_warning(&t, valley_points);
        Ok(t)
    }
}

/// What `downhill lr-find --json` prints for the config text `toml`.
pub fn lr_find_json(origin: &str, toml: &str) -> Result<Value, Error> {
    let (cfg, lf) = parse(origin, toml)?;
    Ok(range_test(&cfg, &lf)?.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fastai's `valley` worked by hand: the longest decreasing run is 3.0, 2.5, …, 1.1 at
    /// indices 1..=6 (6 points), so `max_end = 6`, `max_start = 6 − 6 = 0`, `m = 6`, and the
    /// suggestion is index `0 + 2 + 1 = 3`. Five rising points are appended, which the
    /// trimming drops.
    #[test]
    fn valley_is_two_thirds_down_the_longest_decreasing_run() {
        let mut loss = vec![1.0, 3.0, 2.5, 2.0, 1.5, 1.2, 1.1, 5.0];
        assert_eq!(longest_valley(&loss), (0, 6));
        loss.extend([10.0, 11.0, 12.0, 13.0, 14.0]);
        let lr: Vec<f64> = (0..loss.len()).map(|k| 10f64.powi(k as i32 - 6)).collect();
        assert_eq!(valley(&lr, &loss, 0), Some((lr[3], 6)));
    }

    /// A run that starts at the first point gives fastai's `max_start = −1`: with `m = 5` the
    /// index is `−1 + 1 + 0 = 0`.
    #[test]
    fn a_valley_from_the_first_point_starts_at_minus_one() {
        let loss = [5.0, 4.0, 3.0, 2.0, 1.0, 2.0];
        assert_eq!(longest_valley(&loss), (-1, 4));
        let lr = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        // Fewer than 2 points would remain after trimming, so all are used.
        assert_eq!(valley(&lr, &loss, 0), Some((1.0, 5)));
    }
}
