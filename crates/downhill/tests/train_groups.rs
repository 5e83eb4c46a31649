//! Issue 29 item 7 in the training loop: per-group lists of the lr arguments that act there —
//! `reduce_lr_on_plateau`'s `min_lr` (each group clamped at its own, as PyTorch's
//! `ReduceLROnPlateau` with `min_lr = [..]`) and SWA's `swa_lr` (each group annealed from its
//! own lr to its own `swa_lr`, as PyTorch's `SWALR(swa_lr = [..])`).

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::sync::{Arc, Mutex};

use downhill::spec::exec::train::{optimizer, Setup};
use downhill::train::{Callback, Context};

/// Records every group's lr at the start of each epoch (the lr the previous epoch's last step
/// used).
struct Record(Arc<Mutex<Vec<Vec<f64>>>>);

impl Callback<f64> for Record {
    fn name(&self) -> &str {
        "record"
    }
    fn per_step(&self) -> bool {
        false
    }
    fn on_epoch_begin(&mut self, ctx: &mut Context<'_, f64>) -> downhill::Result<()> {
        self.0.lock().unwrap().push(ctx.group_lrs.clone());
        Ok(())
    }
}

/// Each group's lr in epochs 0..epochs−2 of the `downhill train` config `toml` (two groups:
/// `[optimizer]` lr 0.01, and the biases with lr 0.05).
fn group_lrs(extra: &str) -> Vec<Vec<f64>> {
    let toml = format!(
        "[data]\nsource = \"synthetic_linreg\"\n[model]\nkind = \"mlp\"\nhidden = [3]\n\
         [optimizer]\nname = \"sgd\"\nlr = 0.01\n\n[[optimizer.param_groups]]\n\
         params = [\"*.b\"]\nlr = 0.05\n{extra}"
    );
    let cfg = downhill::spec::train::parse("groups.toml", &toml).unwrap();
    let setup = Setup::<f64>::load(&cfg).unwrap();
    let mut opt = optimizer::<f64>(&cfg, &setup.net).unwrap();
    let mut t = setup
        .trainer(&cfg, cfg.train.clone(), opt.as_ref())
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    t.callbacks.push(Box::new(Record(seen.clone())));
    t.run(opt.as_mut(), &setup.net.init(cfg.train.seed), None)
        .unwrap();
    let mut v = seen.lock().unwrap().clone();
    v.remove(0); // epoch 0 starts from the configured lrs
    v
}

#[test]
fn plateau_clamps_each_group_at_its_own_min_lr() {
    // mode = "max" on a falling training loss: every epoch after the first is bad, so with
    // patience 0 each epoch end halves every group's lr, down to its own min_lr.
    let lrs = group_lrs(
        "[train]\nepochs = 5\nbatch_size = 8\nseed = 1\nplateau_monitor = \"train_loss\"\n\
         [schedule]\nname = \"reduce_lr_on_plateau\"\nmode = \"max\"\npatience = 0\n\
         factor = 0.5\nthreshold = 0.0\nmin_lr = [0.004, 0.03]\n",
    );
    // Epochs 0..3 (the 4th epoch's lr is seen at no later epoch start).
    let want = [[0.01, 0.05], [0.01, 0.05], [0.005, 0.03], [0.004, 0.03]];
    assert_eq!(lrs.len(), want.len(), "{lrs:?}");
    for (got, want) in lrs.iter().zip(want) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-15 * w, "{lrs:?}");
        }
    }
}

#[test]
fn swa_anneals_each_group_from_its_own_lr_to_its_own_swa_lr() {
    let lrs = group_lrs(
        "[train]\nepochs = 5\nbatch_size = 8\nseed = 1\n\
         swa = { swa_start = 2, swa_lr = [0.002, 0.02], anneal_epochs = 2 }\n",
    );
    // Cosine annealing over 2 epochs: α = ½ in epoch 2, 1 from epoch 3 on.
    let want = [
        [0.01, 0.05],
        [0.01, 0.05],
        [0.5 * 0.002 + 0.5 * 0.01, 0.5 * 0.02 + 0.5 * 0.05],
        [0.002, 0.02],
    ];
    assert_eq!(lrs.len(), want.len(), "{lrs:?}");
    for (got, want) in lrs.iter().zip(want) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-15 * w, "{lrs:?}");
        }
    }
}

/// prodigy over two parameter groups (lr 1 each, sharing one d as prodigyopt) with
/// `reduce_lr_on_plateau` and the given `min_lr` TOML value: plateau halves both lrs every
/// epoch (no epoch improves by 99 %) down to each group's `min_lr`.
fn shared_d_plateau(min_lr: &str) -> String {
    format!(
        "[data]\nsource = \"synthetic_linreg\"\n[model]\nkind = \"mlp\"\nhidden = [3]\n\
         [optimizer]\nname = \"prodigy\"\nlr = 1.0\n\n[[optimizer.param_groups]]\n\
         params = [\"*.b\"]\nlr = 1.0\n\
         [train]\nepochs = 5\nbatch_size = 8\nseed = 1\nplateau_monitor = \"train_loss\"\n\
         [schedule]\nname = \"reduce_lr_on_plateau\"\nmode = \"min\"\npatience = 0\n\
         factor = 0.5\nthreshold = 0.99\nmin_lr = {min_lr}\n"
    )
}

#[test]
fn a_per_group_list_that_would_part_shared_d_groups_is_refused_at_its_key() {
    let err = downhill::spec::train::parse("shared.toml", &shared_d_plateau("[0.5, 0.25]"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("shared.toml:24:1: [schedule] key `min_lr`: 0.5 for group 0 and 0.25"),
        "{err}"
    );
    assert!(downhill::spec::train::parse("ok.toml", &shared_d_plateau("[0.5, 0.5]")).is_ok());
}

/// Runs `cfg` with `reduce_lr_on_plateau`'s `min_lr` replaced by `min_lr` (set through the
/// library's types, past the config check) for `epochs` epochs.
fn run_with_min_lr(
    cfg: &downhill::spec::train::TrainFile,
    min_lr: serde_json::Value,
    epochs: usize,
) -> downhill::train::TrainResult {
    let mut cfg = cfg.clone();
    cfg.train.epochs = epochs;
    cfg.schedule = Some(
        serde_json::from_value(serde_json::json!({
            "name": "reduce_lr_on_plateau", "mode": "min", "patience": 0, "factor": 0.5,
            "threshold": 0.99, "min_lr": min_lr,
        }))
        .unwrap(),
    );
    let setup = Setup::<f64>::load(&cfg).unwrap();
    let mut opt = optimizer::<f64>(&cfg, &setup.net).unwrap();
    let mut t = setup
        .trainer(&cfg, cfg.train.clone(), opt.as_ref())
        .unwrap();
    t.run(opt.as_mut(), &setup.net.init(cfg.train.seed), None)
        .unwrap()
}

#[test]
fn a_run_whose_schedule_parts_shared_d_groups_stops_at_that_step() {
    // The config check above refuses this schedule; built through the library's types, the
    // groups' lrs part at the start of the fourth epoch, and the run ends there, as the
    // packages raise, with the parameters from before that step.
    let cfg = downhill::spec::train::parse("shared.toml", &shared_d_plateau("0.5")).unwrap();
    let res = run_with_min_lr(&cfg, serde_json::json!([0.5, 0.25]), 5);
    assert_eq!(res.status, downhill::train::TrainStatus::Refused, "{res:?}");
    assert_eq!((res.epochs, res.skipped_steps), (3, 0));
    let refused = res.refused.clone().unwrap();
    // `param_groups[0]` is the config's first `[[optimizer.param_groups]]`: the run's group 1.
    assert_eq!((refused.step, refused.epoch), (res.steps + 1, 4));
    assert!(
        refused.why.contains("`param_groups[0].lr`: 0.25") && refused.why.contains("share one d"),
        "{}",
        refused.why
    );
    // The same three epochs as a run the schedule never parts.
    let three = run_with_min_lr(&cfg, serde_json::json!(0.5), 3);
    assert_eq!(three.status, downhill::train::TrainStatus::Completed);
    assert_eq!(res.params, three.params);
    let setup = Setup::<f64>::load(&cfg).unwrap();
    let json = downhill::spec::exec::train::result_json(&setup.net, &res);
    assert_eq!(json["status"], "refused");
    assert_eq!(json["refused"]["step"], res.steps + 1);
    assert!(json.get("skipped_steps").is_none());
}
