//! Acceptance: the genetic algorithm with its defaults reaches f < 1e-2 on 2-D Rastrigin in the
//! box [−5.12, 5.12]² for at least 8 of 10 seeds within 500 generations.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use downhill::optim::{Ga, GaConfig, Solver};
use downhill::problems::{Bounds, Rastrigin};
use downhill::run::{Method, Run};

#[test]
fn ga_reaches_rastrigins_global_minimum_for_8_of_10_seeds() {
    let b = Bounds::new(&[[-5.12, 5.12]; 2]).unwrap();
    for x0 in [[3.0, -2.5], [5.0, 5.0]] {
        let mut hits = 0;
        for seed in 0..10 {
            let mut ga = Ga::<f64>::new(GaConfig {
                seed,
                ..Default::default()
            })
            .unwrap();
            let r = Run::new(&Rastrigin, Method::Solver(&mut ga))
                .bounds(&b)
                .run(&x0, 500)
                .unwrap();
            assert!(ga.population().iter().all(|p| b.contains(p)));
            assert!(r.trajectory.iter().all(|p| b.contains(p)));
            assert_eq!(ga.name(), "ga");
            if r.f < 1e-2 {
                hits += 1;
            }
        }
        eprintln!("x0 = {x0:?}: {hits}/10 seeds reach f < 1e-2");
        assert!(hits >= 8, "x0 = {x0:?}: {hits}/10");
    }
}
