//! `downhill plot RESULT.json --out FIG.svg`: re-draws a saved `--json` output of `run`,
//! `minimize` (one run) or `compare` (a `runs` array).

use serde_json::Value;

use crate::cli::PlotArgs;
use crate::exit::{CliError, CliResult};
use crate::input::read_file;
use crate::present::plotting::{figure, write, RunTrace};

/// What `plot` says of a JSON that is not a run or a comparison.
const CANNOT_DRAW: &str = "`downhill plot` cannot draw this JSON: it has no `function`. It draws \
     the `--json` output of `run`, `minimize` and `compare` (contour and path for a 2-D \
     function, otherwise f against step). For `train`, `sweep`, `lr-find`, `landscape` and \
     `schedule`, give `--plot FIG.svg` to that command instead.";

/// Entry point of `downhill plot`.
pub fn cmd(a: &PlotArgs) -> CliResult {
    let file = a.result.display().to_string();
    let raw = read_file(&a.result)?;
    let v: Value = serde_json::from_str(&raw).map_err(|e| {
        CliError::input(format!(
            "{file}:{}:{}: invalid JSON: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let function = v
        .get("function")
        .and_then(Value::as_str)
        .ok_or_else(|| CliError::input(format!("{file}: {CANNOT_DRAW}")))?;
    let traces = match v.get("runs") {
        Some(Value::Array(runs)) => runs
            .iter()
            .enumerate()
            .map(|(i, r)| trace(&file, &format!("runs[{i}]"), r))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(CliError::input(format!("{file}: `runs` must be an array"))),
        None => vec![trace(&file, "the result", &v)?],
    };
    let fig = figure(function, &traces, traces.len() > 1)?;
    write(&fig, &a.out)?;
    Ok(0)
}

/// Reads one run's trajectory, f history and label from its JSON object.
fn trace(file: &str, what: &str, v: &Value) -> Result<RunTrace, CliError> {
    let bad = |key: &str, expected: &str| {
        CliError::input(format!("{file}: {what}: `{key}` must be {expected}"))
    };
    let num = |x: &Value| match x {
        Value::Null => Some(f64::NAN),
        x => x.as_f64(),
    };
    let f_history = v
        .get("f_history")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(num).collect::<Option<Vec<f64>>>())
        .ok_or_else(|| bad("f_history", "an array of numbers"))?;
    let trajectory = v
        .get("trajectory")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .map(|p| p.as_array()?.iter().map(num).collect::<Option<Vec<f64>>>())
                .collect::<Option<Vec<Vec<f64>>>>()
        })
        .ok_or_else(|| bad("trajectory", "an array of points (arrays of numbers)"))?;
    let label = match (v.get("label"), v.get("optimizer")) {
        (Some(Value::String(s)), _) => s.clone(),
        (_, Some(o)) => {
            let name = o.get("name").and_then(Value::as_str).unwrap_or("optimizer");
            match o.get("lr").and_then(Value::as_f64) {
                Some(lr) => format!("{name} (lr = {lr})"),
                None => name.to_string(),
            }
        }
        _ => "run".to_string(),
    };
    Ok(RunTrace {
        label,
        trajectory,
        f_history,
    })
}
