//! `downhill run FILE.toml [--json]`.

use downhill::diff::{Ad, Difference, Numeric};
use downhill::problems;
use std::cell::RefCell;

use downhill::optim::Shape;
use downhill::run::{minimize_guarded_in, solve_bounded, Guards, RunOptions, RunResult, Status};
use downhill::schedule::Driver;
use downhill::{Float, Objective};
use serde_json::{json, Value};

use crate::cli::{RunArgs, RunOutput};
use crate::config::read_file;
use crate::config::run::{parse, GradientKind, Precision, ProblemKind, RunConfig};
use crate::exit::{CliError, CliResult, DIVERGED};

/// Entry point of `downhill run`.
pub fn cmd(args: &RunArgs) -> CliResult {
    let file = args.file.display().to_string();
    let raw = read_file(&args.file)?;
    let cfg = parse(&file, &raw)?;
    report(&cfg, &args.output)
}

/// What `downhill run --json` prints for the config text `toml` (called `origin` in messages).
/// A run that diverged is a result too (`"status": "diverged"`; the command exits 3).
pub fn run_json(origin: &str, toml: &str) -> Result<Value, CliError> {
    let cfg = parse(origin, toml)?;
    result_json(&cfg, &execute(&cfg)?)
}

/// The JSON object of a finished run: the result, the problem and the optimiser side.
fn result_json(cfg: &RunConfig, res: &RunResult) -> Result<Value, CliError> {
    let mut v = serde_json::to_value(res).map_err(CliError::failure)?;
    if let Some(o) = v.as_object_mut() {
        cfg.problem.insert_json(o);
        o.insert("optimizer".into(), json!(cfg.optimizer));
        if let Some(s) = &cfg.schedule {
            o.insert("schedule".into(), json!(s));
        }
        if !cfg.wrappers.is_empty() {
            o.insert("wrappers".into(), json!(cfg.wrappers));
        }
        if res.momentum.is_empty() || res.momentum.windows(2).all(|w| w[0] == w[1]) {
            o.remove("momentum");
        }
    }
    Ok(v)
}

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

/// Runs a parsed config in the configured precision.
pub fn execute(cfg: &RunConfig) -> Result<RunResult, CliError> {
    match cfg.run.precision {
        Precision::F64 => execute_in::<f64>(cfg),
        Precision::F32 => execute_in::<f32>(cfg),
    }
}

/// Memory the run may spend on its trajectory (`x`, `f`, lr and momentum after every step,
/// kept for the JSON output and the plots).
const TRAJECTORY_BUDGET_BYTES: usize = 2 << 30;

/// What PyTorch would let through but is surely a mistake: a non-finite starting point (also
/// one that overflows the run's precision), a negative / non-finite tolerance, or more steps
/// than the trajectory can hold in [`TRAJECTORY_BUDGET_BYTES`].
fn check_inputs(cfg: &RunConfig) -> Result<(), CliError> {
    let d = cfg.problem.x0.len();
    // x (d values + the Vec's 24-byte header), f, lr and momentum: 8 bytes each.
    let per_step = 8 * d + 24 + 3 * 8;
    let max_steps = TRAJECTORY_BUDGET_BYTES / per_step;
    if cfg.run.steps > max_steps {
        return Err(CliError::input(format!(
            "[run] steps = {}: at most {max_steps} for a {d}-dimensional problem (x, f and the \
             lr are kept after every step, {per_step} bytes a step, 2 GiB in all)",
            cfg.run.steps
        )));
    }
    let f32_run = cfg.run.precision == Precision::F32;
    for (i, &x) in cfg.problem.x0.iter().enumerate() {
        if !x.is_finite() || (f32_run && !(x as f32).is_finite()) {
            return Err(CliError::input(format!(
                "[problem] x0[{i}] = {x}: must be a finite number{}",
                if f32_run { " (in f32)" } else { "" }
            )));
        }
    }
    if let Some(t) = cfg.run.tolerance {
        if !(t >= 0.0 && t.is_finite()) {
            return Err(CliError::input(format!(
                "[run] tolerance = {t}: must be a finite number >= 0"
            )));
        }
    }
    Ok(())
}

fn execute_in<T: Float>(cfg: &RunConfig) -> Result<RunResult, CliError> {
    let p = &cfg.problem;
    check_inputs(cfg)?;
    let f: Box<dyn Objective<T> + Send + Sync> = match p.kind("[problem]")? {
        ProblemKind::Builtin(name) => {
            let f = problems::by_name::<T>(name)?;
            problems::check_dim(f.as_ref(), name, p.x0.len())?;
            f
        }
        ProblemKind::Expression(e) => {
            if let Some(why) = e.explain_non_finite(&p.x0) {
                return Err(CliError::input(format!(
                    "expression `{}` is undefined at x0 = {:?}: {why}",
                    e.source(),
                    p.x0
                )));
            }
            Box::new(Ad::new(e))
        }
    };
    let objective: Box<dyn Objective<T>> = match p.gradient {
        GradientKind::Exact => Box::new(f),
        GradientKind::Numeric => {
            let h = p.h.unwrap_or(1e-4);
            if !(h > 0.0 && h.is_finite()) {
                return Err(CliError::input(format!(
                    "[problem] h = {h}: must be a positive finite number"
                )));
            }
            Box::new(Numeric {
                inner: f,
                h,
                kind: if p.forward_difference {
                    Difference::Forward
                } else {
                    Difference::Central
                },
            })
        }
    };
    let x0 = downhill::float::vec_of::<T>(&p.x0);
    let opts = RunOptions {
        steps: cfg.run.steps,
        tolerance: cfg.run.tolerance,
    };
    if let Some(mut solver) = cfg.optimizer.solver::<T>()? {
        if let Some(s) = &cfg.schedule {
            return Err(CliError::input(format!(
                "[schedule] `{}` drives first-order optimisers; `{}` runs its own iterations",
                s.name(),
                solver.name()
            )));
        }
        let bounds = p.bounds.as_ref();
        return solve_bounded(objective.as_ref(), solver.as_mut(), &x0, &opts, bounds)
            .map_err(|e| CliError::input(format!("[problem] {e}")));
    }
    let mut opt = cfg.wrappers.apply(cfg.optimizer.build::<T>()?)?;
    // The point is one vector `x` (Muon, which takes matrices only, refuses it).
    let x = [("x".to_string(), Shape::Vector(x0.len()))];
    downhill::optim::set_named_shapes(opt.as_mut(), &x)
        .map_err(|e| CliError::input(format!("[optimizer] `{}`: {e}", cfg.optimizer.name())))?;
    // The schedule is stepped once after every optimiser step (as `scheduler.step()` after
    // `optimizer.step()` in PyTorch): step k uses the value after k steps; reduce-on-plateau
    // reads f after each step.
    let driver: Option<RefCell<Driver>> = match &cfg.schedule {
        Some(s) => Some(RefCell::new(
            s.driver(opt.lr(), opt.momentum(), cfg.run.batch_size)
                .map_err(|e| CliError::input(format!("[schedule] {e}")))?,
        )),
        None => None,
    };
    let guards = Guards {
        bounds: p.bounds.as_ref(),
        divergence_threshold: cfg.run.divergence_threshold,
    };
    minimize_guarded_in(
        objective.as_ref(),
        opt.as_mut(),
        &x0,
        &opts,
        guards,
        |k, o| {
            if let Some(d) = &driver {
                let mut d = d.borrow_mut();
                o.set_lr(d.lr(k));
                if let Some(m) = d.momentum(k) {
                    o.set_momentum(m);
                }
            }
        },
        |_, fx| {
            if let Some(d) = &driver {
                d.borrow_mut().report(fx);
            }
        },
    )
    .map_err(|e| CliError::input(format!("[problem] {e}")))
}
