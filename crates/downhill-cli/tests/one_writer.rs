//! One writer of files: no source file under `crates/*/src` writes, creates or renames a file
//! itself; everything goes through `downhill::io` (temporary file beside the target, fsync,
//! rename, removed on failure). Unit-test modules (from `#[cfg(test)]` on) may set up fixtures.

use std::path::{Path, PathBuf};

/// The repository root (this crate is `crates/downhill-cli`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Files still carrying their own writer (none: checkpoints, the MPI loop's checkpoints,
/// figures, tour pages and saved models all go through `downhill::io`).
const PENDING: &[&str] = &[];

#[test]
fn only_downhill_io_writes_files() {
    let crates = root().join("crates");
    let mut files = Vec::new();
    rust_files(&crates, &mut files);
    let writers = [
        "rename(",
        "fs::write(",
        "File::create(",
        "OpenOptions",
        ".persist(",
    ];
    let mut bad = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&crates)
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        if !rel.contains("/src/") || rel == "downhill/src/io.rs" || PENDING.contains(&rel.as_str())
        {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") {
                continue;
            }
            if writers.iter().any(|w| l.contains(w)) {
                bad.push(format!("crates/{rel}:{}: {}", i + 1, l));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "write files through downhill::io::write_atomic(_with):\n{}",
        bad.join("\n")
    );
}
