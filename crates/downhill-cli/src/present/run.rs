//! A run's result: printed (`--json` or a summary) and drawn to `--plot`; shared by `run` and
//! `minimize`.

use downhill::run::{RunResult, Status};
use downhill::spec::exec::run::{execute, result_json};
use downhill::spec::run::RunConfig;

use crate::cli::RunOutput;
use crate::exit::{CliResult, DIVERGED};

/// Runs a config, prints the result and draws it to `plot` if given; shared by `run` and
/// `minimize`.
pub fn report(cfg: &RunConfig, output: &RunOutput) -> CliResult {
    let res = execute(cfg)?;
    super::plotting::draw_run(cfg, &res, output.plot.as_deref())?;
    if output.json {
        println!("{}", result_json(cfg, &res)?);
    } else {
        print_human(cfg, &res);
    }
    Ok(if res.status == Status::Diverged {
        DIVERGED
    } else {
        0
    })
}

fn print_human(cfg: &RunConfig, res: &RunResult) {
    let name = serde_json::to_value(&cfg.optimizer)
        .ok()
        .and_then(|v| v.get("name").and_then(|n| n.as_str().map(String::from)))
        .unwrap_or_default();
    println!(
        "{} from {:?} with {}{}: {} after {} steps",
        cfg.problem.label(),
        cfg.problem.x0,
        name,
        if cfg.optimizer.lr() == 0.0 && !downhill::optim::FIRST_ORDER.contains(&name.as_str()) {
            String::new()
        } else {
            format!(" (lr = {})", cfg.optimizer.lr())
        },
        match res.status {
            Status::MaxSteps => "stopped",
            Status::Converged => "converged",
            Status::Diverged => "DIVERGED",
            Status::Stopped => "stopped by request",
        },
        res.steps
    );
    if let Some(k) = res.diverged_at {
        println!(
            "  non-finite value (or f above divergence_threshold) at step {k}; last finite \
             parameters kept"
        );
    }
    if res.skipped > 0 {
        println!("  {} steps skipped (non-finite gradient)", res.skipped);
    }
    println!("  x = {:?}", res.x);
    println!("  f = {:e}", res.f);
    if let Some(se) = &res.std_errors {
        let names = cfg.problem.least_squares().map(|p| p.names().to_vec());
        println!("  parameters ± standard errors (s² = ‖r‖²/(m − n)):");
        for (i, (x, s)) in res.x.iter().zip(se).enumerate() {
            let name = names
                .as_ref()
                .and_then(|n| n.get(i).cloned())
                .unwrap_or_else(|| format!("x[{i}]"));
            println!("    {name} = {x:.10e} ± {s:.4e}");
        }
    }
    let e = &res.evaluations;
    let hessians = if e.hessian > 0 {
        format!(", {} Hessians", e.hessian)
    } else {
        String::new()
    };
    let iterations = res
        .iterations
        .map_or(String::new(), |i| format!("{i} inner iterations, "));
    println!(
        "  {iterations}{} function and {} gradient evaluations{hessians}",
        e.function, e.gradient
    );
    for n in &res.notes {
        println!("  note: {n}");
    }
}
