//! SGLD's distribution (a KS test on a double well), its stream, resume and thread count.

use super::*;
use crate::stats::{ks_p_value, ks_statistic, Cdf};
use crate::data::builtin::SyntheticOptions;
use crate::data::{prepare, synthetic_classification};
use crate::model::{Activation, ModelConfig, ModelKind, Network};
use crate::train::{Checkpoint, TrainConfig, Trainer};

/// The double well U(θ) = (θ² − 1)².
fn double_well_grad(x: f64) -> f64 {
    4.0 * x * (x * x - 1.0)
}

/// The CDF of the density ∝ exp(−U/T) of the double well on [−3, 3] (U(±3) = 64: the mass
/// outside is below e⁻⁶⁴), `n` trapezoids.
fn well_cdf(temperature: f64, n: usize) -> Cdf {
    Cdf::of_density(
        |x| (-(x * x - 1.0f64).powi(2) / temperature).exp(),
        -3.0,
        3.0,
        n,
    )
}

/// `n` samples of the double well at temperature `temp`: a burn-in of `burn` steps from
/// θ = 0, then one sample every `thin` steps.
fn double_well_samples(cfg: SgldConfig, n: usize, burn: usize, thin: usize) -> Vec<f64> {
    let mut opt = Sgld::<f64>::new(cfg).unwrap();
    let mut x = [0.0];
    let mut out = Vec::with_capacity(n);
    for k in 0..burn + n * thin {
        let mut g = [double_well_grad(x[0])];
        opt.step(&mut x, &mut g);
        if k >= burn && (k - burn + 1).is_multiple_of(thin) {
            out.push(x[0]);
        }
    }
    out
}

#[test]
fn kolmogorov_tail_by_hand() {
    // The classic critical values: λ = 1.358 → p ≈ 0.05, λ = 1.628 → p ≈ 0.01.
    let q = |lambda: f64| ks_p_value(lambda / 1e4f64.sqrt(), 10_000);
    assert!((q(1.358) - 0.05).abs() < 2e-3, "{}", q(1.358));
    assert!((q(1.628) - 0.01).abs() < 1e-3, "{}", q(1.628));
    let cdf = well_cdf(1.0, 6000);
    assert!((cdf.at(0.0) - 0.5).abs() < 1e-12);
}

/// Seed 003: SGLD's samples of the double well U(θ) = (θ² − 1)² follow exp(−U/T), at T = 1
/// and T = 0.5, by a KS test at p > 0.01 (lr 0.01: a step of 0.005 of the diffusion; 2000
/// samples, one every 2000 steps, after 10⁴ steps of burn-in).
#[test]
fn double_well_samples_follow_the_boltzmann_density() {
    for (temperature, seed) in [(1.0, 3), (0.5, 7)] {
        let cfg = SgldConfig {
            lr: 0.01,
            temperature,
            seed,
            ..Default::default()
        };
        let mut s = double_well_samples(cfg, 2000, 10_000, 2000);
        let d = ks_statistic(&mut s, &well_cdf(temperature, 6000));
        let p = ks_p_value(d, s.len());
        assert!(p > 0.01, "T = {temperature}: D = {d}, p = {p}");
        // And not SGD: without noise it would sit at a minimum (±1).
        let spread = s.iter().filter(|x| x.abs() < 0.5).count();
        assert!(spread > 100, "T = {temperature}: {spread} samples near the barrier");
    }
}

/// The noise is the documented stream: with U = 0 (g = 0) every step adds √(lr·T)·z, z from
/// Box–Muller on ChaCha8Rng::seed_from_u64(seed) (two words a pair; an odd last coordinate
/// takes the pair's z₀); first values pinned for seed 0.
#[test]
fn noise_is_the_documented_chacha_stream() {
    // u₁ = ½ exactly, u₂ = 0: z = (√(2 ln 2), 0).
    let (a, b) = (0x8000_0000_0000_0000u64 - (1 << 11), 0u64);
    let (z0, z1) = box_muller(a, b);
    assert_eq!((z0, z1), ((2.0f64 * 2.0f64.ln()).sqrt(), 0.0));
    let mut r0 = ChaCha8Rng::seed_from_u64(0);
    let first = box_muller(r0.next_u64(), r0.next_u64());
    // Pinned: a change of rand_chacha's stream would change every SGLD trajectory.
    assert_eq!(first, (-0.8102724983810923, 0.17619664335415378));
    let cfg = SgldConfig {
        lr: 0.04,
        temperature: 0.25,
        seed: 11,
        ..Default::default()
    };
    let mut opt = Sgld::<f64>::new(cfg).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut x = [1.0, -2.0, 0.5];
    for _ in 0..5 {
        let mut want = x;
        for pair in want.chunks_mut(2) {
            let (z0, z1) = box_muller(rng.next_u64(), rng.next_u64());
            for (w, z) in pair.iter_mut().zip([z0, z1]) {
                *w = *w - 0.02 * 0.0 + 0.1 * z;
            }
        }
        opt.step(&mut x, &mut [0.0; 3]);
        assert_eq!(x, want);
    }
    assert_eq!(opt.state().scalars["draws"], 20.0);
}

/// A resumed optimiser (state saved after 7 steps, loaded into one built with another seed)
/// continues the same noise stream: bit-identical to 15 uninterrupted steps.
#[test]
fn resume_continues_the_stream() {
    let cfg = SgldConfig {
        lr: 0.1,
        seed: 5,
        ..Default::default()
    };
    let steps = |opt: &mut Sgld<f64>, x: &mut [f64], k: usize| {
        for _ in 0..k {
            let mut g: Vec<f64> = x.iter().map(|&v| double_well_grad(v)).collect();
            opt.step(x, &mut g);
        }
    };
    let mut full = Sgld::<f64>::new(cfg.clone()).unwrap();
    let mut a = [0.3, -0.2, 0.9];
    steps(&mut full, &mut a, 15);
    let mut first = Sgld::<f64>::new(cfg.clone()).unwrap();
    let mut b = [0.3, -0.2, 0.9];
    steps(&mut first, &mut b, 7);
    let json = serde_json::to_string(&first.state()).unwrap();
    let saved: crate::optim::OptimizerState = serde_json::from_str(&json).unwrap();
    let mut resumed = Sgld::<f64>::new(SgldConfig { seed: 99, ..cfg }).unwrap();
    resumed.load_state(&saved).unwrap();
    steps(&mut resumed, &mut b, 8);
    assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
}

#[test]
fn rejects_bad_hyperparameters_naming_the_key() {
    for (json, key) in [
        (r#"{"temperature": -1}"#, "temperature"),
        (r#"{"lr": -0.1}"#, "lr"),
        (r#"{"seed": 18446744073709551615}"#, "seed"),
    ] {
        let cfg: SgldConfig = serde_json::from_str(json).unwrap();
        let e = Sgld::<f64>::new(cfg).err().unwrap();
        assert!(e.to_string().contains(key), "{json}: {e}");
    }
}

/// A training run of an MLP whose batch gradient is split over threads (batch 128 × 64
/// hidden units is past the row-parallel threshold): the same bits with 1 and 2 threads, and
/// a run resumed from its epoch-2 checkpoint ends bit-identical to the uninterrupted one.
#[test]
fn training_same_bits_at_any_thread_count_and_on_resume() {
    let ds = synthetic_classification::<f64>(&SyntheticOptions {
        n: Some(600),
        features: Some(8),
        ..Default::default()
    })
    .unwrap();
    let (tr, _, _) = prepare(&ds, 0.0, 0, true).unwrap();
    let spec = ModelConfig {
        kind: ModelKind::Mlp,
        hidden: vec![64],
        activation: Activation::Tanh,
        head: None,
    }
    .spec(&tr)
    .unwrap();
    let init = Network::<f64>::new(spec.clone()).unwrap().init(0);
    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("ck.json");
    let cfg = TrainConfig {
        epochs: 4,
        batch_size: 128,
        checkpoint_every: Some(2),
        checkpoint_path: Some(ck.clone()),
        ..TrainConfig::default()
    };
    let run = |threads: usize, resume: Option<Checkpoint>| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let net = Network::<f64>::new(spec.clone()).unwrap();
            let mut opt = Sgld::<f64>::new(SgldConfig {
                lr: 0.05,
                temperature: 1e-3,
                seed: 4,
                ..Default::default()
            })
            .unwrap();
            let mut t = Trainer::new(&net, &tr, cfg.clone());
            t.run(&mut opt, &init, resume).unwrap()
        })
    };
    let bits = |p: &[f64]| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let one = run(1, None);
    let two = run(2, None);
    assert_eq!(bits(&one.params), bits(&two.params));
    assert_eq!(one.train_loss, two.train_loss);
    let resumed = run(2, Some(Checkpoint::load(&ck).unwrap()));
    assert_eq!(bits(&one.params), bits(&resumed.params));
    assert!(one.final_train_loss.is_finite());
}
