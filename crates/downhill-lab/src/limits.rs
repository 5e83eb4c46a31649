//! The limits the lab puts on every request, checked on the JSON tables before the backend
//! runs anything, and the decimation of long trajectories.

use serde_json::{json, Map, Value};

use crate::backend::ApiError;

/// Most steps of a run, a comparison or a schedule table.
pub const MAX_STEPS: u64 = 1_000_000;
/// Most characters of a formula.
pub const MAX_EXPRESSION_CHARS: usize = 2_000;
/// Most coordinates of `x0`.
pub const MAX_DIM: usize = 1_000;
/// Most contenders of a comparison.
pub const MAX_LANES: usize = 8;
/// Most points per lane of a returned trajectory (and of its f, lr and momentum histories).
pub const MAX_POINTS: usize = 5_000;
/// Most epochs of a training job.
pub const MAX_EPOCHS: u64 = 10_000;
/// The work budget of one request: steps × lanes × coordinates × (inner iterations of a
/// solver) × (formula size), a bound on the gradient evaluations' cost that keeps one request
/// to seconds of CPU time. It is checked before computing; no CPU clock is read (the other
/// limit is the wall-clock [`crate::server::REQUEST_TIMEOUT`], which abandons the answer but
/// cannot interrupt the computation: see docs/lab.md, "Time limits, precisely").
pub const MAX_WORK: f64 = 4e8;

fn table<'a>(tables: &'a Value, name: &str) -> Option<&'a Map<String, Value>> {
    tables.get(name).and_then(Value::as_object)
}

/// `steps` of `[run]`, refused over [`MAX_STEPS`]; `None` when absent or not an integer
/// (the backend then reports it as the CLI does).
fn steps_of(tables: &Value) -> Result<Option<u64>, ApiError> {
    let Some(steps) = table(tables, "run").and_then(|r| r.get("steps")) else {
        return Ok(None);
    };
    check_steps("[run] steps", steps)
}

/// Checks a `steps` value against [`MAX_STEPS`].
pub fn check_steps(key: &str, steps: &Value) -> Result<Option<u64>, ApiError> {
    match steps.as_u64() {
        Some(n) if n > MAX_STEPS => Err(ApiError::bad_request(format!(
            "{key} = {n}: the lab runs at most {MAX_STEPS} steps (key `steps`)"
        ))),
        Some(n) => Ok(Some(n)),
        None if steps.as_f64().is_some_and(|f| f > MAX_STEPS as f64) => Err(ApiError::bad_request(
            format!("{key} = {steps}: the lab runs at most {MAX_STEPS} steps (key `steps`)"),
        )),
        None => Ok(None),
    }
}

/// Most residual formulas of a least-squares `[problem]`.
pub const MAX_RESIDUALS: usize = 1_000;

/// Size of `[problem]`: (coordinates, formula cost factor, residual count); refuses oversized
/// formulas and starting points, and a model fitted to a `data` file (the lab reads no files:
/// a least-squares problem comes as `residuals` formulas).
fn problem_size(tables: &Value) -> Result<(f64, f64, f64), ApiError> {
    let Some(p) = table(tables, "problem") else {
        return Ok((1.0, 1.0, 1.0));
    };
    let too_long = |key: &str, n: usize| {
        ApiError::bad_request(format!(
            "[problem] {key}: {n} characters; the lab takes at most {MAX_EXPRESSION_CHARS}"
        ))
    };
    let mut cost = 1.0;
    if let Some(e) = p.get("expression").and_then(Value::as_str) {
        let n = e.chars().count();
        if n > MAX_EXPRESSION_CHARS {
            return Err(too_long("expression", n));
        }
        cost = 1.0 + n as f64 / 8.0;
    }
    if p.contains_key("data") {
        return Err(ApiError::bad_request(
            "[problem] data: the lab reads no files; give the least-squares problem as \
             `residuals = [...]` formulas (or run the config with `downhill run`)",
        ));
    }
    let residuals = p
        .get("residuals")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if residuals.len() > MAX_RESIDUALS {
        return Err(ApiError::bad_request(format!(
            "[problem] residuals: {} formulas; the lab takes at most {MAX_RESIDUALS}",
            residuals.len()
        )));
    }
    let mut chars = 0;
    for (i, r) in residuals.iter().enumerate() {
        let n = r.as_str().map_or(0, |r| r.chars().count());
        if n > MAX_EXPRESSION_CHARS {
            return Err(too_long(&format!("residuals[{i}]"), n));
        }
        chars += n;
    }
    if chars > 0 {
        // f = ½‖r‖² evaluates every residual.
        cost = 1.0 + chars as f64 / 8.0;
    }
    let dim = p.get("x0").and_then(Value::as_array).map_or(1, Vec::len);
    if dim > MAX_DIM {
        return Err(ApiError::bad_request(format!(
            "[problem] x0: {dim} coordinates; the lab takes at most {MAX_DIM}"
        )));
    }
    Ok((dim.max(1) as f64, cost, residuals.len().max(1) as f64))
}

/// Inner work per outer step of an optimizer table: L-BFGS's `max_iter`, the swarm of PSO,
/// Newton's Hessian, BFGS's n×n update and line search, CG's line search, trust-region
/// Newton-CG's Hessian-vector products (up to n a step), Levenberg–Marquardt's Jacobian (one
/// sweep per residual of the `residuals` residuals) and its QR.
fn inner_work(opt: &Value, dim: f64, residuals: f64) -> f64 {
    let num = |k: &str, d: f64| opt.get(k).and_then(Value::as_f64).unwrap_or(d).max(1.0);
    match opt.get("name").and_then(Value::as_str) {
        Some("lbfgs") => num("max_iter", 20.0) * 2.0,
        Some("pso") => num("particles", 30.0).max(num("swarm_size", 30.0)),
        Some("newton") => dim + 10.0,
        Some("ga") => num("population", 100.0),
        Some("cmaes") => num("population", 4.0 + 3.0 * dim.ln().floor()) * 2.0,
        Some("nelder_mead") => dim + 1.0,
        Some("lbfgsb") => num("maxls", 20.0).min(5.0) * 2.0,
        Some("bfgs") => dim + 10.0,
        Some("cg") => 10.0,
        Some("trust_ncg") => 2.0 * (dim + 5.0),
        Some("lm") => residuals * (dim + 10.0),
        _ => 1.0,
    }
}

fn check_work(steps: Option<u64>, lanes: f64, dim: f64, cost: f64) -> Result<(), ApiError> {
    let work = steps.unwrap_or(0) as f64 * lanes * dim * cost;
    if work > MAX_WORK {
        return Err(ApiError::bad_request(format!(
            "steps = {}: too much work for one request (steps × lanes × coordinates × inner \
             iterations × formula size = {work:.3e} > {MAX_WORK:.0e}); lower `steps`",
            steps.unwrap_or(0)
        )));
    }
    Ok(())
}

/// Checks the body of `/api/run`.
pub fn check_run(tables: &Value) -> Result<(), ApiError> {
    let steps = steps_of(tables)?;
    let (dim, cost, m) = problem_size(tables)?;
    let inner = tables
        .get("optimizer")
        .map_or(1.0, |o| inner_work(o, dim, m));
    check_work(steps, 1.0, dim, cost * inner)
}

/// Checks the body of `/api/compare`.
pub fn check_compare(tables: &Value) -> Result<(), ApiError> {
    let steps = steps_of(tables)?;
    let (dim, cost, m) = problem_size(tables)?;
    let lanes = tables
        .get("optimizers")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if lanes.len() > MAX_LANES {
        return Err(ApiError::bad_request(format!(
            "[[optimizers]]: {} entries; the lab compares at most {MAX_LANES}",
            lanes.len()
        )));
    }
    let inner: f64 = lanes.iter().map(|o| inner_work(o, dim, m)).sum();
    check_work(steps, 1.0, dim, cost * inner.max(1.0))
}

/// Checks the body of `/api/train`.
pub fn check_train(tables: &Value) -> Result<(), ApiError> {
    if let Some(e) = table(tables, "train").and_then(|t| t.get("epochs")) {
        if e.as_f64().is_some_and(|n| n > MAX_EPOCHS as f64) {
            return Err(ApiError::bad_request(format!(
                "[train] epochs = {e}: the lab trains at most {MAX_EPOCHS} epochs (key `epochs`)"
            )));
        }
    }
    Ok(())
}

/// Keeps every `stride`-th element of an array and its last one.
fn thin(v: &mut Value, stride: usize) {
    if let Value::Array(a) = v {
        let n = a.len();
        let kept: Vec<Value> = std::mem::take(a)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % stride == 0 || *i + 1 == n)
            .map(|(_, x)| x)
            .collect();
        *a = kept;
    }
}

/// Takes the optional `max_points` beside the tables of a `/api/run` or `/api/compare` body
/// (the page asks for fewer points while the user drags, about one per two pixels of the
/// contour): an integer in 3..=[`MAX_POINTS`], else 400 naming it; [`MAX_POINTS`] when absent.
/// It is removed, so the remaining tables are the config.
pub fn take_max_points(tables: &mut Value) -> Result<usize, ApiError> {
    let Some(v) = tables.as_object_mut().and_then(|o| o.remove("max_points")) else {
        return Ok(MAX_POINTS);
    };
    match v.as_u64() {
        Some(n) if (3..=MAX_POINTS as u64).contains(&n) => Ok(n as usize),
        _ => Err(ApiError::bad_request(format!(
            "max_points = {v}: an integer from 3 to {MAX_POINTS} expected"
        ))),
    }
}

/// Decimates one run object (`trajectory`, `f_history`, `lr`, `momentum`) to at most
/// [`MAX_POINTS`] points each, keeping every k-th and the last, and says so under
/// `decimated`: `{"stride": k, "points": kept, "of": before, "max_points": MAX_POINTS}`.
pub fn decimate_run(run: &mut Value) {
    decimate_run_to(run, MAX_POINTS);
}

/// [`decimate_run`] to at most `max_points` (≥ 3) points.
pub fn decimate_run_to(run: &mut Value, max_points: usize) {
    let max_points = max_points.clamp(3, MAX_POINTS);
    let Some(o) = run.as_object_mut() else {
        return;
    };
    let n = o
        .get("trajectory")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if n <= max_points {
        return;
    }
    // (n - 1) / stride + 1 (multiples of stride, 0 included) + 1 (the last) ≤ max_points
    let stride = (n - 1).div_ceil(max_points - 2);
    for key in ["trajectory", "f_history", "lr", "momentum"] {
        if let Some(v) = o.get_mut(key) {
            thin(v, stride);
        }
    }
    let points = o
        .get("trajectory")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    o.insert(
        "decimated".into(),
        json!({ "stride": stride, "points": points, "of": n, "max_points": max_points }),
    );
}

/// Decimates a run result or every run of a comparison (`runs`).
pub fn decimate(result: &mut Value) {
    decimate_to(result, MAX_POINTS);
}

/// [`decimate`] to at most `max_points` points per run.
pub fn decimate_to(result: &mut Value, max_points: usize) {
    if let Some(runs) = result.get_mut("runs").and_then(Value::as_array_mut) {
        runs.iter_mut().for_each(|r| decimate_run_to(r, max_points));
    } else {
        decimate_run_to(result, max_points);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_runs_are_decimated_with_first_and_last_kept() {
        for n in [5_001usize, 10_001, 1_000_001, 5_000, 7] {
            let mut v = json!({
                "trajectory": (0..n).map(|i| vec![i as f64, 0.0]).collect::<Vec<_>>(),
                "f_history": (0..n).map(|i| i as f64).collect::<Vec<_>>(),
                "lr": (1..n).map(|i| i as f64).collect::<Vec<_>>(),
            });
            decimate(&mut v);
            let t = v["trajectory"].as_array().map_or(0, Vec::len);
            assert!(t <= MAX_POINTS, "{n}: {t}");
            assert!(v["lr"].as_array().map_or(0, Vec::len) <= MAX_POINTS);
            assert_eq!(v["f_history"][0], json!(0.0));
            assert_eq!(v["f_history"][t - 1], json!((n - 1) as f64));
            assert_eq!(v.get("decimated").is_some(), n > MAX_POINTS, "{n}");
        }
    }

    #[test]
    fn steps_over_the_limit_name_the_key() {
        let e = check_run(&json!({"run": {"steps": 1_000_001}})).err();
        assert!(e.is_some_and(|e| e.status == 400 && e.message.contains("steps")));
        assert!(check_run(&json!({"run": {"steps": 1_000_000}})).is_ok());
        let big = "x+".repeat(2_000) + "x";
        let e = check_run(&json!({"problem": {"expression": big}})).err();
        assert!(e.is_some_and(|e| e.message.contains("expression")));
    }

    #[test]
    fn every_solver_has_a_cost_and_files_and_huge_residuals_are_refused() {
        let run = |name: &str, dim: usize| {
            json!({"problem": {"x0": vec![1.0; dim]}, "optimizer": {"name": name},
                   "run": {"steps": 20_000}})
        };
        // 20 000 steps × 1 000 coordinates = 2e7: over 4e8 once a step costs > 20 gradients.
        for name in ["bfgs", "trust_ncg", "newton", "nelder_mead"] {
            let e = check_run(&run(name, 1_000)).err();
            assert!(e.is_some_and(|e| e.status == 400), "{name}");
            assert!(check_run(&run(name, 2)).is_ok(), "{name}");
        }
        assert!(inner_work(&json!({"name": "cg"}), 2.0, 1.0) > 1.0);
        assert!(inner_work(&json!({"name": "lm"}), 2.0, 50.0) >= 100.0);
        let data = json!({"problem": {"model": "a*x", "data": "/etc/passwd", "x0": [1.0]}});
        let e = check_run(&data).err();
        assert!(e.is_some_and(|e| e.status == 400 && e.message.contains("[problem] data")));
        let many = json!({"problem": {"residuals": vec!["x"; MAX_RESIDUALS + 1], "x0": [1.0]}});
        let e = check_run(&many).err();
        assert!(e.is_some_and(|e| e.message.contains("residuals")));
        let long = json!({"problem": {"residuals": ["x", "x+".repeat(1_500) + "x"]}});
        let e = check_run(&long).err();
        assert!(e.is_some_and(|e| e.message.contains("residuals[1]")));
    }

    #[test]
    fn max_points_is_taken_checked_and_applied() {
        let mut t = json!({"run": {"steps": 1000}, "max_points": 300});
        assert_eq!(take_max_points(&mut t).ok(), Some(300));
        assert_eq!(t, json!({"run": {"steps": 1000}}));
        assert_eq!(take_max_points(&mut t).ok(), Some(MAX_POINTS));
        for bad in [json!(2), json!(5001), json!(-1), json!(1.5), json!("300")] {
            let mut t = json!({ "max_points": bad });
            let e = take_max_points(&mut t).err();
            assert!(e.is_some_and(|e| e.status == 400 && e.message.contains("max_points")));
        }
        let mut v = json!({
            "trajectory": (0..1001).map(|i| vec![i as f64, 0.0]).collect::<Vec<_>>(),
            "f_history": (0..1001).map(|i| i as f64).collect::<Vec<_>>(),
        });
        decimate_to(&mut v, 300);
        let t = v["trajectory"].as_array().map_or(0, Vec::len);
        assert!((150..=300).contains(&t), "{t}");
        assert_eq!(v["trajectory"][t - 1], json!([1000.0, 0.0]));
        assert_eq!(v["decimated"]["max_points"], json!(300));
        assert_eq!(v["decimated"]["stride"], json!(4));
    }
}
