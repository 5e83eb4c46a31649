//! Acceptance: CMA-ES reaches f < 1e-8 on 6-D Rosenbrock from the origin for at least 9 of 10
//! seeds, and f < 1e-6 on Ackley within [−5, 5]² for at least 8 of 10 seeds.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use downhill::optim::{Cmaes, CmaesConfig};
use downhill::problems::{Ackley, Bounds, Rosenbrock};
use downhill::run::{Method, Run};

#[test]
fn rosenbrock_6d_from_the_origin_for_9_of_10_seeds() {
    let mut hits = 0;
    let mut evals = Vec::new();
    for seed in 0..10 {
        let mut s = Cmaes::<f64>::new(CmaesConfig {
            seed,
            ..Default::default()
        })
        .unwrap();
        let r = Run::new(&Rosenbrock, Method::Solver(&mut s))
            .run(&[0.0; 6], 5000)
            .unwrap();
        evals.push(r.evaluations.function);
        if r.f < 1e-8 {
            hits += 1;
        }
    }
    eprintln!("6-D Rosenbrock: {hits}/10 seeds reach f < 1e-8; evaluations {evals:?}");
    assert!(hits >= 9, "{hits}/10");
}

#[test]
fn ackley_in_the_box_for_8_of_10_seeds() {
    let b = Bounds::new(&[[-5.0, 5.0]; 2]).unwrap();
    let mut hits = 0;
    for seed in 0..10 {
        let mut s = Cmaes::<f64>::new(CmaesConfig {
            seed,
            sigma0: 2.0,
            restarts: 4,
            ..Default::default()
        })
        .unwrap();
        let r = Run::new(&Ackley, Method::Solver(&mut s))
            .bounds(&b)
            .run(&[3.0, -2.5], 3000)
            .unwrap();
        assert!(r.trajectory.iter().all(|x| b.contains(x)));
        if r.f < 1e-6 {
            hits += 1;
        }
    }
    eprintln!("Ackley in [-5, 5]²: {hits}/10 seeds reach f < 1e-6");
    assert!(hits >= 8, "{hits}/10");
}
