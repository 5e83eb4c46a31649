//! The Markdown of the repository renders as written: every code fence in every `*.md` closes
//! (an unclosed fence swallows the rest of the page into one code block), a ```` ```toml ````
//! block that shows a file of `examples/` is that file, the README links only to pages that
//! exist, and CI runs exactly the README's test command.

use std::path::{Path, PathBuf};

/// The repository root (this crate is `crates/downhill-cli`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `*.md` under `dir`, skipping build output and version-control directories.
fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && name != ".git" && name != "node_modules" {
                markdown_files(&path, out);
            }
        } else if name.ends_with(".md") {
            out.push(path);
        }
    }
}

/// A code fence opener or closer: the fence character, its run length and the info string.
fn fence(line: &str) -> Option<(char, usize, &str)> {
    // Container markers (list indentation, block quotes) may precede a fence.
    let mut s = line.trim_start();
    while let Some(rest) = s.strip_prefix('>') {
        s = rest.trim_start();
    }
    let c = s.chars().next().filter(|&c| c == '`' || c == '~')?;
    let n = s.chars().take_while(|&x| x == c).count();
    if n < 3 {
        return None;
    }
    let info = s[n..].trim();
    // CommonMark: a backtick fence's info string cannot contain a backtick (that is inline code).
    if c == '`' && info.contains('`') {
        return None;
    }
    Some((c, n, info))
}

/// A fenced block: 1-based line of its opener, info string, body lines.
#[derive(Debug)]
struct Block {
    line: usize,
    info: String,
    body: Vec<String>,
}

/// The fenced blocks of `text`, or the 1-based line of the fence that never closes.
///
/// Inside a block, a fence line of the same character and at least its length that carries an
/// info string (```` ```toml ````) cannot close it (CommonMark) and, in practice, means that the
/// block before was never closed: the README's old bug, where a ```` ```sh ```` block ran on
/// until a later block's closer and swallowed the headings and tables between. It counts as
/// the unclosed block (showing fences inside a block takes a longer outer fence).
fn blocks(text: &str) -> Result<Vec<Block>, usize> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize, Block)> = None;
    for (i, line) in text.lines().enumerate() {
        match open.take() {
            None => {
                if let Some((c, n, info)) = fence(line) {
                    let block = Block {
                        line: i + 1,
                        info: info.to_string(),
                        body: Vec::new(),
                    };
                    open = Some((c, n, block));
                }
            }
            Some((c, n, mut block)) => match fence(line) {
                // A closer: the same character, at least as long, nothing after it.
                Some((c2, n2, "")) if c2 == c && n2 >= n => out.push(block),
                Some((c2, n2, _)) if c2 == c && n2 >= n => return Err(block.line),
                _ => {
                    block.body.push(line.to_string());
                    open = Some((c, n, block));
                }
            },
        }
    }
    match open {
        Some((_, _, block)) => Err(block.line),
        None => Ok(out),
    }
}

#[test]
fn the_checker_finds_an_unclosed_fence() {
    // The README's old bug: a sh block under "Pictures and comparisons" never closed.
    let text = "# A\n\n```sh\nrun x\n\n## Schedules\n\n| a | b |\n\n```toml\n[x]\n```\n";
    assert_eq!(blocks(text).unwrap_err(), 3);
    assert_eq!(blocks("```sh\nrun x\n").unwrap_err(), 1);
    let ok = "```sh\na\n```\n\n````md\n```toml\n````\n  ~~~\n  b\n  ~~~\n> ```\n> c\n> ```\n";
    let b = blocks(ok).unwrap();
    assert_eq!(b.len(), 4);
    assert_eq!(b[1].body, ["```toml"]);
    // A shorter run of backticks inside a block does not close it.
    assert!(blocks("````\n```\n```\n").is_err());
    // Inline code with three backticks is not a fence.
    assert!(blocks("Write ```` ```sh ```` to open a block.\n")
        .unwrap()
        .is_empty());
}

#[test]
fn every_fence_in_every_markdown_file_closes() {
    let mut files = Vec::new();
    markdown_files(&root(), &mut files);
    assert!(
        files.iter().any(|p| p.ends_with("README.md")),
        "no README.md found under {}",
        root().display()
    );
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        if let Err(line) = blocks(&text) {
            bad.push(format!("{}:{line}: this fence never closes", f.display()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// `examples/NAME.toml` named in the text just before a block, if any.
fn example_named(before: &str) -> Option<String> {
    let i = before.rfind("examples/")?;
    let rest = &before[i..];
    let end = rest.find(".toml")? + ".toml".len();
    Some(rest[..end].to_string())
}

/// The paragraph that ends before line index `end` (blank lines between skipped), joined.
fn paragraph_before(lines: &[&str], end: usize) -> String {
    let mut i = end;
    while i > 0 && lines[i - 1].trim().is_empty() {
        i -= 1;
    }
    let stop = i;
    while i > 0 && !lines[i - 1].trim().is_empty() {
        i -= 1;
    }
    lines[i..stop].join(" ")
}

#[test]
fn toml_blocks_that_show_an_example_match_the_file() {
    // A ```toml block whose preceding paragraph names `examples/NAME.toml` and ends in ':'
    // shows that file (its leading comment lines aside), so the docs cannot drift from it.
    let mut files = Vec::new();
    markdown_files(&root().join("docs"), &mut files);
    files.push(root().join("README.md"));
    let mut checked = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        for b in blocks(&text).unwrap_or_default() {
            if b.info != "toml" {
                continue;
            }
            let para = paragraph_before(&lines, b.line - 1);
            if !para.trim_end().ends_with(':') {
                continue;
            }
            let Some(name) = example_named(&para) else {
                continue;
            };
            let file = std::fs::read_to_string(root().join(&name))
                .unwrap_or_else(|e| panic!("{}:{}: {name}: {e}", f.display(), b.line));
            let body: Vec<&str> = file.lines().skip_while(|l| l.starts_with('#')).collect();
            let shown: Vec<&str> = b.body.iter().map(String::as_str).collect();
            let contains = body.windows(shown.len()).any(|w| w == shown.as_slice());
            assert!(
                contains,
                "{}:{}: this block does not match {name}",
                f.display(),
                b.line
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "only {checked} example blocks were checked");
}

#[test]
fn readme_links_point_to_files_that_exist() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap_or_default();
    let mut missing = Vec::new();
    for part in readme.split("](").skip(1) {
        let Some(end) = part.find(')') else { continue };
        let target = &part[..end];
        if target.contains("://") || target.starts_with('#') {
            continue;
        }
        let path = target.split('#').next().unwrap_or(target);
        if !root().join(path).exists() {
            missing.push(target.to_string());
        }
    }
    assert!(missing.is_empty(), "README links to missing {missing:?}");
}

#[test]
fn ci_runs_exactly_the_readme_test_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap_or_default();
    let quick = blocks(&readme).unwrap_or_default();
    let command = quick
        .iter()
        .flat_map(|b| b.body.iter())
        .find_map(|l| {
            l.trim_start()
                .starts_with("cargo test")
                .then(|| l.to_string())
        })
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string());
    let Some(command) = command else {
        panic!("the README shows no `cargo test` command");
    };
    assert_eq!(command, "cargo test --workspace");
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap_or_default();
    assert!(
        ci.lines().any(|l| l.trim() == command),
        ".ci/run does not run the README's `{command}`"
    );
}
