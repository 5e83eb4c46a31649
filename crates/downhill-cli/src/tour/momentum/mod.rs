//! Momentum: seed 003's heavy ball against plain GD on an ill-conditioned valley, the stability
//! of Nesterov against heavy-ball momentum, retuning β when the lr drops, and (in
//! `stability_map`) the measured edge of stable lr × β against the theory 2(1 + β)/L.

pub(super) mod stability_map;

use std::sync::Arc;

use downhill::optim::stability;
use downhill::optim::{Momentum, MomentumVariant, Optimizer, Sgd};
use downhill::problems::IllConditioned;
use downhill::run::{Method, Run, RunResult};
use downhill::schedule::Driver;
use downhill::Objective;

use super::figure::{Figure, Path2, Series};
use super::presets::{Lane, Preset, SchedulePreset};
use super::Experiment;

fn steps_to(r: &RunResult, target: f64) -> Option<usize> {
    r.f_history.iter().position(|&f| f < target)
}

/// "Momentum vs plain GD": start, steps, the common lr and β.
const MOM_X0: [f64; 2] = [-4.0, 2.0];
const MOM_STEPS: usize = 5000;
const MOM_LR: f64 = 0.01;
const MOM_BETA: f64 = 0.9;

/// Seed 003's momentum experiments that the lab can show, as presets.
pub(super) fn presets() -> Vec<Preset> {
    let lane = |momentum| Lane {
        optimizer: "sgd",
        lr: MOM_LR,
        momentum,
    };
    vec![
        Preset::function(
            "seed003-momentum-speedup".to_string(),
            format!("Seed 003: GD vs momentum β = {MOM_BETA}, lr {MOM_LR}"),
            "ill_conditioned",
            &MOM_X0,
            MOM_STEPS,
            &[lane(None), lane(Some(MOM_BETA))],
        ),
        Preset::schedule(
            "seed003-beta-retuning".to_string(),
            "Seed 003: lr × 0.1 at step 100 with β retuned".to_string(),
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

/// Seed 003: momentum against plain GD on an ill-conditioned valley.
pub(super) fn momentum_vs_gd() -> Experiment {
    let mut e = Experiment::new(
        "003",
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
        .require(
            (5.0..20.0).contains(&ratio),
            "theory (≈ 1/(1 − β) = 10): speed-up between 5× and 20×",
        )
        .checks(&["speed-up"])
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
            value_range: None,
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

/// Seed 003: the largest stable lr of Nesterov and heavy-ball momentum.
pub(super) fn nesterov_stability() -> Experiment {
    let mut e = Experiment::new(
        "003",
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
        all &= crate::tour::close(got, want, 0.01);
        e.value(&format!("largest stable lr, {name}"), got)
            .expect(&format!("largest stable lr, {name}"), want)
            .checks(&[&format!("largest stable lr, {name}")]);
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

/// Seed 003: retuning β when the lr drops.
pub(super) fn beta_retuning() -> Experiment {
    use crate::tour::schedules::build;
    let mut e = Experiment::new(
        "003",
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
            crate::tour::close(beta_after, want_beta, 1e-12) && results[1].f < results[0].f,
            "the seed's rule in closed form: β' = 1 − (1 − β)√r to 1e-12; and the retuned run ends lower",
        )
        .checks(&[
            "β after the drop (retuned)",
            "f after 400 steps, β fixed",
            "f after 400 steps, β retuned",
        ])
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
