//! Issue 26's browser acceptance (`tests/browser/page.mjs` in Debian's chromium, driven by
//! playwright-core) against a lab served in-process by [`downhill_lab::spawn`]: divergence in
//! red, a bad lr refused where it is typed, a job stopped when its page closes, no horizontal
//! overflow at 800 px, Play. Screenshots land in `target/lab-page/`. Without chromium, node or
//! playwright-core the test says what is missing and passes, except under CI.

mod support;

use std::path::Path;
use std::sync::Arc;

#[test]
fn the_page_teaches_in_chromium() {
    if support::skip(support::browser_missing()) {
        return;
    }
    let opts = downhill_lab::LabOptions {
        port: 0,
        ..Default::default()
    };
    let lab = downhill_lab::spawn(Arc::new(downhill_lab::Library::default()), &opts)
        .expect("the lab serves");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/lab-page");
    let stdout = support::run_browser_script("page.mjs", &lab.url, &out);
    eprintln!("{stdout}\nscreenshots in {}", out.display());
}
