//! Data-parallel training on in-process ranks (no MPI needed): equal results across rank
#![allow(clippy::unwrap_used)] // helpers of tests: a failure is a test failure
//! counts, sharding, divergence, and resuming on a different number of ranks.

use downhill::optim::Sgd;
use downhill::SampledObjective;
use downhill_mpi::comm::{Communicator, ThreadComm};
use downhill_mpi::split::part;
use downhill_mpi::toy::{synthetic_linreg, LinearRegression};
use downhill_mpi::{fit, Checkpoint, DataParallel, FitOptions, FitReport, Reduction};

fn seed001() -> (Vec<f64>, Vec<f64>) {
    synthetic_linreg(1000, &[2.0, -3.4], 4.2, 0.01, 0)
}

fn opts(epochs: usize, batch_size: usize) -> FitOptions {
    FitOptions {
        epochs,
        batch_size,
        seed: 7,
        log_every: 0,
        checkpoint_every: 0,
        checkpoint_path: None,
    }
}

fn train(k: usize, reduction: Reduction, shard: bool, o: &FitOptions, lr: f64) -> Vec<FitReport> {
    ThreadComm::run(k, |c| {
        let (x, y) = seed001();
        let n = y.len();
        let (model, offset) = if shard {
            let rows = part(n, c.size(), c.rank());
            let xs = x[rows.start * 2..rows.end * 2].to_vec();
            (
                LinearRegression::new(xs, y[rows.clone()].to_vec(), 2).unwrap(),
                rows.start,
            )
        } else {
            (LinearRegression::new(x, y, 2).unwrap(), 0)
        };
        let mut dp = DataParallel::new(c, model).reduction(reduction);
        if shard {
            dp = dp.sharded(offset, n);
        }
        let mut params = vec![0.0; 3];
        fit(
            &dp,
            &mut Sgd::new(downhill::optim::SgdConfig {
                lr,
                momentum: 0.9,
                ..Default::default()
            })
            .unwrap(),
            &mut params,
            o,
            None,
            |_, _| {},
        )
        .unwrap()
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
    let o = opts(3, 40);
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
            assert_eq!(rank.log, base[0].log, "K = {k}");
            assert_eq!(rank.ranks, k);
        }
    }
}

#[test]
fn allreduce_and_shards_agree_to_rounding() {
    let o = opts(2, 40);
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
    let (x, y) = seed001();
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
            let (x, y) = seed001();
            let m = LinearRegression::new(
                x.iter().map(|&v| v as f32).collect(),
                y.iter().map(|&v| v as f32).collect(),
                2,
            )
            .unwrap();
            let dp = DataParallel::new(c, m);
            let mut params = vec![0.0_f32; 3];
            fit(
                &dp,
                &mut Sgd::with_lr(0.03).unwrap(),
                &mut params,
                &opts(1, 16),
                None,
                |_, _| {},
            )
            .unwrap()
            .params
        })
    };
    assert_eq!(run(1)[0], run(4)[3]);
}

#[test]
fn divergence_stops_every_rank_at_the_same_step() {
    let r = train(2, Reduction::Ordered, false, &opts(3, 10), 50.0);
    for rank in &r {
        assert_eq!(rank.status, "diverged");
        assert_eq!(rank.diverged_at, r[0].diverged_at);
        assert!(rank.params.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn resume_on_a_different_number_of_ranks_is_bit_identical() {
    let dir = std::env::temp_dir().join(format!("downhill-mpi-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ck = dir.join("ck.json");
    let full = train(1, Reduction::Ordered, false, &opts(3, 25), 0.05);
    let run = |k: usize, epochs: usize, resume: bool| {
        ThreadComm::run(k, |c| {
            let (x, y) = seed001();
            let dp = DataParallel::new(c, LinearRegression::new(x, y, 2).unwrap());
            let o = FitOptions {
                checkpoint_every: 1,
                checkpoint_path: Some(ck.clone()),
                ..opts(epochs, 25)
            };
            let from = resume.then(|| Checkpoint::load(&ck).unwrap());
            let mut params = vec![0.0; 3];
            let mut sgd = Sgd::new(downhill::optim::SgdConfig {
                lr: 0.05,
                momentum: 0.9,
                ..Default::default()
            })
            .unwrap();
            fit(&dp, &mut sgd, &mut params, &o, from.as_ref(), |_, _| {}).unwrap()
        })
    };
    let first = run(4, 2, false); // 2 epochs on 4 ranks, checkpoint after each
    assert_eq!(Checkpoint::load(&ck).unwrap().epoch, 2);
    assert!(!dir.join("ck.json.tmp").exists());
    let rest = run(2, 3, true); // the third epoch on 2 ranks
    assert_eq!(first[0].epochs, 2);
    assert_eq!(rest[0].params, full[0].params);
    assert_eq!(rest[1].log, full[0].log);
}
