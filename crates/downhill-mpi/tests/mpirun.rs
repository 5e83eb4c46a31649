//! End-to-end tests through `mpirun` and the `mpi_linreg` example (feature `mpi`). Skipped, with
//! a printed note, when `mpirun` is not installed. Rank counts come from `DOWNHILL_MPI_RANKS`
//! (default `1 2 4`; CI uses `1 2`).
#![cfg(feature = "mpi")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is a test failure

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

fn have_mpirun() -> bool {
    let ok = Command::new("mpirun")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: `mpirun` not found; MPI end-to-end tests skipped (apt-get install openmpi-bin libopenmpi-dev)");
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

/// The example binary: `target/<profile>/examples/mpi_linreg`, built by `cargo test`.
fn driver() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples")
        .join(format!("mpi_linreg{}", std::env::consts::EXE_SUFFIX))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("downhill-mpirun-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn mpirun(k: usize, cfg: &Path, extra: &[&str]) -> Run {
    let t0 = Instant::now();
    let out = Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "-np",
            &k.to_string(),
        ])
        .arg(driver())
        .arg(cfg)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: t0.elapsed(),
    }
}

/// Runs and parses the one JSON object rank 0 prints; fails on anything else on stdout.
fn json_of(k: usize, cfg: &Path, extra: &[&str]) -> Value {
    let r = mpirun(k, cfg, extra);
    assert_eq!(r.code, Some(0), "K = {k}: {}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "K = {k}: expected one JSON object, got {:?}",
        r.stdout
    );
    let v: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["ranks"].as_u64(), Some(k as u64));
    assert!(v["samples_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["allreduce_seconds"].as_f64().unwrap() >= 0.0);
    v
}

fn params(v: &Value) -> Vec<f64> {
    let mut p: Vec<f64> = v["params"]["w"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    p.push(v["params"]["b"].as_f64().unwrap());
    p
}

fn write(name: &str, text: &str) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, text).unwrap();
    p
}

const LINREG: &str = r#"
[data]
source = "synthetic_linreg"
seed = 0
[optimizer]
name = "sgd"
lr = 0.03
momentum = 0.5
[train]
distributed = "mpi"
epochs = 3
batch_size = 40
seed = 1
"#;

#[test]
fn every_rank_count_ends_with_the_same_parameters() {
    if !have_mpirun() {
        return;
    }
    let ordered = write("ordered.toml", LINREG);
    let ring = write("ring.toml", &format!("{LINREG}reduction = \"allreduce\"\n"));
    let base = params(&json_of(1, &ordered, &[]));
    assert!(
        (base[0] - 2.0).abs() < 0.05 && (base[2] - 4.2).abs() < 0.05,
        "{base:?}"
    );
    for k in ranks() {
        assert_eq!(params(&json_of(k, &ordered, &[])), base, "ordered, K = {k}");
        let p = params(&json_of(k, &ring, &[]));
        for (a, b) in p.iter().zip(&base) {
            assert!(
                (a - b).abs() <= 1e-9 * b.abs(),
                "allreduce, K = {k}: {p:?} vs {base:?}"
            );
        }
    }
}

#[test]
fn a_corrupt_shard_stops_the_whole_job_with_exit_2_naming_the_file() {
    if !have_mpirun() {
        return;
    }
    let mut csv = String::from("x1,x2,y\n");
    for i in 0..200 {
        let (a, b) = (i as f64 / 100.0, (i % 7) as f64);
        if i == 170 {
            csv.push_str("0.5,abc,1\n"); // in the last rank's slice
        } else {
            csv.push_str(&format!("{a},{b},{}\n", 2.0 * a - 3.4 * b + 4.2));
        }
    }
    let data = write("corrupt.csv", &csv);
    let cfg = write(
        "shard.toml",
        &format!(
            "[data]\nsource = \"csv\"\npath = \"{}\"\ntarget = \"y\"\n[optimizer]\nname = \"sgd\"\nlr = 0.01\n[train]\nepochs = 2\nbatch_size_per_rank = 8\nshard = true\n",
            data.display()
        ),
    );
    for k in ranks() {
        let r = mpirun(k, &cfg, &[]);
        assert_eq!(r.code, Some(2), "K = {k}: {}", r.stderr);
        assert!(
            r.took < Duration::from_secs(10),
            "K = {k}: took {:?}",
            r.took
        );
        assert!(
            r.stderr.contains("corrupt.csv:172") && r.stderr.contains("abc"),
            "{}",
            r.stderr
        );
        assert_eq!(
            r.stderr.matches("corrupt.csv:172").count(),
            1,
            "{}",
            r.stderr
        );
        assert!(r.stdout.trim().is_empty(), "{}", r.stdout);
    }
}

#[test]
fn resume_works_on_a_different_number_of_ranks() {
    if !have_mpirun() {
        return;
    }
    let ck = tmp("ck.json");
    let with_ck = |epochs: usize| {
        LINREG.replace("epochs = 3", &format!("epochs = {epochs}"))
            + &format!(
                "checkpoint_every = 1\ncheckpoint_path = \"{}\"\n",
                ck.display()
            )
    };
    let full = params(&json_of(1, &write("full.toml", LINREG), &[]));
    let kmax = *ranks().iter().max().unwrap();
    let first = json_of(kmax, &write("first.toml", &with_ck(2)), &[]);
    assert_eq!(first["epochs"].as_u64(), Some(2));
    let ck_s = ck.display().to_string();
    for k in ranks() {
        let rest = json_of(k, &write("rest.toml", &with_ck(3)), &["--resume", &ck_s]);
        assert_eq!(params(&rest), full, "resumed on K = {k} after {kmax} ranks");
        // The resumed run overwrote the checkpoint with epoch 3: restore epoch 2 for the next K.
        let _ = json_of(kmax, &write("first.toml", &with_ck(2)), &[]);
    }
}

#[test]
fn a_failure_on_one_rank_aborts_every_rank_quickly() {
    if !have_mpirun() {
        return;
    }
    let cfg = write(
        "abort.toml",
        &format!("{LINREG}checkpoint_every = 1\ncheckpoint_path = \"/nonexistent-dir/ck.json\"\n"),
    );
    let k = *ranks().iter().max().unwrap();
    let r = mpirun(k, &cfg, &[]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.took < Duration::from_secs(10), "took {:?}", r.took);
    assert!(r.stderr.contains("cannot write checkpoint"), "{}", r.stderr);
}
