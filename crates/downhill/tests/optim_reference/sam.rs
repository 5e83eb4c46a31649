//! `[wrappers] sam` against `reference/sam_refs.json` (`make_sam_refs.py`: the SAM / ASAM
//! ascent step of the authors' code in torch float64, around torch.optim.SGD and Adam), run
//! through `Run`, so through the run loop's second gradient point.

use std::sync::OnceLock;

use downhill::optim::{OptimizerConfig, SamConfig, Shape, WrappersConfig};
use downhill::run::{Method, Run, Status};
use downhill::Objective;
use serde::Deserialize;

use super::{assert_close, matrix_grad, matrix_value};

#[derive(Deserialize)]
struct Case {
    optimizer: String,
    params: serde_json::Value,
    sam: SamConfig,
    function: String,
    shapes: Vec<Vec<usize>>,
    trajectory: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Doc {
    cases: Vec<Case>,
}

fn cases() -> &'static [Case] {
    static DOC: OnceLock<Doc> = OnceLock::new();
    &DOC.get_or_init(|| serde_json::from_str(include_str!("../reference/sam_refs.json")).unwrap())
        .cases
}

/// A reference objective by name (the script's values and gradients).
struct Named<'a>(&'a str);

impl Objective<f64> for Named<'_> {
    fn value(&self, x: &[f64]) -> f64 {
        matrix_value(self.0, x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        matrix_grad(self.0, x, g);
        matrix_value(self.0, x)
    }
}

/// Every case to 1e-6 relative (worst relative error per case printed), two gradients a step;
/// ≥ 50 steps, ≥ 3 objectives, SAM and ASAM around sgd (momentum) and adam, two tensors.
#[test]
fn sam_matches_the_transcribed_paper_algorithm() {
    let mut worst: f64 = 0.0;
    for c in cases() {
        let mut case_worst: f64 = 0.0;
        let cfg = OptimizerConfig::from_named(&c.optimizer, c.params.clone()).unwrap();
        let wrappers = WrappersConfig {
            sam: Some(c.sam.clone()),
            ..Default::default()
        };
        let mut opt = wrappers.apply(cfg.build::<f64>().unwrap()).unwrap();
        let shapes: Vec<Shape> = c
            .shapes
            .iter()
            .map(|t| match t[..] {
                [rows, cols] => Shape::Matrix { rows, cols },
                [n] => Shape::Vector(n),
                _ => panic!("shape {t:?}"),
            })
            .collect();
        opt.set_shapes(&shapes).unwrap();
        let steps = c.trajectory.len() - 1;
        let f = Named(&c.function);
        let res = Run::new(&f, Method::Optimizer(opt.as_mut()))
            .run(&c.trajectory[0], steps)
            .unwrap();
        assert_eq!(res.status, Status::MaxSteps);
        assert_eq!(res.evaluations.gradient, 2 * steps, "two gradients a step");
        for (k, (got, want)) in res.trajectory.iter().zip(&c.trajectory).enumerate() {
            for (i, (&got, &want)) in got.iter().zip(want).enumerate() {
                let what = format!(
                    "{} {} sam {:?} on {}: step {k} x[{i}]",
                    c.optimizer, c.params, c.sam, c.function
                );
                assert_close(&what, got, want);
                case_worst = case_worst.max((got - want).abs() / want.abs().max(1e-3));
            }
        }
        println!(
            "sam {:?} around {} on {}: {case_worst:e}",
            c.sam, c.optimizer, c.function
        );
        worst = worst.max(case_worst);
    }
    // ~1e-14 but for SGD-Nesterov on beale (1e-7: beale amplifies last-bit differences of
    // the perturbation's norm, summed per tensor in torch).
    println!("sam: worst relative error {worst:e}");
    assert!(worst <= 1e-6, "{worst:e}");
    let all = cases();
    let functions: std::collections::BTreeSet<_> = all.iter().map(|c| &c.function).collect();
    assert!(functions.len() >= 3 && all.iter().all(|c| c.trajectory.len() > 50));
    assert!(all.iter().any(|c| c.shapes.len() >= 2));
    for (opt, adaptive) in [
        ("sgd", false),
        ("sgd", true),
        ("adam", false),
        ("adam", true),
    ] {
        assert!(
            all.iter()
                .any(|c| c.optimizer == opt && c.sam.adaptive == adaptive),
            "{opt} adaptive={adaptive}"
        );
    }
}
