//! `downhill train` over MPI (feature `mpi`), through `mpirun`: equal parameters for every
//! rank count on seed 001's linear regression and the digits MLP, one JSON object from rank 0, a
//! corrupt shard stopping the job with exit 2, and resuming on another number of ranks. Skipped,
//! with a note, when `mpirun` is absent. Rank counts: `DOWNHILL_MPI_RANKS` (default `1 2 4`).
#![cfg(feature = "mpi")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is a test failure

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

fn have_mpirun() -> bool {
    let ok = Command::new("mpirun")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: `mpirun` not found; MPI tests of `downhill train` skipped");
    }
    ok
}

fn ranks() -> Vec<usize> {
    std::env::var("DOWNHILL_MPI_RANKS")
        .ok()
        .map(|s| {
            s.split_whitespace()
                .filter_map(|k| k.parse().ok())
                .collect()
        })
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![1, 2, 4])
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("downhill-cli-mpi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// `mpirun -np k downhill ARGS…`.
fn mpirun(k: usize, args: &[&OsStr]) -> Output {
    Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "-np",
            &k.to_string(),
        ])
        .arg(env!("CARGO_BIN_EXE_downhill"))
        .args(args)
        .output()
        .unwrap()
}

fn train(k: usize, cfg: &Path, extra: &[&str]) -> Run {
    let t0 = Instant::now();
    let mut args: Vec<&OsStr> = vec!["train".as_ref(), cfg.as_os_str(), "--json".as_ref()];
    args.extend(extra.iter().map(OsStr::new));
    let out = mpirun(k, &args);
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: t0.elapsed(),
    }
}

fn json_of(k: usize, cfg: &Path, extra: &[&str]) -> Value {
    let r = train(k, cfg, extra);
    assert_eq!(r.code, Some(0), "K = {k}: {}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "K = {k}: want one JSON object, got {:?}",
        r.stdout
    );
    let v: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["ranks"].as_u64(), Some(k as u64));
    assert!(v["samples_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["allreduce_seconds"].as_f64().unwrap() >= 0.0);
    v
}

const LINREG: &str = "[data]\nsource = \"synthetic_linreg\"\n[model]\nkind = \"linear\"\n\
[optimizer]\nname = \"sgd\"\nlr = 0.03\nmomentum = 0.5\n\
[train]\ndistributed = \"mpi\"\nepochs = 3\nbatch_size = 40\nseed = 1\n";

const DIGITS: &str = "[data]\nsource = \"digits\"\nstandardize = true\nvalidation_fraction = 0.2\n\
[model]\nkind = \"mlp\"\nhidden = [32]\nactivation = \"relu\"\n\
[optimizer]\nname = \"sgd\"\nlr = 0.05\nmomentum = 0.9\n\
[train]\ndistributed = \"mpi\"\nepochs = 4\nbatch_size = 32\nseed = 0\n";

#[test]
fn linreg_and_digits_mlp_end_bit_identical_on_any_rank_count() {
    if !have_mpirun() {
        return;
    }
    for (name, text) in [("linreg.toml", LINREG), ("digits.toml", DIGITS)] {
        let cfg = write(name, text);
        let base = json_of(1, &cfg, &[]);
        for k in ranks() {
            let v = json_of(k, &cfg, &[]);
            assert_eq!(v["params"], base["params"], "{name}, K = {k}");
            assert_eq!(v["train_loss"], base["train_loss"], "{name}, K = {k}");
        }
        if name == "digits.toml" {
            let acc = base["val_metrics"][3]["accuracy"].as_f64().unwrap();
            assert!(acc > 0.9, "digits accuracy {acc}");
        } else {
            let b = base["params"]["b"].as_f64().unwrap();
            assert!((b - 4.2).abs() < 0.05, "b = {b}");
        }
    }
}

#[test]
fn ring_allreduce_agrees_to_1e_9() {
    if !have_mpirun() {
        return;
    }
    let cfg = write("ring.toml", &format!("{LINREG}reduction = \"allreduce\"\n"));
    let flat = |v: &Value| -> Vec<f64> {
        let mut p: Vec<f64> = v["params"]["w"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        p.push(v["params"]["b"].as_f64().unwrap());
        p
    };
    let base = flat(&json_of(1, &cfg, &[]));
    for k in ranks() {
        for (a, b) in flat(&json_of(k, &cfg, &[])).iter().zip(&base) {
            assert!((a - b).abs() <= 1e-9 * b.abs(), "K = {k}: {a} vs {b}");
        }
    }
}

#[test]
fn corrupt_shard_stops_every_rank_with_exit_2_naming_the_file() {
    if !have_mpirun() {
        return;
    }
    let mut csv = String::from("x1,x2,y\n");
    for i in 0..200 {
        if i == 190 {
            csv.push_str("0.5,1e,1\n");
        } else {
            let (a, b) = (i as f64 / 50.0, (i % 5) as f64);
            csv.push_str(&format!("{a},{b},{}\n", 2.0 * a - 3.4 * b + 4.2));
        }
    }
    let data = write("bad_shard.csv", &csv);
    let cfg = write(
        "shard.toml",
        &format!(
            "[data]\nsource = \"csv\"\npath = \"{}\"\ntarget = \"y\"\n[model]\nkind = \"linear\"\n\
             [optimizer]\nname = \"sgd\"\nlr = 0.01\n[train]\ndistributed = \"mpi\"\nepochs = 1\n\
             batch_size_per_rank = 8\nshard = true\n",
            data.display()
        ),
    );
    for k in ranks() {
        let r = train(k, &cfg, &[]);
        assert_eq!(r.code, Some(2), "K = {k}: {}", r.stderr);
        assert!(r.took < Duration::from_secs(10), "K = {k}: {:?}", r.took);
        assert_eq!(
            r.stderr.matches("bad_shard.csv:192").count(),
            1,
            "{}",
            r.stderr
        );
        assert!(r.stdout.trim().is_empty());
    }
}

#[test]
fn resume_on_another_number_of_ranks_matches_the_uninterrupted_run() {
    if !have_mpirun() {
        return;
    }
    let ck = write("ck.json", "");
    let text = format!(
        "{LINREG}checkpoint_every = 1\ncheckpoint_path = \"{}\"\n",
        ck.display()
    );
    let cfg = write("ck.toml", &text);
    let kmax = *ranks().iter().max().unwrap();
    let ck_s = ck.display().to_string();
    for k in ranks() {
        // Full run on kmax ranks leaves the checkpoint of epoch 2; finish epoch 3 on k ranks.
        let full = json_of(kmax, &cfg, &[]);
        let resumed = json_of(k, &cfg, &["--resume", &ck_s]);
        assert_eq!(resumed["params"], full["params"], "resumed on K = {k}");
        assert_eq!(resumed["epochs"].as_u64(), Some(3));
    }
}

#[test]
fn a_checkpoint_rank_0_cannot_write_aborts_every_rank_quickly() {
    if !have_mpirun() {
        return;
    }
    let cfg = write(
        "abort.toml",
        &format!("{LINREG}checkpoint_every = 1\ncheckpoint_path = \"/nonexistent-dir/ck.json\"\n"),
    );
    let k = *ranks().iter().max().unwrap();
    let r = train(k, &cfg, &[]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.took < Duration::from_secs(10), "took {:?}", r.took);
    assert!(r.stderr.contains("cannot write checkpoint"), "{}", r.stderr);
    assert!(r.stdout.trim().is_empty(), "{}", r.stdout);
}

/// `downhill sweep` under `mpirun -np K`: the ranks split the grid and rank 0 prints one
/// result, identical to the sweep run by one process without MPI.
#[test]
fn sweep_under_mpi_prints_what_one_process_prints() {
    if !have_mpirun() {
        return;
    }
    let cfg = write(
        "sweep.toml",
        "[data]\nsource = \"synthetic_linreg\"\n[model]\nkind = \"linear\"\n\
         [optimizer]\nname = \"sgd\"\nlr = 0.05\n[train]\nepochs = 2\nbatch_size = 20\n\
         [sweep]\n\"optimizer.lr\" = { log_range = [0.001, 3.0], num = 5 }\n\
         \"train.batch_size\" = [10, 40]\n",
    );
    let alone = Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(["sweep", cfg.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(
        alone.status.success(),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    let alone = String::from_utf8_lossy(&alone.stdout).into_owned();
    for k in ranks() {
        let out = mpirun(k, &["sweep".as_ref(), cfg.as_os_str(), "--json".as_ref()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "K = {k}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), alone, "K = {k}");
    }
}
