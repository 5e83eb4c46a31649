//! Box constraints in the run loops: projected first-order methods, solvers that refuse a box
//! and solvers that search inside it.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use downhill::optim::{Adam, AdamConfig, OptimizerConfig};
use downhill::problems::{Bounds, Rosenbrock};
use downhill::run::{Method, Run};
use downhill::Error;

#[test]
fn projected_adam_on_rosenbrock_stays_inside_and_ends_on_the_active_bound() {
    // x ≤ 0.5: the constrained minimiser is (0.5, 0.25), where ∂f/∂x = −1 < 0 pushes on the bound.
    let b = Bounds::new(&[[f64::NEG_INFINITY, 0.5], [f64::NEG_INFINITY, f64::INFINITY]]).unwrap();
    let mut adam = Adam::<f64>::new(AdamConfig {
        lr: 0.01,
        ..Default::default()
    })
    .unwrap();
    let r = Run::new(&Rosenbrock, Method::Optimizer(&mut adam))
        .bounds(&b)
        .run(&[-1.2, 1.0], 20_000)
        .unwrap();
    assert!(r.trajectory.iter().all(|x| b.contains(x)));
    assert!(r.trajectory.iter().any(|x| x[0] == 0.5));
    assert_eq!(r.x[0], 0.5);
    assert!((r.x[1] - 0.25).abs() < 1e-6, "{:?}", r.x);
    assert!((r.f - 0.25).abs() < 1e-6, "{}", r.f);
}

#[test]
fn a_start_outside_the_box_or_a_box_of_the_wrong_size_names_the_keys() {
    let b = Bounds::new(&[[0.0, 1.0], [0.0, 1.0]]).unwrap();
    let mut adam = Adam::<f64>::new(AdamConfig::default()).unwrap();
    let e = Run::new(&Rosenbrock, Method::Optimizer(&mut adam))
        .bounds(&b)
        .run(&[-1.2, 1.0], 3)
        .unwrap_err();
    let m = e.to_string();
    assert!(m.contains("x0[0]") && m.contains("bounds[0]"), "{m}");
    let e = Run::new(&Rosenbrock, Method::Optimizer(&mut adam))
        .bounds(&b)
        .run(&[0.5, 0.5, 0.5], 3)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "bounds"));
}

#[test]
fn newton_and_lbfgs_refuse_a_box_and_point_to_lbfgsb() {
    let b = Bounds::new(&[[-2.0, 2.0], [-2.0, 2.0]]).unwrap();
    for name in ["newton", "lbfgs"] {
        let cfg = OptimizerConfig::from_named(name, serde_json::json!({})).unwrap();
        let mut s = cfg.solver::<f64>().unwrap().unwrap();
        let e = Run::new(&Rosenbrock, Method::Solver(s.as_mut()))
            .bounds(&b)
            .run(&[-1.2, 1.0], 3)
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidParameter { ref key, .. } if key == "bounds"),
            "{name}"
        );
        assert!(e.to_string().contains("lbfgsb"), "{name}: {e}");
    }
}

#[test]
fn pso_searches_inside_the_box() {
    let b = Bounds::new(&[[-2.0, 0.5], [-1.0, 3.0]]).unwrap();
    let cfg = OptimizerConfig::from_named("pso", serde_json::json!({"seed": 3})).unwrap();
    let mut s = cfg.solver::<f64>().unwrap().unwrap();
    let r = Run::new(&Rosenbrock, Method::Solver(s.as_mut()))
        .bounds(&b)
        .run(&[-1.2, 1.0], 200)
        .unwrap();
    assert!(r.trajectory.iter().all(|x| b.contains(x)));
    assert!(
        (r.x[0] - 0.5).abs() < 1e-4 && (r.x[1] - 0.25).abs() < 1e-3,
        "{:?}",
        r.x
    );
}

#[test]
fn a_tolerance_inside_a_box_is_on_the_projected_gradient() {
    use downhill::optim::Sgd;
    use downhill::problems::Sphere;
    use downhill::run::Status;
    let b = Bounds::new(&[[1.0, 2.0], [-1.0, 1.0]]).unwrap();
    let mut sgd = Sgd::<f64>::with_lr(0.1).unwrap();
    let r = Run::new(&Sphere, Method::Optimizer(&mut sgd))
        .bounds(&b)
        .tolerance(1e-8)
        .run(&[1.5, 0.5], 1000)
        .unwrap();
    assert_eq!(r.status, Status::Converged);
    assert_eq!(r.x[0], 1.0);
    assert!(r.x[1].abs() < 1e-8 && r.steps < 200, "{r:?}");
}
