//! `downhill train FILE.toml [--json] [--resume CKPT] [--save MODEL.json]`.

use std::io::IsTerminal;

use downhill::model::Scalar;
use downhill::spec::exec::train::{optimizer, result_json, Setup};
use downhill::spec::train::{parse, TrainFile};
use downhill::spec::InPrecision;
use downhill::train::checkpoint::fnv1a64;
use downhill::train::{Checkpoint, Progress, TrainResult, TrainStatus};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::TrainArgs;
use crate::exit::{CliError, CliResult, DIVERGED};
use crate::input::read_file;

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
    cfg.data.precision.dispatch(Train {
        cfg: &cfg,
        args,
        fingerprint,
    })
}

struct Train<'a> {
    cfg: &'a TrainFile,
    args: &'a TrainArgs,
    fingerprint: String,
}

impl InPrecision for Train<'_> {
    type Output = CliResult;
    fn run<T: Scalar>(self) -> CliResult {
        run::<T>(self.cfg, self.args, self.fingerprint)
    }
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
        crate::present::plotting::write(&loss_figure(&res)?, out)?;
    }
    drop(trainer);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    report(cfg, args, &setup, &res, serde_json::Map::new())
}

/// Saves the model (`--save`) and prints the result (`--json`: one object, with `extra`'s
/// keys added); the exit code is 3 when the run diverged.
pub fn report<T: Scalar>(
    cfg: &TrainFile,
    args: &TrainArgs,
    setup: &Setup<T>,
    res: &TrainResult,
    extra: serde_json::Map<String, serde_json::Value>,
) -> CliResult {
    let net = &setup.net;
    if let Some(path) = &args.save {
        let saved = setup.saved_model(cfg, res);
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
