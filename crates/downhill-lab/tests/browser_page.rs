//! Issue 26's browser acceptance (`tests/browser/page.mjs` in Debian's chromium, driven by
//! playwright-core) against a lab served in-process by [`downhill_lab::spawn`]: divergence in
//! red, a bad lr refused where it is typed, a job stopped when its page closes, no horizontal
//! overflow at 800 px, Play. Screenshots land in `target/lab-page/`. Without chromium, node or
//! playwright-core the test says what is missing and passes, except under CI.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn missing() -> Option<String> {
    if !Path::new("/usr/bin/chromium").exists() {
        return Some("no /usr/bin/chromium (apt-get install chromium)".into());
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node (apt-get install nodejs npm)".into());
    }
    if !browser_dir().join("node_modules/playwright-core").exists() {
        return Some(format!(
            "no playwright-core (npm ci --prefix {})",
            browser_dir().display()
        ));
    }
    None
}

#[test]
fn the_page_teaches_in_chromium() {
    if let Some(why) = missing() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser test: {why}"
        );
        eprintln!("skipped: {why}");
        return;
    }
    let opts = downhill_lab::LabOptions {
        port: 0,
        ..Default::default()
    };
    let mut lab = downhill_lab::spawn(Arc::new(downhill_lab::Library::default()), &opts)
        .expect("the lab serves");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/lab-page");
    let run = Command::new("node")
        .arg(browser_dir().join("page.mjs"))
        .arg(&lab.url)
        .arg(&out)
        .output()
        .expect("node runs");
    lab.stop();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("\"ok\":true"), "{stdout}");
    eprintln!("{stdout}\nscreenshots in {}", out.display());
}
