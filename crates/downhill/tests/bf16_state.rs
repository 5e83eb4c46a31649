//! `state_precision = "bf16"` for adam, adamw and sgd momentum: configuration, checkpoint
//! round trip, and training quality within 1 % of full-precision state on a linear
//! regression.

use downhill::optim::{Optimizer, OptimizerConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

fn build(name: &str, params: serde_json::Value) -> Box<dyn Optimizer<f32>> {
    OptimizerConfig::from_named(name, params)
        .expect("valid config")
        .build::<f32>()
        .expect("builds")
}

#[test]
fn config_accepts_bf16_and_refuses_it_with_amsgrad() {
    for name in ["adam", "adamw", "sgd"] {
        let c = OptimizerConfig::from_named(name, json!({"state_precision": "bf16"})).unwrap();
        assert!(c.build::<f32>().is_ok());
    }
    let c =
        OptimizerConfig::from_named("adam", json!({"state_precision": "bf16", "amsgrad": true}))
            .unwrap();
    let e = c.build::<f32>().err().unwrap().to_string();
    assert!(e.contains("state_precision"), "{e}");
    assert!(OptimizerConfig::from_named("adam", json!({"state_precision": "fp8"})).is_err());
}

/// Linear regression `y = Xw* + 0.5 + 0.1ε` (n = 4000, d = 20), mini-batches of 64,
/// 3 epochs; returns the final ½·MSE over all samples.
fn train_linreg(opt: &mut dyn Optimizer<f32>) -> f64 {
    let (n, d, batch) = (4000usize, 20usize, 64usize);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let w_true: Vec<f32> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
    let x: Vec<f32> = (0..n * d).map(|_| rng.random_range(-1.7..1.7)).collect();
    let y: Vec<f32> = (0..n)
        .map(|i| {
            let r = &x[i * d..(i + 1) * d];
            r.iter().zip(&w_true).map(|(a, b)| a * b).sum::<f32>()
                + 0.5
                + 0.1 * rng.random_range(-1.7f32..1.7)
        })
        .collect();
    let mut p = vec![0.0f32; d + 1];
    let mut g = vec![0.0f32; d + 1];
    for _ in 0..3 {
        for start in (0..n).step_by(batch) {
            g.iter_mut().for_each(|v| *v = 0.0);
            let end = (start + batch).min(n);
            for i in start..end {
                let r = &x[i * d..(i + 1) * d];
                let e = r.iter().zip(&p).map(|(a, b)| a * b).sum::<f32>() + p[d] - y[i];
                for k in 0..d {
                    g[k] += e * r[k] / (end - start) as f32;
                }
                g[d] += e / (end - start) as f32;
            }
            opt.step(&mut p, &mut g);
        }
    }
    (0..n)
        .map(|i| {
            let r = &x[i * d..(i + 1) * d];
            let e = r.iter().zip(&p).map(|(a, b)| a * b).sum::<f32>() + p[d] - y[i];
            0.5 * (e as f64).powi(2)
        })
        .sum::<f64>()
        / n as f64
}

#[test]
fn bf16_state_trains_linear_regression_within_one_percent() {
    for (name, params) in [
        ("adam", json!({"lr": 0.02})),
        ("adamw", json!({"lr": 0.02})),
        ("sgd", json!({"lr": 0.02, "momentum": 0.9})),
    ] {
        let full = train_linreg(build(name, params.clone()).as_mut());
        let mut p16 = params.clone();
        p16["state_precision"] = json!("bf16");
        let half = train_linreg(build(name, p16).as_mut());
        // The noise floor is ½·0.1²·E[ε²] ≈ 0.005: both must get close to it.
        assert!(full < 0.01, "{name}: {full}");
        assert!(
            (half - full).abs() <= 0.01 * full,
            "{name}: bf16 {half} vs full {full}"
        );
    }
}

#[test]
fn bf16_state_survives_a_checkpoint_round_trip() {
    for (name, params) in [
        ("adam", json!({"state_precision": "bf16"})),
        ("sgd", json!({"momentum": 0.9, "state_precision": "bf16"})),
    ] {
        let mut a = build(name, params.clone());
        let mut x = vec![1.0f32, -2.0, 3.0];
        for _ in 0..3 {
            let mut g = x.clone();
            a.step(&mut x, &mut g);
        }
        // The state really is bfloat16: every value has zero low 16 bits as an f32.
        let st = a.state();
        let vals: Vec<f64> = st.buffers.values().flatten().copied().collect();
        assert!(vals.iter().any(|v| *v != 0.0), "{name}");
        assert!(
            vals.iter().all(|v| (*v as f32).to_bits() & 0xffff == 0),
            "{name}"
        );
        let mut b = build(name, params);
        b.load_state(&st).unwrap();
        let (mut xa, mut xb) = (x.clone(), x.clone());
        a.step(&mut xa, &mut x.clone());
        b.step(&mut xb, &mut x.clone());
        assert_eq!(xa, xb, "{name}");
    }
}
