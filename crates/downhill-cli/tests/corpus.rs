//! The bad-input corpus (`tests/corpus/`): every file in `expect.toml` is fed to `downhill`,
//! which must exit with the expected code, print the expected fragment, never panic and never
//! be killed by a signal. Commands run in `files/`, so configs name their data relatively.

use std::path::Path;
use std::process::Command;

use serde::Deserialize;

#[derive(Deserialize)]
struct Expect {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Input file under `files/` (may be absent on disk for the "cannot read" case).
    file: Option<String>,
    /// Name of a case without file.
    name: Option<String>,
    /// Further inputs under `files/` that the config names (CSV, .npy).
    #[serde(default)]
    data: Vec<String>,
    args: Vec<String>,
    exit: i32,
    contains: String,
}

#[test]
fn every_corpus_case_fails_or_passes_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let raw = std::fs::read_to_string(dir.join("expect.toml")).unwrap();
    let expect: Expect = toml::from_str(&raw).unwrap();
    assert!(
        expect.case.len() >= 50,
        "corpus has {} cases",
        expect.case.len()
    );
    let mut failures = Vec::new();
    for c in &expect.case {
        let label = c.file.clone().or(c.name.clone()).unwrap_or_default();
        let path = dir.join("files").join(c.file.as_deref().unwrap_or(""));
        let args: Vec<String> = c
            .args
            .iter()
            .map(|a| a.replace("{file}", &path.display().to_string()))
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_downhill"))
            .args(&args)
            .env("RUST_BACKTRACE", "0")
            .current_dir(dir.join("files"))
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let code = out.status.code();
        let problems = [
            (code.is_none(), "killed by a signal".to_string()),
            (
                code != Some(c.exit),
                format!("exit {code:?}, expected {}", c.exit),
            ),
            (
                !text.contains(&c.contains),
                format!("output lacks {:?}", c.contains),
            ),
            (
                text.contains("panicked") || text.contains("RUST_BACKTRACE"),
                "panicked".to_string(),
            ),
        ];
        for (bad, why) in problems {
            if bad {
                failures.push(format!("{label}: {why}\n  output: {}", text.trim()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every file on disk is listed in `expect.toml` (no orphan that nobody checks).
#[test]
fn every_corpus_file_is_listed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let raw = std::fs::read_to_string(dir.join("expect.toml")).unwrap();
    let expect: Expect = toml::from_str(&raw).unwrap();
    for entry in std::fs::read_dir(dir.join("files")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            expect
                .case
                .iter()
                .any(|c| c.file.as_deref() == Some(&name) || c.data.contains(&name)),
            "{name} is not in expect.toml"
        );
    }
}
