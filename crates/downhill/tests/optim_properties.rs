//! Properties every optimiser must have (proptest), and state round trips.
//!
//! - zero gradient leaves `sgd` unchanged (no weight decay);
//! - `maximize = true` on f is step-for-step identical to minimising −f;
//! - f32 and f64 agree to 1e-4 over 20 steps;
//! - `state()` / `load_state()` resumes a run exactly.

#![allow(clippy::unwrap_used)] // a test crate: helpers outside #[test] fns unwrap too

use downhill::optim::{Optimizer, OptimizerConfig, Sgd, SgdConfig, Shape};
use downhill::problems::{self, IllConditioned, Rosenbrock};
use downhill::run::{Method, Run};
use downhill::{Float, Objective};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Every first-order optimiser of the registry: the cases of [`cases`], and the defaults of
/// any entry they do not name.
fn configs() -> Vec<(&'static str, Value)> {
    let mut out = cases();
    for &n in downhill::optim::FIRST_ORDER {
        if !out.iter().any(|(m, _)| *m == n) {
            let lr = OptimizerConfig::from_named(n, json!({})).unwrap().lr();
            out.push((n, json!({ "lr": lr })));
        }
    }
    out
}

/// Optimisers with a learning rate suited to the test functions, and options that exercise
/// the less common branches.
fn cases() -> Vec<(&'static str, Value)> {
    vec![
        (
            "sgd",
            json!({"lr": 1e-3, "momentum": 0.9, "nesterov": true}),
        ),
        ("sgd", json!({"lr": 1e-3, "weight_decay": 0.1})),
        ("momentum", json!({"lr": 1e-3})),
        ("momentum", json!({"lr": 1e-3, "variant": "nesterov"})),
        (
            "momentum",
            json!({"lr": 1e-3, "variant": "nesterov_midpoint"}),
        ),
        (
            "adagrad",
            json!({"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01}),
        ),
        (
            "rmsprop",
            json!({"lr": 0.01, "centered": true, "momentum": 0.5}),
        ),
        ("rmsprop", json!({"lr": 0.01})),
        ("adam", json!({"lr": 0.05})),
        (
            "adam",
            json!({"lr": 0.05, "amsgrad": true, "weight_decay": 0.1}),
        ),
        ("adamw", json!({"lr": 0.05})),
        (
            "nadam",
            json!({"lr": 0.05, "decoupled_weight_decay": true, "weight_decay": 0.1}),
        ),
        ("nadam", json!({"lr": 0.05})),
        ("radam", json!({"lr": 1e-3})),
        (
            "radam",
            json!({"lr": 1e-3, "decoupled_weight_decay": true, "weight_decay": 0.1}),
        ),
        ("adamax", json!({"lr": 0.05})),
        ("adadelta", json!({"lr": 1.0})),
        ("lion", json!({"lr": 0.01, "weight_decay": 0.1})),
        ("rprop", json!({"lr": 0.01})),
        ("rprop", json!({"lr": 0.05, "etas": [0.3, 1.5]})),
        ("asgd", json!({"lr": 0.01, "t0": 3.0})),
        ("adafactor", json!({"lr": 0.05})),
        (
            "adafactor",
            json!({"lr": 0.05, "weight_decay": 0.1, "eps": [1e-20, 1e-3]}),
        ),
        ("muon", json!({"lr": 0.01})),
        (
            "muon",
            json!({"lr": 0.01, "nesterov": false, "adjust_lr_fn": "match_rms_adamw"}),
        ),
        (
            "lars",
            json!({"lr": 0.5, "trust_coefficient": 0.02, "nesterov": true, "weight_decay": 0.01}),
        ),
        ("lamb", json!({"lr": 0.01, "weight_decay": 0.01})),
        // The learning-rate-free rules start with steps of d0 = 1e-6: a few ulps of f32 at |x|
        // ≈ 1, so their d (from ⟨g, x0 − x⟩) is f32 noise at first; from d0 = 1e-2 it is not,
        // and at a tenth of the adapted step (lr 0.1) 20 steps keep f32 within 1e-4 of f64.
        (
            "prodigy",
            json!({"lr": 0.1, "d0": 1e-2, "weight_decay": 0.01}),
        ),
        (
            "prodigy",
            json!({"lr": 0.1, "d0": 1e-2, "betas": [0.0, 0.99], "use_bias_correction": true,
                   "safeguard_warmup": true, "decouple": false, "weight_decay": 0.01}),
        ),
        (
            "dadapt_adam",
            json!({"lr": 0.1, "d0": 1e-2, "decouple": true, "weight_decay": 0.01}),
        ),
        (
            "dadapt_sgd",
            json!({"lr": 0.1, "d0": 1e-2, "momentum": 0.9}),
        ),
        (
            "sgd_schedule_free",
            json!({"lr": 1e-3, "warmup_steps": 3, "r": 1.0, "weight_decay": 0.01}),
        ),
        (
            "adamw_schedule_free",
            json!({"lr": 0.01, "warmup_steps": 3, "weight_lr_power": 1.0}),
        ),
        // A small max step keeps polyak_sgd's f32 and f64 runs on one path.
        ("polyak_sgd", json!({"lr": 0.1, "max_learning_rate": 0.2})),
    ]
}

/// The optimiser, told that the 2-D point is one 1 × 2 matrix (a valid 2-D parameter for
/// Muon; Adafactor factors it; the others ignore shapes).
fn build<T: Float>(name: &str, params: &Value) -> Box<dyn Optimizer<T>> {
    let mut opt = OptimizerConfig::from_named(name, params.clone())
        .unwrap()
        .build::<T>()
        .unwrap();
    opt.set_shapes(&[Shape::Matrix { rows: 1, cols: 2 }])
        .unwrap();
    opt
}

/// Whether the optimiser has torch's `maximize` (all but Muon).
fn has_maximize(name: &str) -> bool {
    downhill::optim::catalog()
        .iter()
        .any(|e| e.name == name && e.params.iter().any(|p| p.name == "maximize"))
}

fn with_maximize(params: &Value, maximize: bool) -> Value {
    let mut p = params.clone();
    p["maximize"] = json!(maximize);
    p
}

/// −f, with the exact negation of f's gradient.
struct Neg<O>(O);

impl<T: Float, O: Objective<T>> Objective<T> for Neg<O> {
    fn dim(&self) -> Option<usize> {
        self.0.dim()
    }
    fn value(&self, x: &[T]) -> T {
        -self.0.value(x)
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let v = self.0.gradient(x, g);
        g.iter_mut().for_each(|gi| *gi = -*gi);
        -v
    }
}

const STEPS: usize = 20;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn zero_gradient_leaves_sgd_unchanged(
        x in prop::collection::vec(-1e3f64..1e3, 1..8),
        lr in 0.0f64..10.0,
        momentum in 0.0f64..1.0,
        dampening in 0.0f64..1.0,
        nesterov in any::<bool>(),
        maximize in any::<bool>(),
        steps in 1usize..10,
    ) {
        let (nesterov, dampening) = if nesterov { (true, 0.0) } else { (false, dampening) };
        let momentum = if nesterov { momentum.max(0.1) } else { momentum };
        let opt = Sgd::<f64>::new(SgdConfig {
            lr,
            momentum,
            dampening,
            nesterov,
            maximize,
            ..Default::default()
        });
        prop_assert!(opt.is_ok());
        let mut opt = opt.unwrap();
        let mut p = x.clone();
        for _ in 0..steps {
            let mut g = vec![0.0; p.len()];
            opt.step(&mut p, &mut g);
        }
        prop_assert_eq!(p, x);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn maximize_equals_minimizing_the_negation(
        x0 in -1.5f64..1.5,
        x1 in -1.0f64..2.0,
        lr_scale in 0.2f64..2.0,
    ) {
        for (name, params) in configs().into_iter().filter(|(n, _)| has_maximize(n)) {
            let mut params = params;
            params["lr"] = json!(params["lr"].as_f64().unwrap() * lr_scale);
            let mut up = build::<f64>(name, &with_maximize(&params, true));
            let mut down = build::<f64>(name, &with_maximize(&params, false));
            let a = Run::new(&Rosenbrock, Method::Optimizer(up.as_mut())).run(&[x0, x1], STEPS).unwrap();
            let b = Run::new(&Neg(Rosenbrock), Method::Optimizer(down.as_mut())).run(&[x0, x1], STEPS).unwrap();
            prop_assert_eq!(&a.trajectory, &b.trajectory, "{} {}", name, params);
            prop_assert_eq!(a.steps, b.steps);
        }
    }

    #[test]
    fn f32_and_f64_agree(
        x0 in 0.5f64..3.0,
        x1 in -3.0f64..-0.5,
        lr_scale in 0.5f64..2.0,
    ) {
        for (name, params) in configs() {
            let mut params = params;
            params["lr"] = json!(params["lr"].as_f64().unwrap() * lr_scale);
            let mut o64 = build::<f64>(name, &params);
            let mut o32 = build::<f32>(name, &params);
            let a = Run::new(&IllConditioned, Method::Optimizer(o64.as_mut())).run(&[x0, x1], STEPS).unwrap();
            let b = Run::new(&IllConditioned, Method::Optimizer(o32.as_mut())).run(&[x0 as f32, x1 as f32], STEPS).unwrap();
            prop_assert_eq!(a.trajectory.len(), b.trajectory.len());
            for (p, q) in a.trajectory.iter().zip(&b.trajectory) {
                for (u, v) in p.iter().zip(q) {
                    prop_assert!(
                        (u - v).abs() <= 1e-4 * u.abs().max(1.0),
                        "{} {}: f64 {} vs f32 {}", name, params, u, v
                    );
                }
            }
        }
    }
}

/// Ten steps in one go equal five steps, a save/load (through JSON) into a fresh optimiser
/// built from the same config, and five more.
#[test]
fn state_round_trip_resumes_exactly() {
    let f = problems::by_name::<f64>("beale").unwrap();
    let run = |opt: &mut dyn Optimizer<f64>, x: &mut Vec<f64>, n: usize| {
        let mut g = vec![0.0; x.len()];
        let mut pt = vec![0.0; x.len()];
        for _ in 0..n {
            if opt.gradient_point(x, &mut pt) {
                f.gradient(&pt, &mut g);
            } else {
                f.gradient(x, &mut g);
            }
            opt.step(x, &mut g);
        }
    };
    for (name, params) in configs() {
        let mut straight = build::<f64>(name, &params);
        let mut x = vec![2.0, 0.0];
        run(straight.as_mut(), &mut x, 10);

        let mut first = build::<f64>(name, &params);
        let mut y = vec![2.0, 0.0];
        run(first.as_mut(), &mut y, 5);
        let saved = first.state();
        let json = serde_json::to_string(&saved).unwrap();
        let restored: downhill::optim::OptimizerState = serde_json::from_str(&json).unwrap();
        // Same config, but a different lr: the state restores lr (as a schedule left it).
        let mut other = params.clone();
        other["lr"] = json!(123.0);
        let mut second = build::<f64>(name, &other);
        second.load_state(&restored).unwrap();
        assert_eq!(second.lr(), params["lr"].as_f64().unwrap(), "{name}");
        run(second.as_mut(), &mut y, 5);
        assert_eq!(x, y, "{name} {params}");
    }
}

/// A state saved by one optimiser is refused by another.
#[test]
fn state_of_another_optimizer_is_refused() {
    let adam = build::<f64>("adam", &json!({}));
    let mut lion = build::<f64>("lion", &json!({}));
    assert!(lion.load_state(&adam.state()).is_err());
}

/// The property tests above cover every optimiser the registry knows (`configs` derives its
/// list from it).
#[test]
fn properties_cover_every_optimizer() {
    let covered: Vec<_> = configs().into_iter().map(|(n, _)| n).collect();
    for n in downhill::optim::FIRST_ORDER {
        assert!(covered.contains(n), "{n} is not in configs()");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Seed 003: PyTorch's momentum is heavy ball with v = −γb, so `momentum` (heavy_ball)
    /// and `sgd(momentum)` follow the same trajectory; and PyTorch's Nesterov is the seed's
    /// reparametrisation Θ = θ + βv, so the points where `momentum` (nesterov) takes its
    /// gradients are PyTorch-Nesterov's iterates.
    #[test]
    fn seed_003_momentum_is_pytorch_momentum_reparametrised(
        x0 in -1.5f64..1.5,
        x1 in -1.0f64..2.0,
        // Stable range: on this box Rosenbrock's curvature reaches λ ≈ 2700, and Nesterov
        // needs lr·λ < 2(1 + β)/(1 + 2β) ≥ 1.03; above it both sides overflow to inf.
        lr in 1e-4f64..3.5e-4,
        beta in 0.0f64..0.95,
    ) {
        use downhill::optim::{Momentum, MomentumVariant};
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
        use downhill::optim::MomentumConfig;
        let sgd = |nesterov| SgdConfig { lr, momentum: beta, nesterov, ..Default::default() };
        let seed = |variant| MomentumConfig { lr, momentum: beta, variant, ..Default::default() };
        let mut torch_hb = Sgd::<f64>::new(sgd(false)).unwrap();
        let mut torch_nag = Sgd::<f64>::new(sgd(true)).unwrap();
        let mut hb = Momentum::<f64>::new(seed(MomentumVariant::HeavyBall)).unwrap();
        let mut nag = Momentum::<f64>::new(seed(MomentumVariant::Nesterov)).unwrap();
        let (mut p_hb, mut p_nag, mut q_hb, mut q_nag) = ([x0, x1], [x0, x1], [x0, x1], [x0, x1]);
        let mut g = [0.0; 2];
        let mut point = [0.0; 2];
        for _ in 0..20 {
            // The seed's Nesterov evaluates at θ + βv; that point is PyTorch's parameter.
            let at = if nag.gradient_point(&q_nag, &mut point) { point } else { q_nag };
            for i in 0..2 {
                prop_assert!(close(at[i], p_nag[i]), "nesterov: {:?} vs {:?}", at, p_nag);
                prop_assert!(close(q_hb[i], p_hb[i]), "heavy ball: {:?} vs {:?}", q_hb, p_hb);
            }
            Rosenbrock.gradient(&p_nag, &mut g);
            torch_nag.step(&mut p_nag, &mut g);
            Rosenbrock.gradient(&at, &mut g);
            nag.step(&mut q_nag, &mut g);
            Rosenbrock.gradient(&p_hb, &mut g);
            torch_hb.step(&mut p_hb, &mut g);
            Rosenbrock.gradient(&q_hb, &mut g);
            hb.step(&mut q_hb, &mut g);
        }
    }
}
