//! Safe reports: user-supplied strings reaching SVG/HTML are escaped, figures are written only
//! at the path given, and no written page or figure loads a remote resource.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const EVIL: &str = "<script>alert(1)</script>";
const EVIL2: &str = "\"><img src=x onerror=alert(2)>&";

fn downhill(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(args)
        .output()
        .unwrap()
}

fn fresh_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("downhill-safe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn config(problem: &str) -> String {
    format!(
        "{problem}\n[run]\nsteps = 20\n\n[[optimizers]]\nname = \"sgd\"\nlr = 0.001\nlabel = \
         \"{EVIL}\"\n\n[[optimizers]]\nname = \"adam\"\nlr = 0.01\nlabel = '{EVIL2}'\n"
    )
}

/// The markup in `text` carries the labels only escaped, and references nothing remote.
fn assert_safe(path: &Path) {
    let t = std::fs::read_to_string(path).unwrap();
    assert!(!t.contains("<script"), "{}: raw <script>", path.display());
    assert!(!t.contains("<img src=x"), "{}: raw <img>", path.display());
    assert!(!t.contains("onerror=alert(2)>&<"), "{}", path.display());
    assert!(
        t.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}: label missing or not escaped",
        path.display()
    );
    assert!(
        t.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;"),
        "{}: second label missing or not escaped",
        path.display()
    );
    for bad in [
        "https://",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
    ] {
        assert!(
            !t.contains(bad),
            "{}: remote resource {bad}",
            path.display()
        );
    }
}

/// Every file in `dir` (recursively), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn hostile_labels_are_escaped_in_every_svg_and_only_the_given_path_is_written() {
    // A 2-D problem (contour + losses) and a 3-D one (losses only): both figure kinds.
    for (i, problem) in [
        "[problem]\nfunction = \"rosenbrock\"\nx0 = [-1.5, 2.0]",
        "[problem]\nfunction = \"sphere\"\nx0 = [1.0, 2.0, 3.0]",
    ]
    .iter()
    .enumerate()
    {
        let d = fresh_dir(&format!("compare{i}"));
        let cfg = d.join("cmp.toml");
        std::fs::write(&cfg, config(problem)).unwrap();
        let out_dir = d.join("out");
        std::fs::create_dir_all(&out_dir).unwrap();
        let fig = out_dir.join("fig.svg");
        let o = downhill(&[
            "compare",
            cfg.to_str().unwrap(),
            "--plot",
            fig.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(files(&out_dir), vec![fig.clone()], "only --plot is written");
        assert_safe(&fig);

        // The saved JSON re-drawn by `downhill plot` keeps the escaping.
        let o = downhill(&["compare", cfg.to_str().unwrap(), "--json"]);
        assert!(o.status.success());
        let json = d.join("cmp.json");
        std::fs::write(&json, &o.stdout).unwrap();
        let again = out_dir.join("again.svg");
        let o = downhill(&[
            "plot",
            json.to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(files(&out_dir), vec![again.clone(), fig.clone()]);
        assert_safe(&again);
    }
}

#[test]
fn figure_paths_with_markup_are_written_verbatim_and_nowhere_else() {
    let d = fresh_dir("names");
    let cfg = d.join("cmp.toml");
    std::fs::write(
        &cfg,
        config("[problem]\nfunction = \"booth\"\nx0 = [1.0, 2.0]"),
    )
    .unwrap();
    // A file name with markup and `..` that resolves inside the directory.
    let sub = d.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let fig = sub.join("<b>&x.svg");
    let o = downhill(&[
        "compare",
        cfg.to_str().unwrap(),
        "--plot",
        fig.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(files(&sub), vec![fig.clone()]);
    assert_safe(&fig);
    // An unwritable target fails cleanly (exit 1 or 2), without a panic, writing nothing.
    let missing = d.join("no-such-dir").join("f.svg");
    let o = downhill(&[
        "compare",
        cfg.to_str().unwrap(),
        "--plot",
        missing.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(matches!(o.status.code(), Some(1 | 2)), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!d.join("no-such-dir").exists());
}
