//! The README's shell blocks run, as CI runs the examples' first lines: every ```` ```sh ````
//! or ```` ```bash ```` block of README.md, in order, is run by `sh -e` in one scratch
//! directory that links the repository's `examples/`, with `downhill …` and
//! `cargo run --release -- …` meaning the `downhill` binary under test. Files a block writes
//! (`--save model.json`, `--json > run.json`) are there for the blocks after it.
//!
//! A block that cannot run here (it installs something, is the test suite itself, or serves
//! until stopped) is marked in the README by `<!-- not run: REASON -->` on the line before its
//! fence; the test prints each skipped block with its reason and fails on a mark without one.
//! Any other `cargo` command in a runnable block fails the test, naming the block.
#![cfg(unix)]

mod markdown_common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use markdown_common::{blocks, root};

/// The mark that keeps a block from running, on the line before its fence.
const MARK: &str = "<!-- not run:";

/// Shell functions that make the README's commands run the binary under test.
const SHIMS: &str = r#"
downhill() { "$DOWNHILL_BIN" "$@"; }
cargo() {
  if [ "$1" = run ] && [ "$2" = --release ] && [ "$3" = -- ]; then
    shift 3
    "$DOWNHILL_BIN" "$@"
    return
  fi
  echo "the README runs \`cargo $*\`, which this test cannot run: mark its block with \
<!-- not run: REASON --> on the line before the fence" >&2
  return 97
}
"#;

/// The reason a block is not run, when the line before its fence (1-based `fence_line`)
/// marks it: `Some("")` for a mark without a reason.
fn skip_reason(lines: &[&str], fence_line: usize) -> Option<String> {
    let before = lines.get(fence_line.checked_sub(2)?)?.trim();
    let rest = before.strip_prefix(MARK)?;
    Some(rest.trim_end_matches("-->").trim().to_string())
}

#[test]
fn a_mark_is_read_from_the_line_before_the_fence() {
    let lines = ["<!-- not run: serves forever -->", "```sh", "x", "```"];
    assert_eq!(skip_reason(&lines, 2).as_deref(), Some("serves forever"));
    assert_eq!(skip_reason(&lines, 1), None);
    assert_eq!(
        skip_reason(&["<!-- not run: -->", "```sh"], 2).as_deref(),
        Some("")
    );
    assert_eq!(skip_reason(&["text", "```sh"], 2), None);
}

#[test]
fn every_shell_block_of_the_readme_runs() {
    let readme = root().join("README.md");
    let text = std::fs::read_to_string(&readme).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let all = blocks(&text).unwrap_or_else(|line| panic!("README.md:{line}: unclosed fence"));
    let scratch = std::env::temp_dir().join(format!("downhill-readme-{}", std::process::id()));
    std::fs::remove_dir_all(&scratch).ok();
    std::fs::create_dir_all(&scratch).expect("a scratch directory");
    std::os::unix::fs::symlink(root().join("examples"), scratch.join("examples"))
        .expect("a link to examples/");
    let (mut ran, mut skipped) = (0, 0);
    for b in all.iter().filter(|b| b.info == "sh" || b.info == "bash") {
        if let Some(reason) = skip_reason(&lines, b.line) {
            assert!(
                !reason.is_empty(),
                "README.md:{}: a `not run` mark must say why",
                b.line
            );
            eprintln!("README.md:{}: not run: {reason}", b.line);
            skipped += 1;
            continue;
        }
        let script = b.body.join("\n");
        let started = Instant::now();
        run_block(&scratch, b.line, &script);
        for f in outputs(&script) {
            assert!(
                scratch.join(&f).exists(),
                "README.md:{}: the block ran but wrote no `{f}`",
                b.line
            );
        }
        eprintln!(
            "README.md:{}: ran in {:.1} s",
            b.line,
            started.elapsed().as_secs_f64()
        );
        ran += 1;
    }
    eprintln!("{ran} blocks run, {skipped} not run");
    std::fs::remove_dir_all(&scratch).ok();
    assert!(ran >= 8, "only {ran} shell blocks of the README ran");
}

/// The files a block says it writes: the word after `--plot`, `--save`, `--out` or `>`, and
/// `downhill-tour` for a `tour` without `--out`.
fn outputs(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in script.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let code = line.split(" #").next().unwrap_or(line);
        let words: Vec<&str> = code.split_whitespace().collect();
        for w in words.windows(2) {
            if ["--plot", "--save", "--out", ">"].contains(&w[0]) {
                out.push(w[1].to_string());
            }
        }
        if words.contains(&"tour") && !words.contains(&"--out") {
            out.push("downhill-tour/index.html".into());
        }
    }
    out
}

#[test]
fn the_outputs_of_a_block_are_read_from_its_commands() {
    let script = "# and with --plot all\n\
                  cargo run --release -- run r.toml --json > run.json   # a --plot x\n\
                  downhill train t.toml --save m.json --plot f.svg\ncargo run --release -- tour";
    assert_eq!(
        outputs(script),
        ["run.json", "m.json", "f.svg", "downhill-tour/index.html"]
    );
}

/// Runs one block with `sh -e` in `dir`; fails the test with the block's line, its text and
/// the output when any command fails.
fn run_block(dir: &Path, line: usize, script: &str) {
    let out = Command::new("sh")
        .arg("-ec")
        .arg(format!("{SHIMS}\n{script}\n"))
        .current_dir(dir)
        .env("DOWNHILL_BIN", env!("CARGO_BIN_EXE_downhill"))
        .output()
        .unwrap_or_else(|e| panic!("sh: {e}"));
    assert!(
        out.status.success(),
        "README.md:{line}: this block failed ({:?}):\n{script}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
