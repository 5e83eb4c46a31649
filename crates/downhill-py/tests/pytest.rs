//! Runs the Python package's test suite (`python/tests/`) as part of `cargo test`: a venv under
//! `target/tmp/py-venv` (made once, with maturin, numpy and pytest from PyPI — the only step that
//! needs the network), a wheel built by maturin into its own target dir (`target/tmp/py-target`,
//! so it never waits on the lock of the build that runs this test), installed into the venv,
//! then pytest. torch is never installed: tests that need it are skipped. The wheel is built with
//! the `apps` feature (tour and lab), which the default wheel leaves out.
//!
//! `DOWNHILL_PYTHON` picks the interpreter that makes the venv (default `python3`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command, what: &str) {
    eprintln!("pytest.rs: {what}: {cmd:?}");
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(status.success(), "{what} failed: {status}");
}

fn venv(tmp: &Path) -> PathBuf {
    let dir = tmp.join("py-venv");
    let python = dir.join("bin/python");
    let ready = dir.join(".ready");
    if !ready.exists() {
        let base = std::env::var("DOWNHILL_PYTHON").unwrap_or_else(|_| "python3".into());
        let _ = std::fs::remove_dir_all(&dir);
        run(
            Command::new(&base).args(["-m", "venv"]).arg(&dir),
            "make the venv",
        );
        run(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "maturin>=1.7,<2",
                "numpy",
                "pytest",
            ]),
            "install maturin, numpy and pytest",
        );
        std::fs::write(&ready, b"").unwrap_or_else(|e| panic!("{}: {e}", ready.display()));
    }
    python
}

/// The CLI binary built beside this test, if any (for the `downhill run --json` comparisons).
fn cli() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?.parent()?.join("downhill");
    bin.exists().then_some(bin)
}

#[test]
fn python_package_test_suite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let python = venv(tmp);
    let wheels = tmp.join("py-wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    run(
        Command::new(&python)
            .args([
                "-m",
                "maturin",
                "build",
                "--quiet",
                "--profile",
                "dev",
                // `downhill.tour()` and `downhill.lab()` are tested too (off in the default wheel).
                // A `--features` flag replaces pyproject.toml's list, so it names
                // `extension-module` again (without it the module links libpython).
                "--features",
                "apps,extension-module",
                "--out",
            ])
            .arg(&wheels)
            .arg("--manifest-path")
            .arg(root.join("crates/downhill-py/Cargo.toml"))
            .env("CARGO_TARGET_DIR", tmp.join("py-target"))
            .current_dir(&root),
        "maturin build",
    );
    let wheel = std::fs::read_dir(&wheels)
        .unwrap_or_else(|e| panic!("{}: {e}", wheels.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .unwrap_or_else(|| panic!("no wheel in {}", wheels.display()));
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-index",
                "--force-reinstall",
            ])
            .arg(&wheel),
        "install the wheel",
    );
    let mut pytest = Command::new(&python);
    pytest
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "python/tests",
        ])
        .current_dir(&root);
    if let Some(bin) = cli() {
        pytest.env("DOWNHILL_CLI", bin);
    }
    run(&mut pytest, "pytest");
}
