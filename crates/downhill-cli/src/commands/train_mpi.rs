//! `downhill train` with `[train] distributed = "mpi"` (feature `mpi`): the same training loop
//! on every rank started by `mpirun`, with the batch gradient computed by all ranks together
//! (`downhill_mpi::DataParallel`); rank 0 alone prints, saves and writes checkpoints.

use std::time::Instant;

use downhill::data::{self, Dataset, Task};
use downhill::model::{Fit, Network, Scalar};
use downhill::train::{Checkpoint, Trainer};
use downhill_mpi::comm::{Communicator, MpiComm, Wire};
use downhill_mpi::fault::{abort, agree, Failure, BAD_INPUT};
use downhill_mpi::shard::{count_rows, read_rows};
use downhill_mpi::split::part;
use downhill_mpi::{DataParallel, Reduction};
use serde_json::json;

use super::train::{attach_schedule, load_data, report, Outcome};
use crate::cli::TrainArgs;
use crate::config::run::Precision;
use crate::config::train::TrainFile;
use crate::exit::{CliError, CliResult};

/// Entry point: initialises MPI, trains, finalises MPI.
pub fn cmd(cfg: &TrainFile, args: &TrainArgs, fingerprint: String) -> CliResult {
    let Some(comm) = MpiComm::init() else {
        return Err(CliError::failure("MPI is already initialised"));
    };
    let code = match cfg.data.precision {
        Precision::F64 => run::<f64>(&comm, cfg, args, fingerprint),
        Precision::F32 => run::<f32>(&comm, cfg, args, fingerprint),
    };
    drop(comm); // MPI_Finalize
    Ok(code)
}

fn failure(e: CliError) -> Failure {
    Failure {
        code: e.code,
        message: e.message,
    }
}

/// The training data of this rank: the whole split, or (`shard = true`) its slice of the CSV.
struct Data<T: Scalar> {
    train: Dataset<T>,
    val: Dataset<T>,
    scaler: Option<data::Standardizer>,
    /// `(first row held here, rows in the file)` when sharded.
    shard: Option<(usize, usize)>,
}

fn load<T: Scalar>(comm: &MpiComm, cfg: &TrainFile) -> Result<Data<T>, Failure> {
    let d = &cfg.data;
    if !cfg.distributed.shard {
        let all = load_data::<T>(d).map_err(failure)?;
        let (train, val, scaler) = data::prepare(
            &all,
            d.validation_fraction,
            d.seed.unwrap_or(0),
            d.standardize,
        )?;
        return Ok(Data {
            train,
            val,
            scaler,
            shard: None,
        });
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
    Ok(Data {
        train,
        val,
        scaler: None,
        shard: Some((start, n)),
    })
}

fn run<T: Scalar + Wire>(
    comm: &MpiComm,
    cfg: &TrainFile,
    args: &TrainArgs,
    fingerprint: String,
) -> u8 {
    let dist = &cfg.distributed;
    let setup = load::<T>(comm, cfg).and_then(|data| {
        let spec = cfg.model.spec(&data.train)?;
        let net = Network::<T>::new(spec.clone())?;
        let opt = cfg.wrappers.apply(cfg.optimizer.build::<T>()?)?;
        let resume = args.resume.as_deref().map(Checkpoint::load).transpose()?;
        Ok((data, spec, net, opt, resume))
    });
    let (data, spec, net, mut opt, resume) = match agree(comm, setup) {
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
            net: &net,
            data: &data.train,
        },
    )
    .reduction(reduction)
    .chunks(dist.chunks.unwrap_or(8));
    if let Some((offset, n_total)) = data.shard {
        dp = dp.sharded(offset, n_total);
    }
    let resumed_samples = resume
        .as_ref()
        .and_then(|c| c.log_samples.last().copied())
        .unwrap_or(0);
    let mut trainer = Trainer::new(&net, &data.train, train_cfg);
    trainer.val = Some(&data.val);
    // Seed 000's scale_rule applies to the global batch (ranks × per-rank).
    let attached = attach_schedule(
        &mut trainer,
        cfg,
        opt.as_ref(),
        batch_size,
        data.val.n() > 0,
    );
    if let Err(code) = agree(comm, attached.map_err(failure)) {
        return code;
    }
    trainer.fingerprint = fingerprint;
    trainer.objective = Some(&dp);
    trainer.write_checkpoints = comm.rank() == 0;
    let t0 = Instant::now();
    let res = trainer.run(opt.as_mut(), &net.init(cfg.train.seed), resume);
    let seconds = t0.elapsed().as_secs_f64();
    drop(trainer);
    // Errors inside the loop may be seen by one rank only (rank 0 writing a checkpoint):
    // stop every rank rather than leave the others waiting in a reduction.
    let res = match res {
        Ok(r) => r,
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
    let out = Outcome {
        net: &net,
        spec,
        scaler: data.scaler,
        feature_names: data.train.feature_names.clone(),
    };
    match report(cfg, args, &out, &res, extra) {
        Ok(code) => code,
        Err(e) => abort(comm, e.code, &e.message),
    }
}
