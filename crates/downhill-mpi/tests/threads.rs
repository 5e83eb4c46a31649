//! Data-parallel training on in-process ranks (no MPI needed), through the library's own
//! `Trainer` with `DataParallel` as its objective: equal results across rank counts, sharding,
//! divergence, and resuming on a different number of ranks.
#![allow(clippy::unwrap_used)] // helpers of tests: a failure is a test failure

use downhill::data::{Dataset, Task};
use downhill::model::{Fit, ModelConfig, ModelKind, Network, Scalar};
use downhill::optim::{Sgd, SgdConfig};
use downhill::train::{Checkpoint, TrainConfig, TrainResult, TrainStatus, Trainer};
use downhill::SampledObjective;
use downhill_mpi::comm::{Communicator, ThreadComm, Wire};
use downhill_mpi::split::part;
use downhill_mpi::toy::{synthetic_linreg, LinearRegression};
use downhill_mpi::{DataParallel, Reduction};

fn seed001<T: Scalar>(rows: std::ops::Range<usize>) -> Dataset<T> {
    let (x, y) = synthetic_linreg(1000, &[2.0, -3.4], 4.2, 0.01, 0);
    let conv = |v: &[f64]| v.iter().map(|&a| T::of(a)).collect::<Vec<T>>();
    Dataset::new(
        conv(&x[rows.start * 2..rows.end * 2]),
        conv(&y[rows]),
        2,
        Task::Regression,
    )
    .unwrap()
}

const LINEAR: ModelConfig = ModelConfig {
    kind: ModelKind::Linear,
    hidden: Vec::new(),
    activation: downhill::model::Activation::Relu,
    head: None,
};

fn config(epochs: usize, batch_size: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size,
        seed: 7,
        ..Default::default()
    }
}

/// One rank's run: `momentum` SGD at `lr` on seed 001's data (this rank's shard of it when
/// `shard`), the batch gradients computed by all ranks of `comm` together.
fn rank_run<T: Scalar + Wire>(
    comm: &ThreadComm,
    reduction: Reduction,
    shard: bool,
    cfg: TrainConfig,
    (lr, momentum): (f64, f64),
    resume: Option<Checkpoint>,
) -> TrainResult {
    let rows = if shard {
        part(1000, comm.size(), comm.rank())
    } else {
        0..1000
    };
    let offset = rows.start;
    let data = seed001::<T>(rows);
    let net = Network::new(LINEAR.spec(&data).unwrap()).unwrap();
    let mut dp = DataParallel::new(
        comm,
        Fit {
            net: &net,
            data: &data,
        },
    )
    .reduction(reduction);
    if shard {
        dp = dp.sharded(offset, 1000);
    }
    let mut trainer = Trainer::new(&net, &data, cfg);
    trainer.objective = Some(&dp);
    trainer.write_checkpoints = comm.rank() == 0;
    let mut sgd = Sgd::new(SgdConfig {
        lr,
        momentum,
        ..Default::default()
    })
    .unwrap();
    let init = vec![T::zero(); net.n_params()];
    trainer.run(&mut sgd, &init, resume).unwrap()
}

fn train(
    k: usize,
    reduction: Reduction,
    shard: bool,
    cfg: &TrainConfig,
    lr: f64,
) -> Vec<TrainResult> {
    ThreadComm::run(k, |c| {
        rank_run::<f64>(c, reduction, shard, cfg.clone(), (lr, 0.9), None)
    })
}

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / x.abs().max(y.abs()).max(1e-300))
        .fold(0.0, f64::max)
}

#[test]
fn ordered_reduction_is_bit_identical_for_any_rank_count() {
    let o = config(3, 40);
    let base = train(1, Reduction::Ordered, false, &o, 0.05);
    assert!(
        (base[0].params[0] - 2.0).abs() < 0.1,
        "{:?}",
        base[0].params
    );
    for k in [2, 3, 4, 8] {
        let r = train(k, Reduction::Ordered, false, &o, 0.05);
        for rank in &r {
            assert_eq!(rank.params, base[0].params, "K = {k}");
            assert_eq!(rank.train_loss, base[0].train_loss, "K = {k}");
            assert_eq!(rank.log_samples, base[0].log_samples, "K = {k}");
        }
    }
}

#[test]
fn allreduce_and_shards_agree_to_rounding() {
    let o = config(2, 40);
    let base = train(1, Reduction::Ordered, false, &o, 0.05);
    for k in [2, 4] {
        for (red, shard) in [
            (Reduction::Allreduce, false),
            (Reduction::Ordered, true),
            (Reduction::Allreduce, true),
        ] {
            let r = train(k, red, shard, &o, 0.05);
            let d = max_rel(&r[0].params, &base[0].params);
            assert!(d < 1e-12, "K = {k} {red:?} shard {shard}: {d}");
            assert_eq!(r[0].params, r[k - 1].params, "ranks disagree");
        }
    }
}

#[test]
fn collective_gradient_is_the_gradient_of_the_whole_batch() {
    let (x, y) = synthetic_linreg(1000, &[2.0, -3.4], 4.2, 0.01, 0);
    let model = LinearRegression::new(x.clone(), y.clone(), 2).unwrap();
    let batch: Vec<usize> = (0..37).map(|i| (i * 53) % 1000).collect();
    let p = [0.5, 0.25, -1.0];
    let mut want = [0.0; 3];
    let want_loss = model.batch_gradient(&p, &batch, &mut want);
    let got = ThreadComm::run(3, |c| {
        let dp = DataParallel::new(c, LinearRegression::new(x.clone(), y.clone(), 2).unwrap());
        let mut g = [0.0; 3];
        let loss = dp.batch_gradient(&p, &batch, &mut g);
        (loss, g, dp.batch_value(&p, &batch), dp.stats())
    });
    for (loss, g, v, stats) in got {
        assert!(max_rel(&g, &want) < 1e-14 && (loss - want_loss).abs() < 1e-14 * want_loss);
        assert!((v - want_loss).abs() < 1e-14 * want_loss);
        assert_eq!(stats.reductions, 2);
    }
}

#[test]
fn f32_training_is_identical_across_ranks_too() {
    let run = |k: usize| {
        ThreadComm::run(k, |c| {
            rank_run::<f32>(
                c,
                Reduction::Ordered,
                false,
                config(1, 16),
                (0.03, 0.0),
                None,
            )
            .params
        })
    };
    assert_eq!(run(1)[0], run(4)[3]);
}

#[test]
fn divergence_stops_every_rank_at_the_same_step() {
    let r = train(2, Reduction::Ordered, false, &config(3, 10), 50.0);
    for rank in &r {
        assert_eq!(rank.status, TrainStatus::Diverged);
        assert!(rank.diverged_at.is_some());
        assert_eq!(rank.diverged_at, r[0].diverged_at);
        assert!(rank.params.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn resume_on_a_different_number_of_ranks_is_bit_identical() {
    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("ck.json");
    let full = train(1, Reduction::Ordered, false, &config(3, 25), 0.05);
    let run = |k: usize, epochs: usize, resume: bool| {
        ThreadComm::run(k, |c| {
            let cfg = TrainConfig {
                checkpoint_every: Some(1),
                checkpoint_path: Some(ck.clone()),
                ..config(epochs, 25)
            };
            let from = resume.then(|| Checkpoint::load(&ck).unwrap());
            rank_run::<f64>(c, Reduction::Ordered, false, cfg, (0.05, 0.9), from)
        })
    };
    // 3 epochs on 4 ranks: a checkpoint after epochs 1 and 2 (none after the last).
    let first = run(4, 3, false);
    assert_eq!(first[0].params, full[0].params);
    assert_eq!(Checkpoint::load(&ck).unwrap().epoch, 2);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["ck.json"], "no temporary file is left behind");
    let rest = run(2, 3, true); // the third epoch again, on 2 ranks
    assert_eq!(rest[0].epochs, 3);
    assert_eq!(rest[0].params, full[0].params);
    assert_eq!(rest[1].train_loss, full[0].train_loss);
}
