//! The library runs a config as the CLI does: every `examples/*.toml` through
//! `downhill::spec::execute` gives the very bytes `downhill <command> FILE --json` prints.
//!
//! The command of each example is the first `# cargo run --release -- COMMAND FILE [ARGS]` line
//! of its leading comment. The only arguments that change the JSON are `--steps N` of
//! `downhill schedule`; for that one the library's typed call with the same step count is
//! compared as well as `execute` on the config with `[run] steps = N` added (which is where
//! `execute` reads the count). Wall-clock times (`wall_time_s` of `compare` on a problem,
//! `seconds` of `compare` on a dataset) differ between any two runs, so their values are set to
//! 0 on both sides before the comparison, as `tests/lab_api.rs` does; every other byte must be
//! equal.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (this crate is `crates/downhill-cli`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `(command, extra args)` of the first `# cargo run --release -- …` line of a config.
fn command_of(text: &str) -> Option<(String, Vec<String>)> {
    let line = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| {
            l.trim_start_matches('#')
                .trim()
                .strip_prefix("cargo run --release -- ")
        })?;
    let mut words = line.split_whitespace().map(str::to_string);
    let command = words.next()?;
    let _file = words.next()?;
    let extra = words.filter(|w| w != "--json").collect();
    Some((command, extra))
}

/// Replaces the value of every `"key":` in `keys` (measured times) with 0.
fn without_times(s: &str) -> String {
    let mut s = s.to_string();
    for key in ["\"wall_time_s\":", "\"seconds\":"] {
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find(key) {
            out.push_str(&rest[..i + key.len()]);
            out.push('0');
            rest = &rest[i + key.len()..];
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            rest = &rest[end..];
        }
        out.push_str(rest);
        s = out;
    }
    s
}

/// What `downhill ARGS --json` prints, without the trailing newline.
fn cli_json(args: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(args)
        .arg("--json")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "downhill {args:?} --json: {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end_matches('\n')
        .to_string()
}

#[test]
fn every_example_config_gives_through_the_library_what_the_cli_prints() {
    // Both sides run from the repository root, so that a config's data file (named relative
    // to the config, `examples/data/…`) is found by the library as by the CLI.
    std::env::set_current_dir(root()).unwrap();
    let mut configs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    configs.sort();
    assert!(configs.len() >= 10, "{configs:?}");
    let mut seen = std::collections::BTreeSet::new();
    for path in &configs {
        let text = std::fs::read_to_string(path).unwrap();
        let (command, extra) = command_of(&text)
            .unwrap_or_else(|| panic!("{}: no `# cargo run` line", path.display()));
        let rel = format!("examples/{}", path.file_name().unwrap().to_string_lossy());
        let mut args = vec![command.clone(), rel.clone()];
        args.extend(extra.iter().cloned());
        let cli = without_times(&cli_json(&args));
        let lib = match extra.as_slice() {
            [] => downhill::spec::execute(&command, &text, &rel).unwrap(),
            [flag, n] if command == "schedule" && flag == "--steps" => {
                let n: usize = n.parse().unwrap();
                let typed = downhill::spec::exec::schedule::table(&rel, &text, Some(n), None)
                    .unwrap()
                    .json();
                let with_run = format!("{text}\n[run]\nsteps = {n}\n");
                let one_call = downhill::spec::execute("schedule", &with_run, &rel).unwrap();
                assert_eq!(typed, one_call, "{rel}");
                typed
            }
            other => panic!("{rel}: arguments {other:?} not covered by this test"),
        };
        assert_eq!(without_times(&lib.to_string()), cli, "{rel}");
        seen.insert(command);
    }
    // Every command `execute` knows is covered by some example but `compare` on a dataset.
    for c in downhill::spec::COMMANDS {
        assert!(seen.contains(*c), "no example runs `{c}`");
    }
}

#[test]
fn an_unknown_command_is_an_error_naming_the_known_ones() {
    let e = downhill::spec::execute("fly", "", "c.toml").unwrap_err();
    assert!(e.to_string().contains("run, compare, train"), "{e}");
}
