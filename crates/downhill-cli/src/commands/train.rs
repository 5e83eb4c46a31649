//! `downhill train FILE.toml [--json] [--resume CKPT] [--save MODEL.json]`.

use std::io::IsTerminal;
use std::sync::atomic::AtomicBool;

use downhill::data::{self, csv::load_csv, npy::load_npy, Dataset, Standardizer};
use downhill::model::saved::{MODEL_FORMAT, MODEL_VERSION};
use downhill::model::{ModelSpec, Network, SavedModel, Scalar};
use downhill::optim::{Grouped, Optimizer};
use downhill::schedule::{Driver, PerGroup, ReduceLrOnPlateau};
use downhill::train::callbacks::StopFlag;
use downhill::train::checkpoint::fnv1a64;
use downhill::train::{
    Checkpoint, Monitor, Progress, Replayed, TrainConfig, TrainResult, TrainStatus, Trainer,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::cli::TrainArgs;
use crate::config::read_file;
use crate::config::run::Precision;
use crate::config::train::{parse, DataSection, Features, TrainFile};
use crate::exit::{CliError, CliResult, DIVERGED};

/// Entry point of `downhill train`.
pub fn cmd(args: &TrainArgs) -> CliResult {
    let file = args.file.display().to_string();
    let raw = read_file(&args.file)?;
    let cfg = parse(&file, &raw)?;
    let fingerprint = format!("{:016x}", fnv1a64(raw.as_bytes()));
    #[cfg(feature = "mpi")]
    if cfg.distributed.distributed.is_some() {
        return super::train_mpi::cmd(&cfg, args, fingerprint);
    }
    match cfg.data.precision {
        Precision::F64 => run::<f64>(&cfg, args, fingerprint),
        Precision::F32 => run::<f32>(&cfg, args, fingerprint),
    }
}

fn need<'a, V>(v: &'a Option<V>, key: &str, source: &str) -> Result<&'a V, CliError> {
    v.as_ref().ok_or_else(|| {
        CliError::input(format!(
            "[data] source = \"{source}\" needs the key `{key}`"
        ))
    })
}

/// Loads the dataset `[data]` describes.
pub fn load_data<T: Scalar>(d: &DataSection) -> Result<Dataset<T>, CliError> {
    Ok(match d.source.as_str() {
        "csv" => {
            let path = need(&d.path, "path", "csv")?;
            let target = need(&d.target, "target", "csv")?;
            let names = match &d.features {
                Some(Features::Names(n)) => Some(n.as_slice()),
                Some(Features::Count(_)) => {
                    return Err(CliError::input(
                        "[data] `features` of a CSV source is a list of column names",
                    ))
                }
                None => None,
            };
            load_csv(path, target, names)?
        }
        "npy" => load_npy(
            need(&d.path, "path", "npy")?,
            need(&d.target_path, "target_path", "npy")?,
        )?,
        name => data::builtin(name, &d.synthetic())?,
    })
}

/// The data, the model and the optimiser of a `downhill train` config, and the [`Trainer`]
/// over them: the one setup `train`, `train` under MPI and `compare`'s [`fit`] share.
pub struct Setup<T: Scalar> {
    /// The training split.
    pub train: Dataset<T>,
    /// The validation split (possibly empty).
    pub val: Dataset<T>,
    /// The standardisation fitted on the training split, if any.
    pub scaler: Option<Standardizer>,
    /// The model's spec.
    pub spec: ModelSpec,
    /// The model.
    pub net: Network<T>,
}

impl<T: Scalar> Setup<T> {
    /// Loads and splits `[data]` and builds `[model]` on it.
    pub fn load(cfg: &TrainFile) -> Result<Self, CliError> {
        let d = &cfg.data;
        let all = load_data::<T>(d)?;
        let (train, val, scaler) = data::prepare(
            &all,
            d.validation_fraction,
            d.seed.unwrap_or(0),
            d.standardize,
        )?;
        Self::new(cfg, train, val, scaler)
    }

    /// Builds `[model]` on already loaded splits.
    pub fn new(
        cfg: &TrainFile,
        train: Dataset<T>,
        val: Dataset<T>,
        scaler: Option<Standardizer>,
    ) -> Result<Self, CliError> {
        let spec = cfg.model.spec(&train)?;
        let net = Network::<T>::new(spec.clone())?;
        Ok(Setup {
            train,
            val,
            scaler,
            spec,
            net,
        })
    }

    /// A trainer with `train` (the `[train]` table, possibly adjusted), the validation split
    /// and `[schedule]` (seed 000's batch-size scaling against `train.batch_size`, the global
    /// batch).
    pub fn trainer(
        &self,
        cfg: &TrainFile,
        train: TrainConfig,
        opt: &dyn Optimizer<T>,
    ) -> Result<Trainer<'_, T>, CliError> {
        let batch_size = train.batch_size;
        let mut trainer = Trainer::new(&self.net, &self.train, train);
        trainer.val = Some(&self.val);
        attach_schedule(&mut trainer, cfg, opt, batch_size, self.val.n() > 0)?;
        Ok(trainer)
    }

    /// What [`report`] needs of it.
    pub fn outcome(&self) -> Outcome<'_, T> {
        Outcome {
            net: &self.net,
            spec: self.spec.clone(),
            scaler: self.scaler.clone(),
            feature_names: self.train.feature_names.clone(),
        }
    }
}

/// `[optimizer]` for `net` — one [`Grouped`] optimiser over its `[[optimizer.param_groups]]`
/// when it has some, each told the shapes of its tensors — with `[wrappers]` around it.
pub fn optimizer<T: Scalar>(
    cfg: &TrainFile,
    net: &Network<T>,
) -> Result<Box<dyn Optimizer<T>>, CliError> {
    // Without groups the trainer tells the optimiser its tensors ([`Trainer::run`]).
    let opt: Box<dyn Optimizer<T>> = if cfg.param_groups.is_empty() {
        cfg.optimizer.build::<T>()?
    } else {
        Box::new(Grouped::new(
            &net.tensors(),
            &cfg.optimizer,
            &cfg.param_groups,
        )?)
    };
    Ok(cfg.wrappers.apply(opt)?)
}

fn run<T: Scalar>(cfg: &TrainFile, args: &TrainArgs, fingerprint: String) -> CliResult {
    let setup = Setup::<T>::load(cfg)?;
    let mut opt = optimizer::<T>(cfg, &setup.net)?;
    let resume = args.resume.as_deref().map(Checkpoint::load).transpose()?;
    let show_bar = !args.json && std::io::stdout().is_terminal();
    let bar = show_bar.then(|| {
        let b = ProgressBar::new(cfg.train.epochs as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let mut trainer = setup.trainer(cfg, cfg.train.clone(), opt.as_ref())?;
    trainer.fingerprint = fingerprint;
    if let Some(b) = bar.clone() {
        trainer.progress = Some(Box::new(move |p: &Progress| {
            if let Progress::Epoch {
                epoch, train_loss, ..
            } = p
            {
                b.set_position(*epoch as u64);
                b.set_message(format!("loss {train_loss:.4e}"));
            }
        }));
    }
    let res = trainer.run(opt.as_mut(), &setup.net.init(cfg.train.seed), resume)?;
    if let Some(out) = &args.plot {
        super::plotting::write(&loss_figure(&res)?, out)?;
    }
    drop(trainer);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    report(cfg, args, &setup.outcome(), &res, serde_json::Map::new())
}

/// Trains `cfg` silently (no progress, no output, no checkpoint resume) in the configured
/// precision and returns the result: `downhill compare` runs one of these per optimiser.
pub fn fit(cfg: &TrainFile) -> Result<TrainResult, CliError> {
    fit_with(cfg, None, &mut |_, _| {}).map(|(r, _)| r)
}

/// [`fit`] with a progress callback (given the training-set size too) and a flag that stops
/// the run after its current step (status `stopped`); also returns the object `downhill train --json` prints. `downhill lab` trains so.
pub fn fit_with(
    cfg: &TrainFile,
    stop: Option<&AtomicBool>,
    progress: &mut dyn FnMut(&Progress, usize),
) -> Result<(TrainResult, serde_json::Value), CliError> {
    fn go<T: Scalar>(
        cfg: &TrainFile,
        stop: Option<&AtomicBool>,
        progress: &mut dyn FnMut(&Progress, usize),
    ) -> Result<(TrainResult, serde_json::Value), CliError> {
        let setup = Setup::<T>::load(cfg)?;
        let mut opt = optimizer::<T>(cfg, &setup.net)?;
        let mut trainer = setup.trainer(cfg, cfg.train.clone(), opt.as_ref())?;
        if let Some(flag) = stop {
            trainer.callbacks.push(Box::new(StopFlag::new(flag)));
        }
        let n = setup.train.n();
        trainer.progress = Some(Box::new(move |p: &Progress| progress(p, n)));
        let res = trainer.run(opt.as_mut(), &setup.net.init(cfg.train.seed), None)?;
        drop(trainer);
        let json = result_json(&setup.net, &res);
        Ok((res, json))
    }
    match cfg.data.precision {
        Precision::F32 => go::<f32>(cfg, stop, progress),
        Precision::F64 => go::<f64>(cfg, stop, progress),
    }
}

/// Sets the trainer's `[schedule]`: a schedule stepped per step or epoch (with seed 000's
/// batch-size scaling against `batch_size`, the global batch), or a plateau rule.
fn attach_schedule<T: Scalar>(
    trainer: &mut Trainer<'_, T>,
    cfg: &TrainFile,
    opt: &dyn Optimizer<T>,
    batch_size: usize,
    has_val: bool,
) -> Result<(), CliError> {
    let Some(sc) = &cfg.schedule else {
        return Ok(());
    };
    let unit = sc.unit();
    let base_lr = opt.lr();
    match sc.driver(base_lr, opt.momentum(), Some(batch_size))? {
        Driver::Schedule(s) if opt.groups() > 1 => {
            // One schedule per parameter group, from the group's own lr and momentum.
            let mut each = vec![s];
            for g in 1..opt.groups() {
                match sc.driver(opt.group_lr(g), opt.group_momentum(g), Some(batch_size))? {
                    Driver::Schedule(s) => each.push(s),
                    Driver::Plateau { .. } => {
                        return Err(CliError::input("[schedule] changed kind between groups"))
                    }
                }
            }
            trainer.schedule = Some((Box::new(PerGroup(each)), unit));
        }
        Driver::Schedule(s) => trainer.schedule = Some((s, unit)),
        Driver::Plateau { rule, adjustment } => {
            if !adjustment.is_identity() {
                return Err(CliError::input(
                    "[schedule] reduce_lr_on_plateau in `downhill train` takes no \
                     warmup_steps, scale_rule or retune_momentum",
                ));
            }
            let monitor = cfg.train.plateau_monitor.unwrap_or(if has_val {
                Monitor::ValLoss
            } else {
                Monitor::TrainLoss
            });
            let rule = Replayed::new(rule, base_lr, ReduceLrOnPlateau::step);
            trainer.plateau = Some((Box::new(rule), monitor));
        }
    }
    Ok(())
}

/// What [`report`] needs besides the result: the model and how its inputs were prepared.
pub struct Outcome<'a, T: Scalar> {
    /// The trained network.
    pub net: &'a Network<T>,
    /// Its spec (saved with `--save`).
    pub spec: ModelSpec,
    /// The standardisation fitted on the training split, if any.
    pub scaler: Option<Standardizer>,
    /// Feature names of the training data.
    pub feature_names: Vec<String>,
}

/// Saves the model (`--save`) and prints the result (`--json`: one object, with `extra`'s
/// keys added); the exit code is 3 when the run diverged.
pub fn report<T: Scalar>(
    cfg: &TrainFile,
    args: &TrainArgs,
    out: &Outcome<'_, T>,
    res: &TrainResult,
    extra: serde_json::Map<String, serde_json::Value>,
) -> CliResult {
    let net = out.net;
    if let Some(path) = &args.save {
        let saved = SavedModel {
            format: MODEL_FORMAT.into(),
            version: MODEL_VERSION,
            spec: out.spec.clone(),
            params: res.params.clone(),
            standardizer: out.scaler.clone(),
            feature_names: out.feature_names.clone(),
            target: cfg.data.target.clone(),
        };
        let text = serde_json::to_string_pretty(&saved).map_err(CliError::failure)?;
        downhill::io::write_atomic(path, text.as_bytes()).map_err(CliError::failure)?;
    }
    if args.json {
        let mut out = result_json(net, res);
        if let Some(o) = out.as_object_mut() {
            o.extend(extra);
        }
        println!("{out}");
    } else {
        print_human(cfg, res);
    }
    Ok(if res.status == TrainStatus::Diverged {
        DIVERGED
    } else {
        0
    })
}

/// The object `downhill train --json` prints for a finished run (without `report`'s extra
/// keys).
pub fn result_json<T: Scalar>(net: &Network<T>, res: &TrainResult) -> serde_json::Value {
    let params: Vec<T> = res.params.iter().map(|&v| T::of(v)).collect();
    let mut out = json!({
        "status": res.status,
        "epochs": res.epochs,
        "steps": res.steps,
        "params": net.named(&params),
        "train_loss": res.train_loss,
        "final_train_loss": res.final_train_loss,
        "val_metrics": res.val_metrics,
        "final_val_metrics": res.final_val,
        "lr": res.lr,
        "diverged_at": res.diverged_at,
    });
    // With EMA (or SWA, snapshots) `params` is the average; the trained weights go beside it.
    if let (Some(last), Some(o)) = (&res.last_params, out.as_object_mut()) {
        let last: Vec<T> = last.iter().map(|&v| T::of(v)).collect();
        o.insert("last_params".into(), json!(net.named(&last)));
    }
    out
}

fn print_human(cfg: &TrainFile, res: &TrainResult) {
    let status = match res.status {
        TrainStatus::Completed => "completed",
        TrainStatus::EarlyStopped => "stopped early",
        TrainStatus::Diverged => "DIVERGED",
        TrainStatus::Stopped => "stopped",
    };
    println!(
        "{:?} model on `{}`: {status} after {} epochs ({} steps)",
        cfg.model.kind, cfg.data.source, res.epochs, res.steps
    );
    if let Some(at) = res.diverged_at {
        println!(
            "  loss or parameters non-finite, or loss above divergence_threshold × its start, at \
             step {} (epoch {}); the parameters from before it kept",
            at.step, at.epoch
        );
    }
    println!("  training loss {:.6e}", res.final_train_loss);
    if let Some(v) = &res.final_val {
        let extra = match (v.accuracy, v.r2) {
            (Some(a), _) => format!(", accuracy {a:.4}"),
            (_, Some(r)) => format!(", R² {r:.4}"),
            _ => String::new(),
        };
        println!("  validation loss {:.6e}{extra} (final parameters)", v.loss);
    }
}

/// Training loss (logged every `log_interval` samples) and validation loss per epoch, against
/// samples seen, on a log y axis.
fn loss_figure(res: &TrainResult) -> Result<downhill_plot::Figure, CliError> {
    use downhill_plot::{line_chart, Labels, LineOptions, Series};
    let mut series = vec![Series::new(
        "training loss",
        res.log_samples.iter().map(|&s| s as f64).collect(),
        res.train_loss.clone(),
    )];
    if !res.val_metrics.is_empty() {
        let per_epoch =
            res.log_samples.last().copied().unwrap_or(0) as f64 / res.epochs.max(1) as f64;
        series.push(Series::new(
            "validation loss",
            res.val_metrics
                .iter()
                .map(|m| m.epoch as f64 * per_epoch)
                .collect(),
            res.val_metrics.iter().map(|m| m.loss).collect(),
        ));
    }
    let opts = LineOptions {
        labels: Labels::new("training", "samples seen", "loss"),
        log_y: true,
        ..LineOptions::default()
    };
    line_chart(&series, &opts).map_err(CliError::failure)
}
