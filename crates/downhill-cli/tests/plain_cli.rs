//! The CLI speaks plainly (issue 26 item 8): negative numbers reach the range checks and `nan`
//! is "not a finite number"; a figure's extension is checked before the command runs; `plot`
//! says which JSON it draws; a write failure names the target; every command's `--help` shows
//! an example; data files are found beside their config; `predict` prints probabilities
//! compactly. (Unknown names and `x0` lengths: the corpus, `tests/corpus/`.)

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::downhill;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("downhill-plain-{}-{test}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("dir");
    }
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

const MINIMIZE: [&str; 7] = [
    "minimize",
    "--function",
    "sphere",
    "--x0",
    "1,2",
    "--steps",
    "3",
];

#[test]
fn a_negative_lr_reaches_the_range_check() {
    for lr in [["--lr", "-0.1"], ["--lr", "-1e-3"]] {
        let o = downhill(&[&MINIMIZE[..], &lr[..]].concat());
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("`lr`") && e.contains("must be >= 0"), "{e}");
        assert!(!e.contains("unexpected argument"), "{e}");
    }
    // `--momentum -0.5` is a number too, refused by sgd's own check.
    let o = downhill(&[&MINIMIZE[..], &["--momentum", "-0.5"]].concat());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("momentum"), "{}", stderr(&o));
}

#[test]
fn nan_and_inf_are_not_finite_numbers() {
    for (flag, v) in [
        ("--lr", "nan"),
        ("--lr", "inf"),
        ("--momentum", "NaN"),
        ("--tolerance", "-inf"),
    ] {
        let o = downhill(&[&MINIMIZE[..], &[flag, v]].concat());
        assert_eq!(o.status.code(), Some(2), "{flag} {v}");
        let e = stderr(&o);
        assert!(e.contains(&format!("`{v}` is not a finite number")), "{e}");
    }
    let o = downhill(&["minimize", "--function", "sphere", "--x0", "1,nan"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`nan` is not a finite number"));
    let o = downhill(&[&MINIMIZE[..], &["--lr", "fast"]].concat());
    assert!(
        stderr(&o).contains("`fast` is not a number"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_figure_extension_is_checked_before_the_command_runs() {
    let dir = scratch("gif");
    let cfg = write(
        &dir,
        "c.toml",
        "[problem]\nfunction = \"sphere\"\nx0 = [1.0, 2.0]\n[run]\nsteps = 3\n\
         [[optimizers]]\nname = \"sgd\"\nlr = 0.1\n",
    );
    let gif = dir.join("x.gif").display().to_string();
    let o = downhill(&["compare", &cfg, "--plot", &gif]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "it ran: {}", stdout(&o));
    let e = stderr(&o);
    assert!(e.contains("x.gif") && e.contains(".svg or .png"), "{e}");
    for args in [
        vec!["run", &cfg, "--plot", "out.pdf"],
        vec!["plot", "r.json", "--out", "r.jpg"],
    ] {
        let o = downhill(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(".svg or .png"), "{}", stderr(&o));
    }
    assert!(!dir.join("x.gif").exists());
}

#[test]
fn plot_says_which_results_it_draws() {
    let dir = scratch("plot");
    let json = write(
        &dir,
        "train.json",
        "{\"status\": \"completed\", \"epochs\": 3}",
    );
    let out = dir.join("f.svg").display().to_string();
    let o = downhill(&["plot", &json, "--out", &out]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    for word in ["cannot draw", "`run`", "`minimize`", "`compare`", "--plot"] {
        assert!(e.contains(word), "{word}: {e}");
    }
}

#[test]
fn a_write_failure_names_the_target_not_the_temporary_file() {
    let dir = scratch("write");
    let cfg = write(
        &dir,
        "c.toml",
        "[problem]\nfunction = \"sphere\"\nx0 = [1.0, 2.0]\n[optimizer]\nname = \"sgd\"\n\
         lr = 0.1\n[run]\nsteps = 3\n",
    );
    let target = dir.join("no-such-folder").join("run.svg");
    let t = target.display().to_string();
    let o = downhill(&["run", &cfg, "--plot", &t]);
    assert_ne!(o.status.code(), Some(0));
    let e = stderr(&o);
    assert!(e.contains(&t), "{e}");
    assert!(e.contains("does not exist"), "{e}");
    assert!(!e.contains(".tmp"), "{e}");
}

/// The subcommands listed by `downhill --help`.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_help_shows_an_example_and_the_top_level_says_where_to_start() {
    let o = downhill(&["--help"]);
    let help = stdout(&o);
    assert!(
        help.to_lowercase().contains("start with `downhill tour`"),
        "{help}"
    );
    let commands = subcommands(&help);
    assert!(commands.len() >= 13, "{commands:?}");
    for c in &commands {
        let o = downhill(&[c, "--help"]);
        let h = stdout(&o);
        let example = h
            .split("Example:")
            .nth(1)
            .unwrap_or_else(|| panic!("`downhill {c} --help` shows no example:\n{h}"));
        assert!(
            example.contains(&format!("downhill {c}")),
            "{c}: the example does not run `downhill {c}`:\n{example}"
        );
    }
}

#[test]
fn csv_paths_are_relative_to_the_config_file() {
    let dir = scratch("csv");
    write(&dir, "cfg/d.csv", "x,y\n1,3\n2,5\n3,7\n4,9\n");
    let cfg = write(
        &dir,
        "cfg/t.toml",
        "[data]\nsource = \"csv\"\npath = \"d.csv\"\ntarget = \"y\"\n[model]\nkind = \"linear\"\n\
         [optimizer]\nname = \"sgd\"\nlr = 0.01\n[train]\nepochs = 2\nbatch_size = 2\n",
    );
    // Run from elsewhere: the CSV is found beside the config, not in the current directory.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_downhill"))
        .args(["train", &cfg, "--json"])
        .current_dir(std::env::temp_dir())
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A missing file is named with the folder it was looked for in.
    let bad = write(
        &dir,
        "cfg/bad.toml",
        "[data]\nsource = \"csv\"\npath = \"missing.csv\"\ntarget = \"y\"\n\
         [model]\nkind = \"linear\"\n[optimizer]\nname = \"sgd\"\nlr = 0.01\n",
    );
    let o = downhill(&["train", &bad]);
    assert_eq!(o.status.code(), Some(2));
    let want = dir.join("cfg").join("missing.csv").display().to_string();
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
}

#[test]
fn predict_prints_probabilities_compactly() {
    let dir = scratch("predict");
    let cfg = write(
        &dir,
        "t.toml",
        "[data]\nsource = \"synthetic_classification\"\nfeatures = 2\nclasses = 3\nn = 60\n\
         [model]\nkind = \"softmax\"\n[optimizer]\nname = \"sgd\"\nlr = 0.1\n\
         [train]\nepochs = 3\nbatch_size = 10\n",
    );
    let model = dir.join("m.json").display().to_string();
    let o = downhill(&["train", &cfg, "--save", &model]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let data = write(&dir, "new.csv", "x0,x1\n0.5,-1.25\n3,4\n-2,0.1\n");
    let o = downhill(&["predict", "--model", &model, "--data", &data]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("label,p_0,p_1,p_2"));
    let mut rows = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 4, "{line}");
        let mut sum = 0.0;
        for p in &cells[1..] {
            assert!(p.len() <= 8, "not compact: {p} in {line}");
            sum += p.parse::<f64>().expect("a number");
        }
        assert!((sum - 1.0).abs() < 1e-5, "{line}");
        rows += 1;
    }
    assert_eq!(rows, 3);
}
