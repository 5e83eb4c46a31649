//! The optional `[schedule]` table (shared by `downhill run` and `downhill schedule`).
//!
//! `[schedule]` holds `name` and the schedule's parameters; `sequential_lr` and
//! `chained_scheduler` take their inner schedules as an array of tables
//! `[[schedule.schedulers]]`, each with its own `name` (nesting continues as
//! `[[schedule.schedulers.schedulers]]`). Every table is deserialised through [`ConfigDoc`], so
//! unknown names and keys are reported with file:line:col.

use downhill::optim::OptimizerConfig;
use downhill::schedule::ScheduleConfig;
use toml::de::DeValue;
use toml::Spanned;

use super::{ConfigDoc, Keys};
use crate::exit::CliError;

/// The keys of `[schedule]` and of each nested scheduler table, in file order, each with the
/// name of its table (`schedule`, `schedule.schedulers`, …).
pub type ScheduleKeys = Vec<(String, Keys)>;

/// Takes and parses `[schedule]`; `None` when absent.
pub fn section(
    doc: &mut ConfigDoc<'_>,
) -> Result<Option<(ScheduleConfig, ScheduleKeys)>, CliError> {
    let Some((name, body)) = doc.named_section("schedule")? else {
        return Ok(None);
    };
    let mut keys = vec![("schedule".to_string(), doc.keys("schedule"))];
    named(doc, "schedule", &name, body, &mut keys).map(|s| Some((s, keys)))
}

fn named<'a>(
    doc: &ConfigDoc<'a>,
    table: &str,
    name: &str,
    mut body: Spanned<DeValue<'a>>,
    keys: &mut ScheduleKeys,
) -> Result<ScheduleConfig, CliError> {
    let mut children = Vec::new();
    if matches!(name, "sequential_lr" | "chained_scheduler") {
        let inner = format!("{table}.schedulers");
        let own = Keys::of(&body);
        let list = match body.get_mut() {
            DeValue::Table(t) => {
                let key = t.keys().find(|k| k.get_ref() == "schedulers").cloned();
                key.and_then(|k| t.remove(&k))
            }
            _ => None,
        };
        if let Some(list) = list {
            let span = list.span();
            let DeValue::Array(items) = list.into_inner() else {
                return Err(doc.error_at(
                    table,
                    &own,
                    Some(span),
                    "`schedulers` must be an array of tables ([[schedule.schedulers]])",
                ));
            };
            for item in items {
                keys.push((inner.clone(), Keys::of(&item)));
                let (n, b) = doc.split_name(&inner, item)?;
                children.push(named(doc, &inner, &n, b, keys)?);
            }
        }
    }
    let mut cfg = doc.named_into(table, name, body, ScheduleConfig::from_named)?;
    if let Some(list) = cfg.schedulers_mut() {
        *list = children;
    }
    Ok(cfg)
}

/// Builds the schedule once for `optimizer` (PyTorch's constructor checks), so that a bad
/// value is reported with the line of its key (looked up in `[schedule]` first, then in the
/// nested scheduler tables). Solvers take no schedule.
pub fn validate(
    doc: &ConfigDoc<'_>,
    keys: &ScheduleKeys,
    schedule: &ScheduleConfig,
    optimizer: &OptimizerConfig,
    batch_size: Option<usize>,
) -> Result<(), CliError> {
    if optimizer.solver::<f64>().ok().flatten().is_some() {
        return Err(CliError::input(format!(
            "{}: [schedule] `{}` drives first-order optimizers; `{}` runs its own iterations",
            doc.file,
            schedule.name(),
            optimizer.name()
        )));
    }
    let opt = optimizer.build::<f64>()?;
    schedule
        .driver(opt.lr(), opt.momentum(), batch_size)
        .map(|_| ())
        .map_err(|e| {
            let found = keys
                .iter()
                .find(|(_, k)| doc.locate(k, &e).is_some())
                .map(|(table, k)| doc.invalid_value(table, k, &e));
            // Without a located key the message names the nested tables, as it always has.
            found.unwrap_or_else(|| doc.invalid_value("schedule.schedulers", &Keys::default(), &e))
        })
}
