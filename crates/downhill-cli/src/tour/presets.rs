//! The tour's experiments as lab presets: each preset is a partial lab page state (the JSON
//! the lab keeps in its URL fragment), built from the experiment's own settings. The tour's
//! `index.html` links to [`lab_url`] of it, and the lab lists them at `GET /api/presets`.

use serde_json::{json, Value};

/// Where `downhill lab` listens by default.
pub const LAB_ORIGIN: &str = "http://127.0.0.1:8731/";

/// One optimiser lane of the lab's Functions view.
#[derive(Debug, Clone, Copy)]
pub struct Lane {
    /// Optimiser name (PyTorch snake_case).
    pub optimizer: &'static str,
    /// Learning rate.
    pub lr: f64,
    /// Momentum (or β₁), if the experiment sets one.
    pub momentum: Option<f64>,
}

/// The settings of a Schedules-view preset.
#[derive(Debug, Clone)]
pub struct SchedulePreset<'a> {
    /// Schedule name.
    pub name: &'a str,
    /// Its parameters (the table without `name`).
    pub params: Value,
    /// Optimiser name.
    pub optimizer: &'a str,
    /// Base learning rate.
    pub lr: f64,
    /// Momentum (or β₁).
    pub mom: f64,
    /// Steps drawn.
    pub steps: usize,
}

/// A tour experiment as a lab state.
#[derive(Debug, Clone)]
pub struct Preset {
    /// The experiment's id in `tour.json` (`seed004-gd-lr-0.1`).
    pub id: String,
    /// A short title for the lab's list.
    pub title: String,
    /// The lab's URL state (the keys it sets; the others keep the page's defaults).
    pub state: Value,
}

impl Preset {
    /// A Functions-view preset: `function` from `x0`, `steps` steps, one lane per optimiser.
    pub fn function(
        id: String,
        title: String,
        function: &str,
        x0: &[f64],
        steps: usize,
        lanes: &[Lane],
    ) -> Self {
        let lanes: Vec<Value> = lanes
            .iter()
            .map(|l| {
                json!({
                    "optimizer": l.optimizer, "lr": l.lr, "mom": l.momentum,
                    "nesterov": false, "variant": "heavy_ball", "schedule": "", "sp": null
                })
            })
            .collect();
        let state = json!({
            "view": "functions", "fn": function, "expr": "", "x0": x0, "steps": steps,
            "scrub": null, "lanes": lanes,
        });
        Preset { id, title, state }
    }

    /// A Schedules-view preset: schedule `name` with `params` (its table without `name`),
    /// applied to `optimizer` at `lr` (momentum `mom`) for `steps` steps.
    pub fn schedule(id: String, title: String, s: &SchedulePreset<'_>) -> Self {
        let state = json!({
            "view": "schedules",
            "sched": {
                "name": s.name, "optimizer": s.optimizer, "lr": s.lr, "mom": s.mom,
                "steps": s.steps, "params": s.params,
            },
        });
        Preset { id, title, state }
    }

    /// A Training-view preset: `train` is the view's state (`dataset`, `model`, `hidden`,
    /// `optimizer`, `lr`, `batch`, `epochs`, `schedule`, and the optional `sp` schedule
    /// parameters, `vf` validation fraction, `std` standardisation, `seed`, `li` log interval,
    /// `precision`).
    pub fn training(id: String, title: String, train: Value) -> Self {
        let state = json!({ "view": "training", "train": train });
        Preset { id, title, state }
    }

    /// The link that opens the lab on this preset.
    pub fn url(&self) -> String {
        lab_url(&self.state)
    }

    /// The preset as `GET /api/presets` lists it.
    pub fn to_json(&self) -> Value {
        json!({ "id": self.id, "title": self.title, "state": self.state, "url": self.url() })
    }
}

/// The lab's link for a page state: the origin and `#` + the state's JSON, escaped like
/// JavaScript's `encodeURIComponent` (the lab reads it back with `decodeURIComponent`).
pub fn lab_url(state: &Value) -> String {
    let mut url = format!("{LAB_ORIGIN}#");
    for b in state.to_string().bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Every preset of the tour, in the tour's order (Functions, Schedules and Training views).
pub fn all() -> Vec<Preset> {
    let (sphere, lrs) = super::step_size::presets();
    let mut v = super::noise::minibatch_presets();
    v.extend(sphere);
    v.extend(lrs);
    v.extend(super::schedules::presets());
    v.extend(super::momentum::presets());
    v
}

/// `GET /api/presets`: every preset with its id, title, state and link.
pub fn json() -> Value {
    Value::Array(all().iter().map(Preset::to_json).collect())
}

/// The tables of a `downhill run` config for each lane of a Functions-view preset (what the
/// lab posts to `/api/run`); empty for other views.
pub fn run_tables(state: &Value) -> Vec<Value> {
    let lanes = state["lanes"].as_array().cloned().unwrap_or_default();
    lanes
        .iter()
        .map(|l| {
            let mut opt = json!({ "name": l["optimizer"], "lr": l["lr"] });
            if let Some(m) = l["mom"].as_f64() {
                opt["momentum"] = json!(m);
            }
            json!({
                "problem": { "function": state["fn"], "x0": state["x0"] },
                "optimizer": opt,
                "run": { "steps": state["steps"] },
            })
        })
        .collect()
}

/// What the lab's Schedules view posts to `/api/schedule` for a Schedules-view preset (the
/// `downhill schedule` tables plus `steps`); `None` for other views.
pub fn schedule_tables(state: &Value) -> Option<Value> {
    let s = state
        .get("sched")
        .filter(|_| state["view"] == "schedules")?;
    let mut sched = s["params"].clone();
    sched["name"] = s["name"].clone();
    Some(json!({
        "optimizer": { "name": s["optimizer"], "lr": s["lr"], "momentum": s["mom"] },
        "schedule": sched,
        "run": { "steps": s["steps"], "batch_size": 32 },
        "steps": s["steps"],
    }))
}

/// What the lab's Training view posts to `/api/train` for a Training-view preset (the
/// `downhill train` tables); `None` for other views.
pub fn train_tables(state: &Value) -> Option<Value> {
    let t = state.get("train").filter(|_| state["view"] == "training")?;
    let mut data = json!({
        "source": t["dataset"],
        "standardize": t["std"].as_bool().unwrap_or(true),
        "validation_fraction": t["vf"].as_f64().unwrap_or(0.2),
    });
    if let Some(p) = t["precision"].as_str() {
        data["precision"] = json!(p);
    }
    let mut model = json!({ "kind": t["model"] });
    if t["model"] == "mlp" {
        let hidden: Vec<u64> = t["hidden"]
            .as_str()
            .unwrap_or("32")
            .split(',')
            .map(|v| v.trim().parse().unwrap_or(32).max(1))
            .collect();
        model["hidden"] = json!(hidden);
    }
    let mut train = json!({
        "epochs": t["epochs"], "batch_size": t["batch"], "seed": t["seed"].as_u64().unwrap_or(0),
    });
    if let Some(li) = t["li"].as_u64() {
        train["log_interval"] = json!(li);
    }
    let mut tables = json!({
        "data": data,
        "model": model,
        "optimizer": { "name": t["optimizer"], "lr": t["lr"] },
        "train": train,
    });
    if let Some(name) = t["schedule"].as_str().filter(|n| !n.is_empty()) {
        let mut sched = t["sp"].clone();
        if !sched.is_object() {
            sched = json!({});
        }
        sched["name"] = json!(name);
        tables["schedule"] = sched;
    }
    Some(tables)
}
