//! `downhill schedule`: the lr (and momentum) a `[schedule]` gives at steps 0..N−1 — the value
//! after k `scheduler.step()` calls — for a `downhill run` config (its `[problem]` checked, then
//! unused).

use serde_json::{json, Value};

use crate::optim::OptimizerConfig;
use crate::schedule::{Driver, ScheduleConfig};
use crate::spec::optim::{Optimization, Spec};
use crate::spec::run::RunSection;
use crate::spec::{input, ConfigDoc};
use crate::Error;

/// What `downhill schedule` reads from the config.
struct ScheduleFile {
    optimizer: OptimizerConfig,
    schedule: ScheduleConfig,
    run: Option<RunSection>,
}

fn parse(file: &str, raw: &str) -> Result<ScheduleFile, Error> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&["problem", "optimizer", "run", "wrappers", "schedule"])?;
    // A `downhill run` config works as is: [problem] is checked, then unused.
    crate::spec::run::skip_problem(&mut doc)?;
    let run: Option<RunSection> = doc.section("run")?;
    let spec = Spec {
        schedule_required: true,
        batch_size: run.as_ref().and_then(|r| r.batch_size),
        ..Spec::default()
    };
    let (optimizer, _, schedule) = Optimization::parse(&mut doc, spec)?.single(file)?;
    let schedule = schedule.ok_or_else(|| doc.missing("schedule"))?;
    Ok(ScheduleFile {
        optimizer,
        schedule,
        run,
    })
}

/// The lr and momentum sequences (momentum empty when the optimiser has none).
fn sequences(
    driver: &mut Driver,
    base_momentum: Option<f64>,
    steps: usize,
    metrics: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let mut lr = Vec::with_capacity(steps);
    let mut momentum = Vec::with_capacity(steps);
    for k in 0..steps {
        if k > 0 {
            if let Some(&m) = metrics.get(k - 1) {
                driver.report(m);
            }
        }
        lr.push(driver.lr(k));
        if let Some(b) = base_momentum {
            momentum.push(driver.momentum(k).unwrap_or(b));
        }
    }
    (lr, momentum)
}

/// The most steps `downhill schedule` tabulates (its sequences are held in memory: a larger
/// count would abort on allocation rather than fail cleanly).
const MAX_STEPS: usize = 10_000_000;

/// The sequences `downhill schedule` prints.
#[derive(Debug, Clone)]
pub struct Table {
    /// Number of steps tabulated.
    pub steps: usize,
    /// The optimiser's lr.
    pub base_lr: f64,
    /// The schedule's name.
    pub name: &'static str,
    /// The lr at each step.
    pub lr: Vec<f64>,
    /// The momentum at each step (empty when the optimiser has none).
    pub momentum: Vec<f64>,
    /// The batch size at each step (`batch_size_schedule` with a `[run] batch_size`).
    pub batch: Option<Vec<usize>>,
}

impl Table {
    /// What `--json` prints.
    pub fn json(&self) -> Value {
        let mut v = json!({ "lr": self.lr, "momentum": self.momentum });
        if let (Some(b), Some(o)) = (&self.batch, v.as_object_mut()) {
            o.insert("batch_size".into(), json!(b));
        }
        v
    }
}

/// The metrics `reduce_lr_on_plateau` is fed, loaded only when the schedule needs them: the
/// name to give them in messages and the values (the k-th is reported after step k).
pub type Metrics<'a> = &'a dyn Fn() -> Result<(String, Vec<f64>), Error>;

/// Parses a config and tabulates its schedule for `steps` (default `[run] steps`).
pub fn table(
    file: &str,
    raw: &str,
    steps: Option<usize>,
    metrics: Option<Metrics<'_>>,
) -> Result<Table, Error> {
    let cfg = parse(file, raw)?;
    let steps = match (steps, &cfg.run) {
        (Some(n), _) => n,
        (None, Some(r)) => r.steps,
        (None, None) => {
            return Err(input(format!(
                "{file}: give --steps N (or a [run] table with `steps`)"
            )))
        }
    };
    if steps > MAX_STEPS {
        return Err(input(format!(
            "{file}: steps = {steps}: `downhill schedule` tabulates at most {MAX_STEPS} steps"
        )));
    }
    let opt = cfg.optimizer.build::<f64>()?;
    let batch_size = cfg.run.as_ref().and_then(|r| r.batch_size);
    let mut driver = cfg
        .schedule
        .driver(opt.lr(), opt.momentum(), batch_size)
        .map_err(|e| input(format!("{file}: [schedule] {e}")))?;
    let metrics = match (metrics, driver.needs_metric()) {
        (Some(source), true) => {
            let (origin, m) = source()?;
            let need = steps.saturating_sub(1);
            if m.len() < need {
                return Err(input(format!(
                    "{origin}: {} metrics for {steps} steps; need {need} (the k-th is reported after step k)",
                    m.len()
                )));
            }
            m
        }
        (Some(_), false) => {
            return Err(input(format!(
            "--metrics: schedule `{}` does not react to metrics (only reduce_lr_on_plateau does)",
            cfg.schedule.name()
        )))
        }
        (None, true) if steps > 1 => {
            return Err(input(
                "schedule `reduce_lr_on_plateau` needs --metrics FILE (one metric per line)",
            ))
        }
        (None, _) => Vec::new(),
    };
    let (lr, momentum) = sequences(&mut driver, opt.momentum(), steps, &metrics);
    let batch = match (&cfg.schedule, batch_size, &mut driver) {
        (ScheduleConfig::BatchSizeSchedule(_), Some(b), Driver::Schedule(s)) => {
            Some((0..steps).map(|k| s.batch_size(k, b)).collect::<Vec<_>>())
        }
        _ => None,
    };
    Ok(Table {
        steps,
        base_lr: opt.lr(),
        name: cfg.schedule.name(),
        lr,
        momentum,
        batch,
    })
}
