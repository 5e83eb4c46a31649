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

use downhill::model::Scalar;
use downhill::schedule::Unit;
use downhill::train::{Callback, Context, LrFn, TrainStatus, Trainer};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::cli::LrFindArgs;
use crate::config::run::Precision;
use crate::config::sweep::without_table;
use crate::config::train::TrainFile;
use crate::config::{read_file, ConfigDoc};
use crate::exit::{CliError, CliResult};

/// The `[lr_find]` table (fastai's `lr_find` arguments and defaults).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LrFindConfig {
    /// First learning rate of the ramp.
    pub start_lr: f64,
    /// Last learning rate of the ramp.
    pub end_lr: f64,
    /// Number of mini-batches (steps) of the ramp.
    pub num_it: usize,
    /// Stop when the smoothed loss exceeds 4× its best.
    pub stop_div: bool,
}

impl Default for LrFindConfig {
    fn default() -> Self {
        LrFindConfig {
            start_lr: 1e-7,
            end_lr: 10.0,
            num_it: 100,
            stop_div: true,
        }
    }
}

/// fastai's smoothing factor of the loss.
pub const BETA: f64 = 0.98;
/// The test stops when the smoothed loss exceeds this multiple of its best.
pub const STOP_FACTOR: f64 = 4.0;

impl LrFindConfig {
    fn check(&self) -> Result<(), downhill::Error> {
        let lr_ok = |v: f64| v > 0.0 && v.is_finite();
        if !lr_ok(self.start_lr) {
            return Err(downhill::Error::param(
                "start_lr",
                self.start_lr,
                "> 0, finite",
            ));
        }
        if !(lr_ok(self.end_lr) && self.end_lr > self.start_lr) {
            return Err(downhill::Error::param(
                "end_lr",
                self.end_lr,
                "> start_lr, finite",
            ));
        }
        if !(2..=1_000_000).contains(&self.num_it) {
            return Err(downhill::Error::param(
                "num_it",
                self.num_it as f64,
                "2..=1000000",
            ));
        }
        Ok(())
    }

    /// The learning rate of step `k` (0-based).
    pub fn lr(&self, k: usize) -> f64 {
        let t = k as f64 / (self.num_it - 1) as f64;
        self.start_lr * (self.end_lr / self.start_lr).powf(t)
    }
}

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
    fn on_step_end(&mut self, ctx: &mut Context<'_, T>) -> downhill::Result<()> {
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
pub fn range_test(cfg: &TrainFile, lf: &LrFindConfig) -> Result<RangeTest, CliError> {
    fn go<T: Scalar>(cfg: &TrainFile, lf: &LrFindConfig) -> Result<RangeTest, CliError> {
        let setup = super::train::Setup::<T>::load(cfg)?;
        let mut opt = super::train::optimizer::<T>(cfg, &setup.net)?;
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
            CliError::input(format!(
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
    match cfg.data.precision {
        Precision::F32 => go::<f32>(cfg, lf),
        Precision::F64 => go::<f64>(cfg, lf),
    }
}

/// Parses a train config with an optional `[lr_find]` table.
pub fn parse(file: &str, raw: &str) -> Result<(TrainFile, LrFindConfig), CliError> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    let keys = doc.keys("lr_find");
    let lf: LrFindConfig = doc.section("lr_find")?.unwrap_or_default();
    lf.check()
        .map_err(|e| doc.invalid_value("lr_find", &keys, &e))?;
    let rest = without_table(file, raw, "lr_find")?;
    Ok((crate::config::train::parse(file, &rest)?, lf))
}

/// What `downhill lr-find --json` prints for the config text `toml`.
pub fn lr_find_json(origin: &str, toml: &str) -> Result<Value, CliError> {
    let (cfg, lf) = parse(origin, toml)?;
    Ok(range_test(&cfg, &lf)?.to_json())
}

/// Entry point of `downhill lr-find`.
pub fn cmd(a: &LrFindArgs) -> CliResult {
    let file = a.file.display().to_string();
    let raw = read_file(&a.file)?;
    let (cfg, lf) = parse(&file, &raw)?;
    let t = range_test(&cfg, &lf)?;
    if let Some(out) = &a.plot {
        super::plotting::write(&figure(&t)?, out)?;
    }
    if a.json {
        println!("{}", t.to_json());
    } else {
        let (base, max) = t.cyclic();
        println!(
            "lr range test: {} steps from lr {:e} (stopped: {})",
            t.lr.len(),
            lf.start_lr,
            t.stopped
        );
        println!(
            "  suggested lr (steepest descent of the smoothed loss): {:.4e}",
            t.suggested_lr
        );
        println!("  cyclic_lr: base_lr = {base:.4e}, max_lr = {max:.4e}");
    }
    Ok(0)
}

/// Smoothed and raw batch loss against log₁₀ lr, the suggestion marked.
pub fn figure(t: &RangeTest) -> Result<downhill_plot::Figure, CliError> {
    use downhill_plot::{line_chart, Labels, LineOptions, Series};
    let x: Vec<f64> = t.lr.iter().map(|v| v.log10()).collect();
    let at = t.lr.iter().position(|&v| v == t.suggested_lr).unwrap_or(0);
    let marks: Vec<f64> = (0..x.len())
        .map(|i| if i == at { t.loss[i] } else { f64::NAN })
        .collect();
    let series = vec![
        Series::new("batch loss", x.clone(), t.batch_loss.clone()),
        Series::new("smoothed loss (β = 0.98)", x.clone(), t.loss.clone()),
        Series::new(format!("suggested lr {:.3e}", t.suggested_lr), x, marks),
    ];
    let positive = t
        .batch_loss
        .iter()
        .chain(&t.loss)
        .filter(|v| v.is_finite())
        .all(|&v| v > 0.0);
    let opts = LineOptions {
        labels: Labels::new("lr range test", "log₁₀ lr", "loss"),
        log_y: positive,
        ..LineOptions::default()
    };
    line_chart(&series, &opts).map_err(CliError::failure)
}
