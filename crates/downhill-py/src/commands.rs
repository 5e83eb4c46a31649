//! `downhill.train`, `compare`, `sweep`, `lr_find`, `landscape`, `run` and `schedule`: a config
//! (the tables of the TOML file, as a TOML text or a JSON object) run by the library's
//! `downhill::spec`, returning the JSON text that `downhill <command> FILE --json` prints (the
//! Python half turns it into Python objects and NumPy arrays).
//!
//! The work runs on a worker thread with the GIL released. Ctrl-C raises `KeyboardInterrupt`
//! at once: `train` is stopped through the trainer's stop flag (after its current step), and
//! the other commands, which have no stop hook, finish in the background, their result
//! dropped.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use downhill::spec::{self, exec};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use toml::de::{DeTable, DeValue};

use crate::threads::{run_detached, Stop};

/// The `[data]` keys that name files.
const PATH_KEYS: [&str; 2] = ["path", "target_path"];

/// `text` with the relative file names of `[data]` (`path`, `target_path`) made absolute
/// against `base` (the config file's folder). Only the string literals change, so every line
/// keeps its number; text that does not parse is returned as is (the parser then reports it).
pub fn anchor_paths(text: &str, base: &Path) -> String {
    let Ok(doc) = DeTable::parse(text) else {
        return text.to_string();
    };
    let root = doc.get_ref();
    let Some(DeValue::Table(data)) = root
        .iter()
        .find(|(k, _)| k.get_ref() == "data")
        .map(|(_, v)| v.get_ref())
    else {
        return text.to_string();
    };
    let mut edits: Vec<(std::ops::Range<usize>, String)> = data
        .iter()
        .filter(|(k, _)| PATH_KEYS.contains(&&**k.get_ref()))
        .filter_map(|(_, v)| {
            let DeValue::String(s) = v.get_ref() else {
                return None;
            };
            let span = v.span();
            let literal = text.get(span.clone())?;
            let quoted = literal.starts_with('"') || literal.starts_with('\'');
            let p = Path::new(&**s);
            if !quoted || p.is_absolute() {
                return None;
            }
            let abs = base.join(p).to_string_lossy().into_owned();
            Some((span, toml::Value::String(abs).to_string()))
        })
        .collect();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (r, lit) in edits {
        out.replace_range(r, &lit);
    }
    out
}

/// `message` without the `origin:line:col: ` that locates it in the TOML text generated from a
/// JSON object (those positions are in no file the user has).
fn unlocated(message: &str, origin: &str) -> String {
    let Some(rest) = message
        .strip_prefix(origin)
        .and_then(|r| r.strip_prefix(':'))
    else {
        return message.to_string();
    };
    let mut parts = rest.splitn(3, ':');
    let (line, col, tail) = (parts.next(), parts.next(), parts.next());
    let numeric =
        |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    match tail {
        Some(t) if numeric(line) && numeric(col) => t.trim_start().to_string(),
        _ => rest.trim_start().to_string(),
    }
}

/// Runs `command` on a config and returns what `downhill <command> FILE --json` prints, as JSON
/// text.
///
/// `config` is the TOML text of a file (named `origin` in messages; its relative `[data]`
/// paths resolve against `base_dir` when given) or, with `from_json`, a JSON object of tables
/// (messages then name the table and key without a position). `steps` is `downhill schedule
/// --steps` (default `[run] steps`).
#[pyfunction]
#[pyo3(signature = (command, config, origin, from_json=false, base_dir=None, steps=None))]
pub fn execute_config(
    py: Python<'_>,
    command: &str,
    config: String,
    origin: String,
    from_json: bool,
    base_dir: Option<String>,
    steps: Option<usize>,
) -> PyResult<String> {
    let toml = if from_json {
        let v: serde_json::Value = serde_json::from_str(&config)
            .map_err(|e| PyValueError::new_err(format!("config: not JSON: {e}")))?;
        spec::json::toml_from_json(&origin, &v)
            .map_err(|e| PyValueError::new_err(unlocated(&e.to_string(), &origin)))?
    } else {
        match &base_dir {
            Some(b) => anchor_paths(&config, Path::new(b)),
            None => config,
        }
    };
    let command = command.to_string();
    let stop = Stop::default();
    let flag: Arc<AtomicBool> = stop.flag();
    let name = origin.clone();
    let out = run_detached(py, &stop, move || -> downhill::Result<serde_json::Value> {
        match (command.as_str(), steps) {
            ("train", _) => {
                let cfg = spec::train::parse(&name, &toml)?;
                Ok(exec::train::fit_with(&cfg, Some(&*flag), &mut |_, _| {})?.1)
            }
            ("schedule", Some(n)) => Ok(exec::schedule::table(&name, &toml, Some(n), None)?.json()),
            (c, _) => spec::execute(c, &toml, &name),
        }
    })?;
    let v = out.map_err(|e| {
        let m = e.to_string();
        PyValueError::new_err(if from_json { unlocated(&m, &origin) } else { m })
    })?;
    serde_json::to_string(&v).map_err(|e| PyValueError::new_err(e.to_string()))
}
