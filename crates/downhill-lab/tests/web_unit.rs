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
    // the catalogue the page gets from the server, for the tests of its string tables
    let catalog = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lab-catalog.json");
    std::fs::write(&catalog, downhill_lab::catalog::catalog().to_string())
        .expect("the catalogue is written");
    let stdout = support::run_ok(
        Command::new("node")
            .env("DOWNHILL_CATALOG", &catalog)
            .arg("--test")
            .args(&tests)
            .current_dir(&web),
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
}
