//! A config given as JSON (the lab's request bodies): an object whose members are the tables of
//! the TOML config. It is turned into TOML text, which then goes through the very parser the
//! files go through, so it gets the same checks and the same messages.

use serde_json::Value;

use crate::Error;

/// The TOML text of a JSON object of tables, e.g. `{"optimizer": {"name": "sgd"}}` →
/// `[optimizer]\nname = "sgd"\n`; `origin` names the body in messages. `null` has no TOML
/// form and is an error, as is anything but an object at the top.
pub fn toml_from_json(origin: &str, body: &Value) -> Result<String, Error> {
    if !body.is_object() {
        return Err(crate::spec::input(format!(
            "{origin}: expected a JSON object of tables (e.g. {{\"optimizer\": {{\"name\": \"sgd\"}}}})"
        )));
    }
    toml::to_string(body).map_err(|e| crate::spec::input(format!("{origin}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_arrays_of_tables_become_toml() {
        let body = serde_json::json!({
            "problem": { "function": "sphere", "x0": [1.0, -2] },
            "run": { "steps": 3 },
            "optimizers": [{ "name": "sgd", "lr": 0.1 }, { "name": "adam" }],
            "schedule": { "name": "sequential_lr", "milestones": [2],
                          "schedulers": [{ "name": "constant_lr" }, { "name": "step_lr", "step_size": 1 }] },
        });
        let text = toml_from_json("body", &body).unwrap();
        let back: Value = toml::from_str(&text).unwrap();
        assert_eq!(back, body, "{text}");
        assert!(toml_from_json("body", &serde_json::json!([1])).is_err());
        let e = toml_from_json("body", &serde_json::json!({ "run": { "steps": null } }));
        assert!(e.is_err());
    }
}
