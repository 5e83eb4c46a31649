//! Unit tests of `[sweep]`.

use super::*;

const RUN: &str = "[problem]\nfunction = \"sphere\"\nx0 = [1.0, 2.0]\n\n[optimizer]  # sgd\nname = \"sgd\"\nlr = 0.1\n\n[sweep]\n\"optimizer.lr\" = [0.01, 2e-1]\noptimizer.momentum = { range = [0.0, 0.5], num = 3 }\n\n[run]\nsteps = 5\n";

#[test]
fn points_edit_the_text_in_place_and_keep_line_numbers() {
    let s = Sweep::parse("s.toml", RUN).unwrap();
    assert_eq!(s.kind, Kind::Run);
    assert_eq!(s.len(), 6);
    assert_eq!(s.axes[0].key, "optimizer.lr");
    assert_eq!(s.axes[1].values, ["0.0", "0.25", "0.5"]);
    assert_eq!(s.indices(4), [1, 1]);
    let t = s.text(4);
    assert!(t.contains("lr = 2e-1\n"), "{t}");
    assert!(t.contains("[optimizer]\nmomentum = 0.25  # sgd"), "{t}");
    assert!(!t.contains("sweep"), "{t}");
    // Only the inserted key adds a line.
    assert_eq!(t.lines().count(), RUN.lines().count() + 1);
    assert_eq!(s.base().lines().count(), RUN.lines().count());
    let v = s.values_json(4);
    assert_eq!(v["optimizer.lr"], serde_json::json!(0.2));
    assert_eq!(v["optimizer.momentum"], serde_json::json!(0.25));
}

#[test]
fn ranges_are_spaced_with_exact_ends() {
    let l = spaced(1e-4, 10.0, 6, true);
    assert_eq!((l[0], l[5]), (1e-4, 10.0));
    assert!((l[2] / 1e-2 - 1.0).abs() < 1e-12);
    assert_eq!(spaced(0.0, 1.0, 5, false), [0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(spaced(3.0, 7.0, 1, false), [3.0]);
}

#[test]
fn integer_ranges_give_integers_and_arrays_of_tables_are_indexed() {
    let raw = "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[run]\nsteps = 3\n[[optimizers]]\nname = \"sgd\"\n[[optimizers]]\nname = \"adam\"\nlr = 0.1\n[sweep]\n\"run.steps\" = { range = [2, 10], num = 3 }\n\"optimizers.1.lr\" = [0.5]\n\"optimizers.0.lr\" = [0.3]\n";
    let s = Sweep::parse("c.toml", raw).unwrap();
    assert_eq!(s.kind, Kind::Compare);
    assert_eq!(s.axes[0].values, ["2", "6", "10"]);
    let t = s.text(2);
    assert!(t.contains("steps = 10\n"), "{t}");
    assert!(t.contains("lr = 0.5\n"), "{t}");
    assert!(
        t.contains("[[optimizers]]\nlr = 0.3\nname = \"sgd\""),
        "{t}"
    );
}

#[test]
fn bad_keys_and_values_name_the_key_at_its_line() {
    let with = |sweep: &str| {
        let raw = format!("[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[optimizer]\nname = \"sgd\"\nlr = 0.1\n[run]\nsteps = 3\n[sweep]\n{sweep}\n");
        Sweep::parse("b.toml", &raw)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let cases = [
        ("\"optimzer.lr\" = [0.1]", "b.toml:10:1: [sweep] key `optimzer.lr`: no table `optimzer` in the config (it has: problem, optimizer, run)"),
        ("\"optimizer\" = [0.1]", "`optimizer` is a table"),
        ("\"optimizer.lr.x\" = [0.1]", "`optimizer.lr` is a value"),
        ("\"optimizer.lr\" = []", "empty"),
        ("\"optimizer.lr\" = 0.1", "must be a list"),
        ("\"optimizer.lr\" = { log_range = [0.0, 1.0], num = 3 }", "must be > 0"),
        ("\"optimizer.lr\" = { range = [0.0, 1.0], num = 0 }", "num = 0"),
        ("\"optimizer.lr\" = { range = [0.0, 1.0], nm = 3 }", "nm"),
        ("\"optimizer.lr\" = { range = [0.0, 1.0], log_range = [1.0, 2.0], num = 3 }", "one of"),
        ("\"sweep.x\" = [1]", "cannot sweep itself"),
        ("\"optimizer..lr\" = [1]", "empty parts"),
        ("", "has no keys"),
        ("\"optimizer.lr\" = { range = [0.0, 1.0], num = 9999 }\n\"run.steps\" = [1, 2]", "more than 10000"),
    ];
    for (sweep, want) in cases {
        let got = with(sweep);
        assert!(got.contains(want), "{sweep}: {got}");
    }
    let e = Sweep::parse("n.toml", "[run]\nsteps = 1\n").err().unwrap();
    assert!(e.to_string().contains("missing table [sweep]"), "{}", e);
}
