//! Derives the optimisers' docstrings from the library's own doc comments: for every file of
//! `crates/downhill/src/optim/`, the doc-comment block that holds the update rule (the one with
//! a ```` ```text ```` fence) becomes `RULES` (file stem → text). The Python classes look their
//! rule up by registry name; a pytest checks that every first-order optimiser has one.

use std::fmt::Write as _;
use std::path::Path;

fn rule_of(source: &str) -> Option<String> {
    let mut block: Vec<&str> = Vec::new();
    for line in source.lines() {
        let t = line.trim_start();
        if let Some(doc) = t.strip_prefix("///") {
            block.push(doc.strip_prefix(' ').unwrap_or(doc));
            continue;
        }
        if block.iter().any(|l| l.trim() == "```text") {
            return Some(clean(&block));
        }
        block.clear();
    }
    None
}

/// The block without rustdoc's code examples and intra-doc link brackets.
fn clean(block: &[&str]) -> String {
    let mut out = Vec::new();
    let mut fence: Option<bool> = None; // Some(keep) inside a fence
    for l in block {
        let t = l.trim();
        if t.starts_with("```") {
            match fence {
                None => {
                    let keep = t == "```text";
                    fence = Some(keep);
                    if keep {
                        out.push(String::new());
                    }
                }
                Some(keep) => {
                    fence = None;
                    if keep {
                        out.push(String::new());
                    }
                }
            }
            continue;
        }
        match fence {
            Some(true) => out.push(format!("    {l}")),
            Some(false) => {}
            None => out.push(l.replace("[`", "`").replace("`]", "`")),
        }
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../downhill/src/optim");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    let mut code = String::from("/// Update rules from the optimisers' doc comments (build.rs).\n");
    code.push_str("pub const RULES: &[(&str, &str)] = &[\n");
    for path in entries {
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if let Some(rule) = rule_of(&text) {
            let _ = writeln!(code, "    ({stem:?}, {rule:?}),");
        }
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("rules.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("build.rs: cannot write {}: {e}", out.display());
    }
}
