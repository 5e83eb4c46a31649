//! Issue 15: the lab's API against a real `downhill lab --port 0`: every endpoint, the
//! answers of /api/run, /api/compare and the training stream equal to the CLI's `--json`
//! byte for byte, and the guards (400, 403, 404, 413, 429), after which the server still
//! answers; SIGTERM stops it cleanly.

mod common;
mod lab_common;

use lab_common::{sse_events, Server};

/// A `downhill` JSON config and the TOML file the CLI reads for it.
const RUN_CASES: &[(&str, &str)] = &[
    (
        r#"{"problem":{"function":"rosenbrock","x0":[-1.5,2.0]},"optimizer":{"name":"sgd","lr":0.001,"momentum":0.9},"run":{"steps":200}}"#,
        "[problem]\nfunction = \"rosenbrock\"\nx0 = [-1.5, 2.0]\n[optimizer]\nname = \"sgd\"\nlr = 0.001\nmomentum = 0.9\n[run]\nsteps = 200\n",
    ),
    (
        r#"{"problem":{"expression":"(1 - x)^2 + 5*(y - x^2)^2","vars":["x","y"],"x0":[0.5,-1.0]},"optimizer":{"name":"adam","lr":0.05,"betas":[0.8,0.99]},"run":{"steps":150,"tolerance":1e-6},"schedule":{"name":"cosine_annealing_lr","t_max":150}}"#,
        "[problem]\nexpression = \"(1 - x)^2 + 5*(y - x^2)^2\"\nvars = [\"x\", \"y\"]\nx0 = [0.5, -1.0]\n[optimizer]\nname = \"adam\"\nlr = 0.05\nbetas = [0.8, 0.99]\n[run]\nsteps = 150\ntolerance = 1e-6\n[schedule]\nname = \"cosine_annealing_lr\"\nt_max = 150\n",
    ),
    (
        r#"{"problem":{"function":"sphere","x0":[-3.0,3.5]},"optimizer":{"name":"sgd","lr":10.0},"run":{"steps":300}}"#,
        "[problem]\nfunction = \"sphere\"\nx0 = [-3.0, 3.5]\n[optimizer]\nname = \"sgd\"\nlr = 10.0\n[run]\nsteps = 300\n",
    ),
    (
        r#"{"problem":{"function":"booth","x0":[-8.0,8.0]},"optimizer":{"name":"lbfgs"},"run":{"steps":10}}"#,
        "[problem]\nfunction = \"booth\"\nx0 = [-8.0, 8.0]\n[optimizer]\nname = \"lbfgs\"\n[run]\nsteps = 10\n",
    ),
];

const COMPARE_JSON: &str = r#"{"problem":{"function":"himmelblau","x0":[0.5,0.5]},"run":{"steps":100,"tolerance":1e-8},"optimizers":[{"name":"sgd","lr":0.01,"label":"plain"},{"name":"momentum","lr":0.01,"momentum":0.9,"variant":"nesterov"},{"name":"rmsprop","lr":0.01}]}"#;
const COMPARE_TOML: &str = "[problem]\nfunction = \"himmelblau\"\nx0 = [0.5, 0.5]\n[run]\nsteps = 100\ntolerance = 1e-8\n[[optimizers]]\nname = \"sgd\"\nlr = 0.01\nlabel = \"plain\"\n[[optimizers]]\nname = \"momentum\"\nlr = 0.01\nmomentum = 0.9\nvariant = \"nesterov\"\n[[optimizers]]\nname = \"rmsprop\"\nlr = 0.01\n";

const TRAIN_JSON: &str = r#"{"data":{"source":"synthetic_classification","standardize":true,"validation_fraction":0.2,"seed":3},"model":{"kind":"softmax"},"optimizer":{"name":"sgd","lr":0.1,"momentum":0.9},"train":{"epochs":8,"batch_size":16,"seed":1}}"#;
const TRAIN_TOML: &str = "[data]\nsource = \"synthetic_classification\"\nstandardize = true\nvalidation_fraction = 0.2\nseed = 3\n[model]\nkind = \"softmax\"\n[optimizer]\nname = \"sgd\"\nlr = 0.1\nmomentum = 0.9\n[train]\nepochs = 8\nbatch_size = 16\nseed = 1\n";

/// A long job: thousands of one-sample steps per epoch.
const LONG_TRAIN: &str = r#"{"data":{"source":"synthetic_linreg","n":20000},"model":{"kind":"linear"},"optimizer":{"name":"sgd","lr":0.001},"train":{"epochs":5000,"batch_size":1}}"#;

fn cli_stdout(cmd: &str, test: &str, toml: &str) -> String {
    let path = common::temp_file(test, "c.toml", toml);
    let out = common::downhill(&[cmd, path.to_str().expect("utf-8"), "--json"]);
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim_end_matches('\n')
        .to_string()
}

/// Replaces the value of every `"wall_time_s":` (a measured time) with 0.
fn without_wall_time(s: &str) -> String {
    let key = "\"wall_time_s\":";
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        let tail = &rest[i + key.len()..];
        let end = tail.find([',', '}']).unwrap_or(tail.len());
        out.push('0');
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn assert_serving(s: &Server) {
    let (status, body) = s.post("/api/run", RUN_CASES[0].0);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, cli_stdout("run", "serving", RUN_CASES[0].1));
}

#[test]
fn run_and_compare_equal_the_cli_byte_for_byte() {
    let s = Server::start();
    for (i, (json, toml)) in RUN_CASES.iter().enumerate() {
        let (status, body) = s.post("/api/run", json);
        assert_eq!(status, 200, "case {i}: {body}");
        assert_eq!(
            body,
            cli_stdout("run", &format!("run{i}"), toml),
            "case {i}"
        );
    }
    let (status, body) = s.post("/api/run", RUN_CASES[2].0);
    assert_eq!(status, 200);
    assert!(body.contains("\"status\":\"diverged\""), "{body}");
    let (status, body) = s.post("/api/compare", COMPARE_JSON);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        without_wall_time(&body),
        without_wall_time(&cli_stdout("compare", "compare", COMPARE_TOML))
    );
    // the TOML the page downloads reproduces the same numbers from the CLI
    let (status, toml) = s.post("/api/config/compare", COMPARE_JSON);
    assert_eq!(status, 200, "{toml}");
    assert_eq!(
        without_wall_time(&cli_stdout("compare", "download", &toml)),
        without_wall_time(&body)
    );
}

#[test]
fn catalog_schedule_contour_and_decimation() {
    let s = Server::start();
    let (status, _, body) = s.call("GET", "/api/catalog", None);
    assert_eq!(status, 200);
    let cat: serde_json::Value = serde_json::from_str(&body).expect("json");
    for key in ["functions", "optimizers", "schedules", "datasets"] {
        assert!(cat[key].as_array().is_some_and(|a| !a.is_empty()), "{key}");
    }
    let (status, _, body) = s.call("GET", "/api/presets", None);
    assert_eq!(status, 200, "{body}");
    let presets: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(presets, downhill_cli::presets::json());
    let list = presets.as_array().expect("an array");
    assert!(!list.is_empty());
    for p in list {
        let url = p["url"].as_str().expect("a url");
        assert!(url.starts_with("http://127.0.0.1:8731/#"), "{url}");
        assert!(p["id"].as_str().is_some_and(|id| id.starts_with("seed")));
    }
    let (status, body) = s.post(
        "/api/schedule",
        r#"{"optimizer":{"name":"sgd","lr":0.1,"momentum":0.9},"schedule":{"name":"one_cycle_lr","max_lr":1.0,"total_steps":50},"steps":50}"#,
    );
    assert_eq!(status, 200, "{body}");
    let toml = "[optimizer]\nname = \"sgd\"\nlr = 0.1\nmomentum = 0.9\n[schedule]\nname = \"one_cycle_lr\"\nmax_lr = 1.0\ntotal_steps = 50\n";
    let path = common::temp_file("schedule", "s.toml", toml);
    let out = common::downhill(&[
        "schedule",
        path.to_str().expect("utf-8"),
        "--steps",
        "50",
        "--json",
    ]);
    assert_eq!(body, String::from_utf8_lossy(&out.stdout).trim_end());
    let (status, body) = s.post("/api/contour", r#"{"function":"sphere"}"#);
    assert_eq!(status, 200);
    let c: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert!(c["svg"].as_str().is_some_and(|v| v.starts_with("<svg")));
    assert!(c["frame"]["right"].as_f64() > c["frame"]["left"].as_f64());
    assert!(c["quadratic"]["l"]
        .as_f64()
        .is_some_and(|l| (l - 2.0).abs() < 1e-9));
    // The rules the page takes from the server: the stable lr (optim::stability), each
    // optimiser's momentum key and each dataset's task.
    let (status, body) = s.post(
        "/api/stability",
        &format!(
            r#"{{"optimizer":{{"name":"sgd","lr":0.1,"momentum":0.5}},"quadratic":{}}}"#,
            c["quadratic"]
        ),
    );
    assert_eq!(status, 200, "{body}");
    let b: serde_json::Value = serde_json::from_str(&body).expect("json");
    let l = c["quadratic"]["l"].as_f64().unwrap_or(f64::NAN);
    let edge =
        downhill::optim::stability::edge(downhill::optim::stability::Method::HeavyBall, 0.5, l);
    assert_eq!(b["lr"].as_f64(), Some(edge));
    assert_eq!(b["formula"], "2(1+β)/L");
    let (status, body) = s.post(
        "/api/stability",
        r#"{"optimizer":{"name":"adam"},"quadratic":{"l":2.0,"mu":2.0}}"#,
    );
    assert_eq!((status, body.as_str()), (200, "null"));
    let (status, _) = s.post("/api/stability", r#"{"optimizer":{"name":"nope"}}"#);
    assert_eq!(status, 400);
    let key = |name: &str| {
        cat["optimizers"]
            .as_array()
            .and_then(|a| a.iter().find(|o| o["name"] == name))
            .map(|o| o["momentum_key"].clone())
    };
    assert_eq!(key("sgd"), Some(serde_json::json!("momentum")));
    assert_eq!(key("adam"), Some(serde_json::json!("betas[0]")));
    assert_eq!(key("adagrad"), Some(serde_json::Value::Null));
    assert_eq!(cat["dataset_tasks"]["diabetes"], "regression");
    assert_eq!(cat["dataset_tasks"]["iris"], "classification");
    let (status, body) = s.post(
        "/api/run",
        r#"{"problem":{"function":"sphere","x0":[1.0,1.0]},"optimizer":{"name":"sgd","lr":1e-6},"run":{"steps":20000}}"#,
    );
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    let n = v["trajectory"].as_array().map_or(0, Vec::len);
    assert!(n <= 5000 && n > 4000, "{n}");
    assert_eq!(v["decimated"]["of"], 20001);
    assert_eq!(v["steps"], 20000);
}

#[test]
fn bad_requests_get_4xx_and_the_server_keeps_serving() {
    let s = Server::start();
    let bad_key = RUN_CASES[0].0.replace("\"momentum\"", "\"momentun\"");
    let (status, body) = s.post("/api/run", &bad_key);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("momentun"), "{body}");
    let (status, body) = s.post("/api/run", "{\"problem\": {");
    assert_eq!(status, 400);
    assert!(body.contains("malformed JSON"), "{body}");
    let (status, body) = s.post("/api/run", "[1, 2]");
    assert_eq!(status, 400, "{body}");
    let steps = RUN_CASES[0].0.replace("\"steps\":200", "\"steps\":1000001");
    let (status, body) = s.post("/api/run", &steps);
    assert_eq!(status, 400);
    assert!(body.contains("steps"), "{body}");
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(1 << 20));
    let (status, _) = s.post("/api/run", &big);
    assert_eq!(status, 413);
    let expr = format!(
        r#"{{"problem":{{"expression":"{}x","vars":["x"],"x0":[1.0]}},"optimizer":{{"name":"sgd"}},"run":{{"steps":1}}}}"#,
        "x+".repeat(5000)
    );
    let (status, body) = s.post("/api/run", &expr);
    assert_eq!(status, 400);
    assert!(body.contains("expression"), "{body}");
    // lm needs residuals: a plain function is refused, naming the key, and so is a data file.
    let lm = r#"{"problem":{"function":"rosenbrock","x0":[-1.2,1.0]},"optimizer":{"name":"lm"},"run":{"steps":10}}"#;
    let (status, body) = s.post("/api/run", lm);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("[optimizer] key `name`") && body.contains("works on residuals"),
        "{body}"
    );
    let data = r#"{"problem":{"model":"a*x","params":["a"],"data":"c.csv","y_column":"y","x0":[1.0]},"optimizer":{"name":"lm"},"run":{"steps":10}}"#;
    let (status, body) = s.post("/api/run", data);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("[problem] data"), "{body}");
    let lsq = r#"{"problem":{"residuals":["x - 1","10*(y - x^2)","x - y"],"vars":["x","y"],"x0":[-1.2,1.0]},"optimizer":{"name":"lm"},"run":{"steps":50}}"#;
    let (status, body) = s.post("/api/run", lsq);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"std_errors\""), "{body}");
    let (status, _, body) = s.request("GET", "/api/catalog", "evil.example", None);
    assert_eq!(status, 403, "{body}");
    let (status, _, _) = s.request("POST", "/api/run", "rebind.example:80", Some(b"{}"));
    assert_eq!(status, 403);
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2fCargo.toml",
        "/web/app.js",
        "/api/nope",
        "/index.html/../app.js",
    ] {
        let (status, head, _) = s.call("GET", path, None);
        assert_eq!(status, 404, "{path}");
        assert!(!head.contains("access-control-"), "{head}");
    }
    let (status, _, _) = s.call("DELETE", "/api/train/999", None);
    assert_eq!(status, 404);
    let (status, _, _) = s.call("GET", "/api/train/x/events", None);
    assert_eq!(status, 404);
    let (status, head, body) = s.call("GET", "/", None);
    assert_eq!(status, 200);
    assert!(body.contains("data-testid=\"contour\""));
    assert!(!head.contains("access-control-"), "{head}");
    assert_serving(&s);
}

#[test]
fn training_streams_progress_and_ends_with_the_train_json() {
    let s = Server::start();
    let (status, body) = s.post("/api/train", TRAIN_JSON);
    assert_eq!(status, 200, "{body}");
    let id: serde_json::Value = serde_json::from_str(&body).expect("json");
    let (status, head, body) = s.call("GET", &format!("/api/train/{}/events", id["id"]), None);
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    let events = sse_events(&body);
    assert_eq!(
        events.iter().filter(|e| e.0 == "epoch").count(),
        8,
        "{body}"
    );
    let last = events.last().expect("events");
    assert_eq!(last.0, "result");
    assert_eq!(last.1, cli_stdout("train", "train", TRAIN_TOML));
    // every batch's loss and its debiased moving average (β = 0.9), in step order
    let result: serde_json::Value = serde_json::from_str(&last.1).expect("json");
    let batches: Vec<serde_json::Value> = events
        .iter()
        .filter(|e| e.0 == "batch")
        .map(|e| serde_json::from_str(&e.1).expect("json"))
        .collect();
    assert_eq!(
        Some(batches.len() as u64),
        result["steps"].as_u64(),
        "{body}"
    );
    let (mut avg, mut weight) = (0.0, 0.0);
    for (k, b) in batches.iter().enumerate() {
        assert_eq!(b["step"].as_u64(), Some(k as u64 + 1), "{b}");
        let loss = b["loss"].as_f64().expect("loss");
        (avg, weight) = (0.9 * avg + 0.1 * loss, 0.9 * weight + 0.1);
        let smoothed = b["smoothed"].as_f64().expect("smoothed");
        assert!(
            (smoothed - avg / weight).abs() <= 1e-12 * smoothed.abs(),
            "{b}"
        );
    }
    // a bad config is refused up front
    let (status, body) = s.post("/api/train", &TRAIN_JSON.replace("\"epochs\"", "\"epoch\""));
    assert_eq!(status, 400);
    assert!(body.contains("epoch"), "{body}");
    let (status, body) = s.post(
        "/api/train",
        &TRAIN_JSON.replace("synthetic_classification", "csv"),
    );
    assert_eq!(status, 400, "{body}");
}

#[test]
fn jobs_are_limited_and_stop_on_delete_and_sigterm_stops_the_server() {
    let mut s = Server::start();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut ids = Vec::new();
    for _ in 0..cores {
        let (status, body) = s.post("/api/train", LONG_TRAIN);
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        ids.push(v["id"].clone());
    }
    let (status, body) = s.post("/api/train", LONG_TRAIN);
    assert_eq!(status, 429, "{body}");
    let first = ids.remove(0);
    let (status, _, _) = s.call("DELETE", &format!("/api/train/{first}"), None);
    assert_eq!(status, 200);
    let (_, _, body) = s.call("GET", &format!("/api/train/{first}/events"), None);
    let events = sse_events(&body);
    let last = events.last().expect("events");
    assert_eq!(last.0, "result", "{body}");
    assert!(last.1.contains("\"status\":\"stopped\""), "{}", last.1);
    // the others are cancelled by SIGTERM, and the server exits 0
    let pid = s.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let t = std::time::Instant::now();
    loop {
        if let Some(code) = s.child.try_wait().expect("wait") {
            assert!(code.success(), "{code:?}");
            break;
        }
        assert!(t.elapsed().as_secs() < 20, "the server did not stop");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// `max_points` beside the tables: the page's coarse answers while dragging.
#[test]
fn max_points_decimates_and_is_checked() {
    let s = Server::start();
    let body = r#"{"problem":{"function":"rosenbrock","x0":[-1.5,2.0]},"optimizer":{"name":"adam","lr":0.05},"run":{"steps":1000}"#;
    let (status, full) = s.post("/api/run", &format!("{body}}}"));
    assert_eq!(status, 200, "{full}");
    let (status, coarse) = s.post("/api/run", &format!("{body},\"max_points\":300}}"));
    assert_eq!(status, 200, "{coarse}");
    let full: serde_json::Value = serde_json::from_str(&full).expect("json");
    let coarse: serde_json::Value = serde_json::from_str(&coarse).expect("json");
    let n = coarse["trajectory"].as_array().map_or(0, Vec::len);
    assert!((100..=300).contains(&n), "{n} points");
    assert_eq!(coarse["decimated"]["max_points"], serde_json::json!(300));
    // same run: same end point, the first point and every stride-th one kept
    assert_eq!(coarse["x"], full["x"]);
    let stride = coarse["decimated"]["stride"].as_u64().expect("a stride") as usize;
    assert_eq!(coarse["trajectory"][1], full["trajectory"][stride]);
    for bad in ["2", "5001", "\"300\"", "1.5"] {
        let (status, msg) = s.post("/api/run", &format!("{body},\"max_points\":{bad}}}"));
        assert_eq!(status, 400, "{bad}: {msg}");
        assert!(msg.contains("max_points"), "{msg}");
    }
    let (status, _) = s.post("/api/run", &format!("{body}}}"));
    assert_eq!(status, 200);
}
