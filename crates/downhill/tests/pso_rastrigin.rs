//! Acceptance: PSO with its default settings finds the global minimum of Rastrigin in 2-D
//! (f < 1e-6) for at least 9 of 10 seeds.

use downhill::optim::OptimizerConfig;
use downhill::problems::Rastrigin;
use downhill::run::{Method, Run};

#[test]
fn pso_defaults_find_rastrigins_global_minimum_for_9_of_10_seeds() {
    // from a point near a local minimum and from the far corner of the box
    for x0 in [[3.0, -2.5], [5.0, 5.0]] {
        let mut hits = 0;
        for seed in 0..10u64 {
            let cfg =
                OptimizerConfig::from_named("pso", serde_json::json!({ "seed": seed })).unwrap();
            let mut s = cfg.solver::<f64>().unwrap().unwrap();
            let r = Run::new(&Rastrigin, Method::Solver(s.as_mut()))
                .run(&x0, 100)
                .unwrap();
            if r.f < 1e-6 {
                hits += 1;
            }
        }
        assert!(hits >= 9, "x0 = {x0:?}: {hits}/10");
        eprintln!("x0 = {x0:?}: {hits}/10 seeds reach f < 1e-6");
    }
}
