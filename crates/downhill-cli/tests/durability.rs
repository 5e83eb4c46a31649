//! Determinism and durability of `downhill train`: bit-identical parameters at any rayon
//! thread count; corrupted checkpoints refused; a run SIGKILLed 10 times at seeded random
//! moments and resumed each time ends with the parameters of an uninterrupted run.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("downhill-durable-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn train(args: &[&str], threads: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_downhill"))
        .arg("train")
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap()
}

fn params(o: &Output) -> Value {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["params"].clone()
}

/// An MLP on the embedded digits with a checkpoint after every epoch.
fn config(dir: &Path, epochs: usize) -> String {
    let ck = dir.join("ck.json");
    let p = dir.join("train.toml");
    std::fs::write(
        &p,
        format!(
            "[data]\nsource = \"digits\"\nstandardize = true\nvalidation_fraction = 0.2\n\n\
             [model]\nkind = \"mlp\"\nhidden = [16]\nactivation = \"tanh\"\n\n\
             [optimizer]\nname = \"adam\"\nlr = 0.003\n\n\
             [train]\nepochs = {epochs}\nbatch_size = 32\nseed = 7\n\
             checkpoint_every = 1\ncheckpoint_path = \"{}\"\n",
            ck.display()
        ),
    )
    .unwrap();
    p.display().to_string()
}

#[test]
fn same_seed_gives_bit_identical_parameters_at_1_and_2_threads() {
    let dir = tmpdir("threads");
    let cfg = config(&dir, 3);
    let one = params(&train(&[&cfg, "--json"], "1"));
    let two = params(&train(&[&cfg, "--json"], "2"));
    // serde_json prints the shortest round-tripping decimal: equal text = equal bits.
    assert_eq!(one.to_string(), two.to_string());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn corrupted_or_truncated_checkpoints_are_refused() {
    let dir = tmpdir("corrupt");
    let cfg = config(&dir, 2);
    params(&train(&[&cfg, "--json"], "1"));
    let ck = dir.join("ck.json");
    let good = std::fs::read(&ck).unwrap();
    let mut flipped = good.clone();
    let at = flipped.len() * 3 / 4;
    flipped[at] = if flipped[at] == b'1' { b'2' } else { b'1' };
    let mut bad_version = String::from_utf8(good.clone()).unwrap();
    bad_version = bad_version.replacen("\"version\":2", "\"version\":99", 1);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("flipped.json", flipped, "checksum"),
        (
            "truncated.json",
            good[..good.len() - 10].to_vec(),
            "flipped",
        ),
        ("empty.json", Vec::new(), "empty.json"),
        ("garbage.json", vec![0xff, 0x00, 0x13, 0x37], "garbage.json"),
        ("version.json", bad_version.into_bytes(), "version"),
    ];
    for (name, bytes, needle) in cases {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let o = train(&[&cfg, "--resume", p.to_str().unwrap()], "1");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        let needle = if needle == "flipped" { name } else { needle };
        assert!(err.contains(needle), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn ten_sigkills_at_random_moments_then_resume_match_an_uninterrupted_run() {
    let dir = tmpdir("soak");
    // Long enough that all 10 kills land even on an idle machine (≈ 2 ms per epoch with its
    // checkpoint there, ≈ 25 ms under load): the kills add at most 10 × 60 ms of progress.
    let epochs = 400;
    let cfg = config(&dir, epochs);
    let ck = dir.join("ck.json");
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let budget = Instant::now();
    let mut killed = 0;
    while killed < 10 && budget.elapsed() < Duration::from_secs(45) {
        let mut args = vec!["train".to_string(), cfg.clone(), "--json".into()];
        if ck.exists() {
            args.extend(["--resume".into(), ck.display().to_string()]);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_downhill"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(5..60)));
        if child.try_wait().unwrap().is_some() {
            break; // finished before this kill: nothing left to interrupt
        }
        child.kill().unwrap(); // SIGKILL on Unix
        assert_eq!(child.wait().unwrap().code(), None);
        killed += 1;
    }
    assert_eq!(killed, 10, "the run ended before all kills landed");
    let mut args = vec![cfg.as_str(), "--json"];
    let ck_s = ck.display().to_string();
    if ck.exists() {
        args.extend(["--resume", ck_s.as_str()]);
    }
    let resumed = params(&train(&args, "1"));
    std::fs::remove_file(&ck).ok();
    let full = params(&train(&[&cfg, "--json"], "1"));
    assert_eq!(resumed.to_string(), full.to_string());
    std::fs::remove_dir_all(&dir).ok();
}
