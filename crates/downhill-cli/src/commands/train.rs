//! `downhill train FILE.toml [--json] [--resume CKPT] [--save MODEL.json]`.

use std::io::IsTerminal;
use std::sync::atomic::AtomicBool;

use downhill::data::{self, csv::load_csv, npy::load_npy, Dataset};
use downhill::model::saved::{MODEL_FORMAT, MODEL_VERSION};
use downhill::model::{Network, SavedModel, Scalar};
use downhill::optim::wrappers::StopOnFlag;
use downhill::optim::Optimizer;
use downhill::schedule::{Driver, ReduceLrOnPlateau, Unit};
use downhill::train::checkpoint::fnv1a64;
use downhill::train::{
    Checkpoint, Monitor, Progress, Replayed, ScheduleUnit, TrainResult, TrainStatus, Trainer,
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

fn run<T: Scalar>(cfg: &TrainFile, args: &TrainArgs, fingerprint: String) -> CliResult {
    let d = &cfg.data;
    let all = load_data::<T>(d)?;
    let (tr, va, scaler) = data::prepare(
        &all,
        d.validation_fraction,
        d.seed.unwrap_or(0),
        d.standardize,
    )?;
    let spec = cfg.model.spec(&tr)?;
    let net = Network::<T>::new(spec.clone())?;
    let mut opt = cfg.wrappers.apply(cfg.optimizer.build::<T>()?)?;
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
    let mut trainer = Trainer::new(&net, &tr, cfg.train.clone());
    trainer.val = Some(&va);
    attach_schedule(
        &mut trainer,
        cfg,
        opt.as_ref(),
        cfg.train.batch_size,
        va.n() > 0,
    )?;
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
    let res = trainer.run(opt.as_mut(), &net.init(cfg.train.seed), resume)?;
    if let Some(out) = &args.plot {
        super::plotting::write(&loss_figure(&res)?, out)?;
    }
    drop(trainer);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let out = Outcome {
        net: &net,
        spec,
        scaler,
        feature_names: tr.feature_names.clone(),
    };
    report(cfg, args, &out, &res, serde_json::Map::new())
}

/// Trains `cfg` silently (no progress, no output, no checkpoint resume) in the configured
/// precision and returns the result: `downhill compare` runs one of these per optimiser.
pub fn fit(cfg: &TrainFile) -> Result<TrainResult, CliError> {
    fit_with(cfg, None, &mut |_, _| {}).map(|(r, _)| r)
}

/// [`fit`] with a progress callback (given the training-set size too) and a flag that stops
/// the run at its next step (it then ends as diverged at that step, the parameters before it
/// kept); also returns the object `downhill train --json` prints. `downhill lab` trains so.
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
        let d = &cfg.data;
        let all = load_data::<T>(d)?;
        let (tr, va, _) = data::prepare(
            &all,
            d.validation_fraction,
            d.seed.unwrap_or(0),
            d.standardize,
        )?;
        let net = Network::<T>::new(cfg.model.spec(&tr)?)?;
        let never = AtomicBool::new(false);
        let inner = cfg.wrappers.apply(cfg.optimizer.build::<T>()?)?;
        let mut opt = StopOnFlag::new(inner, stop.unwrap_or(&never));
        let mut trainer = Trainer::new(&net, &tr, cfg.train.clone());
        trainer.val = Some(&va);
        attach_schedule(&mut trainer, cfg, &opt, cfg.train.batch_size, va.n() > 0)?;
        let n = tr.n();
        trainer.progress = Some(Box::new(move |p: &Progress| progress(p, n)));
        let res = trainer.run(&mut opt, &net.init(cfg.train.seed), None)?;
        drop(trainer);
        let json = result_json(&net, &res);
        Ok((res, json))
    }
    match cfg.data.precision {
        Precision::F32 => go::<f32>(cfg, stop, progress),
        Precision::F64 => go::<f64>(cfg, stop, progress),
    }
}

/// Sets the trainer's `[schedule]`: a schedule stepped per step or epoch (with seed 000's
/// batch-size scaling against `batch_size`, the global batch), or a plateau rule.
pub fn attach_schedule<T: Scalar>(
    trainer: &mut Trainer<'_, T>,
    cfg: &TrainFile,
    opt: &dyn Optimizer<T>,
    batch_size: usize,
    has_val: bool,
) -> Result<(), CliError> {
    let Some(sc) = &cfg.schedule else {
        return Ok(());
    };
    let unit = match sc.unit() {
        Unit::Step => ScheduleUnit::Step,
        Unit::Epoch => ScheduleUnit::Epoch,
    };
    let base_lr = opt.lr();
    match sc.driver(base_lr, opt.momentum(), Some(batch_size))? {
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
    pub spec: downhill::model::ModelSpec,
    /// The standardisation fitted on the training split, if any.
    pub scaler: Option<downhill::data::Standardizer>,
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
        std::fs::write(path, text)
            .map_err(|e| CliError::failure(format!("{}: cannot write: {e}", path.display())))?;
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
    json!({
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
    })
}

fn print_human(cfg: &TrainFile, res: &TrainResult) {
    let status = match res.status {
        TrainStatus::Completed => "completed",
        TrainStatus::EarlyStopped => "stopped early",
        TrainStatus::Diverged => "DIVERGED",
    };
    println!(
        "{:?} model on `{}`: {status} after {} epochs ({} steps)",
        cfg.model.kind, cfg.data.source, res.epochs, res.steps
    );
    if let Some(at) = res.diverged_at {
        println!(
            "  non-finite loss or parameters at step {} (epoch {}); last finite parameters kept",
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
