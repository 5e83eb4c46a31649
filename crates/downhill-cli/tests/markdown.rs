//! The Markdown of the repository renders as written: every code fence in every `*.md` closes
//! (an unclosed fence swallows the rest of the page into one code block), a ```` ```toml ````
//! block that shows a file of `examples/` is that file, a table is followed by a blank line
//! (else the next line becomes one of its rows), the README links only to pages that exist,
//! and CI runs exactly the README's test command.

mod markdown_common;

use markdown_common::{blocks, fence, markdown_files, root};

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

/// The 1-based lines of `text` that end a table (a run of lines starting with `|`, outside code
/// blocks) and are followed by a line that is neither blank nor a row: GitHub renders such a
/// line as one more row of the table.
fn tables_not_followed_by_a_blank_line(text: &str) -> Vec<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut open: Option<(char, usize)> = None;
    let mut bad = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        match (open, fence(line)) {
            (None, Some((c, n, _))) => open = Some((c, n)),
            (Some((c, n)), Some((c2, n2, ""))) if c2 == c && n2 >= n => open = None,
            _ => {}
        }
        let row = |l: &str| l.trim_start().starts_with('|');
        if open.is_none() && row(line) {
            if let Some(next) = lines.get(i + 1) {
                if !next.trim().is_empty() && !row(next) {
                    bad.push(i + 1);
                }
            }
        }
    }
    bad
}

#[test]
fn every_table_is_followed_by_a_blank_line() {
    // The README's old bug: a paragraph right under the table became its last row.
    let text = "| a | b |\n|---|---|\n| 1 | 2 |\n The same config runs…\n\n| c |\n|---|\n";
    assert_eq!(tables_not_followed_by_a_blank_line(text), [3]);
    assert!(tables_not_followed_by_a_blank_line("```\n| a |\nx\n```\n").is_empty());
    let mut files = Vec::new();
    markdown_files(&root(), &mut files);
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for line in tables_not_followed_by_a_blank_line(&text) {
            bad.push(format!(
                "{}:{line}: a table must be followed by a blank line",
                f.display()
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
