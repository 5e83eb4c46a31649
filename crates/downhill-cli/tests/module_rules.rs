//! The CLI's layering rule, read from the sources: no file under `src/commands/` names another
//! command module, and `src/cli.rs` (with `src/cli/`) imports no command module. What two
//! commands share lives in the library, in `present/`, `cli/` or `measure.rs`; only
//! `commands/mod.rs` declares the command modules and chooses which one runs.

use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The `.rs` files of a directory, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The code of a line: what precedes a `//` comment.
fn code(line: &str) -> &str {
    line.split("//").next().unwrap_or("")
}

/// True when `text` names `module` as a path segment at byte `at` (not part of a longer name).
fn is_segment(text: &str, at: usize, module: &str) -> bool {
    let rest = &text[at..];
    rest.starts_with(module)
        && !rest[module.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// The command modules named in `line` after `prefix` (`super::`, `commands::`), including
/// inside a `prefix{a, b}` group.
fn named_after(line: &str, prefix: &str, modules: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in line.match_indices(prefix) {
        let after = i + prefix.len();
        let group_end = if line[after..].starts_with('{') {
            line[after..].find('}').map_or(line.len(), |e| after + e)
        } else {
            after + 1
        };
        for m in modules {
            let hit = if group_end > after + 1 {
                line[after..group_end]
                    .match_indices(m.as_str())
                    .any(|(j, _)| {
                        let k = after + j;
                        let before = line[..k].chars().next_back();
                        matches!(before, Some('{' | ' ' | ',')) && is_segment(line, k, m)
                    })
            } else {
                is_segment(line, after, m)
            };
            if hit {
                found.push(m.clone());
            }
        }
    }
    found
}

fn command_modules() -> Vec<String> {
    rust_files(&src().join("commands"))
        .iter()
        .map(|p| stem(p))
        .filter(|s| s != "mod")
        .collect()
}

#[test]
fn no_command_module_names_another() {
    let modules = command_modules();
    assert!(modules.len() >= 10, "found only {modules:?}");
    let mut bad = Vec::new();
    for path in rust_files(&src().join("commands")) {
        let me = stem(&path);
        if me == "mod" {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let others: Vec<String> = modules.iter().filter(|m| **m != me).cloned().collect();
        for (n, line) in text.lines().enumerate() {
            let c = code(line);
            let mut named = named_after(c, "super::", &others);
            named.extend(named_after(c, "commands::", &modules));
            if c.contains("commands::{") || c.contains("crate::commands;") {
                named.push("commands".into());
            }
            for m in named {
                bad.push(format!(
                    "src/commands/{me}.rs:{}: names `{m}`: {}",
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "command modules naming others:\n{}",
        bad.join("\n")
    );
}

#[test]
fn cli_syntax_imports_no_command_module() {
    let mut files = vec![src().join("cli.rs")];
    let sub = src().join("cli");
    if sub.is_dir() {
        files.extend(rust_files(&sub));
    }
    let mut bad = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (n, line) in text.lines().enumerate() {
            if code(line).contains("commands::") || code(line).contains("commands;") {
                bad.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "cli.rs imports a command module:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checker_sees_what_it_forbids() {
    let m: Vec<String> = ["bench", "bench_train", "train"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        named_after("use super::bench::{a, b};", "super::", &m),
        ["bench"]
    );
    assert_eq!(
        named_after("x: super::bench_train::TrainArgs", "super::", &m),
        ["bench_train"]
    );
    assert_eq!(
        named_after("use super::{bench, train};", "super::", &m),
        ["bench", "train"]
    );
    assert!(named_after("use super::*;", "super::", &m).is_empty());
    assert!(named_after("use super::trainer;", "super::", &m).is_empty());
    assert_eq!(
        named_after("crate::commands::train::cmd", "commands::", &m),
        ["train"]
    );
}
