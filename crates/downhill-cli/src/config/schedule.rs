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

use super::ConfigDoc;
use crate::exit::CliError;

/// Takes and parses `[schedule]`; `None` when absent.
pub fn section(doc: &mut ConfigDoc<'_>) -> Result<Option<ScheduleConfig>, CliError> {
    let Some((name, body)) = doc.named_section("schedule")? else {
        return Ok(None);
    };
    named(doc, "schedule", &name, body).map(Some)
}

fn named<'a>(
    doc: &ConfigDoc<'a>,
    table: &str,
    name: &str,
    mut body: Spanned<DeValue<'a>>,
) -> Result<ScheduleConfig, CliError> {
    let mut children = Vec::new();
    if matches!(name, "sequential_lr" | "chained_scheduler") {
        let inner = format!("{table}.schedulers");
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
                    Some(span),
                    "`schedulers` must be an array of tables ([[schedule.schedulers]])",
                ));
            };
            for item in items {
                let (n, b) = doc.split_name(&inner, item)?;
                children.push(named(doc, &inner, &n, b)?);
            }
        }
    }
    let mut cfg = doc.named_into(table, name, body, ScheduleConfig::from_named)?;
    if let Some(list) = cfg.schedulers_mut() {
        *list = children;
    }
    Ok(cfg)
}

/// Builds the schedule once for the optimiser of the config (PyTorch's constructor checks), so
/// that a bad value is reported with the line of its key. Solvers take no schedule.
pub fn validate(
    doc: &ConfigDoc<'_>,
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
            let top = super::run::invalid_value(doc, "schedule", e.clone());
            if top.message.contains(" key `") {
                top
            } else {
                super::run::invalid_value(doc, "schedule.schedulers", e)
            }
        })
}
