//! The page's JS logic (validation, number formatting, divergence, the string tables) under
//! node's built-in test runner: `node --test web/*.test.mjs`. Without node the test says so
//! and passes, except under CI (`CI` set), which must run it.

use std::path::Path;
use std::process::Command;

#[test]
fn the_page_scripts_pass_their_node_tests() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    if Command::new("node").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the page's node tests: no node (apt-get install nodejs)"
        );
        eprintln!("skipped: no node (apt-get install nodejs)");
        return;
    }
    let mut tests: Vec<_> = std::fs::read_dir(&web)
        .expect("web/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    tests.sort();
    assert!(tests.len() >= 4, "{tests:?}");
    let out = Command::new("node")
        .arg("--test")
        .args(&tests)
        .current_dir(&web)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
}
