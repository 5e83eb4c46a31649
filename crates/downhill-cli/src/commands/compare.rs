//! `downhill compare FILE.toml [--plot FIG.svg] [--json]`: several optimisers on one problem.
//!
//! The runs are `downhill::spec::exec::compare`'s; this module prints them (table or `--json`)
//! and draws `--plot`. A diverged contender is reported in the table; the command still exits 0
//! (it is a comparison).

use downhill::run::Status;
use downhill::spec::compare::{is_training, parse, parse_training, CompareConfig, CompareTraining};
use downhill::spec::exec::compare::{problem_json, run_all, train_all, training_json, Outcome};

use crate::cli::CompareArgs;
use crate::exit::{CliError, CliResult};
use crate::input::read_file;
use crate::present::plotting::{figure, write, RunTrace};

/// Entry point of `downhill compare`.
pub fn cmd(a: &CompareArgs) -> CliResult {
    let file = a.file.display().to_string();
    let raw = read_file(&a.file)?;
    if is_training(&file, &raw)? {
        return compare_training(a, &parse_training(&file, &raw)?);
    }
    let cfg = parse(&file, &raw)?;
    let outcomes = run_all(&cfg)?;
    if a.json {
        println!("{}", problem_json(&cfg, &outcomes)?);
    } else {
        print_table(&cfg, &outcomes);
    }
    if let Some(out) = &a.plot {
        let traces: Vec<RunTrace> = outcomes
            .iter()
            .map(|o| RunTrace {
                label: o.label.clone(),
                trajectory: o.result.trajectory.to_vecs(),
                f_history: o.result.f_history.clone(),
            })
            .collect();
        write(&figure(cfg.problem.label(), &traces, true)?, out)?;
    }
    Ok(0)
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::MaxSteps => "max steps",
        Status::Converged => "converged",
        Status::Diverged => "DIVERGED",
        Status::Stopped => "stopped",
    }
}

fn print_table(cfg: &CompareConfig, outcomes: &[Outcome]) {
    println!(
        "{} from {:?}, {} steps, tolerance {}",
        cfg.problem.label(),
        cfg.problem.x0,
        cfg.run.steps,
        cfg.run
            .tolerance
            .map_or("none".to_string(), |t| format!("{t:e}"))
    );
    let w = outcomes
        .iter()
        .map(|o| o.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(9);
    println!(
        "{:<w$}  {:>14}  {:>10}  {:>12}  status",
        "optimizer", "final f", "steps→tol", "wall time"
    );
    for o in outcomes {
        println!(
            "{:<w$}  {:>14.6e}  {:>10}  {:>9.3} ms  {}",
            o.label,
            o.result.f,
            o.steps_to_tolerance()
                .map_or("—".to_string(), |s| s.to_string()),
            o.seconds * 1e3,
            status_word(o.result.status)
        );
    }
}

/// `downhill compare` on a dataset: each `[[optimizers]]` entry trains the same `[model]` on
/// the same `[data]` with the same `[train]` settings; the table shows the final training loss,
/// the validation metrics of the final parameters, status, epochs and wall time.
fn compare_training(a: &CompareArgs, cfg: &CompareTraining) -> CliResult {
    let runs = train_all(cfg)?;
    if a.json {
        println!("{}", training_json(cfg, &runs));
    } else {
        let width = runs
            .iter()
            .map(|r| r.0.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        println!(
            "{:<width$}  {:>12}  {:>12}  {:>9}  {:>13}  {:>6}  {:>8}",
            "label", "train loss", "val loss", "val acc", "status", "epochs", "seconds"
        );
        for (label, r, secs) in &runs {
            let v = r.final_val.as_ref();
            let acc = v
                .and_then(|m| m.accuracy.or(m.r2))
                .map_or("—".to_string(), |x| format!("{x:.4}"));
            println!(
                "{label:<width$}  {:>12.4e}  {:>12}  {acc:>9}  {:>13}  {:>6}  {secs:>8.3}",
                r.final_train_loss,
                v.map_or("—".to_string(), |m| format!("{:.4e}", m.loss)),
                format!("{:?}", r.status).to_lowercase(),
                r.epochs,
            );
        }
    }
    if let Some(out) = &a.plot {
        use downhill_plot::{line_chart, Labels, LineOptions, Series};
        let series: Vec<Series> = runs
            .iter()
            .map(|(label, r, _)| {
                Series::new(
                    label.clone(),
                    r.log_samples.iter().map(|&s| s as f64).collect(),
                    r.train_loss.clone(),
                )
            })
            .collect();
        let opts = LineOptions {
            labels: Labels::new("training loss by optimiser", "samples seen", "loss"),
            log_y: true,
            ..LineOptions::default()
        };
        write(&line_chart(&series, &opts).map_err(CliError::failure)?, out)?;
    }
    Ok(0)
}
