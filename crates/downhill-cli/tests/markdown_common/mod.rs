//! Markdown as the README and docs tests read it: the repository root, its `*.md` files, and
//! their fenced code blocks (CommonMark's rules, as far as these pages use them).
#![allow(dead_code)] // each test crate uses a part

use std::path::{Path, PathBuf};

/// The repository root (this crate is `crates/downhill-cli`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `*.md` under `dir`, skipping build output and version-control directories.
pub fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
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
pub fn fence(line: &str) -> Option<(char, usize, &str)> {
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
pub struct Block {
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The info string (`sh`, `toml`, …).
    pub info: String,
    /// The lines between the fences.
    pub body: Vec<String>,
}

/// The fenced blocks of `text`, or the 1-based line of the fence that never closes.
///
/// Inside a block, a fence line of the same character and at least its length that carries an
/// info string (```` ```toml ````) cannot close it (CommonMark) and, in practice, means that the
/// block before was never closed: the README's old bug, where a ```` ```sh ```` block ran on
/// until a later block's closer and swallowed the headings and tables between. It counts as
/// the unclosed block (showing fences inside a block takes a longer outer fence).
pub fn blocks(text: &str) -> Result<Vec<Block>, usize> {
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
