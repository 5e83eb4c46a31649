//! Seed 004's closing experiments: where gradient descent stops, population methods go on —
//! GD, PSO, GA and CMA-ES on Rastrigin from one start — and a bounded Rosenbrock solved by
//! L-BFGS-B with its active bound drawn on the contour.

use std::cell::Cell;
use std::sync::Arc;

use downhill::optim::{
    BoxedSolver, Cmaes, CmaesConfig, Ga, GaConfig, Lbfgsb, LbfgsbConfig, Pso, PsoConfig, Sgd,
};
use downhill::problems::{Bounds, Rastrigin, Rosenbrock};
use downhill::run::{Method, Run};
use downhill::Objective;
use serde_json::json;

use crate::tour::figure::{Figure, Path2};
use crate::tour::Experiment;

const SEED: &str = "004";
/// Rastrigin's start: next to the local minimum near (3, −3), far from the global one.
const START: [f64; 2] = [3.0, -2.5];
const SEEDS: u64 = 20;
const TARGET: f64 = 1e-3;

/// Rastrigin counting its evaluations and remembering the count at the first value below
/// [`TARGET`].
struct Counting {
    calls: Cell<usize>,
    hit: Cell<Option<usize>>,
}

impl Objective<f64> for Counting {
    fn dim(&self) -> Option<usize> {
        Some(2)
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.calls.set(self.calls.get() + 1);
        let v = Rastrigin.value(x);
        if v < TARGET && self.hit.get().is_none() {
            self.hit.set(Some(self.calls.get()));
        }
        v
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        Rastrigin.gradient(x, g);
        self.value(x)
    }
}

/// One method over the seeds: (successes, median evaluations to f < TARGET, best final f).
fn over_seeds(
    make: &dyn Fn(u64) -> BoxedSolver<f64>,
    steps: usize,
) -> (usize, Option<usize>, Vec<f64>) {
    let b = Bounds::new(&[[-5.12, 5.12]; 2]).ok();
    let mut hits = Vec::new();
    let mut finals = Vec::new();
    for seed in 0..SEEDS {
        let f = Counting {
            calls: Cell::new(0),
            hit: Cell::new(None),
        };
        let mut s = make(seed);
        let run = Run::new(&f, Method::Solver(s.as_mut())).bounds(b.as_ref());
        if let Ok(r) = run.run(&START, steps) {
            finals.push(r.f);
        }
        if let Some(n) = f.hit.get() {
            hits.push(n);
        }
    }
    hits.sort_unstable();
    let median = (!hits.is_empty()).then(|| hits[hits.len() / 2]);
    (hits.len(), median, finals)
}

fn rastrigin_race() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "rastrigin-race",
        "Rastrigin: gradient descent stalls, population methods get out",
        "From (3, −2.5) gradient descent (lr = 0.001, 5 000 steps) slides into the nearest local minimum; PSO (100 iterations), the genetic algorithm (500 generations) and CMA-ES (σ₀ = 2, IPOP restarts) search the box [−5.12, 5.12]² and reach the global minimum for most of 20 seeds. Evaluations are counted until f < 1e-3 (median over the successful seeds).",
    );
    let mut sgd = Sgd::with_lr(0.001).expect("a valid learning rate");
    let gd = Run::new(&Rastrigin, Method::Optimizer(&mut sgd))
        .run(&START, 5000)
        .expect("an unbounded run");
    let gd_ok = gd.f < TARGET;
    e.value("GD final x", json!(gd.x))
        .value("GD final f", gd.f)
        .value("GD successes", if gd_ok { SEEDS } else { 0 })
        .expect("GD successes", 0);
    let pso = over_seeds(
        &|seed| {
            let c = PsoConfig {
                seed,
                ..Default::default()
            };
            Box::new(Pso::<f64>::new(c).expect("valid PSO settings"))
        },
        100,
    );
    let ga = over_seeds(
        &|seed| {
            let c = GaConfig {
                seed,
                ..Default::default()
            };
            Box::new(Ga::<f64>::new(c).expect("valid GA settings"))
        },
        500,
    );
    let cma = over_seeds(
        &|seed| {
            let c = CmaesConfig {
                seed,
                sigma0: 2.0,
                restarts: 6,
                ..Default::default()
            };
            Box::new(Cmaes::<f64>::new(c).expect("valid CMA-ES settings"))
        },
        2000,
    );
    let mut all = !gd_ok && gd.f > 1.0;
    for (name, (hits, median, _)) in [("PSO", &pso), ("GA", &ga), ("CMA-ES", &cma)] {
        e.value(&format!("{name} successes"), *hits)
            .value(
                &format!("{name} median evaluations to f < 1e-3"),
                json!(median),
            )
            .expect(&format!("{name} successes"), "≥ 16 of 20");
        all &= *hits >= 16;
    }
    e.require(
        all,
        "GD ends in a local minimum (f > 1); PSO, GA and CMA-ES reach f < 1e-3 for ≥ 16 of 20 seeds",
    )
    .checks(&[
        "GD final f",
        "GD successes",
        "PSO successes",
        "GA successes",
        "CMA-ES successes",
    ])
    .lead("CMA-ES successes");
    e
}

fn bounded_rosenbrock() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "lbfgsb-bounded-rosenbrock",
        "L-BFGS-B on Rosenbrock with x0 ≤ 0.5",
        "The unconstrained minimum (1, 1) is outside the box; L-BFGS-B walks the valley to the bound and stops at (0.5, 0.25), where the gradient pushes against the active bound x0 = 0.5 (∂f/∂x0 = −1) and the projected gradient vanishes. SciPy's L-BFGS-B needs 20 iterations and 29 evaluations here.",
    );
    let b = Bounds::new(&[[f64::NEG_INFINITY, 0.5], [f64::NEG_INFINITY, f64::INFINITY]]).ok();
    let mut s = Lbfgsb::<f64>::new(LbfgsbConfig::default()).expect("valid L-BFGS-B settings");
    let run = Run::new(&Rosenbrock, Method::Solver(&mut s)).bounds(b.as_ref());
    let Ok(r) = run.run(&[-1.2, 1.0], 200) else {
        e.require(false, "the bounded run starts");
        return e;
    };
    let inside = b
        .as_ref()
        .is_some_and(|b| r.trajectory.iter().all(|x| b.contains(x)));
    let ok = r.x[0] == 0.5 && (r.x[1] - 0.25).abs() < 1e-6 && inside;
    e.value("x", json!(r.x))
        .value("f", r.f)
        .value("iterations", json!(r.iterations))
        .value("evaluations", r.evaluations.gradient)
        .value("projected gradient", s.projected_gradient_norm())
        .expect("x", json!([0.5, 0.25]))
        .expect("f", 0.25)
        .expect("iterations", "SciPy: 20")
        .expect("evaluations", "SciPy: 29")
        .require(
            ok,
            "closed form (the constrained minimum (0.5, 0.25)): x0 = 0.5 exactly, x1 within 1e-6 of 0.25, every iterate inside the box; SciPy's counts are reported, not checked",
        )
        .checks(&["x"])
        .figure(Figure::Contour {
            title: "Rosenbrock with x0 ≤ 0.5: L-BFGS-B".into(),
            f: Arc::new(|x, y| (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)),
            x: (-2.0, 2.0),
            y: (-1.0, 3.0),
            log_levels: true,
            paths: vec![
                Path2::from_trajectory("L-BFGS-B", &r.trajectory),
                Path2 {
                    label: "active bound x0 = 0.5".into(),
                    points: vec![[0.5, -1.0], [0.5, 3.0]],
                },
            ],
            value_range: None,
        });
    e
}

/// The two experiments, in report order.
pub(super) fn experiments() -> Vec<Experiment> {
    vec![rastrigin_race(), bounded_rosenbrock()]
}
