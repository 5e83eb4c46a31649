//! The optional `[schedule]` table (shared by `downhill run` and `downhill schedule`).
//!
//! `[schedule]` holds `name` and the schedule's parameters; `sequential_lr` and
//! `chained_scheduler` take their inner schedules as an array of tables
//! `[[schedule.schedulers]]`, each with its own `name` (nesting continues as
//! `[[schedule.schedulers.schedulers]]`). Every table is deserialised through [`ConfigDoc`], so
//! unknown names and keys are reported with file:line:col.

use crate::optim::{OptimizerConfig, ParamGroupConfig};
use crate::schedule::ScheduleConfig;
use toml::de::DeValue;
use toml::Spanned;

use super::{ConfigDoc, Keys};
use crate::Error;

/// The keys of `[schedule]` and of each nested scheduler table, in file order, each with the
/// name of its table (`schedule`, `schedule.schedulers`, …).
pub type ScheduleKeys = Vec<(String, Keys)>;

/// Takes and parses `[schedule]`; `None` when absent.
pub fn section(doc: &mut ConfigDoc<'_>) -> Result<Option<(ScheduleConfig, ScheduleKeys)>, Error> {
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
) -> Result<ScheduleConfig, Error> {
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

/// Builds the schedule once for `optimizer` and each of its `[[optimizer.param_groups]]`
/// (PyTorch's constructor checks, per-group lists checked against the number of groups), so
/// that a bad value is reported with the line of its key (looked up in `[schedule]` first,
/// then in the nested scheduler tables). Solvers take no schedule.
pub fn validate(
    doc: &ConfigDoc<'_>,
    keys: &ScheduleKeys,
    schedule: &ScheduleConfig,
    optimizer: &OptimizerConfig,
    param_groups: &[ParamGroupConfig],
    batch_size: Option<usize>,
) -> Result<(), Error> {
    if optimizer.solver::<f64>().ok().flatten().is_some() {
        return Err(crate::spec::input(format!(
            "{}: [schedule] `{}` drives first-order optimizers; `{}` runs its own iterations",
            doc.file,
            schedule.name(),
            optimizer.name()
        )));
    }
    let mut groups = Vec::with_capacity(1 + param_groups.len());
    for o in std::iter::once(optimizer).chain(param_groups.iter().map(|g| &g.optimizer)) {
        let opt = o.build::<f64>()?;
        groups.push((opt.lr(), opt.momentum()));
    }
    schedule
        .drivers(&groups, batch_size)
        .map(|_| ())
        .map_err(|e| {
            let found = keys
                .iter()
                .find(|(_, k)| doc.locate(k, &e).is_some())
                .map(|(table, k)| doc.invalid_value(table, k, &e));
            // A key the error names but no table has (a required one left out): at the `name`
            // of the table whose schedule fails on its own (tables in file order = preorder).
            found.unwrap_or_else(|| match failing_table(schedule, &e) {
                Some(i) if i < keys.len() => doc.missing_value(&keys[i].0, &keys[i].1, &e),
                _ => doc.invalid_value("schedule.schedulers", &Keys::default(), &e),
            })
        })
}

/// The index, in preorder (the order of `ScheduleKeys`), of the first plain schedule that
/// fails alone with the error `e`.
fn failing_table(schedule: &ScheduleConfig, e: &crate::Error) -> Option<usize> {
    let mut all = Vec::new();
    preorder(schedule.clone(), &mut all);
    let msg = e.to_string();
    all.iter().position(|c| {
        c.scheduler()
            .and_then(|s| s.validate())
            .is_err_and(|x| x.to_string() == msg)
    })
}

fn preorder(mut c: ScheduleConfig, out: &mut Vec<ScheduleConfig>) {
    let children = c.schedulers_mut().map(std::mem::take).unwrap_or_default();
    out.push(c);
    for ch in children {
        preorder(ch, out);
    }
}
