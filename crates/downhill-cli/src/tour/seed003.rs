//! Seed 003: momentum as a leapfrog integrator, and SGD as a Langevin process.

use std::sync::Arc;

use downhill::optim::stability;
use downhill::optim::{Momentum, MomentumVariant, Optimizer, Sgd};
use downhill::problems::{DoubleWell, IllConditioned};
use downhill::run::{Method, Run, RunResult};
use downhill::schedule::Driver;
use downhill::Objective;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::figure::{Chart, Figure, Path2, Series};
use super::presets::{Lane, Preset, SchedulePreset};
use super::Experiment;

const SEED: &str = "003";

/// The seed's experiments.
pub fn experiments() -> Vec<Experiment> {
    vec![
        momentum_vs_gd(),
        nesterov_stability(),
        beta_retuning(),
        batch_growth(),
        langevin(),
        super::study::stability_map(),
    ]
}

fn steps_to(r: &RunResult, target: f64) -> Option<usize> {
    r.f_history.iter().position(|&f| f < target)
}

/// "Momentum vs plain GD": start, steps, the common lr and β.
const MOM_X0: [f64; 2] = [-4.0, 2.0];
const MOM_STEPS: usize = 5000;
const MOM_LR: f64 = 0.01;
const MOM_BETA: f64 = 0.9;

/// The seed's experiments that the lab can show, as presets.
pub fn presets() -> Vec<Preset> {
    let lane = |momentum| Lane {
        optimizer: "sgd",
        lr: MOM_LR,
        momentum,
    };
    vec![
        Preset::function(
            format!("seed{SEED}-momentum-speedup"),
            format!("Seed {SEED}: GD vs momentum β = {MOM_BETA}, lr {MOM_LR}"),
            "ill_conditioned",
            &MOM_X0,
            MOM_STEPS,
            &[lane(None), lane(Some(MOM_BETA))],
        ),
        Preset::schedule(
            format!("seed{SEED}-beta-retuning"),
            format!("Seed {SEED}: lr × 0.1 at step 100 with β retuned"),
            &SchedulePreset {
                name: "multi_step_lr",
                params: retune_params(true),
                optimizer: "sgd",
                lr: 0.02,
                mom: 0.9,
                steps: 400,
            },
        ),
    ]
}

fn momentum_vs_gd() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "momentum-speedup",
        "Momentum vs plain GD in an ill-conditioned valley, same lr",
        "With the same learning rate α = 0.01, heavy-ball momentum (v ← βv − α∇L, θ ← θ + v, β = 0.9) moves along the flat direction with an effective step α/(1 − β): the seed's 'step √α instead of α' (1/√α = 10 here) — counted in steps to f < 1e-6.",
    );
    let f = IllConditioned;
    let x0 = MOM_X0;
    let mut gd = Sgd::with_lr(MOM_LR).expect("a valid learning rate");
    let r_gd = Run::new(&f, Method::Optimizer(&mut gd))
        .run(&x0, MOM_STEPS)
        .expect("an unbounded run");
    // PyTorch-form momentum b ← βb + g, θ ← θ − αb is exactly heavy ball with v = −αb.
    let mut hb = Sgd::new(downhill::optim::SgdConfig {
        lr: MOM_LR,
        momentum: MOM_BETA,
        ..Default::default()
    })
    .expect("a valid learning rate");
    let r_hb = Run::new(&f, Method::Optimizer(&mut hb))
        .run(&x0, MOM_STEPS)
        .expect("an unbounded run");
    let (s_gd, s_hb) = (steps_to(&r_gd, 1e-6), steps_to(&r_hb, 1e-6));
    let ratio = match (s_gd, s_hb) {
        (Some(a), Some(b)) if b > 0 => a as f64 / b as f64,
        _ => f64::NAN,
    };
    e.value("GD steps to f < 1e-6", s_gd.map_or(-1, |s| s as i64))
        .value("momentum steps to f < 1e-6", s_hb.map_or(-1, |s| s as i64))
        .value("speed-up", ratio)
        .expect("speed-up", "≈ 1/(1 − β) = 1/√α = 10")
        .require((5.0..20.0).contains(&ratio), "speed-up between 5× and 20×")
        .figure(Figure::Contour {
            title: "0.1·x0² + 2·x1², lr = 0.01: GD vs momentum (first 400 steps)".into(),
            f: Arc::new(|x, y| 0.1 * x * x + 2.0 * y * y),
            x: (-4.5, 4.5),
            y: (-2.5, 2.5),
            log_levels: false,
            paths: vec![
                Path2::from_trajectory("GD", r_gd.trajectory.iter().take(400)),
                Path2::from_trajectory("momentum β = 0.9", r_hb.trajectory.iter().take(400)),
            ],
        })
        .figure(Figure::Curves {
            title: "loss per step".into(),
            x_label: "step".into(),
            y_label: "f".into(),
            log_y: true,
            series: vec![
                Series::indexed("GD", r_gd.f_history[..1500].to_vec()),
                Series::indexed(
                    "momentum β = 0.9",
                    r_hb.f_history[..1500.min(r_hb.f_history.len())].to_vec(),
                ),
            ],
        });
    e
}

fn langevin() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "langevin",
        "SGD as a Langevin process: iterates sample exp(−L/σ²)",
        "Gradient descent with Gaussian gradient noise on the double well L = (θ² − 1)² is the Euler scheme of dθ = −∇L dt + noise; its iterates are distributed with density ∝ exp(−L/σ²), σ² = lr·(noise std)²/2 = 0.5 here. The histogram of 800 000 iterates matches that density — both wells visited.",
    );
    let f = DoubleWell;
    let lr: f64 = 0.01;
    let temp: f64 = 0.5;
    let sd = (2.0 * temp / lr).sqrt();
    let noise = Normal::new(0.0, sd).unwrap_or_else(|_| unreachable!("sd > 0"));
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut opt = Sgd::with_lr(lr).expect("a valid learning rate");
    let mut x = [1.0];
    let mut g = [0.0];
    let mut samples = Vec::with_capacity(800_000);
    for k in 0..802_000 {
        f.gradient(&x, &mut g);
        g[0] += noise.sample(&mut rng);
        opt.step(&mut x, &mut g);
        if k >= 2000 {
            samples.push(x[0]);
        }
    }
    let (lo, hi, bins) = (-2.0, 2.0, 80);
    let w = (hi - lo) / bins as f64;
    let mut hist = vec![0.0; bins];
    for &s in &samples {
        let b = ((s - lo) / w).floor();
        if b >= 0.0 && (b as usize) < bins {
            hist[b as usize] += 1.0;
        }
    }
    let centers: Vec<f64> = (0..bins).map(|i| lo + (i as f64 + 0.5) * w).collect();
    let unnorm: Vec<f64> = centers
        .iter()
        .map(|&c| (-f.value(&[c]) / temp).exp())
        .collect();
    let z: f64 = unnorm.iter().sum::<f64>() * w;
    let density: Vec<f64> = unnorm.iter().map(|d| d / z).collect();
    let n = samples.len() as f64;
    let tv: f64 = 0.5
        * hist
            .iter()
            .zip(&density)
            .map(|(h, d)| (h / n - d * w).abs())
            .sum::<f64>();
    let left = samples.iter().filter(|&&s| s < 0.0).count() as f64 / n;
    e.value("total-variation distance", tv)
        .value("fraction in the left well", left)
        .expect("total-variation distance", "< 0.05")
        .expect("fraction in the left well", 0.5)
        .require(
            tv < 0.05 && (0.4..0.6).contains(&left),
            "histogram within 0.05 TV of exp(−L/σ²); both wells equally visited",
        )
        .figure(Figure::Histogram {
            title: "iterates of noisy GD on (θ² − 1)² vs exp(−L/σ²)".into(),
            samples,
            bins,
            range: (lo, hi),
            density_label: "∝ exp(−L/σ²)".into(),
            density: Arc::new(move |t: f64| (-(t * t - 1.0).powi(2) / temp).exp() / z),
        });
    e
}

/// Whether `variant` with lr `lr`, β = 0.9 contracts x² from x = 1 over 20 000 steps.
fn stable(variant: MomentumVariant, lr: f64) -> bool {
    let f = downhill::problems::Sphere;
    let cfg = downhill::optim::MomentumConfig {
        lr,
        momentum: 0.9,
        variant,
        ..Default::default()
    };
    let mut opt = Momentum::<f64>::new(cfg).expect("a valid learning rate");
    let mut x = [1.0];
    let mut p = [0.0];
    let mut g = [0.0];
    for _ in 0..20_000 {
        if opt.gradient_point(&x, &mut p) {
            f.gradient(&p, &mut g);
        } else {
            f.gradient(&x, &mut g);
        }
        opt.step(&mut x, &mut g);
        if !x[0].is_finite() || x[0].abs() > 1e6 {
            return false;
        }
    }
    x[0].abs() < 1.0
}

/// Largest stable lr by bisection on [0, 4].
fn largest_stable_lr(variant: MomentumVariant) -> f64 {
    let (mut lo, mut hi) = (0.01, 4.0);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if stable(variant, mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn nesterov_stability() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "nesterov-stability",
        "Heavy ball vs Nesterov vs midpoint Nesterov: the largest stable lr",
        "On f = x² (curvature λ = 2) with β = 0.9, bisection finds the largest learning rate at which each variant still contracts. Linear stability theory predicts αλ < 2(1 + β) for heavy ball, αλ < 2(1 + β)/(1 + 2β) for Nesterov (gradient at θ + βv) and αλ < 2 for the seed's midpoint rule (gradient at θ + β/2·v): on a quadratic the look-ahead trades stability range for damping.",
    );
    let beta: f64 = 0.9;
    let lambda = 2.0;
    let theory = [
        MomentumVariant::HeavyBall,
        MomentumVariant::Nesterov,
        MomentumVariant::NesterovMidpoint,
    ]
    .map(|v| {
        let m = stability::Method::of_variant(v);
        (m.label(), v, stability::edge(m, beta, lambda))
    });
    let mut bars = Vec::new();
    let mut all = true;
    for (name, v, want) in theory {
        let got = largest_stable_lr(v);
        all &= super::close(got, want, 0.01);
        e.value(&format!("largest stable lr, {name}"), got)
            .expect(&format!("largest stable lr, {name}"), want);
        bars.push((name.to_string(), got, want));
    }
    e.require(
        all,
        "each measured threshold within 1% of the linear-stability prediction",
    )
    .figure(Figure::Bars {
        title: "largest stable lr on x², β = 0.9: measured vs theory".into(),
        x_label: "momentum variant".into(),
        y_label: "lr".into(),
        categories: bars.iter().map(|b| b.0.clone()).collect(),
        groups: vec![
            (
                "measured (bisection)".into(),
                bars.iter().map(|b| b.1).collect(),
            ),
            (
                "theory (linear stability)".into(),
                bars.iter().map(|b| b.2).collect(),
            ),
        ],
    });
    e
}

/// lr × 0.1 at step 100, β retuned or not.
fn retune_params(retune: bool) -> serde_json::Value {
    serde_json::json!({"milestones": [100], "gamma": 0.1, "retune_momentum": retune})
}

fn beta_retuning() -> Experiment {
    use super::schedules::build;
    let mut e = Experiment::new(
        SEED,
        "beta-retuning",
        "Dropping the lr: with and without retuning β",
        "SGD with momentum β = 0.9, lr 0.02 on 0.1·x0² + 2·x1², lr × 0.1 at step 100 (multi_step_lr). Momentum's effective step is α/(1 − β); the seed's rule raises β to 1 − (1 − β)·√r = 0.9684 when the lr drops by r = 0.1, so the effective step falls by √10 instead of 10 and progress along the flat valley continues.",
    );
    let f = IllConditioned;
    let x0 = [-4.0, 2.0];
    let mut results = Vec::new();
    for retune in [false, true] {
        let s = build("multi_step_lr", retune_params(retune), 0.02, Some(0.9));
        let mut opt = Sgd::new(downhill::optim::SgdConfig {
            lr: 0.02,
            momentum: 0.9,
            ..Default::default()
        })
        .expect("a valid learning rate");
        let r = Run::new(&f, Method::Optimizer(&mut opt))
            .schedule(Driver::from(s))
            .run(&x0, 400)
            .expect("an unbounded run");
        results.push(r);
    }
    let beta_after = results[1].momentum.get(150).copied().unwrap_or(f64::NAN);
    let want_beta = 1.0 - 0.1 * 0.1f64.sqrt();
    e.value("β after the drop (retuned)", beta_after)
        .expect("β after the drop (retuned)", want_beta)
        .value("f after 400 steps, β fixed", results[0].f)
        .value("f after 400 steps, β retuned", results[1].f)
        .expect("f after 400 steps, β retuned", "< f with β fixed")
        .require(
            super::close(beta_after, want_beta, 1e-12) && results[1].f < results[0].f,
            "β' = 1 − (1 − β)√r exactly, and the retuned run ends lower",
        )
        .figure(Figure::Curves {
            title: "lr × 0.1 at step 100: β fixed vs retuned".into(),
            x_label: "step".into(),
            y_label: "f".into(),
            log_y: true,
            series: vec![
                Series::indexed("β = 0.9 fixed", results[0].f_history.clone()),
                Series::indexed("β retuned to 0.968", results[1].f_history.clone()),
            ],
        });
    e
}

fn batch_growth() -> Experiment {
    use super::training::{config, linreg, loss_vs_samples, loss_vs_steps, schedule, train};
    use downhill::schedule::Unit;
    let batch_of = |epoch: usize| 10 * 5usize.pow(epoch as u32).min(100);
    let mut e = Experiment::new(
        SEED,
        "batch-growth",
        "Growing the batch instead of decaying the lr",
        "Seed 003: the noise temperature of SGD is ∝ lr / batch, so multiplying the batch by 5 each epoch cools it like dividing the lr by 5 — on seed 001's regression (noise 0.5) both reach the same loss, the growing batch with far fewer optimiser steps.",
    );
    let (net, data) = linreg::<f64>(0.5);
    let decay = train(
        &net,
        &data,
        None,
        config(4, 10, 1000),
        &mut downhill::optim::Sgd::<f64>::with_lr(0.1).expect("a valid learning rate"),
        Some((
            schedule(
                "exponential_lr",
                serde_json::json!({"gamma": 0.2, "unit": "epoch"}),
                0.1,
                None,
            ),
            Unit::Epoch,
        )),
        None,
    );
    let grow = train(
        &net,
        &data,
        None,
        config(4, 10, 1000),
        &mut downhill::optim::Sgd::<f64>::with_lr(0.1).expect("a valid learning rate"),
        None,
        Some(Box::new(batch_of)),
    );
    let ratio = grow.final_train_loss / decay.final_train_loss;
    e.value("final loss, lr decay ×0.2/epoch", decay.final_train_loss)
        .value("final loss, batch ×5/epoch", grow.final_train_loss)
        .value("optimiser steps, lr decay", decay.steps)
        .value("optimiser steps, batch growth", grow.steps)
        .expect("final loss, batch ×5/epoch", "≈ the lr-decay loss")
        .require(
            (0.9..1.1).contains(&ratio) && grow.steps * 3 < decay.steps,
            "losses within 10%, batch growth with < 1/3 of the steps",
        )
        .figure(Figure::Curves {
            title: "lr decay vs batch growth (loss vs samples seen)".into(),
            x_label: "samples seen".into(),
            y_label: "loss".into(),
            log_y: true,
            series: vec![
                loss_vs_samples("lr × 0.2 per epoch, batch 10", &decay),
                loss_vs_samples("batch × 5 per epoch, lr 0.1", &grow),
            ],
        })
        .figure(Figure::Chart(Chart {
            title: "lr decay vs batch growth (loss vs optimiser steps)".into(),
            x_label: "optimiser steps".into(),
            y_label: "loss".into(),
            log_y: true,
            series: vec![
                loss_vs_steps("lr × 0.2 per epoch, batch 10", &decay, data.n(), |_| 10),
                loss_vs_steps("batch × 5 per epoch, lr 0.1", &grow, data.n(), batch_of),
            ],
            marked: vec![0, 1],
            ..Chart::default()
        }));
    e
}
