#![allow(clippy::unwrap_used)] // a failure is a test failure

use std::sync::atomic::{AtomicBool, Ordering};

use super::*;
use crate::optim::{Newton, Sgd, SolverStep};
use crate::problems::{Rosenbrock, Sphere};
use crate::schedule::ScheduleConfig;

/// Moves x by +1 per step, then to NaN at the third.
struct Blows(usize);
impl Solver<f64> for Blows {
    fn name(&self) -> &'static str {
        "blows"
    }
    fn lr(&self) -> f64 {
        0.5
    }
    fn step(&mut self, _f: &dyn Objective<f64>, x: &mut [f64]) -> SolverStep {
        self.0 += 1;
        x[0] = if self.0 == 3 { f64::NAN } else { x[0] + 1.0 };
        SolverStep {
            iterations: 2,
            evaluations: 0,
            value: None,
        }
    }
}

fn sgd(lr: f64) -> Sgd<f64> {
    Sgd::<f64>::with_lr(lr).unwrap()
}

#[test]
fn the_divergence_threshold_stops_a_finite_blow_up() {
    // x ← x − 1.1·2x = −1.2x: f grows by 1.44 per step from f(x₀) = 4; 1.44^k · 4 > 40
    // first at k = 7.
    let mut opt = sgd(1.1);
    let r = Run::new(&Sphere, Method::Optimizer(&mut opt))
        .guard(10.0)
        .run(&[2.0], 50)
        .unwrap();
    assert_eq!(
        (r.status, r.diverged_at, r.steps),
        (Status::Diverged, Some(7), 6)
    );
    assert_eq!(Some(r.x.as_slice()), r.trajectory.last());
    assert!((r.x[0] - 2.0 * 1.2f64.powi(6)).abs() < 1e-12);
    let mut opt = sgd(1.1);
    let r = Run::new(&Sphere, Method::Optimizer(&mut opt))
        .run(&[2.0], 50)
        .unwrap();
    assert_eq!((r.status, r.steps), (Status::MaxSteps, 50));
}

#[test]
fn the_guard_holds_for_solvers_too() {
    // Blows goes 0 → 1 → 2: f = 4 > 3 · max(|0|, 1) at step 2.
    let r = Run::new(&Sphere, Method::Solver(&mut Blows(0)))
        .guard(3.0)
        .run(&[0.0], 10)
        .unwrap();
    assert_eq!(
        (r.status, r.diverged_at, r.x.clone()),
        (Status::Diverged, Some(2), vec![1.0])
    );
}

#[test]
fn divergence_keeps_the_last_finite_point() {
    let r = Run::new(&Sphere, Method::Solver(&mut Blows(0)))
        .run(&[0.0], 10)
        .unwrap();
    assert_eq!(r.status, Status::Diverged);
    assert_eq!(
        (r.diverged_at, r.steps, r.x.clone()),
        (Some(3), 2, vec![2.0])
    );
    assert_eq!(r.f_history, vec![0.0, 1.0, 4.0]);
    assert_eq!(r.lr, vec![0.5; 3]);
    assert_eq!(r.iterations, Some(6));
    // f(x0) and one value after each step (the solver reports none)
    assert_eq!(r.evaluations.function, 4);
}

#[test]
fn convergence_on_the_gradient_norm_before_each_step() {
    let newton = || Newton::<f64>::new(Default::default()).unwrap();
    // at a stationary point: converged with no step
    let r = Run::new(&Sphere, Method::Solver(&mut newton()))
        .tolerance(1e-8)
        .run(&[0.0, 0.0], 30)
        .unwrap();
    assert_eq!(
        (r.status, r.steps, r.trajectory.len()),
        (Status::Converged, 0, 1)
    );
    let r = Run::new(&Rosenbrock, Method::Solver(&mut newton()))
        .tolerance(1e-8)
        .run(&[-1.2, 1.0], 30)
        .unwrap();
    assert_eq!(r.status, Status::Converged);
    assert_eq!(r.trajectory.len(), r.steps + 1);
    assert_eq!(r.f_history.len(), r.steps + 1);
    assert!(r.f < 1e-10 && r.steps <= 30);
    // one Hessian per accepted trust-region step (a rejected one keeps it)
    assert!(r.evaluations.hessian >= 1 && r.evaluations.hessian <= r.steps);
}

#[test]
fn an_observer_sees_every_step_and_can_stop_the_run() {
    let mut seen = Vec::new();
    let mut opt = sgd(0.1);
    let r = Run::new(&Sphere, Method::Optimizer(&mut opt))
        .observe(OnStep(|s: &Step<'_, f64>| {
            seen.push((s.step, s.x[0], s.f, s.lr));
            if s.step == 4 {
                Flow::Stop
            } else {
                Flow::Continue
            }
        }))
        .tolerance(1e-12)
        .run(&[1.0], 100)
        .unwrap();
    assert_eq!((r.status, r.steps), (Status::Stopped, 4));
    assert_eq!(seen.len(), 4);
    for (i, &(k, x, f, lr)) in seen.iter().enumerate() {
        assert_eq!(
            (k, x, f, lr),
            (i + 1, r.trajectory[i + 1][0], r.f_history[i + 1], 0.1)
        );
    }
    assert_eq!(r.x, vec![seen[3].1]);
    assert!((r.x[0] - 0.8f64.powi(4)).abs() < 1e-15);
    assert_eq!(serde_json::to_value(r.status).unwrap(), "stopped");
}

#[test]
fn a_stop_flag_ends_the_run_after_the_step_that_finds_it_set() {
    let flag = AtomicBool::new(false);
    let mut count = 0;
    let mut opt = sgd(0.1);
    let r = Run::new(&Sphere, Method::Optimizer(&mut opt))
        .observe(OnStep(|s: &Step<'_, f64>| {
            count += 1;
            if s.step == 3 {
                flag.store(true, Ordering::Release); // as a Ctrl-C handler would
            }
            Flow::Continue
        }))
        .observe(StopFlag::new(&flag))
        .run(&[1.0], 100)
        .unwrap();
    assert_eq!((r.status, r.steps, count), (Status::Stopped, 3, 3));
    // a solver is stopped the same way
    let flag = AtomicBool::new(true);
    let r = Run::new(&Sphere, Method::Solver(&mut Blows(0)))
        .observe(StopFlag::new(&flag))
        .run(&[0.0], 10)
        .unwrap();
    assert_eq!(
        (r.status, r.steps, r.x.clone()),
        (Status::Stopped, 1, vec![1.0])
    );
}

#[test]
fn record_thins_the_path_but_never_the_result() {
    let full = |record| {
        let mut opt = sgd(1e-3);
        Run::new(&Rosenbrock, Method::Optimizer(&mut opt))
            .record(record)
            .run(&[-1.2, 1.0], 10)
            .unwrap()
    };
    let all = full(Record::All);
    assert_eq!(
        (all.trajectory.len(), all.f_history.len(), all.lr.len()),
        (11, 11, 10)
    );
    let every = full(Record::Every(4));
    let steps: Vec<usize> = (0..every.trajectory.len())
        .map(|i| every.trajectory.step(i))
        .collect();
    assert_eq!(steps, vec![0, 4, 8, 10]);
    for (i, &s) in steps.iter().enumerate() {
        assert_eq!(&every.trajectory[i], &all.trajectory[s]);
    }
    assert_eq!(
        (every.f_history.clone(), every.lr.clone()),
        (all.f_history.clone(), all.lr.clone())
    );
    let values = full(Record::Values);
    assert!(values.trajectory.is_empty());
    assert_eq!(values.f_history, all.f_history);
    let nothing = full(Record::Nothing);
    assert!(nothing.trajectory.is_empty() && nothing.f_history.is_empty() && nothing.lr.is_empty());
    for r in [&every, &values, &nothing] {
        assert_eq!(
            (r.x.clone(), r.f, r.steps, r.evaluations),
            (all.x.clone(), all.f, 10, all.evaluations)
        );
    }
    // every k-th point of a solver run, ending on the last
    let r = Run::new(&Sphere, Method::Solver(&mut Blows(0)))
        .record(Record::Every(2))
        .run(&[0.0], 10)
        .unwrap();
    assert_eq!(r.trajectory.to_vecs(), vec![vec![0.0], vec![2.0]]);
    let mut opt = sgd(0.1);
    let e = Run::new(&Sphere, Method::Optimizer(&mut opt))
        .record(Record::Every(0))
        .run(&[1.0], 3)
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { ref key, .. } if key == "record"),
        "{e}"
    );
}

#[test]
fn the_schedule_drives_the_lr_and_plateau_is_fed_f_after_each_step() {
    let cfg =
        ScheduleConfig::from_named("step_lr", serde_json::json!({"step_size": 2, "gamma": 0.5}))
            .unwrap();
    let mut opt = sgd(0.1);
    let r = Run::new(&Sphere, Method::Optimizer(&mut opt))
        .schedule(cfg.driver(0.1, None, None).unwrap())
        .run(&[1.0], 5)
        .unwrap();
    assert_eq!(r.lr, vec![0.1, 0.1, 0.05, 0.05, 0.025]);
    // f never improves on a constant: plateau (patience 1) halves the lr after 2 bad steps
    struct Flat;
    impl Objective<f64> for Flat {
        fn value(&self, _: &[f64]) -> f64 {
            1.0
        }
        fn gradient(&self, _: &[f64], g: &mut [f64]) -> f64 {
            g.fill(0.0);
            1.0
        }
    }
    let cfg = ScheduleConfig::from_named(
        "reduce_lr_on_plateau",
        serde_json::json!({"patience": 1, "factor": 0.5}),
    )
    .unwrap();
    let mut opt = sgd(0.1);
    let r = Run::new(&Flat, Method::Optimizer(&mut opt))
        .schedule(cfg.driver(0.1, None, None).unwrap())
        .run(&[1.0], 5)
        .unwrap();
    assert_eq!(r.lr, vec![0.1, 0.1, 0.1, 0.05, 0.05]);
    // a solver refuses a schedule, naming it
    let e = Run::new(&Sphere, Method::Solver(&mut Blows(0)))
        .schedule(cfg.driver(0.1, None, None).unwrap())
        .run(&[0.0], 3)
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { ref key, .. } if key == "schedule"),
        "{e}"
    );
}
