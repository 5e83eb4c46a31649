//! `downhill schedule FILE.toml --steps N [--json] [--csv] [--metrics FILE]`: the lr (and
//! momentum) a `[schedule]` gives at steps 0..N−1 — the value after k `scheduler.step()` calls.

use downhill::optim::{OptimizerConfig, WrappersConfig};
use downhill::schedule::{Driver, ScheduleConfig};
use serde_json::json;

use crate::cli::ScheduleArgs;
use crate::config::run::{ProblemSection, RunSection};
use crate::config::{read_file, ConfigDoc};
use crate::exit::{CliError, CliResult};

/// What `downhill schedule` reads from the config.
struct ScheduleFile {
    optimizer: OptimizerConfig,
    schedule: ScheduleConfig,
    run: Option<RunSection>,
}

fn parse(file: &str, raw: &str) -> Result<ScheduleFile, CliError> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&["problem", "optimizer", "run", "wrappers", "schedule"])?;
    let missing = |t: &str| CliError::input(format!("{file}: missing table [{t}]"));
    // A `downhill run` config works as is: [problem] and [wrappers] are checked, then unused.
    let _: Option<ProblemSection> = doc.section("problem")?;
    let _: Option<WrappersConfig> = doc.section("wrappers")?;
    let (name, body) = doc
        .named_section("optimizer")?
        .ok_or_else(|| missing("optimizer"))?;
    let optimizer = doc.named_into("optimizer", &name, body, |n, d| {
        OptimizerConfig::from_named(n, d)
    })?;
    let run: Option<RunSection> = doc.section("run")?;
    let schedule =
        crate::config::schedule::section(&mut doc)?.ok_or_else(|| missing("schedule"))?;
    let batch_size = run.as_ref().and_then(|r| r.batch_size);
    crate::config::schedule::validate(&doc, &schedule, &optimizer, batch_size)?;
    Ok(ScheduleFile {
        optimizer,
        schedule,
        run,
    })
}

/// Reads one metric per non-blank line.
fn read_metrics(path: &std::path::Path) -> Result<Vec<f64>, CliError> {
    let text = read_file(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let v: f64 = t.parse().map_err(|_| {
            CliError::input(format!(
                "{}:{}: metric: cannot parse `{t}` as a number",
                path.display(),
                i + 1
            ))
        })?;
        out.push(v);
    }
    Ok(out)
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

/// What `downhill schedule` computed: the sequences and what the human output names.
pub struct Table {
    /// The schedule's name.
    pub name: String,
    /// The optimiser's lr.
    pub base_lr: f64,
    /// lr at steps 0..N−1.
    pub lr: Vec<f64>,
    /// Momentum at steps 0..N−1 (empty when the optimiser has none).
    pub momentum: Vec<f64>,
    /// Batch size at steps 0..N−1 (`batch_size_schedule` with a `[run] batch_size`).
    pub batch: Option<Vec<usize>>,
}

impl Table {
    /// The object `downhill schedule --json` prints.
    pub fn json(&self) -> serde_json::Value {
        let mut v = json!({ "lr": self.lr, "momentum": self.momentum });
        if let (Some(b), Some(o)) = (&self.batch, v.as_object_mut()) {
            o.insert("batch_size".into(), json!(b));
        }
        v
    }
}

/// Entry point of `downhill schedule`.
pub fn cmd(args: &ScheduleArgs) -> CliResult {
    let file = args.file.display().to_string();
    let raw = read_file(&args.file)?;
    let t = table(&file, &raw, args.steps, args.metrics.as_deref())?;
    let (lr, momentum, batch, steps) = (&t.lr, &t.momentum, &t.batch, t.lr.len());
    if let Some(out) = &args.plot {
        let m = (!momentum.is_empty()).then_some(momentum.as_slice());
        let fig = downhill_plot::schedule_plot(lr, m).map_err(CliError::failure)?;
        super::plotting::write(&fig, out)?;
    }
    if args.json {
        println!("{}", t.json());
    } else if args.csv {
        let mut header = String::from("step,lr,momentum");
        if batch.is_some() {
            header.push_str(",batch_size");
        }
        println!("{header}");
        for k in 0..steps {
            let m = momentum.get(k).map_or(String::new(), |m| format!("{m:?}"));
            let b = batch
                .as_ref()
                .map_or(String::new(), |b| format!(",{}", b[k]));
            println!("{k},{:?},{m}{b}", lr[k]);
        }
    } else {
        println!("{} ({} steps, optimizer lr = {})", t.name, steps, t.base_lr);
        for k in 0..steps {
            let m = momentum
                .get(k)
                .map_or(String::new(), |m| format!("  momentum {m:.6}"));
            let b = batch
                .as_ref()
                .map_or(String::new(), |b| format!("  batch_size {}", b[k]));
            println!("  step {k:>5}  lr {:.6e}{m}{b}", lr[k]);
        }
    }
    Ok(0)
}

/// Parses a `downhill schedule` config (`raw`, read from `file`) and tabulates it for
/// `steps` (default `[run] steps`), feeding `metrics` to reduce-on-plateau.
pub fn table(
    file: &str,
    raw: &str,
    steps: Option<usize>,
    metrics: Option<&std::path::Path>,
) -> Result<Table, CliError> {
    let cfg = parse(file, raw)?;
    let steps = match (steps, &cfg.run) {
        (Some(n), _) => n,
        (None, Some(r)) => r.steps,
        (None, None) => {
            return Err(CliError::input(format!(
                "{file}: give --steps N (or a [run] table with `steps`)"
            )))
        }
    };
    if steps > MAX_STEPS {
        return Err(CliError::input(format!(
            "{file}: steps = {steps}: `downhill schedule` tabulates at most {MAX_STEPS} steps"
        )));
    }
    let opt = cfg.optimizer.build::<f64>()?;
    let batch_size = cfg.run.as_ref().and_then(|r| r.batch_size);
    let mut driver = cfg
        .schedule
        .driver(opt.lr(), opt.momentum(), batch_size)
        .map_err(|e| CliError::input(format!("{file}: [schedule] {e}")))?;
    let metrics = match (metrics, driver.needs_metric()) {
        (Some(path), true) => {
            let m = read_metrics(path)?;
            let need = steps.saturating_sub(1);
            if m.len() < need {
                return Err(CliError::input(format!(
                    "{}: {} metrics for {steps} steps; need {need} (the k-th is reported after step k)",
                    path.display(),
                    m.len()
                )));
            }
            m
        }
        (Some(_), false) => {
            return Err(CliError::input(format!(
            "--metrics: schedule `{}` does not react to metrics (only reduce_lr_on_plateau does)",
            cfg.schedule.name()
        )))
        }
        (None, true) if steps > 1 => {
            return Err(CliError::input(
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
        name: cfg.schedule.name().to_string(),
        base_lr: opt.lr(),
        lr,
        momentum,
        batch,
    })
}
