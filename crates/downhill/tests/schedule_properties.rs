//! Property tests: cosine, cyclic and one-cycle stay within their bounds; sequential switches
//! at its milestone; warm-up, scaling and retuning follow their formulas; validation names keys.

use downhill::schedule::{
    ChainedScheduler, CosineAnnealingLrConfig, CosineAnnealingWarmRestartsConfig, CyclicLrConfig,
    CyclicMode, ExponentialLrConfig, IntoSchedule, LinearLrConfig, OneCycleLrConfig, Schedule,
    ScheduleConfig, SequentialLr, StepLrConfig,
};
use downhill::Error;
use proptest::prelude::*;

fn within(x: f64, lo: f64, hi: f64) -> bool {
    let slack = 1e-12 * hi.abs().max(lo.abs());
    x >= lo - slack && x <= hi + slack
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn cosine_stays_in_eta_min_base_lr(
        base in 1e-4f64..1.0, frac in 0.0f64..1.0, t_max in 1usize..40, n in 1usize..200
    ) {
        let eta_min = base * frac;
        let mut s = CosineAnnealingLrConfig::new(t_max).eta_min(eta_min).build().unwrap().schedule(base, None).unwrap();
        for k in 0..n {
            let lr = s.lr(k);
            prop_assert!(within(lr, eta_min, base), "step {k}: {lr} outside [{eta_min}, {base}]");
        }
        // It reaches eta_min at t_max and is back at base at 2 t_max (up to rounding).
        prop_assert!((s.lr(t_max) - eta_min).abs() <= 1e-9 * base);
        prop_assert!((s.lr(2 * t_max) - base).abs() <= 1e-9 * base);
    }

    #[test]
    fn warm_restarts_stay_in_bounds_and_restart(
        base in 1e-4f64..1.0, frac in 0.0f64..1.0, t_0 in 1usize..10, t_mult in 1usize..4
    ) {
        let eta_min = base * frac;
        let mut s = CosineAnnealingWarmRestartsConfig::new(t_0).t_mult(t_mult).eta_min(eta_min).build().unwrap()
            .schedule(base, None).unwrap();
        for k in 0..150 {
            prop_assert!(within(s.lr(k), eta_min, base));
        }
        // The restarts (cos 0 = 1, up to the rounding of eta_min + (base − eta_min)).
        prop_assert!((s.lr(t_0) - base).abs() <= 1e-12 * base);
        prop_assert!((s.lr(t_0 + t_0 * t_mult) - base).abs() <= 1e-12 * base);
    }

    #[test]
    fn cyclic_stays_in_base_max_and_momentum_in_its_range(
        base in 1e-4f64..0.1, span in 0.0f64..1.0, up in 1usize..20, down in 0usize..20,
        mode in 0u8..3, gamma in 0.9f64..1.0
    ) {
        let max = base + span;
        let mode = [CyclicMode::Triangular, CyclicMode::Triangular2, CyclicMode::ExpRange][mode as usize];
        let mut s = CyclicLrConfig::new(base.into(), max.into()).step_size_up(up).step_size_down(Some(down)).mode(mode)
            .gamma(gamma).cycle_momentum(true).base_momentum(0.8).max_momentum(0.9).build().unwrap()
            .schedule(1.0, Some(0.5)).unwrap();
        for k in 0..120 {
            prop_assert!(within(s.lr(k), base, max), "lr {k}: {}", s.lr(k));
            let m = s.momentum(k).unwrap();
            prop_assert!(within(m, 0.8, 0.9), "momentum {k}: {m}");
        }
        prop_assert_eq!(s.lr(0), base);
        prop_assert_eq!(s.momentum(0), Some(0.9));
    }

    #[test]
    fn one_cycle_stays_in_min_max(
        max_lr in 1e-3f64..1.0, total in 2usize..200, pct in 0.05f64..0.95, three in any::<bool>(),
        linear in any::<bool>(), div in 2.0f64..50.0, fdiv in 2.0f64..1e4
    ) {
        let mut o = OneCycleLrConfig::new(max_lr.into()).total_steps(Some(total)).pct_start(pct)
            .three_phase(three).div_factor(div).final_div_factor(fdiv);
        if linear {
            o.anneal_strategy = downhill::schedule::AnnealStrategy::Linear;
        }
        let Ok(mut s) = o.build().and_then(|o| o.schedule(0.01, Some(0.9))) else {
            // Only the zero-length-phase configurations PyTorch cannot run are refused.
            let t = total as f64;
            prop_assert!(pct * t - 1.0 == 0.0 || (!three && pct * t - 1.0 == t - 1.0));
            return Ok(());
        };
        let min_lr = max_lr / div / fdiv;
        for k in 0..total {
            let lr = s.lr(k);
            prop_assert!(within(lr, min_lr, max_lr), "step {k}: {lr}");
            let m = s.momentum(k).unwrap();
            prop_assert!(within(m, 0.85, 0.95), "momentum {k}: {m}");
        }
        if pct * total as f64 >= 2.0 {
            // Step 0 starts the warm-up phase at the initial lr (when that phase is not empty).
            prop_assert!((s.lr(0) - max_lr / div).abs() <= 1e-12 * max_lr);
        }
        let t = total as f64;
        if !three || 2.0 * pct * t - 2.0 < t - 1.0 {
            // The last step ends the annealing phase at min_lr (three_phase with
            // pct_start > ~0.5 never reaches its third phase, in PyTorch too).
            prop_assert!((s.lr(total - 1) - min_lr).abs() <= 1e-9 * max_lr);
        }
        prop_assert_eq!(s.lr(total + 10), min_lr); // held after the cycle
    }

    #[test]
    fn sequential_switches_at_the_milestone(
        base in 1e-3f64..1.0, gamma in 0.5f64..0.99, m in 1usize..30, step in 1usize..10
    ) {
        let mut seq = SequentialLr::new(
            vec![Box::new(ExponentialLrConfig::new(gamma).build().unwrap()),
                 Box::new(StepLrConfig::new(step).gamma(0.5).build().unwrap())],
            vec![m],
        ).unwrap().schedule(base, None).unwrap();
        let mut first = ExponentialLrConfig::new(gamma).build().unwrap().schedule(base, None).unwrap();
        let mut second = StepLrConfig::new(step).gamma(0.5).build().unwrap().schedule(base, None).unwrap();
        for k in 0..m {
            prop_assert_eq!(seq.lr(k), first.lr(k));
        }
        for k in m..m + 40 {
            prop_assert!((seq.lr(k) - second.lr(k - m)).abs() <= 1e-12 * base, "step {k}");
        }
    }

    #[test]
    fn warmup_then_inner_and_retuned_momentum(
        base in 1e-3f64..1.0, w in 1usize..20, f0 in 0.0f64..1.0, beta in 0.0f64..0.99
    ) {
        let cfg: ScheduleConfig = serde_json::from_value(serde_json::json!({
            "name": "exponential_lr", "gamma": 0.9, "warmup_steps": w,
            "warmup_start_factor": f0, "retune_momentum": true
        })).unwrap();
        let mut s = cfg.build(base, Some(beta)).unwrap();
        let mut inner = ExponentialLrConfig::new(0.9).build().unwrap().schedule(base, None).unwrap();
        for k in 0..w + 20 {
            let factor = if k < w { f0 + (1.0 - f0) * k as f64 / w as f64 } else { 1.0 };
            let lr = s.lr(k);
            prop_assert!((lr - factor * inner.lr(k)).abs() <= 1e-12 * base);
            let want_beta = (1.0 - (1.0 - beta) * (lr / base).sqrt()).clamp(0.0, 1.0);
            prop_assert!((s.momentum(k).unwrap() - want_beta).abs() <= 1e-12);
            prop_assert!(s.momentum(k).unwrap() >= beta - 1e-12, "lr never exceeds base here");
        }
    }
}

#[test]
fn batch_size_scaling_rules() {
    for (rule, want) in [("linear", 8.0), ("sqrt", 8f64.sqrt())] {
        let cfg: ScheduleConfig = serde_json::from_value(serde_json::json!({
            "name": "step_lr", "step_size": 10, "scale_rule": rule, "base_batch_size": 32,
            "warmup_steps": 5, "warmup_start_factor": 0.0
        }))
        .unwrap();
        let mut s = cfg.build_with_batch_size(0.1, None, Some(256)).unwrap();
        assert_eq!(s.lr(0), 0.0);
        assert!((s.lr(5) - 0.1 * want).abs() < 1e-15);
        assert!((s.lr(2) - 0.4 * 0.1 * want).abs() < 1e-15);
        assert!((s.lr(10) - 0.01 * want).abs() < 1e-15);
        // Without the run's batch size the rule cannot apply.
        let e = cfg.build(0.1, None).err().unwrap();
        assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "scale_rule"));
    }
}

#[test]
fn batch_size_schedule_through_config() {
    let cfg: ScheduleConfig = serde_json::from_value(serde_json::json!({
        "name": "batch_size_schedule", "milestones": [2, 4], "factor": 2.0
    }))
    .unwrap();
    let mut s = cfg.build(0.1, None).unwrap();
    let b: Vec<usize> = (0..6).map(|k| s.batch_size(k, 16)).collect();
    assert_eq!(b, [16, 16, 32, 32, 64, 64]);
    assert!((0..6).all(|k| s.lr(k) == 0.1));
}

fn key_of(json: serde_json::Value, momentum: Option<f64>) -> String {
    let cfg: ScheduleConfig = serde_json::from_value(json).expect("a schedule config");
    match cfg.driver(0.1, momentum, None) {
        Err(Error::InvalidParameter { key, .. }) => key,
        Err(e) => panic!("not InvalidParameter: {e}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn validation_names_the_key() {
    use serde_json::json;
    let cases = [
        (
            json!({"name": "multi_step_lr", "milestones": [3, 2]}),
            "milestones",
        ),
        (
            json!({"name": "cosine_annealing_warm_restarts", "t_0": 0}),
            "t_0",
        ),
        (
            json!({"name": "cosine_annealing_warm_restarts", "t_0": 3, "t_mult": 0}),
            "t_mult",
        ),
        (json!({"name": "cosine_annealing_lr", "t_max": 0}), "t_max"),
        (
            json!({"name": "one_cycle_lr", "max_lr": 1.0, "total_steps": 0}),
            "total_steps",
        ),
        (
            json!({"name": "one_cycle_lr", "max_lr": 1.0}),
            "total_steps",
        ),
        (
            json!({"name": "one_cycle_lr", "max_lr": 1.0, "total_steps": 10, "pct_start": -0.1}),
            "pct_start",
        ),
        (
            json!({"name": "one_cycle_lr", "max_lr": 1.0, "total_steps": 10, "pct_start": 1.5}),
            "pct_start",
        ),
        (
            json!({"name": "one_cycle_lr", "max_lr": 1.0, "epochs": 0, "steps_per_epoch": 3}),
            "epochs",
        ),
        (json!({"name": "constant_lr", "factor": 1.5}), "factor"),
        (json!({"name": "constant_lr", "factor": 0.0}), "factor"),
        (json!({"name": "cosine_annealing_lr", "t_max": 0}), "t_max"),
        (
            json!({"name": "linear_lr", "start_factor": 0.0}),
            "start_factor",
        ),
        (
            json!({"name": "linear_lr", "end_factor": 2.0}),
            "end_factor",
        ),
        (json!({"name": "step_lr", "step_size": 0}), "step_size"),
        (
            json!({"name": "cyclic_lr", "base_lr": 0.1, "max_lr": 1.0, "step_size_up": 0}),
            "step_size_up",
        ),
        (
            json!({"name": "reduce_lr_on_plateau", "factor": 1.0}),
            "factor",
        ),
        (
            json!({"name": "sequential_lr", "schedulers": [{"name": "exponential_lr", "gamma": 0.5}], "milestones": [3]}),
            "milestones",
        ),
        (
            json!({"name": "sequential_lr", "schedulers": [], "milestones": []}),
            "schedulers",
        ),
        (
            json!({"name": "chained_scheduler", "schedulers": []}),
            "schedulers",
        ),
        (
            json!({"name": "sequential_lr", "schedulers": [{"name": "exponential_lr", "gamma": 0.5}, {"name": "chained_scheduler", "schedulers": [{"name": "exponential_lr", "gamma": 0.5}]}], "milestones": [3]}),
            "schedulers",
        ),
        (
            json!({"name": "chained_scheduler", "schedulers": [{"name": "reduce_lr_on_plateau"}]}),
            "name",
        ),
        (
            json!({"name": "step_lr", "step_size": 2, "warmup_start_factor": 2.0}),
            "warmup_start_factor",
        ),
        (
            json!({"name": "step_lr", "step_size": 2, "base_batch_size": 32}),
            "base_batch_size",
        ),
        (
            json!({"name": "step_lr", "step_size": 2, "scale_rule": "linear"}),
            "base_batch_size",
        ),
    ];
    for (json, key) in cases {
        assert_eq!(key_of(json.clone(), Some(0.9)), key, "{json}");
    }
    // cycle_momentum needs an optimiser with momentum; retune_momentum too.
    let cyclic = json!({"name": "cyclic_lr", "base_lr": 0.1, "max_lr": 1.0});
    assert_eq!(key_of(cyclic, None), "cycle_momentum");
    let retune = json!({"name": "step_lr", "step_size": 2, "retune_momentum": true});
    assert_eq!(key_of(retune, None), "retune_momentum");
}

#[test]
fn unknown_names_and_keys_are_errors() {
    let e = serde_json::from_value::<ScheduleConfig>(serde_json::json!({"name": "cosine"}));
    assert!(e.unwrap_err().to_string().contains("cosine"));
    let e = serde_json::from_value::<ScheduleConfig>(
        serde_json::json!({"name": "step_lr", "step_size": 2, "gama": 0.5}),
    );
    assert!(e.unwrap_err().to_string().contains("gama"));
    let d = serde_json::json!({"step_size": 2, "gama": 0.5});
    assert!(ScheduleConfig::from_named("step_lr", d.clone()).is_err());
    let e = ScheduleConfig::from_named("nope", d)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown schedule `nope`"), "{e}");
}

#[test]
fn chained_composes_the_recursions() {
    // ChainedScheduler([LinearLR, ExponentialLR]) equals the product of the two factors.
    let linear = LinearLrConfig::new()
        .start_factor(0.5)
        .end_factor(1.0)
        .total_iters(4);
    let mut c = ChainedScheduler::new(vec![
        Box::new(linear.build().unwrap()),
        Box::new(ExponentialLrConfig::new(0.9).build().unwrap()),
    ])
    .unwrap()
    .schedule(1.0, None)
    .unwrap();
    let mut l = linear.build().unwrap().schedule(1.0, None).unwrap();
    for k in 0..30 {
        let want = l.lr(k) * 0.9f64.powi(k as i32);
        assert!((c.lr(k) - want).abs() < 1e-14, "step {k}");
    }
}
