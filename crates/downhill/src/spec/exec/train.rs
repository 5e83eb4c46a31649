//! `downhill train`: the data, the model, the optimiser and the [`Trainer`] of a
//! [`TrainFile`] — the one setup that `train`, `train` under MPI, `compare` on a dataset,
//! `lr-find`, `landscape`, the lab and the tour share — and the object `--json` prints.

use std::sync::atomic::AtomicBool;

use serde_json::json;

use crate::data::{self, csv::load_csv, npy::load_npy, Dataset, Standardizer};
use crate::model::saved::{MODEL_FORMAT, MODEL_VERSION};
use crate::model::{ModelSpec, Network, SavedModel, Scalar};
use crate::optim::{Grouped, Optimizer};
use crate::schedule::{Driver, PerGroup, ReduceLrOnPlateau};
use crate::spec::train::{DataSection, Features, TrainFile};
use crate::spec::{input, InPrecision};
use crate::train::callbacks::StopFlag;
use crate::train::{Monitor, PlateauRule, Progress, Replayed, TrainConfig, TrainResult, Trainer};
use crate::Error;

fn need<'a, V>(v: &'a Option<V>, key: &str, source: &str) -> Result<&'a V, Error> {
    v.as_ref().ok_or_else(|| {
        input(format!(
            "[data] source = \"{source}\" needs the key `{key}`"
        ))
    })
}

/// Loads the dataset `[data]` describes.
pub fn load_data<T: Scalar>(d: &DataSection) -> Result<Dataset<T>, Error> {
    Ok(match d.source.as_str() {
        "csv" => {
            let path = need(&d.path, "path", "csv")?;
            let target = need(&d.target, "target", "csv")?;
            let names = match &d.features {
                Some(Features::Names(n)) => Some(n.as_slice()),
                Some(Features::Count(_)) => {
                    return Err(input(
                        "[data] `features` of a CSV source is a list of column names",
                    ))
                }
                None => None,
            };
            load_csv(path, target, names)?
        }
        "npy" => load_npy(
            need(&d.path, "path", "npy")?,
            need(&d.target_path, "target_path", "npy")?,
        )?,
        name => data::builtin(name, &d.synthetic())?,
    })
}

/// The data and the model of a `downhill train` config, and the [`Trainer`] over them.
pub struct Setup<T: Scalar> {
    /// The training split.
    pub train: Dataset<T>,
    /// The validation split (possibly empty).
    pub val: Dataset<T>,
    /// The standardisation fitted on the training split, if any.
    pub scaler: Option<Standardizer>,
    /// The model's spec.
    pub spec: ModelSpec,
    /// The model.
    pub net: Network<T>,
}

impl<T: Scalar> Setup<T> {
    /// Loads and splits `[data]` and builds `[model]` on it.
    pub fn load(cfg: &TrainFile) -> Result<Self, Error> {
        let d = &cfg.data;
        let all = load_data::<T>(d)?;
        let (train, val, scaler) = data::prepare(
            &all,
            d.validation_fraction,
            d.seed.unwrap_or(0),
            d.standardize,
        )?;
        Self::new(cfg, train, val, scaler)
    }

    /// Builds `[model]` on already loaded splits.
    pub fn new(
        cfg: &TrainFile,
        train: Dataset<T>,
        val: Dataset<T>,
        scaler: Option<Standardizer>,
    ) -> Result<Self, Error> {
        let spec = cfg.model.spec(&train)?;
        let net = Network::<T>::new(spec.clone())?;
        Ok(Setup {
            train,
            val,
            scaler,
            spec,
            net,
        })
    }

    /// A trainer with `train` (the `[train]` table, possibly adjusted), the validation split
    /// and `[schedule]` (the batch-size scaling against `train.batch_size`, the global batch).
    pub fn trainer(
        &self,
        cfg: &TrainFile,
        train: TrainConfig,
        opt: &dyn Optimizer<T>,
    ) -> Result<Trainer<'_, T>, Error> {
        let batch_size = train.batch_size;
        let mut trainer = Trainer::new(&self.net, &self.train, train);
        trainer.val = Some(&self.val);
        attach_schedule(&mut trainer, cfg, opt, batch_size, self.val.n() > 0)?;
        Ok(trainer)
    }

    /// The model as `downhill train --save` writes it, with the parameters of `res`.
    pub fn saved_model(&self, cfg: &TrainFile, res: &TrainResult) -> SavedModel {
        SavedModel {
            format: MODEL_FORMAT.into(),
            version: MODEL_VERSION,
            spec: self.spec.clone(),
            params: res.params.clone(),
            standardizer: self.scaler.clone(),
            feature_names: self.train.feature_names.clone(),
            target: cfg.data.target.clone(),
        }
    }
}

/// `[optimizer]` for `net` — one [`Grouped`] optimiser over its `[[optimizer.param_groups]]`
/// when it has some, each told the shapes of its tensors — with `[wrappers]` around it.
pub fn optimizer<T: Scalar>(
    cfg: &TrainFile,
    net: &Network<T>,
) -> Result<Box<dyn Optimizer<T>>, Error> {
    // Without groups the trainer tells the optimiser its tensors ([`Trainer::run`]).
    let opt: Box<dyn Optimizer<T>> = if cfg.param_groups.is_empty() {
        cfg.optimizer.build::<T>()?
    } else {
        Box::new(Grouped::new(
            &net.tensors(),
            &cfg.optimizer,
            &cfg.param_groups,
        )?)
    };
    cfg.wrappers.apply(opt)
}

/// Trains `cfg` silently (no progress, no checkpoint resume) in the configured precision and
/// returns the result: `downhill compare` runs one of these per optimiser.
pub fn fit(cfg: &TrainFile) -> Result<TrainResult, Error> {
    fit_with(cfg, None, &mut |_, _| {}).map(|(r, _)| r)
}

/// [`fit`] with a progress callback (given the training-set size too) and a flag that stops
/// the run after its current step (status `stopped`); also returns the object
/// `downhill train --json` prints. `downhill lab` trains so.
pub fn fit_with(
    cfg: &TrainFile,
    stop: Option<&AtomicBool>,
    progress: &mut dyn FnMut(&Progress, usize),
) -> Result<(TrainResult, serde_json::Value), Error> {
    cfg.data.precision.dispatch(Fit {
        cfg,
        stop,
        progress,
    })
}

struct Fit<'a, 'p> {
    cfg: &'a TrainFile,
    stop: Option<&'a AtomicBool>,
    progress: &'p mut dyn FnMut(&Progress, usize),
}

impl InPrecision for Fit<'_, '_> {
    type Output = Result<(TrainResult, serde_json::Value), Error>;
    fn run<T: Scalar>(self) -> Self::Output {
        let Fit {
            cfg,
            stop,
            progress,
        } = self;
        let setup = Setup::<T>::load(cfg)?;
        let mut opt = optimizer::<T>(cfg, &setup.net)?;
        let mut trainer = setup.trainer(cfg, cfg.train.clone(), opt.as_ref())?;
        if let Some(flag) = stop {
            trainer.callbacks.push(Box::new(StopFlag::new(flag)));
        }
        let n = setup.train.n();
        trainer.progress = Some(Box::new(move |p: &Progress| progress(p, n)));
        let res = trainer.run(opt.as_mut(), &setup.net.init(cfg.train.seed), None)?;
        drop(trainer);
        let json = result_json(&setup.net, &res);
        Ok((res, json))
    }
}

/// Sets the trainer's `[schedule]`: a schedule stepped per step or epoch (with the batch-size
/// scaling against `batch_size`, the global batch), or a plateau rule.
fn attach_schedule<T: Scalar>(
    trainer: &mut Trainer<'_, T>,
    cfg: &TrainFile,
    opt: &dyn Optimizer<T>,
    batch_size: usize,
    has_val: bool,
) -> Result<(), Error> {
    let Some(sc) = &cfg.schedule else {
        return Ok(());
    };
    let unit = sc.unit();
    let base_lr = opt.lr();
    // One driver per parameter group, from the group's own lr and momentum and its value of
    // every per-group list.
    let groups: Vec<(f64, Option<f64>)> = (0..opt.groups())
        .map(|g| (opt.group_lr(g), opt.group_momentum(g)))
        .collect();
    let mut schedules = Vec::new();
    let mut rules = Vec::new();
    for d in sc.drivers(&groups, Some(batch_size))? {
        match d {
            Driver::Schedule(s) => schedules.push(s),
            Driver::Plateau { rule, adjustment } if adjustment.is_identity() => rules.push(*rule),
            Driver::Plateau { .. } => {
                return Err(input(
                    "[schedule] reduce_lr_on_plateau in `downhill train` takes no \
                     warmup_steps, scale_rule or retune_momentum",
                ))
            }
        }
    }
    match (schedules.len(), rules.len()) {
        (1, 0) => trainer.schedule = schedules.pop().map(|s| (s, unit)),
        (_, 0) => trainer.schedule = Some((Box::new(PerGroup(schedules)), unit)),
        (0, _) => {
            let monitor = cfg.train.plateau_monitor.unwrap_or(if has_val {
                Monitor::ValLoss
            } else {
                Monitor::TrainLoss
            });
            let rule: Box<dyn PlateauRule> = if rules.len() == 1 {
                let rule = rules.remove(0);
                Box::new(Replayed::new(rule, base_lr, ReduceLrOnPlateau::step))
            } else {
                let rule = PlateauGroups::new(rules, &groups);
                let rule = Replayed::new(rule, base_lr, PlateauGroups::step);
                Box::new(rule.with_group_factors(PlateauGroups::factors))
            };
            trainer.plateau = Some((rule, monitor));
        }
        _ => return Err(input("[schedule] changed kind between groups")),
    }
    Ok(())
}

/// Reduce-on-plateau over several parameter groups: one rule per group (each with its lr and
/// `min_lr`), all fed the same metric, as PyTorch's `ReduceLROnPlateau` reduces each group
/// and clamps it at its own `min_lrs[i]`. Group 0's lr is the one the trainer scales by; the
/// others' factors relative to it are [`PlateauGroups::factors`].
#[derive(Clone)]
struct PlateauGroups {
    rules: Vec<ReduceLrOnPlateau>,
    initial: Vec<f64>,
}

impl PlateauGroups {
    fn new(rules: Vec<ReduceLrOnPlateau>, groups: &[(f64, Option<f64>)]) -> Self {
        let initial = groups.iter().map(|g| g.0).collect();
        PlateauGroups { rules, initial }
    }
    fn step(&mut self, metric: f64) -> f64 {
        for r in &mut self.rules {
            r.step(metric);
        }
        self.rules.first().map_or(f64::NAN, ReduceLrOnPlateau::lr)
    }

    /// Each group's lr factor relative to group 0's.
    fn factors(&self) -> Vec<f64> {
        let f = |g: usize| {
            let i = self.initial[g];
            if i == 0.0 {
                1.0
            } else {
                self.rules[g].lr() / i
            }
        };
        let f0 = f(0);
        (0..self.rules.len())
            .map(|g| if f0 == 0.0 { 1.0 } else { f(g) / f0 })
            .collect()
    }
}

/// The object `downhill train --json` prints for a finished run.
pub fn result_json<T: Scalar>(net: &Network<T>, res: &TrainResult) -> serde_json::Value {
    let params: Vec<T> = res.params.iter().map(|&v| T::of(v)).collect();
    let mut out = json!({
        "status": res.status,
        "epochs": res.epochs,
        "steps": res.steps,
        "params": net.named(&params),
        "train_loss": res.train_loss,
        "final_train_loss": res.final_train_loss,
        "val_metrics": res.val_metrics,
        "final_val_metrics": res.final_val,
        "lr": res.lr,
        "diverged_at": res.diverged_at,
    });
    // With EMA (or SWA, snapshots) `params` is the average; the trained weights go beside it.
    if let (Some(last), Some(o)) = (&res.last_params, out.as_object_mut()) {
        let last: Vec<T> = last.iter().map(|&v| T::of(v)).collect();
        o.insert("last_params".into(), json!(net.named(&last)));
    }
    // Steps that left the parameters unchanged, and a refused step, only when there were any.
    if let (true, Some(o)) = (res.skipped_steps > 0, out.as_object_mut()) {
        o.insert("skipped_steps".into(), json!(res.skipped_steps));
    }
    if let (Some(r), Some(o)) = (&res.refused, out.as_object_mut()) {
        o.insert("refused".into(), json!(r));
    }
    out
}
