//! The one place that calls the library's run executor (`downhill::run::Run`), as `downhill
//! run` assembles a run: a solver, or a first-order optimiser whose point is one vector `x`,
//! with the schedule (fed `f` for reduce-on-plateau) as the run's driver.

use downhill::optim::{OptimizerConfig, Shape};
use downhill::problems::Bounds;
use downhill::run::{Method, Run, RunResult};
use downhill::schedule::{Driver, Schedule};
use downhill::{Objective, Result};

use crate::schedule::Sched;

/// One run's settings besides the objective.
pub struct Setup<'a> {
    /// The method (a registry config).
    pub method: &'a OptimizerConfig,
    /// Starting point.
    pub x0: &'a [f64],
    /// Step budget.
    pub steps: usize,
    /// Stop when the (projected) gradient norm is at most this.
    pub tolerance: Option<f64>,
    /// Box constraints.
    pub bounds: Option<&'a Bounds>,
    /// The lr schedule (first-order methods only).
    pub schedule: Option<Sched>,
}

/// Runs `setup` on `f` through the library's one executor ([`Run`]).
pub fn run(f: &dyn Objective<f64>, setup: Setup<'_>) -> Result<RunResult> {
    let driver = setup.schedule.map(|s| match s {
        Sched::Driver(d) => d,
        Sched::Lambda(s) => Driver::from(Box::new(s) as Box<dyn Schedule>),
    });
    if let Some(mut solver) = setup.method.solver::<f64>()? {
        return Run::new(f, Method::Solver(solver.as_mut()))
            .bounds(setup.bounds)
            .tolerance(setup.tolerance)
            .schedule(driver)
            .run(setup.x0, setup.steps);
    }
    let mut opt = setup.method.build::<f64>()?;
    let x = [("x".to_string(), Shape::Vector(setup.x0.len()))];
    downhill::optim::set_named_shapes(opt.as_mut(), &x)?;
    Run::new(f, Method::Optimizer(opt.as_mut()))
        .bounds(setup.bounds)
        .tolerance(setup.tolerance)
        .schedule(driver)
        .run(setup.x0, setup.steps)
}
