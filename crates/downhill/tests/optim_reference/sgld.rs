//! SGLD's closed-form reference cases (it has no reference package).

use downhill::optim::{OptimizerConfig, Shape};

use super::matrix_grad;

/// SGLD at temperature 0 is SGD with half the learning rate (closed form): the same
/// trajectory to 1e-15 relative, 60 steps on rosenbrock, beale and a two-tensor quartic,
/// with weight decay and maximize too.
#[test]
fn sgld_at_temperature_0_is_sgd_with_half_the_lr() {
    use serde_json::json;
    let cases = [
        (json!({"lr": 2e-3}), "rosenbrock", vec![-1.2, 1.0]),
        (
            json!({"lr": 1e-5, "maximize": true}),
            "rosenbrock",
            vec![-1.2, 1.0],
        ),
        (
            json!({"lr": 0.02, "weight_decay": 0.1}),
            "beale",
            vec![1.0, 1.0],
        ),
        (
            json!({"lr": 0.01, "weight_decay": 0.05}),
            "quartic",
            vec![0.5, -0.3, 1.2, 0.1, -0.7, 0.4, 0.9],
        ),
    ];
    for (params, function, x0) in cases {
        let mut sgld = params.clone();
        sgld["temperature"] = json!(0.0);
        sgld["seed"] = json!(3);
        let mut sgd = params.clone();
        sgd["lr"] = json!(params["lr"].as_f64().unwrap() / 2.0);
        let mut a = OptimizerConfig::from_named("sgld", sgld)
            .unwrap()
            .build::<f64>()
            .unwrap();
        let mut b = OptimizerConfig::from_named("sgd", sgd)
            .unwrap()
            .build::<f64>()
            .unwrap();
        if x0.len() > 2 {
            a.set_shapes(&[Shape::Matrix { rows: 2, cols: 2 }, Shape::Vector(3)])
                .unwrap();
        }
        let (mut x, mut y) = (x0.clone(), x0);
        let mut g = vec![0.0; x.len()];
        for k in 1..=60 {
            matrix_grad(function, &x, &mut g);
            a.step(&mut x, &mut g);
            matrix_grad(function, &y, &mut g);
            b.step(&mut y, &mut g);
            for (i, (p, q)) in x.iter().zip(&y).enumerate() {
                assert!(
                    q.is_finite() && (p - q).abs() <= 1e-15 * q.abs(),
                    "sgld {params} on {function}: step {k} x[{i}] = {p} but sgd {q}"
                );
            }
        }
    }
}

/// SGLD's noise is the stream its docs describe: with ∇U = 0 each step adds √(lr·T)·z per
/// coordinate, z from Box–Muller on `ChaCha8Rng::seed_from_u64(seed)`: per pair of
/// coordinates words a, b, u₁ = ((a >> 11) + 1)·2⁻⁵³, u₂ = (b >> 11)·2⁻⁵³,
/// z = √(−2 ln u₁)·(cos 2πu₂, sin 2πu₂) (an odd last coordinate takes the cos). Transcribed
/// here independently; 50 steps over 5 coordinates, to 1e-15.
#[test]
fn sgld_noise_is_the_documented_chacha_stream() {
    use rand::{RngCore, SeedableRng};
    let (lr, temperature, seed) = (0.09f64, 4.0f64, 123u64);
    let cfg = serde_json::json!({"lr": lr, "temperature": temperature, "seed": seed});
    let mut opt = OptimizerConfig::from_named("sgld", cfg)
        .unwrap()
        .build::<f64>()
        .unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let sigma = (lr * temperature).sqrt();
    let two53 = 9007199254740992.0;
    let (mut x, mut want) = (vec![0.5; 5], vec![0.5; 5]);
    for k in 1..=50 {
        for i in (0..5).step_by(2) {
            let (a, b) = (rng.next_u64(), rng.next_u64());
            let u1 = ((a >> 11) + 1) as f64 / two53;
            let u2 = (b >> 11) as f64 / two53;
            let r = (-2.0 * u1.ln()).sqrt();
            let t = 2.0 * std::f64::consts::PI * u2;
            want[i] += sigma * r * t.cos();
            if i + 1 < 5 {
                want[i + 1] += sigma * r * t.sin();
            }
        }
        opt.step(&mut x, &mut [0.0; 5]);
        for (i, (p, q)) in x.iter().zip(&want).enumerate() {
            assert!(
                (p - q).abs() <= 1e-15 * q.abs().max(1.0),
                "step {k} x[{i}]: {p} vs {q}"
            );
        }
    }
}
