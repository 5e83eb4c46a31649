//! `downhill train` with `[train] distributed = "mpi"` (feature `mpi`): the same training loop
//! on every rank started by `mpirun`, with the batch gradient computed by all ranks together
//! (`downhill_mpi::DataParallel`); rank 0 alone prints, saves and writes checkpoints.

use std::time::Instant;

use downhill::data::{Dataset, Task};
use downhill::model::{Fit, Scalar};
use downhill::train::callbacks::LossLog;
use downhill::train::Checkpoint;
use downhill_mpi::comm::{Communicator, MpiComm, Wire};
use downhill_mpi::fault::{abort, agree, Failure, BAD_INPUT, FAILURE};
use downhill_mpi::shard::{count_rows, read_rows};
use downhill_mpi::split::part;
use downhill_mpi::{DataParallel, Reduction};
use serde_json::json;

use downhill::spec::exec::train::{optimizer, Setup};
use downhill::spec::train::TrainFile;
use downhill::spec::Precision;

use crate::cli::TrainArgs;
use crate::exit::{CliError, CliResult};
use crate::present::train::report;

/// Entry point: initialises MPI, trains, finalises MPI.
pub fn cmd(cfg: &TrainFile, args: &TrainArgs, fingerprint: String) -> CliResult {
    let Some(comm) = MpiComm::init() else {
        return Err(CliError::failure("MPI is already initialised"));
    };
    // `Precision::dispatch` cannot be used: the ranks exchange `T` over MPI (`Wire`).
    let code = match cfg.data.precision {
        Precision::F64 => run::<f64>(&comm, cfg, args, fingerprint),
        Precision::F32 => run::<f32>(&comm, cfg, args, fingerprint),
    };
    drop(comm); // MPI_Finalize
    Ok(code)
}

fn failure(e: impl Into<CliError>) -> Failure {
    let e: CliError = e.into();
    Failure {
        code: e.code,
        message: e.message,
    }
}

/// `(first row held here, rows in the file)` of a sharded CSV.
type Shard = (usize, usize);

/// This rank's setup (the whole split, or with `shard = true` its slice of the CSV) and,
/// when sharded, `(first row held here, rows in the file)`.
fn load<T: Scalar>(comm: &MpiComm, cfg: &TrainFile) -> Result<(Setup<T>, Option<Shard>), Failure> {
    let d = &cfg.data;
    if !cfg.distributed.shard {
        return Ok((Setup::load(cfg).map_err(failure)?, None));
    }
    if d.source != "csv" || d.validation_fraction != 0.0 || d.standardize || d.features.is_some() {
        return Err(Failure::input(
            "[train] shard = true needs [data] source = \"csv\" with `path` and `target`, no \
             `features` list, validation_fraction = 0 and standardize = false",
        ));
    }
    let (Some(path), Some(target)) = (&d.path, &d.target) else {
        return Err(Failure::input(
            "[data] source = \"csv\" needs `path` and `target`",
        ));
    };
    let n = count_rows(path)?;
    let rows = part(n, comm.size(), comm.rank());
    let start = rows.start;
    let r = read_rows(path, target, rows)?;
    let conv = |v: &[f64]| v.iter().map(|&x| T::of(x)).collect::<Vec<T>>();
    let k = r.features.len();
    let mut train = Dataset::new(conv(&r.x), conv(&r.y), k, Task::Regression)?;
    train.feature_names = r.features;
    let val = Dataset::new(Vec::new(), Vec::new(), k, Task::Regression)?;
    let setup = Setup::new(cfg, train, val, None).map_err(failure)?;
    Ok((setup, Some((start, n))))
}

fn run<T: Scalar + Wire>(
    comm: &MpiComm,
    cfg: &TrainFile,
    args: &TrainArgs,
    fingerprint: String,
) -> u8 {
    let dist = &cfg.distributed;
    let setup = load::<T>(comm, cfg).and_then(|(setup, shard)| {
        let opt = optimizer::<T>(cfg, &setup.net).map_err(failure)?;
        let resume = args.resume.as_deref().map(Checkpoint::load).transpose()?;
        Ok((setup, shard, opt, resume))
    });
    let (setup, shard, mut opt, resume) = match agree(comm, setup) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let k = comm.size();
    let mut train_cfg = cfg.train.clone();
    if let Some(b) = dist.batch_size_per_rank {
        train_cfg.batch_size = b * k;
    }
    let batch_size = train_cfg.batch_size;
    let reduction = match dist.reduction.as_deref() {
        Some("allreduce") => Reduction::Allreduce,
        _ => Reduction::Ordered,
    };
    let mut dp = DataParallel::new(
        comm,
        Fit {
            net: &setup.net,
            data: &setup.train,
        },
    )
    .reduction(reduction)
    .chunks(dist.chunks.unwrap_or(8));
    if let Some((offset, n_total)) = shard {
        dp = dp.sharded(offset, n_total);
    }
    let resumed_samples = resume
        .as_ref()
        .and_then(|c| c.callback_state::<LossLog>(LossLog::NAME))
        .and_then(|l| l.log_samples.last().copied())
        .unwrap_or(0);
    // Seed 000's scale_rule applies to the global batch (ranks × per-rank).
    let mut trainer = match agree(
        comm,
        setup.trainer(cfg, train_cfg, opt.as_ref()).map_err(failure),
    ) {
        Ok(t) => t,
        Err(code) => return code,
    };
    trainer.fingerprint = fingerprint;
    trainer.objective = Some(&dp);
    trainer.write_checkpoints = comm.rank() == 0;
    let t0 = Instant::now();
    let res = trainer.run(opt.as_mut(), &setup.net.init(cfg.train.seed), resume);
    let seconds = t0.elapsed().as_secs_f64();
    drop(trainer);
    // Errors inside the loop may be seen by one rank only (rank 0 writing a checkpoint):
    // stop every rank rather than leave the others waiting in a reduction. A file that
    // cannot be written is a failure (exit 1); anything else is the input's (exit 2).
    let res = match res {
        Ok(r) => r,
        Err(e @ downhill::Error::Io { .. }) => {
            abort(comm, FAILURE, &format!("cannot write checkpoint: {e}"))
        }
        Err(e) => abort(comm, BAD_INPUT, &e.to_string()),
    };
    if comm.rank() != 0 {
        return if res.diverged_at.is_some() { 3 } else { 0 };
    }
    let samples = res.log_samples.last().copied().unwrap_or(0) - resumed_samples;
    let stats = dp.stats();
    let mut extra = serde_json::Map::new();
    extra.insert("ranks".into(), json!(k));
    extra.insert("batch_size".into(), json!(batch_size));
    extra.insert("reduction".into(), json!(reduction));
    extra.insert(
        "samples_per_s".into(),
        json!(samples as f64 / seconds.max(1e-12)),
    );
    extra.insert("allreduce_seconds".into(), json!(stats.allreduce_seconds));
    extra.insert("seconds".into(), json!(seconds));
    match report(cfg, args, &setup, &res, extra) {
        Ok(code) => code,
        Err(e) => abort(comm, e.code, &e.message),
    }
}
