//! The page's JS logic (validation, number formatting, divergence, the string tables) under
//! node's built-in test runner: `node --test web/*.test.mjs`. Without node the test says so
//! and passes, except under CI (`CI` set), which must run it.

mod support;

use std::path::Path;
use std::process::Command;

#[test]
fn the_page_scripts_pass_their_node_tests() {
    if support::skip(support::node_missing()) {
        return;
    }
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    let mut tests: Vec<_> = std::fs::read_dir(&web)
        .expect("web/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    tests.sort();
    assert!(tests.len() >= 4, "{tests:?}");
    let stdout = support::run_ok(
        Command::new("node")
            .arg("--test")
            .args(&tests)
            .current_dir(&web),
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
}
