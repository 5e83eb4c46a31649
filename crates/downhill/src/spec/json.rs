//! A config given as JSON (the lab's request bodies): an object whose members are the tables of
//! the TOML config. [`Tables`] is the typed entry: it parses such an object into each command's
//! config type, through the very parser the files go through (the object is written as TOML
//! text, the one span-carrying form), so it gets the same checks and the same
//! `origin:line:col: [table] key `k`` messages; [`execute_json`] is [`super::execute`] for it.

use serde_json::Value;

use crate::spec::exec::schedule::{self, Table};
use crate::spec::{compare, exec, run, train};
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

/// A JSON object of config tables, ready to be parsed as any command's config. Messages name
/// `origin` and the line and column of the equivalent TOML text ([`Tables::toml`]).
///
/// ```
/// let body = serde_json::json!({
///     "problem": { "function": "sphere", "x0": [1.0, 2.0] },
///     "optimizer": { "name": "sgd", "lr": 0.25 },
///     "run": { "steps": 2 },
/// });
/// let t = downhill::spec::json::Tables::new("request", &body).unwrap();
/// let cfg = t.run().unwrap();
/// assert_eq!(cfg.run.steps, 2);
/// ```
#[derive(Debug, Clone)]
pub struct Tables {
    origin: String,
    text: String,
}

impl Tables {
    /// The tables of `body`, named `origin` in messages.
    pub fn new(origin: &str, body: &Value) -> Result<Self, Error> {
        Ok(Tables {
            origin: origin.to_string(),
            text: toml_from_json(origin, body)?,
        })
    }

    /// The config as TOML text (what a front end offers to save as a file).
    pub fn toml(&self) -> &str {
        &self.text
    }

    /// A `downhill run` config.
    pub fn run(&self) -> Result<run::RunConfig, Error> {
        run::parse(&self.origin, &self.text)
    }

    /// A `downhill compare` config on a `[problem]`.
    pub fn compare(&self) -> Result<compare::CompareConfig, Error> {
        compare::parse(&self.origin, &self.text)
    }

    /// Whether the tables compare trainings (they have a `[data]` table).
    pub fn is_training(&self) -> Result<bool, Error> {
        compare::is_training(&self.origin, &self.text)
    }

    /// A `downhill train` config.
    pub fn train(&self) -> Result<train::TrainFile, Error> {
        train::parse(&self.origin, &self.text)
    }

    /// The schedule of the tables tabulated for `steps` (default `[run] steps`).
    pub fn schedule(&self, steps: Option<usize>) -> Result<Table, Error> {
        schedule::table(&self.origin, &self.text, steps, None)
    }

    /// Runs the tables as `downhill <command> FILE --json` does ([`super::execute`]).
    pub fn execute(&self, command: &str) -> Result<Value, Error> {
        match command {
            "run" => {
                let cfg = self.run()?;
                exec::run::result_json(&cfg, &exec::run::execute(&cfg)?)
            }
            "compare" if !self.is_training()? => {
                let cfg = self.compare()?;
                exec::compare::problem_json(&cfg, &exec::compare::run_all(&cfg)?)
            }
            _ => super::execute(command, &self.text, &self.origin),
        }
    }
}

/// [`super::execute`] for a config given as a JSON object of tables.
pub fn execute_json(command: &str, body: &Value, origin: &str) -> Result<Value, Error> {
    Tables::new(origin, body)?.execute(command)
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

    #[test]
    fn json_tables_run_as_the_toml_does_and_name_the_place() {
        let body = serde_json::json!({
            "problem": { "function": "sphere", "x0": [1.0, 2.0] },
            "optimizer": { "name": "sgd", "lr": 0.25 },
            "run": { "steps": 2 },
        });
        let t = Tables::new("request", &body).unwrap();
        let v = execute_json("run", &body, "request").unwrap();
        assert_eq!(
            v,
            super::super::execute("run", t.toml(), "request").unwrap()
        );
        let mut bad = body.clone();
        bad["optimizer"]["lr"] = serde_json::json!(-1.0);
        let e = execute_json("run", &bad, "request")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("request:") && e.contains("key `lr`"), "{e}");
    }
}
