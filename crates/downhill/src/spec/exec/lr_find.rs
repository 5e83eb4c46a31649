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
//! - the suggestion is fastai's `steep`: over the recorded points without the first
//!   `num_it / 10` and the last 5 (all points when fewer than 2 would remain), the lr where
//!   `(s_{k+1} − s_k) / (ln lr_{k+1} − ln lr_k)` is lowest, i.e. the steepest descent of the
//!   smoothed loss against log lr;
//! - `cyclic_lr` bounds: `max_lr` = the suggestion (the loss still falls fastest there, below the
//!   divergence edge: fastai passes this lr as `fit_one_cycle`'s maximum) and
//!   `base_lr = max_lr / 4` (Smith 2017 §3.3: "set base_lr to 1/3 or 1/4 of max_lr").

use serde_json::{json, Value};

use crate::model::Scalar;
use crate::schedule::Unit;
use crate::spec::exec::train::{optimizer, Setup};
use crate::spec::lr_find::{parse, LrFindConfig, BETA, STOP_FACTOR};
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
    /// The suggested lr (steepest descent of the smoothed loss).
    pub suggested_lr: f64,
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
            "suggested_lr": self.suggested_lr,
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

/// fastai's `steep` over the points without the first `num_it / 10` and the last 5.
pub fn steepest(lr: &[f64], loss: &[f64], num_it: usize) -> Option<f64> {
    let (a, b) = (num_it / 10, lr.len().saturating_sub(5));
    let (lr, loss) = if b >= a + 2 {
        (&lr[a..b], &loss[a..b])
    } else {
        (lr, loss)
    };
    let mut best: Option<(usize, f64)> = None;
    for k in 0..lr.len().saturating_sub(1) {
        let g = (loss[k + 1] - loss[k]) / (lr[k + 1].ln() - lr[k].ln());
        if g.is_finite() && best.is_none_or(|(_, b)| g < b) {
            best = Some((k, g));
        }
    }
    best.map(|(k, _)| lr[k])
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
        let suggested_lr = steepest(&lr, &loss, lf.num_it).ok_or_else(|| {
            input(format!(
                "the range test recorded {} step(s) before it stopped ({stopped}); lower \
                 [lr_find] start_lr or raise num_it",
                lr.len()
            ))
        })?;
        Ok(RangeTest {
            lr,
            loss,
            batch_loss,
            stopped,
            suggested_lr,
        })
    }
}

/// What `downhill lr-find --json` prints for the config text `toml`.
pub fn lr_find_json(origin: &str, toml: &str) -> Result<Value, Error> {
    let (cfg, lf) = parse(origin, toml)?;
    Ok(range_test(&cfg, &lf)?.to_json())
}
