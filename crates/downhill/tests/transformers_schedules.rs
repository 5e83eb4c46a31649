//! Hugging Face transformers' schedule functions (`get_linear_schedule_with_warmup`, …,
//! `get_wsd_schedule`) against the sequences `reference/make_transformers_schedule_refs.py`
//! wrote into `reference/transformers_schedule_refs.json` (transformers and torch versions
//! recorded there): every lr bit for bit, or within 1e-12 relative.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use downhill::schedule::{catalog, CosineScheduleWithWarmupConfig, Reference, ScheduleConfig};
use downhill::Error;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    config: serde_json::Value,
    /// Each param group's lr (group 0's is the optimizer's own).
    lrs: Vec<f64>,
    /// Each group's `get_last_lr()` after k = 0..N-1 steps.
    want_lr: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Doc {
    transformers: String,
    torch: String,
    cases: Vec<Case>,
}

fn doc() -> Doc {
    serde_json::from_str(include_str!("reference/transformers_schedule_refs.json")).unwrap()
}

#[test]
fn every_transformers_schedule_matches_transformers() {
    let doc = doc();
    assert!(!doc.transformers.is_empty() && !doc.torch.is_empty());
    assert!(doc.cases.len() >= 24);
    let (mut exact, mut total) = (0, 0);
    for case in &doc.cases {
        let cfg: ScheduleConfig = serde_json::from_value(case.config.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let groups: Vec<(f64, Option<f64>)> = case.lrs.iter().map(|&lr| (lr, None)).collect();
        let mut drivers = cfg
            .drivers(&groups, None)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(drivers.len(), case.want_lr.len(), "{}", case.name);
        for (g, want) in case.want_lr.iter().enumerate() {
            assert!(want.len() >= 40, "{}", case.name);
            for (k, &w) in want.iter().enumerate() {
                let got = drivers[g].lr(k);
                total += 1;
                if got.to_bits() == w.to_bits() {
                    exact += 1;
                    continue;
                }
                assert!(
                    (got - w).abs() <= 1e-12 * w.abs(),
                    "{} group {g} step {k}: got {got:e}, transformers {} {w:e}",
                    case.name,
                    doc.transformers
                );
            }
        }
    }
    eprintln!(
        "{exact} of {total} lrs bit-identical to transformers {}",
        doc.transformers
    );
}

#[test]
fn every_transformers_entry_of_the_registry_has_reference_cases() {
    let doc = doc();
    for s in catalog().schedules {
        let covered = doc.cases.iter().any(|c| c.config["name"] == s.name);
        assert_eq!(
            covered,
            s.reference == Reference::Transformers,
            "{}: a transformers schedule needs cases in make_transformers_schedule_refs.py \
             (and only those have them)",
            s.name
        );
    }
}

fn refused(config: serde_json::Value, lr: f64) -> (String, String) {
    let cfg: ScheduleConfig = serde_json::from_value(config.clone()).unwrap();
    match cfg.driver(lr, None, None) {
        Err(Error::InvalidParameter { key, allowed, .. }) => (key, allowed),
        Err(e) => panic!("{config}: not InvalidParameter: {e}"),
        Ok(_) => panic!("{config}: accepted"),
    }
}

#[test]
fn bad_values_are_refused_naming_the_key() {
    use serde_json::json;
    let cases = [
        (
            json!({"name": "polynomial_decay_schedule_with_warmup", "num_warmup_steps": 0,
                   "num_training_steps": 10, "lr_end": 0.5}),
            "lr_end",
            "smaller than the optimizer's initial lr",
        ),
        (
            json!({"name": "polynomial_decay_schedule_with_warmup", "num_warmup_steps": 10,
                   "num_training_steps": 10}),
            "num_training_steps",
            "differ from num_warmup_steps",
        ),
        (
            json!({"name": "polynomial_decay_schedule_with_warmup", "num_warmup_steps": 1,
                   "num_training_steps": 10, "power": -1.0}),
            "power",
            ">= 0",
        ),
        (
            json!({"name": "inverse_sqrt_schedule", "num_warmup_steps": 3, "timescale": 0}),
            "timescale",
            ">= 1",
        ),
        (
            json!({"name": "wsd_schedule", "num_warmup_steps": 3, "num_decay_steps": 5}),
            "num_training_steps",
            "num_stable_steps",
        ),
        (
            json!({"name": "wsd_schedule", "num_warmup_steps": 3, "num_decay_steps": 5,
                   "num_training_steps": 7}),
            "num_training_steps",
            ">= num_warmup_steps + num_decay_steps (8)",
        ),
        (
            json!({"name": "wsd_schedule", "num_warmup_steps": 3, "num_decay_steps": 5,
                   "num_training_steps": 20, "min_lr_ratio": 1.5}),
            "min_lr_ratio",
            "[0, 1]",
        ),
    ];
    for (config, key, words) in cases {
        let (k, allowed) = refused(config.clone(), 0.1);
        assert_eq!(k, key, "{config}");
        assert!(allowed.contains(words), "{config}: {allowed}");
    }
    let bad_type = serde_json::from_value::<ScheduleConfig>(json!({"name": "wsd_schedule",
        "num_warmup_steps": 3, "num_decay_steps": 5, "num_stable_steps": 2,
        "decay_type": "exp"}));
    assert!(bad_type.unwrap_err().to_string().contains("exp"));
    // A NaN (TOML's `nan`; JSON has none) through the library's builder.
    let e = CosineScheduleWithWarmupConfig::new(3, 20)
        .num_cycles(f64::NAN)
        .build()
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidParameter { key, allowed, .. }
            if key == "num_cycles" && allowed.contains("finite")),
        "{e}"
    );
}
