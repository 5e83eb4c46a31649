//! The examples a newcomer runs, run by CI: every `examples/*.toml` through the built
//! `downhill` binary with the command written at its top, and every example program of the
//! workspace registered so that `cargo test` runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (this crate is `crates/downhill-cli`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files in `dir` whose names end in `ext`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(ext))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The commands in a config's leading comment: lines `# cargo run --release -- ARGS`.
fn commands(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| {
            l.trim_start_matches('#')
                .trim()
                .strip_prefix("cargo run --release -- ")
        })
        .map(|args| args.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn every_example_config_runs_with_the_command_it_shows() {
    let configs = files(&root().join("examples"), ".toml");
    assert!(configs.len() >= 5, "examples/: {configs:?}");
    for cfg in &configs {
        let text = std::fs::read_to_string(cfg).unwrap_or_default();
        let cmds = commands(&text);
        assert!(
            !cmds.is_empty(),
            "{}: the first comment lines must show how to run it (`# cargo run --release -- …`)",
            cfg.display()
        );
        for args in cmds {
            let out = Command::new(env!("CARGO_BIN_EXE_downhill"))
                .args(&args)
                .current_dir(root())
                .output()
                .unwrap_or_else(|e| panic!("downhill {args:?}: {e}"));
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "downhill {} exited with {:?}\nstderr: {}",
                args.join(" "),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !stdout.trim().is_empty(),
                "downhill {}: no output",
                args.join(" ")
            );
            if args.iter().any(|a| a == "--json") {
                let v: Result<serde_json::Value, _> = serde_json::from_str(stdout.trim());
                assert!(v.is_ok(), "downhill {}: not JSON: {stdout}", args.join(" "));
            }
        }
    }
}

#[test]
fn every_example_named_in_the_docs_exists() {
    let mut pages = files(&root().join("docs"), ".md");
    pages.push(root().join("README.md"));
    let mut missing = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap_or_default();
        for (i, _) in text.match_indices("examples/") {
            // Only the top-level folder (not crates/*/examples/).
            if i > 0 && !text[..i].ends_with([' ', '`', '(', '[']) {
                continue;
            }
            let rest = &text[i..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || "/_-.".contains(c)))
                .unwrap_or(rest.len());
            let name = rest[..end].trim_end_matches('.');
            if (name.ends_with(".toml") || name.ends_with(".rs")) && !root().join(name).exists() {
                missing.push(format!("{}: {name}", page.display()));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:?}");
}

/// `(package dir, example path)` of every `[[example]]` target that `cargo test` runs
/// (`test = true`), and of those that need a feature (run by their own CI scripts).
fn registered_examples() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut tested, mut featured) = (Vec::new(), Vec::new());
    for krate in std::fs::read_dir(root().join("crates"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let dir = krate.path();
        let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let manifest: toml::Table = text.parse().unwrap_or_default();
        let examples = manifest
            .get("example")
            .and_then(|e| e.as_array())
            .cloned()
            .unwrap_or_default();
        for e in examples {
            let Some(name) = e.get("name").and_then(|n| n.as_str()) else {
                continue;
            };
            let path = e.get("path").and_then(|p| p.as_str()).map_or_else(
                || dir.join("examples").join(format!("{name}.rs")),
                |p| dir.join(p),
            );
            let path = path.canonicalize().unwrap_or(path);
            if e.get("required-features").is_some() {
                featured.push(path);
            } else if e.get("test").and_then(|t| t.as_bool()) == Some(true) {
                tested.push(path);
            }
        }
    }
    (tested, featured)
}

#[test]
fn every_example_program_is_run_by_cargo_test() {
    let (tested, featured) = registered_examples();
    let mut programs: Vec<PathBuf> = files(&root().join("examples"), ".rs");
    for krate in std::fs::read_dir(root().join("crates"))
        .into_iter()
        .flatten()
        .flatten()
    {
        programs.extend(files(&krate.path().join("examples"), ".rs"));
    }
    assert!(!programs.is_empty());
    let mut unrun = Vec::new();
    for p in programs {
        let p = p.canonicalize().unwrap_or(p);
        if !tested.contains(&p) && !featured.contains(&p) {
            unrun.push(p.display().to_string());
        }
    }
    assert!(
        unrun.is_empty(),
        "example programs that CI would not run (give each an [[example]] entry with \
         `test = true` and `harness = false`, and a quick mode under `cfg!(test)`): {unrun:?}"
    );
    // The MPI examples are run by crates/downhill-mpi/tests/run_mpi.sh, which CI calls.
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap_or_default();
    assert!(featured.is_empty() || ci.contains("run_mpi.sh"));
}
