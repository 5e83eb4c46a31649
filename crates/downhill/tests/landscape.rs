//! The loss landscape (`downhill::landscape`): bit-equality with the training run, the
//! Hessian eigenvalue against the closed form on linear regression, filter normalisation on a
//! real network's layout, thread-count independence.

#![allow(clippy::unwrap_used)]

mod common;

use downhill::data::builtin::SyntheticOptions;
use downhill::data::synthetic_linreg;
use downhill::landscape::{self, directions, sharpness, DirectionKind, LandscapeConfig, Snapshots};
use downhill::model::{Activation, Fit, ModelConfig, ModelKind, Network, OnBatch};
use downhill::optim::{OptimizerConfig, Shape};
use downhill::train::{SwaConfig, TrainConfig, TrainResult, Trainer};

fn small() -> LandscapeConfig {
    LandscapeConfig {
        alpha_resolution: 4,
        surface_points: 5,
        power_iterations: 50,
        epsilon_steps: 5,
        ..LandscapeConfig::default()
    }
}

/// Trains the blobs MLP (batch 8, SGD with momentum) with optional SWA; returns the result
/// and the epoch-end snapshots.
fn trained(swa: bool) -> (Network<f64>, TrainResult, Vec<Vec<f64>>) {
    trained_with(swa, "sgd", serde_json::json!({"lr": 0.1, "momentum": 0.9}))
}

/// [`trained`] with optimiser `name` and its `params`.
fn trained_with(
    swa: bool,
    name: &str,
    params: serde_json::Value,
) -> (Network<f64>, TrainResult, Vec<Vec<f64>>) {
    let (tr, va) = common::blobs(1.0);
    let net = common::mlp(&tr, 6);
    let mut cfg = TrainConfig {
        epochs: 6,
        batch_size: 8,
        seed: 3,
        ..Default::default()
    };
    if swa {
        cfg.swa = Some(SwaConfig {
            swa_start: 3,
            swa_lr: 0.05.into(),
            anneal_epochs: 0,
            anneal_strategy: Default::default(),
        });
    }
    let snaps = Snapshots::new();
    let mut opt = OptimizerConfig::from_named(name, params)
        .unwrap()
        .build::<f64>()
        .unwrap();
    let res = {
        let mut t = Trainer::new(&net, &tr, cfg);
        t.val = Some(&va);
        t.callbacks.push(Box::new(snaps.clone()));
        t.run(opt.as_mut(), &net.init(3), None).unwrap()
    };
    (net, res, snaps.taken())
}

#[test]
fn endpoints_and_centre_equal_the_training_run_bit_for_bit() {
    let (tr, va) = common::blobs(1.0);
    // Schedule-free: the trained point, the final losses and the snapshots are all the
    // evaluation point x (the parameters the optimiser steps are y).
    let sf = || trained_with(false, "sgd_schedule_free", serde_json::json!({"lr": 0.5}));
    let (_, sf_res, sf_snaps) = sf();
    assert_eq!(sf_snaps.last(), Some(&sf_res.params));
    for run in [Some(false), Some(true), None] {
        let (net, res, snaps) = match run {
            Some(swa) => trained(swa),
            None => sf(),
        };
        let theta0 = net.init(3);
        for kind in [DirectionKind::Random, DirectionKind::Pca] {
            let cfg = LandscapeConfig {
                directions: kind,
                ..small()
            };
            let l = landscape::compute(
                &net,
                &tr,
                Some(&va),
                &theta0,
                &res.params,
                Some(&snaps),
                &cfg,
            )
            .unwrap();
            let i = &l.interpolation;
            let at = |a: f64| i.alpha.iter().position(|&x| x == a).unwrap();
            assert_eq!(i.alpha.first(), Some(&-0.5));
            assert_eq!(i.alpha.last(), Some(&1.5));
            assert_eq!(i.train_loss[at(0.0)].to_bits(), res.train_loss[0].to_bits());
            assert_eq!(
                i.train_loss[at(1.0)].to_bits(),
                res.final_train_loss.to_bits()
            );
            let final_val = res.final_val.unwrap().loss;
            assert_eq!(i.val_loss[at(1.0)].to_bits(), final_val.to_bits());
            let s = &l.surface;
            let (ia, ib) = (
                s.a.iter().position(|&x| x == 0.0).unwrap(),
                s.b.iter().position(|&x| x == 0.0).unwrap(),
            );
            assert_eq!(
                s.train_loss[ib][ia].to_bits(),
                res.final_train_loss.to_bits()
            );
            assert_eq!(s.train_loss.len(), s.b.len());
            assert!(s.train_loss.iter().all(|r| r.len() == s.a.len()));
            // Off the centre the loss moves, so the grid is not a constant.
            assert!(s.train_loss[0][0] != s.train_loss[ib][ia]);
            assert_eq!(s.trajectory.is_some(), kind == DirectionKind::Pca);
            assert!(l.sharpness.hessian_max_eigenvalue > 0.0);
            assert!(l.sharpness.epsilon_sharpness >= 0.0);
        }
    }
}

#[test]
fn results_are_the_same_at_one_and_two_threads() {
    let (tr, va) = common::blobs(1.0);
    let (net, res, snaps) = trained(false);
    let theta0 = net.init(3);
    let cfg = LandscapeConfig {
        directions: DirectionKind::Pca,
        ..small()
    };
    let spec = net.spec().clone();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let net = Network::<f64>::new(spec.clone()).unwrap();
                landscape::compute(
                    &net,
                    &tr,
                    Some(&va),
                    &theta0,
                    &res.params,
                    Some(&snaps),
                    &cfg,
                )
                .unwrap()
            })
    };
    let (one, two) = (run(1), run(2));
    let bits = |l: &landscape::Landscape| serde_json::to_string(l).unwrap();
    assert_eq!(bits(&one), bits(&two));
}

/// Eigenvalues of a symmetric 3×3 matrix in closed form (the trigonometric solution of the
/// characteristic cubic), largest first.
fn eig3(a: [[f64; 3]; 3]) -> [f64; 3] {
    let p1 = a[0][1].powi(2) + a[0][2].powi(2) + a[1][2].powi(2);
    let q = (a[0][0] + a[1][1] + a[2][2]) / 3.0;
    let p2 = (a[0][0] - q).powi(2) + (a[1][1] - q).powi(2) + (a[2][2] - q).powi(2) + 2.0 * p1;
    let p = (p2 / 6.0).sqrt();
    let b: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            (0..3)
                .map(|j| (a[i][j] - if i == j { q } else { 0.0 }) / p)
                .collect()
        })
        .collect();
    let det = b[0][0] * (b[1][1] * b[2][2] - b[1][2] * b[2][1])
        - b[0][1] * (b[1][0] * b[2][2] - b[1][2] * b[2][0])
        + b[0][2] * (b[1][0] * b[2][1] - b[1][1] * b[2][0]);
    let phi = (det / 2.0).clamp(-1.0, 1.0).acos() / 3.0;
    let l1 = q + 2.0 * p * phi.cos();
    let l3 = q + 2.0 * p * (phi + 2.0 * std::f64::consts::PI / 3.0).cos();
    [l1, 3.0 * q - l1 - l3, l3]
}

#[test]
fn hessian_eigenvalue_on_linear_regression_is_the_closed_form() {
    let data = synthetic_linreg::<f64>(&SyntheticOptions::default()).unwrap();
    let model = ModelConfig {
        kind: ModelKind::Linear,
        hidden: vec![],
        activation: Activation::Relu,
        head: None,
    };
    let net = Network::new(model.spec(&data).unwrap()).unwrap();
    // (1/n)·[X 1]ᵀ[X 1].
    let n = data.n();
    let mut m = [[0.0; 3]; 3];
    for i in 0..n {
        let r = data.row(i);
        let z = [r[0], r[1], 1.0];
        for (j, row) in m.iter_mut().enumerate() {
            for (k, v) in row.iter_mut().enumerate() {
                *v += z[j] * z[k] / n as f64;
            }
        }
    }
    let want = eig3(m)[0];
    let f = OnBatch {
        fit: Fit {
            net: &net,
            data: &data,
        },
        batch: (0..n).collect(),
    };
    for theta in [vec![0.3, -1.0, 0.7], vec![2.0, -3.4, 4.2]] {
        let e = sharpness::hessian_max_eigenvalue(&f, &theta, 500, 1e-14, 0);
        assert!(e.converged, "{e:?}");
        assert!(
            (e.value - want).abs() <= 1e-6 * want,
            "{} vs closed form {want}",
            e.value
        );
    }
}

#[test]
fn filter_normalisation_on_a_network_layout() {
    let (tr, _) = common::blobs(1.0);
    let net = common::mlp(&tr, 5);
    let shapes = net.shapes();
    assert_eq!(shapes.iter().map(Shape::len).sum::<usize>(), net.n_params());
    let theta: Vec<f64> = net
        .init(1)
        .iter()
        .enumerate()
        .map(|(i, v)| v + 0.01 * i as f64)
        .collect();
    let d = directions::random_direction(&shapes, &theta, 9, 0, true);
    let mut at = 0;
    for s in &shapes {
        if let Shape::Matrix { rows, cols } = *s {
            for r in 0..rows {
                let row = at + r * cols..at + (r + 1) * cols;
                let (nd, nt) = (
                    directions::norm(&d[row.clone()]),
                    directions::norm(&theta[row]),
                );
                assert!((nd - nt).abs() <= 1e-12 * nt, "row {r}: {nd} vs {nt}");
            }
        } else {
            assert!(d[at..at + s.len()].iter().all(|&v| v == 0.0));
        }
        at += s.len();
    }
}

#[test]
fn bad_settings_are_refused_naming_the_key() {
    let bad = [
        LandscapeConfig {
            surface_points: 40,
            ..LandscapeConfig::default()
        },
        LandscapeConfig {
            alpha_range: [0.2, 1.5],
            ..LandscapeConfig::default()
        },
        LandscapeConfig {
            epsilon: 0.0,
            ..LandscapeConfig::default()
        },
    ];
    for (cfg, key) in bad.iter().zip(["surface_points", "alpha_range", "epsilon"]) {
        match cfg.validate() {
            Err(downhill::Error::InvalidParameter { key: k, .. }) => assert_eq!(k, key),
            other => panic!("{key}: {other:?}"),
        }
    }
    let cfg = LandscapeConfig::default();
    let alphas = cfg.alphas();
    assert_eq!(alphas.len(), 41);
    assert!(alphas.contains(&0.0) && alphas.contains(&1.0));
    assert_eq!(cfg.axis(1.0)[20], 0.0);
}
