//! Seed 004's answer to gradient descent's slowness on ill-conditioned valleys: second-order and
//! quasi-Newton methods. GD, nonlinear CG, BFGS, L-BFGS, trust-region Newton-CG and Newton on
//! Rosenbrock from (−1.2, 1), counting objective evaluations until f < 1e-8.

use std::cell::RefCell;

use downhill::optim::{
    BfgsConfig, CgConfig, LbfgsConfig, LineSearchFn, NewtonConfig, OptimizerConfig, Sgd,
    TrustNcgConfig,
};
use downhill::problems::Rosenbrock;
use downhill::run::{Method, Run};
use downhill::Objective;
use serde_json::json;

use crate::tour::figure::{Figure, Series};
use crate::tour::Experiment;

const TARGET: f64 = 1e-8;
const START: [f64; 2] = [-1.2, 1.0];

/// Rosenbrock recording `f` after every value or gradient call (Hessians and Hessian-vector
/// products are passed through and not counted).
#[derive(Default)]
struct Recorded {
    fs: RefCell<Vec<f64>>,
}

impl Recorded {
    /// Evaluations until `f < TARGET` (1-based), if reached.
    fn to_target(&self) -> Option<usize> {
        self.fs
            .borrow()
            .iter()
            .position(|&f| f < TARGET)
            .map(|i| i + 1)
    }
    /// The best `f` so far after each evaluation (the curve drawn).
    fn best(&self) -> Vec<f64> {
        let mut m = f64::INFINITY;
        self.fs
            .borrow()
            .iter()
            .map(|&f| {
                m = m.min(f);
                m.max(1e-20)
            })
            .collect()
    }
}

impl Objective<f64> for Recorded {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn value(&self, x: &[f64]) -> f64 {
        let v = Rosenbrock.value(x);
        self.fs.borrow_mut().push(v);
        v
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let v = Rosenbrock.gradient(x, g);
        self.fs.borrow_mut().push(v);
        v
    }
    fn hessian(&self, x: &[f64], h: &mut [f64]) -> bool {
        Rosenbrock.hessian(x, h)
    }
}

/// Runs the solver `cfg` for at most `steps` steps (or until it stops or reaches the target),
/// recording every evaluation it makes.
fn run_solver(cfg: OptimizerConfig, steps: usize) -> Recorded {
    let f = Recorded::default();
    if let Ok(Some(mut s)) = cfg.solver::<f64>() {
        let mut x = START.to_vec();
        for _ in 0..steps {
            s.step(&f, &mut x);
            if s.converged() || f.to_target().is_some() {
                break;
            }
        }
    }
    f
}

/// How many evaluations the figure shows (every method but GD is below 1e-8 by then).
const SHOWN: usize = 150;

fn solvers_on_rosenbrock() -> Experiment {
    let mut e = Experiment::new(
        "004",
        "solvers-rosenbrock",
        "Rosenbrock: curvature information beats the gradient alone",
        "From (−1.2, 1), each method runs until f < 1e-8 in the curved valley. Gradient descent (lr = 0.001, about the largest stable step along the valley) needs tens of thousands of evaluations; nonlinear CG (Polak–Ribière+) under a hundred; BFGS and L-BFGS build curvature from gradients and need about 40; the trust-region methods use the Hessian (Newton-CG only through Hessian-vector products) and reach the valley floor in about 25 iterations, each trying one point (f) and taking the gradient where the step is accepted. Evaluations count calls of f or ∇f (a gradient call returns f too); Hessians and Hessian-vector products are not counted.",
    );
    let gd = Recorded::default();
    if let Ok(mut sgd) = Sgd::with_lr(0.001) {
        Run::new(&gd, Method::Optimizer(&mut sgd))
            .record(downhill::run::Record::Nothing)
            .run(&START, 50_000)
            .ok(); // unbounded and recording nothing: this run has no error to report
    }
    let lbfgs = LbfgsConfig {
        line_search_fn: LineSearchFn::StrongWolfe,
        ..Default::default()
    };
    let runs = [
        ("GD (lr = 0.001)", gd),
        (
            "CG",
            run_solver(OptimizerConfig::Cg(CgConfig::default()), 500),
        ),
        (
            "BFGS",
            run_solver(OptimizerConfig::Bfgs(BfgsConfig::default()), 500),
        ),
        (
            "L-BFGS (strong Wolfe)",
            run_solver(OptimizerConfig::Lbfgs(lbfgs), 50),
        ),
        (
            "trust-region Newton-CG",
            run_solver(OptimizerConfig::TrustNcg(TrustNcgConfig::default()), 500),
        ),
        (
            "Newton (trust region)",
            run_solver(OptimizerConfig::Newton(NewtonConfig::default()), 500),
        ),
    ];
    let mut series = Vec::new();
    let mut counts = Vec::new();
    for (label, r) in &runs {
        let n = r.to_target();
        e.value(&format!("{label}: evaluations to f < 1e-8"), json!(n));
        counts.push(n);
        // The first SHOWN evaluations: where the curvature methods finish; GD's count, far off
        // the chart, is in its label.
        let mut ys = r.best();
        ys.truncate(SHOWN);
        let xs = (1..=ys.len()).map(|i| i as f64).collect();
        let reached = match n {
            Some(n) => format!("{label}: {n} evaluations to 1e-8"),
            None => format!("{label}: not below 1e-8"),
        };
        series.push(Series {
            label: reached,
            xs,
            ys,
        });
    }
    // SciPy 1.17.1 on Rosenbrock from (−1.2, 1) to its own gtol (crates/downhill/tests/
    // reference/scipy_solver_refs.json): BFGS nfev 39, CG 78 (f and ∇f at the same points),
    // trust-ncg nfev 30 + njev 27 = 57 calls.
    e.expect(
        "BFGS: evaluations to f < 1e-8",
        "≤ 39 (SciPy's nfev to gtol)",
    )
    .expect("CG: evaluations to f < 1e-8", "≤ 78 (SciPy's nfev to gtol)")
    .expect(
        "trust-region Newton-CG: evaluations to f < 1e-8",
        "≤ 57 (SciPy's nfev 30 + njev 27 to gtol)",
    )
    .expect(
        "GD (lr = 0.001): evaluations to f < 1e-8",
        "more than every other method",
    );
    let within = |i: usize, limit: usize| counts[i].is_some_and(|n| n <= limit);
    let others_max = counts[1..].iter().map(|c| c.unwrap_or(usize::MAX)).max();
    let gd_slowest = match (counts[0], others_max) {
        (Some(g), Some(m)) => g > m,
        (None, Some(m)) => m < usize::MAX,
        _ => false,
    };
    e.require(
        within(1, 78) && within(2, 39) && within(4, 57),
        "CG, BFGS and trust-ncg reach f < 1e-8 within SciPy's calls to its gtol (78, 39, 30 + 27)",
    )
    .require(
        counts[1..].iter().all(Option::is_some) && gd_slowest,
        "every method reaches f < 1e-8, GD (if at all) after all the others",
    )
    .checks(&[
        "GD (lr = 0.001): evaluations to f < 1e-8",
        "CG: evaluations to f < 1e-8",
        "BFGS: evaluations to f < 1e-8",
        "L-BFGS (strong Wolfe): evaluations to f < 1e-8",
        "trust-region Newton-CG: evaluations to f < 1e-8",
        "Newton (trust region): evaluations to f < 1e-8",
    ])
    .lead("BFGS: evaluations to f < 1e-8")
    .figure(Figure::Curves {
        title: format!("Rosenbrock from (−1.2, 1): best f over the first {SHOWN} evaluations"),
        x_label: "evaluations of f or ∇f".into(),
        y_label: "best f so far".into(),
        log_y: true,
        series,
    });
    e
}

/// The experiment, in report order.
pub(super) fn experiments() -> Vec<Experiment> {
    vec![solvers_on_rosenbrock()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_experiment_holds() {
        let e = super::solvers_on_rosenbrock();
        eprintln!("{:#?}", e.values);
        assert!(e.ok, "{}", e.check);
    }
}
