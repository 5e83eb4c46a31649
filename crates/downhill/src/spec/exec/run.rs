//! `downhill run`: a [`RunConfig`] run in its precision, and the object `--json` prints.

use serde_json::{json, Value};

use crate::diff::{Ad, Difference, Numeric};
use crate::model::Scalar;
use crate::optim::Shape;
use crate::problems;
use crate::run::{Method, Run, RunResult};
use crate::spec::run::{parse, GradientKind, Problem, RunConfig};
use crate::spec::{input, InPrecision};
use crate::{Error, Objective};

/// What `downhill run --json` prints for the config text `toml` (called `origin` in messages).
/// A run that diverged is a result too (`"status": "diverged"`; the command exits 3).
pub fn run_json(origin: &str, toml: &str) -> Result<Value, Error> {
    let cfg = parse(origin, toml)?;
    result_json(&cfg, &execute(&cfg)?)
}

/// The JSON object of a finished run: the result, the problem and the optimiser side.
pub fn result_json(cfg: &RunConfig, res: &RunResult) -> Result<Value, Error> {
    let mut v = serde_json::to_value(res).map_err(input)?;
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

/// Runs a checked config in the configured precision (its checks, [`RunConfig::check`], are
/// repeated for a config built in code).
pub fn execute(cfg: &RunConfig) -> Result<RunResult, Error> {
    cfg.check()
        .map_err(|(table, e)| input(format!("[{table}] {e}")))?;
    cfg.run.precision.dispatch(Execute(cfg))
}

struct Execute<'c>(&'c RunConfig);

impl InPrecision for Execute<'_> {
    type Output = Result<RunResult, Error>;
    fn run<T: Scalar>(self) -> Self::Output {
        execute_in::<T>(self.0)
    }
}

fn execute_in<T: Scalar>(cfg: &RunConfig) -> Result<RunResult, Error> {
    let p = &cfg.problem;
    let f: Box<dyn Objective<T> + Send + Sync> = match &p.problem {
        Problem::Builtin(name) => {
            let f = problems::by_name::<T>(name)?;
            problems::check_dim(f.as_ref(), name, p.x0.len())?;
            f
        }
        Problem::Expression(e) => {
            if let Some(why) = e.explain_non_finite(&p.x0) {
                return Err(input(format!(
                    "expression `{}` is undefined at x0 = {:?}: {why}",
                    e.source(),
                    p.x0
                )));
            }
            Box::new(Ad::new(e.clone()))
        }
        Problem::LeastSquares(ls) => {
            if let Some(why) = ls.objective.explain_non_finite(&p.x0) {
                return Err(input(format!(
                    "[problem] the residuals are undefined at x0 = {:?}: {why}",
                    p.x0
                )));
            }
            Box::new(ls.objective.clone())
        }
    };
    let objective: Box<dyn Objective<T>> = match p.gradient {
        GradientKind::Exact => Box::new(f),
        GradientKind::Numeric => Box::new(Numeric {
            inner: f,
            h: p.h,
            kind: if p.forward_difference {
                Difference::Forward
            } else {
                Difference::Central
            },
        }),
    };
    let x0 = crate::float::vec_of::<T>(&p.x0);
    if let Some(mut solver) = cfg.optimizer.solver::<T>()? {
        if let Some(s) = &cfg.schedule {
            return Err(input(format!(
                "[schedule] `{}` drives first-order optimisers; `{}` runs its own iterations",
                s.name(),
                solver.name()
            )));
        }
        return Run::new(objective.as_ref(), Method::Solver(solver.as_mut()))
            .bounds(p.bounds.as_ref())
            .tolerance(cfg.run.tolerance)
            .guard(cfg.run.divergence_threshold)
            .run(&x0, cfg.run.steps)
            .map_err(|e| input(format!("[problem] {e}")));
    }
    let mut opt = cfg.wrappers.apply(cfg.optimizer.build::<T>()?)?;
    // The point is one vector `x` (Muon, which takes matrices only, refuses it).
    let x = [("x".to_string(), Shape::Vector(x0.len()))];
    crate::optim::set_named_shapes(opt.as_mut(), &x)
        .map_err(|e| input(format!("[optimizer] `{}`: {e}", cfg.optimizer.name())))?;
    // The schedule is stepped once after every optimiser step (as `scheduler.step()` after
    // `optimizer.step()` in PyTorch): step k uses the value after k steps; reduce-on-plateau
    // reads f after each step.
    let driver = match &cfg.schedule {
        Some(s) => Some(
            s.driver(opt.lr(), opt.momentum(), cfg.run.batch_size)
                .map_err(|e| input(format!("[schedule] {e}")))?,
        ),
        None => None,
    };
    Run::new(objective.as_ref(), Method::Optimizer(opt.as_mut()))
        .bounds(p.bounds.as_ref())
        .tolerance(cfg.run.tolerance)
        .guard(cfg.run.divergence_threshold)
        .schedule(driver)
        .run(&x0, cfg.run.steps)
        .map_err(|e| input(format!("[problem] {e}")))
}
