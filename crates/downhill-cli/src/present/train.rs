//! A training result: `--save`, `--json` or the human summary, the exit code, and the loss
//! figure of `--plot`.

use downhill::model::Scalar;
use downhill::spec::exec::train::{result_json, Setup};
use downhill::spec::train::TrainFile;
use downhill::train::{TrainResult, TrainStatus};

use crate::cli::TrainArgs;
use crate::exit::{CliError, CliResult, BAD_INPUT, DIVERGED};

/// Saves the model (`--save`) and prints the result (`--json`: one object, with `extra`'s
/// keys added); the exit code is 3 when the run diverged, 2 when the optimiser refused a
/// step's hyperparameters.
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
    Ok(match res.status {
        TrainStatus::Diverged => DIVERGED,
        TrainStatus::Refused => BAD_INPUT,
        _ => 0,
    })
}

fn print_human(cfg: &TrainFile, res: &TrainResult) {
    let status = match res.status {
        TrainStatus::Completed => "completed",
        TrainStatus::EarlyStopped => "stopped early",
        TrainStatus::Diverged => "DIVERGED",
        TrainStatus::Stopped => "stopped",
        TrainStatus::Refused => "REFUSED",
    };
    println!(
        "{:?} model on `{}`: {status} after {} epochs ({} steps)",
        cfg.model.kind, cfg.data.source, res.epochs, res.steps
    );
    if res.skipped_steps > 0 {
        println!(
            "  {} of those steps skipped by the optimiser (parameters unchanged: a non-finite \
             gradient under skip_non_finite, or Muon without a matrix)",
            res.skipped_steps
        );
    }
    if let Some(at) = res.diverged_at {
        let why = at.cause.map_or_else(
            || {
                "loss or parameters non-finite, or loss above divergence_threshold × its start"
                    .to_string()
            },
            |c| c.to_string(),
        );
        println!(
            "  at step {} (epoch {}) {why}; the parameters from before it kept",
            at.step, at.epoch
        );
    }
    if let Some(r) = &res.refused {
        println!(
            "  at step {} (epoch {}) the optimiser refused its hyperparameters: {}; the \
             parameters from before it kept",
            r.step, r.epoch, r.why
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
pub fn loss_figure(res: &TrainResult) -> Result<downhill_plot::Figure, CliError> {
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
