//! The learning-rate-free rules with several parameter groups, against the packages
//! (`group_cases` of `reference/lrfree_refs.json`, written by `make_lrfree_refs.py`): the
//! library's [`Grouped`] optimiser as a `[[optimizer.param_groups]]` config builds it, with
//! one d shared by the groups as the packages keep it. Also: the packages' lr rule, the
//! checkpoint of shared groups, and sgld's independent streams per group.

use downhill::optim::{
    Grouped, Hyper, Optimizer, OptimizerConfig, ParamGroupConfig, Shape, Tensor,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{assert_close, matrix_grad};

/// One case of `group_cases`.
#[derive(Deserialize)]
struct GroupCase {
    optimizer: String,
    params: Map<String, Value>,
    function: String,
    shapes: Vec<Vec<usize>>,
    groups: Vec<Map<String, Value>>,
    trajectory: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Doc {
    group_cases: Vec<GroupCase>,
}

fn cases() -> Vec<GroupCase> {
    let raw = include_str!("../reference/lrfree_refs.json");
    serde_json::from_str::<Doc>(raw).unwrap().group_cases
}

fn shape(t: &[usize]) -> Shape {
    match *t {
        [rows, cols] => Shape::Matrix { rows, cols },
        [n] => Shape::Vector(n),
        _ => panic!("shape {t:?}"),
    }
}

/// Tensors `t0`, `t1`, … of `shapes`, in order.
fn tensors(shapes: &[Vec<usize>]) -> Vec<Tensor> {
    let mut at = 0;
    let mut out = Vec::new();
    for (i, t) in shapes.iter().enumerate() {
        let s = shape(t);
        out.push(Tensor::new(&format!("t{i}"), at..at + s.len(), s));
        at += s.len();
    }
    out
}

/// The case's [`Grouped`] optimiser, as a config with group 0 the top-level `[optimizer]`
/// (the unmatched tensors) and each later group a `[[optimizer.param_groups]]` entry over
/// its tensors' names; a group at lr 0 gets it after construction (as a schedule sets it).
fn grouped(c: &GroupCase) -> Grouped<f64> {
    let mut frozen = Vec::new();
    let mut configs = Vec::new();
    for (k, g) in c.groups.iter().enumerate() {
        let mut p = c.params.clone();
        for (key, v) in g {
            if key == "tensors" {
                continue;
            }
            if key == "lr" && v.as_f64() == Some(0.0) {
                frozen.push(k);
                continue;
            }
            p.insert(key.clone(), v.clone());
        }
        configs.push(OptimizerConfig::from_named(&c.optimizer, Value::Object(p)).unwrap());
    }
    let groups: Vec<ParamGroupConfig> = c.groups[1..]
        .iter()
        .zip(&configs[1..])
        .map(|(g, cfg)| ParamGroupConfig {
            params: g["tensors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| format!("t{i}"))
                .collect(),
            optimizer: cfg.clone(),
        })
        .collect();
    let mut opt = Grouped::<f64>::new(&tensors(&c.shapes), &configs[0], &groups).unwrap();
    for k in frozen {
        let h = opt.hyper(k);
        opt.set_hyper(k, Hyper { lr: 0.0, ..h });
    }
    opt
}

/// Every group case (60 steps, float64) matches the package's trajectory to 1e-6 relative
/// (in practice ~1e-13).
#[test]
fn shared_d_groups_match_the_packages() {
    let all = cases();
    assert!(all.len() >= 9);
    for name in ["prodigy", "dadapt_adam", "dadapt_sgd"] {
        assert!(all.iter().any(|c| c.optimizer == name), "{name}");
    }
    let mut worst: f64 = 0.0;
    for c in &all {
        let mut opt = grouped(c);
        assert_eq!(opt.groups(), c.groups.len());
        let mut x = c.trajectory[0].clone();
        let mut g = vec![0.0; x.len()];
        for (k, want) in c.trajectory.iter().enumerate().skip(1) {
            matrix_grad(&c.function, &x, &mut g);
            opt.step(&mut x, &mut g);
            for (i, (&got, &w)) in x.iter().zip(want).enumerate() {
                let what = format!(
                    "{} {:?} {:?} step {k} x[{i}]",
                    c.optimizer, c.params, c.groups
                );
                assert_close(&what, got, w);
                worst = worst.max((got - w).abs() / w.abs().max(1e-3));
            }
        }
    }
    println!("shared-d groups: worst relative error {worst:e}");
    assert!(worst <= 1e-9, "worst relative error {worst:e}");
}

/// A checkpoint of shared groups resumes bit for bit; a state with one d per group (as
/// written before the groups shared d) is refused, naming `groups`.
#[test]
fn shared_groups_checkpoint_round_trips_and_old_states_are_refused() {
    let c = &cases()[0];
    let mut a = grouped(c);
    let mut x = c.trajectory[0].clone();
    let mut g = vec![0.0; x.len()];
    for _ in 0..5 {
        matrix_grad(&c.function, &x, &mut g);
        a.step(&mut x, &mut g);
    }
    let saved = a.state();
    assert_eq!(saved.scalars["param_groups.0.groups"], 2.0);
    let mut b = grouped(c);
    b.load_state(&saved).unwrap();
    let mut y = x.clone();
    for _ in 0..5 {
        matrix_grad(&c.function, &x, &mut g);
        a.step(&mut x, &mut g);
        matrix_grad(&c.function, &y, &mut g);
        b.step(&mut y, &mut g);
    }
    assert_eq!(x, y);
    // The old layout: one prodigy state per group, under param_groups.0. and .1.
    let mut old = downhill::optim::OptimizerState::new("param_groups");
    for (k, v) in &saved.scalars {
        if let Some(rest) = k.strip_prefix("param_groups.0.") {
            if !rest.starts_with("groups") {
                old.scalars.insert(format!("param_groups.0.{rest}"), *v);
                old.scalars.insert(format!("param_groups.1.{rest}"), *v);
            }
        }
    }
    let err = grouped(c).load_state(&old).unwrap_err().to_string();
    assert!(err.contains("groups") && err.contains("one d"), "{err}");
}

/// Different nonzero lrs across the groups are an error naming the group's lr key, as the
/// packages refuse them ("... only supported for values of 0").
#[test]
fn different_lrs_are_refused_naming_the_group() {
    let t = tensors(&[vec![2, 2], vec![3]]);
    for name in ["prodigy", "dadapt_adam", "dadapt_sgd"] {
        let base = OptimizerConfig::from_named(name, json!({})).unwrap();
        let half = OptimizerConfig::from_named(name, json!({"lr": 0.5})).unwrap();
        let groups = [ParamGroupConfig {
            params: vec!["t1".into()],
            optimizer: half.clone(),
        }];
        let err = Grouped::<f64>::new(&t, &base, &groups)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("param_groups[0].lr") && err.contains("values of 0"),
            "{err}"
        );
        // The largest is the default group's lr 1: reversed, the default group is named.
        let groups = [ParamGroupConfig {
            params: vec!["t1".into()],
            optimizer: base.clone(),
        }];
        let err = Grouped::<f64>::new(&t, &half, &groups)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("value for `optimizer.lr`"), "{err}");
        // Equal lrs are fine; an lr set apart later (a schedule) skips the step.
        let mut ok = Grouped::<f64>::new(
            &t,
            &half,
            &[ParamGroupConfig {
                params: vec!["t1".into()],
                optimizer: half.clone(),
            }],
        )
        .unwrap();
        ok.set_hyper(
            1,
            Hyper {
                lr: 0.25,
                ..ok.hyper(1)
            },
        );
        let (mut x, mut g) = (vec![1.0; 7], vec![1.0; 7]);
        ok.step(&mut x, &mut g);
        assert_eq!((x, ok.skipped()), (vec![1.0; 7], 1));
    }
}

/// sgld with two groups: group 0 draws the stream of an ungrouped run (bit for bit), group 1
/// an independent one (its noise differs from group 0's at the same seed).
#[test]
fn sgld_groups_draw_independent_streams() {
    let t = tensors(&[vec![4], vec![4]]);
    let cfg = OptimizerConfig::from_named("sgld", json!({"lr": 0.1, "seed": 5})).unwrap();
    let groups = [ParamGroupConfig {
        params: vec!["t1".into()],
        optimizer: cfg.clone(),
    }];
    let mut opt = Grouped::<f64>::new(&t, &cfg, &groups).unwrap();
    let mut alone = cfg.build::<f64>().unwrap();
    // Zero gradients: each step adds only the noise.
    let (mut x, mut y) = (vec![0.0; 8], vec![0.0; 4]);
    for _ in 0..3 {
        opt.step(&mut x, &mut [0.0; 8]);
        alone.step(&mut y, &mut [0.0; 4]);
    }
    assert_eq!(&x[..4], &y[..]);
    assert!(x[4..].iter().zip(&x[..4]).all(|(a, b)| a != b), "{x:?}");
    assert_eq!(opt.state().scalars["param_groups.1.stream"], 1.0);
    assert_eq!(opt.state().scalars["param_groups.0.stream"], 0.0);
}
