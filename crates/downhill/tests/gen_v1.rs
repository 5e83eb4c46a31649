//! TEMPORARY: writes v1 optimiser states with the pre-redesign code (deleted afterwards).
#![allow(clippy::unwrap_used)]
use downhill::optim::{Optimizer, OptimizerConfig, WrappersConfig};
use serde_json::json;

fn grad<T: downhill::Float>(x: &[T], g: &mut [T]) {
    // A skewed quadratic with a coupling term: g_i = (i+1)/4·x_i − 1 + 0.1·x_{i−1}.
    for i in 0..x.len() {
        let prev = if i == 0 { T::zero() } else { x[i - 1] };
        g[i] = T::of((i + 1) as f64 / 4.0) * x[i] - T::one() + T::of(0.1) * prev;
    }
}

fn case<T: downhill::Float>(name: &str, cfg: serde_json::Value, wr: serde_json::Value, n: usize) {
    let opt_name = cfg["name"].as_str().unwrap().to_string();
    let mut params = cfg.clone();
    params.as_object_mut().unwrap().remove("name");
    let c = OptimizerConfig::from_named(&opt_name, params).unwrap();
    let w: WrappersConfig = serde_json::from_value(wr.clone()).unwrap();
    let mut opt = w.apply(c.build::<T>().unwrap()).unwrap();
    let mut x: Vec<T> = (0..n).map(|i| T::of(0.5 - 0.3 * i as f64)).collect();
    let mut g = vec![T::zero(); n];
    for k in 0..7 {
        grad(&x, &mut g);
        if k == 2 && name.contains("wrappers") {
            g[0] = T::nan();
        }
        opt.set_lr(opt.lr() * 0.97);
        opt.step(&mut x, &mut g);
    }
    let state = opt.state();
    let x_at = x.iter().map(|v| v.f64()).collect::<Vec<_>>();
    let mut expected = Vec::new();
    for _ in 0..6 {
        grad(&x, &mut g);
        opt.set_lr(opt.lr() * 0.97);
        opt.step(&mut x, &mut g);
        expected.push(x.iter().map(|v| v.f64().to_bits()).collect::<Vec<_>>());
    }
    let doc = json!({
        "case": name,
        "precision": std::any::type_name::<T>(),
        "optimizer": cfg,
        "wrappers": wr,
        "x": x_at,
        "state": state,
        "expected_bits": expected,
    });
    let path = format!("{}/tests/data/v1_states/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

#[test]
fn write_v1_states() {
    case::<f64>("sgd_momentum", json!({"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": true}), json!({}), 5);
    case::<f32>("sgd_momentum_bf16", json!({"name": "sgd", "lr": 0.05, "momentum": 0.8, "dampening": 0.1, "state_precision": "bf16"}), json!({}), 37);
    case::<f64>("adam_amsgrad", json!({"name": "adam", "lr": 0.05, "amsgrad": true, "weight_decay": 0.01}), json!({}), 5);
    case::<f32>("adam_bf16", json!({"name": "adam", "lr": 0.02, "betas": [0.8, 0.99], "state_precision": "bf16"}), json!({}), 37);
    case::<f64>("adamw", json!({"name": "adamw", "lr": 0.05}), json!({}), 5);
    case::<f64>("nadam", json!({"name": "nadam", "lr": 0.05, "decoupled_weight_decay": true, "weight_decay": 0.1}), json!({}), 5);
    case::<f64>("rmsprop_centered", json!({"name": "rmsprop", "lr": 0.01, "centered": true, "momentum": 0.5}), json!({}), 5);
    case::<f64>("momentum_nesterov", json!({"name": "momentum", "lr": 0.05, "variant": "nesterov"}), json!({}), 5);
    case::<f64>("wrappers_adam", json!({"name": "adam", "lr": 0.05}), json!({"skip_non_finite": true, "accumulate_steps": 2, "clip_grad_norm": 1.0, "clip_grad_value": 3.0, "lookahead": {"k": 2, "alpha": 0.5}}), 5);
    for (n, c) in [
        ("adagrad", json!({"name": "adagrad", "lr": 0.1, "lr_decay": 0.01})),
        ("radam", json!({"name": "radam", "lr": 0.05, "betas": [0.9, 0.9]})),
        ("adamax", json!({"name": "adamax", "lr": 0.05})),
        ("adadelta", json!({"name": "adadelta", "lr": 0.5})),
        ("lion", json!({"name": "lion", "lr": 0.01, "weight_decay": 0.1})),
    ] {
        case::<f64>(n, c, json!({}), 5);
    }
}
