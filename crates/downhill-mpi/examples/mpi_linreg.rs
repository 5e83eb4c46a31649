//! Data-parallel training of seed 001's linear regression over MPI — the driver used to test
//! `downhill-mpi` end to end (`crates/downhill-mpi/tests/run_mpi.sh`).
//!
//! ```sh
//! cargo build -p downhill-mpi --features mpi --example mpi_linreg
//! mpirun --allow-run-as-root --oversubscribe -np 4 \
//!     target/debug/examples/mpi_linreg crates/downhill-mpi/examples/linreg.toml --json
//! ```
//!
//! Every rank reads the config and the data (or, with `shard = true`, only its slice of the
//! CSV), trains with the same seeded batches, and rank 0 alone prints the result and writes
//! checkpoints. Exit codes: 0 ok, 2 bad input (one message, from the lowest failing rank),
//! 3 diverged.
//!
//! Seed 000's large-batch rules come from the schedules' `Adjustment`: the lr of step `t` is
//! `w_t · s · lr` with `s = B/base_batch_size` (`scale_rule = "linear"`), `√(B/base_batch_size)`
//! (`"sqrt"`) or 1 (no `scale_rule`), B the global batch, and `w_t` the linear warm-up from
//! `warmup_start_factor` (default 1/3) to 1 over `warmup_steps`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use downhill::optim::{Optimizer, OptimizerConfig};
use downhill::schedule::{Adjustment, ScaleRule};
use downhill::SampledObjective;
use downhill_mpi::comm::{Communicator, MpiComm};
use downhill_mpi::fault::{agree, Failure};
use downhill_mpi::shard::{count_rows, read_rows};
use downhill_mpi::split::part;
use downhill_mpi::toy::{synthetic_linreg, LinearRegression};
use downhill_mpi::{fit, Checkpoint, DataParallel, FitOptions, Reduction};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    data: DataConfig,
    optimizer: toml::Value,
    train: TrainConfig,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataConfig {
    /// `"synthetic_linreg"` (seed 001) or `"csv"`.
    source: String,
    #[serde(default = "default_n")]
    n: usize,
    #[serde(default)]
    seed: u64,
    /// Number of features of `synthetic_linreg`; the true `w` cycles through [2, −3.4].
    #[serde(default = "default_features")]
    features: usize,
    path: Option<PathBuf>,
    #[serde(default = "default_target")]
    target: String,
}

fn default_n() -> usize {
    1000
}
fn default_features() -> usize {
    2
}
fn default_target() -> String {
    "y".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainConfig {
    #[serde(default = "default_distributed")]
    distributed: String,
    epochs: usize,
    batch_size: Option<usize>,
    batch_size_per_rank: Option<usize>,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    shard: bool,
    #[serde(default)]
    reduction: Reduction,
    #[serde(default = "default_chunks")]
    chunks: usize,
    #[serde(default)]
    log_every: usize,
    #[serde(default)]
    checkpoint_every: usize,
    checkpoint_path: Option<PathBuf>,
    base_batch_size: Option<usize>,
    scale_rule: Option<ScaleRule>,
    #[serde(default)]
    warmup_steps: usize,
    #[serde(default = "default_warmup_start")]
    warmup_start_factor: f64,
}

fn default_distributed() -> String {
    "mpi".into()
}
fn default_chunks() -> usize {
    8
}
fn default_warmup_start() -> f64 {
    1.0 / 3.0
}

struct Setup {
    cfg: TrainConfig,
    optimizer: OptimizerConfig,
    model: LinearRegression<f64>,
    offset: usize,
    n_total: usize,
    resume: Option<Checkpoint>,
}

fn parse_config(path: &Path) -> Result<(Config, OptimizerConfig), Failure> {
    let raw = std::fs::read_to_string(path)
        .map_err(|e| Failure::input(format!("{}: cannot read: {e}", path.display())))?;
    let cfg: Config = toml::from_str(&raw)
        .map_err(|e| Failure::input(format!("{}: {}", path.display(), e.message())))?;
    let opt: OptimizerConfig = cfg
        .optimizer
        .clone()
        .try_into()
        .map_err(|e: toml::de::Error| {
            Failure::input(format!("{}: [optimizer] {}", path.display(), e.message()))
        })?;
    if cfg.train.distributed != "mpi" {
        return Err(Failure::input(format!(
            "{}: [train] distributed = `{}`; this driver knows only \"mpi\"",
            path.display(),
            cfg.train.distributed
        )));
    }
    Ok((cfg, opt))
}

fn setup<C: Communicator>(comm: &C, file: &Path, resume: Option<&Path>) -> Result<Setup, Failure> {
    let (cfg, optimizer) = parse_config(file)?;
    let d = &cfg.data;
    let (model, offset, n_total) = match d.source.as_str() {
        "synthetic_linreg" => {
            let w: Vec<f64> = [2.0, -3.4]
                .iter()
                .copied()
                .cycle()
                .take(d.features)
                .collect();
            let (x, y) = synthetic_linreg(d.n, &w, 4.2, 0.01, d.seed);
            let n = y.len();
            let m = LinearRegression::new(x, y, d.features);
            (m, 0, n)
        }
        "csv" => {
            let Some(path) = &d.path else {
                return Err(Failure::input("[data] source = \"csv\" needs `path`"));
            };
            let n = count_rows(path)?;
            let rows = if cfg.train.shard {
                part(n, comm.size(), comm.rank())
            } else {
                0..n
            };
            let start = rows.start;
            let r = read_rows(path, &d.target, rows)?;
            let m = LinearRegression::new(r.x, r.y, r.features.len());
            (m, start, n)
        }
        other => {
            return Err(Failure::input(format!(
                "[data] unknown source `{other}`; known: synthetic_linreg, csv"
            )))
        }
    };
    let model = model.ok_or_else(|| Failure::input("[data] features and targets disagree"))?;
    let resume = resume.map(Checkpoint::load).transpose()?;
    Ok(Setup {
        cfg: cfg.train,
        optimizer,
        model,
        offset,
        n_total,
        resume,
    })
}

/// Seed 000's rules through the schedules' [`Adjustment`]: lr × scale(B / base_batch_size),
/// warmed up linearly over `warmup_steps` from `warmup_start_factor` (PyTorch's LinearLR, 1/3).
fn adjustment(cfg: &TrainConfig, batch: usize) -> Result<Adjustment, Failure> {
    let scale = match (cfg.scale_rule, cfg.base_batch_size) {
        (Some(rule), Some(base)) if base > 0 => rule.factor(batch, base),
        (Some(_), _) => {
            return Err(Failure::input(
                "[train] scale_rule needs base_batch_size >= 1",
            ))
        }
        (None, _) => 1.0,
    };
    let adj = Adjustment {
        scale,
        warmup_steps: cfg.warmup_steps,
        warmup_start_factor: cfg.warmup_start_factor,
        retune: None,
    };
    adj.validate()?;
    Ok(adj)
}

fn run(comm: &MpiComm) -> u8 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let resume = args
        .iter()
        .position(|a| a == "--resume")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let Some(file) = args
        .iter()
        .find(|a| a.ends_with(".toml"))
        .map(PathBuf::from)
    else {
        if comm.rank() == 0 {
            eprintln!("usage: mpi_linreg CONFIG.toml [--json] [--resume CHECKPOINT]");
        }
        return 2;
    };
    let s = match agree(comm, setup(comm, &file, resume.as_deref())) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let k = comm.size();
    let batch = match (s.cfg.batch_size, s.cfg.batch_size_per_rank) {
        (Some(b), None) => Ok(b),
        (None, Some(b)) => Ok(b * k),
        _ => Err(Failure::input(
            "[train] set exactly one of `batch_size` (global) and `batch_size_per_rank`",
        )),
    };
    let built = batch.and_then(|b| {
        downhill::error::check_min("chunks", s.cfg.chunks as f64, 1.0)?;
        downhill::error::check_min("batch_size", b as f64, 1.0)?;
        let adj = adjustment(&s.cfg, b)?;
        let opt = s.optimizer.build::<f64>()?;
        Ok((b, adj, opt))
    });
    let (batch, adj, mut opt) = match agree(comm, built) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let mut dp = DataParallel::new(comm, s.model)
        .reduction(s.cfg.reduction)
        .chunks(s.cfg.chunks);
    if s.cfg.shard {
        dp = dp.sharded(s.offset, s.n_total);
    }
    let opts = FitOptions {
        epochs: s.cfg.epochs,
        batch_size: batch,
        seed: s.cfg.seed,
        log_every: s.cfg.log_every,
        checkpoint_every: s.cfg.checkpoint_every,
        checkpoint_path: s.cfg.checkpoint_path.clone(),
    };
    let base_lr = s.optimizer.lr();
    let mut params = vec![0.0_f64; dp.n_params()];
    let report = fit(
        &dp,
        &mut opt,
        &mut params,
        &opts,
        s.resume.as_ref(),
        |t, o| {
            o.set_lr(adj.lr(t, base_lr));
        },
    );
    let report = match agree(comm, report.map_err(Failure::from)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if comm.rank() == 0 {
        let d = report.params.len() - 1;
        let out = json!({
            "status": report.status,
            "epochs": report.epochs,
            "steps": report.steps,
            "params": {"w": &report.params[..d], "b": report.params[d]},
            "train_loss": report.log.iter().map(|l| l.loss).collect::<Vec<_>>(),
            "log": report.log,
            "diverged_at": report.diverged_at,
            "ranks": report.ranks,
            "batch_size": batch,
            "reduction": s.cfg.reduction,
            "shard": s.cfg.shard,
            "samples_per_s": report.samples_per_s,
            "allreduce_seconds": report.allreduce_seconds,
            "seconds": report.seconds,
            "optimizer": opt.name(),
        });
        if json {
            println!("{out}");
        } else {
            println!(
                "{} ranks, global batch {batch}: {} after {} epochs; w = {:?}, b = {}; {:.0} samples/s, {:.4} s in allreduce",
                report.ranks,
                report.status,
                report.epochs,
                &report.params[..d],
                report.params[d],
                report.samples_per_s,
                report.allreduce_seconds
            );
        }
    }
    if report.diverged_at.is_some() {
        3
    } else {
        0
    }
}

fn main() -> ExitCode {
    let Some(comm) = MpiComm::init() else {
        eprintln!("error: MPI is already initialised");
        return ExitCode::from(1);
    };
    let code = run(&comm);
    drop(comm); // MPI_Finalize before exiting
    ExitCode::from(code)
}
