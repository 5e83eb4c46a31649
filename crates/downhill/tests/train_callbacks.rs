//! The training loop's callbacks: early stopping, plateau hook, batch-size schedule, SWA,
//! snapshot averaging, schedules per step, and bit-identical resume in the library.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use downhill::data::builtin::SyntheticOptions;
use downhill::data::{prepare, synthetic_classification, synthetic_linreg, Dataset, Sampling};
use downhill::model::{Activation, ModelConfig, ModelKind, Network};
use downhill::optim::Sgd;
use downhill::schedule::Unit;
use downhill::train::{
    Checkpoint, EarlyStoppingConfig, LrFn, Monitor, PlateauRule, SwaConfig, TrainConfig,
    TrainStatus, Trainer,
};

mod common;

fn blobs() -> (Dataset<f64>, Dataset<f64>) {
    common::blobs(4.0)
}

fn mlp(tr: &Dataset<f64>) -> Network<f64> {
    common::mlp(tr, 16)
}

#[test]
fn early_stopping_stops_and_restores_the_best_epoch() {
    let (tr, va) = blobs();
    let net = mlp(&tr);
    let cfg = TrainConfig {
        epochs: 200,
        batch_size: 8,
        early_stopping: Some(EarlyStoppingConfig {
            monitor: Monitor::ValLoss,
            min_delta: 0.0,
            patience: 3,
            restore_best: true,
        }),
        ..TrainConfig::default()
    };
    let mut t = Trainer::new(&net, &tr, cfg);
    t.val = Some(&va);
    let r = t
        .run(&mut Sgd::with_lr(0.5).unwrap(), &net.init(0), None)
        .unwrap();
    assert_eq!(r.status, TrainStatus::EarlyStopped);
    assert!(r.epochs < 200);
    let losses: Vec<f64> = r.val_metrics.iter().map(|m| m.loss).collect();
    let best = losses.iter().cloned().fold(f64::INFINITY, f64::min);
    let best_epoch = losses.iter().position(|&l| l == best).unwrap() + 1;
    assert_eq!(
        r.epochs,
        best_epoch + 3,
        "stopped after `patience` epochs without improvement"
    );
    // Restored parameters give the best validation loss, reported as the final metrics.
    let p: Vec<f64> = r.params.clone();
    assert_eq!(net.evaluate(&p, &va).loss, best);
    assert_eq!(r.final_val.unwrap().loss, best);
}

#[test]
fn early_stopping_needs_a_validation_set() {
    let (tr, _) = blobs();
    let net = mlp(&tr);
    let cfg = TrainConfig {
        epochs: 2,
        early_stopping: Some(EarlyStoppingConfig {
            monitor: Monitor::ValAccuracy,
            min_delta: 0.0,
            patience: 1,
            restore_best: false,
        }),
        ..TrainConfig::default()
    };
    let e = Trainer::new(&net, &tr, cfg)
        .run(&mut Sgd::with_lr(0.1).unwrap(), &net.init(0), None)
        .unwrap_err();
    assert!(e.to_string().contains("val_accuracy"), "{e}");
}

/// Halves the lr whenever the metric did not improve (a minimal reduce-on-plateau).
struct Halve {
    best: f64,
    calls: usize,
}

impl PlateauRule for Halve {
    fn step(&mut self, metric: f64, lr: f64) -> f64 {
        self.calls += 1;
        if metric < self.best {
            self.best = metric;
            lr
        } else {
            lr / 2.0
        }
    }
    fn state(&self) -> Vec<f64> {
        vec![self.best, self.calls as f64]
    }
    fn load_state(&mut self, s: &[f64]) -> downhill::Result<()> {
        (self.best, self.calls) = (s[0], s[1] as usize);
        Ok(())
    }
}

#[test]
fn plateau_rule_and_batch_size_schedule_act_per_epoch() {
    let (tr, va) = blobs();
    let net = mlp(&tr);
    let cfg = TrainConfig {
        epochs: 6,
        batch_size: 4,
        ..TrainConfig::default()
    };
    let mut t = Trainer::new(&net, &tr, cfg);
    t.val = Some(&va);
    // The plateau rule always sees "no improvement" on train loss ≥ 0 with best = -1.
    t.plateau = Some((
        Box::new(Halve {
            best: -1.0,
            calls: 0,
        }),
        Monitor::TrainLoss,
    ));
    t.batch_size_schedule = Some(Box::new(|e| 4 << e));
    let r = t
        .run(&mut Sgd::with_lr(0.8).unwrap(), &net.init(0), None)
        .unwrap();
    assert_eq!(r.lr, vec![0.8, 0.4, 0.2, 0.1, 0.05, 0.025]);
    let n = tr.n();
    let steps: usize = (0..6).map(|e| n.div_ceil((4usize << e).min(n))).sum();
    assert_eq!(r.steps, steps);
}

#[test]
fn step_schedules_see_the_global_step() {
    let data = synthetic_linreg::<f64>(&SyntheticOptions {
        n: Some(10),
        ..Default::default()
    })
    .unwrap();
    let net = Network::new(
        ModelConfig {
            kind: ModelKind::Linear,
            hidden: vec![],
            activation: Activation::Relu,
            head: None,
        }
        .spec(&data)
        .unwrap(),
    )
    .unwrap();
    let cfg = TrainConfig {
        epochs: 3,
        batch_size: 5,
        sampling: Sampling::Sequential,
        ..TrainConfig::default()
    };
    let mut t = Trainer::new(&net, &data, cfg);
    t.schedule = Some((Box::new(LrFn(|k| 0.1 / (k + 1) as f64)), Unit::Step));
    let r = t
        .run(&mut Sgd::with_lr(0.1).unwrap(), &net.init(0), None)
        .unwrap();
    // The first step of each epoch is global step 0, 2, 4.
    assert_eq!(r.lr, vec![0.1, 0.1 / 3.0, 0.1 / 5.0]);
}

#[test]
fn swa_averages_epochs_from_swa_start_and_anneals_the_lr() {
    let (tr, va) = blobs();
    let net = mlp(&tr);
    let cfg = TrainConfig {
        epochs: 6,
        batch_size: 16,
        swa: Some(SwaConfig {
            swa_start: 2,
            swa_lr: 0.05.into(),
            anneal_epochs: 2,
            anneal_strategy: Default::default(),
        }),
        ..TrainConfig::default()
    };
    let mut t = Trainer::new(&net, &tr, cfg.clone());
    t.val = Some(&va);
    let r = t
        .run(&mut Sgd::with_lr(0.5).unwrap(), &net.init(0), None)
        .unwrap();
    // Cosine annealing from 0.5 to 0.05 over 2 epochs: t = 1/2 then 1.
    let mid = 0.05 * 0.5 + 0.5 * 0.5;
    assert_eq!(r.lr.len(), 6);
    assert_eq!(&r.lr[..2], &[0.5, 0.5]);
    assert!(
        (r.lr[2] - mid).abs() < 1e-15 && r.lr[3] == 0.05 && r.lr[5] == 0.05,
        "{:?}",
        r.lr
    );
    // The result is the mean of the parameters after epochs 3..=6: check against runs of
    // 3, 4, 5 and 6 epochs without averaging but with the same lr sequence.
    let mut sum = vec![0.0; net.n_params()];
    for epochs in 3..=6 {
        let mut c = cfg.clone();
        c.epochs = epochs;
        c.swa = None;
        let mut t = Trainer::new(&net, &tr, c);
        let lrs = r.lr.clone();
        t.schedule = Some((Box::new(LrFn(move |e| lrs[e])), Unit::Epoch));
        let p = t
            .run(&mut Sgd::with_lr(0.5).unwrap(), &net.init(0), None)
            .unwrap()
            .params;
        sum.iter_mut().zip(&p).for_each(|(s, v)| *s += v / 4.0);
    }
    for (a, b) in r.params.iter().zip(&sum) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
}

#[test]
fn snapshot_averaging_averages_every_kth_epoch() {
    let (tr, _) = blobs();
    let net = mlp(&tr);
    let base = TrainConfig {
        epochs: 4,
        batch_size: 16,
        ..TrainConfig::default()
    };
    let run = |c: TrainConfig| {
        Trainer::new(&net, &tr, c)
            .run(&mut Sgd::with_lr(0.3).unwrap(), &net.init(0), None)
            .unwrap()
            .params
    };
    let p2 = run(TrainConfig {
        epochs: 2,
        ..base.clone()
    });
    let p4 = run(base.clone());
    let avg = run(TrainConfig {
        snapshot_every: Some(2),
        ..base
    });
    for ((a, b), c) in avg.iter().zip(&p2).zip(&p4) {
        assert!((a - (b + c) / 2.0).abs() < 1e-12);
    }
}

/// A fresh directory, its checkpoint path, and a 7-epoch configuration (batch 8) that
/// checkpoints there after epoch 4.
fn resumable(tag: &str) -> (std::path::PathBuf, std::path::PathBuf, TrainConfig) {
    let dir = std::env::temp_dir().join(format!("downhill-{tag}-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ck = dir.join("ck.json");
    let cfg = TrainConfig {
        epochs: 7,
        batch_size: 8,
        checkpoint_every: Some(4),
        checkpoint_path: Some(ck.clone()),
        ..TrainConfig::default()
    };
    (dir, ck, cfg)
}

#[test]
fn library_resume_with_plateau_state_is_bit_identical() {
    let (tr, va) = blobs();
    let net = mlp(&tr);
    let (dir, ck, cfg) = resumable("lib");
    let run = |resume: Option<Checkpoint>| {
        let mut t = Trainer::new(&net, &tr, cfg.clone());
        t.val = Some(&va);
        t.plateau = Some((
            Box::new(Halve {
                best: f64::INFINITY,
                calls: 0,
            }),
            Monitor::ValLoss,
        ));
        t.run(
            &mut Sgd::new(downhill::optim::SgdConfig {
                lr: 0.3,
                momentum: 0.9,
                ..Default::default()
            })
            .unwrap(),
            &net.init(0),
            resume,
        )
        .unwrap()
    };
    let full = run(None);
    let resumed = run(Some(Checkpoint::load(&ck).unwrap()));
    assert_eq!(full.params, resumed.params);
    assert_eq!(full.train_loss, resumed.train_loss);
    assert_eq!(full.val_metrics, resumed.val_metrics);
    assert_eq!(full.steps, resumed.steps);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn f32_training_works_too() {
    let ds = synthetic_classification::<f32>(&SyntheticOptions::default()).unwrap();
    let (tr, va, _) = prepare(&ds, 0.2, 1, true).unwrap();
    let net = Network::<f32>::new(
        ModelConfig {
            kind: ModelKind::Softmax,
            hidden: vec![],
            activation: Activation::Relu,
            head: None,
        }
        .spec(&tr)
        .unwrap(),
    )
    .unwrap();
    let mut t = Trainer::new(&net, &tr, TrainConfig::default());
    t.val = Some(&va);
    let r = t
        .run(&mut Sgd::with_lr(0.1).unwrap(), &net.init(0), None)
        .unwrap();
    assert!(r.val_metrics.last().unwrap().accuracy.unwrap() > 0.9);
}

/// A schedule that also drives the momentum.
struct WithMomentum;

impl downhill::schedule::Schedule for WithMomentum {
    fn lr(&mut self, _step: usize) -> f64 {
        0.1
    }
    fn momentum(&mut self, step: usize) -> Option<f64> {
        Some(0.5 + 0.01 * step as f64)
    }
}

#[test]
fn schedules_drive_the_momentum_too() {
    use downhill::optim::Optimizer;
    let (tr, _) = blobs();
    let net = mlp(&tr);
    let cfg = TrainConfig {
        epochs: 2,
        batch_size: tr.n(),
        ..TrainConfig::default()
    };
    let mut t = Trainer::new(&net, &tr, cfg);
    t.schedule = Some((Box::new(WithMomentum), Unit::Epoch));
    let mut opt = Sgd::new(downhill::optim::SgdConfig {
        lr: 0.1,
        momentum: 0.9,
        ..Default::default()
    })
    .unwrap();
    t.run(&mut opt, &net.init(0), None).unwrap();
    assert_eq!(Optimizer::<f64>::hyper(&opt, 0).momentum, Some(0.51));
}

/// Schedule-free AdamW steps its training point y and `train` reports, validates and saves
/// the evaluation point x: the result's params are x (`eval_point` of the checkpoint's y
/// under its optimiser state), its final loss is the loss at x, and a checkpoint keeps y
/// (`train_params`) so that a resumed run is bit-identical to an uninterrupted one.
#[test]
fn schedule_free_trains_at_y_reports_x_and_resumes_bit_identically() {
    use downhill::optim::{AdamwScheduleFree, AdamwScheduleFreeConfig, Optimizer};
    let (tr, va) = blobs();
    let net = mlp(&tr);
    let (dir, ck, cfg) = resumable("sf");
    let sf = || {
        AdamwScheduleFree::<f64>::new(AdamwScheduleFreeConfig {
            lr: 0.01,
            warmup_steps: 20,
            ..Default::default()
        })
        .unwrap()
    };
    let run = |resume: Option<Checkpoint>| {
        let mut t = Trainer::new(&net, &tr, cfg.clone());
        t.val = Some(&va);
        t.run(&mut sf(), &net.init(0), resume).unwrap()
    };
    let full = run(None);
    let saved = Checkpoint::load(&ck).unwrap();
    let y = saved.train_params.clone().unwrap();
    assert_ne!(y, saved.params);
    let mut opt = sf();
    opt.load_state(&saved.optimizer).unwrap();
    let mut x = vec![0.0; y.len()];
    assert!(opt.eval_point(&y, &mut x));
    assert_eq!(x, saved.params);
    let all: Vec<usize> = (0..tr.n()).collect();
    assert_eq!(
        full.final_train_loss,
        net.loss(&full.params, &tr, &all, None)
    );
    let resumed = run(Some(saved));
    assert_eq!(full.params, resumed.params);
    assert_eq!(full.train_loss, resumed.train_loss);
    assert_eq!(full.val_metrics, resumed.val_metrics);
    assert_eq!(full.final_train_loss, resumed.final_train_loss);
    assert_eq!(full.steps, resumed.steps);
    std::fs::remove_dir_all(&dir).ok();
}

/// The trainer feeds the batch loss to the optimiser before each step (polyak_sgd) and takes
/// SAM's second gradient on the same batch: both equal a hand-written loop over the
/// sequential batches, bit for bit.
#[test]
fn trainer_feeds_the_batch_loss_and_takes_sams_second_gradient() {
    use downhill::optim::{Optimizer, OptimizerConfig, SamConfig, WrappersConfig};
    let (tr, _) = blobs();
    let net = mlp(&tr);
    let bs = 16;
    let cfg = TrainConfig {
        epochs: 1,
        batch_size: bs,
        sampling: Sampling::Sequential,
        ..TrainConfig::default()
    };
    let build = |name: &str, sam: bool| -> Box<dyn Optimizer<f64>> {
        let params = serde_json::json!({"lr": 0.1, "momentum": 0.9});
        let opt = match name {
            "sgd" => OptimizerConfig::from_named("sgd", params),
            _ => OptimizerConfig::from_named(name, serde_json::json!({"max_learning_rate": 0.5})),
        };
        let opt = opt.unwrap().build::<f64>().unwrap();
        let wrappers = WrappersConfig {
            sam: sam.then_some(SamConfig {
                rho: 0.1,
                adaptive: true,
                eta: 0.01,
            }),
            ..Default::default()
        };
        wrappers.apply(opt).unwrap()
    };
    for (name, sam) in [("polyak_sgd", false), ("sgd", true), ("polyak_sgd", true)] {
        let init = net.init(0);
        let r = Trainer::new(&net, &tr, cfg.clone())
            .run(build(name, sam).as_mut(), &init, None)
            .unwrap();
        let mut opt = build(name, sam);
        let (mut p, mut g, mut q) = (init.clone(), vec![0.0; init.len()], init.clone());
        let idx: Vec<usize> = (0..tr.n()).collect();
        for batch in idx.chunks(bs) {
            let loss = net.loss(&p, &tr, batch, Some(&mut g));
            opt.set_loss(loss);
            if opt.second_point(&p, &g, &mut q) {
                net.loss(&q, &tr, batch, Some(&mut g));
            }
            opt.step(&mut p, &mut g);
        }
        assert_eq!(r.params, p, "{name} sam={sam}");
        assert_ne!(p, init);
    }
}
