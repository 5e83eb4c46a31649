//! [`Trainer`]: the epoch/step loop; everything else it does is a [`Callback`].

use super::callback::{Callback, Context};
use super::callbacks::{
    Averaging, Checkpointing, DivergenceGuard, EarlyStopping, LossLog, Plateau, ProgressHook,
    Validation,
};
use super::checkpoint::Checkpoint;
use super::config::{Monitor, TrainConfig};
use super::outcome::{ProgressFn, Refused, TrainResult, TrainStatus};
use crate::data::{pages, Dataset, Sampler};
use crate::model::{Network, Scalar};
use crate::optim::{Optimizer, Shape};
use crate::schedule::{Schedule, Unit};
use crate::{Result, SampledObjective};

/// A schedule given by a closure `k ↦ lr` (the minimal hook; any [`Schedule`] works too).
pub struct LrFn<F>(pub F);

impl<F: FnMut(usize) -> f64 + Send> Schedule for LrFn<F> {
    fn lr(&mut self, step: usize) -> f64 {
        (self.0)(step)
    }
}

/// A rule that reacts to the monitored metric at each epoch end by changing the learning rate
/// (reduce-on-plateau). Its state must round-trip through `state`/`load_state` for resume.
pub trait PlateauRule: Send {
    /// Given the epoch's metric and the current lr, returns the lr to use from now on.
    fn step(&mut self, metric: f64, lr: f64) -> f64;
    /// The rule's state as numbers.
    fn state(&self) -> Vec<f64>;
    /// Restores [`PlateauRule::state`].
    fn load_state(&mut self, state: &[f64]) -> Result<()>;
    /// Each parameter group's lr factor relative to group 0's (empty: all alike), for a rule
    /// that clamps each group at its own `min_lr`.
    fn group_factors(&self) -> Vec<f64> {
        Vec::new()
    }
}

/// The training loop over a [`Network`] and a training set; see [`Trainer::run`].
pub struct Trainer<'a, T: Scalar> {
    /// The model.
    pub net: &'a Network<T>,
    /// The training split.
    pub train: &'a Dataset<T>,
    /// The validation split (metrics per epoch), if any.
    pub val: Option<&'a Dataset<T>>,
    /// Epochs, batches, built-in callbacks.
    pub config: TrainConfig,
    /// A learning-rate schedule and what its step counts.
    pub schedule: Option<(Box<dyn Schedule + 'a>, Unit)>,
    /// A reduce-on-plateau rule (fed the early-stopping monitor, default `val_loss`).
    pub plateau: Option<(Box<dyn PlateauRule + 'a>, Monitor)>,
    /// Batch size per epoch (0-based), overriding `config.batch_size` and the schedule's
    /// `Schedule::batch_size` (which is asked at each epoch start, at the global step or the
    /// epoch as its unit says).
    pub batch_size_schedule: Option<Box<dyn FnMut(usize) -> usize + 'a>>,
    /// Progress hook (the CLI's progress bar), called by the [`ProgressHook`] callback.
    pub progress: Option<ProgressFn<'a>>,
    /// The user's callbacks, run after the built-in ones (and before checkpointing).
    pub callbacks: Vec<Box<dyn Callback<T> + 'a>>,
    /// Identifies the configuration inside checkpoints.
    pub fingerprint: String,
    /// When set, batch gradients and whole-training-set losses go through this objective
    /// instead of `net` on `train`, and the sampler draws from its `n_samples()` — e.g.
    /// `downhill_mpi::DataParallel`, which computes them with all MPI ranks together. It must
    /// be the same loss as `net` on the (possibly sharded) training set.
    pub objective: Option<&'a dyn SampledObjective<T>>,
    /// Whether this process writes checkpoints (default true; under MPI only rank 0 does).
    pub write_checkpoints: bool,
}

/// The built-in callbacks of a run, as its configuration asks for them.
struct Builtins<'r, 'a, T> {
    guard: DivergenceGuard<T>,
    log: LossLog,
    validation: Validation,
    progress: Option<ProgressHook<'r, 'a>>,
    averaging: Option<Averaging>,
    plateau: Option<Plateau<'r>>,
    early: Option<EarlyStopping>,
    checkpointing: Option<Checkpointing>,
}

impl<'r, 'a: 'r, T: Scalar> Builtins<'r, 'a, T> {
    fn new(
        cfg: &TrainConfig,
        plateau: &'r mut Option<(Box<dyn PlateauRule + 'a>, Monitor)>,
        progress: &'r mut Option<ProgressFn<'a>>,
        write_checkpoints: bool,
    ) -> Self {
        let path = cfg.checkpoint_path.clone();
        Builtins {
            guard: DivergenceGuard::new(cfg.divergence_threshold),
            log: LossLog {
                threshold: cfg.divergence_threshold,
                ..LossLog::new(cfg.log_interval, cfg.log_train_loss)
            },
            validation: Validation::default(),
            progress: progress.as_mut().map(ProgressHook),
            averaging: match &cfg.ema {
                Some(e) => Some(Averaging::ema(e.clone())),
                None => Averaging::new(cfg.swa.clone(), cfg.snapshot_every),
            },
            plateau: plateau.as_mut().map(|(r, m)| Plateau::new(r.as_mut(), *m)),
            early: cfg.early_stopping.clone().map(EarlyStopping::new),
            checkpointing: cfg
                .checkpoint_every
                .filter(|_| write_checkpoints)
                .map(|every| Checkpointing {
                    every,
                    path: path.unwrap_or_else(|| "checkpoint.json".into()),
                }),
        }
    }

    /// The run's result from the final context and the built-ins' records.
    fn result(
        self,
        ctx: Context<'_, T>,
        lr: Vec<f64>,
        skipped_steps: usize,
        refused: Option<Refused>,
    ) -> TrainResult {
        TrainResult {
            status: ctx.status(),
            epochs: ctx.epoch,
            steps: ctx.step,
            params: ctx.params_f64(),
            train_loss: self.log.train_loss,
            log_samples: self.log.log_samples,
            final_train_loss: self.log.final_loss,
            val_metrics: self.validation.val_metrics,
            final_val: self.validation.final_val,
            diverged_at: ctx.diverged_at(),
            lr,
            last_params: self.averaging.and_then(|a| a.last),
            skipped_steps,
            refused,
        }
    }

    /// All callbacks in hook order: the built-ins, then the user's, then checkpointing.
    fn list<'l>(
        &'l mut self,
        user: &'l mut [Box<dyn Callback<T> + 'a>],
    ) -> Vec<&'l mut (dyn Callback<T> + 'l)> {
        let mut v: Vec<&'l mut (dyn Callback<T> + 'l)> =
            vec![&mut self.guard, &mut self.log, &mut self.validation];
        if let Some(c) = self.progress.as_mut() {
            v.push(c);
        }
        if let Some(c) = self.averaging.as_mut() {
            v.push(c);
        }
        if let Some(c) = self.plateau.as_mut() {
            v.push(c);
        }
        if let Some(c) = self.early.as_mut() {
            v.push(c);
        }
        v.extend(
            user.iter_mut()
                .map(|c| &mut **c as &mut (dyn Callback<T> + 'l)),
        );
        if let Some(c) = self.checkpointing.as_mut() {
            v.push(c);
        }
        v
    }
}

type Hook<T> = fn(&mut dyn Callback<T>, &mut Context<'_, T>) -> Result<()>;

/// Runs `hook` on the callbacks in order, until one ends the run.
fn each<T: Scalar>(
    cbs: &mut [&mut dyn Callback<T>],
    ctx: &mut Context<'_, T>,
    hook: Hook<T>,
) -> Result<()> {
    for c in cbs.iter_mut() {
        hook(&mut **c, ctx)?;
        if ctx.stopped() {
            break;
        }
    }
    Ok(())
}

impl<'a, T: Scalar> Trainer<'a, T> {
    /// A trainer with no schedule, plateau rule, batch-size schedule, progress hook or user
    /// callback.
    pub fn new(net: &'a Network<T>, train: &'a Dataset<T>, config: TrainConfig) -> Self {
        Trainer {
            net,
            train,
            val: None,
            config,
            schedule: None,
            plateau: None,
            batch_size_schedule: None,
            progress: None,
            callbacks: Vec::new(),
            fingerprint: String::new(),
            objective: None,
            write_checkpoints: true,
        }
    }

    /// Trains from `init` (or from `resume`, a checkpoint of the same configuration) with
    /// `opt`, whose current lr is the base learning rate.
    ///
    /// Each epoch `e` draws batches from a [`Sampler`]; before each step the learning rate is
    /// set (`ctx.lr_override` (SWA), else the schedule at step `k` or epoch `e`, else the base
    /// lr; times the plateau factor `ctx.lr_scale`); the gradient is taken at the optimiser's
    /// look-ahead point if it has one. An optimiser with an evaluation point (schedule-free)
    /// steps its training point y, kept aside, and `ctx.params` is its evaluation point x
    /// (see [`Context::params`]): callbacks, the result (`params`, `final_train_loss`,
    /// `final_val`), the saved model and checkpoints' `params` are x, and a checkpoint keeps y
    /// as `train_params` so that a resumed run is bit-identical. Everything else is
    /// callbacks, in this order: the
    /// divergence guard ([`DivergenceGuard`]), loss logging ([`LossLog`]), validation
    /// ([`Validation`]), progress ([`ProgressHook`]), SWA/snapshot averaging ([`Averaging`]),
    /// the plateau rule ([`Plateau`]), early stopping ([`EarlyStopping`]), the user's
    /// `callbacks`, and checkpointing ([`Checkpointing`]).
    pub fn run(
        &mut self,
        opt: &mut dyn Optimizer<T>,
        init: &[T],
        resume: Option<Checkpoint>,
    ) -> Result<TrainResult> {
        self.config.validate()?;
        let Trainer {
            net,
            train,
            val,
            config,
            schedule,
            plateau,
            batch_size_schedule,
            progress,
            callbacks,
            fingerprint,
            objective,
            write_checkpoints,
        } = self;
        let cfg: &TrainConfig = config;
        // The optimiser learns the model's tensors (names and shapes), so Adafactor factors and
        // Muon orthogonalises the weight matrices, and errors name the tensor.
        let named: Vec<(String, Shape)> = net
            .tensors()
            .into_iter()
            .map(|t| (t.name, t.shape))
            .collect();
        crate::optim::set_named_shapes(opt, &named)?;
        cfg.check_groups(opt.groups())?;
        let mut ctx = Context::new(net, train, *val, cfg, *objective, init)?;
        let mut builtins = Builtins::new(cfg, plateau, progress, *write_checkpoints);
        let mut cbs = builtins.list(callbacks);
        ctx.base_lr = opt.lr();
        // Each parameter group's own base lr (torch's per-group `initial_lr`).
        let base_lrs: Vec<f64> = (0..opt.groups()).map(|g| opt.group_lr(g)).collect();
        if let Some(c) = resume {
            c.restore(fingerprint, &mut ctx, opt, &mut cbs)?;
        }
        ctx.split_eval_point(opt);
        let stepping: Vec<usize> = (0..cbs.len()).filter(|&i| cbs[i].per_step()).collect();
        let np = ctx.params.len();
        let (mut grad, mut point) = (pages::filled(np, T::zero()), pages::filled(np, T::zero()));
        let mut second = pages::filled(np, T::zero());
        let mut sampler = Sampler::new(ctx.n_samples(), cfg.sampling, cfg.seed);
        let (mut lrs, mut refused) = (Vec::new(), None);
        for c in cbs.iter_mut() {
            c.on_train_begin(&mut ctx)?;
        }
        'epochs: while !ctx.stopped() && ctx.epoch < cfg.epochs {
            ctx.batch_size = epoch_batch_size(batch_size_schedule, schedule, &ctx);
            sampler.start_epoch(ctx.epoch, ctx.batch_size);
            (ctx.batches, ctx.batch, ctx.lr) = (sampler.batches_per_epoch(), 0, opt.lr());
            if opt.groups() > 1 {
                ctx.group_lrs = (0..opt.groups()).map(|g| opt.group_lr(g)).collect();
            }
            each(&mut cbs, &mut ctx, |c, x| c.on_epoch_begin(x))?;
            while let Some((batch, upcoming)) = sampler.next_batch_ahead() {
                let lr = step_lr(schedule, &ctx, &base_lrs, opt);
                if let Err(e) = opt.check_hyper() {
                    let (step, epoch, why) = (ctx.step + 1, ctx.epoch + 1, e.to_string());
                    refused = Some(Refused { step, epoch, why });
                    ctx.stop(TrainStatus::Refused);
                    break 'epochs;
                }
                if ctx.batch == 0 {
                    lrs.push(lr);
                }
                let base = ctx.train_point.as_deref().unwrap_or(&ctx.params);
                let shifted = opt.gradient_point(base, &mut point);
                let at = if shifted { &point } else { base };
                let loss = ctx.batch_gradient(at, batch, upcoming, &mut grad);
                opt.set_loss(loss.f64());
                // SAM: the step's gradient is the batch gradient at a second point; the
                // reported loss stays the one at the first.
                if opt.second_point(at, &grad, &mut second) {
                    ctx.batch_gradient(&second, batch, upcoming, &mut grad);
                }
                match ctx.train_point.as_mut() {
                    Some(y) => {
                        opt.step(y, &mut grad);
                        opt.eval_point(y, &mut ctx.params);
                    }
                    None => {
                        opt.step(&mut ctx.params, &mut grad);
                    }
                }
                (ctx.step, ctx.samples, ctx.batch_loss) =
                    (ctx.step + 1, ctx.samples + batch.len(), loss.f64());
                for &i in &stepping {
                    cbs[i].on_step_end(&mut ctx)?;
                    if ctx.stopped() {
                        break 'epochs;
                    }
                }
                ctx.batch += 1;
            }
            (ctx.epoch, ctx.lr, ctx.val_metrics) = (ctx.epoch + 1, opt.lr(), None);
            each(&mut cbs, &mut ctx, |c, x| c.on_epoch_end(x))?;
            if let Some(path) = ctx.save_to.take().filter(|_| !ctx.stopped()) {
                Checkpoint::of(fingerprint, &ctx, opt, &cbs)?.save(&path)?;
            }
        }
        for c in cbs.iter_mut().rev() {
            c.on_train_end(&mut ctx)?;
        }
        drop(cbs);
        Ok(builtins.result(ctx, lrs, opt.skipped(), refused))
    }
}

/// The step count a schedule with `unit` sees.
fn schedule_time<T: Scalar>(unit: Unit, ctx: &Context<'_, T>) -> usize {
    match unit {
        Unit::Step => ctx.step,
        Unit::Epoch => ctx.epoch,
    }
}

/// The batch size of epoch `ctx.epoch`: the batch-size schedule's, else the schedule's, else
/// the configured one.
fn epoch_batch_size<T: Scalar>(
    by_epoch: &mut Option<Box<dyn FnMut(usize) -> usize + '_>>,
    schedule: &mut Option<(Box<dyn Schedule + '_>, Unit)>,
    ctx: &Context<'_, T>,
) -> usize {
    match (by_epoch.as_mut(), schedule.as_mut()) {
        (Some(f), _) => f(ctx.epoch),
        (None, Some((s, unit))) => s.batch_size(schedule_time(*unit, ctx), ctx.config.batch_size),
        (None, None) => ctx.config.batch_size,
    }
}

/// Sets the learning rate of the next step in every parameter group (and the schedule's
/// momentum, if it has one) and returns group 0's: SWA's `ctx.lr_override` for all groups,
/// else the schedule's value for each group (each from its own base lr), else each group's
/// base lr; times the plateau factor `ctx.lr_scale`.
fn step_lr<T: Scalar>(
    schedule: &mut Option<(Box<dyn Schedule + '_>, Unit)>,
    ctx: &Context<'_, T>,
    base_lrs: &[f64],
    opt: &mut dyn Optimizer<T>,
) -> f64 {
    if let (None, Some((s, unit))) = (ctx.lr_override, schedule.as_mut()) {
        let lr = crate::schedule::apply(s, schedule_time(*unit, ctx), ctx.lr_scale, opt);
        scale_groups(ctx, opt);
        return lr;
    }
    for g in (0..opt.groups()).rev() {
        let lr = match ctx.lr_override {
            Some(lr) => ctx.group_lr_override.get(g).copied().unwrap_or(lr),
            None if g == 0 => ctx.base_lr * ctx.lr_scale,
            None => base_lrs.get(g).copied().unwrap_or(ctx.base_lr) * ctx.lr_scale,
        };
        opt.set_group_lr(g, lr);
    }
    if ctx.lr_override.is_none() {
        scale_groups(ctx, opt);
    }
    opt.lr()
}

/// Multiplies the lr of each group after the first by its plateau factor relative to group 0
/// (`ctx.group_lr_scale`; empty when all groups are alike).
fn scale_groups<T: Scalar>(ctx: &Context<'_, T>, opt: &mut dyn Optimizer<T>) {
    for (g, &f) in ctx.group_lr_scale.iter().enumerate().skip(1) {
        if f != 1.0 && g < opt.groups() {
            opt.set_group_lr(g, opt.group_lr(g) * f);
        }
    }
}
