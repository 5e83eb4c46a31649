//! Optimiser states written by the pre-redesign code (v1, `tests/data/v1_states/*.json`) load
//! into today's optimisers, save back to the identical v1 shape, and resume bit-identically.
//!
//! Each fixture holds the optimiser and wrapper configs, the parameters `x` after 7 steps,
//! the v1 `OptimizerState` at that point, and the bits of `x` after each of 6 further steps,
//! all written by the v1 code (commit 0e28a74, `tests/gen_v1.rs`) on the problem below, with
//! the lr scaled by 0.97 before every step (so the saved lr is not the configured one).

#![allow(clippy::unwrap_used)] // a test crate: helpers outside #[test] fns unwrap too

use downhill::optim::{Optimizer, OptimizerConfig, OptimizerState, WrappersConfig};
use downhill::Float;
use serde_json::Value;

/// The fixture's gradient: g_i = (i+1)/4·x_i − 1 + 0.1·x_{i−1}.
fn grad<T: Float>(x: &[T], g: &mut [T]) {
    for i in 0..x.len() {
        let prev = if i == 0 { T::zero() } else { x[i - 1] };
        g[i] = T::of((i + 1) as f64 / 4.0) * x[i] - T::one() + T::of(0.1) * prev;
    }
}

fn resume<T: Float>(doc: &Value) {
    let case = doc["case"].as_str().unwrap();
    let mut params = doc["optimizer"].clone();
    let name = params["name"].as_str().unwrap().to_string();
    params.as_object_mut().unwrap().remove("name");
    let cfg = OptimizerConfig::from_named(&name, params).unwrap();
    let wrappers: WrappersConfig = serde_json::from_value(doc["wrappers"].clone()).unwrap();
    let mut opt = wrappers.apply(cfg.build::<T>().unwrap()).unwrap();
    let v1: OptimizerState = serde_json::from_value(doc["state"].clone()).unwrap();
    opt.load_state(&v1).unwrap();
    assert_eq!(
        opt.state(),
        v1,
        "{case}: the state saves back to the same v1 shape"
    );
    let mut x: Vec<T> = doc["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| T::of(v.as_f64().unwrap()))
        .collect();
    let mut g = vec![T::zero(); x.len()];
    for (k, want) in doc["expected_bits"].as_array().unwrap().iter().enumerate() {
        grad(&x, &mut g);
        opt.set_lr(opt.lr() * 0.97);
        opt.step(&mut x, &mut g);
        let got: Vec<u64> = x.iter().map(|v| v.f64().to_bits()).collect();
        let want: Vec<u64> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_u64().unwrap())
            .collect();
        assert_eq!(got, want, "{case}: step {} after the resume", k + 1);
    }
}

#[test]
fn v1_states_resume_bit_identically() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v1_states");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        match doc["precision"].as_str().unwrap() {
            "f32" => resume::<f32>(&doc),
            _ => resume::<f64>(&doc),
        }
        n += 1;
    }
    assert!(n >= 14, "only {n} fixtures");
}
