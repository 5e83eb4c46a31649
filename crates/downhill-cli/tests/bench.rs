//! `downhill bench`: the commands run and report complete, self-consistent fields (speed
//! itself is never asserted).

mod common;
use common::{downhill, downhill_json};

#[test]
fn bench_step_reports_every_field_consistently() {
    let (code, v) = downhill_json(&[
        "bench",
        "step",
        "--optimizer",
        "sgd_momentum",
        "--params",
        "1e4",
        "--steps",
        "3",
        "--limit-elems",
        "1e4",
        "--threads",
        "1",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["optimizer"], "sgd_momentum");
    assert_eq!(v["params"], 10_000);
    assert_eq!(v["bytes_per_param"], 20);
    assert_eq!(v["threads"], 1);
    let ns = v["ns_per_step"].as_f64().unwrap();
    let gbps = v["gb_per_s"].as_f64().unwrap();
    let limit = v["limit_gb_per_s"].as_f64().unwrap();
    assert!(ns > 0.0 && limit > 0.0);
    assert!((gbps - 20.0 * 1e4 / ns).abs() <= 1e-9 * gbps);
    assert!((v["fraction_of_limit"].as_f64().unwrap() - gbps / limit).abs() < 1e-12);
    assert!(v["ns_per_step_median"].as_f64().unwrap() >= ns);
}

#[test]
fn bench_step_f64_doubles_bytes_and_can_skip_the_probe() {
    let (code, v) = downhill_json(&[
        "bench",
        "step",
        "--optimizer",
        "sgd",
        "--params",
        "100",
        "--steps",
        "1",
        "--precision",
        "f64",
        "--limit-elems",
        "0",
        "--level",
        "baseline",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["bytes_per_param"], 24);
    assert_eq!(v["level"], "baseline");
    assert!(v["limit_gb_per_s"].is_null() && v["fraction_of_limit"].is_null());
}

#[test]
fn bench_rejects_bad_input_with_exit_2() {
    for args in [
        &["bench", "step", "--optimizer", "nope", "--params", "10"][..],
        &[
            "bench",
            "step",
            "--optimizer",
            "sgd",
            "--params",
            "10",
            "--precision",
            "f16",
        ],
        &[
            "bench",
            "step",
            "--optimizer",
            "sgd",
            "--params",
            "10",
            "--threads",
            "0",
        ],
        &["bench", "step", "--optimizer", "sgd", "--params", "1.5"],
        &["bench", "gradient", "--function", "nope"],
        &[
            "bench",
            "gradient",
            "--function",
            "rosenbrock",
            "--dim",
            "1",
        ],
    ] {
        let out = downhill(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn bench_gradient_compares_exact_and_numerical() {
    let (code, v) = downhill_json(&[
        "bench",
        "gradient",
        "--function",
        "rosenbrock",
        "--dim",
        "20",
        "--seconds",
        "0.001",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["dim"], 20);
    assert!(v["max_relative_difference"].as_f64().unwrap() < 1e-5);
    for k in ["value_ns", "gradient_ns", "numerical_gradient_ns"] {
        assert!(v[k].as_f64().unwrap() > 0.0, "{k}");
    }
}

#[test]
fn bench_gradient_reports_ad_and_skips_numeric_above_1e4_unless_asked() {
    let args = |dim: &'static str, extra: &[&'static str]| {
        let mut a = vec![
            "bench",
            "gradient",
            "--function",
            "rosenbrock",
            "--dim",
            dim,
            "--seconds",
            "0.001",
            "--json",
        ];
        a.extend_from_slice(extra);
        a
    };
    let (code, v) = downhill_json(&args("20000", &[]));
    assert_eq!(code, 0);
    assert!(v["numerical_gradient_ns"].is_null(), "{v}");
    assert!(v["max_relative_difference"].is_null());
    assert!(v["note"].as_str().unwrap().contains("--numeric"), "{v}");
    assert!(
        v["ad_max_relative_difference"].as_f64().unwrap() < 1e-12,
        "{v}"
    );
    let (ad, value) = (
        v["ad_gradient_ns"].as_f64().unwrap(),
        v["value_ns"].as_f64().unwrap(),
    );
    assert!(
        ad > 0.0 && (v["ad_over_value"].as_f64().unwrap() - ad / value).abs() < 1e-9 * ad / value
    );
    let (code, v) = downhill_json(&args("10001", &["--numeric"]));
    assert_eq!(code, 0);
    assert_eq!(v["dim"], 10001);
    assert!(v["numerical_gradient_ns"].as_f64().unwrap() > 0.0, "{v}");
    assert!(v["max_relative_difference"].as_f64().unwrap() < 1e-5);
    assert!(v["note"].is_null());
}

#[test]
fn bench_train_reports_speed_and_a_converged_loss() {
    let (code, v) = downhill_json(&[
        "bench",
        "train",
        "--model",
        "linear",
        "--n",
        "2000",
        "--features",
        "5",
        "--batch-size",
        "32",
        "--epochs",
        "3",
        "--lr",
        "0.05",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["params"], 6);
    assert_eq!(v["status"], "Completed");
    // Noise floor of the synthetic data: ½·0.1² = 0.005.
    let loss = v["final_loss"].as_f64().unwrap();
    assert!(loss > 0.003 && loss < 0.01, "{loss}");
    let (s, sps) = (
        v["seconds"].as_f64().unwrap(),
        v["samples_per_s"].as_f64().unwrap(),
    );
    assert!((sps * s - 6000.0).abs() < 1e-6 * 6000.0);
    let (code, v) = downhill_json(&[
        "bench",
        "train",
        "--model",
        "mlp",
        "--n",
        "300",
        "--features",
        "8",
        "--hidden",
        "4",
        "--classes",
        "3",
        "--batch-size",
        "30",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["params"], 8 * 4 + 4 + 4 * 3 + 3);
    for bad in [
        &["--model", "tree"][..],
        &["--model", "mlp", "--classes", "1"],
    ] {
        let mut args = vec!["bench", "train", "--n", "10", "--features", "2"];
        args.extend_from_slice(bad);
        assert_eq!(downhill(&args).status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn bench_train_reports_data_rate_against_the_read_probe() {
    let (code, v) = downhill_json(&[
        "bench",
        "train",
        "--model",
        "logistic",
        "--n",
        "1000",
        "--features",
        "7",
        "--epochs",
        "2",
        "--limit-elems",
        "1e5",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["bytes_per_sample"], 32);
    let (sps, gbps) = (
        v["samples_per_s"].as_f64().unwrap(),
        v["data_gbytes_per_s"].as_f64().unwrap(),
    );
    assert!((gbps - 32.0 * sps / 1e9).abs() <= 1e-9 * gbps, "{v}");
    let limit = v["limit_gb_per_s"].as_f64().unwrap();
    assert!(limit > 0.0);
    assert!(
        (v["fraction_of_limit"].as_f64().unwrap() - gbps / limit).abs() <= 1e-12 * gbps / limit
    );
    let (code, v) = downhill_json(&[
        "bench",
        "train",
        "--model",
        "linear",
        "--n",
        "100",
        "--features",
        "3",
        "--precision",
        "f64",
        "--limit-elems",
        "0",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["bytes_per_sample"], 32);
    assert!(v["limit_gb_per_s"].is_null() && v["fraction_of_limit"].is_null());
}

/// `polyak_sgd` reads the loss of each step (the bench gives one) and times real steps; a rule
/// that would skip every step here (muon: the bench's parameters are one vector, no matrix)
/// is refused rather than timed doing nothing.
#[test]
fn bench_step_times_only_steps_that_change_the_parameters() {
    let args = |name| {
        [
            "bench",
            "step",
            "--optimizer",
            name,
            "--params",
            "1000",
            "--steps",
            "2",
            "--limit-elems",
            "0",
            "--json",
        ]
    };
    let (code, v) = downhill_json(&args("polyak_sgd"));
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["optimizer"], "polyak_sgd");
    let out = downhill(&args("muon"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`muon` skipped 3 of its 3 steps"), "{err}");
}
