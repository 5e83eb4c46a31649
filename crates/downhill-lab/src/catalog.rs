//! `GET /api/catalog`: what the page builds its controls from, derived from the library's
//! registries, so the page copies no domain rule (each optimiser's momentum key, each
//! dataset's task, the parameters with their defaults and ranges come from here).

use downhill::data::{builtin, Task};
use downhill::optim::OptimizerConfig;
use downhill::schedule::ScheduleConfig;
use std::sync::OnceLock;

use downhill::spec::json::Tables;
use serde_json::{json, Map, Value};

/// The parameters and defaults of a named table (`from_named` with no keys), if it has
/// defaults for all of them.
fn defaults<C: serde::Serialize>(
    from_named: impl FnOnce(Value) -> Result<C, serde_json::Error>,
) -> Option<Value> {
    let c = from_named(Value::Object(Map::new())).ok()?;
    let mut v = serde_json::to_value(c).ok()?;
    if let Some(o) = v.as_object_mut() {
        o.remove("name");
    }
    Some(v)
}

/// Why optimiser `name` cannot minimise a built-in function of a 2-D point (the library's own
/// message, without its place), or `None` when it can: a step of it on `sphere` from (1, 1).
/// Cached: the answer depends on the library only.
pub fn on_points(name: &str) -> Option<String> {
    static CACHE: OnceLock<Vec<(&'static str, Option<String>)>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        downhill::optim::NAMES
            .iter()
            .map(|&n| {
                let tables = json!({
                    "problem": { "function": "sphere", "x0": [1.0, 1.0] },
                    "optimizer": { "name": n },
                    "run": { "steps": 1 },
                });
                let e = Tables::new(ORIGIN, &tables)
                    .and_then(|t| t.execute("run"))
                    .err();
                (n, e.map(|e| without_place(&e.to_string())))
            })
            .collect()
    });
    all.iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, e)| e.clone())
}

/// What the probe of [`on_points`] calls its config in messages.
const ORIGIN: &str = "probe";

/// A message without its leading `probe:line:col:` place.
fn without_place(message: &str) -> String {
    let mut rest = message.strip_prefix(ORIGIN).unwrap_or(message);
    while let Some(r) = rest.strip_prefix(':') {
        let digits = r.trim_start_matches(|c: char| c.is_ascii_digit());
        if digits.len() == r.len() {
            rest = r;
            break;
        }
        rest = digits;
    }
    rest.trim().to_string()
}

/// The catalogue the page builds its controls from, derived from the library's registries:
/// functions (with their views), optimisers and schedules (parameters with type, default,
/// range and doc; a schedule's `example` is its defaults overlaid with the `example` of its
/// parameter lines; an optimiser's `momentum_key`, what the page's momentum field sets),
/// datasets (with `dataset_tasks`: `regression` or `classification` by name), models and
/// activations.
pub fn catalog() -> Value {
    let functions: Vec<Value> = downhill::problems::NAMES
        .iter()
        .map(|&name| {
            let dim = downhill::problems::by_name::<f64>(name)
                .ok()
                .and_then(|f| f.dim());
            let (x, y, x0) = crate::contour::view(name);
            let minima = crate::contour::minima(name);
            json!({ "name": name, "dim": dim, "x_range": x, "y_range": y, "x0": x0, "minima": minima })
        })
        .collect();
    let optimizers: Vec<Value> = downhill::optim::catalog()
        .into_iter()
        .map(|e| {
            let name = e.name;
            json!({
                "name": name,
                "first_order": e.kind == downhill::optim::registry::EntryKind::FirstOrder,
                "doc": e.doc,
                "needs": e.needs,
                "params": e.params,
                "defaults": defaults(|v| OptimizerConfig::from_named(name, v)),
                "momentum_key": downhill::optim::momentum_key(name),
                "on_points": on_points(name),
            })
        })
        .collect();
    let catalogue = downhill::schedule::catalog();
    let schedules: Vec<Value> = catalogue
        .schedules
        .iter()
        .map(|info| {
            let name = info.name;
            let d = defaults(|v| ScheduleConfig::from_named(name, v));
            let mut example = d.clone().unwrap_or_else(|| json!({}));
            if let Some(o) = example.as_object_mut() {
                let given = info.params.iter().filter_map(|p| {
                    let v = p.example.clone()?;
                    Some((p.name.to_string(), v))
                });
                o.extend(given);
            }
            json!({
                "name": name,
                "doc": info.doc,
                "params": info.params,
                "defaults": d,
                "example": example,
                "needs_metric": name == "reduce_lr_on_plateau",
            })
        })
        .collect();
    let dataset_tasks: Map<String, Value> = builtin::BUILTIN_NAMES
        .iter()
        .map(|&name| {
            let task = match builtin::builtin_task(name) {
                Some(Task::Regression) => json!("regression"),
                Some(Task::Classification { .. }) => json!("classification"),
                None => Value::Null,
            };
            (name.to_string(), task)
        })
        .collect();
    json!({
        "functions": functions,
        "optimizers": optimizers,
        "schedules": schedules,
        "schedule_common": catalogue.common,
        "datasets": builtin::BUILTIN_NAMES,
        "dataset_tasks": dataset_tasks,
        "models": downhill::model::MODEL_NAMES,
        "activations": downhill::model::ACTIVATION_NAMES,
        "limits": {
            "steps": crate::limits::MAX_STEPS,
            "points": crate::limits::MAX_POINTS,
            "lanes": crate::limits::MAX_LANES,
            "expression_chars": crate::limits::MAX_EXPRESSION_CHARS,
            "epochs": crate::limits::MAX_EPOCHS,
            "training_jobs": crate::cores(),
        },
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn muon_and_lm_cannot_run_on_points_and_sgd_can() {
        assert_eq!(super::on_points("sgd"), None);
        let muon = super::on_points("muon").unwrap_or_default();
        assert!(muon.contains("2-D parameters"), "{muon}");
        assert!(!muon.starts_with("probe"), "{muon}");
        assert!(super::on_points("lm").is_some());
    }
}
